/* SPDX-License-Identifier: MIT */
/*
 * app: the explorer's loop.  It owns the panes (each keeps its own state
 * in its own file and is handed the model it shows), decides which tree
 * is shown (the profile, or a diff's union tree), and alone brings derived
 * state up to date: input -> action handler (which returns DO_* flags) ->
 * the loop refreshes what the flags say, once -> layout -> one paint.
 */
#ifndef FLAMETOP_APP_H
#define FLAMETOP_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "../keymaps/keymap.h"
#include "../profile/calltree.h"
#include "live.h"
#include "options.h"
#include "pane.h"
#include "screen.h"
#include "search.h"
#include "status.h"
#include "view_diff.h"
#include "view_flame.h"
#include "view_help.h"
#include "view_procs.h"
#include "view_sandwich.h"
#include "view_shape.h"
#include "view_top.h"

/* The pane an action applies to: the table when open (keys), or the pointer's. */
enum focus { FOCUS_GRAPH, FOCUS_TABLE };

struct app {
	const struct options *opts;
	struct keymap *keys;
	char keys_origin[256];		/* the keymap's name and the user's file */
	struct screen scr;
	bool screen_open;
	char title[256];		/* what is shown: the file or the target */
	char target[256];		/* names snapshot files */

	/*
	 * What is shown: profile is a file, or the live window; after is the
	 * profile through the transforms (itself with none); tree is after, or
	 * the diff's union tree while it is on.
	 */
	const struct calltree *tree;
	const struct calltree *after;
	const struct calltree *profile;
	struct live *live;		/* NULL when the profile is a file */
	struct strtab *names;		/* live: the panes hold names in it (app__hold_names) */
	struct value_type vt;		/* what a file's values count (samples, or its unit) */
	uint32_t file_hz;		/* a file's sampling rate when it says (pprof's period) */
	uint64_t generation;		/* of the live history when last shown */

	struct pane graph, table, chips, timeline, status, hints;
	enum focus active;		/* the pane an action applies to */
	struct flame_view flame;
	struct search search;
	struct top_view top;
	struct diff_view diff;
	struct help_view help;
	struct procs_view procs;
	struct shape_view shape;	/* the transforms, their chips and trees */
	struct sandwich_view sand;	/* a function's callers and callees, when open */
	struct hostnames *hosts;	/* containers' host names (live only) */
	enum group_by group;		/* the live view's grouping and focus, as asked */
	struct who_focus focus;
	uint8_t *mark;			/* per node: highlighted (search, top-N row) */
	bool marks_stale;

	enum value_mode values;		/* percent, samples or time (the values key) */
	struct note note;		/* shown once in the status line */
	bool quit;
};

/* What the values count, from the live view's event or the file: the panes follow. */
void app__set_unit(struct app *a);

typedef int (*action_fn)(struct app *a);
/* One handler per action (actions.c); each returns DO_* flags. */
extern const action_fn action_handlers[ACT_COUNT];

/*
 * Sets up the panes for what a describes (opts, keys, keys_origin, title,
 * target, and after — with diff.before and diff.on for a diff — or live).
 */
void app__init(struct app *a, const char *startup_msg);
/* One input (key, mouse, resize), as the loop handles it. */
void app__input(struct app *a, const struct input *in);
/* Brings derived state up to date and paints the grid (not the terminal). */
void app__draw(struct app *a);
/* Paints the grid from state already up to date (app_paint.c). */
void app__paint(struct app *a);
/* Seconds a sample stands for (1/Hz); 0 when the profile has no rate. */
double app__seconds(const struct app *a);
/*
 * The live view's names may be swept (strtab.h): the panes' names outside
 * a tree (the focus, a selection, a zoom's path) are held from now on.
 * 0 or -ENOMEM.
 */
int app__hold_names(struct app *a, struct strtab *names);
/* Frees what the app owns, not its sources. */
void app__free(struct app *a);
/* app__init, then the terminal and the loop until quit; returns the exit status. */
int app__run(struct app *a, const char *startup_msg);

#endif
