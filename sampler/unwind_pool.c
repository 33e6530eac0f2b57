// SPDX-License-Identifier: MIT
#include <bpf/bpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../util/vec.h"
#include "unwind_pool.h"

__u32 pool_alloc(struct pool *p, __u32 n)
{
	for (size_t i = 0; i < p->nholes; i++) {
		struct hole *h = &p->holes[i];

		if (h->count >= n) {
			__u32 at = h->start;

			h->start += n;
			h->count -= n;
			return at;
		}
	}
	if (n > p->cap - p->top)
		return UINT32_MAX;
	p->top += n;
	return p->top - n;
}

void pool_free(struct pool *p, __u32 start, __u32 n)
{
	if (!n)
		return;
	if (vec_reserve(p->holes, p->holes_cap, p->nholes + 1, 16))
		return;	/* the range stays used: a leak of map space, not of memory */
	p->holes[p->nholes++] = (struct hole){ start, n };
}

/*
 * Copies n values to entries at.. through a mapping of just those pages
 * (the map's entries are value_size rounded up to 8 apart), unmapped
 * after.  false when the map cannot be mapped.
 */
static bool load_mapped(struct pool *p, __u32 at, const void *values, __u32 n)
{
	size_t stride = ((size_t)p->value_size + 7) & ~(size_t)7;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), from = (size_t)at * stride;
	size_t off = from & ~(page - 1), len = from + (size_t)n * stride - off;
	char *m;

	if (!p->value_size || !n)
		return false;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, (off_t)off);
	if (m == MAP_FAILED)
		return false;
	for (__u32 i = 0; i < n; i++)
		memcpy(m + (from - off) + (size_t)i * stride,
		       (const char *)values + (size_t)i * p->value_size, p->value_size);
	munmap(m, len);
	return true;
}

__u32 pool_load(struct pool *p, const void *values, __u32 n)
{
	__u32 at = pool_alloc(p, n), count = n, *keys;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (at == UINT32_MAX)
		return at;
	if (load_mapped(p, at, values, n))
		return at;
	keys = malloc((size_t)n * sizeof(*keys));
	if (keys) {
		for (__u32 i = 0; i < n; i++)
			keys[i] = at + i;
		if (bpf_map_update_batch(p->fd, keys, values, &count, &opts) == 0) {
			free(keys);
			return at;
		}
	}
	free(keys);
	pool_free(p, at, n);
	return UINT32_MAX;
}
