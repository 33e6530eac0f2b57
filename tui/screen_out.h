/* SPDX-License-Identifier: MIT */
/*
 * screen_out: the grid painted straight to the terminal, with the
 * terminal's own sequences (terminfo) formatted once at start: per colour
 * its foreground and background, per attribute set its switch.  Only the
 * cells that differ from the last paint are written, in one write.
 *
 * curses formats each colour change anew (tparm), which made a dense
 * flame graph's paint cost 8 ms; curses still reads the keys and the
 * mouse, and is told nothing of what is painted here (stdscr stays blank
 * and untouched, so its refreshes write nothing).
 */
#ifndef FLAMETOP_SCREEN_OUT_H
#define FLAMETOP_SCREEN_OUT_H

#include <stdio.h>

#include "../render/cells.h"
#include "../render/palette.h"

struct screen_out;

/*
 * For the terminal curses set up on out, each palette id's colour number in
 * colour[] (-1: the terminal's default; NULL: no colours).  NULL when the
 * terminal lacks cursor addressing or an attribute reset: curses paints.
 */
struct screen_out *screen_out__new(FILE *out, const short colour[PAL_COUNT]);
void screen_out__free(struct screen_out *o);
/* The screen is not what was painted (cleared, resized, resumed): the next paint is whole. */
void screen_out__invalidate(struct screen_out *o);
/* Paints g: 0, or -errno when writing failed (the next paint is whole). */
int screen_out__paint(struct screen_out *o, const struct grid *g);

#endif
