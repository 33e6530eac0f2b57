// SPDX-License-Identifier: MIT
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

#include "../util/search.h"
#include "../util/vec.h"
#include "dwarfinfo.h"

#define CU_SCAN_MAX 100000	/* CUs looked through for an address, without aranges */

const char *dwarfinfo__base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

static void decl_of(Dwarf_Die *die, struct dwarf_frame *fr)
{
	fr->decl_file = dwarf_decl_file(die);
	if (!fr->decl_file || dwarf_decl_line(die, &fr->decl_line))
		fr->decl_line = 0;
}

/* The call site of an inlined subroutine: its DW_AT_call_file (an index into the CU's files). */
static void call_site(Dwarf_Die *cu, Dwarf_Die *inl, struct dwarf_frame *caller)
{
	Dwarf_Attribute attr;
	Dwarf_Word idx, line;
	Dwarf_Files *files;
	size_t nfiles;

	if (dwarf_formudata(dwarf_attr(inl, DW_AT_call_file, &attr), &idx) ||
	    dwarf_formudata(dwarf_attr(inl, DW_AT_call_line, &attr), &line) ||
	    dwarf_getsrcfiles(cu, &files, &nfiles) || idx >= nfiles)
		return;
	caller->file = dwarf_filesrc(files, idx, NULL, NULL);
	caller->line = (int)line;
}

/*
 * A CU's code scopes, gathered in one walk of its DIEs: each function's and
 * each inlined instance's address ranges, with the depth of inlining (0:
 * the function).  An address then costs a scan of these, not a walk of
 * the CU's tree (dwarf_getfuncs and dwarf_getscopes walk it per address,
 * which in a large CU cost most of a capture's symbolization).
 */
struct scope_range {
	Dwarf_Addr lo, hi;
	Dwarf_Off die;
	unsigned depth;
};

struct cu_scopes {
	Dwarf_Off cu;
	struct scope_range *v;
	size_t n, cap;
};

struct cu_span {
	Dwarf_Addr lo, hi;
	Dwarf_Off cu;
};

struct dwarf_index {
	Dwarf *dw;		/* what the offsets are in: another Dwarf (debug info arrived) resets it */
	struct cu_scopes *cus;
	size_t n, cap;
	size_t ranges;		/* kept in all its CUs */
	struct cu_span *spans;	/* without .debug_aranges: the CUs by address */
	size_t nspans;
	bool spans_built;
};

#define SCOPES_MAX (1u << 18)	/* ranges kept per CU */
#define INDEX_RANGES_MAX (1u << 20)	/* and per module (32 MiB): debug info is anybody's */
#define SCOPE_NESTING_MAX 64

void dwarfinfo__index_free(struct dwarf_index *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n; i++)
		free(x->cus[i].v);
	free(x->cus);
	free(x->spans);
	free(x);
}

static void add_ranges(struct cu_scopes *c, Dwarf_Die *die, unsigned depth)
{
	Dwarf_Addr base, lo, hi;
	ptrdiff_t off = 0;

	while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
		if (hi <= lo || c->n >= SCOPES_MAX || vec_reserve(c->v, c->cap, c->n + 1, 64))
			continue;
		c->v[c->n++] = (struct scope_range){ lo, hi, dwarf_dieoffset(die), depth };
	}
}

/* DIEs that hold code, or scopes that may: where a walk goes down. */
static bool holds_code(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
	       tag == DW_TAG_lexical_block || tag == DW_TAG_namespace || tag == DW_TAG_module ||
	       tag == DW_TAG_try_block || tag == DW_TAG_catch_block;
}

static void walk_scopes(struct cu_scopes *c, Dwarf_Die *parent, unsigned depth, int level)
{
	Dwarf_Die child;

	if (level > SCOPE_NESTING_MAX || dwarf_child(parent, &child) != 0)
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
		if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine)
			add_ranges(c, &child, d);
		walk_scopes(c, &child, d, level + 1);
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* The scopes of cu, walked on first use; NULL without memory. */
static struct cu_scopes *scopes_of(struct dwarf_index *x, Dwarf_Die *cu)
{
	Dwarf_Off off = dwarf_dieoffset(cu);
	struct cu_scopes *c;

	for (size_t i = 0; i < x->n; i++)
		if (x->cus[i].cu == off)
			return &x->cus[i];
	if (vec_reserve(x->cus, x->cap, x->n + 1, 16))
		return NULL;
	c = &x->cus[x->n++];
	*c = (struct cu_scopes){ .cu = off };
	walk_scopes(c, cu, 0, 0);
	if (c->n > INDEX_RANGES_MAX - x->ranges) {
		/* past the module's bound: this CU's addresses get no inlined frames */
		free(c->v);
		c->v = NULL;
		c->n = c->cap = 0;
	}
	x->ranges += c->n;
	return c;
}

/*
 * The function holding pc (the narrowest, for a nested one) and the
 * inlined instances there, by depth: inl[d - 1] for depth d.  How deep.
 */
static unsigned scopes_at(const struct cu_scopes *c, Dwarf_Addr pc, Dwarf_Off *func,
			  Dwarf_Off *inl, unsigned max)
{
	Dwarf_Addr span = 0;
	unsigned deepest = 0;

	*func = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct scope_range *r = &c->v[i];

		if (pc < r->lo || pc >= r->hi)
			continue;
		if (!r->depth && (!*func || r->hi - r->lo < span)) {
			*func = r->die;
			span = r->hi - r->lo;
		} else if (r->depth && r->depth <= max) {
			inl[r->depth - 1] = r->die;
			deepest = r->depth > deepest ? r->depth : deepest;
		}
	}
	return deepest;
}

static int by_lo(const void *a, const void *b)
{
	const struct cu_span *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Every CU's address ranges, sorted: read once (bounded), as the first address needs them. */
static void build_spans(struct dwarf_index *x)
{
	Dwarf_Off off = 0, next;
	size_t hsize, cap = 0;

	x->spans_built = true;
	for (int i = 0; i < CU_SCAN_MAX &&
			dwarf_nextcu(x->dw, off, &next, &hsize, NULL, NULL, NULL) == 0; i++) {
		Dwarf_Addr base, lo, hi;
		ptrdiff_t r = 0;
		Dwarf_Die die;

		if (dwarf_offdie(x->dw, off + hsize, &die)) {
			while ((r = dwarf_ranges(&die, r, &base, &lo, &hi)) > 0 && x->nspans < SCOPES_MAX)
				if (hi > lo && !vec_reserve(x->spans, cap, x->nspans + 1, 256))
					x->spans[x->nspans++] = (struct cu_span){ lo, hi, off + hsize };
		}
		off = next;
	}
	qsort(x->spans, x->nspans, sizeof(*x->spans), by_lo);
}

/*
 * The CU holding pc when there is no .debug_aranges to say (clang does not
 * write it by default, and a debug file may lack it): by the CUs' ranges.
 */
static Dwarf_Die *cu_by_spans(struct dwarf_index *x, Dwarf_Addr pc, Dwarf_Die *die)
{
	size_t lo;

	if (!x->spans_built)
		build_spans(x);
	lo = upper_bound_by(x->spans, x->nspans, lo, pc);
	/* spans starting at or before pc, nearest first; CUs rarely overlap */
	for (size_t i = lo, seen = 0; i-- > 0 && seen < 64; seen++)
		if (pc < x->spans[i].hi)
			return dwarf_offdie(x->dw, x->spans[i].cu, die);
	return NULL;
}

/* The inlined frames out[1..] at pc: each instance's name, declaration and (lines) its call site. */
static size_t inlined_frames(Dwarf *dw, Dwarf_Die *cu, const Dwarf_Off *inl, unsigned depth,
			     bool lines, struct dwarf_frame *out, size_t max)
{
	size_t n = 1;

	for (unsigned d = 0; d < depth && n < max; d++) {
		Dwarf_Attribute attr;
		Dwarf_Die die;

		/* a depth the ranges skipped (bad DWARF) ends the chain */
		if (!inl[d] || !dwarf_offdie(dw, inl[d], &die))
			break;
		out[n].name = dwarf_formstring(dwarf_attr_integrate(&die, DW_AT_name, &attr));
		if (!out[n].name || !*out[n].name)
			continue;
		decl_of(&die, &out[n]);
		if (lines)
			call_site(cu, &die, &out[n - 1]);
		n++;
	}
	return n;
}

size_t dwarfinfo__frames(struct dwarf_index **index, Dwfl_Module *mod, GElf_Addr addr,
			 bool inlined, bool lines, struct dwarf_frame *out, size_t max)
{
	Dwarf_Addr bias;
	Dwarf *dw = dwfl_module_getdwarf(mod, &bias);
	Dwarf_Off func, inl[SCOPE_NESTING_MAX] = { 0 };
	Dwarf_Die cu_mem, *cu, fdie;
	struct cu_scopes *c;
	unsigned depth;
	size_t n;

	if (!dw || !max)
		return 0;
	if (*index && (*index)->dw != dw) {
		dwarfinfo__index_free(*index);
		*index = NULL;
	}
	if (!*index && (*index = calloc(1, sizeof(**index))))
		(*index)->dw = dw;
	if (!*index)
		return 0;
	cu = dwfl_module_addrdie(mod, addr, &bias);
	if (!cu)
		cu = cu_by_spans(*index, addr - bias, &cu_mem);
	if (!cu || !(c = scopes_of(*index, cu)))
		return 0;
	memset(out, 0, max * sizeof(*out));
	depth = scopes_at(c, addr - bias, &func, inl, SCOPE_NESTING_MAX);
	if (func && dwarf_offdie(dw, func, &fdie))
		decl_of(&fdie, &out[0]);
	n = inlined ? inlined_frames(dw, cu, inl, depth, lines, out, max) : 1;
	if (lines) {
		Dwarf_Line *l = dwarf_getsrc_die(cu, addr - bias);

		if (l && dwarf_lineno(l, &out[n - 1].line) == 0)
			out[n - 1].file = dwarf_linesrc(l, NULL, NULL);
	}
	return n;
}
