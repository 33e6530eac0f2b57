/* SPDX-License-Identifier: MIT */
/*
 * The top-N pane: functions of the zoomed subtree by self or total
 * samples — or, while a diff is shown, the diff's functions by change of
 * share (view_diff.c paints that table).  It owns the rows, the selected
 * row (followed by its function across updates) and the scroll.
 */
#ifndef FLAMETOP_VIEW_TOP_H
#define FLAMETOP_VIEW_TOP_H

#include <stdbool.h>
#include <stdint.h>

#include "../profile/calltree.h"
#include "../profile/diff.h"
#include "../profile/topn.h"
#include "../profile/units.h"
#include "../render/cells.h"
#include "pane.h"

struct top_view {
	bool open;
	enum topn_sort sort;
	struct fn_stat *fns;
	long nfns;
	const struct diff *diff;	/* borrowed: its rows are shown instead */
	long sel, scroll;
	uint32_t name;			/* the selected row's function */
	uint32_t height;		/* of the pane, at the last update */
	bool stale;
	double seconds;			/* per sample: SELF and TOTAL as time; 0: samples */
	enum value_unit unit;		/* samples, or a file's own unit (values as pprof prints them) */
};

void top_view__init(struct top_view *v);
void top_view__free(struct top_view *v);
/*
 * Ranks the functions of t's subtree at zoom again when stale, or shows
 * diff's table (NULL: none); keeps the selection on its function.  True
 * when the selected function may have changed (highlights to redo).
 */
bool top_view__update(struct top_view *v, const struct calltree *t, uint32_t zoom,
		      const struct diff *diff, uint32_t height, struct note *note);
/* DO_REMARK. */
int top_view__move(struct top_view *v, long delta);
/* Starts at the top row, the largest (another table is coming). */
void top_view__reset(struct top_view *v);
/* The selected row's function, CT_NONE when the pane is closed. */
uint32_t top_view__selected_name(const struct top_view *v);
/* The heaviest frame of the selected function under zoom, or CT_NONE. */
uint32_t top_view__heaviest(const struct top_view *v, const struct calltree *t, uint32_t zoom);
/* Selects the row at screen row y of pane p; false when there is none. */
bool top_view__select_at(struct top_view *v, const struct pane *p, int y);
/* Where a function is declared ("file.c:42" into buf), when known. */
struct where_fn {
	bool (*fn)(void *ctx, uint32_t name, char *buf, size_t size);
	void *ctx;
};
/* Each row's function with where it is declared after it, when where knows. */
void top_view__paint(const struct top_view *v, const struct calltree *t, uint64_t samples,
		     const struct where_fn *where, struct grid *g, const struct pane *p);

#endif
