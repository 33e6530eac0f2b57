// SPDX-License-Identifier: MIT
/*
 * .eh_frame -> unwind rows.  Each executable section is walked with
 * dwarf_cfi_addrframe(): a frame says for which [start, end) its rule
 * holds, so the walk jumps from rule to rule.  Code no FDE covers (a JIT's
 * builtins embedded in its binary, hand-written assembly) gets a "no table"
 * row, and the walk jumps to the next FDE's start, which .eh_frame_hdr's
 * sorted table gives (without one, it steps byte by byte, bounded).
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/search.h"
#include "../util/vec.h"
#include "procmaps.h"
#include "unwind_rows.h"

#define DWREG_RBP 6
#define DWREG_RSP 7
#define DWREG_RA 16
#define MAX_GAP_STEPS (1u << 22)	/* bytes stepped over without CFI, per file */

/* "saved at CFA + off": DW_OP_call_frame_cfa; DW_OP_plus_uconst off */
static bool cfa_offset_rule(const Dwarf_Op *ops, size_t n, int64_t *off)
{
	if (n != 2 || ops[0].atom != DW_OP_call_frame_cfa || ops[1].atom != DW_OP_plus_uconst)
		return false;
	*off = (int64_t)ops[1].number;
	return true;
}

/* The PLT's CFA: rsp + 8 + ((rip & 15) >= N ? 8 : 0), as GCC and binutils write it. */
static bool plt_rule(const Dwarf_Op *o, size_t n, int64_t *off, int *threshold)
{
	if (n != 9 || o[0].atom != DW_OP_breg7 || o[1].atom != DW_OP_breg16 ||
	    o[2].atom != DW_OP_lit15 || o[3].atom != DW_OP_and ||
	    o[4].atom < DW_OP_lit0 || o[4].atom > DW_OP_lit31 || o[5].atom != DW_OP_ge ||
	    o[6].atom != DW_OP_lit3 || o[7].atom != DW_OP_shl || o[8].atom != DW_OP_plus)
		return false;
	*off = (int64_t)o[0].number;
	*threshold = o[4].atom - DW_OP_lit0;
	return true;
}

static struct ft_unwind_row row_of(Dwarf_Frame *fr, bool signal, uint64_t pc)
{
	struct ft_unwind_row r = { .pc = (__u32)pc, .type = FT_CFA_UNKNOWN };
	const struct ft_unwind_row unknown = r;
	Dwarf_Op mem[3], *ops;
	size_t n;
	int64_t off, ra;
	int threshold;

	if (signal) {
		r.type = FT_CFA_SIGNAL;
		return r;
	}
	if (dwarf_frame_cfa(fr, &ops, &n) || !n)
		return r;
	if (n == 1 && ops[0].atom == DW_OP_bregx &&
	    (ops[0].number == DWREG_RSP || ops[0].number == DWREG_RBP)) {
		r.type = ops[0].number == DWREG_RSP ? FT_CFA_RSP : FT_CFA_RBP;
		off = (int64_t)ops[0].number2;
	} else if (plt_rule(ops, n, &off, &threshold)) {
		r.type = FT_CFA_PLT;
		r.rbp_off = (__s16)threshold;
	} else {
		return r;	/* an expression we do not evaluate */
	}
	if (off < INT32_MIN || off > INT32_MAX)
		return unknown;
	r.cfa_off = (__s32)off;
	/* x86-64: the return address is always just below the CFA */
	ops = NULL;
	if (dwarf_frame_register(fr, DWREG_RA, mem, &ops, &n))
		return unknown;
	/* "undefined": the outermost frame (_start, a thread's start) */
	if (n == 0 && ops == mem)
		return (struct ft_unwind_row){ .pc = (__u32)pc, .type = FT_CFA_UNDEF };
	if (!cfa_offset_rule(ops, n, &ra) || ra != -8)
		return unknown;
	if (r.type == FT_CFA_PLT)
		return r;
	ops = NULL;
	if (dwarf_frame_register(fr, DWREG_RBP, mem, &ops, &n) == 0 &&
	    cfa_offset_rule(ops, n, &off) && off >= INT16_MIN && off < 0)
		r.rbp_off = (__s16)off;
	return r;
}

struct rows {
	struct ft_unwind_row *v;
	size_t n, cap;
};

static int push(struct rows *rs, struct ft_unwind_row r)
{
	if (rs->n) {
		struct ft_unwind_row *last = &rs->v[rs->n - 1];

		/* the same rule again: nothing to add */
		if (last->type == r.type && last->cfa_off == r.cfa_off &&
		    last->rbp_off == r.rbp_off)
			return 0;
		if (last->pc == r.pc) {
			*last = r;
			return 0;
		}
	}
	if (vec_reserve(rs->v, rs->cap, rs->n + 1, 1024))
		return -ENOMEM;
	rs->v[rs->n++] = r;
	return 0;
}

/* The frame at a from .eh_frame, else from .debug_frame; 0 or -1. */
static int frame_at(Dwarf_CFI *eh, Dwarf_CFI *debug, uint64_t a, Dwarf_Frame **fr)
{
	if (eh && dwarf_cfi_addrframe(eh, a, fr) == 0)
		return 0;
	return debug ? dwarf_cfi_addrframe(debug, a, fr) : -1;
}

struct gaps {
	const uint64_t *starts;	/* FDE starts, sorted */
	size_t n;
	size_t steps;		/* bytes stepped over without an index */
};

/* Where the walk goes on from a, which no FDE covers: the next FDE's start, or a + 1. */
static int skip_gap(struct gaps *g, uint64_t a, uint64_t hi, uint64_t *next)
{
	size_t lo = u64_upper_bound(g->starts, g->n, a);

	if (g->n) {
		*next = lo < g->n && g->starts[lo] < hi ? g->starts[lo] : hi;
		return 0;
	}
	if (++g->steps > MAX_GAP_STEPS)
		return -E2BIG;
	*next = a + 1;
	return 0;
}

/* Rows for [lo, hi). */
static int walk(Dwarf_CFI *eh, Dwarf_CFI *debug, uint64_t lo, uint64_t hi, struct rows *rs,
		struct gaps *g)
{
	uint64_t a = lo;

	while (a < hi) {
		Dwarf_Frame *fr;
		Dwarf_Addr start, end;
		bool signal = false;
		int err;

		if (frame_at(eh, debug, a, &fr)) {
			err = push(rs, (struct ft_unwind_row){ .pc = (__u32)a, .type = FT_CFA_NOFDE });
			if (!err)
				err = skip_gap(g, a, hi, &a);
			if (err)
				return err;
			continue;
		}
		if (dwarf_frame_info(fr, &start, &end, &signal) < 0 || end <= a)
			end = a + 1;
		err = push(rs, row_of(fr, signal, a));
		free(fr);
		if (err)
			return err;
		a = end;
	}
	return 0;
}

/*
 * The entry point (_start) is the root of the main thread's stack: where no
 * FDE covers it (crt1.o's .eh_frame gone, .debug_frame without it), its
 * code up to the next FDE ends a walk there as its own CFI would.
 */
static int mark_entry(Elf *elf, struct rows *rs)
{
	const struct ft_unwind_row *at;
	GElf_Ehdr eh;
	size_t lo;

	if (!gelf_getehdr(elf, &eh) || !eh.e_entry || eh.e_entry > UINT32_MAX)
		return 0;
	at = unwind__find(rs->v, rs->n, eh.e_entry);	/* the row in effect at the entry */
	lo = at ? (size_t)(at - rs->v) + 1 : 0;
	if (!lo || rs->v[lo - 1].type != FT_CFA_NOFDE)
		return 0;
	if (rs->v[lo - 1].pc == eh.e_entry) {
		rs->v[lo - 1].type = FT_CFA_UNDEF;
		return 0;
	}
	if (vec_reserve(rs->v, rs->cap, rs->n + 1, 1024))
		return -ENOMEM;
	memmove(&rs->v[lo + 1], &rs->v[lo], (rs->n - lo) * sizeof(*rs->v));
	rs->v[lo] = (struct ft_unwind_row){ .pc = (__u32)eh.e_entry, .type = FT_CFA_UNDEF };
	rs->n++;
	return 0;
}

/*
 * libdw reads every debug section at dwarf_begin_elf (into memory: files are
 * read, not mapped), so it is asked only when there is a .debug_frame.
 */
long unwind__build_rows(Elf *elf, struct ft_unwind_row **out)
{
	/* .eh_frame first; .debug_frame (when built without unwind tables) where it has none */
	Dwarf_CFI *cfi = dwarf_getcfi_elf(elf), *debug_cfi = NULL;
	struct elf_sizes sz;
	Dwarf *dw;

	procmaps__measure(elf, -1, &sz);
	dw = sz.debug_frame ? dwarf_begin_elf(elf, DWARF_C_READ, NULL) : NULL;
	struct rows rs = { 0 };
	struct gaps g = { 0 };
	uint64_t *starts = NULL;
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	uint64_t last_end = 0;
	int err = 0;

	*out = NULL;
	if (dw)
		debug_cfi = dwarf_getcfi(dw);
	if (!cfi && !debug_cfi) {
		if (dw)
			dwarf_end(dw);
		return 0;
	}
	if (elf_getshdrstrndx(elf, &shstrndx)) {
		err = -EINVAL;
		goto cleanup;
	}
	/* .debug_frame has no index: its gaps are stepped over */
	if (cfi && !debug_cfi) {
		g.n = procmaps__fde_starts(elf, &starts);
		g.starts = starts;
	}
	/* sections come in address order in every linker's output; checked below */
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR) || !sh.sh_size)
			continue;
		if (sh.sh_addr + sh.sh_size > UINT32_MAX) {
			err = -ERANGE;
			goto cleanup;
		}
		if (sh.sh_addr < last_end) {
			err = -EINVAL;
			goto cleanup;
		}
		err = walk(cfi, debug_cfi, sh.sh_addr, sh.sh_addr + sh.sh_size, &rs, &g);
		if (err)
			goto cleanup;
		/* past the section's end: no table */
		err = push(&rs, (struct ft_unwind_row){ .pc = (__u32)(sh.sh_addr + sh.sh_size),
							.type = FT_CFA_NOFDE });
		if (err)
			goto cleanup;
		last_end = sh.sh_addr + sh.sh_size;
	}
	err = mark_entry(elf, &rs);
cleanup:
	free(starts);
	if (cfi)
		dwarf_cfi_end(cfi);
	if (dw)
		dwarf_end(dw);	/* and with it debug_cfi */
	if (err) {
		free(rs.v);
		return err;
	}
	*out = rs.v;
	return (long)rs.n;
}

const struct ft_unwind_row *unwind__find(const struct ft_unwind_row *rows, size_t n,
					 __u64 vaddr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rows[mid].pc <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &rows[lo - 1] : NULL;
}

/*
 * The page index of a table: for each 4 KiB page from the first row's to the
 * last's, the row in effect where the page starts (and one more entry), so
 * that a lookup searches only the rows of one page.
 */
__u32 *unwind__page_index(const struct ft_unwind_row *rows, __u32 n, __u32 *npages)
{
	__u32 first = rows[0].pc >> 12, last = rows[n - 1].pc >> 12, r = 0, *idx;

	*npages = last - first + 1;
	idx = malloc(((size_t)*npages + 1) * sizeof(*idx));
	if (!idx)
		return NULL;
	for (__u32 k = 0; k <= *npages; k++) {
		__u64 start = (__u64)(first + k) << 12;

		while (r + 1 < n && rows[r + 1].pc <= start)
			r++;
		idx[k] = r;
	}
	return idx;
}
