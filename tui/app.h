/* SPDX-License-Identifier: MIT */
/*
 * app: the explorer.  View state (zoom root, selection, search, panes)
 * lives here, keyed by node id of the tree shown; the model only counts.
 * The top of app.c owns the loop: input -> action handler -> layout ->
 * paint, once per batch of input.
 */
#ifndef FLAMETOP_APP_H
#define FLAMETOP_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "../keymaps/keymap.h"
#include "../profile/calltree.h"
#include "../profile/diff.h"
#include "../profile/topn.h"
#include "../render/flame.h"
#include "options.h"
#include "live.h"
#include "screen.h"

struct pane {
	uint32_t top, height;
};

struct app {
	const struct options *opts;
	struct keymap *keys;
	char keys_origin[256];		/* the keymap's name and the user's file */
	struct screen scr;
	bool screen_open;

	/*
	 * What is shown.  after is the profile (a file, or the live window);
	 * before is the diff baseline (a file, or a copy of a past window).
	 * tree is after itself, or a diff's union tree when the diff is on.
	 */
	const struct calltree *tree;
	const struct calltree *after, *before;
	struct live *live;		/* NULL when the profile is a file */
	uint64_t generation;		/* of the live history when last laid out */
	struct calltree *baseline;	/* owned: the live window marked with b */
	char baseline_label[64];
	struct diff *diff;		/* before -> after: the table, and the after shape */
	struct diff *rdiff;		/* after -> before: the before shape (vanished frames) */
	bool diff_on, before_shape;
	uint8_t *colour;		/* per node of tree: diff colours */
	char title[256];		/* what is shown: the file or the target */
	char target[256];		/* names snapshot files */

	/* the graph */
	struct flame_layout layout;
	bool relayout;
	uint32_t zoom, sel;
	enum flame_orient orient;
	uint32_t scroll;
	struct pane graph, table, timeline, status, hints;
	uint8_t *mark;			/* per node: highlighted (search, top-N row) */
	bool marks_stale;

	/* search */
	bool search_on;
	struct search_pattern *re;	/* owned: search.c's compiled pattern */
	int64_t search_credit_ns;	/* search.c's time budget left ... */
	int64_t search_idle_since;	/* ... when it last stopped matching */
	char query[256];
	uint8_t *name_match;		/* per name id: 0 not tested, 1 no, 2 yes */
	uint32_t name_matched;		/* names [0, name_matched) have a valid entry */
	uint8_t *search_mark;		/* per node */
	uint64_t matched;		/* samples under a match, each once */
	bool prompting;
	char input[256];
	size_t input_len;

	/* the top-N pane */
	bool top_open;
	enum topn_sort top_sort;
	struct fn_stat *fns;
	long nfns;
	long top_sel, top_scroll;
	uint32_t top_name;		/* the selected row's function, followed across updates */
	bool top_stale;

	/* help */
	bool help_open;
	uint32_t help_scroll;

	char msg[256];			/* shown once in the status line */
	bool quit;
};

/* What an action handler asks of the loop. */
enum {
	HANDLED = 0,
	RELAYOUT = 1,		/* zoom, tree or width changed */
	REMARK = 2,		/* highlights changed */
	RETOP = 4,		/* the top-N table must be recomputed */
};

typedef int (*action_fn)(struct app *a);
extern const action_fn action_handlers[ACT_COUNT];

/*
 * Runs the explorer on what a describes (opts, keys, keys_origin, title,
 * target, and after — with before and diff_on for a diff — or live);
 * returns the exit status.  Frees what the app owns, not a's sources.
 */
int app__run(struct app *a, const char *startup_msg);
/* The tree changed (new window, diff rebuilt): keep zoom and selection by name path. */
void app__refresh(struct app *a);
/* The frame of other with node's name path in t, or CT_NONE (trees share a strtab). */
uint32_t app__same_node(const struct calltree *t, uint32_t node, const struct calltree *other);
void app__message(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* view_flame.c */
void flame_view__update(struct app *a);
void flame_view__paint(struct app *a);
int flame_view__move(struct app *a, int drow, int dcol);
void flame_view__select(struct app *a, uint32_t node);
void flame_view__zoom(struct app *a, uint32_t node);
int flame_view__mouse(struct app *a, const struct input *in);
uint64_t flame_view__samples(const struct app *a);

/* search.c */
int search__set(struct app *a, const char *query);
void search__clear(struct app *a);
void search__update(struct app *a);
int search__jump(struct app *a, int dir);
bool search__marked(const struct app *a, uint32_t node);

/* view_top.c */
void top_view__update(struct app *a);
void top_view__paint(struct app *a);
int top_view__move(struct app *a, long delta);
int top_view__zoom(struct app *a);
uint32_t top_view__selected_name(const struct app *a);
int top_view__mouse(struct app *a, const struct input *in);

/* view_diff.c */
int diff_view__build(struct app *a);
void diff_view__free(struct app *a);
void diff_view__paint_table(struct app *a);
void diff_view__describe(const struct app *a, uint32_t node, char *buf, size_t size);
long diff_view__rows(const struct app *a);
uint32_t diff_view__row_name(const struct app *a, long row);

/* status.c */
void status__paint(struct app *a);
void status__paint_hints(struct app *a);
void status__paint_timeline(struct app *a);
/* The live window's span, "12:00:01-12:00:11". */
void status__window_label(const struct live *l, char *buf, size_t size);

/* view_help.c */
void help_view__paint(struct app *a);
uint32_t help_view__lines(void);

#endif
