// SPDX-License-Identifier: MIT
#include <bpf/bpf.h>
#include <stdint.h>
#include <stdlib.h>

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

__u32 pool_load(struct pool *p, const void *values, __u32 n)
{
	__u32 at = pool_alloc(p, n), count = n, *keys;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (at == UINT32_MAX)
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
