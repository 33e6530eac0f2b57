/* SPDX-License-Identifier: MIT */
/*
 * vec: the one way an array grows here.  An array is a pointer and a
 * capacity (any unsigned type); vec_reserve() makes room for at least
 * `need` elements, doubling from `first` when empty, and never past what
 * the capacity's type can count or size_t can size.  On failure the array
 * is untouched.
 *
 *	if (vec_reserve(t->nodes, t->cap, t->n + 1, 1024))
 *		return -ENOMEM;
 */
#ifndef FLAMETOP_VEC_H
#define FLAMETOP_VEC_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

/*
 * The capacity to grow to: the first of first, 2*cap, 4*cap... that holds
 * need, capped at max; 0 when need is more than max or elem * count would
 * overflow.
 */
size_t vec__next_cap(size_t cap, size_t need, size_t elem, size_t first, size_t max);

/* 0, or -ENOMEM with items and cap unchanged. */
#define vec_reserve(items, cap, need, first) __extension__({				\
	size_t vec_need_ = (need), vec_cap_ = (cap);					\
	int vec_err_ = 0;								\
											\
	if (vec_need_ > vec_cap_) {							\
		size_t vec_new_ = vec__next_cap(vec_cap_, vec_need_, sizeof(*(items)),	\
						(first), (size_t)(__typeof__(cap))-1);	\
		void *vec_p_ = vec_new_ ? realloc((items), vec_new_ * sizeof(*(items))) \
					: NULL;						\
											\
		if (vec_p_) {								\
			(items) = vec_p_;						\
			(cap) = (__typeof__(cap))vec_new_;				\
		} else {								\
			vec_err_ = -ENOMEM;						\
		}									\
	}										\
	vec_err_;									\
})

#endif
