/* SPDX-License-Identifier: MIT */
/*
 * palette: the colours render/ paints with, as small ids.  Each id has an
 * xterm 256-colour value and an 8-colour fallback; tui/ turns them into
 * curses colour pairs (or ignores them on a monochrome terminal).
 */
#ifndef FLAMETOP_PALETTE_H
#define FLAMETOP_PALETTE_H

#include <stdint.h>

#include "../profile/strtab.h"

enum {
	PAL_DEFAULT = 0,	/* the terminal's own colour */
	PAL_BLACK,
	PAL_WHITE,
	PAL_BAR,		/* status and title bars */
	PAL_BAR_TEXT,
	PAL_ACCENT,		/* key names in the hint line, headings */
	PAL_MATCH,		/* search matches and top-N highlight */
	PAL_WARN,
	PAL_USER,		/* PAL_SHADES warm shades of user frames */
	PAL_KERNEL = PAL_USER + 8,
	PAL_UNKNOWN = PAL_KERNEL + 8,
	PAL_GROW = PAL_UNKNOWN + 2,	/* diff: PAL_DIFF_LEVELS reds, weak to strong */
	PAL_SHRINK = PAL_GROW + 5,	/* diff: blues, weak to strong */
	PAL_SAME = PAL_SHRINK + 5,	/* diff: unchanged */
	PAL_COUNT,
};
#define PAL_SHADES 8
#define PAL_DIFF_LEVELS 5

/* Stable colour of a frame: its kind picks the family, its name the shade. */
uint8_t palette__frame(enum frame_kind kind, const char *name, uint32_t len);
/* Colour of a change of share, in points: red grew, blue shrank. */
uint8_t palette__diff(double delta_points, double max_abs_points, int is_new);

uint8_t palette__xterm256(uint8_t id);
/* Fallback among the 8 ANSI colours (0 black .. 7 white). */
uint8_t palette__ansi8(uint8_t id);

#endif
