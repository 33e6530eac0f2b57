// SPDX-License-Identifier: MIT
/*
 * The bottom of the screen: the timeline (live), the status lines and the
 * key hints.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../render/palette.h"
#include "../render/timeline.h"
#include "app.h"

static double pct(uint64_t n, uint64_t of)
{
	return of ? 100.0 * (double)n / (double)of : 0.0;
}

/* Appends to a status line buffer, never past its end. */
static void add(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

static void frame_name(const struct app *a, uint32_t node, const char **s, size_t *len)
{
	const struct strtab *names = calltree__names(a->tree);
	uint32_t name = calltree__node(a->tree, node)->name;

	*s = name == CT_NONE ? "all" : strtab__str(names, name);
	*len = name == CT_NONE ? 3 : strtab__len(names, name);
}

static void live_fields(const struct app *a, char *line, size_t size);

void status__paint(struct app *a)
{
	struct grid *g = &a->scr.grid;
	const struct ct_node *n = calltree__node(a->tree, a->sel);
	uint64_t all = flame_view__samples(a);
	uint32_t y = a->status.top, x = 0;
	char line[1024] = "";
	const char *name;
	size_t len;

	if (!a->status.height)
		return;
	for (uint32_t i = 0; i < a->status.height; i++)
		grid__fill(g, y + i, 0, g->w, PAL_BAR_TEXT, PAL_BAR, 0);
	frame_name(a, a->sel, &name, &len);
	if (a->status.height == 2) {
		/* the selected frame's name in full on a line of its own */
		grid__text(g, y, 0, g->w, name, len, PAL_BAR_TEXT, CELL_BOLD);
		y++;
	}
	if (a->prompting) {
		snprintf(line, sizeof(line), "Search (regex): %s", a->input);
		x = grid__puts(g, y, 0, g->w, line, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
		if (x < g->w)
			x += grid__puts(g, y, x, 1, "_", PAL_BAR_TEXT, PAL_BAR,
					CELL_BOLD | CELL_REVERSE);
		if (a->msg[0] && x + 2 < g->w)
			grid__puts(g, y, x + 2, g->w - x - 2, a->msg, PAL_BAR_TEXT, PAL_BAR, 0);
		return;
	}
	/* a message comes first, so it is seen whatever the width */
	if (a->msg[0])
		x = grid__puts(g, y, 0, g->w, a->msg, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	if (a->msg[0] && x + 3 < g->w)
		x += grid__puts(g, y, x, 3, " | ", PAL_BAR_TEXT, PAL_BAR, 0);
	if (a->status.height == 1 && x < g->w) {
		x += grid__text(g, y, x, g->w / 2 > 8 ? g->w / 2 : g->w - x, name, len,
				PAL_BAR_TEXT, CELL_BOLD);
		add(line, sizeof(line), " ");
	}
	if (a->diff_on) {
		char d[128];

		diff_view__describe(a, a->sel, d, sizeof(d));
		add(line, sizeof(line), "%s", d);
	} else {
		add(line, sizeof(line), "self %" PRIu64 " (%.1f%%)  total %" PRIu64 " (%.1f%%)",
		    n->self, pct(n->self, all), n->total, pct(n->total, all));
	}
	if (a->search_on)
		add(line, sizeof(line), "  Matched: %.1f%%", pct(a->matched, all));
	if (a->zoom != CT_ROOT)
		add(line, sizeof(line), "  zoom depth %u", calltree__depth(a->tree, a->zoom));
	if (a->live)
		live_fields(a, line, sizeof(line));
	else
		add(line, sizeof(line), "  | %s | %" PRIu64 " samples", a->title, all);
	if (a->diff_on && !a->live)
		add(line, sizeof(line), " | DIFF vs %s", a->baseline_label);
	if (x < g->w)
		grid__puts(g, y, x, g->w - x, line, PAL_BAR_TEXT, PAL_BAR, 0);
}

/* "12:00:01-12:00:11" in local time. */
static void span_text(int64_t t0, int64_t t1, char *buf, size_t size)
{
	time_t a = (time_t)t0, b = (time_t)t1;
	struct tm ta, tb;
	char sa[16] = "?", sb[16] = "?";

	if (localtime_r(&a, &ta))
		strftime(sa, sizeof(sa), "%H:%M:%S", &ta);
	if (localtime_r(&b, &tb))
		strftime(sb, sizeof(sb), "%H:%M:%S", &tb);
	snprintf(buf, size, "%s-%s", sa, sb);
}

void status__window_label(const struct live *l, char *buf, size_t size)
{
	span_text(l->w0, l->w1, buf, size);
}

/* The live view's state, target, rate, window, losses and own CPU. */
static void live_fields(const struct app *a, char *line, size_t size)
{
	static const char *const state[] = { "LIVE", "PAUSED", "REWOUND" };
	const struct live *l = a->live;
	const struct sampler_stats *st = &l->stats;
	uint64_t lost = st->lost + st->stacks_lost + st->events_lost;
	char span[40];

	span_text(l->w0, l->w1, span, sizeof(span));
	add(line, size, "  | %s%s%s", state[l->state], l->target_gone ? " " : "",
	    l->target_gone ? l->target_gone_msg : "");
	if (a->diff_on)
		add(line, size, " DIFF vs %s", a->baseline_label);
	add(line, size, " | %s | %u Hz | %us %s | %" PRIu64 " samples", l->label, a->opts->freq,
	    l->window, span, calltree__samples(a->after));
	if (lost || st->truncated)
		add(line, size, " | lost %" PRIu64 ", truncated %" PRIu64, lost, st->truncated);
	else
		add(line, size, " | lost 0");
	add(line, size, " | cpu %.1f%%", l->cpu_pct);
}

/* The sparkline of samples per second over the retained history. */
void status__paint_timeline(struct app *a)
{
	const struct live *l = a->live;
	int64_t first, last;
	uint32_t n;
	uint64_t *rates;

	if (!l || !a->timeline.height)
		return;
	grid__fill(&a->scr.grid, a->timeline.top, 0, a->scr.grid.w, PAL_DEFAULT, PAL_DEFAULT, 0);
	if (!history__span(l->history, &first, &last))
		return;
	/* from the start of sampling until the history is full */
	if (first < l->oldest)
		first = l->oldest;
	n = (uint32_t)(last - first + 1);
	rates = calloc(n, sizeof(*rates));
	if (!rates)
		return;
	history__rate(l->history, first, rates, n);
	timeline__paint(&a->scr.grid, a->timeline.top, rates, n, first, l->w0, l->w1,
			a->scr.colours == COLOUR_MONO);
	free(rates);
}

/* The key hints, htop's bottom bar, from the active keymap. */
void status__paint_hints(struct app *a)
{
	static const struct {
		enum action act;
		const char *label;
		bool live;	/* only in the live view */
	} hints[] = {
		{ ACT_HELP, "Help", 0 }, { ACT_SEARCH, "Search", 0 }, { ACT_TOP, "Top", 0 },
		{ ACT_ZOOM_IN, "Zoom", 0 }, { ACT_BACK, "Back", 0 }, { ACT_PAUSE, "Pause", 1 },
		{ ACT_WINDOW_BACK, "Rewind", 1 }, { ACT_BASELINE, "Baseline", 1 },
		{ ACT_DIFF, "Diff", 1 }, { ACT_FLIP, "Flip", 0 }, { ACT_SNAPSHOT, "Save", 0 },
		{ ACT_QUIT, "Quit", 0 },
	};
	struct grid *g = &a->scr.grid;
	uint32_t y = a->hints.top, x = 0;
	bool mono = a->scr.colours == COLOUR_MONO;

	if (!a->hints.height)
		return;
	grid__fill(g, y, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, 0);
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]) && x < g->w; i++) {
		char key[16];
		int k;

		if ((hints[i].live && !a->live) || !keymap__keys(a->keys, hints[i].act, &k, 1))
			continue;
		key__name(k, key, sizeof(key));
		x += grid__puts(g, y, x, g->w - x, key, PAL_BLACK, PAL_ACCENT,
				mono ? CELL_REVERSE : 0);
		if (x < g->w)
			x += grid__puts(g, y, x, g->w - x, hints[i].label, PAL_DEFAULT,
					PAL_DEFAULT, 0);
		if (x < g->w)
			x++;
	}
}

