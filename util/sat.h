/* SPDX-License-Identifier: MIT */
/*
 * Sums of sizes a file claims: saturating, so that a wrapped sum never
 * passes a bound it should fail.
 */
#ifndef FLAMETOP_SAT_H
#define FLAMETOP_SAT_H

#include <stddef.h>
#include <stdint.h>

/* a + b, or SIZE_MAX when it does not fit. */
static inline size_t sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

#endif
