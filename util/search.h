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

/* The same over an array of structs, sorted ascending by their field: how many have it <= key. */
#define upper_bound_by(v, n, field, key) __extension__({			\
	size_t ub_lo_ = 0, ub_hi_ = (n);					\
										\
	while (ub_lo_ < ub_hi_) {						\
		size_t ub_mid_ = ub_lo_ + (ub_hi_ - ub_lo_) / 2;		\
										\
		if ((v)[ub_mid_].field <= (key))				\
			ub_lo_ = ub_mid_ + 1;					\
		else								\
			ub_hi_ = ub_mid_;					\
	}									\
	ub_lo_;									\
})

#endif
