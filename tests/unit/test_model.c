// SPDX-License-Identifier: MIT
/* Call tree operations, top-N, diff, history and the report table. */
#include <errno.h>
#include <math.h>

#include "helpers.h"
#include "../../profile/diff.h"
#include "../../profile/history.h"
#include "../../profile/report.h"
#include "../../profile/topn.h"
#include "../../profile/treepath.h"

static const struct fn_stat *fn(const struct fn_stat *fns, long n, const struct strtab *st,
				const char *name)
{
	long i;

	for (i = 0; i < n; i++)
		if (strcmp(strtab__str(st, fns[i].name), name) == 0)
			return &fns[i];
	return NULL;
}

static void test_topn_recursion_counts_once(void **state)
{
	struct fixture *f = *state;
	struct fn_stat *fns;
	long n;

	/* rec recurses: a sample counts once for rec's total */
	load_folded(f->t, "p;main;rec;rec;rec;leaf 4\np;main;rec 2\np;main;other;rec 3\n");
	n = topn__compute(f->t, CT_ROOT, TOPN_TOTAL, &fns);
	assert_int_equal(n, 5);
	assert_int_equal(fn(fns, n, f->names, "rec")->total, 9);
	assert_int_equal(fn(fns, n, f->names, "rec")->self, 5);
	assert_int_equal(fn(fns, n, f->names, "leaf")->self, 4);
	assert_int_equal(fn(fns, n, f->names, "main")->total, 9);
	/* sorted by total, then by name */
	assert_string_equal(strtab__str(f->names, fns[0].name), "main");
	assert_string_equal(strtab__str(f->names, fns[1].name), "p");
	assert_string_equal(strtab__str(f->names, fns[2].name), "rec");
	free(fns);
	/* by self, within a zoomed subtree */
	n = topn__compute(f->t, node_at(f->t, "p;main;rec"), TOPN_SELF, &fns);
	assert_int_equal(n, 2);
	assert_string_equal(strtab__str(f->names, fns[0].name), "leaf");
	assert_int_equal(fn(fns, n, f->names, "rec")->total, 6);
	free(fns);
}

static void test_topn_empty(void **state)
{
	struct fixture *f = *state;
	struct fn_stat *fns;

	assert_int_equal(topn__compute(f->t, CT_ROOT, TOPN_SELF, &fns), 0);
	free(fns);
}

static void test_diff_normalized(void **state)
{
	struct fixture *f = *state;
	struct calltree *before = calltree__new(f->names);
	struct diff *d;
	uint32_t id;
	size_t i;

	/* before: a 50%, b 50% of 4; after: a 25%, b 25%, c 50% of 8 */
	load_folded(before, "p;a 2\np;b 1\np;gone 1\n");
	load_folded(f->t, "p;a 2\np;b 2\np;c 4\n");
	d = diff__new(before, f->t);
	assert_non_null(d);
	assert_int_equal(d->before_samples, 4);
	assert_int_equal(d->after_samples, 8);
	/* functions sorted by change of share: c +50, b 0, a -25, gone -25 */
	assert_string_equal(strtab__str(f->names, d->fns[0].name), "c");
	assert_true(fabs(d->fns[0].delta - 50.0) < 1e-9);
	for (i = 0; i < d->nfns; i++) {
		const char *nm = strtab__str(f->names, d->fns[i].name);

		if (!strcmp(nm, "a"))
			assert_true(fabs(d->fns[i].delta + 25.0) < 1e-9);
		if (!strcmp(nm, "b"))
			assert_true(fabs(d->fns[i].delta - 0.0) < 1e-9);
		if (!strcmp(nm, "gone")) {
			assert_true(fabs(d->fns[i].delta + 25.0) < 1e-9);
			assert_int_equal(d->fns[i].after.total, 0);
			assert_int_equal(d->fns[i].before.total, 1);
		}
		if (!strcmp(nm, "p"))
			assert_true(fabs(d->fns[i].delta) < 1e-9);
	}
	/* node level: the vanished frame is kept, with no width in "after" */
	id = node_at(d->tree, "p;gone");
	assert_int_not_equal(id, CT_NONE);
	assert_int_equal(d->nodes[id].after.total, 0);
	assert_int_equal(d->nodes[id].before.total, 1);
	assert_int_equal(calltree__node(d->tree, id)->total, 0);
	id = node_at(d->tree, "p;c");
	assert_true(fabs(diff__node_delta(d, id) - 50.0) < 1e-9);
	assert_int_equal(d->nodes[id].before.total, 0);
	diff__free(d);
	calltree__free(before);
}

static void test_merge_and_copy(void **state)
{
	struct fixture *f = *state;
	struct calltree *dst = calltree__new(f->names), *cp;
	char *out;

	load_folded(f->t, "p;x;y 2\np;x 1\np;z 5\n");
	assert_int_equal(calltree__merge(dst, f->t, node_at(f->t, "p;x")), 0);
	out = dump(dst, CT_ROOT);
	assert_string_equal(out, "p;x 1\np;x;y 2\n");
	free(out);
	calltree__sub(f->t, node_at(f->t, "p;z"), 5);
	cp = calltree__copy(f->t);
	assert_int_equal(calltree__nodes(cp), 4);	/* root, p, x, y: z had no samples */
	calltree__free(cp);
	calltree__free(dst);
}

/* Every node is found under its parent and name, and no (parent, name) is made twice. */
static void check_find(const struct calltree *t)
{
	for (uint32_t i = 1; i < calltree__nodes(t); i++) {
		const struct ct_node *n = calltree__node(t, i);

		assert_int_equal(calltree__find(t, n->parent, n->name), i);
	}
}

/*
 * calltree__child leaves a new branch out of its table until the next
 * lookup, and calltree__push leaves nodes out until then: find and child
 * see them all the same, with few such nodes or many.
 */
static void test_child_and_find(void **state)
{
	struct fixture *f = *state;
	uint32_t names[8], path[12], leaf, again, pushed;
	uint64_t r = 42;

	for (int i = 0; i < 8; i++) {
		char nm[8];

		snprintf(nm, sizeof(nm), "f%d", i);
		assert_int_equal(strtab__intern(f->names, nm, strlen(nm), &names[i]), 0);
	}
	for (int k = 0; k < 600; k++) {
		size_t depth = 1 + k % 12;

		for (size_t d = 0; d < depth; d++) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			path[d] = names[(r >> 33) % (d < 3 ? 2 : 8)];
		}
		assert_int_equal(calltree__path(f->t, path, depth, &leaf), 0);
		if (k % 37 == 0)	/* the branch just made may be out of the table */
			check_find(f->t);
		assert_int_equal(calltree__path(f->t, path, depth, &again), 0);
		assert_int_equal(leaf, again);
		if (k == 300) {	/* many pushed nodes at once: more than find looks through */
			uint32_t at = leaf, fresh;

			/* below a name no path has: each parent is new, as push wants */
			assert_int_equal(strtab__intern(f->names, "pushed", 6, &fresh), 0);
			assert_int_equal(calltree__push(f->t, at, fresh, &at), 0);
			for (int i = 1; i < 300; i++)
				assert_int_equal(calltree__push(f->t, at, names[i % 8], &at), 0);
			pushed = at;
			check_find(f->t);
			assert_int_equal(calltree__find(f->t, calltree__node(f->t, pushed)->parent,
							names[299 % 8]), pushed);
		}
	}
	check_find(f->t);
}

static void add(struct history *h, struct strtab *st, int64_t sec, const char *path,
		uint64_t count)
{
	uint32_t ids[16];
	size_t n = 0;
	const char *p = path;

	while (*p) {
		const char *semi = strchr(p, ';');
		size_t len = semi ? (size_t)(semi - p) : strlen(p);

		assert_int_equal(strtab__intern(st, p, len, &ids[n++]), 0);
		p += len + (semi ? 1 : 0);
	}
	assert_int_equal(history__add(h, sec, ids, n, count), 0);
}

static char *window_dump(struct history *h, int64_t t0, int64_t t1)
{
	assert_int_equal(history__set_window(h, t0, t1), 0);
	return dump(history__tree(h), CT_ROOT);
}

static void test_history_windows(void **state)
{
	struct fixture *f = *state;
	struct history *h = history__new(f->names, 5);
	uint64_t rate[6];
	int64_t first, last;
	char *out;

	assert_int_equal(history__set_window(h, 100, 102), 0);
	add(h, f->names, 100, "p;a", 1);
	add(h, f->names, 101, "p;b", 2);
	add(h, f->names, 102, "p;a", 4);
	add(h, f->names, 103, "p;c", 8);
	/* live adds inside the window land in the tree at once */
	out = dump(history__tree(h), CT_ROOT);
	assert_string_equal(out, "p;a 1\np;b 2\n");
	free(out);
	out = window_dump(h, 101, 103);		/* one step forward */
	assert_string_equal(out, "p;a 4\np;b 2\n");
	free(out);
	out = window_dump(h, 100, 104);		/* grow */
	assert_string_equal(out, "p;a 5\np;b 2\np;c 8\n");
	free(out);
	out = window_dump(h, 103, 104);		/* shrink */
	assert_string_equal(out, "p;c 8\n");
	free(out);
	history__rate(h, 99, rate, 6);
	assert_int_equal(rate[0], 0);
	assert_int_equal(rate[1], 1);
	assert_int_equal(rate[4], 8);
	assert_int_equal(rate[5], 0);
	/* retention 5: second 106 expires 100 and 101 */
	out = window_dump(h, 0, 1000);
	free(out);
	add(h, f->names, 106, "p;d", 16);
	out = dump(history__tree(h), CT_ROOT);
	assert_string_equal(out, "p;a 4\np;c 8\np;d 16\n");
	free(out);
	assert_true(history__span(h, &first, &last));
	assert_int_equal(first, 102);
	assert_int_equal(last, 106);
	/* too old to add */
	{
		uint32_t id = 0;

		assert_int_equal(history__add(h, 101, &id, 1, 1), -ERANGE);
	}
	history__free(h);
}

static void test_history_incremental_equals_rebuild(void **state)
{
	struct fixture *f = *state;
	struct history *h = history__new(f->names, 64);
	char path[64];
	int64_t s;
	int i;

	for (s = 0; s < 64; s++)
		for (i = 0; i < 20; i++) {
			snprintf(path, sizeof(path), "p;f%d;g%d", (int)((s + i) % 7), i % 3);
			add(h, f->names, s, path, (uint64_t)(s * 31 + i) % 11 + 1);
		}
	for (s = 0; s < 60; s += 3) {
		struct history *fresh = history__new(f->names, 64);
		char *inc = window_dump(h, s, s + 5 + s % 4), *want;
		int64_t t;

		/* the same window built from nothing */
		for (t = 0; t < 64; t++)
			for (i = 0; i < 20; i++) {
				snprintf(path, sizeof(path), "p;f%d;g%d", (int)((t + i) % 7), i % 3);
				if (t >= s && t < s + 5 + s % 4)
					add(fresh, f->names, t, path, (uint64_t)(t * 31 + i) % 11 + 1);
			}
		want = window_dump(fresh, s, s + 5 + s % 4);
		assert_string_equal(inc, want);
		free(inc);
		free(want);
		history__free(fresh);
	}
	history__free(h);
}

static void test_history_compaction_bounds_memory(void **state)
{
	struct fixture *f = *state;
	struct history *h = history__new(f->names, 10);
	uint64_t gen0 = history__generation(h);
	size_t peak = 0;
	char path[64];
	int64_t s;
	int i;

	assert_int_equal(history__set_window(h, 0, 1 << 30), 0);
	/* every second brings new unique stacks; old ones expire */
	for (s = 0; s < 200; s++) {
		for (i = 0; i < 2000; i++) {
			snprintf(path, sizeof(path), "p;s%lld;f%d", (long long)s, i);
			add(h, f->names, s, path, 1);
		}
		if (s >= 50 && history__bytes(h) > peak)
			peak = history__bytes(h);
	}
	assert_true(history__generation(h) > gen0);
	assert_true(calltree__nodes(history__tree(h)) < 2 * 10 * 2001 + 65536 + 2);
	assert_int_equal(calltree__samples(history__tree(h)), 10 * 2000);
	history__free(h);
}

/*
 * A tree whose live nodes nearly fill its node array is compacted rather
 * than doubled: 50 s of 2,000 new stacks a second (~100,000 live nodes)
 * stay within an array of 131,072.
 */
static void test_history_compacts_before_doubling(void **state)
{
	struct fixture *f = *state;
	struct history *h = history__new(f->names, 50);
	uint32_t most = 0;
	char path[64];

	assert_int_equal(history__set_window(h, 0, 1 << 30), 0);
	for (int64_t s = 0; s < 300; s++) {
		for (int i = 0; i < 2000; i++) {
			snprintf(path, sizeof(path), "p;s%lld;f%d", (long long)s, i);
			add(h, f->names, s, path, 1);
		}
		if (calltree__capacity(history__tree(h)) > most)
			most = calltree__capacity(history__tree(h));
	}
	assert_int_equal(calltree__samples(history__tree(h)), 50 * 2000);
	assert_true(most <= 131072);
	history__free(h);
}

static char *report_text(const struct calltree *t, const struct calltree *before,
			 enum report_sort sort, long limit)
{
	struct report_opts o = { .limit = limit, .sort = sort };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_int_equal(report__print(out, t, before, &o), 0);
	fclose(out);
	return buf;
}

static uint32_t id_of(struct strtab *st, const char *name)
{
	uint32_t id;

	assert_int_equal(strtab__intern(st, name, strlen(name), &id), 0);
	return id;
}

/* Names that arrive late (debuginfod): renamed frames merge, held paths follow. */
static void test_rename_late_names(void **state)
{
	struct fixture *f = *state;
	struct history *h = history__new(f->names, 10);
	uint32_t a = id_of(f->names, "[m+0x10]"), b = id_of(f->names, "[m+0x20]");
	uint32_t foo = id_of(f->names, "foo"), bar = id_of(f->names, "bar");
	struct name_path held = { 0 };
	struct calltree *t;
	uint64_t gen;
	bool whole;
	char *out;

	assert_int_equal(history__set_window(h, 100, 110), 0);
	add(h, f->names, 100, "p;[m+0x10];[m+0x20]", 3);
	add(h, f->names, 101, "p;foo;bar", 1);
	add(h, f->names, 101, "p;[m+0x10];x", 2);
	assert_int_equal(name_path__set(&held, history__tree(h),
					node_at(history__tree(h), "p;[m+0x10];[m+0x20]")), 0);
	/* no renames: nothing to do, nothing renumbered */
	gen = history__generation(h);
	assert_int_equal(history__rename(h), 0);
	assert_int_equal(history__generation(h), gen);
	assert_int_equal(strtab__rename(f->names, a, foo), 0);
	assert_int_equal(strtab__rename(f->names, b, bar), 0);
	assert_int_equal(strtab__rename(f->names, foo, a), -EINVAL);	/* a cycle */
	{
		/* a longer way round: every name still ends at one that is not renamed */
		uint32_t c = id_of(f->names, "[m+0x30]"), d = id_of(f->names, "[m+0x40]");

		assert_int_equal(strtab__rename(f->names, c, a), 0);	/* c -> foo */
		assert_int_equal(strtab__rename(f->names, d, c), 0);	/* d -> foo */
		/* "a -> d" is "a -> foo": no way back to a is ever made */
		assert_int_equal(strtab__rename(f->names, a, d), 0);
		assert_int_equal(strtab__canon(f->names, a), foo);
		assert_int_equal(strtab__canon(f->names, d), foo);
		assert_int_equal(strtab__canon(f->names, c), foo);
	}
	assert_int_equal(strtab__canon(f->names, a), foo);
	assert_int_equal(history__rename(h), 0);
	assert_true(history__generation(h) != gen);
	out = dump(history__tree(h), CT_ROOT);
	assert_string_equal(out, "p;foo;bar 4\np;foo;x 2\n");
	free(out);
	/* a path held by the old names finds the merged frame */
	assert_int_equal(name_path__find(&held, history__tree(h), &whole),
			 node_at(history__tree(h), "p;foo;bar"));
	assert_true(whole);
	/* later seconds, and a plain tree (record's), go by the new names too */
	add(h, f->names, 102, "p;[m+0x10]", 1);
	out = dump(history__tree(h), CT_ROOT);
	assert_string_equal(out, "p;foo 1\np;foo;bar 4\np;foo;x 2\n");
	free(out);
	load_folded(f->t, "p;[m+0x10];[m+0x20] 5\np;foo;bar 1\n");
	t = calltree__renamed(f->t);
	assert_non_null(t);
	out = dump(t, CT_ROOT);
	assert_string_equal(out, "p;foo;bar 6\n");
	free(out);
	calltree__free(t);
	name_path__free(&held);
	history__free(h);
}

static void test_report_format(void **state)
{
	struct fixture *f = *state;
	struct calltree *before = calltree__new(f->names);
	char *out;

	load_folded(f->t, "p;main;hot fn 6\np;main;cold 3\np;main 1\n");
	out = report_text(f->t, NULL, REPORT_SELF, 2);
	assert_string_equal(out,
			    "# self%  total%        self       total  name\n"
			    "  60.0    60.0           6           6  hot fn\n"
			    "  30.0    30.0           3           3  cold\n");
	free(out);
	load_folded(before, "p;main;hot fn 1\np;main;cold 3\n");
	out = report_text(f->t, before, REPORT_DELTA, 0);
	assert_string_equal(out,
			    "# self%  total%        self       total   change  name\n"
			    "  60.0    60.0           6           6    +35.0  hot fn\n"
			    "  10.0   100.0           1          10     +0.0  main\n"
			    "   0.0   100.0           0          10     +0.0  p\n"
			    "  30.0    30.0           3           3    -45.0  cold\n");
	free(out);
	calltree__free(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_topn_recursion_counts_once, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_topn_empty, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_diff_normalized, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_merge_and_copy, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_child_and_find, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_history_windows, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_history_incremental_equals_rebuild, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_history_compaction_bounds_memory, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_history_compacts_before_doubling, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_report_format, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_rename_late_names, fixture_setup, fixture_teardown),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
