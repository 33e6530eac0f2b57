// SPDX-License-Identifier: MIT
/*
 * Flame graph layout (tree -> frames) and paint (frames -> cells).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "flame.h"
#include "palette.h"

void flame__init(struct flame_layout *l)
{
	memset(l, 0, sizeof(*l));
}

void flame__release(struct flame_layout *l)
{
	free(l->frames);
	free(l->rows);
	free(l->order_at);
	free(l->order);
	flame__init(l);
}

void flame__invalidate(struct flame_layout *l)
{
	l->cached_tree = NULL;
}

static int push_frame(struct flame_layout *l, uint32_t node, uint32_t row, uint32_t x0,
		      uint32_t x1, uint64_t off)
{
	if (vec_reserve(l->frames, l->frames_cap, l->nframes + 1, 64))
		return -ENOMEM;
	l->frames[l->nframes++] = (struct flame_frame){ node, row, x0, x1, off };
	return 0;
}

/* Position of a sample offset in eighths of a cell. */
static uint32_t x_of(const struct flame_layout *l, uint64_t off, uint64_t span)
{
	return (uint32_t)((unsigned __int128)off * (l->width * FLAME_SUB) / span);
}

static int start_row(struct flame_layout *l)
{
	if (vec_reserve(l->rows, l->rows_cap, (size_t)l->nrows + 2, 64))
		return -ENOMEM;
	l->rows[l->nrows] = (uint32_t)l->nframes;
	return 0;
}

/* Resets the child-order cache when the tree is another one or has changed. */
static int check_cache(struct flame_layout *l)
{
	uint32_t n = calltree__nodes(l->tree);

	if (l->cached_tree == l->tree && l->cached_nodes == n)
		return 0;
	free(l->order_at);
	l->order_at = malloc((n ? n : 1) * sizeof(*l->order_at));
	if (!l->order_at) {
		l->cached_tree = NULL;
		return -ENOMEM;
	}
	memset(l->order_at, 0xff, n * sizeof(*l->order_at));
	l->order_len = 0;
	l->cached_tree = l->tree;
	l->cached_nodes = n;
	return 0;
}

/* node's children in name order: *kids points at their count, then ids. */
static int sorted_children(struct flame_layout *l, uint32_t node, const uint32_t **kids)
{
	const struct calltree *t = l->tree;
	size_t n = 0, at;

	if (l->order_at[node] == UINT32_MAX) {
		for (uint32_t c = calltree__node(t, node)->child; c != CT_NONE;
		     c = calltree__node(t, c)->sibling)
			n++;
		if (l->order_len + n + 1 > UINT32_MAX ||
		    vec_reserve(l->order, l->order_cap, l->order_len + n + 1, 64))
			return -ENOMEM;
		at = l->order_len;
		/* the empty ones too: a moved window fills them, the nodes stay */
		l->order[at] = (uint32_t)calltree__children(t, node, &l->order[at + 1], n, true);
		l->order_len += n + 1;
		l->order_at[node] = (uint32_t)at;
	}
	*kids = &l->order[l->order_at[node]];
	return 0;
}

/* Appends the children of frame f that are at least one cell wide. */
static int layout_children(struct flame_layout *l, const struct flame_frame *f, uint32_t row)
{
	const struct calltree *t = l->tree;
	uint64_t span = calltree__node(t, l->zoom)->total, off = f->off;
	unsigned __int128 full = (unsigned __int128)l->width * FLAME_SUB;
	const uint32_t *kids;

	if (!calltree__node(t, f->node)->total || calltree__node(t, f->node)->child == CT_NONE)
		return 0;
	if (sorted_children(l, f->node, &kids))
		return -ENOMEM;
	for (uint32_t i = 1; i <= kids[0]; i++) {
		const struct ct_node *c = calltree__node(t, kids[i]);
		uint32_t x0, x1;

		/* most children are far narrower than a cell: skip them without dividing */
		if (c->total * full < (unsigned __int128)span * (FLAME_SUB - 1)) {
			off += c->total;
			continue;
		}
		x0 = x_of(l, off, span);
		x1 = x_of(l, off + c->total, span);
		if (x1 - x0 >= FLAME_SUB && push_frame(l, kids[i], row, x0, x1, off))
			return -ENOMEM;
		off += c->total;
	}
	return 0;
}

int flame__layout(struct flame_layout *l, const struct calltree *t, uint32_t zoom,
		  uint32_t width)
{
	uint32_t full = width * FLAME_SUB, depth = calltree__depth(t, zoom), r;
	uint32_t *chain;

	l->tree = t;
	l->zoom = zoom;
	l->width = width;
	l->nframes = 0;
	l->nrows = 0;
	l->ncrumbs = 0;
	if (!width || depth >= FLAME_MAX_ROWS)
		return start_row(l);
	if (check_cache(l))
		return -ENOMEM;
	/* the breadcrumbs, root first */
	chain = malloc((depth + 1) * sizeof(*chain));
	if (!chain)
		return -ENOMEM;
	for (uint32_t id = zoom, i = depth + 1; i-- > 0; id = calltree__node(t, id)->parent)
		chain[i] = id;
	/* too deep for the pane: one row, the parent's, stands for every ancestor */
	l->folded = l->crumb_limit && depth > l->crumb_limit ? depth : 0;
	for (r = l->folded ? depth - 1 : 0; r <= depth; r++) {
		if (start_row(l) || push_frame(l, chain[r], l->nrows, 0, full, 0)) {
			free(chain);
			return -ENOMEM;
		}
		l->nrows++;
	}
	free(chain);
	l->ncrumbs = l->folded ? 1 : depth;
	/* then one row per depth below the zoom root, while any frame is wide enough */
	while (l->nrows < FLAME_MAX_ROWS) {
		uint32_t prev = l->rows[l->nrows - 1], end = (uint32_t)l->nframes;

		if (start_row(l))
			return -ENOMEM;
		for (uint32_t i = prev; i < end; i++) {
			struct flame_frame f = l->frames[i];

			if (layout_children(l, &f, l->nrows))
				return -ENOMEM;
		}
		if (l->nframes == end)
			break;
		l->nrows++;
	}
	l->rows[l->nrows] = (uint32_t)l->nframes;
	return 0;
}

long flame__find(const struct flame_layout *l, uint32_t node)
{
	for (size_t i = 0; i < l->nframes; i++)
		if (l->frames[i].node == node)
			return (long)i;
	return -1;
}

long flame__at(const struct flame_layout *l, uint32_t row, uint32_t col)
{
	uint32_t x = col * FLAME_SUB + FLAME_SUB / 2;

	if (row >= l->nrows)
		return -1;
	for (uint32_t i = l->rows[row]; i < l->rows[row + 1]; i++)
		if (l->frames[i].x0 <= x && x < l->frames[i].x1)
			return (long)i;
	return -1;
}

uint32_t flame__row_at(const struct flame_style *s, uint32_t height, uint32_t y)
{
	return s->scroll + (s->orient == FLAME_ICICLE ? y : height - 1 - y);
}

int flame__screen_row(const struct flame_style *s, uint32_t height, uint32_t r)
{
	if (r < s->scroll || r - s->scroll >= height)
		return -1;
	return (int)(s->orient == FLAME_ICICLE ? r - s->scroll : height - 1 - (r - s->scroll));
}

/* U+258F..U+2589: left one-eighth .. seven-eighths blocks */
static uint32_t left_block(uint32_t eighths)
{
	return 0x2590 - eighths;
}

static uint8_t frame_colour(const struct flame_layout *l, const struct flame_style *s,
			    uint32_t node)
{
	const struct strtab *names = calltree__names(l->tree);
	uint32_t name = calltree__node(l->tree, node)->name;

	if (s->mono)
		return PAL_DEFAULT;
	if (s->mark && s->mark[node] == FLAME_MARK)
		return PAL_MATCH;
	if (s->colour)
		return s->colour[node];
	if (name == CT_NONE)
		return PAL_UNKNOWN + 1;
	return palette__frame(strtab__kind(names, name), strtab__str(names, name),
			      strtab__len(names, name));
}

static void frame_label(const struct flame_layout *l, const struct flame_style *st,
			uint32_t node, const char **s, size_t *len)
{
	const struct strtab *names = calltree__names(l->tree);
	uint32_t name = calltree__node(l->tree, node)->name;

	if (name == CT_NONE) {
		*s = st->root_label ? st->root_label : "all";
		*len = st->root_label ? st->root_len : 3;
	} else {
		*s = strtab__str(names, name);
		*len = strtab__len(names, name);
	}
}

/*
 * The folded breadcrumbs' label: the path from the root to node, the
 * nearest frames kept when it is wider than cols ("… > b > c").
 */
static size_t folded_label(const struct flame_layout *l, uint32_t node, uint32_t cols,
			   char *buf, size_t size)
{
	const struct strtab *names = calltree__names(l->tree);
	size_t end = size - 1, at = end;
	static const char sep[] = " > ", more[] = "\u2026";

	buf[end] = '\0';
	for (uint32_t id = node; id != CT_ROOT && id != CT_NONE;
	     id = calltree__node(l->tree, id)->parent) {
		uint32_t name = calltree__node(l->tree, id)->name;
		size_t n = strtab__len(names, name), need = n + (at < end ? sizeof(sep) - 1 : 0);

		if (need + 8 > at || text__columns(buf + at, end - at) + n + 7 > cols) {
			at -= sizeof(more) - 1 + (at < end ? sizeof(sep) - 1 : 0);
			memcpy(buf + at, more, sizeof(more) - 1);
			if (at + sizeof(more) - 1 < end)
				memcpy(buf + at + sizeof(more) - 1, sep, sizeof(sep) - 1);
			break;
		}
		if (at < end) {
			at -= sizeof(sep) - 1;
			memcpy(buf + at, sep, sizeof(sep) - 1);
		}
		at -= n;
		memcpy(buf + at, strtab__str(names, name), n);
	}
	memmove(buf, buf + at, end - at);
	return end - at;
}

/* Paints one frame of a row; *prev_end is where the previous one ended. */
static void paint_frame(const struct flame_layout *l, const struct flame_style *s,
			struct grid *g, uint32_t y, const struct flame_frame *f,
			uint32_t *prev_end, bool crumb)
{
	uint8_t bg = frame_colour(l, s, f->node), attr = 0;
	uint32_t c0, c1;
	const char *label;
	size_t len;

	if (f->node == s->selected)
		attr |= CELL_REVERSE | CELL_BOLD;
	else if (crumb)
		attr |= CELL_DIM;
	if (s->mark && (s->mark[f->node] == FLAME_HOLDS_MARK ||
			(s->mono && s->mark[f->node])))
		attr |= CELL_UNDERLINE | CELL_BOLD;
	if (!g->utf8 || s->mono) {
		/* whole cells: each edge to the nearest cell boundary */
		c0 = (f->x0 + FLAME_SUB / 2) / FLAME_SUB;
		c1 = (f->x1 + FLAME_SUB / 2) / FLAME_SUB;
	} else {
		c0 = (f->x0 + FLAME_SUB - 1) / FLAME_SUB;
		c1 = f->x1 / FLAME_SUB;
		if (f->x0 % FLAME_SUB) {
			struct cell *c = grid__at(g, y, f->x0 / FLAME_SUB);

			if (*prev_end == f->x0)
				c->bg = bg;	/* shares the cell with the previous frame */
			else if (FLAME_SUB - f->x0 % FLAME_SUB >= FLAME_SUB / 2)
				*c = (struct cell){ .ch = ' ', .bg = bg };
		}
		if (f->x1 % FLAME_SUB)
			*grid__at(g, y, c1) = (struct cell){
				.ch = left_block(f->x1 % FLAME_SUB), .fg = bg, .bg = PAL_DEFAULT };
	}
	*prev_end = f->x1;
	if (c1 <= c0)
		return;
	grid__fill(g, y, c0, c1 - c0, PAL_BLACK, bg, attr);
	if (s->mono && c0 > 0) {
		grid__at(g, y, c0)->ch = g->utf8 ? 0x258f : '|';
		c0++;
	}
	if (crumb && l->folded) {
		char path[1024];

		len = folded_label(l, f->node, c1 - c0, path, sizeof(path));
		grid__text(g, y, c0, c1 - c0, path, len, PAL_BLACK, attr);
		return;
	}
	frame_label(l, s, f->node, &label, &len);
	grid__text(g, y, c0, c1 - c0, label, len, PAL_BLACK, attr);
}

void flame__paint(const struct flame_layout *l, const struct flame_style *s, struct grid *g,
		  uint32_t top, uint32_t height)
{
	for (uint32_t y = 0; y < height && top + y < g->h; y++) {
		uint32_t r = flame__row_at(s, height, y), prev_end = UINT32_MAX;

		grid__fill(g, top + y, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, 0);
		if (r >= l->nrows)
			continue;
		for (uint32_t i = l->rows[r]; i < l->rows[r + 1]; i++)
			paint_frame(l, s, g, top + y, &l->frames[i], &prev_end,
				    r < l->ncrumbs);
	}
}
