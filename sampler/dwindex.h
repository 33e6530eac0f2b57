/* SPDX-License-Identifier: MIT */
/*
 * dwindex: what a module's DWARF says of its code, in plain arrays that
 * need no libdw to read: each CU's address spans, and for each CU walked,
 * its functions' and inlined instances' ranges with their names, where
 * they are declared and (inlined ones) where they are called.  Built by
 * dwarfinfo.c as addresses need it; kept across runs in a cache directory
 * ("inline" in it, filecache.h), so that a later run names inlined frames
 * without inflating and parsing the DWARF again (libc's debug file: ~40
 * ms a run).
 *
 * An entry is named by the identity of the file its DWARF is in (device,
 * inode, size, times, build-id), and only a file root alone may write is
 * cached: nobody else can change its bytes under the same identity.  An
 * entry is read whole and refused whole if anything does not add up
 * (sizes, bounds, spans in order, every offset inside its array, a
 * checksum), and then rebuilt; the runs that walk more CUs replace it with
 * a larger one.
 */
#ifndef FLAMETOP_DWINDEX_H
#define FLAMETOP_DWINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filecache.h"

#define DWINDEX_SPANS_MAX (1u << 18)	/* CU spans of a module */
#define DWINDEX_CUS_MAX 100000		/* CUs of a module */
#define DWINDEX_CU_RANGES_MAX (1u << 18)	/* ranges of a CU */
#define DWINDEX_RANGES_MAX (1u << 20)	/* ranges of a module (40 MiB): debug info is anybody's */
#define DWINDEX_STRS_MAX (64u << 20)	/* bytes of names and paths */
#define DWINDEX_DEPTH_MAX 64		/* inlined in inlined ... */
#define DWINDEX_WHOLE_MAX (64ul << 20)	/* DWARF bytes walked whole at once, at most */

struct dw_span {
	uint64_t lo, hi;	/* DWARF addresses */
	uint32_t cu;		/* index into cus */
	uint32_t pad;
};

struct dw_cu {
	uint64_t off;		/* its DIE's offset in .debug_info */
	uint32_t first, n;	/* its ranges, ranges[first .. first + n) */
	uint32_t walked;	/* 1: its ranges are all there */
	uint32_t pad;
};

/* A function's range (depth 0) or an inlined instance's (depth >= 1). */
struct dw_range {
	uint64_t lo, hi;
	uint32_t name;		/* offsets into strs; 0: none */
	uint32_t decl_file, decl_line;
	uint32_t call_file, call_line;	/* inlined: where it was inlined */
	uint32_t depth;
};

struct dw_ptr_slot;

struct dwarf_index {
	struct dw_span *spans;
	size_t nspans, spans_cap;
	struct dw_cu *cus;
	size_t ncus, cus_cap;
	struct dw_range *ranges;
	size_t nranges, ranges_cap;
	char *strs;		/* strs[0] == '\0': the empty name */
	size_t nstrs, strs_cap;
	bool spans_built;	/* spans and cus hold every CU */
	bool complete;		/* and none was left out (bounds): may be stored */
	bool dirty;		/* walked more than its entry holds */
	/* the DWARF, while open (dwarfinfo.c): read with pread, let go when idle */
	struct Dwarf *dw;
	struct Elf *elf;
	int fd;
	unsigned long used;	/* when dw was last used (the symbolizer's ticks) */
	unsigned long opened;	/* how many times it was opened */
	bool open_failed;	/* not to be tried again */
	bool open_deferred;	/* refused for the budget of all open DWARF: tried again
				 * once the budget has room for it (dwindex__retry) */
	size_t wanted;		/* the debug info bytes it was refused for */
	bool loaded;		/* read from the cache */
	bool str_failed;	/* a string was not interned (bound, memory) */
	unsigned char src[FILECACHE_KEY_LEN];	/* the identity of the file its offsets are in */
	bool src_set;
	size_t charged;		/* of *open_bytes, while the DWARF is open */
	size_t *open_bytes;	/* the debug info all open DWARF may hold (elffile.h) */
	bool small;		/* its DWARF small enough to be walked whole (DWINDEX_WHOLE_MAX) */
	struct dw_ptr_slot *seen;	/* strings interned, by their address in libdw */
	size_t seen_mask, nseen;
	struct filecache *cache;	/* where it is kept (NULL: nowhere) */
	unsigned char key[FILECACHE_KEY_LEN];
};

struct dwarf_index *dwindex__new(struct filecache *cache, const unsigned char *key);
/* Stores x if it walked more than its entry held (best effort), then frees it. */
void dwindex__free(struct dwarf_index *x);
/* Stores x if it walked more than its entry holds (best effort). */
void dwindex__flush(struct dwarf_index *x);
/* Lets x's DWARF go (x keeps what was read of it). */
void dwindex__close_dwarf(struct dwarf_index *x);
/* A DWARF refused for the budget (open_deferred) may be tried again once room bytes hold it. */
void dwindex__retry(struct dwarf_index *x, size_t room);

/* s's offset in strs, interned once per address (libdw's strings are its sections'); 0 for NULL. */
uint32_t dwindex__str(struct dwarf_index *x, const char *s);
static inline const char *dwindex__at(const struct dwarf_index *x, uint32_t off)
{
	return off ? x->strs + off : NULL;
}

/*
 * A walked CU's ranges are in order: by start, the wider first, a function
 * before what is inlined in it at the same start (scopes_at searches them).
 * Puts CU c's ranges in that order (an entry out of order is refused); the
 * order's comparison.
 */
void dwindex__order_cu(struct dwarf_index *x, const struct dw_cu *c);
int dwindex__range_cmp(const void *a, const void *b);

/* The CU whose span holds pc: its index, or -1. */
long dwindex__cu_at(const struct dwarf_index *x, uint64_t pc);

/* Reads x's entry from its cache: true when x now holds it. */
bool dwindex__load(struct dwarf_index *x);

/*
 * An entry's bytes checked whole into x (empty, no cache needed): 0, or
 * -EINVAL (not an entry or something out of bounds), -ESTALE (another
 * key), -EBADMSG (checksum).  What load uses; the fuzz target's entry.
 */
int dwindex__parse(struct dwarf_index *x, const void *buf, size_t len);
/* x's entry bytes (malloc'ed, *len set), or NULL without memory. */
void *dwindex__encode(const struct dwarf_index *x, size_t *len);

#endif
