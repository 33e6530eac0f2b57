// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../render/palette.h"
#include "view_procs.h"

void procs_view__init(struct procs_view *v)
{
	*v = (struct procs_view){ .frame = CT_NONE, .stale = true };
}

void procs_view__free(struct procs_view *v)
{
	free(v->rows);
	free(v->host);
	v->host = NULL;
	v->rows = NULL;
	v->nrows = 0;
}

static void keep_visible(struct procs_view *v)
{
	pane__keep_row(&v->sel, &v->scroll, v->nrows, v->height);
}

static int by_name(const void *a, const void *b, void *names)
{
	const struct who_row *x = a, *y = b;

	return strtab__cmp(names, x->frame, y->frame);
}

void procs_view__update(struct procs_view *v, const struct calltree *window, enum group_by g,
			uint32_t height, struct note *note)
{
	struct who_row *rows = NULL;
	long n;

	v->height = height;
	if (!v->open || !v->stale)
		return;
	v->stale = false;
	n = who__table(window, g, &rows);
	if (n < 0) {
		note__set(note, "out of memory listing the processes");
		n = 0;
	}
	if (v->by_name && n > 1)
		qsort_r(rows, (size_t)n, sizeof(*rows), by_name, calltree__names(window));
	free(v->host);
	v->host = n ? calloc((size_t)n, sizeof(*v->host)) : NULL;
	free(v->rows);
	v->rows = rows;
	v->nrows = n;
	/* the selection follows its row */
	for (long i = 0; v->frame != CT_NONE && i < n; i++)
		if (rows[i].frame == v->frame)
			v->sel = i;
	keep_visible(v);
	v->frame = v->sel < n ? rows[v->sel].frame : CT_NONE;
}

int procs_view__move(struct procs_view *v, long delta)
{
	v->sel += delta;
	keep_visible(v);
	v->frame = v->sel < v->nrows ? v->rows[v->sel].frame : CT_NONE;
	return DO_NOTHING;
}

uint32_t procs_view__selected(const struct procs_view *v)
{
	return v->open && v->sel < v->nrows ? v->rows[v->sel].frame : CT_NONE;
}

bool procs_view__select_at(struct procs_view *v, const struct pane *p, int y)
{
	long row = (long)y - (long)p->top - 1;

	if (!pane__holds(p, y) || row < 0 || v->scroll + row >= v->nrows)
		return false;
	v->sel = v->scroll + row;
	v->frame = v->rows[v->sel].frame;
	return true;
}

#define NAME_COLS 30	/* the name column, ended with an ellipsis when longer */

static double pct(uint64_t n, double of)
{
	return of > 0 ? 100.0 * (double)n / of : 0.0;
}

static const char *id_heading(enum group_by g)
{
	return g == GROUP_THREAD ? "TID" : g == GROUP_CONTAINER ? "" : "PID";
}

/* "  1234 " or blank: the row's process (or thread) when it is one. */
static void paint_row(const struct procs_view *v, long i, const struct strtab *names,
		      const struct procs_scale *sc, uint64_t all, struct grid *g, uint32_t y)
{
	const struct who_row *r = &v->rows[i];
	uint8_t attr = i == v->sel ? CELL_REVERSE | CELL_BOLD : 0;
	uint32_t id = sc->group == GROUP_THREAD ? r->tid : r->pid, x;
	char line[160], num[16] = "", cpu[16] = "-";

	if (id && sc->group != GROUP_CONTAINER)
		snprintf(num, sizeof(num), "%u", id);
	if (sc->cpu_samples > 0)
		snprintf(cpu, sizeof(cpu), "%.1f", pct(r->samples, sc->cpu_samples));
	snprintf(line, sizeof(line), "%c%7s %10" PRIu64 " %6.1f%% %6s  ",
		 r->frame == sc->focus ? '*' : ' ', num, r->samples, pct(r->samples, (double)all),
		 cpu);
	grid__fill(g, y, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, attr);
	x = grid__puts(g, y, 0, g->w, line, PAL_DEFAULT, PAL_DEFAULT, attr);
	if (x < g->w)
		grid__text(g, y, x, g->w - x > NAME_COLS ? NAME_COLS : g->w - x,
			   strtab__str(names, r->frame), strtab__len(names, r->frame), PAL_DEFAULT,
			   attr | CELL_BOLD);
	/* the container column lines up under its heading */
	x += sc->group == GROUP_CONTAINER ? text__columns(strtab__str(names, r->frame),
							 strtab__len(names, r->frame)) : NAME_COLS;
	if (x + 2 < g->w && r->container != CT_NONE && sc->group != GROUP_CONTAINER)
		x += 2 + grid__text(g, y, x + 2, g->w - x - 2, strtab__str(names, r->container),
				    strtab__len(names, r->container), PAL_DEFAULT, attr);
	if (x + 2 < g->w && v->host && v->host[i][0]) {
		snprintf(line, sizeof(line), "(%s)", v->host[i]);
		grid__puts(g, y, x + 1, g->w - x - 1, line, PAL_DEFAULT, PAL_DEFAULT, attr);
	}
}

void procs_view__paint(const struct procs_view *v, const struct strtab *names,
		       const struct procs_scale *sc, struct grid *g, const struct pane *p)
{
	uint64_t all = 0;
	char line[200];

	if (!p->height)
		return;
	for (long i = 0; i < v->nrows; i++)
		all += v->rows[i].samples;
	snprintf(line, sizeof(line), " %7s %10s %7s %6s  %-*s (by %s, %s; %ld; Enter focuses)",
		 id_heading(sc->group), "SAMPLES", "SHARE", "CPU%",
		 sc->group == GROUP_CONTAINER ? 9 : NAME_COLS + 11,
		 sc->group == GROUP_CONTAINER ? "CONTAINER" : "NAME                            CONTAINER",
		 group__name(sc->group), v->by_name ? "name" : "samples", v->nrows);
	grid__fill(g, p->top, 0, g->w, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	grid__puts(g, p->top, 0, g->w, line, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	for (uint32_t r = 1; r < p->height; r++) {
		long i = v->scroll + (long)r - 1;

		if (i < v->nrows)
			paint_row(v, i, names, sc, all, g, p->top + r);
		else
			grid__fill(g, p->top + r, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, 0);
	}
}
