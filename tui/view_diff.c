// SPDX-License-Identifier: MIT
/*
 * The diff: the after profile's shape (or, on request, the before one, to
 * see what vanished), each frame coloured by the change of its share of all
 * samples, and a table of functions sorted by change of share.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../render/palette.h"
#include "app.h"

void diff_view__free(struct app *a)
{
	diff__free(a->diff);
	diff__free(a->rdiff);
	a->diff = a->rdiff = NULL;
}

/* The diff whose union tree is shown, and the sign of its deltas. */
static const struct diff *shown(const struct app *a, double *sign)
{
	*sign = a->before_shape ? -1.0 : 1.0;
	return a->before_shape ? a->rdiff : a->diff;
}

/* (Re)computes both diffs and the frame colours; the tree shown is the union. */
int diff_view__build(struct app *a)
{
	const struct diff *d;
	double sign, max = 0;
	uint32_t n;
	uint8_t *colour;

	diff_view__free(a);
	a->diff = diff__new(a->before, a->after);
	if (a->diff && a->before_shape)
		a->rdiff = diff__new(a->after, a->before);
	if (!a->diff || (a->before_shape && !a->rdiff)) {
		diff_view__free(a);
		return -1;
	}
	diff__sort_fns(a->diff);
	d = shown(a, &sign);
	n = calltree__nodes(d->tree);
	colour = realloc(a->colour, n ? n : 1);
	if (!colour) {
		diff_view__free(a);
		return -1;
	}
	a->colour = colour;
	for (uint32_t id = 0; id < n; id++)
		if (fabs(diff__node_delta(d, id)) > max)
			max = fabs(diff__node_delta(d, id));
	for (uint32_t id = 0; id < n; id++) {
		const struct diff_node *dn = &d->nodes[id];
		/* in either shape, a frame present on one side only is "new" there */
		int only_here = !dn->before.total && dn->after.total;

		if (only_here && a->before_shape)
			colour[id] = PAL_SHRINK + PAL_DIFF_LEVELS - 1;	/* vanished */
		else
			colour[id] = palette__diff(sign * diff__node_delta(d, id), max, only_here);
	}
	a->tree = d->tree;
	return 0;
}

long diff_view__rows(const struct app *a)
{
	return a->diff ? (long)a->diff->nfns : 0;
}

uint32_t diff_view__row_name(const struct app *a, long row)
{
	return a->diff && row >= 0 && row < (long)a->diff->nfns ? a->diff->fns[row].name : CT_NONE;
}

/* "before 10.0% -> after 22.3% (+12.3)" for a node of the shown tree. */
void diff_view__describe(const struct app *a, uint32_t node, char *buf, size_t size)
{
	double sign;
	const struct diff *d = shown(a, &sign);
	const struct diff_node *dn = &d->nodes[node];
	struct diff_side b = a->before_shape ? dn->after : dn->before;
	struct diff_side f = a->before_shape ? dn->before : dn->after;
	uint64_t bs = a->before_shape ? d->after_samples : d->before_samples;
	uint64_t as = a->before_shape ? d->before_samples : d->after_samples;

	snprintf(buf, size, "before %.1f%% -> after %.1f%% (%+.1f)%s",
		 diff__share(b.total, bs), diff__share(f.total, as),
		 diff__share(f.total, as) - diff__share(b.total, bs),
		 !b.total ? " NEW" : !f.total ? " GONE" : "");
}

void diff_view__paint_table(struct app *a)
{
	struct grid *g = &a->scr.grid;
	const struct strtab *names = calltree__names(a->tree);
	uint32_t y = a->table.top;
	char line[200];

	snprintf(line, sizeof(line), "%7s %7s %7s  FUNCTION (by change of share; %ld; shape: %s, "
		 "Tab switches)", "CHANGE", "BEFORE", "AFTER", diff_view__rows(a),
		 a->before_shape ? "before" : "after");
	grid__fill(g, y, 0, g->w, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	grid__puts(g, y, 0, g->w, line, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	for (uint32_t r = 1; r < a->table.height; r++) {
		long i = a->top_scroll + (long)r - 1;
		uint8_t attr = i == a->top_sel ? CELL_REVERSE | CELL_BOLD : 0, fg;
		const struct diff_fn *f;
		uint32_t x;

		grid__fill(g, y + r, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, attr);
		if (i >= diff_view__rows(a))
			continue;
		f = &a->diff->fns[i];
		fg = f->delta >= 0.05 ? PAL_WARN : f->delta <= -0.05 ? PAL_SHRINK + 4 : PAL_DEFAULT;
		snprintf(line, sizeof(line), "%+7.1f", f->delta);
		x = grid__puts(g, y + r, 0, g->w, line, fg, PAL_DEFAULT, attr | CELL_BOLD);
		snprintf(line, sizeof(line), " %6.1f%% %6.1f%%  %s",
			 diff__share(f->before.total, a->diff->before_samples),
			 diff__share(f->after.total, a->diff->after_samples),
			 !f->before.total ? "NEW " : !f->after.total ? "GONE " : "");
		if (x < g->w)
			x += grid__puts(g, y + r, x, g->w - x, line, PAL_DEFAULT, PAL_DEFAULT, attr);
		if (x < g->w)
			grid__text(g, y + r, x, g->w - x, strtab__str(names, f->name),
				   strtab__len(names, f->name), PAL_DEFAULT, attr);
	}
}
