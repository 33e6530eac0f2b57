/* SPDX-License-Identifier: MIT */
/*
 * sandwich: one function's callers and callees, merged across every place
 * it is called from (speedscope's and pprof's sandwich).
 *
 * Both trees have the function as their root.  The callers tree is
 * inverted: the root's children are the function's direct callers, theirs
 * the callers' callers, up to the stacks' roots.  The callees tree merges
 * the subtrees under each occurrence.  Recursion counts once per sample, as
 * top-N counts it: only the outermost occurrence of the function on a stack
 * is a root; inner ones stay frames of the callees tree.  So both roots'
 * totals are the function's total in top-N, and self is the samples where
 * the function itself was running, at any depth.
 */
#ifndef FLAMETOP_SANDWICH_H
#define FLAMETOP_SANDWICH_H

#include <stdint.h>

#include "calltree.h"

struct sandwich {
	struct calltree *callers, *callees;	/* share t's strtab */
	uint64_t self, total;			/* the function's, as top-N counts */
};

/* The sandwich of the function named name in t; 0 or -ENOMEM. */
int sandwich__build(const struct calltree *t, uint32_t name, struct sandwich *out);
void sandwich__release(struct sandwich *s);

#endif
