// SPDX-License-Identifier: MIT
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

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

struct func_at {
	Dwarf_Addr pc;
	struct dwarf_frame *fr;
};

static int func_holds(Dwarf_Die *func, void *arg)
{
	struct func_at *f = arg;

	if (dwarf_haspc(func, f->pc) <= 0)
		return DWARF_CB_OK;
	decl_of(func, f->fr);
	return DWARF_CB_ABORT;
}

/*
 * The CU holding addr when there is no .debug_aranges to say (clang does
 * not write it by default): each CU's ranges, in turn.
 */
static Dwarf_Die *cu_by_ranges(Dwfl_Module *mod, GElf_Addr addr, Dwarf_Die *die,
			       Dwarf_Addr *bias)
{
	Dwarf *dw = dwfl_module_getdwarf(mod, bias);
	Dwarf_Off off = 0, next;
	size_t hsize;

	for (int i = 0; dw && i < CU_SCAN_MAX &&
			dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0; i++) {
		if (dwarf_offdie(dw, off + hsize, die) && dwarf_haspc(die, addr - *bias) > 0)
			return die;
		off = next;
	}
	return NULL;
}

size_t dwarfinfo__frames(Dwfl_Module *mod, GElf_Addr addr, bool inlined, bool lines,
			 struct dwarf_frame *out, size_t max)
{
	Dwarf_Addr bias;
	Dwarf_Die cu_mem, *cu = dwfl_module_addrdie(mod, addr, &bias), *scopes = NULL;
	size_t n = 0;
	int ns;

	if (!cu)
		cu = cu_by_ranges(mod, addr, &cu_mem, &bias);
	if (!cu || !max)
		return 0;
	memset(out, 0, max * sizeof(*out));
	n = 1;
	/* the function: dwarf_getscopes goes from an inlined function to its
	 * abstract definition's scopes, past the function it is inlined into */
	dwarf_getfuncs(cu, func_holds, &(struct func_at){ addr - bias, &out[0] }, 0);
	ns = dwarf_getscopes(cu, addr - bias, &scopes);
	/* scopes come innermost first: the function, then what it inlines */
	for (int i = ns - 1; i >= 0; i--) {
		int tag = dwarf_tag(&scopes[i]);
		Dwarf_Attribute attr;

		if (tag == DW_TAG_inlined_subroutine && inlined && n < max) {
			out[n].name = dwarf_formstring(dwarf_attr_integrate(&scopes[i], DW_AT_name,
									   &attr));
			if (!out[n].name || !*out[n].name)
				continue;
			decl_of(&scopes[i], &out[n]);
			if (lines)
				call_site(cu, &scopes[i], &out[n - 1]);
			n++;
		}
	}
	free(scopes);
	if (lines) {
		Dwarf_Line *l = dwarf_getsrc_die(cu, addr - bias);

		if (l && dwarf_lineno(l, &out[n - 1].line) == 0)
			out[n - 1].file = dwarf_linesrc(l, NULL, NULL);
	}
	return n;
}
