// SPDX-License-Identifier: MIT
#include <stdint.h>

#include "vec.h"

size_t vec__next_cap(size_t cap, size_t need, size_t elem, size_t first, size_t max)
{
	size_t limit = SIZE_MAX / (elem ? elem : 1), n;

	if (max < limit)
		limit = max;
	if (need > limit)
		return 0;
	n = cap ? cap : first ? first : 1;
	while (n < need)
		n = n > limit / 2 ? limit : n * 2;
	return n;
}
