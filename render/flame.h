/* SPDX-License-Identifier: MIT */
/*
 * flame: lays a call tree out as rows of frames and paints them as cells.
 *
 * Layout: row 0.. holds the ancestors of the zoom root as full-width bars
 * (breadcrumbs), then the zoom root, full width, then its descendants, one
 * row per depth.  A frame's width is its share of its parent's samples;
 * siblings are in name order (flamegraph.pl's); a frame narrower than one
 * cell is left out with its whole subtree.  Positions are in eighths of a
 * cell so a UTF-8 terminal can draw partial blocks at frame edges; each is
 * computed from the frame's offset in samples within the zoom root, never
 * from its parent's rounded position, so rounding does not add up with depth.
 *
 * Frames are stored row by row, left to right; a layout borrows the tree
 * it was made from and is valid until the tree changes.
 */
#ifndef FLAMETOP_FLAME_H
#define FLAMETOP_FLAME_H

#include <stdbool.h>
#include <stdint.h>

#include "../profile/calltree.h"
#include "cells.h"

#define FLAME_SUB 8		/* sub-cell steps per cell */
#define FLAME_MAX_ROWS 4096

struct flame_frame {
	uint32_t node;
	uint32_t row;
	uint32_t x0, x1;	/* [x0, x1) in eighths of a cell */
	uint64_t off;		/* samples before it in the zoom root's span */
};

struct flame_layout {
	const struct calltree *tree;
	uint32_t zoom;
	uint32_t width;		/* cells */
	uint32_t nrows;
	uint32_t ncrumbs;	/* rows before the zoom root's */
	/*
	 * At most this many breadcrumb rows (0: no limit); past it the ancestors
	 * fold into one row, the parent's frame labelled with the whole path
	 * (folded: how many ancestors it stands for).
	 */
	uint32_t crumb_limit;
	uint32_t folded;
	struct flame_frame *frames;
	size_t nframes, frames_cap;
	uint32_t *rows;		/* rows[r]: index of row r's first frame; nrows + 1 */
	uint32_t rows_cap;
	/*
	 * Each node's children in name order, sorted the first time the node
	 * is laid out and kept while the tree has the same nodes: order_at[id]
	 * indexes order[], where a count is followed by that many ids.
	 */
	const struct calltree *cached_tree;
	uint32_t cached_nodes;
	uint32_t *order_at;
	uint32_t *order;
	size_t order_len, order_cap;
};

enum flame_orient { FLAME_ICICLE, FLAME_FLAME };

/* A frame highlighted (a match), or holding matches too narrow to be drawn (underlined). */
enum { FLAME_MARK = 1, FLAME_HOLDS_MARK = 2 };

struct flame_style {
	enum flame_orient orient;
	uint32_t scroll;	/* first layout row shown at the root's end */
	uint32_t selected;	/* node, or CT_NONE */
	const uint8_t *mark;	/* per node id: FLAME_MARK or FLAME_HOLDS_MARK; may be NULL */
	const uint8_t *colour;	/* per node id: palette override; may be NULL */
	bool mono;		/* no colours: separators and attributes only */
	const char *root_label;	/* the root's label (root_len bytes); NULL: "all" */
	size_t root_len;
};

void flame__init(struct flame_layout *l);
void flame__release(struct flame_layout *l);

/*
 * Forgets the cached child order; needed only when the tree was rebuilt
 * with the same number of nodes (a change of node count is noticed).
 */
void flame__invalidate(struct flame_layout *l);
/* Lays out t zoomed at node zoom in width cells; 0 or -ENOMEM. */
int flame__layout(struct flame_layout *l, const struct calltree *t, uint32_t zoom,
		  uint32_t width);
/* Index of node's frame, or -1 when it is not shown. */
long flame__find(const struct flame_layout *l, uint32_t node);
/* Index of the frame at (layout row, column), or -1. */
long flame__at(const struct flame_layout *l, uint32_t row, uint32_t col);

/*
 * Paints the layout into rows [top, top + height) of g.  Screen row y shows
 * layout row scroll + y (icicle) or scroll + height - 1 - y (flame).
 */
void flame__paint(const struct flame_layout *l, const struct flame_style *s, struct grid *g,
		  uint32_t top, uint32_t height);
/* The layout row at screen row y of a pane of height rows (may be past the end). */
uint32_t flame__row_at(const struct flame_style *s, uint32_t height, uint32_t y);
/* The screen row of layout row r, or -1 when it is scrolled away. */
int flame__screen_row(const struct flame_style *s, uint32_t height, uint32_t r);

#endif
