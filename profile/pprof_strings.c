// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "pprof_int.h"

#define FNV_START 0xcbf29ce484222325ull

uint64_t pprof_hash(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

int pprof_grow_slots(uint32_t **slot, size_t *mask, size_t used,
		     uint64_t (*key)(void *, uint32_t), void *ctx)
{
	size_t size = *slot ? (*mask + 1) * 2 : 1024;
	uint32_t *n;

	if (*slot && used * 2 < *mask + 1)
		return 0;
	n = calloc(size, sizeof(*n));
	if (!n)
		return -ENOMEM;
	if (*slot)
		for (size_t i = 0; i <= *mask; i++)
			if ((*slot)[i]) {
				size_t j = key(ctx, (*slot)[i]) & (size - 1);

				while (n[j])
					j = (j + 1) & (size - 1);
				n[j] = (*slot)[i];
			}
	free(*slot);
	*slot = n;
	*mask = size - 1;
	return 0;
}

static uint64_t str_key(void *ctx, uint32_t v)
{
	const char *s = ((struct pprof_strings *)ctx)->strs[v - 1];

	return pprof_hash(s, strlen(s), FNV_START);
}

int pprof_strings__index(struct pprof_strings *ps, const char *s, size_t len, int64_t *idx)
{
	uint64_t h = pprof_hash(s, len, FNV_START);
	size_t i;
	char *copy;

	if (pprof_grow_slots(&ps->slot, &ps->mask, ps->n, str_key, ps))
		return -ENOMEM;
	for (i = h & ps->mask; ps->slot[i]; i = (i + 1) & ps->mask) {
		const char *x = ps->strs[ps->slot[i] - 1];

		if (!strncmp(x, s, len) && !x[len]) {
			*idx = ps->slot[i] - 1;
			return 0;
		}
	}
	copy = strndup(s, len);
	if (!copy || vec_reserve(ps->strs, ps->cap, ps->n + 1, 1024)) {
		free(copy);
		return -ENOMEM;
	}
	ps->strs[ps->n++] = copy;
	ps->slot[i] = (uint32_t)ps->n;
	*idx = (int64_t)ps->n - 1;
	return 0;
}

void pprof_strings__free(struct pprof_strings *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->strs[i]);
	free(ps->strs);
	free(ps->slot);
}
