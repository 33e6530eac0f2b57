// SPDX-License-Identifier: MIT
/*
 * The explorer's loop: one poll() over the terminal and the live source;
 * each input goes to an action handler (keys and the mouse alike), whose
 * flags the loop applies; then the panes are laid out and the whole screen
 * is painted once per batch.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../profile/textsafe.h"
#include "../render/palette.h"
#include "app.h"
#include "hostnames.h"
#include "status.h"

/* Splits the screen: graph, top-N table, timeline, status lines, key hints. */
static void place_panes(struct app *a)
{
	uint32_t h = a->scr.grid.h, avail, table = 0;

	a->hints.height = h >= 8;
	a->status.height = h >= 12 ? 2 : h >= 2 ? 1 : 0;
	a->timeline.height = a->live && h >= 8;
	a->chips.height = a->shape.xf.n && h >= 10;
	avail = h - a->hints.height - a->status.height - a->timeline.height - a->chips.height;
	if ((a->top.open || a->procs.open) && avail >= 5) {
		table = avail * 2 / 5;
		if (table < 3)
			table = 3;
		if (table > avail - 2)
			table = avail - 2;
	}
	a->graph = (struct pane){ 0, avail - table };
	a->table = (struct pane){ avail - table, table };
	a->chips.top = avail;
	a->timeline.top = avail + a->chips.height;
	a->status.top = a->timeline.top + a->timeline.height;
	a->hints.top = a->status.top + a->status.height;
}

/*
 * Matches too narrow to be drawn: their nearest drawn ancestor is marked
 * as holding them, so the user sees where they are.  One pass in ascending
 * ids: a node's holder is itself when drawn, else its parent's holder.
 */
static void mark_holders(struct app *a, uint8_t *m, uint32_t n)
{
	const struct flame_layout *l = &a->flame.layout;
	uint32_t *holder;

	if (l->tree != a->tree || !(holder = malloc((size_t)(n ? n : 1) * sizeof(*holder))))
		return;
	for (uint32_t id = 0; id < n; id++)
		holder[id] = CT_NONE;
	for (size_t i = 0; i < l->nframes; i++)
		if (l->frames[i].node < n)
			holder[l->frames[i].node] = l->frames[i].node;
	for (uint32_t id = 1; id < n; id++) {
		uint32_t up = calltree__node(a->tree, id)->parent;

		if (holder[id] == CT_NONE)
			holder[id] = holder[up];
		else
			continue;
		if (m[id] == FLAME_MARK && holder[id] != CT_NONE && !m[holder[id]])
			m[holder[id]] = FLAME_HOLDS_MARK;
	}
	free(holder);
}

static void update_marks(struct app *a)
{
	uint32_t n = calltree__nodes(a->tree), name = top_view__selected_name(&a->top);
	uint8_t *m = realloc(a->mark, n ? n : 1);

	if (!m) {
		note__set(&a->note, "out of memory");
		return;
	}
	a->mark = m;
	for (uint32_t id = 0; id < n; id++)
		m[id] = search__marked(&a->search, id) ||
			(name != CT_NONE && calltree__node(a->tree, id)->name == name)
			? FLAME_MARK : 0;
	mark_holders(a, m, n);
	a->marks_stale = false;
}

/*
 * The tree shown is another, or was renumbered: the diff is made again,
 * zoom and selection are found again by name path, and what depends on
 * node ids is redone.  The tree shown before must still be valid, unless
 * the graph was held before it went away (tick).
 */
static void refresh(struct app *a)
{
	uint64_t gen = a->live ? live__generation(a->live) : 0;
	const struct calltree *before;

	flame_view__hold(&a->flame);
	if (a->live)
		a->profile = live__tree(a->live);
	/* the transforms make the tree anew: zoom and selection go by name path */
	a->after = shape_view__apply(&a->shape, a->profile, &a->note);
	if (a->diff.on && a->diff.before) {
		before = shape_view__apply_before(&a->shape, a->diff.before, &a->note);
		if (diff_view__build(&a->diff, before, a->after))
			note__set(&a->note, "out of memory making the diff");
	}
	if (!a->diff.on)
		diff_view__drop(&a->diff);
	a->tree = a->diff.on ? diff_view__tree(&a->diff) : a->after;
	if (a->sand.on) {
		const struct calltree *half = sandwich_view__build(&a->sand, &a->flame, a->after,
								   &a->note);

		if (half)
			a->tree = half;
	}
	flame_view__set_tree(&a->flame, a->tree,
			     a->diff.on || a->shape.xf.n || a->sand.on || gen != a->generation);
	a->generation = gen;
	a->top.stale = true;
	a->procs.stale = true;
	a->marks_stale = true;
	search__update(&a->search, a->tree, &a->note);
}

/* The grouping or focus asked for: the live view makes the tree shown again. */
static void regroup(struct app *a)
{
	if (!a->live)
		return;
	/* a focus on another grouping's row ends */
	if (a->focus.by != a->group)
		a->focus.frame = CT_NONE;
	/* the tree shown is freed: zoom and selection go by name path */
	flame_view__hold(&a->flame);
	if (live__set_view(a->live, a->group, &a->focus))
		note__set(&a->note, "out of memory grouping the window");
}

/* Applies a handler's flags: the one place derived state is refreshed. */
static void apply(struct app *a, int flags)
{
	if (flags < 0)
		return;
	if (flags & DO_REGROUP) {
		regroup(a);
		flags |= DO_REFRESH;
	}
	if ((flags & DO_WINDOW) && a->live) {
		/* the tree shown may be made anew */
		flame_view__hold(&a->flame);
		if (live__apply(a->live))
			note__set(&a->note, "out of memory moving the window");
		flags |= DO_REFRESH;
	}
	if (flags & DO_REFRESH)
		refresh(a);
	if (flags & DO_RELAYOUT) {
		a->flame.relayout = true;
		a->marks_stale = true;	/* what is drawn changes, and so do the holders */
	}
	if (flags & DO_RETOP)
		a->top.stale = true;
	if (flags & (DO_REMARK | DO_RETOP))
		a->marks_stale = true;
	if ((flags & DO_REDRAW) && a->screen_open)
		screen__invalidate(&a->scr);
	if (flags & DO_QUIT)
		a->quit = true;
}

/* A container frame of a runtime (not a unit or a plain cgroup): it may have a host name. */
static bool is_container(const char *name)
{
	static const char *const runtimes[] = { "docker:", "podman:", "containerd:", "crio:",
						 "pod:", "container:" };

	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		if (!strncmp(name, runtimes[i], strlen(runtimes[i])))
			return true;
	return false;
}

/* The process table's rows get their containers' host names (the pod's, in Kubernetes). */
static void find_hosts(struct app *a)
{
	const struct strtab *names = calltree__names(a->tree);

	if (!a->procs.host || !a->hosts)
		return;
	for (long i = 0; i < a->procs.nrows; i++) {
		const struct who_row *r = &a->procs.rows[i];
		char *host = a->procs.host[i];

		if (r->container == CT_NONE || !r->a_pid ||
		    !is_container(strtab__str(names, r->container)))
			continue;
		/* looked up off the screen's thread: shown once known */
		hostnames__get(a->hosts, r->container, r->a_pid, host, sizeof(a->procs.host[i]));
		/* a runtime that names the host after the container says nothing new */
		if (strstr(strtab__str(names, r->container), host))
			host[0] = '\0';
	}
}

/*
 * Brings derived state (pane sizes, the table, the layout, highlights) up
 * to date, before each input is handled and before painting, so a handler
 * never acts on what an earlier key in the same batch made stale.
 */
static int sync_state(struct app *a)
{
	if (a->screen_open && screen__resize(&a->scr)) {
		note__set(&a->note, "out of memory");
		return -ENOMEM;
	}
	place_panes(a);
	if (top_view__update(&a->top, a->tree, a->flame.zoom, a->diff.on ? a->diff.diff : NULL,
			     a->table.height, &a->note))
		a->marks_stale = true;
	if (a->sand.on) {
		struct pane up, down;

		sandwich_view__panes(&a->graph, &up, &down);
		flame_view__update(&a->flame, a->scr.grid.w,
				   a->sand.callers_active ? up.height : down.height, &a->note);
		flame_view__update(&a->sand.other, a->scr.grid.w,
				   a->sand.callers_active ? down.height : up.height, &a->note);
	} else {
		flame_view__update(&a->flame, a->scr.grid.w, a->graph.height, &a->note);
	}
	procs_view__update(&a->procs, a->live ? live__window(a->live) : a->tree, a->group,
			   a->table.height, &a->note);
	if (a->live)
		find_hosts(a);
	if (a->marks_stale)
		update_marks(a);
	return 0;
}

void app__draw(struct app *a)
{
	if (!sync_state(a))
		app__paint(a);
}

/* An action for a pane: the keys' focus, or the pointer's. */
static void dispatch(struct app *a, enum action act, enum focus focus)
{
	a->active = focus;
	apply(a, action_handlers[act](a));
}

static enum focus key_focus(const struct app *a)
{
	return (a->top.open || a->procs.open) && a->table.height ? FOCUS_TABLE : FOCUS_GRAPH;
}

static void key_input(struct app *a, const struct input *in)
{
	enum action act;
	char name[16];

	if (in->kind == INPUT_CHAR && in->key >= 0x80)
		return;
	act = keymap__action(a->keys, in->key);
	if (a->help.open)
		help_view__act(&a->help, act);
	else if (act == ACT_NONE)
		note__set(&a->note, "key %s does nothing; press the help key for the list",
			  key__name(in->key, name, sizeof(name)));
	else
		dispatch(a, act, key_focus(a));
}

/* Typing the search; Enter selects the first match after the selection. */
static void prompt_input(struct app *a, const struct input *in)
{
	bool jump;

	apply(a, search__type(&a->search, a->tree, in, &jump, &a->note));
	if (jump)
		dispatch(a, ACT_SEARCH_NEXT, FOCUS_GRAPH);
}

/*
 * The frame under the pointer; in the sandwich, a click in the other half
 * makes it the active one first.
 */
static uint32_t graph_at(struct app *a, int x, int y)
{
	struct pane up, down;
	bool in_callers;

	if (!a->sand.on)
		return flame_view__at(&a->flame, &a->graph, x, y);
	sandwich_view__panes(&a->graph, &up, &down);
	in_callers = pane__holds(&up, y);
	if (in_callers != a->sand.callers_active) {
		sandwich_view__swap(&a->sand, &a->flame);
		apply(a, DO_REFRESH | DO_RETOP);
		sync_state(a);
	}
	return flame_view__at(&a->flame, in_callers ? &up : &down, x, y);
}

/*
 * The mouse makes the keys' actions: in the graph a click selects, a
 * double click or the wheel up zooms in (to the frame under the pointer),
 * the wheel down zooms out; in the table a click selects a row, a double
 * click zooms to it, the wheel scrolls.
 */
static void mouse_input(struct app *a, const struct input *in)
{
	bool zoom = in->mouse == MOUSE_DOUBLE || in->mouse == MOUSE_WHEEL_UP;

	if (a->help.open) {
		a->help.open = false;
	} else if (pane__holds(&a->chips, in->y)) {
		int i = shape_view__chip_at(&a->shape, (uint32_t)in->x);

		if (i >= 0)
			apply(a, shape_view__remove(&a->shape, i, &a->note));
	} else if (pane__holds(&a->graph, in->y)) {
		uint32_t node = graph_at(a, in->x, in->y);

		if (in->mouse == MOUSE_WHEEL_DOWN) {
			dispatch(a, ACT_ZOOM_OUT, FOCUS_GRAPH);
			return;
		}
		if (node != CT_NONE)
			flame_view__select(&a->flame, node);
		if (zoom && (node != CT_NONE || in->mouse == MOUSE_WHEEL_UP))
			dispatch(a, ACT_ZOOM_IN, FOCUS_GRAPH);
	} else if (pane__holds(&a->table, in->y)) {
		if (in->mouse == MOUSE_WHEEL_UP || in->mouse == MOUSE_WHEEL_DOWN) {
			for (int i = 0; i < 3; i++)
				dispatch(a, in->mouse == MOUSE_WHEEL_UP ? ACT_MOVE_UP : ACT_MOVE_DOWN,
					 FOCUS_TABLE);
		} else if (a->procs.open ? procs_view__select_at(&a->procs, &a->table, in->y)
					 : top_view__select_at(&a->top, &a->table, in->y)) {
			apply(a, DO_REMARK);
			if (in->mouse == MOUSE_DOUBLE)
				dispatch(a, ACT_ZOOM_IN, FOCUS_TABLE);
		}
	}
}

void app__input(struct app *a, const struct input *in)
{
	sync_state(a);
	switch (in->kind) {
	case INPUT_RESIZE:
		apply(a, DO_RELAYOUT);
		break;
	case INPUT_MOUSE:
		a->note.text[0] = '\0';
		mouse_input(a, in);
		break;
	case INPUT_KEY:
	case INPUT_CHAR:
		a->note.text[0] = '\0';
		if (a->shape.line.on)
			apply(a, shape_view__type(&a->shape, in, &a->note));
		else if (a->search.line.on)
			prompt_input(a, in);
		else
			key_input(a, in);
		break;
	case INPUT_NONE:
		break;
	}
}

/* One second of a live source: drain, move the window; true when the view changed. */
static bool tick(struct app *a)
{
	bool was_gone = a->live->target_gone, gone;
	int err;

	/* a tick may compact the history, freeing the tree shown */
	flame_view__hold(&a->flame);
	err = live__tick(a->live);
	gone = !was_gone && a->live->target_gone;
	if (err)
		note__set(&a->note, "sampling: %s", strerror(-err));
	if (gone)
		note__set(&a->note, "the target went away: the view is paused, the history stays");
	refresh(a);
	return a->live->state != LIVE_PAUSED || err || gone;
}

void app__set_unit(struct app *a)
{
	if (a->live) {
		a->vt.unit = live__unit(a->live);
		snprintf(a->vt.name, sizeof(a->vt.name), "%s", live__unit_name(a->live));
	}
	a->top.unit = a->vt.unit;
	if (a->vt.unit != UNIT_SAMPLES && a->values == VALUES_TIME)
		a->values = VALUES_BOTH;
	a->top.seconds = 0;
}

void app__init(struct app *a, const char *startup_msg)
{
	flame_view__init(&a->flame);
	top_view__init(&a->top);
	app__set_unit(a);
	procs_view__init(&a->procs);
	a->hosts = a->live ? hostnames__new() : NULL;
	a->group = a->live ? a->live->group : GROUP_COMM;
	a->focus = (struct who_focus){ .frame = CT_NONE };
	a->top.open = a->diff.on;
	a->tree = NULL;
	refresh(a);
	if (startup_msg)
		note__set(&a->note, "%s", startup_msg);
}

static void hold(uint32_t id, uint8_t *held, uint32_t n)
{
	if (id < n)
		held[id] = 1;
}

static void hold_flame(const struct flame_view *f, uint8_t *held, uint32_t n)
{
	for (uint32_t i = 0; i < f->zoom_path.n; i++)
		hold(f->zoom_path.names[i], held, n);
	for (uint32_t i = 0; i < f->sel_path.n; i++)
		hold(f->sel_path.names[i], held, n);
}

/* What the panes hold outside a tree (a tree holds its own). */
static void hold_panes(const void *user, uint8_t *held, uint32_t n)
{
	const struct app *a = user;

	hold_flame(&a->flame, held, n);
	if (a->sand.on) {	/* closed, its views are the main one's or freed */
		hold_flame(&a->sand.other, held, n);
		hold_flame(&a->sand.saved, held, n);
		hold(a->sand.name, held, n);
	}
	hold(a->top.name, held, n);
	for (long i = 0; a->top.fns && i < a->top.nfns; i++)
		hold(a->top.fns[i].name, held, n);
	hold(a->procs.frame, held, n);
	for (long i = 0; a->procs.rows && i < a->procs.nrows; i++) {
		hold(a->procs.rows[i].frame, held, n);
		hold(a->procs.rows[i].container, held, n);
	}
	hold(a->focus.frame, held, n);
}

int app__hold_names(struct app *a, struct strtab *names)
{
	if (strtab__add_user(names, a, hold_panes))
		return -ENOMEM;
	a->names = names;
	return 0;
}

void app__free(struct app *a)
{
	if (a->names)
		strtab__remove_user(a->names, a);
	a->names = NULL;
	search__free(&a->search);
	flame_view__free(&a->flame);
	top_view__free(&a->top);
	procs_view__free(&a->procs);
	hostnames__free(a->hosts);
	a->hosts = NULL;
	diff_view__free(&a->diff);
	sandwich_view__free(&a->sand);
	shape_view__free(&a->shape);
	free(a->mark);
	a->mark = NULL;
	if (a->screen_open)
		screen__close(&a->scr);
	a->screen_open = false;
}

int app__run(struct app *a, const char *startup_msg)
{
	char err[256];
	bool dirty = true;

	app__init(a, startup_msg);
	if (screen__open(&a->scr, NULL, !a->opts->no_mouse, err, sizeof(err))) {
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
			{ .fd = a->live ? source__fd(a->live->source) : -1, .events = POLLIN },
		};
		struct input in;

		if (dirty) {
			app__draw(a);
			screen__paint(&a->scr);
		}
		dirty = false;
		if (poll(pfd, 3, -1) < 0 && errno != EINTR)
			break;
		if (a->live && (pfd[2].revents & POLLIN))
			source__poll(a->live->source);
		if (a->live && (pfd[1].revents & POLLIN))
			dirty = tick(a);
		while (!a->quit && screen__input(&a->scr, &in)) {
			app__input(a, &in);
			dirty = true;
		}
	}
	app__free(a);
	return 0;
}
