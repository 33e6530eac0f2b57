/* SPDX-License-Identifier: MIT */
/*
 * symbolizer: addresses to frame names.
 *
 * Kernel addresses resolve through /proc/kallsyms ("name_[k]").  User
 * addresses resolve through a snapshot of the process's executable mappings,
 * taken when the process is first noticed (so it still resolves after the
 * process exits), and one libdw module per ELF file, shared by every process
 * that maps it (elffile.h: how files are opened, read and shared safely),
 * so binaries inside containers resolve; symbols come from .symtab, else
 * .dynsym, else separate debug info found by build-id or debuglink; C++
 * names are demangled.  A frame with no symbol is "[module-basename]".
 *
 * Processes are known by (pid, ptag), ptag being a tag of the process image
 * (start time and exec count) that the BPF program computes, so a reused pid
 * or an exec is a different process.  Both caches are bounded.
 *
 * Names are interned in the strtab given at creation (borrowed).
 */
#ifndef FLAMETOP_SYMBOLIZE_H
#define FLAMETOP_SYMBOLIZE_H

#include <stdint.h>
#include <sys/types.h>

#include "../profile/strtab.h"
#include "fetcher.h"
#include "ksyms.h"
#include "procmaps.h"

struct symbolizer_opts {
	/*
	 * libdw's debuginfo path (as in Dwfl_Callbacks); NULL = libdw's default,
	 * ":.debug:/usr/lib/debug".  The tests point it at their own debug tree.
	 */
	const char *debuginfo_path;
	/* no frames for inlined functions (they cost loading each module's DWARF) */
	bool no_inline;
	/*
	 * Whether pid runs the image ptag still: asked after the symbolizer
	 * reads a process's maps itself, which it drops when not (an exec
	 * since: they are another image's).  NULL: never asked.
	 */
	bool (*current)(void *ctx, pid_t pid, uint64_t ptag);
	void *current_ctx;
	/*
	 * Ask debuginfod (DEBUGINFOD_URLS; fetcher.h) for the debug info of
	 * binaries without symbols; names that arrive rename the frames
	 * named "[module+0xSTART]" so far (strtab__rename).
	 */
	bool debuginfod;
	/* frames as "name:file.c:42": the source line of each (DWARF line info) */
	bool lines;
};

struct symbolizer;

struct symbolizer *symbolizer__new(struct strtab *names, const struct symbolizer_opts *o);
void symbolizer__free(struct symbolizer *s);

/*
 * Makes len bytes of str fit to be a folded frame: ';' becomes ':', control
 * characters '?', and for a process name (comm) spaces '_' as
 * stackcollapse-perf.pl has them, and a leading '#' '_' (a folded line
 * starting with '#' is a comment).  Returns how many bytes it changed.
 */
size_t symbolizer__clean_frame(char *str, size_t len, bool comm);

/*
 * Takes k as the kernel's symbols (the symbolizer owns it from now on, and
 * k is emptied).  reload, if not NULL, fills a fresh table when an address
 * lies outside the text k covers.  0 or -ENOMEM (k is freed).
 */
int symbolizer__set_kernel(struct symbolizer *s, struct ksyms *k,
			   int (*reload)(void *ctx, struct ksyms *out), void *ctx);
uint32_t symbolizer__kernel(struct symbolizer *s, uint64_t addr);

/*
 * Takes the snapshot of a process's mappings if it has none yet: from maps
 * (procmaps__read's, borrowed for the call), or read now when maps is NULL.
 */
void symbolizer__add_process(struct symbolizer *s, pid_t pid, uint64_t ptag,
			     const struct procmaps *maps);
/*
 * The frames at addr: the function, then the functions inlined there
 * ("name_[i]", from DWARF debug info when present), outermost first.
 * Returns how many were written to out (at least 1 when max > 0).
 */
size_t symbolizer__user_frames(struct symbolizer *s, pid_t pid, uint64_t ptag, uint64_t addr,
			       uint32_t *out, size_t max);
/* Takes the mappings of pid's image ptag again (a library was loaded since); maps as above. */
void symbolizer__reread(struct symbolizer *s, pid_t pid, uint64_t ptag,
			const struct procmaps *maps);

/*
 * Where the function named name is declared (DWARF's decl_file and
 * decl_line), once a frame of it was resolved with debug info; false if
 * unknown.  *file is valid as long as the strtab.
 */
bool symbolizer__where(const struct symbolizer *s, uint32_t name, const char **file,
		       uint32_t *line);

/* The file the function named name was found in: its path and build-id (hex, or NULL). */
bool symbolizer__module(const struct symbolizer *s, uint32_t name, const char **path,
			const char **build_id);

/*
 * Once per drain: forgets processes and files unused for a while, and
 * takes the debug info debuginfod gave since (renaming frames).
 */
void symbolizer__tick(struct symbolizer *s);
/* Waits for debuginfod's answers still pending, for at most ms, and takes them. */
void symbolizer__wait_names(struct symbolizer *s, int ms);

struct symbolizer_stats {
	unsigned long processes, files;
	unsigned long files_changed;	/* changed while read: their frames are "[module]" */
	unsigned long files_refused;	/* symbols over the bounds: "[module]" too */
	unsigned long renamed;		/* frames renamed by names that came late */
	size_t syms_bytes, debug_bytes;	/* symbols read and debug info readable, of the files held */
	/* DWARF indexes (inlined frames): read from the cache, refused there, read from DWARF */
	unsigned long dwarf_cached, dwarf_refused, dwarf_opened;
	struct fetcher_stats fetch;	/* debuginfod's; all zero when it is off */
};
void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *st);

#endif
