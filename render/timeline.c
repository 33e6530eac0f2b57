// SPDX-License-Identifier: MIT
#include "palette.h"
#include "timeline.h"

/* U+2581..U+2588: lower one-eighth .. full block; ASCII from low to high */
static const char ascii_levels[] = " .,:-=+*#";

void timeline__paint(struct grid *g, uint32_t row, const uint64_t *rates, uint32_t n,
		     int64_t first, int64_t w0, int64_t w1, bool mono)
{
	uint32_t w = g->w, per = (n + w - 1) / (w ? w : 1), cols;
	uint64_t top = 0;

	if (row >= g->h || !w || !n)
		return;
	if (!per)
		per = 1;
	cols = (n + per - 1) / per;
	if (cols > w)
		cols = w;
	/* columns are aligned to the newest second; find the tallest first */
	for (uint32_t c = 0; c < cols; c++) {
		uint64_t sum = 0;

		for (uint32_t k = 0; k < per; k++) {
			int64_t i = (int64_t)n - (int64_t)(cols - c) * per + k;

			if (i >= 0)
				sum += rates[i];
		}
		if (sum / per > top)
			top = sum / per;
	}
	grid__fill(g, row, 0, w, PAL_DEFAULT, PAL_DEFAULT, 0);
	for (uint32_t c = 0; c < cols; c++) {
		struct cell *cell = grid__at(g, row, w - cols + c);
		int64_t lo = (int64_t)n - (int64_t)(cols - c) * per, hi = lo + per;
		uint64_t sum = 0;
		uint32_t level;
		bool shown;

		for (int64_t i = lo < 0 ? 0 : lo; i < hi; i++)
			sum += rates[i];
		/* in 128 bits: a hostile file's counts come near 2^64 */
		level = top ? (uint32_t)(((unsigned __int128)(sum / per) * 8 + top - 1) / top) : 0;
		if (level > 8)
			level = 8;
		shown = first + hi > w0 && first + (lo < 0 ? 0 : lo) < w1;
		cell->ch = g->utf8 ? (level ? 0x2580 + level : ' ') : (uint32_t)ascii_levels[level];
		cell->fg = shown ? PAL_WHITE : PAL_ACCENT;
		cell->bg = shown ? PAL_BAR : PAL_DEFAULT;
		cell->attr = shown && mono ? CELL_REVERSE : 0;
	}
}
