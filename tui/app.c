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

#include "../profile/textsafe.h"
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
	a->timeline.height = a->live && h >= 8;
	avail = h - a->hints.height - a->status.height - a->timeline.height;
	if (a->top_open && avail >= 5) {
		table = avail * 2 / 5;
		if (table < 3)
			table = 3;
		if (table > avail - 2)
			table = avail - 2;
	}
	a->graph = (struct pane){ 0, avail - table };
	a->table = (struct pane){ avail - table, table };
	a->timeline.top = avail;
	a->status.top = avail + a->timeline.height;
	a->hints.top = a->status.top + a->status.height;
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
	status__paint_timeline(a);
	status__paint(a);
	status__paint_hints(a);
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

/* A frame known by its names from the root, to find it again in a new tree. */
struct name_path {
	uint32_t n;
	uint32_t names[1024];
};

static void path_of(const struct calltree *t, uint32_t node, struct name_path *p)
{
	uint32_t depth = calltree__depth(t, node);

	p->n = depth < 1024 ? depth : 1024;
	for (uint32_t id = node, d = depth; id != CT_ROOT; id = calltree__node(t, id)->parent)
		if (--d < p->n)
			p->names[d] = calltree__node(t, id)->name;
}

/* The frame at p in t, or its deepest ancestor there. */
static uint32_t node_at(const struct calltree *t, const struct name_path *p)
{
	uint32_t id = CT_ROOT;

	for (uint32_t i = 0; i < p->n; i++) {
		uint32_t c = calltree__find(t, id, p->names[i]);

		if (c == CT_NONE)
			break;
		id = c;
	}
	return id;
}

uint32_t app__same_node(const struct calltree *t, uint32_t node, const struct calltree *other)
{
	static struct name_path p;
	uint32_t id = CT_ROOT;

	path_of(t, node, &p);
	for (uint32_t i = 0; i < p.n && id != CT_NONE; i++)
		id = calltree__find(other, id, p.names[i]);
	return id;
}

void app__refresh(struct app *a)
{
	static struct name_path zoom, sel;
	bool had = a->tree != NULL;
	uint64_t gen;

	if (had) {
		path_of(a->tree, a->zoom, &zoom);
		path_of(a->tree, a->sel, &sel);
	}
	if (a->live)
		a->after = live__tree(a->live);
	if (a->diff_on && a->before && diff_view__build(a)) {
		app__message(a, "out of memory making the diff");
		a->diff_on = false;
	}
	if (!a->diff_on) {
		diff_view__free(a);
		a->tree = a->after;
	}
	a->zoom = had ? node_at(a->tree, &zoom) : CT_ROOT;
	a->sel = had ? node_at(a->tree, &sel) : CT_ROOT;
	/*
	 * The layout's child order stays valid while the tree keeps its nodes: a
	 * rebuilt diff (possibly at a reused address) or a compacted history
	 * renumbers them; new nodes alone are noticed by the layout itself.
	 */
	gen = a->live ? history__generation(a->live->history) : 0;
	if (a->diff_on || gen != a->generation)
		flame__invalidate(&a->layout);
	a->generation = gen;
	a->relayout = true;
	a->top_stale = true;
	a->marks_stale = true;
	search__update(a);
}

static void app__free(struct app *a)
{
	search__clear(a);
	flame__release(&a->layout);
	diff_view__free(a);
	calltree__free(a->baseline);
	free(a->colour);
	free(a->mark);
	free(a->search_mark);
	free(a->name_match);
	free(a->fns);
	if (a->screen_open)
		screen__close(&a->scr);
}

/* One second of the live view: drain, move the window, show it unless paused. */
static bool live_tick(struct app *a)
{
	bool was_gone = a->live->target_gone;
	int err = live__tick(a->live);

	if (err)
		app__message(a, "sampling: %s", strerror(-err));
	if (!was_gone && a->live->target_gone)
		app__message(a, "the target went away: the view is paused, the history stays");
	app__refresh(a);
	return a->live->state != LIVE_PAUSED || err || (!was_gone && a->live->target_gone);
}

int app__run(struct app *a, const char *startup_msg)
{
	char err[256];
	bool dirty = true;
	int ret;

	a->top_sort = TOPN_SELF;
	a->top_name = CT_NONE;
	a->top_open = a->diff_on;
	a->tree = NULL;
	app__refresh(a);
	if (startup_msg)
		app__message(a, "%s", startup_msg);
	ret = screen__open(&a->scr, NULL, !a->opts->no_mouse, err, sizeof(err));
	if (ret) {
		textsafe__fprintf(stderr, "flametop: %s", err);	/* it may quote $TERM */
		fputc('\n', stderr);
		app__free(a);
		return 1;
	}
	a->screen_open = true;
	while (!a->quit && !screen_quit_signal) {
		struct pollfd pfd[3] = {
			{ .fd = a->scr.fd, .events = POLLIN },
			{ .fd = a->live ? a->live->timer_fd : -1, .events = POLLIN },
			{ .fd = a->live ? sampler__fd(a->live->sampler) : -1, .events = POLLIN },
		};
		struct input in;

		if (dirty)
			paint(a);
		dirty = false;
		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			break;
		if (a->live && (pfd[2].revents & POLLIN))
			sampler__poll(a->live->sampler);
		if (a->live && (pfd[1].revents & POLLIN))
			dirty = live_tick(a);
		while (!a->quit && screen__input(&a->scr, &in)) {
			sync_state(a);
			handle(a, &in);
			dirty = true;
		}
	}
	app__free(a);
	return 0;
}
