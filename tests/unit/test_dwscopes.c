// SPDX-License-Identifier: MIT
/* Which function and inlined instances hold an address: the ordered search of a CU's ranges. */
#include "helpers.h"
#include "ownelf.h"
#include "../../sampler/dwarfinfo.h"

/* A range of the hand-made CU, listed as a walk of its DIEs would (parents first). */
struct r {
	uint64_t lo, hi;
	unsigned depth;
	const char *name;
	uint32_t line;
};

/* One CU of these ranges, walked, as dwarfinfo.c leaves it: in order. */
static struct dwarf_index *index_of(const struct r *rs, size_t n)
{
	struct dwarf_index *x = dwindex__new(NULL, NULL);
	static struct dw_span span;
	static struct dw_cu cu;

	assert_non_null(x);
	x->spans = malloc(sizeof(span));
	x->cus = malloc(sizeof(cu));
	x->ranges = calloc(n, sizeof(*x->ranges));
	assert_true(x->spans && x->cus && x->ranges);
	for (size_t i = 0; i < n; i++)
		x->ranges[i] = (struct dw_range){ .lo = rs[i].lo, .hi = rs[i].hi,
						  .depth = rs[i].depth,
						  .name = dwindex__str(x, rs[i].name),
						  .decl_file = dwindex__str(x, "a.c"),
						  .decl_line = rs[i].line };
	x->spans[0] = (struct dw_span){ .lo = 0x1000, .hi = 0x9000, .cu = 0 };
	x->cus[0] = (struct dw_cu){ .first = 0, .n = (uint32_t)n, .walked = 1 };
	x->nspans = x->spans_cap = x->ncus = x->cus_cap = 1;
	x->nranges = x->ranges_cap = n;
	x->spans_built = true;
	dwindex__order_cu(x, &x->cus[0]);
	return x;
}

/* The frames at pc, innermost last, as "name:line" joined by ';' (the function's own: "fn"). */
static void frames_at(struct dwarf_index *x, uint64_t pc, char *buf, size_t len)
{
	struct dwarf_frame fr[8];
	size_t n = dwarfinfo__frames(x, NULL, pc, true, false, fr, 8), o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s:%d", i ? ";" : "",
				      i ? fr[i].name : "fn", fr[i].decl_line);
}

/*
 * Nested functions, an instance inlined at its function's very start and
 * end, two levels of inlining, a function in two parts (hot and cold),
 * and a gap: listed parents first, found by the ordered search.
 */
static void test_hand_made_cu(void **state)
{
	static const struct r rs[] = {
		{ 0x1000, 0x1800, 0, "outer", 10 },
		{ 0x1000, 0x1800, 1, "whole", 11 },	/* inlined over all of outer */
		{ 0x1400, 0x1600, 2, "deep", 12 },
		{ 0x1200, 0x1300, 0, "nested", 20 },	/* a GNU C nested function */
		{ 0x1200, 0x1280, 1, "in_nested", 21 },
		{ 0x2000, 0x2100, 0, "hot", 30 },
		{ 0x2080, 0x2100, 1, "tail", 31 },
		{ 0x5000, 0x5040, 0, "hot", 30 },	/* hot.cold */
		{ 0x5010, 0x5020, 1, "cold_inl", 32 },
	};
	static const struct {
		uint64_t pc;
		const char *want;
	} at[] = {
		{ 0x1000, "fn:10;whole:11" },
		{ 0x1450, "fn:10;whole:11;deep:12" },
		{ 0x1250, "fn:20;in_nested:21" },
		{ 0x12a0, "fn:20" },
		{ 0x1300, "fn:10;whole:11" },
		{ 0x20ff, "fn:30;tail:31" },
		{ 0x2100, "fn:0" },	/* between the parts: in the span, no function */
		{ 0x5018, "fn:30;cold_inl:32" },
	};
	struct dwarf_index *x = index_of(rs, sizeof(rs) / sizeof(rs[0]));
	char got[256];

	(void)state;
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		frames_at(x, at[i].pc, got, sizeof(got));
		assert_string_equal(got, at[i].want);
	}
	dwindex__free(x);
}

static int open_own_dwarf(void *ctx, struct dwarf_index *x)
{
	(void)ctx;
	return own_dwarf(x);
}

/* What a scan of every range of pc's CU finds: the narrowest function, the last instance per depth. */
static size_t scan_all(const struct dwarf_index *x, uint64_t pc, long *func, long *inl)
{
	long ci = dwindex__cu_at(x, pc);
	size_t deepest = 0;
	uint64_t span = 0;

	*func = -1;
	for (size_t d = 0; d < DWINDEX_DEPTH_MAX; d++)
		inl[d] = -1;
	if (ci < 0 || !x->cus[ci].walked)
		return 0;
	for (size_t i = x->cus[ci].first; i < x->cus[ci].first + x->cus[ci].n; i++) {
		const struct dw_range *r = &x->ranges[i];

		if (pc < r->lo || pc >= r->hi)
			continue;
		if (!r->depth && (*func < 0 || r->hi - r->lo <= span)) {
			*func = (long)i;
			span = r->hi - r->lo;
		} else if (r->depth) {
			inl[r->depth - 1] = (long)i;
			deepest = r->depth > deepest ? r->depth : deepest;
		}
	}
	return deepest;
}

/* This test's own code (gcc -O2 -g): at every 3rd byte, the search finds what a scan of the CU does. */
static void test_same_as_a_scan(void **state)
{
	struct dwarf_opener o = { open_own_dwarf, NULL };
	struct dwarf_index *x = dwindex__new(NULL, NULL);
	uint64_t lo, hi, inlined = 0;

	(void)state;
	assert_non_null(x);
	own_text(&lo, &hi);
	for (uint64_t pc = lo; pc < hi; pc += 3) {
		struct dwarf_frame fr[DWINDEX_DEPTH_MAX + 1];
		long func, inl[DWINDEX_DEPTH_MAX];
		size_t n = dwarfinfo__frames(x, &o, pc, true, false, fr, DWINDEX_DEPTH_MAX + 1);
		size_t depth = scan_all(x, pc, &func, inl), k = 1;

		if (!n)
			continue;
		assert_int_equal(fr[0].decl_line, func >= 0 ? (int)x->ranges[func].decl_line : 0);
		for (size_t d = 0; d < depth && inl[d] >= 0; d++) {
			if (!x->ranges[inl[d]].name)
				continue;
			assert_true(k < n);
			assert_string_equal(fr[k].name, dwindex__at(x, x->ranges[inl[d]].name));
			k++;
		}
		assert_int_equal(k, n);
		inlined += n > 1;
	}
	assert_true(inlined > 1000);	/* the comparison saw inlined code */
	dwindex__free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_made_cu),
		cmocka_unit_test(test_same_as_a_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
