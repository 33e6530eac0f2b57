/* SPDX-License-Identifier: MIT */
/*
 * elffile: the ELF files processes map, opened for the symbolizer.
 *
 * A root tool reads files that anybody may have written, and that their
 * owner may change while we read them (SPEC.md).  So:
 *  - a file is opened as its process maps it, strictly inside that
 *    process's root (procmaps__open_mapped), never by its path on the host;
 *  - libelf reads it with pread (ELF_C_READ) into memory of its own, never
 *    through a mapping: a file truncated meanwhile gives short reads, not
 *    SIGBUS.  A file whose size or times changed while its symbols were read
 *    is counted and its frames stay "[module]";
 *  - a separate debug file, which libdw maps, is found by our own search
 *    (debugfile.h): only files root alone may write, never a path a binary
 *    names, never the network;
 *  - files are shared by (device, inode), and across containers by build-id
 *    only when their bytes are the same: a process can only ever change the
 *    names of its own frames, and a later file never replaces an earlier one;
 *  - what is read into memory is bounded (a file's symbols, all files'
 *    symbols, a file's debug info): a file whose headers claim more keeps
 *    [module] frames (or loses its inlined frames).
 */
#ifndef FLAMETOP_ELFFILE_H
#define FLAMETOP_ELFFILE_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "ehframe.h"
#include "procmaps.h"

/* A symbol of a file, in the sorted index the symbolizer searches. */
/* One file's debug info read into memory, at most (for inlined frames); all files' at once. */
#define ELFFILE_DEBUG_MAX (512ul << 20)
#define ELFFILE_DEBUG_BUDGET (1ul << 30)

struct fsym {
	GElf_Addr start, end;	/* end == start: size unknown */
	const char *name;	/* libelf's, valid while the file's Dwfl lives */
	int rank;		/* global before weak before local */
};

struct elf_file {
	dev_t dev;
	ino_t ino;
	bool shared;		/* dev and ino are those the maps named: others may use it */
	int fd;			/* ours: to compare contents and notice changes */
	off_t size;
	struct timespec mtime, ctime;
	bool changed;		/* changed while read: no names from it */
	size_t syms_bytes, debug_bytes;	/* what its symbols and debug info take to read */
	size_t weight;		/* what it may hold in memory: symbols, debug info, .eh_frame */
	bool no_syms, no_dwarf;	/* over the bounds (elffile.c): [module] frames, no inlined ones */
	bool no_cfi;		/* .eh_frame over its bound: no function starts from it */
	GElf_Addr row_lo, row_hi;	/* the last function found by its FDE */
	struct ehframe eh;	/* its FDEs, read on first use */
	bool eh_read, eh_ok;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	GElf_Addr bias;
	struct load_seg *segs;
	size_t nsegs;
	unsigned char build_id[64];
	size_t build_id_len;
	struct fsym *syms;	/* built on first lookup; dwfl_module_addrinfo scans linearly */
	size_t nsyms;
	bool syms_built;
	unsigned refs;
	unsigned long last_used;
	struct elf_file *next;
	struct elf_files *owner;
	Elf *handoff;		/* the Elf find_elf gives libdwfl, once */
	char *path;		/* for libdw's debuglink search; NULL inside a container */
	char *modname;		/* its base name, for libdwfl */
	GElf_Addr lo, hi;	/* the span of its loaded segments */
	bool symtab;		/* has a .symtab of its own */
	bool debug_found;	/* a separate debug file was found here */
	int fetched_fd;		/* its debug file from debuginfod (ours), or -1 */
	bool fetch_asked;	/* debuginfod was asked for it */
	uint32_t module;	/* the symbolizer's record of it (index + 1; 0: none yet) */
	struct dwarf_index *dwidx;	/* its DWARF's scopes, per CU as used (dwindex.h) */
	struct anon_name *anon;	/* the "[module+0xSTART]" names given its functions */
	size_t nanon, anon_cap;
};

/* A name given a function without a symbol: renamed if one arrives. */
struct anon_name {
	uint64_t start;		/* ELF address */
	uint32_t id;
};

/* Another (device, inode) whose bytes were found to be a known file's. */
struct elf_alias {
	dev_t dev;
	ino_t ino;
	struct elf_file *f;
};

struct elf_files {
	struct elf_file *list;
	size_t n;
	struct elf_alias *alias;
	size_t nalias, alias_cap;
	Dwfl_Callbacks cb;
	char *debuginfo_path;
	struct elf_file *vdso;	/* also on list, pinned */
	bool vdso_tried;
	unsigned long changed;	/* files that changed while read */
	unsigned long refused;	/* files whose symbols were over the bounds */
	size_t syms_bytes;	/* symbols read, of the files held */
	size_t debug_bytes;	/* debug info that may be read, of the files held */
	struct filecache *dwcache;	/* where DWARF indexes are kept (NULL: nowhere) */
	size_t dwarf_open_bytes;	/* debug info the DWARF open now may hold (elfdwarf.c) */
	uint32_t *retired_anon;	/* the "[module+0xSTART]" names of files trimmed */
	size_t nretired, retired_cap;
};

/* 0 or -ENOMEM; debuginfo_path as in Dwfl_Callbacks (NULL: libdw's default). */
int elffiles__init(struct elf_files *fs, const char *debuginfo_path);
void elffiles__fini(struct elf_files *fs);
/* The file of a maps line of pid (e->name a path), opened or shared; NULL if none. */
struct elf_file *elffiles__open(struct elf_files *fs, pid_t pid, const struct map_entry *e);
/* Our own vDSO image, which every process of this kernel maps; pinned. */
struct elf_file *elffiles__vdso(struct elf_files *fs);
/*
 * Frees the files no process uses beyond the keep most recent, and beyond
 * keep_bytes of their weight; true if any went.
 */
bool elffiles__trim(struct elf_files *fs, size_t keep, size_t keep_bytes);

/*
 * Whether f has no symbols beyond its exports and no debug file here, and
 * a build-id to ask debuginfod for one by (once its symbols were read).
 */
bool elffile__wants_debuginfo(const struct elf_file *f);
/*
 * Gives f the debug file open at fd (which f takes, on success only), and
 * reads its symbols again from it on the next lookup.  -EINVAL when the
 * file is over the bounds or cannot be read (f keeps what it had).
 */
int elffile__add_debuginfo(struct elf_files *fs, struct elf_file *f, int fd);

/*
 * The symbol at addr (a module address: ELF vaddr + bias), or NULL: one
 * whose range holds addr, or the nearest below it when its size is unknown.
 */
const struct fsym *elffile__symbol(struct elf_files *fs, struct elf_file *f, GElf_Addr addr);
/*
 * The start (an ELF address) of the function holding ELF address vaddr, as
 * its .eh_frame FDE gives it (one per function; the start from
 * .eh_frame_hdr's index): how a function without a symbol is still told
 * apart.  false when no FDE covers vaddr, or the file has no index.
 */
bool elffile__function_start(struct elf_file *f, GElf_Addr vaddr, GElf_Addr *start);

/*
 * f's DWARF index (made on first use, from the cache when it holds it):
 * kept under the identity of the file f's DWARF is in when root alone may
 * write that file (elfdwarf.c).  NULL without memory.
 */
struct dwarf_index *elffile__dwarf_index(struct elf_files *fs, struct elf_file *f);
/*
 * f's separate debug file, as libdwfl is given it (debugfile.h's search,
 * else what debuginfod fetched): a descriptor of the caller's, or -1.
 */
int elffile__debug_fd(struct elf_file *f, const char *debuglink, uint32_t crc);
/* Opens the DWARF of f (ctx) for its index x: a struct dwarf_opener's open (dwarfinfo.h). */
int elffile__open_dwarf(void *ctx, struct dwarf_index *x);

#endif
