// SPDX-License-Identifier: MIT
/*
 * One handler per action, in an array indexed by the action (htop's
 * pattern).  A handler changes view state and returns what must be redone.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "../profile/folded.h"
#include "app.h"
#include "../profile/snapshot.h"

static int graph_or_table_vertical(struct app *a, int screen_dir, long steps)
{
	int toward_leaves = a->orient == FLAME_ICICLE ? screen_dir : -screen_dir;

	if (a->top_open && a->table.height)
		return top_view__move(a, screen_dir * steps);
	for (long i = 0; i < steps; i++)
		flame_view__move(a, toward_leaves, 0);
	return HANDLED;
}

static int do_move_up(struct app *a) { return graph_or_table_vertical(a, -1, 1); }
static int do_move_down(struct app *a) { return graph_or_table_vertical(a, 1, 1); }
static int do_move_left(struct app *a) { return flame_view__move(a, 0, -1); }
static int do_move_right(struct app *a) { return flame_view__move(a, 0, 1); }

static long page(const struct app *a)
{
	uint32_t h = a->top_open && a->table.height ? a->table.height : a->graph.height;

	return h > 2 ? h - 1 : 1;
}

static int do_page_up(struct app *a) { return graph_or_table_vertical(a, -1, page(a)); }
static int do_page_down(struct app *a) { return graph_or_table_vertical(a, 1, page(a)); }

static int do_zoom_in(struct app *a)
{
	if (a->top_open && a->table.height)
		return top_view__zoom(a);
	if (a->sel == a->zoom)
		return HANDLED;
	flame_view__zoom(a, a->sel);
	return RELAYOUT | RETOP;
}

static int do_zoom_out(struct app *a)
{
	if (a->zoom == CT_ROOT)
		return HANDLED;
	a->zoom = calltree__node(a->tree, a->zoom)->parent;
	return RELAYOUT | RETOP;
}

static int do_zoom_reset(struct app *a)
{
	a->zoom = CT_ROOT;
	return RELAYOUT | RETOP;
}

static int do_back(struct app *a)
{
	if (a->search_on) {
		search__clear(a);
		return REMARK;
	}
	if (a->top_open) {
		a->top_open = false;
		return REMARK;
	}
	return do_zoom_out(a);
}

static int do_search(struct app *a)
{
	a->prompting = true;
	a->input_len = strlen(a->query);
	memcpy(a->input, a->query, a->input_len + 1);
	return HANDLED;
}

static int do_search_next(struct app *a) { return search__jump(a, 1); }
static int do_search_prev(struct app *a) { return search__jump(a, -1); }

static int do_top(struct app *a)
{
	a->top_open = !a->top_open;
	a->top_stale = true;
	return REMARK;
}

static int do_top_sort(struct app *a)
{
	if (!a->top_open)
		return do_top(a);
	if (a->diff_on) {
		/* the diff table is by change: Tab switches the shape shown instead */
		a->before_shape = !a->before_shape;
		app__refresh(a);
		return RETOP;
	}
	a->top_sort = a->top_sort == TOPN_SELF ? TOPN_TOTAL : TOPN_SELF;
	a->top_stale = true;
	return REMARK;
}

static int do_flip(struct app *a)
{
	a->orient = a->orient == FLAME_ICICLE ? FLAME_FLAME : FLAME_ICICLE;
	return HANDLED;
}

static int live_only(struct app *a)
{
	app__message(a, "that key works in the live view (flametop with no command)");
	return HANDLED;
}

/* Moves or resizes the live window, then shows it. */
static int window_changed(struct app *a)
{
	if (live__apply(a->live))
		app__message(a, "out of memory moving the window");
	app__refresh(a);
	return RELAYOUT | RETOP;
}

static int do_pause(struct app *a)
{
	if (!a->live)
		return live_only(a);
	live__toggle_pause(a->live);
	return window_changed(a);
}

/* [ ] - +: one step of a move (live__move) or resize (live__resize) of the window. */
static int window_step(struct app *a, void (*step)(struct live *, int), int dir)
{
	if (!a->live)
		return live_only(a);
	step(a->live, dir);
	return window_changed(a);
}

static int do_window_back(struct app *a) { return window_step(a, live__move, -1); }
static int do_window_forward(struct app *a) { return window_step(a, live__move, 1); }
static int do_window_shrink(struct app *a) { return window_step(a, live__resize, -1); }
static int do_window_grow(struct app *a) { return window_step(a, live__resize, 1); }

static int do_baseline(struct app *a)
{
	struct calltree *copy;

	if (!a->live) {
		app__message(a, a->diff_on ? "the baseline is the BEFORE file" : "baselines are "
			     "marked in the live view; 'flametop diff BEFORE AFTER' compares files");
		return HANDLED;
	}
	copy = calltree__copy(a->after);
	if (!copy) {
		app__message(a, "out of memory copying the window");
		return HANDLED;
	}
	calltree__free(a->baseline);
	a->baseline = copy;
	a->before = copy;
	status__window_label(a->live, a->baseline_label, sizeof(a->baseline_label));
	app__message(a, "baseline: %s (%llu samples); d shows the diff", a->baseline_label,
		     (unsigned long long)calltree__samples(copy));
	if (a->diff_on)
		app__refresh(a);
	return RETOP;
}

static int do_diff(struct app *a)
{
	if (!a->live && !a->before)
		return live_only(a);
	if (!a->before) {
		app__message(a, "mark a baseline first (b), then d shows what changed since");
		return HANDLED;
	}
	a->diff_on = !a->diff_on;
	a->before_shape = false;
	a->top_open = a->diff_on;
	/* another table: start at its top, the largest change */
	a->top_name = CT_NONE;
	a->top_sel = a->top_scroll = 0;
	app__refresh(a);
	return RELAYOUT | RETOP;
}

/* Writes the subtree of tree at the zoomed frame's name path. */
static int snapshot_side(struct app *a, const struct calltree *side, const char *suffix,
			 char *path, size_t size)
{
	uint32_t node = app__same_node(a->tree, a->zoom, side);
	char target[300];

	snprintf(target, sizeof(target), "%s%s", a->target, suffix);
	if (node == CT_NONE) {
		snprintf(path, size, "%s", target);
		return -ENOENT;
	}
	return snapshot__write(a->opts->snapshot_dir, target, side, node, time(NULL), path, size);
}

static int do_snapshot(struct app *a)
{
	char path[4096];
	int err = snapshot_side(a, a->after, "", path, sizeof(path));

	if (err)
		app__message(a, "snapshot failed: %s: %s", path, strerror(-err));
	else
		app__message(a, "snapshot written to %s", path);
	return HANDLED;
}

static int do_snapshot_both(struct app *a)
{
	char before[4096], after[4096];
	int err;

	if (!a->diff_on) {
		app__message(a, "S saves both sides of a diff; s saves what is shown");
		return HANDLED;
	}
	err = snapshot_side(a, a->before, "-before", before, sizeof(before));
	if (!err)
		err = snapshot_side(a, a->after, "-after", after, sizeof(after));
	if (err)
		app__message(a, "snapshot failed: %s: %s", err == -ENOENT ? "the frame is not on "
			     "both sides" : "", strerror(-err));
	else
		app__message(a, "snapshots written to %s and %s", before, after);
	return HANDLED;
}

static int do_mouse(struct app *a)
{
	screen__set_mouse(&a->scr, !a->scr.mouse);
	app__message(a, "mouse %s", a->scr.mouse ? "on" : "off");
	return HANDLED;
}

static int do_redraw(struct app *a)
{
	screen__invalidate(&a->scr);
	return HANDLED;
}

static int do_help(struct app *a)
{
	a->help_open = true;
	a->help_scroll = 0;
	return HANDLED;
}

static int do_quit(struct app *a)
{
	a->quit = true;
	return HANDLED;
}

const action_fn action_handlers[ACT_COUNT] = {
	[ACT_MOVE_UP] = do_move_up,
	[ACT_MOVE_DOWN] = do_move_down,
	[ACT_MOVE_LEFT] = do_move_left,
	[ACT_MOVE_RIGHT] = do_move_right,
	[ACT_PAGE_UP] = do_page_up,
	[ACT_PAGE_DOWN] = do_page_down,
	[ACT_ZOOM_IN] = do_zoom_in,
	[ACT_ZOOM_OUT] = do_zoom_out,
	[ACT_BACK] = do_back,
	[ACT_ZOOM_RESET] = do_zoom_reset,
	[ACT_SEARCH] = do_search,
	[ACT_SEARCH_NEXT] = do_search_next,
	[ACT_SEARCH_PREV] = do_search_prev,
	[ACT_TOP] = do_top,
	[ACT_TOP_SORT] = do_top_sort,
	[ACT_FLIP] = do_flip,
	[ACT_PAUSE] = do_pause,
	[ACT_WINDOW_BACK] = do_window_back,
	[ACT_WINDOW_FORWARD] = do_window_forward,
	[ACT_WINDOW_SHRINK] = do_window_shrink,
	[ACT_WINDOW_GROW] = do_window_grow,
	[ACT_BASELINE] = do_baseline,
	[ACT_DIFF] = do_diff,
	[ACT_SNAPSHOT] = do_snapshot,
	[ACT_SNAPSHOT_BOTH] = do_snapshot_both,
	[ACT_MOUSE] = do_mouse,
	[ACT_REDRAW] = do_redraw,
	[ACT_HELP] = do_help,
	[ACT_QUIT] = do_quit,
};
