/* SPDX-License-Identifier: MIT */
/*
 * The sandwich pane: one function's callers drawn inverted above it (a
 * flame, the function at its foot) and its callees below (an icicle, the
 * function at its head), in the graph's place (profile/sandwich.h).
 *
 * Each half is a flame view of its own, zoomable and selectable.  The
 * active half is the app's own flame view, so every graph key acts on it;
 * the other waits here.  Moving past a half's root, toward the function,
 * crosses into the other half.  The main graph's view is kept, held by
 * name path, until the sandwich closes.
 */
#ifndef FLAMETOP_VIEW_SANDWICH_H
#define FLAMETOP_VIEW_SANDWICH_H

#include <stdbool.h>
#include <stdint.h>

#include "../profile/sandwich.h"
#include "pane.h"
#include "view_flame.h"

struct sandwich_view {
	bool on;
	uint32_t name;			/* the function (strtab id) */
	struct sandwich s;		/* owned: both trees */
	struct flame_view other;	/* the half not active */
	struct flame_view saved;	/* the main graph's view, held */
	bool callers_active;
};

/* Opens on the function name: the main view is kept, the callees half active. */
void sandwich_view__open(struct sandwich_view *v, struct flame_view *main, uint32_t name,
			 const struct strtab *names);
/* Closes: the main view comes back (held: the loop gives it its tree). */
void sandwich_view__close(struct sandwich_view *v, struct flame_view *main);
/*
 * Makes both halves again from t (the views find zoom and selection by name
 * path); returns the active half's tree.  Out of memory: NULL after a note,
 * and the sandwich closed.
 */
const struct calltree *sandwich_view__build(struct sandwich_view *v, struct flame_view *main,
					    const struct calltree *t, struct note *note);
/* The other half becomes the active one. */
void sandwich_view__swap(struct sandwich_view *v, struct flame_view *main);
/* The graph pane split: callers above, callees below. */
void sandwich_view__panes(const struct pane *graph, struct pane *callers, struct pane *callees);
/* The views of the two halves, whichever is active. */
struct flame_view *sandwich_view__callers(struct sandwich_view *v, struct flame_view *main);
struct flame_view *sandwich_view__callees(struct sandwich_view *v, struct flame_view *main);
void sandwich_view__free(struct sandwich_view *v);

#endif
