// SPDX-License-Identifier: MIT
/*
 * The explorer's loop: one poll() over the terminal; each batch of input
 * is dispatched to action handlers, then the panes are laid out and the
 * whole screen is painted once.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../render/palette.h"
#include "app.h"

void app__message(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
	va_end(ap);
}

/* Splits the screen: graph, top-N table, status lines, key hints. */
static void place_panes(struct app *a)
{
	uint32_t h = a->scr.grid.h, avail, table = 0;

	a->hints.height = h >= 8;
	a->status.height = h >= 12 ? 2 : h >= 2 ? 1 : 0;
	avail = h - a->hints.height - a->status.height;
	if (a->top_open && avail >= 5) {
		table = avail * 2 / 5;
		if (table < 3)
			table = 3;
		if (table > avail - 2)
			table = avail - 2;
	}
	a->graph = (struct pane){ 0, avail - table };
	a->table = (struct pane){ avail - table, table };
	a->status.top = avail;
	a->hints.top = avail + a->status.height;
}

static void update_marks(struct app *a)
{
	uint32_t n = calltree__nodes(a->tree), name = top_view__selected_name(a);
	uint8_t *m = realloc(a->mark, n ? n : 1);

	if (!m) {
		app__message(a, "out of memory");
		return;
	}
	a->mark = m;
	for (uint32_t id = 0; id < n; id++)
		m[id] = search__marked(a, id) ||
			(name != CT_NONE && calltree__node(a->tree, id)->name == name);
	a->marks_stale = false;
}

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

static void frame_name(const struct app *a, uint32_t node, const char **s, size_t *len)
{
	const struct strtab *names = calltree__names(a->tree);
	uint32_t name = calltree__node(a->tree, node)->name;

	*s = name == CT_NONE ? "all" : strtab__str(names, name);
	*len = name == CT_NONE ? 3 : strtab__len(names, name);
}

static void paint_status(struct app *a)
{
	struct grid *g = &a->scr.grid;
	const struct ct_node *n = calltree__node(a->tree, a->sel);
	uint64_t all = flame_view__samples(a);
	uint32_t y = a->status.top, x = 0;
	char line[1024] = "";
	const char *name;
	size_t len;

	if (!a->status.height)
		return;
	for (uint32_t i = 0; i < a->status.height; i++)
		grid__fill(g, y + i, 0, g->w, PAL_BAR_TEXT, PAL_BAR, 0);
	frame_name(a, a->sel, &name, &len);
	if (a->status.height == 2) {
		/* the selected frame's name in full on a line of its own */
		grid__text(g, y, 0, g->w, name, len, PAL_BAR_TEXT, CELL_BOLD);
		y++;
	}
	if (a->prompting) {
		snprintf(line, sizeof(line), "Search (regex): %s", a->input);
		x = grid__puts(g, y, 0, g->w, line, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
		if (x < g->w)
			x += grid__puts(g, y, x, 1, "_", PAL_BAR_TEXT, PAL_BAR,
					CELL_BOLD | CELL_REVERSE);
		if (a->msg[0] && x + 2 < g->w)
			grid__puts(g, y, x + 2, g->w - x - 2, a->msg, PAL_BAR_TEXT, PAL_BAR, 0);
		return;
	}
	/* a message comes first, so it is seen whatever the width */
	if (a->msg[0])
		x = grid__puts(g, y, 0, g->w, a->msg, PAL_BAR_TEXT, PAL_BAR, CELL_BOLD);
	if (a->msg[0] && x + 3 < g->w)
		x += grid__puts(g, y, x, 3, " | ", PAL_BAR_TEXT, PAL_BAR, 0);
	if (a->status.height == 1 && x < g->w) {
		x += grid__text(g, y, x, g->w / 2 > 8 ? g->w / 2 : g->w - x, name, len,
				PAL_BAR_TEXT, CELL_BOLD);
		add(line, sizeof(line), " ");
	}
	add(line, sizeof(line), "self %" PRIu64 " (%.1f%%)  total %" PRIu64 " (%.1f%%)", n->self,
	    pct(n->self, all), n->total, pct(n->total, all));
	if (a->search_on)
		add(line, sizeof(line), "  Matched: %.1f%%", pct(a->matched, all));
	add(line, sizeof(line), "  | %s | %" PRIu64 " samples", a->title, all);
	if (a->zoom != CT_ROOT)
		add(line, sizeof(line), " | zoom depth %u", calltree__depth(a->tree, a->zoom));
	if (x < g->w)
		grid__puts(g, y, x, g->w - x, line, PAL_BAR_TEXT, PAL_BAR, 0);
}

/* The key hints, htop's bottom bar, from the active keymap. */
static void paint_hints(struct app *a)
{
	static const struct {
		enum action act;
		const char *label;
	} hints[] = {
		{ ACT_HELP, "Help" }, { ACT_SEARCH, "Search" }, { ACT_TOP, "Top" },
		{ ACT_ZOOM_IN, "Zoom" }, { ACT_BACK, "Back" }, { ACT_FLIP, "Flip" },
		{ ACT_SNAPSHOT, "Save" }, { ACT_QUIT, "Quit" },
	};
	struct grid *g = &a->scr.grid;
	uint32_t y = a->hints.top, x = 0;
	bool mono = a->scr.colours == COLOUR_MONO;

	if (!a->hints.height)
		return;
	grid__fill(g, y, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, 0);
	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]) && x < g->w; i++) {
		char key[16];
		int k;

		if (!keymap__keys(a->keys, hints[i].act, &k, 1))
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

/*
 * Brings derived state (pane sizes, the table, the layout, highlights) up
 * to date, before each input is handled and before painting, so a handler
 * never acts on what an earlier key in the same batch made stale.
 */
static int sync_state(struct app *a)
{
	if (screen__resize(&a->scr)) {
		app__message(a, "out of memory");
		return -ENOMEM;
	}
	place_panes(a);
	top_view__update(a);
	flame_view__update(a);
	if (a->marks_stale)
		update_marks(a);
	return 0;
}

static void paint(struct app *a)
{
	if (sync_state(a))
		return;
	if (a->help_open) {
		help_view__paint(a);
	} else {
		flame_view__paint(a);
		top_view__paint(a);
	}
	paint_status(a);
	paint_hints(a);
	screen__paint(&a->scr);
}

/* Applies what a handler asked for. */
static void apply(struct app *a, int what)
{
	if (what < 0)
		return;
	if (what & RELAYOUT)
		a->relayout = true;
	if (what & RETOP)
		a->top_stale = true;
	if (what & (REMARK | RETOP))
		a->marks_stale = true;
}

/* Typing the search: every change searches again, Enter keeps it, Esc cancels. */
static void prompt_input(struct app *a, const struct input *in)
{
	if (in->kind == INPUT_CHAR) {
		char buf[8];
		mbstate_t st = { 0 };
		size_t n = wcrtomb(buf, (wchar_t)in->key, &st);

		if (n != (size_t)-1 && a->input_len + n < sizeof(a->input)) {
			memcpy(a->input + a->input_len, buf, n);
			a->input_len += n;
			a->input[a->input_len] = '\0';
		}
	} else if (in->key == KEY_CODE_BACKSPACE) {
		while (a->input_len && (a->input[a->input_len - 1] & 0xc0) == 0x80)
			a->input_len--;
		if (a->input_len)
			a->input_len--;
		a->input[a->input_len] = '\0';
	} else if (in->key == KEY_CODE_ESC) {
		a->prompting = false;
		search__clear(a);
		apply(a, REMARK);
		return;
	} else if (in->key == KEY_CODE_ENTER) {
		a->prompting = false;
		if (a->search_on)
			search__jump(a, 1);
		return;
	} else {
		return;
	}
	/* incremental: a pattern that does not compile yet keeps the last one */
	a->msg[0] = '\0';
	apply(a, search__set(a, a->input));
}

static void key_input(struct app *a, const struct input *in)
{
	enum action act;

	if (in->kind == INPUT_CHAR && in->key >= 0x80)
		return;
	act = keymap__action(a->keys, in->key);
	if (a->help_open) {
		/* in help, scrolling keys scroll it and any other key closes it */
		if (act == ACT_MOVE_UP || act == ACT_MOVE_DOWN || act == ACT_PAGE_UP ||
		    act == ACT_PAGE_DOWN) {
			long step = act == ACT_PAGE_UP || act == ACT_PAGE_DOWN ? 10 : 1;
			long s = (long)a->help_scroll +
				 (act == ACT_MOVE_UP || act == ACT_PAGE_UP ? -step : step);

			a->help_scroll = s < 0 ? 0 : (uint32_t)s;
		} else {
			a->help_open = false;
		}
		return;
	}
	if (act == ACT_NONE) {
		char name[16];

		app__message(a, "key %s does nothing; press the help key for the list",
			     key__name(in->key, name, sizeof(name)));
		return;
	}
	apply(a, action_handlers[act](a));
}

static void handle(struct app *a, const struct input *in)
{
	switch (in->kind) {
	case INPUT_RESIZE:
		apply(a, RELAYOUT);
		break;
	case INPUT_MOUSE:
		a->msg[0] = '\0';
		if (a->help_open) {
			a->help_open = false;
		} else if ((uint32_t)in->y >= a->graph.top &&
			   (uint32_t)in->y < a->graph.top + a->graph.height) {
			apply(a, flame_view__mouse(a, in));
		} else if ((uint32_t)in->y >= a->table.top &&
			   (uint32_t)in->y < a->table.top + a->table.height) {
			apply(a, top_view__mouse(a, in));
		}
		break;
	case INPUT_KEY:
	case INPUT_CHAR:
		a->msg[0] = '\0';
		if (a->prompting)
			prompt_input(a, in);
		else
			key_input(a, in);
		break;
	case INPUT_NONE:
		break;
	}
}

static void app__free(struct app *a)
{
	search__clear(a);
	flame__release(&a->layout);
	free(a->mark);
	free(a->search_mark);
	free(a->name_match);
	free(a->fns);
	if (a->screen_open)
		screen__close(&a->scr);
}

int app__run_view(const struct options *o, const struct calltree *tree, const char *title,
		  struct keymap *keys, const char *keys_origin, const char *startup_msg)
{
	struct app a = {
		.opts = o,
		.keys = keys,
		.tree = tree,
		.zoom = CT_ROOT,
		.sel = CT_ROOT,
		.relayout = true,
		.marks_stale = true,
		.top_sort = TOPN_SELF,
	};
	char err[256];
	int ret;

	snprintf(a.title, sizeof(a.title), "%s", title);
	snprintf(a.target, sizeof(a.target), "%s", title);
	if (strrchr(a.target, '.') > a.target)
		*strrchr(a.target, '.') = '\0';
	snprintf(a.keys_origin, sizeof(a.keys_origin), "%s", keys_origin);
	if (startup_msg)
		app__message(&a, "%s", startup_msg);
	ret = screen__open(&a.scr, NULL, !o->no_mouse, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "flametop: %s\n", err);
		app__free(&a);
		return 1;
	}
	a.screen_open = true;
	while (!a.quit && !screen_quit_signal) {
		struct pollfd pfd = { .fd = a.scr.fd, .events = POLLIN };
		struct input in;

		paint(&a);
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
		while (!a.quit && screen__input(&a.scr, &in)) {
			sync_state(&a);
			handle(&a, &in);
		}
	}
	app__free(&a);
	return 0;
}
