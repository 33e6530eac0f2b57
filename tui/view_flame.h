/* SPDX-License-Identifier: MIT */
/*
 * The graph pane: the zoom root, the selection, the orientation and the
 * scroll of the flame graph, and the layout that shows them.  It alone
 * writes the zoom.  The tree is borrowed (set_tree) until the next one.
 */
#ifndef FLAMETOP_VIEW_FLAME_H
#define FLAMETOP_VIEW_FLAME_H

#include <stdbool.h>
#include <stdint.h>

#include "../profile/calltree.h"
#include "../profile/treepath.h"
#include "../render/flame.h"
#include "pane.h"

struct flame_view {
	const struct calltree *tree;
	struct flame_layout layout;
	uint32_t zoom, sel;
	enum flame_orient orient;
	uint32_t scroll;
	uint32_t height;	/* of the pane, at the last update */
	bool relayout;
	bool held;		/* zoom and selection are known by name path */
	const char *root_label;	/* the root's label (root_len bytes); NULL: "all" */
	size_t root_len;
	struct name_path zoom_path, sel_path;
};

/* What the graph is painted with besides the tree (per node; may be NULL). */
struct flame_marks {
	const uint8_t *mark;	/* highlighted: search, top-N row */
	const uint8_t *colour;	/* diff colours */
	bool mono;
};

void flame_view__init(struct flame_view *v);
void flame_view__free(struct flame_view *v);
/*
 * Before the tree shown may change (be freed, renumbered or replaced):
 * zoom and selection are then known by their name paths.
 */
void flame_view__hold(struct flame_view *v);
/*
 * Shows t: after a hold, zoom and selection go to the frames of the same
 * name paths (or their deepest ancestors there); without one, t must be
 * the tree shown, its ids unchanged.  renumbered: the nodes of t are not
 * those of the tree shown before, even at the same address (the layout's
 * cached child order is by node id).
 */
void flame_view__set_tree(struct flame_view *v, const struct calltree *t, bool renumbered);
/* Lays out again if needed; keeps the selection shown and scrolled to. */
void flame_view__update(struct flame_view *v, uint32_t width, uint32_t height,
			struct note *note);
void flame_view__paint(const struct flame_view *v, const struct flame_marks *m,
		       struct grid *g, const struct pane *p);

/* drow: -1 toward the root, +1 toward the leaves; dcol: -1/+1 along the row. */
void flame_view__move(struct flame_view *v, int drow, int dcol);
void flame_view__select(struct flame_view *v, uint32_t node);
/* Zooms to node (selecting it); DO_RELAYOUT | DO_RETOP, or DO_NOTHING when already. */
int flame_view__zoom(struct flame_view *v, uint32_t node);
int flame_view__zoom_out(struct flame_view *v);
int flame_view__zoom_reset(struct flame_view *v);
/* The frame at screen cell (x, y) of pane p, or CT_NONE. */
uint32_t flame_view__at(const struct flame_view *v, const struct pane *p, int x, int y);

#endif
