// SPDX-License-Identifier: MIT
/*
 * Help: one line per action of the action table, with the keys the active
 * keymap binds to it.  Nothing here is written by hand but the heading.
 */
#include <stdio.h>
#include <string.h>

#include "../render/palette.h"
#include "view_help.h"

#define HEAD_LINES 2

void help_view__open(struct help_view *v)
{
	v->open = true;
	v->scroll = 0;
}

void help_view__act(struct help_view *v, enum action act)
{
	long step = act == ACT_PAGE_UP || act == ACT_PAGE_DOWN ? 10 : 1, s;

	if (act != ACT_MOVE_UP && act != ACT_MOVE_DOWN && act != ACT_PAGE_UP &&
	    act != ACT_PAGE_DOWN) {
		v->open = false;
		return;
	}
	s = (long)v->scroll + (act == ACT_MOVE_UP || act == ACT_PAGE_UP ? -step : step);
	v->scroll = s < 0 ? 0 : (uint32_t)s;
}

uint32_t help_view__lines(void)
{
	return ACT_COUNT + HEAD_LINES;
}

/* "Up, k" — the keys bound to action, or "-". */
static void keys_text(const struct keymap *km, enum action act, char *buf, size_t size)
{
	int keys[16];
	size_t n = keymap__keys(km, act, keys, 16), used = 0;

	buf[0] = '\0';
	if (n > 16)
		n = 16;
	for (size_t i = 0; i < n && used + 1 < size; i++) {
		char name[16];
		int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
				 key__name(keys[i], name, sizeof(name)));

		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (!n)
		snprintf(buf, size, "-");
}

void help_view__paint(struct help_view *v, const struct keymap *km, const char *origin,
		      struct grid *g, uint32_t height)
{
	uint32_t lines = help_view__lines();
	char line[512], keys[128];

	if (v->scroll + height > lines)
		v->scroll = lines > height ? lines - height : 0;
	for (uint32_t y = 0; y < height; y++) {
		uint32_t i = v->scroll + y;

		grid__fill(g, y, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, 0);
		if (i == 0) {
			snprintf(line, sizeof(line), "flametop keys (%s) - arrows scroll, "
				 "any other key closes", origin);
			grid__fill(g, y, 0, g->w, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
			grid__puts(g, y, 0, g->w, line, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
			continue;
		}
		if (i < HEAD_LINES || i >= lines)
			continue;
		enum action act = (enum action)(i - HEAD_LINES);
		uint32_t x;

		keys_text(km, act, keys, sizeof(keys));
		snprintf(line, sizeof(line), " %-18s", keys);
		x = grid__puts(g, y, 0, g->w, line, PAL_ACCENT, PAL_DEFAULT, CELL_BOLD);
		snprintf(line, sizeof(line), " %-22s %s", action__name(act),
			 action__description(act));
		if (x < g->w)
			grid__puts(g, y, x, g->w - x, line, PAL_DEFAULT, PAL_DEFAULT, 0);
	}
}
