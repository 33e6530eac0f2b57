/* SPDX-License-Identifier: MIT */
/*
 * The process table (htop's reflex): the shown window's processes,
 * threads or containers — the rows of the grouping — ranked by their
 * share of samples, with CPU% as the share of CPUs x Hz x window.  Its
 * rows come from the window as sampled (who.h), so they stay whole while
 * the graph is focused on one of them.
 */
#ifndef FLAMETOP_VIEW_PROCS_H
#define FLAMETOP_VIEW_PROCS_H

#include <stdbool.h>
#include <stdint.h>

#include "../profile/calltree.h"
#include "../profile/who.h"
#include "../render/cells.h"
#include "pane.h"

struct procs_view {
	bool open;
	struct who_row *rows;
	char (*host)[48];	/* per row: its container's host name, or "" */
	long nrows;
	long sel, scroll;
	uint32_t frame;		/* the selected row's frame, followed across updates */
	uint32_t height;	/* of the pane, at the last update */
	bool stale;
	bool by_name;		/* sorted by name (Tab), else by samples */
};

/* How the figures read: the grouping, the focus, what 100% CPU is. */
struct procs_scale {
	enum group_by group;
	uint32_t focus;		/* the focused row's frame, CT_NONE: none */
	double cpu_samples;	/* samples that would be 100% of one CPU in the window; 0: unknown */
};

void procs_view__init(struct procs_view *v);
void procs_view__free(struct procs_view *v);
/* Ranks the rows of window (identity frames at its root) by g when stale. */
void procs_view__update(struct procs_view *v, const struct calltree *window, enum group_by g,
			uint32_t height, struct note *note);
/* DO_NOTHING. */
int procs_view__move(struct procs_view *v, long delta);
/* The selected row's frame (the focus it asks for), CT_NONE when none. */
uint32_t procs_view__selected(const struct procs_view *v);
/* Selects the row at screen row y of pane p; false when there is none. */
bool procs_view__select_at(struct procs_view *v, const struct pane *p, int y);
void procs_view__paint(const struct procs_view *v, const struct strtab *names,
		       const struct procs_scale *sc, struct grid *g, const struct pane *p);

#endif
