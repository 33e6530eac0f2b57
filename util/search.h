/* SPDX-License-Identifier: MIT */
/* Binary search of sorted arrays, the one copy of it. */
#ifndef FLAMETOP_SEARCH_H
#define FLAMETOP_SEARCH_H

#include <stddef.h>
#include <stdint.h>

/* How many of v[0..n) (sorted ascending) are <= key: the last such is at the result - 1. */
static inline size_t u64_upper_bound(const uint64_t *v, size_t n, uint64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif
