/* SPDX-License-Identifier: MIT */
/*
 * What every pane of the explorer shares, and nothing more: where a pane
 * sits on the screen, what a handler asks of the loop, and the note a pane
 * hands back for the status line.  Panes include this, never app.h: they
 * read the model they are given and return what they want.
 */
#ifndef FLAMETOP_PANE_H
#define FLAMETOP_PANE_H

#include <stdint.h>

/* Rows [top, top + height) of the screen. */
struct pane {
	uint32_t top, height;
};

static inline int pane__holds(const struct pane *p, int y)
{
	return y >= 0 && (uint32_t)y >= p->top && (uint32_t)y < p->top + p->height;
}

/*
 * Keeps row *sel of a table of n rows shown in a pane of height rows (a
 * heading, then rows from *scroll): *sel within [0, n), *scroll moved to it.
 */
static inline void pane__keep_row(long *sel, long *scroll, long n, uint32_t height)
{
	long shown = height > 1 ? (long)height - 1 : 1;

	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	if (*sel < *scroll)
		*scroll = *sel;
	else if (*sel >= *scroll + shown)
		*scroll = *sel - shown + 1;
	if (*scroll < 0)
		*scroll = 0;
}

/*
 * What a handler asks of the loop, which alone brings derived state up to
 * date, once.  Every input repaints; these say what must be redone first.
 */
enum {
	DO_NOTHING = 0,
	DO_RELAYOUT = 1 << 0,	/* zoom, tree or width changed: lay the graph out */
	DO_REMARK = 1 << 1,	/* highlights changed */
	DO_RETOP = 1 << 2,	/* the top-N table must be ranked again */
	DO_REFRESH = 1 << 3,	/* the tree shown is another: find zoom and selection again */
	DO_REDRAW = 1 << 4,	/* forget what the terminal shows */
	DO_QUIT = 1 << 5,
	DO_WINDOW = 1 << 6,	/* the live window moved or was resized: count it again */
	DO_REGROUP = 1 << 7,	/* the grouping or the focus changed: make the tree shown again */
};

/* A line for the status line, shown once; empty when there is none. */
struct note {
	char text[256];
};

void note__set(struct note *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
