// SPDX-License-Identifier: MIT
/* profile/who.c: identity frames, the root frames of each grouping, regroup and the table. */
#include "helpers.h"
#include "../../profile/who.h"

static const struct who net = { 100, 101, "app", "net-worker", "podman:3ab954374f17" };
static const struct who db = { 100, 102, "app", "db-worker", "podman:3ab954374f17" };
static const struct who other = { 200, 200, "app", "app", "nginx.service" };

static uint32_t id_of(struct strtab *names, const char *s)
{
	uint32_t id;

	assert_int_equal(strtab__intern(names, s, strlen(s), &id), 0);
	return id;
}

/* Where the tests put identity frames: a recording's root (false), a live history's leaf. */
static bool at_leaf;

/* A stack of who's: names root first, its identity frame at the root or the leaf. */
static void add(struct calltree *t, const struct who *w, const char *a, const char *b,
		uint64_t count)
{
	struct strtab *names = calltree__names(t);
	uint32_t s[3], id;

	assert_int_equal(who__intern(names, w, &id), 0);
	s[at_leaf ? 2 : 0] = id;
	s[at_leaf ? 0 : 1] = id_of(names, a);
	s[at_leaf ? 1 : 2] = id_of(names, b);
	assert_int_equal(calltree__add_stack(t, s, 3, count), 0);
}

static int leaf_setup(void **state)
{
	at_leaf = true;
	return fixture_setup(state);
}

static int root_setup(void **state)
{
	at_leaf = false;
	return fixture_setup(state);
}

static void test_identity_round_trip(void **state)
{
	struct fixture *f = *state;
	struct who_buf wb;
	uint32_t id;

	assert_int_equal(who__intern(f->names, &db, &id), 0);
	assert_true(who__decode(f->names, id, &wb));
	assert_int_equal(wb.w.pid, 100);
	assert_int_equal(wb.w.tid, 102);
	assert_string_equal(wb.w.comm, "app");
	assert_string_equal(wb.w.thread, "db-worker");
	assert_string_equal(wb.w.container, "podman:3ab954374f17");
	/* names of files are never identity frames, nor are malformed ones */
	assert_false(who__decode(f->names, id_of(f->names, "app"), &wb));
	assert_false(who__decode(f->names, id_of(f->names, "\x1e" "a\x1fx\x1f" "1\x1f" "b\x1f" "c"), &wb));
	assert_false(who__decode(f->names, id_of(f->names, "\x1e" "a\x1f" "99999999999\x1f" "1\x1f" "b\x1f" "c"), &wb));
	assert_false(who__decode(f->names, id_of(f->names, "\x1e" "a\x1f" "1\x1f" "1\x1f" "b"), &wb));
	assert_false(who__decode(f->names, id_of(f->names, "\x1e"), &wb));
}

static void test_frames_of_each_grouping(void **state)
{
	struct fixture *f = *state;
	uint32_t out[2];

	assert_int_equal(who__frames(f->names, &net, GROUP_COMM, out), 1);
	assert_string_equal(strtab__str(f->names, out[0]), "app");
	assert_int_equal(who__frames(f->names, &net, GROUP_PID, out), 1);
	assert_string_equal(strtab__str(f->names, out[0]), "app-100");
	assert_int_equal(who__frames(f->names, &net, GROUP_THREAD, out), 1);
	assert_string_equal(strtab__str(f->names, out[0]), "net-worker-100/101");
	assert_int_equal(who__frames(f->names, &net, GROUP_CONTAINER, out), 2);
	assert_string_equal(strtab__str(f->names, out[0]), "podman:3ab954374f17");
	assert_string_equal(strtab__str(f->names, out[1]), "app");
	assert_int_equal(group__find("thread"), GROUP_THREAD);
	assert_int_equal(group__find("threads"), GROUP_COUNT);
}

/* The folded text of a tree, for comparing. */
static void test_regroup_and_focus(void **state)
{
	struct fixture *f = *state;
	struct calltree *shown = calltree__new(f->names);
	struct who_focus focus;
	uint32_t frames[2];
	char *s;

	add(f->t, &net, "main", "net_loop", 30);
	add(f->t, &db, "main", "db_loop", 20);
	add(f->t, &other, "main", "serve", 10);
	assert_true(who__regroup(shown, f->t, GROUP_COMM, NULL, NULL) > 0);
	s = dump(shown, CT_ROOT);
	assert_string_equal(s, "app;main;db_loop 20\napp;main;net_loop 30\napp;main;serve 10\n");
	free(s);
	assert_true(who__regroup(shown, f->t, GROUP_CONTAINER, NULL, NULL) > 0);
	s = dump(shown, CT_ROOT);
	assert_string_equal(s, "nginx.service;app;main;serve 10\n"
			       "podman:3ab954374f17;app;main;db_loop 20\n"
			       "podman:3ab954374f17;app;main;net_loop 30\n");
	free(s);
	/* a focus on one thread: only its stacks, under the grouping asked */
	assert_int_equal(who__frames(f->names, &db, GROUP_THREAD, frames), 1);
	focus = (struct who_focus){ GROUP_THREAD, frames[0] };
	assert_true(who__regroup(shown, f->t, GROUP_THREAD, &focus, NULL) > 0);
	s = dump(shown, CT_ROOT);
	assert_string_equal(s, "db-worker-100/102;main;db_loop 20\n");
	free(s);
	assert_int_equal(calltree__samples(shown), 20);
	calltree__free(shown);
}

static void test_regroup_keeps_ids_and_plain_roots(void **state)
{
	struct fixture *f = *state;
	struct calltree *shown = calltree__new(f->names);
	uint32_t plain[2] = { id_of(f->names, "saved"), id_of(f->names, "work") }, n;

	add(f->t, &net, "main", "net_loop", 30);
	/* a saved history's root frames are not identities: they stay */
	assert_int_equal(calltree__add_stack(f->t, plain, 2, 5), 0);
	assert_true(who__regroup(shown, f->t, GROUP_PID, NULL, NULL) > 0);
	n = calltree__nodes(shown);
	assert_int_equal(calltree__samples(shown), 35);
	assert_int_not_equal(calltree__find(shown, CT_ROOT, plain[0]), CT_NONE);
	/* regrouped again the same way: the same nodes, counts made anew */
	assert_true(who__regroup(shown, f->t, GROUP_PID, NULL, NULL) > 0);
	assert_int_equal(calltree__nodes(shown), n);
	assert_int_equal(calltree__samples(shown), 35);
	calltree__free(shown);
}

/* One frame at a time (a live view's mirror) lands where the whole regroup puts it. */
static void test_place_as_regroup(void **state)
{
	struct fixture *f = *state;
	struct calltree *whole = calltree__new(f->names), *one = calltree__new(f->names);
	struct who_place p = { 0 };
	struct who_focus focus = { GROUP_COUNT, CT_NONE };
	uint32_t n, *map, frames[2];
	char *a, *b;

	add(f->t, &net, "main", "net_loop", 30);
	add(f->t, &db, "main", "db_loop", 20);
	add(f->t, &other, "main", "serve", 10);
	add(f->t, &db, "main", "net_loop", 7);
	n = calltree__nodes(f->t);
	map = malloc(n * sizeof(*map));
	assert_non_null(map);
	assert_int_equal(who__frames(f->names, &net, GROUP_PID, frames), 1);
	for (int g = 0; g < GROUP_COUNT; g++) {
		for (int focused = 0; focused < 2; focused++) {
			focus = (struct who_focus){ GROUP_PID, focused ? frames[0] : CT_NONE };
			for (uint32_t i = 0; i < n; i++)
				map[i] = CT_NONE - 1;
			assert_true(who__regroup(whole, f->t, (enum group_by)g, &focus, map) > 0);
			calltree__zero(one);
			who_place__reset(&p);
			/* backwards: each path unlike the last */
			for (uint32_t i = n; i-- > 1;) {
				uint32_t at;

				if (!calltree__node(f->t, i)->self)
					continue;
				assert_int_equal(who__place(&p, one, f->t, i, (enum group_by)g, &focus,
							    &at), 0);
				if (at != CT_NONE)
					assert_int_equal(calltree__add(one, at,
								       calltree__node(f->t, i)->self), 0);
				assert_int_not_equal(map[i], CT_NONE - 1);
				assert_int_equal(at == CT_NONE, map[i] == CT_NONE);
			}
			a = dump(whole, CT_ROOT);
			b = dump(one, CT_ROOT);
			assert_string_equal(a, b);
			assert_int_equal(calltree__samples(whole), focused ? 57 : 67);
			free(a);
			free(b);
		}
	}
	free(map);
	who_place__free(&p);
	calltree__free(whole);
	calltree__free(one);
}

/* The leaf of a stack of names (root first) and an identity frame: its node. */
static uint32_t leaf_of(struct calltree *t, const struct who *w, const char *const *fr)
{
	uint32_t s[8], n = 0, at;

	for (; fr[n]; n++)
		s[n] = id_of(calltree__names(t), fr[n]);
	assert_int_equal(who__intern(calltree__names(t), w, &s[n]), 0);
	assert_int_equal(calltree__path(t, s, n + 1, &at), 0);
	assert_int_equal(calltree__add(t, at, 1), 0);
	return at;
}

/*
 * A path placed after a shorter one that differs higher up: nodes placed
 * for the longer path before (under other frames) are not reused, though
 * its last frame has the same name.
 */
static void test_place_reuses_only_same_path(void **state)
{
	struct fixture *f = *state;
	struct calltree *shown = calltree__new(f->names);
	struct who_place p = { 0 };
	const char *const zbc[] = { "z", "b", "c", NULL }, *const ax[] = { "a", "x", NULL };
	const char *const axc[] = { "a", "x", "c", NULL };
	uint32_t l[3] = { leaf_of(f->t, &net, zbc), leaf_of(f->t, &db, ax), leaf_of(f->t, &net, axc) };
	char *s;

	for (int i = 0; i < 3; i++) {
		uint32_t at;

		assert_int_equal(who__place(&p, shown, f->t, l[i], GROUP_COMM, NULL, &at), 0);
		assert_int_equal(calltree__add(shown, at, (uint64_t)i + 1), 0);
	}
	s = dump(shown, CT_ROOT);
	assert_string_equal(s, "app;a;x 2\napp;a;x;c 3\napp;z;b;c 1\n");
	free(s);
	who_place__free(&p);
	calltree__free(shown);
}

/*
 * Random stacks of random threads, their identity frames at the root in
 * one tree and at the leaf in another: every grouping and focus shows the
 * same, whole or placed a frame at a time in any order, and so do the
 * process tables.
 */
static void test_random_both_ways(void **state)
{
	struct fixture *f = *state;
	struct calltree *leaf = calltree__new(f->names), *a = calltree__new(f->names);
	struct calltree *b = calltree__new(f->names);
	struct who_place p = { 0 };
	uint32_t ids[12], fn[6], stack[24];
	unsigned seed = 42;

	for (int i = 0; i < 12; i++) {
		char comm[16], thread[16];
		struct who w = { (uint32_t)(100 + i / 3), (uint32_t)(1000 + i), comm, thread,
				 i < 6 ? "podman:1" : "podman:2" };

		snprintf(comm, sizeof(comm), "proc%d", i / 3 % 2);
		snprintf(thread, sizeof(thread), "worker%d", i % 3);
		assert_int_equal(who__intern(f->names, &w, &ids[i]), 0);
	}
	for (int i = 0; i < 6; i++) {
		char name[8];

		snprintf(name, sizeof(name), "fn%d", i);
		fn[i] = id_of(f->names, name);
	}
	for (int k = 0; k < 3000; k++) {
		size_t n = 1 + (size_t)rand_r(&seed) % 20;
		uint32_t who = ids[rand_r(&seed) % 12];
		uint64_t count = 1 + (uint64_t)rand_r(&seed) % 3;

		/* the first frames from few names: paths shared by many threads */
		for (size_t i = 0; i < n; i++)
			stack[1 + i] = fn[rand_r(&seed) % (i < 4 ? 2 : 6)];
		stack[0] = who;
		assert_int_equal(calltree__add_stack(f->t, stack, n + 1, count), 0);
		stack[n + 1] = who;
		assert_int_equal(calltree__add_stack(leaf, stack + 1, n + 1, count), 0);
	}
	for (int g = 0; g < GROUP_COUNT; g++) {
		for (int fo = 0; fo < 3; fo++) {
			struct who_focus focus = { (enum group_by)((g + fo) % GROUP_COUNT), CT_NONE };
			uint32_t fr[2];
			struct who_buf wb;
			struct who_row *r1, *r2;
			long n1, n2;
			char *x, *y, *z;

			if (fo) {
				assert_true(who__decode(f->names, ids[fo * 5], &wb));
				assert_true(who__frames(f->names, &wb.w, focus.by, fr) > 0);
				focus.frame = fr[0];
			}
			assert_true(who__regroup(a, f->t, (enum group_by)g, &focus, NULL) >= 0);
			assert_true(who__regroup(b, leaf, (enum group_by)g, &focus, NULL) >= 0);
			x = dump(a, CT_ROOT);
			y = dump(b, CT_ROOT);
			assert_string_equal(x, y);
			/* a frame at a time, from the newest node back: the same again */
			calltree__zero(b);
			who_place__reset(&p);
			for (uint32_t i = calltree__nodes(leaf); i-- > 1;) {
				uint32_t at;
				uint64_t self = calltree__node(leaf, i)->self;

				if (!self)
					continue;
				assert_int_equal(who__place(&p, b, leaf, i, (enum group_by)g, &focus,
							    &at), 0);
				if (at != CT_NONE)
					assert_int_equal(calltree__add(b, at, self), 0);
			}
			z = dump(b, CT_ROOT);
			assert_string_equal(x, z);
			free(x);
			free(y);
			free(z);
			n1 = who__table(f->t, (enum group_by)g, &r1);
			n2 = who__table(leaf, (enum group_by)g, &r2);
			assert_int_equal(n1, n2);
			for (long i = 0; i < n1; i++) {
				assert_int_equal(r1[i].frame, r2[i].frame);
				assert_int_equal(r1[i].samples, r2[i].samples);
				assert_int_equal(r1[i].pid, r2[i].pid);
				assert_int_equal(r1[i].tid, r2[i].tid);
				assert_int_equal(r1[i].container, r2[i].container);
			}
			free(r1);
			free(r2);
		}
	}
	who_place__free(&p);
	calltree__free(leaf);
	calltree__free(a);
	calltree__free(b);
}

static void test_table(void **state)
{
	struct fixture *f = *state;
	struct who_row *rows;
	long n;

	add(f->t, &net, "main", "net_loop", 30);
	add(f->t, &db, "main", "db_loop", 20);
	add(f->t, &other, "main", "serve", 10);
	/* by pid: the two threads of 100 are one row */
	n = who__table(f->t, GROUP_PID, &rows);
	assert_int_equal(n, 2);
	assert_string_equal(strtab__str(f->names, rows[0].frame), "app-100");
	assert_int_equal(rows[0].samples, 50);
	assert_int_equal(rows[0].pid, 100);
	assert_int_equal(rows[0].tid, 0);
	assert_string_equal(strtab__str(f->names, rows[0].container), "podman:3ab954374f17");
	assert_int_equal(rows[1].samples, 10);
	free(rows);
	/* by comm: one row, the processes differ: no pid, no single container */
	n = who__table(f->t, GROUP_COMM, &rows);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].samples, 60);
	assert_int_equal(rows[0].pid, 0);
	assert_int_equal(rows[0].container, CT_NONE);
	free(rows);
	n = who__table(f->t, GROUP_THREAD, &rows);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].tid, 101);
	free(rows);
}

#define BOTH(t) cmocka_unit_test_setup_teardown(t, root_setup, fixture_teardown), \
		cmocka_unit_test_setup_teardown(t, leaf_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity_round_trip, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_frames_of_each_grouping, fixture_setup,
						fixture_teardown),
		BOTH(test_regroup_and_focus),
		BOTH(test_regroup_keeps_ids_and_plain_roots),
		BOTH(test_place_as_regroup),
		BOTH(test_table),
		cmocka_unit_test_setup_teardown(test_place_reuses_only_same_path, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_random_both_ways, fixture_setup,
						fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
