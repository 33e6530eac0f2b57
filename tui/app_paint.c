// SPDX-License-Identifier: MIT
/*
 * The explorer's paint: each pane from the state the loop brought up to
 * date (app.c), and the status line's model filled from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../profile/textsafe.h"
#include "app.h"
#include "status.h"

/* Samples per second that would be every CPU busy; 0 when unknown. */
static double all_per_sec(const struct app *a)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return a->live && a->live->source->info.hz && cpus > 0
		? (double)cpus * a->live->source->info.hz : 0;
}

/* Seconds a sample stands for (1/Hz); 0 when the profile has no rate. */
double app__seconds(const struct app *a)
{
	if (!a->live)
		return a->file_hz && a->vt.unit == UNIT_SAMPLES ? 1.0 / a->file_hz : 0;
	return a->live->source->info.hz ? 1.0 / a->live->source->info.hz : 0;
}

/* Samples that would be every CPU busy for the whole window; 0 when unknown. */
static double all_cpus(const struct app *a)
{
	const struct live *l = a->live;
	double per_sec = all_per_sec(a);
	int64_t secs;

	if (!per_sec || l->newest == INT64_MIN)
		return 0;
	/* the seconds of the window that were sampled */
	secs = (l->w1 < l->newest + 1 ? l->w1 : l->newest + 1) - (l->w0 > l->oldest ? l->w0 : l->oldest);
	return secs > 0 ? per_sec * (double)secs : 0;
}

/*
 * Where the function named name is declared, "file.c:42" into buf, when the
 * live view's source knows (debug info).  A path from the process's debug
 * info, printed: escaped as every name is.
 */
static bool where_of(void *ctx, uint32_t name, char *buf, size_t size)
{
	const struct app *a = ctx;
	const char *file;
	uint32_t line;
	char raw[480];
	int len;

	if (!a->live || !source__where(a->live->source, name, &file, &line))
		return false;
	len = snprintf(raw, sizeof(raw), "%s:%u", file, line);
	textsafe__escape(buf, size, raw, len < (int)sizeof(raw) ? (size_t)len : sizeof(raw) - 1);
	return true;
}

static double share(uint64_t n, uint64_t of)
{
	return of ? 100.0 * (double)n / (double)of : 0.0;
}

static void paint_status(struct app *a)
{
	const struct ct_node *n = calltree__node(a->tree, a->flame.sel);
	const struct strtab *names = calltree__names(a->tree);
	struct live_status ls;
	char describe[128], where[512], sandwich[128];
	struct status_model m = {
		.name = n->name != CT_NONE ? strtab__str(names, n->name) :
			a->flame.root_label ? a->flame.root_label : "all",
		.name_len = n->name != CT_NONE ? strtab__len(names, n->name) :
			    a->flame.root_label ? a->flame.root_len : 3,
		.self = n->self,
		.total = n->total,
		/* shares are of all samples, kept or not (pprof's) */
		.samples = a->diff.on ? calltree__samples(a->tree) : a->shape.all,
		.baseline = a->diff.on ? a->diff.label : NULL,
		.search_on = a->search.on,
		.matched = a->search.matched,
		.zoom_depth = calltree__depth(a->tree, a->flame.zoom),
		.title = a->title,
		.prompt = a->shape.line.on ? a->shape.line.text :
			  a->search.line.on ? a->search.line.text : NULL,
		.prompt_label = a->shape.line.on ? shape_view__asking(&a->shape) : "Search (regex)",
		.msg = a->note.text,
		.cpu_pct = -1,
		.values = a->values,
		.seconds = app__seconds(a),
		.unit = a->vt.unit,
		.unit_name = a->vt.unit != UNIT_SAMPLES ? a->vt.name : NULL,
	};

	if (a->diff.on) {
		diff_view__describe(&a->diff, a->flame.sel, describe, sizeof(describe));
		m.diff_text = describe;
	}
	if (n->name != CT_NONE && where_of(a, n->name, where, sizeof(where)))
		m.where = where;
	if (a->live) {
		double all = all_cpus(a);

		live__status(a->live, &ls);
		m.live = &ls;
		m.window_samples = calltree__samples(a->profile);
		/* a share of the CPUs is of samples: not of time blocked */
		m.cpu_pct = all > 0 && a->vt.unit == UNIT_SAMPLES ?
			    100.0 * (double)m.window_samples / all : -1;
	}
	if (a->sand.on) {
		snprintf(sandwich, sizeof(sandwich), "SANDWICH %s self %.1f%% total %.1f%%",
			 a->sand.callers_active ? "callers" : "callees",
			 share(a->sand.s.self, a->shape.all), share(a->sand.s.total, a->shape.all));
		m.mode = sandwich;
	}
	if (a->focus.frame != CT_NONE) {
		m.focus = strtab__str(names, a->focus.frame);
		m.focus_len = strtab__len(names, a->focus.frame);
	}
	status__paint(&m, &a->scr.grid, &a->status);
}

static void paint_timeline(struct app *a)
{
	int64_t first = 0;
	uint32_t n = 0;
	uint64_t *rates;

	if (!a->live || !a->timeline.height)
		return;
	rates = live__rates(a->live, &first, &n);
	status__paint_timeline(rates, n, first, a->live->w0, a->live->w1, all_per_sec(a),
			       a->vt.unit, a->scr.colours == COLOUR_MONO, &a->scr.grid,
			       &a->timeline);
	free(rates);
}

static void paint_procs(struct app *a)
{
	struct procs_scale sc = { a->group, a->focus.frame, all_cpus(a) };

	procs_view__paint(&a->procs, calltree__names(a->tree), &sc, &a->scr.grid, &a->table);
}

/* The graph, or the sandwich's two halves (the active one marked). */
static void paint_graph(struct app *a, const struct flame_marks *marks)
{
	struct flame_marks plain = { NULL, NULL, marks->mono };
	struct flame_view *callers, *callees;
	struct pane up, down;

	if (!a->sand.on) {
		flame_view__paint(&a->flame, marks, &a->scr.grid, &a->graph);
		return;
	}
	sandwich_view__panes(&a->graph, &up, &down);
	callers = sandwich_view__callers(&a->sand, &a->flame);
	callees = sandwich_view__callees(&a->sand, &a->flame);
	flame_view__paint(callers, a->sand.callers_active ? marks : &plain, &a->scr.grid, &up);
	flame_view__paint(callees, a->sand.callers_active ? &plain : marks, &a->scr.grid, &down);
}

void app__paint(struct app *a)
{
	struct grid *g = &a->scr.grid;
	bool mono = a->scr.colours == COLOUR_MONO;
	/* after the state was brought up to date, which may have made them again */
	struct flame_marks marks = { a->mark, a->diff.on ? a->diff.colour : NULL, mono };
	if (a->help.open) {
		/* above the chips and the timeline, which are drawn over what is below */
		help_view__paint(&a->help, a->keys, a->keys_origin, g, a->chips.top);
	} else {
		paint_graph(a, &marks);
		if (a->procs.open)
			paint_procs(a);
		else if (a->diff.on)
			diff_view__paint_table(&a->diff, a->top.sel, a->top.scroll, g, &a->table);
		else
			top_view__paint(&a->top, a->tree, a->shape.all,
					&(struct where_fn){ where_of, a }, g, &a->table);
	}
	shape_view__paint(&a->shape, mono, g, &a->chips);
	paint_timeline(a);
	paint_status(a);
	status__paint_hints(a->keys, a->live != NULL, a->live && a->live->source->info.realtime,
			    mono, g, &a->hints);
}
