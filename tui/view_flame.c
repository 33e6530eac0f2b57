// SPDX-License-Identifier: MIT
/*
 * The graph pane: keeps the layout in step with the tree, zoom and width,
 * keeps the selection on a visible frame, moves it, and paints.
 */
#include "view_flame.h"

void flame_view__init(struct flame_view *v)
{
	*v = (struct flame_view){ .zoom = CT_ROOT, .sel = CT_ROOT, .relayout = true };
	flame__init(&v->layout);
}

void flame_view__free(struct flame_view *v)
{
	flame__release(&v->layout);
	name_path__free(&v->zoom_path);
	name_path__free(&v->sel_path);
}

void flame_view__hold(struct flame_view *v)
{
	if (!v->tree || v->held)
		return;
	/* out of memory: an empty path, the root */
	name_path__set(&v->zoom_path, v->tree, v->zoom);
	name_path__set(&v->sel_path, v->tree, v->sel);
	v->held = true;
}

void flame_view__set_tree(struct flame_view *v, const struct calltree *t, bool renumbered)
{
	if (v->held) {
		v->zoom = name_path__find(&v->zoom_path, t, NULL);
		v->sel = name_path__find(&v->sel_path, t, NULL);
		v->held = false;
	} else if (t != v->tree) {
		v->zoom = v->sel = CT_ROOT;
	}
	if (renumbered || t != v->tree)
		flame__invalidate(&v->layout);
	v->tree = t;
	v->relayout = true;
}

static struct flame_style style_of(const struct flame_view *v, const struct flame_marks *m)
{
	return (struct flame_style){
		.orient = v->orient,
		.scroll = v->scroll,
		.selected = v->sel,
		.mark = m ? m->mark : NULL,
		.colour = m ? m->colour : NULL,
		.mono = m && m->mono,
		.root_label = v->root_label,
		.root_len = v->root_len,
	};
}

/* Keeps the selected frame's row inside the pane. */
static void scroll_to_selection(struct flame_view *v)
{
	long i = flame__find(&v->layout, v->sel);
	uint32_t h = v->height, n = v->layout.nrows, r;

	if (!h)
		return;
	if (v->scroll > (n > h ? n - h : 0))
		v->scroll = n > h ? n - h : 0;
	if (i < 0)
		return;
	r = v->layout.frames[i].row;
	if (r < v->scroll)
		v->scroll = r;
	else if (r >= v->scroll + h)
		v->scroll = r - h + 1;
}

void flame_view__update(struct flame_view *v, uint32_t width, uint32_t height,
			struct note *note)
{
	/* breadcrumbs past a quarter of the rows fold into one */
	uint32_t crumbs = height / 4 > 1 ? height / 4 : 1;

	v->height = height;
	if (v->relayout || v->layout.width != width || v->layout.crumb_limit != crumbs) {
		v->layout.crumb_limit = crumbs;
		if (flame__layout(&v->layout, v->tree, v->zoom, width))
			note__set(note, "out of memory laying out the graph");
		v->relayout = false;
	}
	/* the selection falls back to its closest shown ancestor */
	while (v->sel != CT_ROOT && flame__find(&v->layout, v->sel) < 0)
		v->sel = calltree__node(v->tree, v->sel)->parent;
	/* past folded breadcrumbs: the row that stands for them */
	if (flame__find(&v->layout, v->sel) < 0 && v->layout.nframes)
		v->sel = v->layout.frames[0].node;
	scroll_to_selection(v);
}

void flame_view__paint(const struct flame_view *v, const struct flame_marks *m,
		       struct grid *g, const struct pane *p)
{
	struct flame_style s = style_of(v, m);

	flame__paint(&v->layout, &s, g, p->top, p->height);
}

void flame_view__select(struct flame_view *v, uint32_t node)
{
	v->sel = node;
	scroll_to_selection(v);
}

int flame_view__zoom(struct flame_view *v, uint32_t node)
{
	if (node == v->zoom && node == v->sel)
		return DO_NOTHING;
	v->zoom = node;
	v->sel = node;
	v->relayout = true;
	return DO_RELAYOUT | DO_RETOP;
}

int flame_view__zoom_out(struct flame_view *v)
{
	if (v->zoom == CT_ROOT)
		return DO_NOTHING;
	v->zoom = calltree__node(v->tree, v->zoom)->parent;
	v->relayout = true;
	return DO_RELAYOUT | DO_RETOP;
}

int flame_view__zoom_reset(struct flame_view *v)
{
	v->zoom = CT_ROOT;
	v->relayout = true;
	return DO_RELAYOUT | DO_RETOP;
}

/* The heaviest child of the selection shown on the next row. */
static long heaviest_child(const struct flame_view *v, long i)
{
	const struct flame_layout *l = &v->layout;
	uint32_t r = l->frames[i].row + 1;
	long best = -1;

	if (r >= l->nrows)
		return -1;
	for (uint32_t j = l->rows[r]; j < l->rows[r + 1]; j++) {
		const struct ct_node *n = calltree__node(v->tree, l->frames[j].node);

		if (n->parent != l->frames[i].node)
			continue;
		if (best < 0 || n->total > calltree__node(v->tree, l->frames[best].node)->total)
			best = j;
	}
	return best;
}

void flame_view__move(struct flame_view *v, int drow, int dcol)
{
	const struct flame_layout *l = &v->layout;
	long i = flame__find(l, v->sel), j = -1;

	if (i < 0)
		return;
	if (drow < 0 && v->sel != CT_ROOT) {
		j = flame__find(l, calltree__node(v->tree, v->sel)->parent);
	} else if (drow > 0) {
		j = heaviest_child(v, i);
	} else if (dcol) {
		uint32_t r = l->frames[i].row;

		j = i + dcol;
		if (j < (long)l->rows[r] || j >= (long)l->rows[r + 1])
			j = -1;
	}
	if (j >= 0)
		flame_view__select(v, l->frames[j].node);
}

uint32_t flame_view__at(const struct flame_view *v, const struct pane *p, int x, int y)
{
	struct flame_style s = style_of(v, NULL);
	long i;

	if (!pane__holds(p, y) || x < 0)
		return CT_NONE;
	i = flame__at(&v->layout, flame__row_at(&s, p->height, (uint32_t)y - p->top),
		      (uint32_t)x);
	return i >= 0 ? v->layout.frames[i].node : CT_NONE;
}
