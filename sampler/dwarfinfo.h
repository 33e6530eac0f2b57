/* SPDX-License-Identifier: MIT */
/*
 * dwarfinfo: what DWARF debug info says of an address, for the symbolizer:
 * the functions inlined there (outermost first), where each is declared,
 * and each frame's source line — the line of the address for the
 * innermost, the line of the call for the others (as addr2line -i and
 * perf's srcline give them).  Strings of the index (dwindex.h), valid
 * while it lives, and (lines) libdw's, valid while its DWARF is open.
 */
#ifndef FLAMETOP_DWARFINFO_H
#define FLAMETOP_DWARFINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "dwindex.h"

struct dwarf_frame {
	const char *name;	/* the inlined function's name; NULL for [0], the function */
	const char *decl_file;	/* where it is declared, or NULL */
	int decl_line;
	const char *file;	/* the frame's line (lines only), or NULL */
	int line;
};

/* How a module's DWARF is opened when its index needs it. */
struct dwarf_opener {
	/* sets x->dw (and x->elf, x->fd, which dwindex__close_dwarf lets go): 0 or -errno */
	int (*open)(void *ctx, struct dwarf_index *x);
	void *ctx;
};

/*
 * The frames at ELF address pc into out[0..max): [0] the function itself,
 * then the functions inlined there, outermost first (none when inlined is
 * false).  lines: fill file and line (these need the DWARF's line tables:
 * it is opened).  Returns how many (0: no debug info for pc).  x: the
 * module's index, read and grown here; the DWARF is opened (by o, once)
 * only for what x does not hold yet, and stays open (x->dw) until let go.
 */
size_t dwarfinfo__frames(struct dwarf_index *x, const struct dwarf_opener *o, uint64_t pc,
			 bool inlined, bool lines, struct dwarf_frame *out, size_t max);

/* The last component of a source path. */
const char *dwarfinfo__base(const char *path);

#endif
