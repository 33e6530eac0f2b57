// SPDX-License-Identifier: MIT
/*
 * The graph pane: keeps the layout in step with the tree, zoom and width,
 * keeps the selection on a visible frame, moves it, and paints.
 */
#include "app.h"

static struct flame_style style_of(const struct app *a)
{
	return (struct flame_style){
		.orient = a->orient,
		.scroll = a->scroll,
		.selected = a->sel,
		.mark = a->mark,
		.colour = a->diff_on ? a->colour : NULL,
		.mono = a->scr.colours == COLOUR_MONO,
	};
}

uint64_t flame_view__samples(const struct app *a)
{
	return calltree__samples(a->tree);
}

/* Keeps the selected frame's row inside the pane. */
static void scroll_to_selection(struct app *a)
{
	long i = flame__find(&a->layout, a->sel);
	uint32_t h = a->graph.height, n = a->layout.nrows, r;

	if (!h)
		return;
	if (a->scroll > (n > h ? n - h : 0))
		a->scroll = n > h ? n - h : 0;
	if (i < 0)
		return;
	r = a->layout.frames[i].row;
	if (r < a->scroll)
		a->scroll = r;
	else if (r >= a->scroll + h)
		a->scroll = r - h + 1;
}

void flame_view__update(struct app *a)
{
	if (a->relayout || a->layout.width != a->scr.grid.w) {
		if (flame__layout(&a->layout, a->tree, a->zoom, a->scr.grid.w))
			app__message(a, "out of memory laying out the graph");
		a->relayout = false;
	}
	/* the selection falls back to its closest shown ancestor */
	while (a->sel != CT_ROOT && flame__find(&a->layout, a->sel) < 0)
		a->sel = calltree__node(a->tree, a->sel)->parent;
	scroll_to_selection(a);
}

void flame_view__paint(struct app *a)
{
	struct flame_style s = style_of(a);

	flame__paint(&a->layout, &s, &a->scr.grid, a->graph.top, a->graph.height);
}

void flame_view__select(struct app *a, uint32_t node)
{
	a->sel = node;
	scroll_to_selection(a);
}

void flame_view__zoom(struct app *a, uint32_t node)
{
	a->zoom = node;
	a->sel = node;
	a->relayout = true;
}

/* The heaviest child of the selection shown on the next row. */
static long heaviest_child(const struct app *a, long i)
{
	const struct flame_layout *l = &a->layout;
	uint32_t r = l->frames[i].row + 1;
	long best = -1;

	if (r >= l->nrows)
		return -1;
	for (uint32_t j = l->rows[r]; j < l->rows[r + 1]; j++) {
		const struct ct_node *n = calltree__node(a->tree, l->frames[j].node);

		if (n->parent != l->frames[i].node)
			continue;
		if (best < 0 || n->total > calltree__node(a->tree, l->frames[best].node)->total)
			best = j;
	}
	return best;
}

/*
 * drow: -1 toward the root, +1 toward the leaves; dcol: -1/+1 along the
 * row.  Returns 0 (the loop repaints anyway).
 */
int flame_view__move(struct app *a, int drow, int dcol)
{
	const struct flame_layout *l = &a->layout;
	long i = flame__find(l, a->sel), j = -1;

	if (i < 0)
		return 0;
	if (drow < 0 && a->sel != CT_ROOT) {
		j = flame__find(l, calltree__node(a->tree, a->sel)->parent);
	} else if (drow > 0) {
		j = heaviest_child(a, i);
	} else if (dcol) {
		uint32_t r = l->frames[i].row;

		j = i + dcol;
		if (j < (long)l->rows[r] || j >= (long)l->rows[r + 1])
			j = -1;
	}
	if (j >= 0)
		flame_view__select(a, l->frames[j].node);
	return 0;
}

int flame_view__mouse(struct app *a, const struct input *in)
{
	struct flame_style s = style_of(a);
	uint32_t y = (uint32_t)in->y - a->graph.top;
	long i;

	i = flame__at(&a->layout, flame__row_at(&s, a->graph.height, y), (uint32_t)in->x);
	switch (in->mouse) {
	case MOUSE_CLICK:
		if (i >= 0)
			flame_view__select(a, a->layout.frames[i].node);
		return 0;
	case MOUSE_DOUBLE:
		if (i < 0)
			return 0;
		flame_view__zoom(a, a->layout.frames[i].node);
		return RELAYOUT | RETOP;
	case MOUSE_WHEEL_UP:
		flame_view__zoom(a, i >= 0 ? a->layout.frames[i].node : a->sel);
		return RELAYOUT | RETOP;
	case MOUSE_WHEEL_DOWN:
		if (a->zoom == CT_ROOT)
			return 0;
		a->zoom = calltree__node(a->tree, a->zoom)->parent;
		a->relayout = true;
		return RELAYOUT | RETOP;
	}
	return 0;
}
