/* SPDX-License-Identifier: MIT */
/*
 * cells: what render/ produces and tui/ paints in one pass — a grid of
 * character cells, each a code point with palette colours and attributes.
 */
#ifndef FLAMETOP_CELLS_H
#define FLAMETOP_CELLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	CELL_BOLD = 1,
	CELL_REVERSE = 2,
	CELL_UNDERLINE = 4,
	CELL_DIM = 8,
};

struct cell {
	uint32_t ch;		/* Unicode code point, always one column wide */
	uint8_t fg, bg;		/* palette ids */
	uint8_t attr;
};

struct grid {
	struct cell *cells;	/* w * h, row-major */
	uint32_t w, h;
	bool utf8;		/* may use non-ASCII code points */
};

static inline struct cell *grid__at(struct grid *g, uint32_t row, uint32_t col)
{
	return &g->cells[(size_t)row * g->w + col];
}

/* Fills cells [x, x+n) of row with blanks in the given style (clipped). */
void grid__fill(struct grid *g, uint32_t row, uint32_t x, uint32_t n, uint8_t fg, uint8_t bg,
		uint8_t attr);
/*
 * Writes UTF-8 text at (row, x) in at most n columns, keeping each cell's
 * background; if it does not fit, it ends with an ellipsis.  Code points
 * that are not one column wide, or not ASCII on a non-UTF-8 grid, show as
 * '?'.  Returns the columns written.
 */
uint32_t grid__text(struct grid *g, uint32_t row, uint32_t x, uint32_t n, const char *s,
		    size_t len, uint8_t fg, uint8_t attr);
/* Same as grid__text() for a NUL-terminated string, with a background. */
uint32_t grid__puts(struct grid *g, uint32_t row, uint32_t x, uint32_t n, const char *s,
		    uint8_t fg, uint8_t bg, uint8_t attr);
/* Columns the UTF-8 text takes when written by grid__text(). */
uint32_t text__columns(const char *s, size_t len);

#endif
