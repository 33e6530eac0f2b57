/* SPDX-License-Identifier: MIT */
/*
 * Help: one line per action of the action table, with the keys the active
 * keymap binds to it.  While open, scrolling keys scroll it and any other
 * key closes it.
 */
#ifndef FLAMETOP_VIEW_HELP_H
#define FLAMETOP_VIEW_HELP_H

#include <stdbool.h>
#include <stdint.h>

#include "../keymaps/keymap.h"
#include "../render/cells.h"

struct help_view {
	bool open;
	uint32_t scroll;
};

void help_view__open(struct help_view *v);
/* An action while help is open: scrolls or closes it. */
void help_view__act(struct help_view *v, enum action act);
uint32_t help_view__lines(void);
/* Paints rows [0, height) of g; origin names the keymap (and the user's file). */
void help_view__paint(struct help_view *v, const struct keymap *km, const char *origin,
		      struct grid *g, uint32_t height);

#endif
