/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The running kernel's text symbols, sorted by address.
 *
 * Reading them is most of what a short capture costs: the kernel expands
 * every symbol's name for each read, whether from /proc/kallsyms or from the
 * BPF ksym iterator.  So a table, once read, is kept in a cache file for the
 * rest of the boot, valid while the same modules sit at the same addresses.
 * BPF programs and ftrace trampolines come and go without changing either:
 * an address outside the kernel's text and the modules' is where a cached
 * table may be stale (ksyms__covers).
 */
#ifndef FLAMETOP_KSYMS_H
#define FLAMETOP_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KSYMS_CACHE "/run/flametop/ksyms"

struct ksyms_range {
	uint64_t start, end;
};

struct ksyms {
	size_t n;
	const uint64_t *addr;		/* sorted */
	const uint32_t *name;		/* offsets into names */
	const char *names;
	size_t names_len;
	struct ksyms_range core[2];	/* [_text, _etext), [_sinittext, _einittext) */
	struct ksyms_range *mods;	/* the modules' memory, from /proc/modules */
	size_t nmods;
	uint64_t modules_hash;		/* of what sat where when the table was read */
	bool cached;			/* from the cache file (mem maps it), not read by this process */
	void *mem;			/* what addr, name and names point into */
	size_t mem_len;
};

/*
 * Reads the table: from fd, records of a 64-bit address and a NUL-terminated
 * name back to back (the sampler's ksym iterator), or, when fd is -1, from
 * /proc/kallsyms.  0 or -errno (-ENOENT: no addresses, kptr_restrict).
 */
int ksyms__read(struct ksyms *k, int fd);
/* The cache file at path, if it is valid for this boot and these modules. */
int ksyms__load_cache(struct ksyms *k, const char *path);
/* Writes the cache file at path (a temporary file renamed over it). */
int ksyms__save_cache(const struct ksyms *k, const char *path);
void ksyms__free(struct ksyms *k);

/* The index of the symbol holding addr plus one, or 0 when none does. */
size_t ksyms__find(const struct ksyms *k, uint64_t addr);
/* Whether addr is in the kernel's text or a module's, where the table is whole. */
bool ksyms__covers(const struct ksyms *k, uint64_t addr);

#endif
