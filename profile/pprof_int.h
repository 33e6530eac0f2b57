/* SPDX-License-Identifier: MIT */
/* pprof's writer's insides: its string table and hash helpers (pprof_strings.c). */
#ifndef FLAMETOP_PPROF_INT_H
#define FLAMETOP_PPROF_INT_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a of p[0, n) from h (0xcbf29ce484222325 to start). */
uint64_t pprof_hash(const void *p, size_t n, uint64_t h);
/*
 * An open-addressing table of ids (id + 1 in each slot; 0 empty) made
 * twice as big when half full; key(ctx, id) rehashes what is in it.
 */
int pprof_grow_slots(uint32_t **slot, size_t *mask, size_t used,
		     uint64_t (*key)(void *, uint32_t), void *ctx);

/* A Profile's string table: each string once, [0] first added (""). */
struct pprof_strings {
	char **strs;
	size_t n, cap;
	uint32_t *slot;
	size_t mask;
};

/* s[0, len)'s index, added (copied) if new.  0 or -ENOMEM. */
int pprof_strings__index(struct pprof_strings *ps, const char *s, size_t len, int64_t *idx);
void pprof_strings__free(struct pprof_strings *ps);

#endif
