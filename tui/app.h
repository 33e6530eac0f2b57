/* SPDX-License-Identifier: MIT */
/*
 * app: the explorer.  View state (zoom root, selection, search, panes)
 * lives here, keyed by node id of the tree shown; the model only counts.
 * The top of app.c owns the loop: input -> action handler -> layout ->
 * paint, once per batch of input.
 */
#ifndef FLAMETOP_APP_H
#define FLAMETOP_APP_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "../keymaps/keymap.h"
#include "../profile/calltree.h"
#include "../profile/topn.h"
#include "../render/flame.h"
#include "options.h"
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

	const struct calltree *tree;	/* the profile shown (borrowed) */
	char title[256];		/* what is shown: the file or the target */
	char target[256];		/* names snapshot files */

	/* the graph */
	struct flame_layout layout;
	bool relayout;
	uint32_t zoom, sel;
	enum flame_orient orient;
	uint32_t scroll;
	struct pane graph, table, status, hints;
	uint8_t *mark;			/* per node: highlighted (search, top-N row) */
	bool marks_stale;

	/* search */
	bool search_on;
	regex_t re;
	char query[256];
	uint8_t *name_match;		/* per name id: 0 not tested, 1 no, 2 yes */
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

/* Opens the explorer on tree; returns the exit status. */
int app__run_view(const struct options *o, const struct calltree *tree, const char *title,
		  struct keymap *keys, const char *keys_origin, const char *startup_msg);
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

/* view_help.c */
void help_view__paint(struct app *a);
uint32_t help_view__lines(void);

#endif
