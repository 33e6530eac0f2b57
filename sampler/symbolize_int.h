/* SPDX-License-Identifier: MIT */
/*
 * The symbolizer's insides, shared by its files: symbolize.c (processes,
 * user frames, the cache), symfuncs.c (a file's functions: names, inlined
 * frames, lines, where they are declared, names that arrive late) and
 * symkernel.c (kernel addresses).
 */
#ifndef FLAMETOP_SYMBOLIZE_INT_H
#define FLAMETOP_SYMBOLIZE_INT_H

#include <time.h>

#include "elffile.h"
#include "symbolize.h"

#define CACHE_BITS	16
#define PROC_BUCKETS	1024	/* processes hashed by (pid, ptag) */
#define KRELOAD_MIN_NS	10000000000ull		/* 10 s */
#define KRELOAD_MAX_NS	640000000000ull		/* 10 min 40 s: 10 s doubled six times */

struct proc;

#define MAX_INLINED 6	/* inlined frames kept per address, the innermost first dropped */

struct cache_slot {
	const struct elf_file *file;
	uint64_t vaddr;
	uint32_t id;
	uint32_t ninlined;
	uint32_t inlined[MAX_INLINED];	/* "name_[i]", outermost first */
};

struct where;
struct fetcher;

/* A file functions were named from: strtab ids of its path and build-id (hex; UINT32_MAX: none). */
struct sym_module {
	uint32_t path, build_id;
};

struct symbolizer {
	struct strtab *names;
	bool no_inline, lines;
	struct where *where;	/* function name id -> where it is declared (open addressing) */
	uint32_t nwhere, where_mask;	/* slots - 1 (a power of two less one) */
	struct sym_module *modules;
	size_t nmodules, modules_cap;
	uint32_t *name_module;	/* name id -> module index + 1 (0: unknown) */
	uint32_t name_module_cap;
	bool (*current)(void *ctx, pid_t pid, uint64_t ptag);
	void *current_ctx;
	struct elf_files files;
	struct fetcher *fetcher;	/* NULL: no debuginfod */
	unsigned long renamed;
	unsigned long dwarf_opened;	/* modules whose DWARF libdw read (dwindex.h) */
	struct ksyms k;		/* the kernel's symbols */
	uint32_t *kids;		/* strtab id + 1 of each one's "name_[k]"; 0: not yet */
	int (*kreload)(void *ctx, struct ksyms *out);
	void *kreload_ctx;
	uint64_t kloaded_ns;
	uint64_t kreload_wait_ns;	/* KRELOAD_MIN_NS .. KRELOAD_MAX_NS */
	uint32_t kunknown, uunknown;
	struct proc *procs[PROC_BUCKETS];
	size_t nprocs;
	unsigned long tick;
	struct cache_slot cache[1u << CACHE_BITS];
};

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Interns a name from a file or the demangler, made safe for folded lines. */
uint32_t symbolizer_intern(struct symbolizer *s, const char *str, size_t len);
/* Interns pre, then str[0, len), then post. */
uint32_t symbolizer_intern_fmt(struct symbolizer *s, const char *pre, const char *str,
			       size_t len, const char *post);
/* The frames at an ELF virtual address of f: the function, and what is inlined there. */
const struct cache_slot *symbolizer_file_frames(struct symbolizer *s, struct elf_file *f,
						uint64_t vaddr, uint32_t unknown);
/* Takes the debug info debuginfod gave since, renaming frames. */
void symbolizer_take_fetched(struct symbolizer *s);
void symbolizer_free_where(struct symbolizer *s);
/* Notes that the function named name is in f (symmodules.c). */
void symbolizer_note_module(struct symbolizer *s, struct elf_file *f, uint32_t name);
void symbolizer_free_modules(struct symbolizer *s);

#endif
