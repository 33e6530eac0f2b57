/* SPDX-License-Identifier: MIT */
/*
 * The actions a key can trigger: one X-macro table (id, name, description)
 * from which the action enum, the keys-file parser and the help screen are
 * all generated, so they cannot disagree.
 */
#ifndef FLAMETOP_ACTIONS_H
#define FLAMETOP_ACTIONS_H

#define FT_ACTIONS(X)								\
	X(MOVE_UP,	  "move-up",	    "select the frame above (parent in an icicle)") \
	X(MOVE_DOWN,	  "move-down",	    "select the frame below (heaviest child in an icicle)") \
	X(MOVE_LEFT,	  "move-left",	    "select the previous frame on the row")	\
	X(MOVE_RIGHT,	  "move-right",	    "select the next frame on the row")	\
	X(PAGE_UP,	  "page-up",	    "scroll a page up (graph, table or help)")	\
	X(PAGE_DOWN,	  "page-down",	    "scroll a page down (graph, table or help)") \
	X(ZOOM_IN,	  "zoom-in",	    "zoom into the selected frame (or the table row)") \
	X(ZOOM_OUT,	  "zoom-out",	    "zoom out one level")			\
	X(BACK,		  "back",	    "undo the last of: search, pane, focus, sandwich, zoom") \
	X(ZOOM_RESET,	  "zoom-reset",	    "reset the zoom to the whole profile")	\
	X(SEARCH,	  "search",	    "search frames by regex (PCRE2)")		\
	X(SEARCH_NEXT,	  "search-next",    "select the next matching frame")		\
	X(SEARCH_PREV,	  "search-prev",    "select the previous matching frame")	\
	X(TOP,		  "top",	    "show or hide the top-N functions pane")	\
	X(TOP_SORT,	  "top-sort",	    "sort the table: self or total; processes: samples or name")	\
	X(PROCS,	  "processes",	    "show or hide the process table; Enter focuses on a row") \
	X(GROUP,	  "group",	    "group the roots by process, pid, thread or container") \
	X(FLIP,		  "flip",	    "flip between icicle and flame orientation") \
	X(SANDWICH,	  "sandwich",	    "callers above, callees below the selected function") \
	X(FOCUS_FN,	  "focus-function", "only stacks through frames matching a regex") \
	X(HIDE,		  "hide",	    "take frames matching a regex out of every stack") \
	X(DROP,		  "drop",	    "leave out the stacks through a frame matching a regex") \
	X(RECURSION,	  "collapse-recursion", "fold direct recursion (a;b;b;c -> a;b;c), or stop") \
	X(RECURSION_ALL,  "collapse-recursion-all", "fold indirect recursion too, or stop") \
	X(KERNEL,	  "kernel-frames",  "hide or show kernel frames")		\
	X(MERGE,	  "merge",	    "merge processes and threads (hide grouping frames)") \
	X(VALUES,	  "values",	    "values as percent and samples, percent, samples, or time") \
	X(COPY,		  "copy",	    "copy the selected frame's name to the clipboard (OSC 52)") \
	X(UNDO_XFORM,	  "remove-transform", "remove the last transform (a click on a chip removes it)") \
	X(EVENT,	  "event",	    "show on-CPU samples, off-CPU time or wall time (--event)") \
	X(PAUSE,	  "pause",	    "pause or resume the live view")		\
	X(WINDOW_BACK,	  "window-back",    "move the shown window back in time")	\
	X(WINDOW_FORWARD, "window-forward", "move the shown window forward in time")	\
	X(WINDOW_SHRINK,  "window-shrink",  "shrink the shown window")		\
	X(WINDOW_GROW,	  "window-grow",    "grow the shown window")			\
	X(BASELINE,	  "baseline",	    "mark the shown window as the diff baseline") \
	X(DIFF,		  "diff",	    "show or hide the diff against the baseline") \
	X(SNAPSHOT,	  "snapshot",	    "save what is shown to a folded file")	\
	X(SNAPSHOT_BOTH,  "snapshot-both",  "in a diff, save both sides")		\
	X(SAVE_HISTORY,	  "save-history",   "save the retained history, second by second") \
	X(MOUSE,	  "mouse",	    "turn the mouse on or off")			\
	X(REDRAW,	  "redraw",	    "redraw the screen")			\
	X(HELP,		  "help",	    "show this help")				\
	X(QUIT,		  "quit",	    "quit")

enum action {
#define FT_ACTION_ENUM(id, name, desc) ACT_##id,
	FT_ACTIONS(FT_ACTION_ENUM)
#undef FT_ACTION_ENUM
	ACT_COUNT,
	ACT_NONE = -1,
};

const char *action__name(enum action a);
const char *action__description(enum action a);
/* The action called name, or ACT_NONE. */
enum action action__find(const char *name);

#endif
