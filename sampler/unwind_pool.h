/* SPDX-License-Identifier: MIT */
/*
 * unwind_pool: ranges of one BPF array map (the unwind rows, the page
 * index), handed out to the files' tables and given back when a table is
 * freed.  The unwinder's worker thread alone uses them.
 */
#ifndef FLAMETOP_UNWIND_POOL_H
#define FLAMETOP_UNWIND_POOL_H

#include <linux/types.h>
#include <stddef.h>

struct hole {
	__u32 start, count;
};

/* Ranges of one BPF array map: handed out from the top, freed ranges reused first-fit. */
struct pool {
	int fd;
	__u32 value_size;	/* an entry's bytes (the map spaces them by 8) */
	__u32 cap, top;
	struct hole *holes;
	size_t nholes, holes_cap;
};

/* A range of n entries: the first hole big enough, else the top; UINT32_MAX if full. */
__u32 pool_alloc(struct pool *p, __u32 n);
/* Gives a range back (a failure to keep it only leaks map space). */
void pool_free(struct pool *p, __u32 start, __u32 n);
/*
 * Puts n values into a range of the pool's map: copied in through a
 * mapping of the range (an mmapable array), else one batched update.  Its
 * start, or UINT32_MAX.
 */
__u32 pool_load(struct pool *p, const void *values, __u32 n);

#endif
