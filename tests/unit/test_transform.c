// SPDX-License-Identifier: MIT
/*
 * Transforms (focus, hide, drop, recursion, kernel, merge) and the
 * sandwich, each against a hand-made answer.
 */
#include <errno.h>
#include <time.h>

#include "helpers.h"
#include "../../profile/sandwich.h"
#include "../../profile/topn.h"
#include "../../profile/transform.h"

static const char profile[] =
	"p;main;a;fib;fib;fib;leaf 30\n"
	"p;main;b;fib;fib;leaf 20\n"
	"p;main;c;fib;other 10\n"
	"p;main;a;memcmp 15\n"
	"p;main;b;memcmp 10\n"
	"p;main;c;memcmp 5\n"
	"p;main;sys_read_[k];memcmp 6\n"
	"p;main;a;b;a;x 4\n";

/* The fixture's profile through the transforms given as (kind, regex) pairs, as folded. */
static char *shaped(struct fixture *f, const struct xforms *in)
{
	struct xforms xs = { 0 };
	struct calltree *t;
	char why[160], *text;

	for (unsigned i = 0; i < in->n; i++)
		assert_int_equal(xforms__push(&xs, in->x[i].kind, in->x[i].re[0] ? in->x[i].re : NULL,
					      in->x[i].levels, why, sizeof(why)), 0);
	t = xforms__apply(&xs, f->t);
	assert_non_null(t);
	text = dump(t, CT_ROOT);
	calltree__free(t);
	xforms__clear(&xs);
	return text;
}

#define ONE(k, r) (&(struct xforms){ .x = { { .kind = (k), .re = r } }, .n = 1 })

static void check(struct fixture *f, const struct xforms *xs, const char *want)
{
	char *got = shaped(f, xs);

	assert_string_equal(got, want);
	free(got);
}

static void test_focus_keeps_whole_stacks_through_a_match(void **state)
{
	struct fixture *f = *state;

	load_folded(f->t, profile);
	check(f, ONE(XF_FOCUS, "^fib$"),
	      "p;main;a;fib;fib;fib;leaf 30\np;main;b;fib;fib;leaf 20\np;main;c;fib;other 10\n");
	/* unanchored, as pprof's: "mem" is in memcmp */
	check(f, ONE(XF_FOCUS, "mem"),
	      "p;main;a;memcmp 15\np;main;b;memcmp 10\np;main;c;memcmp 5\n"
	      "p;main;sys_read_[k];memcmp 6\n");
}

static void test_hide_moves_callees_and_self_up(void **state)
{
	struct fixture *f = *state;

	load_folded(f->t, profile);
	check(f, ONE(XF_HIDE, "^fib$"),
	      "p;main;a;b;a;x 4\np;main;a;leaf 30\np;main;a;memcmp 15\np;main;b;leaf 20\n"
	      "p;main;b;memcmp 10\np;main;c;memcmp 5\np;main;c;other 10\n"
	      "p;main;sys_read_[k];memcmp 6\n");
	/* a hidden leaf: its self is its caller's */
	check(f, ONE(XF_HIDE, "^(leaf|other|memcmp|x)$"),
	      "p;main;a 15\np;main;a;b;a 4\np;main;a;fib;fib;fib 30\np;main;b 10\n"
	      "p;main;b;fib;fib 20\np;main;c 5\np;main;c;fib 10\np;main;sys_read_[k] 6\n");
}

/* What a hidden frame merges merges all the way down, whatever the order nodes came in. */
static void test_hide_merges_deep(void **state)
{
	struct fixture *f = *state;

	load_folded(f->t, "x;a;b;c;d 1\nx;a;c;d 2\nx;a;b;c;e 4\nx;a;c;e 8\nx;a;b;c;d;g 16\n");
	check(f, ONE(XF_HIDE, "^b$"), "x;a;c;d 3\nx;a;c;d;g 16\nx;a;c;e 12\n");
	load_folded(f->t, "x;a;c;e;h 32\n");
	check(f, ONE(XF_HIDE, "^b$"), "x;a;c;d 3\nx;a;c;d;g 16\nx;a;c;e 12\nx;a;c;e;h 32\n");
}

static void test_drop_leaves_out_stacks_through_a_match(void **state)
{
	struct fixture *f = *state;

	load_folded(f->t, profile);
	check(f, ONE(XF_DROP, "memcmp|^x$"),
	      "p;main;a;fib;fib;fib;leaf 30\np;main;b;fib;fib;leaf 20\np;main;c;fib;other 10\n");
}

static void test_recursion_direct_and_indirect(void **state)
{
	struct fixture *f = *state;
	char *got;

	load_folded(f->t, profile);
	got = shaped(f, ONE(XF_RECURSION, ""));
	assert_non_null(strstr(got, "p;main;a;fib;leaf 30\n"));
	assert_non_null(strstr(got, "p;main;b;fib;leaf 20\n"));
	/* a;b;a is not direct recursion */
	assert_non_null(strstr(got, "p;main;a;b;a;x 4\n"));
	free(got);
	got = shaped(f, ONE(XF_RECURSION_ALL, ""));
	assert_non_null(strstr(got, "p;main;a;fib;leaf 30\n"));
	/* the call back into a folds onto the a already on the stack */
	assert_non_null(strstr(got, "p;main;a;x 4\n"));
	assert_null(strstr(got, "a;b;a"));
	free(got);
}

/* One stack through hide (names starting with hide[0]) or recursion-all, in order. */
static size_t by_hand(const char *stages, char hide, char *path, size_t n)
{
	for (const char *k = stages; *k; k++) {
		size_t m = 0;

		for (size_t i = 0; i < n; i++) {
			char *seen = *k == 'R' ? memchr(path, path[i], m) : NULL;

			if (*k == 'H' && path[i] == hide)
				continue;
			if (seen)
				m = (size_t)(seen - path) + 1;	/* back to the frame on the stack */
			else
				path[m++] = path[i];
		}
		n = m;
	}
	return n;
}

/*
 * recursion-all, alone and among hides, on random stacks of few names (so
 * that frames come back often): what a stack-by-stack answer gives.  And a
 * stack of 50,000 names, each once: linear, not a walk up per frame.
 */
static void test_recursion_all_against_stacks(void **state)
{
	static const char *const orders[] = { "R", "HR", "RH", "RR", "HRH" };
	struct fixture *f = *state;
	uint64_t r = 7;

	for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
		struct xforms xs = { 0 };
		struct calltree *want = calltree__new(f->names), *got;
		char why[160], *a, *b;

		calltree__clear(f->t);
		for (const char *k = orders[o]; *k; k++)
			assert_int_equal(xforms__push(&xs, *k == 'R' ? XF_RECURSION_ALL : XF_HIDE,
						      *k == 'R' ? NULL : "^c$", 0, why, sizeof(why)), 0);
		for (int i = 0; i < 400; i++) {
			char path[16];
			uint32_t ids[16], leaf;
			size_t n = 1 + i % 14;

			for (size_t d = 0; d < n; d++) {
				r = r * 6364136223846793005ull + 1442695040888963407ull;
				path[d] = (char)('a' + (r >> 33) % 5);
			}
			for (size_t d = 0; d < n; d++)
				assert_int_equal(strtab__intern(f->names, &path[d], 1, &ids[d]), 0);
			assert_int_equal(calltree__path(f->t, ids, n, &leaf), 0);
			assert_int_equal(calltree__add(f->t, leaf, 1 + i % 3), 0);
			n = by_hand(orders[o], 'c', path, n);
			for (size_t d = 0; d < n; d++)
				assert_int_equal(strtab__intern(f->names, &path[d], 1, &ids[d]), 0);
			assert_int_equal(calltree__path(want, ids, n, &leaf), 0);
			assert_int_equal(calltree__add(want, leaf, 1 + i % 3), 0);
		}
		/* twice: what the first walk kept of the path is gone for the second */
		for (int again = 0; again < 2; again++) {
			got = xforms__apply(&xs, f->t);
			assert_non_null(got);
			a = dump(got, CT_ROOT);
			b = dump(want, CT_ROOT);
			assert_string_equal(a, b);
			free(a);
			free(b);
			calltree__free(got);
		}
		calltree__free(want);
		xforms__clear(&xs);
	}
}

static void test_recursion_all_deep_stack(void **state)
{
	struct fixture *f = *state;
	struct xforms xs = { 0 };
	uint32_t *ids = malloc(50000 * sizeof(*ids)), leaf;
	struct calltree *got;
	struct timespec t0, t1;
	char why[160], name[16];

	for (int i = 0; i < 50000; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(strtab__intern(f->names, name, strlen(name), &ids[i]), 0);
	}
	assert_int_equal(calltree__path(f->t, ids, 50000, &leaf), 0);
	assert_int_equal(calltree__add(f->t, leaf, 1), 0);
	assert_int_equal(xforms__push(&xs, XF_RECURSION_ALL, NULL, 0, why, sizeof(why)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	got = xforms__apply(&xs, f->t);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_non_null(got);
	assert_int_equal(calltree__nodes(got), 50001);
	/* a walk up per frame took 3.7 s here; linear, some milliseconds (ASan included) */
	assert_true((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9 < 1.5);
	calltree__free(got);
	xforms__clear(&xs);
	free(ids);
	(void)state;
}

static void test_kernel_and_merge(void **state)
{
	struct fixture *f = *state;
	char *got;

	load_folded(f->t, profile);
	got = shaped(f, ONE(XF_NO_KERNEL, ""));
	assert_non_null(strstr(got, "p;main;memcmp 6\n"));
	assert_null(strstr(got, "_[k]"));
	free(got);
	got = shaped(f, &(struct xforms){ .x = { { .kind = XF_MERGE, .levels = 1 } }, .n = 1 });
	assert_non_null(strstr(got, "\nmain;a;memcmp 15\n"));
	assert_null(strstr(got, "p;"));
	free(got);
}

/* In order: hiding main first, then a focus on memcmp; top-N's figures of the result. */
static void test_stacked_in_order(void **state)
{
	struct fixture *f = *state;
	struct xforms xs = { 0 };
	struct fn_stat *fns;
	struct calltree *t;
	char why[160];
	long n;

	load_folded(f->t, profile);
	assert_int_equal(xforms__push(&xs, XF_HIDE, "^main$", 0, why, sizeof(why)), 0);
	assert_int_equal(xforms__push(&xs, XF_FOCUS, "memcmp", 0, why, sizeof(why)), 0);
	t = xforms__apply(&xs, f->t);
	assert_non_null(t);
	assert_int_equal(calltree__samples(t), 36);
	n = topn__compute(t, CT_ROOT, TOPN_TOTAL, &fns);
	assert_int_equal(n, 6);		/* p, memcmp, a, b, sys_read_[k], c */
	assert_int_equal(fns[0].total, 36);
	assert_int_equal(fns[2].total, 15);
	assert_string_equal(strtab__str(f->names, fns[2].name), "a");
	free(fns);
	calltree__free(t);
	/* removing the hide: main is back */
	xforms__remove(&xs, 0);
	t = xforms__apply(&xs, f->t);
	assert_int_not_equal(node_at(t, "p;main;a;memcmp"), CT_NONE);
	calltree__free(t);
	xforms__clear(&xs);
}

/*
 * A transformed tree is made of pushed nodes: adding to it or finding in it
 * later indexes them all, however many (it once grew its table only once).
 */
static void test_transformed_tree_grows(void **state)
{
	struct fixture *f = *state;
	struct xforms xs = { 0 };
	struct calltree *t;
	uint32_t main_, leaf, node, again;
	char why[160], name[32];

	for (int i = 0; i < 6000; i++) {
		snprintf(name, sizeof(name), "p;main;leaf%d 1\n", i);
		load_folded(f->t, name);
	}
	assert_int_equal(xforms__push(&xs, XF_RECURSION, NULL, 0, why, sizeof(why)), 0);
	t = xforms__apply(&xs, f->t);
	assert_non_null(t);
	assert_int_equal(calltree__nodes(t), 6003);
	main_ = node_at(t, "p;main");
	assert_int_not_equal(main_, CT_NONE);
	assert_true(strtab__lookup(f->names, "leaf5999", 8, &leaf));
	/* found by walking the children, then by the table once something is added */
	assert_int_not_equal(calltree__find(t, main_, leaf), CT_NONE);
	assert_int_equal(calltree__child(t, main_, leaf, &node), 0);
	assert_int_equal(calltree__nodes(t), 6003);
	assert_true(strtab__lookup(f->names, "leaf17", 6, &leaf));
	assert_int_equal(calltree__child(t, main_, leaf, &again), 0);
	assert_int_equal(calltree__find(t, main_, leaf), again);
	assert_int_equal(calltree__nodes(t), 6003);
	calltree__free(t);
	xforms__clear(&xs);
}

/* A bad regex is refused with why; the list holds at most XFORMS_MAX. */
static void test_refusals(void **state)
{
	struct xforms xs = { 0 };
	char why[160];

	(void)state;
	assert_int_equal(xforms__push(&xs, XF_FOCUS, "(", 0, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "bad regex"));
	assert_int_equal(xforms__push(&xs, XF_HIDE, NULL, 0, why, sizeof(why)), -EINVAL);
	for (int i = 0; i < XFORMS_MAX; i++)
		assert_int_equal(xforms__push(&xs, XF_RECURSION, NULL, 0, why, sizeof(why)), 0);
	assert_int_equal(xforms__push(&xs, XF_DROP, "x", 0, why, sizeof(why)), -ENOSPC);
	xforms__clear(&xs);
	assert_int_equal(xs.n, 0);
}

/* The memo of names matched stays right as new names come (a live tree grows). */
static void test_new_names_are_matched(void **state)
{
	struct fixture *f = *state;
	struct xforms xs = { 0 };
	struct calltree *t;
	char why[160];

	load_folded(f->t, "p;main;a 1\n");
	assert_int_equal(xforms__push(&xs, XF_DROP, "^zz", 0, why, sizeof(why)), 0);
	t = xforms__apply(&xs, f->t);
	assert_int_equal(calltree__samples(t), 1);
	calltree__free(t);
	load_folded(f->t, "p;main;zzz 5\np;main;b 2\n");
	t = xforms__apply(&xs, f->t);
	assert_int_equal(calltree__samples(t), 3);
	calltree__free(t);
	xforms__clear(&xs);
}

/* fib, recursive, called from a, b and c: three callers, recursion counted once. */
static void test_sandwich(void **state)
{
	struct fixture *f = *state;
	struct sandwich s;
	uint32_t fib, memcmp_;
	char *text;

	load_folded(f->t, profile);
	load_folded(f->t, "p;main;c;fib;fib;memcmp 4\n");
	assert_true(strtab__lookup(f->names, "fib", 3, &fib));
	assert_true(strtab__lookup(f->names, "memcmp", 6, &memcmp_));
	assert_int_equal(sandwich__build(f->t, fib, &s), 0);
	assert_int_equal(s.total, 64);
	assert_int_equal(s.self, 0);
	assert_int_equal(calltree__samples(s.callers), 64);
	assert_int_equal(calltree__samples(s.callees), 64);
	/* callers, nearest first, up to the root */
	assert_int_equal(calltree__node(s.callers, node_at(s.callers, "a"))->total, 30);
	assert_int_equal(calltree__node(s.callers, node_at(s.callers, "b"))->total, 20);
	assert_int_equal(calltree__node(s.callers, node_at(s.callers, "c"))->total, 14);
	assert_int_equal(calltree__node(s.callers, node_at(s.callers, "a;main;p"))->total, 30);
	assert_int_equal(node_at(s.callers, "fib"), CT_NONE);
	/* callees merged; the inner fib stays a frame */
	text = dump(s.callees, CT_ROOT);
	assert_string_equal(text, "fib;fib;leaf 30\nfib;leaf 20\nfib;memcmp 4\nother 10\n");
	free(text);
	sandwich__release(&s);
	/* memcmp: four callers, its self is its total */
	assert_int_equal(sandwich__build(f->t, memcmp_, &s), 0);
	assert_int_equal(s.total, 40);
	assert_int_equal(s.self, 40);
	assert_int_equal(calltree__node(s.callers, node_at(s.callers, "sys_read_[k]"))->total, 6);
	assert_int_equal(calltree__node(s.callers, node_at(s.callers, "fib;fib;c"))->total, 4);
	sandwich__release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_focus_keeps_whole_stacks_through_a_match,
						fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_hide_moves_callees_and_self_up,
						fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_hide_merges_deep, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_drop_leaves_out_stacks_through_a_match,
						fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_recursion_all_against_stacks, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_recursion_all_deep_stack, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_recursion_direct_and_indirect, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_kernel_and_merge, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stacked_in_order, fixture_setup,
						fixture_teardown),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test_setup_teardown(test_transformed_tree_grows, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_sandwich, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_new_names_are_matched, fixture_setup,
						fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
