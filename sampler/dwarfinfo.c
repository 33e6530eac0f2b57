// SPDX-License-Identifier: MIT
/*
 * The frames DWARF gives an address (dwarfinfo.h), from a module's index
 * (dwindex.h): built here with libdw as addresses need it, CU by CU, or
 * read from the cache, when libdw is not opened at all.
 */
#include <dwarf.h>
#include <errno.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

#include "../util/search.h"
#include "../util/vec.h"
#include "dwarfinfo.h"

const char *dwarfinfo__base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static int by_lo(const void *a, const void *b)
{
	const struct dw_span *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Every CU and its address ranges, sorted: read once (bounded), as the first address needs them. */
static void build_spans(struct dwarf_index *x, Dwarf *dw)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	x->spans_built = x->complete = true;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Addr base, lo, hi;
		ptrdiff_t r = 0;
		Dwarf_Die die;

		if (x->ncus >= DWINDEX_CUS_MAX || vec_reserve(x->cus, x->cus_cap, x->ncus + 1, 256)) {
			x->complete = false;
			break;
		}
		x->cus[x->ncus] = (struct dw_cu){ .off = off + hsize };
		if (dwarf_offdie(dw, off + hsize, &die)) {
			while ((r = dwarf_ranges(&die, r, &base, &lo, &hi)) > 0) {
				if (hi <= lo)
					continue;
				if (x->nspans >= DWINDEX_SPANS_MAX ||
				    vec_reserve(x->spans, x->spans_cap, x->nspans + 1, 256)) {
					x->complete = false;
					break;
				}
				x->spans[x->nspans++] = (struct dw_span){ lo, hi, (uint32_t)x->ncus, 0 };
			}
		}
		x->ncus++;
		off = next;
	}
	if (x->nspans)
		qsort(x->spans, x->nspans, sizeof(*x->spans), by_lo);
	x->dirty = true;
}

/* What a CU walk needs at hand: the index, the CU's files, where its ranges go. */
struct walk {
	struct dwarf_index *x;
	Dwarf_Files *files;
	size_t nfiles;
	uint32_t n;		/* the CU's ranges so far */
	bool over;		/* past a bound */
};

/* A file of the CU's line table by its index (DW_AT_call_file): interned, or 0. */
static uint32_t file_of(struct walk *w, Dwarf_Die *die, unsigned attr_name)
{
	Dwarf_Attribute attr;
	Dwarf_Word idx;

	if (!w->files || dwarf_formudata(dwarf_attr(die, attr_name, &attr), &idx) ||
	    idx >= w->nfiles)
		return 0;
	return dwindex__str(w->x, dwarf_filesrc(w->files, idx, NULL, NULL));
}

/* Names and places of the instance die into r (interned once it has code: a range). */
static void describe(struct walk *w, Dwarf_Die *die, unsigned depth, struct dw_range *r)
{
	struct dwarf_index *x = w->x;
	Dwarf_Attribute attr;
	Dwarf_Word line;
	int decl_line;

	if (depth)
		r->name = dwindex__str(x, dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name,
									       &attr)));
	r->decl_file = dwindex__str(x, dwarf_decl_file(die));
	if (r->decl_file && !dwarf_decl_line(die, &decl_line) && decl_line > 0)
		r->decl_line = (uint32_t)decl_line;
	if (depth && (r->call_file = file_of(w, die, DW_AT_call_file)) &&
	    !dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &line) && line <= INT32_MAX)
		r->call_line = (uint32_t)line;
	/* strings past their bound, or no memory: the CU is not kept half named */
	if (x->str_failed)
		w->over = true;
}

static void add_ranges(struct walk *w, Dwarf_Die *die, unsigned depth)
{
	struct dwarf_index *x = w->x;
	size_t first = x->nranges;
	struct dw_range r = { .depth = depth };
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		if (hi <= lo)
			continue;
		if (w->n >= DWINDEX_CU_RANGES_MAX || x->nranges >= DWINDEX_RANGES_MAX ||
		    vec_reserve(x->ranges, x->ranges_cap, x->nranges + 1, 256)) {
			w->over = true;
			return;
		}
		x->ranges[x->nranges++] = (struct dw_range){ .lo = lo, .hi = hi };
		w->n++;
	}
	if (x->nranges == first)
		return;	/* no code: nothing of it interned */
	describe(w, die, depth, &r);
	for (size_t i = first; i < x->nranges; i++) {
		r.lo = x->ranges[i].lo;
		r.hi = x->ranges[i].hi;
		x->ranges[i] = r;
	}
}

/* DIEs that hold code, or scopes that may: where a walk goes down. */
static bool holds_code(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
	       tag == DW_TAG_lexical_block || tag == DW_TAG_namespace || tag == DW_TAG_module ||
	       tag == DW_TAG_try_block || tag == DW_TAG_catch_block;
}

static void walk_scopes(struct walk *w, Dwarf_Die *parent, unsigned depth, int level)
{
	Dwarf_Die child;

	if (level > DWINDEX_DEPTH_MAX || w->over || dwarf_child(parent, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);
		unsigned d = depth;

		if (!holds_code(tag))
			continue;
		if (tag == DW_TAG_subprogram)
			d = 0;
		else if (tag == DW_TAG_inlined_subroutine)
			d = depth + 1;
		if ((tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) &&
		    d <= DWINDEX_DEPTH_MAX)
			add_ranges(w, &child, d);
		walk_scopes(w, &child, d, level + 1);
	} while (!w->over && dwarf_siblingof(&child, &child) == 0);
}

/*
 * CU ci's code scopes, gathered in one walk of its DIEs: each function's
 * and each inlined instance's ranges, names and places.  An address then
 * costs a scan of these, not a walk of the CU's tree (dwarf_getscopes walks
 * it per address, which in a large CU cost most of a capture's
 * symbolization).  Past a bound, the CU keeps none (no inlined frames).
 */
static void walk_cu(struct dwarf_index *x, Dwarf *dw, size_t ci)
{
	struct walk w = { .x = x };
	struct dw_cu *c = &x->cus[ci];
	Dwarf_Die cu;

	c->first = (uint32_t)x->nranges;
	c->walked = 1;
	x->dirty = true;
	if (!dwarf_offdie(dw, c->off, &cu)) {
		x->complete = false;	/* not kept: another run may read it */
		return;
	}
	if (dwarf_getsrcfiles(&cu, &w.files, &w.nfiles))
		w.files = NULL;
	walk_scopes(&w, &cu, 0, 0);
	if (w.over) {
		x->nranges = c->first;
		x->complete = false;
		return;
	}
	c->n = w.n;
	dwindex__order_cu(x, c);
}

/*
 * Every CU not walked yet.  A first run walks the CUs its addresses need;
 * a later one that still needs the DWARF (its index, kept, lacked a CU; or
 * the DWARF was let go and is needed again) walks them all, so that the
 * runs after it need not open the DWARF at all — when the DWARF is small
 * enough for that not to stall a run (DWINDEX_WHOLE_MAX); else CU by CU.
 */
static void walk_all(struct dwarf_index *x, Dwarf *dw)
{
	for (size_t i = 0; i < x->ncus; i++)
		if (!x->cus[i].walked)
			walk_cu(x, dw, i);
}

/*
 * The function holding pc (the innermost, for a nested one) and the
 * inlined instances there, by depth: inl[d - 1] for depth d (left -1:
 * none).  How deep.  The CU's ranges are in order (dwindex__order_cu): a
 * binary search finds those starting at or before pc, and the search goes
 * back from the last of them until the function holding pc, after which
 * everything inlined in it comes — the ranges of one function, not of the
 * CU (one of C++ can have a quarter of a million).
 */
static unsigned scopes_at(const struct dwarf_index *x, const struct dw_cu *c, uint64_t pc,
			  long *func, long *inl)
{
	const struct dw_range *r = x->ranges + c->first;
	size_t i = upper_bound_by(r, c->n, lo, pc);
	unsigned deepest = 0;

	*func = -1;
	while (i-- > 0 && *func < 0) {
		if (pc >= r[i].hi)
			continue;
		if (!r[i].depth) {
			*func = (long)(c->first + i);
		} else if (inl[r[i].depth - 1] < 0) {
			inl[r[i].depth - 1] = (long)(c->first + i);
			deepest = r[i].depth > deepest ? r[i].depth : deepest;
		}
	}
	return deepest;
}

static void decl_of(const struct dwarf_index *x, const struct dw_range *r,
		    struct dwarf_frame *fr)
{
	fr->decl_file = dwindex__at(x, r->decl_file);
	fr->decl_line = fr->decl_file ? (int)r->decl_line : 0;
}

/* The inlined frames out[1..] at pc: each instance's name, declaration and (lines) its call site. */
static size_t inlined_frames(const struct dwarf_index *x, const long *inl, unsigned depth,
			     bool lines, struct dwarf_frame *out, size_t max)
{
	size_t n = 1;

	for (unsigned d = 0; d < depth && n < max; d++) {
		const struct dw_range *r;

		/* a depth the ranges skipped (bad DWARF) ends the chain */
		if (inl[d] < 0)
			break;
		r = &x->ranges[inl[d]];
		if (!r->name)
			continue;
		out[n].name = dwindex__at(x, r->name);
		decl_of(x, r, &out[n]);
		if (lines && r->call_file) {
			out[n - 1].file = dwindex__at(x, r->call_file);
			out[n - 1].line = (int)r->call_line;
		}
		n++;
	}
	return n;
}

/* x's DWARF, opened by o when it is not open: NULL when there is none. */
static Dwarf *dwarf_of(struct dwarf_index *x, const struct dwarf_opener *o)
{
	int err;

	if (x->dw || x->open_failed || x->open_deferred)
		return x->dw;
	err = o ? o->open(o->ctx, x) : -ENOENT;
	if (err || !x->dw) {
		dwindex__close_dwarf(x);
		/* the budget of all open DWARF is spent: others are let go when idle, ask
		 * again then (dwindex__retry); any other failure (a bound, no DWARF) is for good */
		if (err == -ENOSPC)
			x->open_deferred = true;
		else
			x->open_failed = true;
		return NULL;
	}
	x->opened++;
	return x->dw;
}

size_t dwarfinfo__frames(struct dwarf_index *x, const struct dwarf_opener *o, uint64_t pc,
			 bool inlined, bool lines, struct dwarf_frame *out, size_t max)
{
	long func, inl[DWINDEX_DEPTH_MAX], ci = x->spans_built ? dwindex__cu_at(x, pc) : -1;
	Dwarf *dw = NULL;
	unsigned depth;
	size_t n;

	if (!max || (x->spans_built && ci < 0))
		return 0;
	if (!x->spans_built || !x->cus[ci].walked || lines) {
		/* no DWARF now: what the index holds, without lines */
		if (!(dw = dwarf_of(x, o)) && (!x->spans_built || !x->cus[ci].walked))
			return 0;
	}
	if (dw) {
		if (!x->spans_built)
			build_spans(x, dw);
		if ((ci = dwindex__cu_at(x, pc)) < 0)
			return 0;
		if (!x->cus[ci].walked && x->small && (x->loaded || x->opened > 1))
			walk_all(x, dw);
		else if (!x->cus[ci].walked)
			walk_cu(x, dw, (size_t)ci);
	}
	memset(out, 0, max * sizeof(*out));
	for (size_t d = 0; d < DWINDEX_DEPTH_MAX; d++)
		inl[d] = -1;
	depth = scopes_at(x, &x->cus[ci], pc, &func, inl);
	if (func >= 0)
		decl_of(x, &x->ranges[func], &out[0]);
	n = inlined ? inlined_frames(x, inl, depth, lines, out, max) : 1;
	if (lines && dw) {
		Dwarf_Die cu;
		Dwarf_Line *l = dwarf_offdie(dw, x->cus[ci].off, &cu) ? dwarf_getsrc_die(&cu, pc) : NULL;

		if (l && dwarf_lineno(l, &out[n - 1].line) == 0)
			out[n - 1].file = dwarf_linesrc(l, NULL, NULL);
	}
	return n;
}
