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

#include "../render/palette.h"
#include "../render/timeline.h"
#include "status.h"

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

/* The live view's state, target, rate, window, losses and own CPU. */
static void live_fields(const struct status_model *m, char *line, size_t size)
{
	static const char *const state[] = { "LIVE", "PAUSED", "REWOUND" };
	const struct live_status *l = m->live;

	add(line, size, "  | %s%s%s", state[l->state], l->gone ? " " : "", l->gone ? l->gone : "");
	if (m->baseline)
		add(line, size, " DIFF vs %s", m->baseline);
	add(line, size, " | %s", l->label);
	if (l->hz)
		add(line, size, " | %u Hz", l->hz);
	add(line, size, " | %us %s | %" PRIu64 " samples", l->window, l->span, m->window_samples);
	if (m->cpu_pct >= 0)
		add(line, size, " (%.1f%% CPU)", m->cpu_pct);
	if (!l->realtime)
		return;		/* a replay: losses and our CPU were not saved */
	if (l->lost || l->truncated)
		add(line, size, " | lost %" PRIu64 ", truncated %" PRIu64, l->lost, l->truncated);
	else
		add(line, size, " | lost 0");
	add(line, size, " | cpu %.1f%%", l->cpu_pct);
}

/* The prompt instead of the figures, with the note after it. */
static void paint_prompt(const struct status_model *m, struct grid *g, uint32_t y)
{
	char line[1024];
	uint32_t x;

	snprintf(line, sizeof(line), "%s: %s", m->prompt_label, m->prompt);
	x = grid__puts(g, y, 0, g->w, line, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	if (x < g->w)
		x += grid__puts(g, y, x, 1, "_", PAL_BAR_TEXT, PAL_BAR, CELL_BOLD | CELL_REVERSE);
	if (m->msg[0] && x + 2 < g->w)
		grid__puts(g, y, x + 2, g->w - x - 2, m->msg, PAL_BAR_TEXT, PAL_BAR, 0);
}

void status__paint(const struct status_model *m, struct grid *g, const struct pane *p)
{
	uint32_t y = p->top, x = 0;
	char line[1024] = "";

	if (!p->height)
		return;
	for (uint32_t i = 0; i < p->height; i++)
		grid__fill(g, y + i, 0, g->w, PAL_BAR_TEXT, PAL_BAR, 0);
	if (p->height == 2) {
		/* the selected frame's name in full on a line of its own, and its source */
		x = grid__text(g, y, 0, g->w, m->name, m->name_len, PAL_BAR_TEXT, CELL_BOLD);
		if (m->where && x + 4 < g->w) {
			snprintf(line, sizeof(line), "  at %s", m->where);
			grid__puts(g, y, x, g->w - x, line, PAL_BAR_TEXT, PAL_BAR, 0);
			line[0] = '\0';
		}
		x = 0;
		y++;
	}
	if (m->prompt) {
		paint_prompt(m, g, y);
		return;
	}
	/* a message comes first, so it is seen whatever the width */
	if (m->msg[0])
		x = grid__puts(g, y, 0, g->w, m->msg, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	if (m->msg[0] && x + 3 < g->w)
		x += grid__puts(g, y, x, 3, " | ", PAL_BAR_TEXT, PAL_BAR, 0);
	if (p->height == 1 && x < g->w) {
		x += grid__text(g, y, x, g->w / 2 > 8 ? g->w / 2 : g->w - x, m->name, m->name_len,
				PAL_BAR_TEXT, CELL_BOLD);
		add(line, sizeof(line), " ");
	}
	if (m->diff_text)
		add(line, sizeof(line), "%s", m->diff_text);
	else
		add(line, sizeof(line), "self %" PRIu64 " (%.1f%%)  total %" PRIu64 " (%.1f%%)",
		    m->self, pct(m->self, m->samples), m->total, pct(m->total, m->samples));
	if (m->where && p->height == 1)
		add(line, sizeof(line), "  at %s", m->where);
	if (m->search_on)
		add(line, sizeof(line), "  Matched: %.1f%%", pct(m->matched, m->samples));
	if (m->zoom_depth)
		add(line, sizeof(line), "  zoom depth %u", m->zoom_depth);
	if (m->focus)
		add(line, sizeof(line), "  FOCUS %.*s", (int)m->focus_len, m->focus);
	if (m->live)
		live_fields(m, line, sizeof(line));
	else
		add(line, sizeof(line), "  | %s | %" PRIu64 " samples", m->title, m->samples);
	if (m->baseline && !m->live)
		add(line, sizeof(line), " | DIFF vs %s", m->baseline);
	if (x < g->w)
		grid__puts(g, y, x, g->w - x, line, PAL_BAR_TEXT, PAL_BAR, 0);
}

void status__paint_timeline(const uint64_t *rates, uint32_t n, int64_t first, int64_t w0,
			    int64_t w1, bool mono, struct grid *g, const struct pane *p)
{
	if (!p->height)
		return;
	grid__fill(g, p->top, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, 0);
	if (rates)
		timeline__paint(g, p->top, rates, n, first, w0, w1, mono);
}

void status__paint_hints(const struct keymap *km, bool live, bool realtime, bool mono,
			 struct grid *g, const struct pane *p)
{
	static const struct {
		enum action act;
		const char *label;
		uint8_t live;	/* 1: only in the live view; 2: only while sampling */
	} hints[] = {
		{ ACT_HELP, "Help", 0 }, { ACT_SEARCH, "Search", 0 }, { ACT_TOP, "Top", 0 },
		{ ACT_ZOOM_IN, "Zoom", 0 }, { ACT_BACK, "Back", 0 }, { ACT_PAUSE, "Pause", 2 },
		{ ACT_PROCS, "Procs", 1 }, { ACT_GROUP, "Group", 2 },
		{ ACT_WINDOW_BACK, "Rewind", 1 }, { ACT_BASELINE, "Baseline", 1 },
		{ ACT_DIFF, "Diff", 1 }, { ACT_FLIP, "Flip", 0 }, { ACT_SNAPSHOT, "Save", 0 },
		{ ACT_QUIT, "Quit", 0 },
	};
	uint32_t y = p->top, x = 0;

	if (!p->height)
		return;
	grid__fill(g, y, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, 0);
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]) && x < g->w; i++) {
		char key[16];
		int k;

		if ((hints[i].live && !live) || (hints[i].live == 2 && !realtime) ||
		    !keymap__keys(km, hints[i].act, &k, 1))
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
