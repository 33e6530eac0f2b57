/* SPDX-License-Identifier: MIT */
/*
 * The bottom of the screen: the timeline (live), the status lines and the
 * key hints.  It paints what it is given; the loop fills the model.
 */
#ifndef FLAMETOP_STATUS_H
#define FLAMETOP_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../profile/units.h"

#include "../keymaps/keymap.h"
#include "../render/cells.h"
#include "live_status.h"
#include "pane.h"

/* How the status line and the table give values (the values key cycles). */
enum value_mode { VALUES_BOTH, VALUES_PERCENT, VALUES_SAMPLES, VALUES_TIME, VALUES_MODES };

struct status_model {
	enum value_mode values;
	double seconds;			/* per sample (1/Hz); 0: unknown, no time */
	enum value_unit unit;		/* what values count: samples, or a pprof file's unit */
	const char *unit_name;		/* the value's name ("alloc_space"); NULL for samples */
	const char *name;		/* the selected frame */
	size_t name_len;
	const char *where;		/* where its function is declared ("file.c:42"), or NULL */
	uint64_t self, total;		/* its samples */
	uint64_t samples;		/* of the tree shown */
	const char *diff_text;		/* the diff's words for the selection, or NULL */
	const char *baseline;		/* what the diff compares with, or NULL */
	bool search_on;
	uint64_t matched;
	uint32_t zoom_depth;		/* 0: not zoomed */
	const char *title;		/* a file's name, when not live */
	const struct live_status *live;	/* NULL for files */
	uint64_t window_samples;	/* live: the samples of the window */
	double cpu_pct;			/* live: them as a share of CPUs x Hz x window; < 0: unknown */
	const char *mode;		/* a view's own words (the sandwich's), or NULL */
	const char *focus;		/* what the view is focused on, or NULL */
	size_t focus_len;
	const char *prompt;		/* the search or regex being typed, or NULL */
	const char *prompt_label;	/* what it is for */
	const char *msg;		/* a note, or "" */
};

/* One or two rows: the frame's name on a row of its own when there are two. */
void status__paint(const struct status_model *m, struct grid *g, const struct pane *p);
/*
 * The sparkline of samples per second, rates[i] being second first + i,
 * with its scale at the left: the peak in samples/s, and as CPU% when
 * all_per_sec (every CPU busy, in samples/s) is known (> 0).
 */
void status__paint_timeline(const uint64_t *rates, uint32_t n, int64_t first, int64_t w0,
			    int64_t w1, double all_per_sec, enum value_unit unit, bool mono,
			    struct grid *g,
			    const struct pane *p);
/* "412 ms", "5.09 s", "3.2 min" into buf. */
void status__time(double secs, char *buf, size_t size);
/*
 * htop's bottom bar, from the active keymap: the live view's keys when
 * live, Pause only when realtime (a replay has nothing to pause).
 */
void status__paint_hints(const struct keymap *km, bool live, bool realtime, bool mono,
			 struct grid *g, const struct pane *p);

#endif
