// SPDX-License-Identifier: MIT
/*
 * The top-N pane: functions of the zoomed subtree by self or total
 * samples.  The selected row's function is highlighted in the graph.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../render/palette.h"
#include "view_top.h"

void top_view__init(struct top_view *v)
{
	*v = (struct top_view){ .sort = TOPN_SELF, .name = CT_NONE, .stale = true };
}

void top_view__free(struct top_view *v)
{
	free(v->fns);
	v->fns = NULL;
	v->nfns = 0;
}

/* The table's rows: functions by self or total, or by change in a diff. */
static long rows(const struct top_view *v)
{
	return v->diff ? (long)v->diff->nfns : v->nfns;
}

static uint32_t row_name(const struct top_view *v, long i)
{
	if (i < 0 || i >= rows(v))
		return CT_NONE;
	return v->diff ? v->diff->fns[i].name : v->fns[i].name;
}

uint32_t top_view__selected_name(const struct top_view *v)
{
	return v->open ? row_name(v, v->sel) : CT_NONE;
}

static void keep_visible(struct top_view *v)
{
	pane__keep_row(&v->sel, &v->scroll, rows(v), v->height);
}

bool top_view__update(struct top_view *v, const struct calltree *t, uint32_t zoom,
		      const struct diff *diff, uint32_t height, struct note *note)
{
	uint32_t keep = v->name;

	v->diff = diff;
	v->height = height;
	if (!v->open || !v->stale)
		return false;
	v->stale = false;
	if (!diff) {
		struct fn_stat *fns = NULL;
		long n = topn__compute(t, zoom, v->sort, &fns);

		if (n < 0) {
			note__set(note, "out of memory ranking functions");
			n = 0;
		}
		free(v->fns);
		v->fns = fns;
		v->nfns = n;
	}
	/* the selection follows its function */
	if (keep == CT_NONE || row_name(v, v->sel) != keep) {
		v->sel = 0;
		for (long i = 0; keep != CT_NONE && i < rows(v); i++)
			if (row_name(v, i) == keep)
				v->sel = i;
	}
	v->name = row_name(v, v->sel);
	keep_visible(v);
	return true;
}

int top_view__move(struct top_view *v, long delta)
{
	v->sel += delta;
	keep_visible(v);
	v->name = row_name(v, v->sel);
	return DO_REMARK;
}

void top_view__reset(struct top_view *v)
{
	v->name = CT_NONE;
	v->sel = v->scroll = 0;
	v->stale = true;
}

static bool in_subtree(const struct calltree *t, uint32_t id, uint32_t root)
{
	while (id != CT_NONE && id > root)
		id = calltree__node(t, id)->parent;
	return id == root;
}

uint32_t top_view__heaviest(const struct top_view *v, const struct calltree *t, uint32_t zoom)
{
	uint32_t name = top_view__selected_name(v), best = CT_NONE;
	uint32_t n = calltree__nodes(t);

	if (name == CT_NONE)
		return CT_NONE;
	for (uint32_t id = zoom; id < n; id++) {
		const struct ct_node *node = calltree__node(t, id);

		if (node->name != name || !node->total || !in_subtree(t, id, zoom))
			continue;
		if (best == CT_NONE || node->total > calltree__node(t, best)->total)
			best = id;
	}
	return best;
}

bool top_view__select_at(struct top_view *v, const struct pane *p, int y)
{
	long row = (long)y - (long)p->top - 1;

	if (!pane__holds(p, y) || row < 0 || v->scroll + row >= rows(v))
		return false;
	v->sel = v->scroll + row;
	v->name = row_name(v, v->sel);
	return true;
}

static double pct(uint64_t n, uint64_t of)
{
	return of ? 100.0 * (double)n / (double)of : 0.0;
}

void top_view__paint(const struct top_view *v, const struct calltree *t, uint64_t samples,
		     const struct where_fn *where, struct grid *g, const struct pane *p)
{
	const struct strtab *names = calltree__names(t);
	uint32_t y = p->top;
	char line[160];

	if (!p->height)
		return;
	snprintf(line, sizeof(line), "%6s %7s %10s %10s  FUNCTION (by %s; %zu)", "SELF%",
		 "TOTAL%", v->seconds > 0 ? "SELF s" : "SELF", v->seconds > 0 ? "TOTAL s" : "TOTAL",
		 v->sort == TOPN_SELF ? "self" : "total",
		 (size_t)v->nfns);
	grid__fill(g, y, 0, g->w, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	grid__puts(g, y, 0, g->w, line, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	for (uint32_t r = 1; r < p->height; r++) {
		long i = v->scroll + (long)r - 1;
		uint8_t attr = i == v->sel ? CELL_REVERSE | CELL_BOLD : 0;
		const struct fn_stat *f;
		uint32_t x;

		grid__fill(g, y + r, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, attr);
		if (i >= v->nfns)
			continue;
		f = &v->fns[i];
		if (v->unit != UNIT_SAMPLES) {
			char st[32], tt[32];

			snprintf(line, sizeof(line), "%5.1f%% %6.1f%% %10s %10s  ",
				 pct(f->self, samples), pct(f->total, samples),
				 units__format(st, sizeof(st), f->self, v->unit),
				 units__format(tt, sizeof(tt), f->total, v->unit));
		} else if (v->seconds > 0)
			snprintf(line, sizeof(line), "%5.1f%% %6.1f%% %10.3f %10.3f  ",
				 pct(f->self, samples), pct(f->total, samples),
				 (double)f->self * v->seconds, (double)f->total * v->seconds);
		else
			snprintf(line, sizeof(line), "%5.1f%% %6.1f%% %10" PRIu64 " %10" PRIu64 "  ",
				 pct(f->self, samples), pct(f->total, samples), f->self, f->total);
		x = grid__puts(g, y + r, 0, g->w, line, PAL_DEFAULT, PAL_DEFAULT, attr);
		if (x < g->w)
			x += grid__text(g, y + r, x, g->w - x, strtab__str(names, f->name),
					strtab__len(names, f->name), PAL_DEFAULT, attr);
		if (where && where->fn && x + 3 < g->w &&
		    where->fn(where->ctx, f->name, line + 2, sizeof(line) - 2)) {
			line[0] = line[1] = ' ';
			grid__puts(g, y + r, x, g->w - x, line, PAL_ACCENT, PAL_DEFAULT, attr);
		}
	}
}
