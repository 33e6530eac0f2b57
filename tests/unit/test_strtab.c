// SPDX-License-Identifier: MIT
/* Interned names: temporary names swept when no tree holds them (issue 18). */
#include <errno.h>

#include "helpers.h"
#include "../../profile/history.h"
#include "../../profile/who.h"

static uint32_t temp(struct strtab *st, const char *s)
{
	uint32_t id;

	assert_int_equal(strtab__intern_temp(st, s, strlen(s), &id), 0);
	return id;
}

static uint32_t kept(struct strtab *st, const char *s)
{
	uint32_t id;

	assert_int_equal(strtab__intern(st, s, strlen(s), &id), 0);
	return id;
}

static bool known(const struct strtab *st, const char *s, uint32_t *id)
{
	return strtab__lookup(st, s, strlen(s), id);
}

/* What a tree, a rename and a lasting intern hold stays; the rest goes, its ids given again. */
static void test_sweep_frees_what_no_tree_holds(void **state)
{
	struct fixture *f = *state;
	struct strtab *st = f->names;
	uint32_t main_id = kept(st, "main"), ids[3], id, n0;
	char name[32];

	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "\x1eproc-%d", i);
		id = temp(st, name);
		if (i < 3)
			ids[i] = id;
	}
	/* the tree holds proc-0 and proc-1; proc-2 is interned for good too */
	uint32_t stack[] = { main_id, ids[0], ids[1] };

	assert_int_equal(calltree__add_stack(f->t, stack, 3, 1), 0);
	assert_int_equal(kept(st, "\x1eproc-2"), ids[2]);
	/* a rename's ends are held */
	assert_int_equal(strtab__rename(st, temp(st, "\x1eold"), temp(st, "\x1enew")), 0);
	assert_int_equal(strtab__temps(st), 1001);
	n0 = strtab__count(st);

	assert_int_equal(strtab__sweep(st), 997);
	assert_int_equal(strtab__temps(st), 4);
	assert_string_equal(strtab__str(st, ids[0]), "\x1eproc-0");
	assert_string_equal(strtab__str(st, ids[1]), "\x1eproc-1");
	assert_string_equal(strtab__str(st, ids[2]), "\x1eproc-2");
	assert_true(known(st, "\x1eold", &id) && known(st, "\x1enew", &id));
	assert_false(known(st, "\x1eproc-3", &id));
	assert_true(known(st, "main", &id) && id == main_id);
	/* new names take the swept ids: the table does not grow */
	for (int i = 0; i < 997; i++) {
		snprintf(name, sizeof(name), "\x1enext-%d", i);
		assert_true(temp(st, name) < n0);
	}
	assert_int_equal(strtab__count(st), n0);
	/* the tree gone, what it held goes at the next sweep */
	calltree__free(f->t);
	f->t = NULL;
	assert_int_equal(strtab__sweep(st), 997 + 2);
	assert_false(known(st, "\x1eproc-0", &id));
	assert_true(known(st, "\x1eproc-2", &id));
	assert_int_equal(strtab__sweep(st), 0);
}

/*
 * Random interns and sweeps against a plain list: every name still held
 * is found under its id, none swept is (the table's probe chains stay
 * whole as slots are emptied).
 */
static void test_sweep_keeps_lookups_whole(void **state)
{
	struct fixture *f = *state;
	struct strtab *st = f->names;
	enum { NAMES = 3000 };
	static uint32_t id_of[NAMES];
	static bool in[NAMES];
	uint32_t stack[1];
	char name[32];

	srandom(18);
	for (int round = 0; round < 40; round++) {
		calltree__clear(f->t);
		for (int k = 0; k < 700; k++) {
			int i = (int)(random() % NAMES);

			snprintf(name, sizeof(name), "\x1en%d", i);
			stack[0] = temp(st, name);
			assert_true(!in[i] || stack[0] == id_of[i]);
			id_of[i] = stack[0];
			in[i] = true;
			/* the tree holds about half of this round's names */
			if (random() & 1)
				assert_int_equal(calltree__add_stack(f->t, stack, 1, 1), 0);
		}
		assert_true(strtab__sweep(st) >= 0);
		for (int i = 0; i < NAMES; i++) {
			uint32_t id;

			snprintf(name, sizeof(name), "\x1en%d", i);
			in[i] = in[i] && calltree__find(f->t, CT_ROOT, id_of[i]) != CT_NONE;
			assert_int_equal(known(st, name, &id), in[i]);
			if (in[i])
				assert_true(id == id_of[i] && !strcmp(strtab__str(st, id), name));
		}
	}
	/* never more ids than names were held at once, and a round's worth */
	assert_true(strtab__count(st) <= 2 * 700);
}

/*
 * A history of processes that each run a second: with a sweep each
 * second, its names stay as many as its tree holds — the retention's, and
 * the dead nodes a compaction has not dropped yet (it waits for 65,536
 * nodes) — a compile loop's identity frames, every process a new one.
 */
static void test_history_names_stay_bounded(void **state)
{
	struct fixture *f = *state;
	struct strtab *st = f->names;
	struct history *h = history__new(st, 10);
	uint32_t stack[3], most = 0;

	stack[0] = kept(st, "main");
	stack[1] = kept(st, "work");
	for (int64_t s = 0; s < 600; s++) {
		for (uint32_t p = 0; p < 250; p++) {
			struct who w = { .pid = (uint32_t)s * 250 + p, .tid = (uint32_t)s * 250 + p,
					 .comm = "cc1", .thread = "cc1", .container = "" };

			assert_int_equal(who__intern(st, &w, &stack[2]), 0);
			assert_int_equal(history__add(h, s, stack, 3, 1), 0);
		}
		assert_true(strtab__sweep(st) >= 0);
		if (strtab__count(st) > most)
			most = strtab__count(st);
	}
	/* 150,000 processes, never more than a tree's worth of names */
	assert_true(most < 65536 + 2 * 10 * 250);
	assert_true(history__generation(h) > 0);
	history__free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sweep_frees_what_no_tree_holds, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_sweep_keeps_lookups_whole, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_history_names_stay_bounded, fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests_name("strtab", tests, NULL, NULL);
}
