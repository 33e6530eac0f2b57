/* SPDX-License-Identifier: MIT */
/*
 * dwarfinfo: what DWARF debug info says of an address, for the symbolizer:
 * the functions inlined there (outermost first), where each is declared,
 * and each frame's source line — the line of the address for the
 * innermost, the line of the call for the others (as addr2line -i and
 * perf's srcline give them).  Plain strings from libdw, valid while the
 * module's Dwfl lives; nothing interned here.
 */
#ifndef FLAMETOP_DWARFINFO_H
#define FLAMETOP_DWARFINFO_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>

struct dwarf_frame {
	const char *name;	/* the inlined function's name; NULL for [0], the function */
	const char *decl_file;	/* where it is declared, or NULL */
	int decl_line;
	const char *file;	/* the frame's line (lines only), or NULL */
	int line;
};

/* What a module's DWARF holds, gathered per CU as addresses need it. */
struct dwarf_index;
void dwarfinfo__index_free(struct dwarf_index *x);

/*
 * The frames at module address addr into out[0..max): [0] the function
 * itself, then the functions inlined there, outermost first (none when
 * inlined is false).  lines: fill file and line.  Returns how many (0:
 * no debug info for addr).  *index: the module's (NULL at first; made,
 * grown and kept there; reset when the module's DWARF is another).
 */
size_t dwarfinfo__frames(struct dwarf_index **index, Dwfl_Module *mod, GElf_Addr addr,
			 bool inlined, bool lines, struct dwarf_frame *out, size_t max);

/* The last component of a source path. */
const char *dwarfinfo__base(const char *path);

#endif
