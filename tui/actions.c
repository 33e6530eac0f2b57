// SPDX-License-Identifier: MIT
/*
 * One handler per action, in an array indexed by the action (htop's
 * pattern).  A handler changes the state of the pane it acts on (the
 * focus: the table when it is open, else the graph; or the pane under the
 * pointer) and returns DO_* flags: what the loop must redo.  No handler
 * refreshes derived state itself.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "../profile/snapshot.h"
#include "../profile/treepath.h"
#include "app.h"
#include "export.h"

static bool on_table(const struct app *a)
{
	return a->active == FOCUS_TABLE;
}

static int vertical(struct app *a, int screen_dir, long steps)
{
	int toward_leaves = a->flame.orient == FLAME_ICICLE ? screen_dir : -screen_dir;

	if (on_table(a) && a->procs.open)
		return procs_view__move(&a->procs, screen_dir * steps);
	if (on_table(a))
		return top_view__move(&a->top, screen_dir * steps);
	for (long i = 0; i < steps; i++) {
		/* in the sandwich, past a half's root (the function) is the other half */
		if (a->sand.on && toward_leaves < 0 && a->flame.sel == CT_ROOT) {
			sandwich_view__swap(&a->sand, &a->flame);
			return DO_REFRESH | DO_RETOP;
		}
		flame_view__move(&a->flame, toward_leaves, 0);
	}
	return DO_NOTHING;
}

/* The function the keys point at: the table's row, or the selected frame's. */
static uint32_t selected_name(const struct app *a)
{
	uint32_t name;

	if (on_table(a) && a->top.open)
		return top_view__selected_name(&a->top);
	name = calltree__node(a->tree, a->flame.sel)->name;
	/* a sandwich half's root is its function */
	return name == CT_NONE && a->sand.on ? a->sand.name : name;
}

static int do_move_up(struct app *a) { return vertical(a, -1, 1); }
static int do_move_down(struct app *a) { return vertical(a, 1, 1); }

static int do_move_left(struct app *a)
{
	flame_view__move(&a->flame, 0, -1);
	return DO_NOTHING;
}

static int do_move_right(struct app *a)
{
	flame_view__move(&a->flame, 0, 1);
	return DO_NOTHING;
}

static long page(const struct app *a)
{
	uint32_t h = on_table(a) ? a->table.height : a->graph.height;

	return h > 2 ? h - 1 : 1;
}

static int do_page_up(struct app *a) { return vertical(a, -1, page(a)); }
static int do_page_down(struct app *a) { return vertical(a, 1, page(a)); }

/* Enter on the process table: the whole explorer shows that row only. */
static int focus_row(struct app *a)
{
	uint32_t frame = procs_view__selected(&a->procs);

	if (!a->live) {
		note__set(&a->note, "focus works in the live view; here, zoom into the frame");
		return DO_NOTHING;
	}
	if (frame == CT_NONE)
		return DO_NOTHING;
	a->focus = (struct who_focus){ a->group, frame };
	return DO_REGROUP | DO_RELAYOUT | DO_RETOP;
}

static int do_zoom_in(struct app *a)
{
	uint32_t node = a->flame.sel;

	if (on_table(a) && a->procs.open)
		return focus_row(a);
	if (on_table(a)) {
		/* the heaviest frame of the row's function */
		node = top_view__heaviest(&a->top, a->tree, a->flame.zoom);
		if (node == CT_NONE)
			return DO_NOTHING;
	} else if (node == a->flame.zoom) {
		return DO_NOTHING;
	}
	return flame_view__zoom(&a->flame, node);
}

static int do_zoom_out(struct app *a) { return flame_view__zoom_out(&a->flame); }
static int do_zoom_reset(struct app *a) { return flame_view__zoom_reset(&a->flame); }

static int do_back(struct app *a)
{
	if (a->search.on) {
		search__clear(&a->search);
		return DO_REMARK;
	}
	if (a->top.open || a->procs.open) {
		a->top.open = a->procs.open = false;
		return DO_REMARK;
	}
	if (a->focus.frame != CT_NONE) {
		a->focus.frame = CT_NONE;
		return DO_REGROUP | DO_RELAYOUT | DO_RETOP;
	}
	if (a->sand.on && a->flame.zoom == CT_ROOT) {
		sandwich_view__close(&a->sand, &a->flame);
		return DO_REFRESH | DO_RELAYOUT | DO_RETOP;
	}
	return do_zoom_out(a);
}

static int do_search(struct app *a)
{
	search__prompt(&a->search);
	return DO_NOTHING;
}

static int search_step(struct app *a, int dir)
{
	uint32_t node = search__next(&a->search, a->tree, &a->flame.layout, a->flame.sel, dir,
				     &a->note);

	if (node != CT_NONE)
		flame_view__select(&a->flame, node);
	return DO_REMARK;
}

static int do_search_next(struct app *a) { return search_step(a, 1); }
static int do_search_prev(struct app *a) { return search_step(a, -1); }

static int do_top(struct app *a)
{
	a->top.open = !a->top.open;
	a->procs.open = false;
	return DO_RETOP;
}

static int do_procs(struct app *a)
{
	a->procs.open = !a->procs.open;
	a->procs.stale = true;
	a->top.open = false;
	return DO_REMARK;
}

/* comm -> pid -> thread -> container -> comm: the live view groups again. */
static int do_group(struct app *a)
{
	if (!a->live) {
		note__set(&a->note, "a file is grouped as it was recorded (record --group)");
		return DO_NOTHING;
	}
	a->group = (enum group_by)((a->group + 1) % GROUP_COUNT);
	note__set(&a->note, "grouped by %s%s", group__name(a->group),
		  a->focus.frame != CT_NONE ? "; the focus, a row of another table, ends" : "");
	a->procs.stale = true;
	return DO_REGROUP | DO_RELAYOUT | DO_RETOP;
}

static int do_top_sort(struct app *a)
{
	if (a->procs.open) {
		a->procs.by_name = !a->procs.by_name;
		a->procs.stale = true;
		return DO_NOTHING;
	}
	if (!a->top.open)
		return do_top(a);
	if (a->diff.on) {
		/* the diff table is by change: Tab switches the shape shown instead */
		a->diff.before_shape = !a->diff.before_shape;
		return DO_REFRESH | DO_RETOP;
	}
	a->top.sort = a->top.sort == TOPN_SELF ? TOPN_TOTAL : TOPN_SELF;
	return DO_RETOP;
}

static int do_flip(struct app *a)
{
	if (a->sand.on) {
		note__set(&a->note, "the sandwich has callers above and callees below");
		return DO_NOTHING;
	}
	a->flame.orient = a->flame.orient == FLAME_ICICLE ? FLAME_FLAME : FLAME_ICICLE;
	return DO_NOTHING;
}

static int live_only(struct app *a)
{
	note__set(&a->note, "that key works in the live view (flametop with no command) and "
		  "on a saved history");
	return DO_NOTHING;
}

/* The live window moved or was resized: the loop counts it again and shows it. */
static int window_changed(struct app *a)
{
	(void)a;
	return DO_WINDOW | DO_RELAYOUT | DO_RETOP;
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
	char label[64];

	if (!a->live) {
		note__set(&a->note, a->diff.on ? "the baseline is the BEFORE file" : "baselines are "
			  "marked in the live view; 'flametop diff BEFORE AFTER' compares files");
		return DO_NOTHING;
	}
	/* the window as sampled: the transforms apply to it as to the window shown */
	copy = calltree__copy(a->profile);
	if (!copy) {
		note__set(&a->note, "out of memory copying the window");
		return DO_NOTHING;
	}
	live__window_label(a->live, label, sizeof(label));
	diff_view__set_baseline(&a->diff, copy, label);
	note__set(&a->note, "baseline: %s (%llu samples); d shows the diff", label,
		  (unsigned long long)calltree__samples(copy));
	return a->diff.on ? DO_REFRESH | DO_RETOP : DO_RETOP;
}

static int do_diff(struct app *a)
{
	if (!a->live && !a->diff.before)
		return live_only(a);
	if (!a->diff.before) {
		note__set(&a->note, "mark a baseline first (b), then d shows what changed since");
		return DO_NOTHING;
	}
	a->diff.on = !a->diff.on;
	a->diff.before_shape = false;
	/* the diff is drawn on the whole tree */
	sandwich_view__close(&a->sand, &a->flame);
	a->top.open = a->diff.on;
	/* another table: start at its top, the largest change */
	top_view__reset(&a->top);
	return DO_REFRESH | DO_RELAYOUT | DO_RETOP;
}
/* A snapshot in another format than folded samples (--snapshot-format, a file's unit). */
struct snap {
	const struct calltree *t;
	uint32_t node;
	enum out_format fmt;
	struct export_meta m;
};

static int snap_write(FILE *f, void *ctx)
{
	const struct snap *s = ctx;

	return export__write(f, s->fmt, s->t, s->node, &s->m);
}

/* Writes the subtree of tree at the zoomed frame's name path. */
static int snapshot_side(struct app *a, const struct calltree *side, const char *suffix,
			 char *path, size_t size)
{
	uint32_t node = calltree__same_node(a->tree, a->flame.zoom, side);
	char target[300];

	snprintf(target, sizeof(target), "%s%s", a->target, suffix);
	if (node == CT_NONE) {
		snprintf(path, size, "%s", target);
		return -ENOENT;
	}
	struct snap s = { side, node, a->opts->snapshot_format, {
		.vt = a->vt, .title = a->title, .time_nanos = (int64_t)time(NULL) * 1000000000,
		.hz = a->live ? a->live->source->info.hz : a->file_hz } };

	if (s.fmt == OUT_FOLDED && a->vt.unit == UNIT_SAMPLES)
		return snapshot__write(a->opts->snapshot_dir, target, side, node, time(NULL), path,
				       size);
	return snapshot__write_fn(a->opts->snapshot_dir, target, export__suffix(s.fmt), snap_write,
				  &s, time(NULL), path, size);
}

static int do_snapshot(struct app *a)
{
	char path[4096] = "";
	int err;

	/* a half's frames are not stacks of the profile (the callers' are inverted) */
	if (a->sand.on) {
		note__set(&a->note, "the sandwich is not saved: Esc leaves it, then s saves the graph");
		return DO_NOTHING;
	}
	err = snapshot_side(a, a->after, "", path, sizeof(path));

	if (err)
		note__set(&a->note, "snapshot failed: %s: %s", path, strerror(-err));
	else
		note__set(&a->note, "snapshot written to %s", path);
	return DO_NOTHING;
}

static int do_snapshot_both(struct app *a)
{
	char before[4096] = "", after[4096] = "";
	int err;

	if (!a->diff.on) {
		note__set(&a->note, "S saves both sides of a diff; s saves what is shown");
		return DO_NOTHING;
	}
	/* each side as shown: through the transforms */
	err = snapshot_side(a, a->shape.before ? a->shape.before : a->diff.before, "-before",
			    before, sizeof(before));
	if (!err)
		err = snapshot_side(a, a->after, "-after", after, sizeof(after));
	if (err)
		note__set(&a->note, "snapshot failed: %s: %s", err == -ENOENT ? "the frame is not on "
			  "both sides" : "", strerror(-err));
	else
		note__set(&a->note, "snapshots written to %s and %s", before, after);
	return DO_NOTHING;
}

static int do_save_history(struct app *a)
{
	char path[4096] = "";
	int err;

	if (!a->live)
		return live_only(a);
	err = live__save(a->live, a->opts->snapshot_dir, path, sizeof(path));
	if (err == -ENODATA)
		note__set(&a->note, "nothing sampled yet: no history to save");
	else if (err)
		note__set(&a->note, "saving the history failed: %s: %s", path, strerror(-err));
	else
		note__set(&a->note, "history written to %s ('flametop view' rewinds it)", path);
	return DO_NOTHING;
}

static int do_mouse(struct app *a)
{
	if (a->screen_open)
		screen__set_mouse(&a->scr, !a->scr.mouse);
	note__set(&a->note, "mouse %s", a->scr.mouse ? "on" : "off");
	return DO_NOTHING;
}

static int do_redraw(struct app *a)
{
	(void)a;
	return DO_REDRAW;
}

/* The selected function's callers and callees, in the graph's place. */
static int do_sandwich(struct app *a)
{
	uint32_t name = selected_name(a);

	if (a->diff.on) {
		note__set(&a->note, "no sandwich in a diff: d leaves the diff");
		return DO_NOTHING;
	}
	if (name == CT_NONE) {
		note__set(&a->note, "select a function first: the root is all of them");
		return DO_NOTHING;
	}
	if (a->sand.on && name == a->sand.name)
		return DO_NOTHING;
	sandwich_view__open(&a->sand, &a->flame, name, calltree__names(a->tree));
	top_view__reset(&a->top);
	return DO_REFRESH | DO_RELAYOUT | DO_RETOP;
}

/* The prompt for a transform's regex, holding the selected function's name. */
static int ask_xform(struct app *a, enum xform_kind kind)
{
	const struct strtab *names = calltree__names(a->tree);
	uint32_t name = selected_name(a);
	char re[XFORM_RE_MAX] = "";

	if (name != CT_NONE)
		shape__literal(strtab__str(names, name), strtab__len(names, name), re, sizeof(re));
	shape_view__ask(&a->shape, kind, re);
	return DO_NOTHING;
}

static int do_focus_fn(struct app *a) { return ask_xform(a, XF_FOCUS); }
static int do_hide(struct app *a) { return ask_xform(a, XF_HIDE); }
static int do_drop(struct app *a) { return ask_xform(a, XF_DROP); }

static int do_recursion(struct app *a)
{
	return shape_view__toggle(&a->shape, XF_RECURSION, 0, &a->note);
}

static int do_recursion_all(struct app *a)
{
	return shape_view__toggle(&a->shape, XF_RECURSION_ALL, 0, &a->note);
}

static int do_kernel(struct app *a)
{
	return shape_view__toggle(&a->shape, XF_NO_KERNEL, 0, &a->note);
}

/* The grouping frames at the root: a container's two levels, else one. */
static int do_merge(struct app *a)
{
	uint32_t levels = a->live && a->group == GROUP_CONTAINER ? 2 : 1;

	return shape_view__toggle(&a->shape, XF_MERGE, levels, &a->note);
}

static int do_undo_xform(struct app *a)
{
	return shape_view__remove(&a->shape, -1, &a->note);
}

/* The live view's next event: on-CPU, off-CPU, wall (those sampled: --event). */
static int do_event(struct app *a)
{
	enum live_event ev;

	if (!a->live)
		return live_only(a);
	ev = a->live->event;
	do
		ev = (enum live_event)((ev + 1) % LIVE_EVENTS);
	while (ev != a->live->event && !a->live->sampled[ev]);
	if (ev == a->live->event) {
		note__set(&a->note, "only %s is sampled: --event cpu,offcpu takes on- and off-CPU "
			  "time", live__event_name(ev));
		return DO_NOTHING;
	}
	/* the tree shown is freed: zoom and selection go by name path */
	flame_view__hold(&a->flame);
	if (live__show_event(a->live, ev)) {
		note__set(&a->note, "out of memory showing %s", live__event_name(ev));
		return DO_NOTHING;
	}
	app__set_unit(a);
	/* a baseline of another event is no baseline */
	if (a->diff.baseline) {
		diff_view__set_baseline(&a->diff, NULL, "");
		a->diff.on = false;
		a->top.open = false;
	}
	note__set(&a->note, "showing %s%s", live__event_name(ev),
		  ev == LIVE_WALL ? ": on-CPU samples (1/Hz each) and off-CPU time" : "");
	return DO_REFRESH | DO_RELAYOUT | DO_RETOP;
}

static int do_values(struct app *a)
{
	static const char *const says[] = { "percent and samples", "percent", "samples", "time" };
	static const char *const says_unit[] = { "percent and values", "percent", "values", "" };
	bool unit = a->vt.unit != UNIT_SAMPLES;

	a->values = (enum value_mode)((a->values + 1) % (unit ? VALUES_TIME : VALUES_MODES));
	/* time where a sample stands for a known time (a rate) */
	if (a->values == VALUES_TIME && !app__seconds(a))
		a->values = VALUES_BOTH;
	a->top.seconds = a->values == VALUES_TIME ? app__seconds(a) : 0;
	note__set(&a->note, "values: %s", (unit ? says_unit : says)[a->values]);
	return DO_NOTHING;
}

static int do_copy(struct app *a)
{
	const struct strtab *names = calltree__names(a->tree);
	uint32_t name = selected_name(a);

	if (name == CT_NONE) {
		note__set(&a->note, "the root has no name to copy");
		return DO_NOTHING;
	}
	if (!a->screen_open || !screen__copy(&a->scr, strtab__str(names, name),
					      strtab__len(names, name))) {
		note__set(&a->note, "not copied: names over %d bytes are not sent", SCREEN_CLIP_MAX);
		return DO_NOTHING;
	}
	note__set(&a->note, "copied to the clipboard (OSC 52)");
	return DO_NOTHING;
}

static int do_help(struct app *a)
{
	help_view__open(&a->help);
	return DO_NOTHING;
}

static int do_quit(struct app *a)
{
	(void)a;
	return DO_QUIT;
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
	[ACT_PROCS] = do_procs,
	[ACT_GROUP] = do_group,
	[ACT_FLIP] = do_flip,
	[ACT_SANDWICH] = do_sandwich,
	[ACT_FOCUS_FN] = do_focus_fn,
	[ACT_HIDE] = do_hide,
	[ACT_DROP] = do_drop,
	[ACT_RECURSION] = do_recursion,
	[ACT_RECURSION_ALL] = do_recursion_all,
	[ACT_KERNEL] = do_kernel,
	[ACT_MERGE] = do_merge,
	[ACT_VALUES] = do_values,
	[ACT_EVENT] = do_event,
	[ACT_COPY] = do_copy,
	[ACT_UNDO_XFORM] = do_undo_xform,
	[ACT_PAUSE] = do_pause,
	[ACT_WINDOW_BACK] = do_window_back,
	[ACT_WINDOW_FORWARD] = do_window_forward,
	[ACT_WINDOW_SHRINK] = do_window_shrink,
	[ACT_WINDOW_GROW] = do_window_grow,
	[ACT_BASELINE] = do_baseline,
	[ACT_DIFF] = do_diff,
	[ACT_SNAPSHOT] = do_snapshot,
	[ACT_SNAPSHOT_BOTH] = do_snapshot_both,
	[ACT_SAVE_HISTORY] = do_save_history,
	[ACT_MOUSE] = do_mouse,
	[ACT_REDRAW] = do_redraw,
	[ACT_HELP] = do_help,
	[ACT_QUIT] = do_quit,
};
