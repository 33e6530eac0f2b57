// SPDX-License-Identifier: MIT
/*
 * The diff: the after profile's shape (or, on request, the before one, to
 * see what vanished), each frame coloured by the change of its share of all
 * samples, and a table of functions sorted by change of share.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../render/palette.h"
#include "view_diff.h"

void diff_view__drop(struct diff_view *v)
{
	diff__free(v->diff);
	diff__free(v->rdiff);
	v->diff = v->rdiff = NULL;
}

void diff_view__free(struct diff_view *v)
{
	diff_view__drop(v);
	calltree__free(v->baseline);
	free(v->colour);
	v->baseline = NULL;
	v->colour = NULL;
}

void diff_view__set_baseline(struct diff_view *v, struct calltree *baseline, const char *label)
{
	calltree__free(v->baseline);
	v->baseline = baseline;
	v->before = baseline;
	snprintf(v->label, sizeof(v->label), "%s", label);
}

/* The diff whose union tree is shown, and the sign of its deltas. */
static const struct diff *shown(const struct diff_view *v, double *sign)
{
	*sign = v->before_shape ? -1.0 : 1.0;
	return v->before_shape ? v->rdiff : v->diff;
}

const struct calltree *diff_view__tree(const struct diff_view *v)
{
	double sign;
	const struct diff *d = shown(v, &sign);

	return d ? d->tree : NULL;
}

/* (Re)computes both diffs and the frame colours; the tree shown is the union. */
int diff_view__build(struct diff_view *v, const struct calltree *before,
		     const struct calltree *after)
{
	const struct diff *d;
	double sign, max = 0;
	uint32_t n;
	uint8_t *colour;

	diff_view__drop(v);
	v->diff = diff__new(before, after);
	if (v->diff && v->before_shape)
		v->rdiff = diff__new(after, before);
	if (!v->diff || (v->before_shape && !v->rdiff)) {
		diff_view__drop(v);
		v->on = false;
		return -ENOMEM;
	}
	diff__sort_fns(v->diff);
	d = shown(v, &sign);
	n = calltree__nodes(d->tree);
	colour = realloc(v->colour, n ? n : 1);
	if (!colour) {
		diff_view__drop(v);
		v->on = false;
		return -ENOMEM;
	}
	v->colour = colour;
	for (uint32_t id = 0; id < n; id++)
		if (fabs(diff__node_delta(d, id)) > max)
			max = fabs(diff__node_delta(d, id));
	for (uint32_t id = 0; id < n; id++) {
		const struct diff_node *dn = &d->nodes[id];
		/* in either shape, a frame present on one side only is "new" there */
		int only_here = !dn->before.total && dn->after.total;

		if (only_here && v->before_shape)
			colour[id] = PAL_SHRINK + PAL_DIFF_LEVELS - 1;	/* vanished */
		else
			colour[id] = palette__diff(sign * diff__node_delta(d, id), max, only_here);
	}
	return 0;
}

/* "before 10.0% -> after 22.3% (+12.3)" for a node of the shown tree. */
void diff_view__describe(const struct diff_view *v, uint32_t node, char *buf, size_t size)
{
	double sign;
	const struct diff *d = shown(v, &sign);
	const struct diff_node *dn = &d->nodes[node];
	struct diff_side b = v->before_shape ? dn->after : dn->before;
	struct diff_side f = v->before_shape ? dn->before : dn->after;
	uint64_t bs = v->before_shape ? d->after_samples : d->before_samples;
	uint64_t as = v->before_shape ? d->before_samples : d->after_samples;

	snprintf(buf, size, "before %.1f%% -> after %.1f%% (%+.1f)%s",
		 diff__share(b.total, bs), diff__share(f.total, as),
		 diff__share(f.total, as) - diff__share(b.total, bs),
		 !b.total ? " NEW" : !f.total ? " GONE" : "");
}

void diff_view__paint_table(const struct diff_view *v, long sel, long scroll, struct grid *g,
			    const struct pane *p)
{
	const struct diff *d = v->diff;
	const struct strtab *names;
	long nrows = d ? (long)d->nfns : 0;
	uint32_t y = p->top;
	char line[200];

	if (!p->height || !d)
		return;
	names = calltree__names(d->tree);
	snprintf(line, sizeof(line), "%7s %7s %7s  FUNCTION (by change of share; %ld; shape: %s, "
		 "Tab switches)", "CHANGE", "BEFORE", "AFTER", nrows,
		 v->before_shape ? "before" : "after");
	grid__fill(g, y, 0, g->w, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	grid__puts(g, y, 0, g->w, line, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	for (uint32_t r = 1; r < p->height; r++) {
		long i = scroll + (long)r - 1;
		uint8_t attr = i == sel ? CELL_REVERSE | CELL_BOLD : 0, fg;
		const struct diff_fn *f;
		uint32_t x;

		grid__fill(g, y + r, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, attr);
		if (i >= nrows)
			continue;
		f = &d->fns[i];
		fg = f->delta >= 0.05 ? PAL_WARN : f->delta <= -0.05 ? PAL_SHRINK + 4 : PAL_DEFAULT;
		snprintf(line, sizeof(line), "%+7.1f", f->delta);
		x = grid__puts(g, y + r, 0, g->w, line, fg, PAL_DEFAULT, attr | CELL_BOLD);
		snprintf(line, sizeof(line), " %6.1f%% %6.1f%%  %s",
			 diff__share(f->before.total, d->before_samples),
			 diff__share(f->after.total, d->after_samples),
			 !f->before.total ? "NEW " : !f->after.total ? "GONE " : "");
		if (x < g->w)
			x += grid__puts(g, y + r, x, g->w - x, line, PAL_DEFAULT, PAL_DEFAULT, attr);
		if (x < g->w)
			grid__text(g, y + r, x, g->w - x, strtab__str(names, f->name),
				   strtab__len(names, f->name), PAL_DEFAULT, attr);
	}
}
