/* SPDX-License-Identifier: MIT */
/*
 * The diff: before -> after, shown in the after profile's shape (or, on
 * request, the before one, to see what vanished), each frame coloured by
 * the change of its share of all samples, with a table of functions by
 * change of share.  It owns the live baseline (a copy of a past window)
 * and both diffs; the trees compared are borrowed.
 */
#ifndef FLAMETOP_VIEW_DIFF_H
#define FLAMETOP_VIEW_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../profile/calltree.h"
#include "../profile/diff.h"
#include "../render/cells.h"
#include "pane.h"

struct diff_view {
	bool on, before_shape;
	const struct calltree *before;	/* a file, or baseline */
	struct calltree *baseline;	/* owned: the live window marked with b */
	char label[64];			/* what before is */
	struct diff *diff;		/* before -> after: the table, and the after shape */
	struct diff *rdiff;		/* after -> before: the before shape (vanished frames) */
	uint8_t *colour;		/* per node of the shown tree */
};

void diff_view__free(struct diff_view *v);
/* Takes baseline (owned from now on) as the before side, labelled label. */
void diff_view__set_baseline(struct diff_view *v, struct calltree *baseline, const char *label);
/*
 * Builds both diffs, before (v->before, or it through the transforms) ->
 * after, and the colours; 0, or -ENOMEM (the diff off).
 */
int diff_view__build(struct diff_view *v, const struct calltree *before,
		     const struct calltree *after);
/* Forgets the diffs (not the baseline). */
void diff_view__drop(struct diff_view *v);
/* The union tree shown while the diff is on. */
const struct calltree *diff_view__tree(const struct diff_view *v);
/* "before 10.0% -> after 22.3% (+12.3)" for a node of the shown tree. */
void diff_view__describe(const struct diff_view *v, uint32_t node, char *buf, size_t size);
/* The table, with the top-N pane's selected row and scroll. */
void diff_view__paint_table(const struct diff_view *v, long sel, long scroll, struct grid *g,
			    const struct pane *p);

#endif
