/* SPDX-License-Identifier: MIT */
/*
 * diff: "before" against "after", each normalized by its own total, so a
 * change is a change of share in percentage points (floating point; no
 * integer rescaling as difffolded.pl does).
 *
 * The union tree holds every frame of either side; its own counts are the
 * after side's (its shape), and per node it keeps both sides' counts, so frames that exist on one
 * side only are kept and can be told apart.  Both input trees must share
 * one strtab.  The diff owns its union tree; the inputs are only read.
 */
#ifndef FLAMETOP_DIFF_H
#define FLAMETOP_DIFF_H

#include <stdint.h>

#include "calltree.h"
#include "topn.h"

struct diff_side {
	uint64_t self, total;
};

struct diff_node {
	struct diff_side before, after;
};

struct diff_fn {
	uint32_t name;
	struct fn_stat before, after;
	double delta;		/* after total% - before total%, in points */
};

struct diff {
	struct calltree *tree;	/* union of both sides' frames */
	struct diff_node *nodes;	/* indexed by union node id */
	uint64_t before_samples, after_samples;
	struct diff_fn *fns;	/* every function of either side */
	size_t nfns;
};

struct diff *diff__new(const struct calltree *before, const struct calltree *after);
void diff__free(struct diff *d);

/* Share of all samples in points (0..100); 0 for an empty side. */
double diff__share(uint64_t count, uint64_t samples);
/* Change of total share of union node id, in points. */
double diff__node_delta(const struct diff *d, uint32_t id);
/* Sorts d->fns by delta, largest growth first (ties by name). */
void diff__sort_fns(struct diff *d);

#endif
