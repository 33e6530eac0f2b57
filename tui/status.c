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

/*
 * What is never cut: the live view's state, what it samples, its window
 * and samples (a file's name and samples), and what a diff compares with.
 */
static void essentials(const struct status_model *m, char *line, size_t size)
{
	static const char *const state[] = { "LIVE", "PAUSED", "REWOUND" };
	const struct live_status *l = m->live;

	if (!l && m->unit != UNIT_SAMPLES) {
		char v[32];

		add(line, size, "| %s | %s %s", m->title, units__format(v, sizeof(v), m->samples, m->unit),
		    m->unit_name ? m->unit_name : "");
		if (m->baseline)
			add(line, size, " | DIFF vs %s", m->baseline);
		return;
	}
	if (!l) {
		add(line, size, "| %s | %" PRIu64 " samples", m->title, m->samples);
		if (m->baseline)
			add(line, size, " | DIFF vs %s", m->baseline);
		return;
	}
	add(line, size, "| %s%s%s", state[l->state], l->gone ? " " : "", l->gone ? l->gone : "");
	if (m->baseline)
		add(line, size, " DIFF vs %s", m->baseline);
	if (m->unit != UNIT_SAMPLES) {
		char v[32];

		/* off-CPU or wall time: the window's, and what it is */
		add(line, size, " | %s | %us %s | %s %s", l->label, l->window, l->span,
		    units__format(v, sizeof(v), m->window_samples, m->unit),
		    m->unit_name ? m->unit_name : "");
	} else {
		add(line, size, " | %s | %us %s | %" PRIu64 " samples", l->label, l->window,
		    l->span, m->window_samples);
	}
	/* windows the push could not deliver: never cut */
	if (l->pushing && l->push_dropped)
		add(line, size, " | push %" PRIu64 " dropped", l->push_dropped);
}

/* The live view's rate, share of the CPUs, losses and own CPU: cut before the essentials. */
static void live_details(const struct status_model *m, char *line, size_t size)
{
	const struct live_status *l = m->live;

	if (l->hz)
		add(line, size, "  %u Hz", l->hz);
	if (m->cpu_pct >= 0)
		add(line, size, "  %.1f%% CPU", m->cpu_pct);
	if (!l->realtime)
		return;		/* a replay: losses and our CPU were not saved */
	if (l->lost || l->truncated)
		add(line, size, "  lost %" PRIu64 ", truncated %" PRIu64, l->lost, l->truncated);
	else
		add(line, size, "  lost 0");
	add(line, size, "  cpu %.1f%%", l->cpu_pct);
	if (l->pushing)
		add(line, size, "  push %" PRIu64 " sent%s", l->push_sent,
		    l->push_queued > 1 ? " (waiting)" : "");
}

void status__time(double secs, char *buf, size_t size)
{
	if (secs < 1)
		snprintf(buf, size, "%.0f ms", secs * 1000);
	else if (secs < 60)
		snprintf(buf, size, "%.2f s", secs);
	else
		snprintf(buf, size, "%.1f min", secs / 60);
}

/* The selected frame's self and total, as the values key asks. */
static void values(const struct status_model *m, char *line, size_t size)
{
	char s[32], t[32];

	if (m->unit != UNIT_SAMPLES) {
		/* a file's own unit (time, bytes, counts): values as pprof prints them */
		units__format(s, sizeof(s), m->self, m->unit);
		units__format(t, sizeof(t), m->total, m->unit);
		if (m->values == VALUES_PERCENT)
			add(line, size, "self %.1f%%  total %.1f%%", pct(m->self, m->samples),
			    pct(m->total, m->samples));
		else if (m->values == VALUES_BOTH)
			add(line, size, "self %s (%.1f%%)  total %s (%.1f%%)", s,
			    pct(m->self, m->samples), t, pct(m->total, m->samples));
		else
			add(line, size, "self %s  total %s", s, t);
		return;
	}
	switch (m->values) {
	case VALUES_PERCENT:
		add(line, size, "self %.1f%%  total %.1f%%", pct(m->self, m->samples),
		    pct(m->total, m->samples));
		return;
	case VALUES_SAMPLES:
		add(line, size, "self %" PRIu64 "  total %" PRIu64 " samples", m->self, m->total);
		return;
	case VALUES_TIME:
		if (m->seconds > 0) {
			status__time((double)m->self * m->seconds, s, sizeof(s));
			status__time((double)m->total * m->seconds, t, sizeof(t));
			add(line, size, "self %s  total %s", s, t);
			return;
		}
		break;
	case VALUES_BOTH:
	case VALUES_MODES:
		break;
	}
	add(line, size, "self %" PRIu64 " (%.1f%%)  total %" PRIu64 " (%.1f%%)", m->self,
	    pct(m->self, m->samples), m->total, pct(m->total, m->samples));
}

/* Where the view is: its mode (the sandwich), focus and zoom. */
static void place(const struct status_model *m, char *line, size_t size)
{
	if (m->mode)
		add(line, size, "  %s", m->mode);
	if (m->focus)
		add(line, size, "  FOCUS %.*s", (int)m->focus_len, m->focus);
	if (m->zoom_depth)
		add(line, size, "  zoom depth %u", m->zoom_depth);
}

/*
 * The selected frame's figures, and where the view is when it has no row
 * of its own, in the order they are cut (last first).
 */
static void details(const struct status_model *m, bool with_place, char *line, size_t size)
{
	/* a search's answer first: it is what the user is waiting for */
	if (m->search_on)
		add(line, size, "Matched: %.1f%%  ", pct(m->matched, m->samples));
	if (m->diff_text)
		add(line, size, "%s", m->diff_text);
	else
		values(m, line, size);
	if (with_place)
		place(m, line, size);
	if (m->live)
		live_details(m, line, size);
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

/*
 * One row of figures: the essentials at its right end, never cut while they
 * fit the screen; before them a note (bold, first, so it is seen), the
 * frame's name (on one-row screens, at most half the room) and the details,
 * each cut to the room left.
 */
static void paint_figures(const struct status_model *m, struct grid *g, uint32_t y, bool name,
			  bool msg)
{
	char right[512] = "", left[1024] = "";
	uint32_t ew, end, x = 0;

	essentials(m, right, sizeof(right));
	ew = text__columns(right, strlen(right));
	if (ew > g->w)
		ew = g->w;
	grid__puts(g, y, g->w - ew, ew, right, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	end = g->w - ew > 2 ? g->w - ew - 2 : 0;
	if (msg && m->msg[0] && x < end) {
		x += grid__puts(g, y, x, end - x, m->msg, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
		if (x + 3 < end)
			x += grid__puts(g, y, x, 3, " | ", PAL_BAR_TEXT, PAL_BAR, 0);
	}
	if (name && x < end) {
		uint32_t room = end - x, half = end / 2 > 8 ? end / 2 : room;

		x += grid__text(g, y, x, room < half ? room : half, m->name, m->name_len,
				PAL_BAR_TEXT, CELL_BOLD);
		if (x < end)
			x++;
	}
	details(m, name, left, sizeof(left));
	if (m->where && name)
		add(left, sizeof(left), "  at %s", m->where);
	if (x < end)
		grid__puts(g, y, x, end - x, left, PAL_BAR_TEXT, PAL_BAR, 0);
}

/*
 * The upper of two rows: the selected frame's name, then a note if there is
 * one (else where the function is declared), and where the view is (zoom,
 * sandwich, focus) at the row's end.  A note too long for that has the row
 * to itself, for a moment: the figures' row below is never cut for a note.
 */
static void paint_name_row(const struct status_model *m, struct grid *g, uint32_t y)
{
	char line[1024] = "";
	uint32_t pw, x, mw = m->msg[0] && !m->prompt ? text__columns(m->msg, strlen(m->msg)) : 0;

	place(m, line, sizeof(line));
	pw = text__columns(line, strlen(line));
	pw = pw < g->w / 2 ? pw : g->w / 2;
	if (mw && text__columns(m->name, m->name_len) + 2 + mw + pw > g->w) {
		grid__puts(g, y, 0, g->w, m->msg, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
		return;
	}
	grid__puts(g, y, g->w - pw, pw, line, PAL_BAR_TEXT, PAL_BAR, 0);
	x = grid__text(g, y, 0, g->w - pw, m->name, m->name_len, PAL_BAR_TEXT, CELL_BOLD);
	if (mw) {
		if (x + 2 < g->w - pw)
			grid__puts(g, y, x + 2, g->w - pw - x - 2, m->msg, PAL_BAR_TEXT, PAL_BAR,
				   CELL_BOLD);
		return;
	}
	if (m->where && x + 4 < g->w - pw) {
		snprintf(line, sizeof(line), "  at %s", m->where);
		grid__puts(g, y, x, g->w - pw - x, line, PAL_BAR_TEXT, PAL_BAR, 0);
	}
}

void status__paint(const struct status_model *m, struct grid *g, const struct pane *p)
{
	uint32_t y = p->top;

	if (!p->height)
		return;
	for (uint32_t i = 0; i < p->height; i++)
		grid__fill(g, y + i, 0, g->w, PAL_BAR_TEXT, PAL_BAR, 0);
	if (p->height == 2)
		paint_name_row(m, g, y++);
	if (m->prompt) {
		paint_prompt(m, g, y);
		return;
	}
	/* on one row, a note comes first; on two, it is on the name's row */
	paint_figures(m, g, y, p->height == 1, p->height == 1);
}
void status__paint_timeline(const uint64_t *rates, uint32_t n, int64_t first, int64_t w0,
			    int64_t w1, double all_per_sec, enum value_unit unit, bool mono,
			    struct grid *g, const struct pane *p)
{
	uint64_t peak = 0;
	char scale[64], v[32];

	if (!p->height)
		return;
	grid__fill(g, p->top, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, 0);
	if (!rates)
		return;
	timeline__paint(g, p->top, rates, n, first, w0, w1, mono);
	for (uint32_t i = 0; i < n; i++)
		peak = rates[i] > peak ? rates[i] : peak;
	if (unit == UNIT_MICROSECONDS)	/* time per second: how many threads, on average */
		snprintf(scale, sizeof(scale), "peak %s/s (%.1f threads) ",
			 units__format(v, sizeof(v), peak, unit), (double)peak / 1e6);
	else if (all_per_sec > 0)
		snprintf(scale, sizeof(scale), "peak %" PRIu64 "/s %.0f%% CPU ", peak,
			 100.0 * (double)peak / all_per_sec);
	else
		snprintf(scale, sizeof(scale), "peak %" PRIu64 "/s ", peak);
	/* the oldest seconds give way to the scale on narrow screens */
	if (g->w >= 40)
		grid__puts(g, p->top, 0, g->w, scale, PAL_ACCENT, PAL_DEFAULT, 0);
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
