/* SPDX-License-Identifier: MIT */
/*
 * topn: samples per function.  A function's self is the sum of the self
 * samples of its frames; its total counts each sample once however often the
 * function recurs in the stack (only the outermost frame of a recursion
 * contributes).
 */
#ifndef FLAMETOP_TOPN_H
#define FLAMETOP_TOPN_H

#include <stdint.h>

#include "calltree.h"

struct fn_stat {
	uint32_t name;
	uint64_t self;
	uint64_t total;
};

enum topn_sort { TOPN_SELF, TOPN_TOTAL };

/*
 * Functions with samples in the subtree at node, sorted by key (highest
 * first, then by name).  *out is malloc'ed (free() it); returns the count or
 * -ENOMEM.
 */
long topn__compute(const struct calltree *t, uint32_t node, enum topn_sort key,
		   struct fn_stat **out);
void topn__sort(struct fn_stat *fns, size_t n, const struct strtab *names,
		enum topn_sort key);

#endif
