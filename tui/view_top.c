// SPDX-License-Identifier: MIT
/*
 * The top-N pane: functions of the zoomed subtree by self or total
 * samples.  The selected row's function is highlighted in the graph.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../render/palette.h"
#include "app.h"

/* The table's rows: functions by self or total, or by change in a diff. */
static long rows(const struct app *a)
{
	return a->diff_on ? diff_view__rows(a) : a->nfns;
}

static uint32_t row_name(const struct app *a, long i)
{
	if (a->diff_on)
		return diff_view__row_name(a, i);
	return i >= 0 && i < a->nfns ? a->fns[i].name : CT_NONE;
}

uint32_t top_view__selected_name(const struct app *a)
{
	if (!a->top_open)
		return CT_NONE;
	return row_name(a, a->top_sel);
}

static void keep_visible(struct app *a)
{
	long rows = a->table.height > 1 ? (long)a->table.height - 1 : 1;

	if (a->top_sel < a->top_scroll)
		a->top_scroll = a->top_sel;
	else if (a->top_sel >= a->top_scroll + rows)
		a->top_scroll = a->top_sel - rows + 1;
	if (a->top_scroll < 0)
		a->top_scroll = 0;
}

void top_view__update(struct app *a)
{
	uint32_t keep = a->top_name;
	struct fn_stat *fns = NULL;
	long n;

	if (!a->top_open || !a->top_stale)
		return;
	a->top_stale = false;
	if (!a->diff_on) {
		/* a diff's table is made with the diff */
		n = topn__compute(a->tree, a->zoom, a->top_sort, &fns);
		if (n < 0) {
			app__message(a, "out of memory ranking functions");
			n = 0;
		}
		free(a->fns);
		a->fns = fns;
		a->nfns = n;
	}
	/* the selection follows its function */
	if (keep == CT_NONE || row_name(a, a->top_sel) != keep) {
		a->top_sel = 0;
		for (long i = 0; keep != CT_NONE && i < rows(a); i++)
			if (row_name(a, i) == keep)
				a->top_sel = i;
	}
	a->top_name = row_name(a, a->top_sel);
	keep_visible(a);
	a->marks_stale = true;
}

int top_view__move(struct app *a, long delta)
{
	a->top_sel += delta;
	if (a->top_sel >= rows(a))
		a->top_sel = rows(a) - 1;
	if (a->top_sel < 0)
		a->top_sel = 0;
	a->top_name = row_name(a, a->top_sel);
	keep_visible(a);
	return REMARK;
}

static bool in_subtree(const struct calltree *t, uint32_t id, uint32_t root)
{
	while (id != CT_NONE && id > root)
		id = calltree__node(t, id)->parent;
	return id == root;
}

/* Zooms the graph to the heaviest frame of the selected function. */
int top_view__zoom(struct app *a)
{
	uint32_t name = top_view__selected_name(a), best = CT_NONE;
	uint32_t n = calltree__nodes(a->tree);

	if (name == CT_NONE)
		return 0;
	for (uint32_t id = a->zoom; id < n; id++) {
		const struct ct_node *node = calltree__node(a->tree, id);

		if (node->name != name || !node->total || !in_subtree(a->tree, id, a->zoom))
			continue;
		if (best == CT_NONE || node->total > calltree__node(a->tree, best)->total)
			best = id;
	}
	if (best == CT_NONE)
		return 0;
	flame_view__zoom(a, best);
	return RELAYOUT | RETOP;
}

int top_view__mouse(struct app *a, const struct input *in)
{
	long row = (long)in->y - (long)a->table.top - 1;

	switch (in->mouse) {
	case MOUSE_WHEEL_UP:
		return top_view__move(a, -3);
	case MOUSE_WHEEL_DOWN:
		return top_view__move(a, 3);
	case MOUSE_CLICK:
	case MOUSE_DOUBLE:
		if (row < 0 || a->top_scroll + row >= rows(a))
			return 0;
		a->top_sel = a->top_scroll + row;
		a->top_name = row_name(a, a->top_sel);
		return in->mouse == MOUSE_DOUBLE ? top_view__zoom(a) | REMARK : REMARK;
	}
	return 0;
}

static double pct(uint64_t n, uint64_t of)
{
	return of ? 100.0 * (double)n / (double)of : 0.0;
}

void top_view__paint(struct app *a)
{
	struct grid *g = &a->scr.grid;
	const struct strtab *names = calltree__names(a->tree);
	uint64_t all = flame_view__samples(a);
	uint32_t y = a->table.top;
	char line[160];

	if (!a->table.height)
		return;
	if (a->diff_on) {
		diff_view__paint_table(a);
		return;
	}
	snprintf(line, sizeof(line), "%6s %7s %10s %10s  FUNCTION (by %s; %zu)", "SELF%",
		 "TOTAL%", "SELF", "TOTAL", a->top_sort == TOPN_SELF ? "self" : "total",
		 (size_t)a->nfns);
	grid__fill(g, y, 0, g->w, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	grid__puts(g, y, 0, g->w, line, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	for (uint32_t r = 1; r < a->table.height; r++) {
		long i = a->top_scroll + (long)r - 1;
		uint8_t attr = i == a->top_sel ? CELL_REVERSE | CELL_BOLD : 0;
		const struct fn_stat *f;
		uint32_t x;

		grid__fill(g, y + r, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, attr);
		if (i >= a->nfns)
			continue;
		f = &a->fns[i];
		snprintf(line, sizeof(line), "%5.1f%% %6.1f%% %10" PRIu64 " %10" PRIu64 "  ",
			 pct(f->self, all), pct(f->total, all), f->self, f->total);
		x = grid__puts(g, y + r, 0, g->w, line, PAL_DEFAULT, PAL_DEFAULT, attr);
		if (x < g->w)
			grid__text(g, y + r, x, g->w - x, strtab__str(names, f->name),
				   strtab__len(names, f->name), PAL_DEFAULT, attr);
	}
}
