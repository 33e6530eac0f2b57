/* SPDX-License-Identifier: MIT */
/*
 * live: the live view's model.  Owns a source and the history it fills.
 * A realtime source (the sampler) is drained on each whole wall-clock
 * second (a timerfd) and, unless paused or rewound, the window shown
 * moves to the newest second; sampling never stops while the view is
 * paused or rewound.  A replay is drained whole when opened and shown
 * paused at its end.
 */
#ifndef FLAMETOP_LIVE_H
#define FLAMETOP_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "../profile/history.h"
#include "../profile/who.h"
#include "live_status.h"
#include "source.h"

struct push;

/* What the live view shows: on-CPU samples, off-CPU time, or both as wall time. */
enum live_event { LIVE_CPU, LIVE_OFFCPU, LIVE_WALL, LIVE_EVENTS };

struct live {
	struct source *source;	/* owned */
	struct strtab *names;	/* borrowed: it holds the focus's name in it */
	struct history *history;	/* the one shown: one of hist[] */
	struct history *hist[LIVE_EVENTS];	/* NULL: not sampled */
	bool sampled[LIVE_EVENTS];	/* what --event takes (hist[LIVE_CPU] is there always) */
	enum live_event event;		/* the one shown */
	int timer_fd;		/* -1 for a replay */
	uint32_t retain;
	int64_t newest;		/* newest second drained; INT64_MIN before the first */
	int64_t oldest;		/* the first second drained */
	int64_t w0, w1;		/* the window shown: [w0, w1) */
	uint32_t window;	/* its width in seconds */
	enum live_state state;
	struct sampler_stats stats;
	double cpu_pct;		/* flametop's own CPU over the last second */
	uint64_t last_cpu_us;
	double last_wall;
	bool target_gone;
	/* what is shown: the window grouped and focused */
	enum group_by group;
	struct who_focus focus;		/* frame CT_NONE: none */
	struct calltree *shown;
	bool stale;			/* shown is to be made whole again */
	uint32_t used;			/* shown's frames at the last regroup */
	uint32_t *map;			/* per history frame with samples: its frame in shown */
	size_t map_cap;
	struct who_place place;		/* where the last frame mapped went in shown */
	uint64_t history_gen;		/* of the history when shown was made */
	uint64_t swept_gen;		/* the histories' generations at the last sweep */
	uint64_t generation;		/* changes when shown is made anew */
	uint32_t *stack;		/* a stack being added: its identity frame first and last */
	size_t stack_cap;
	struct push *push;		/* --push: each window to Pyroscope (owned); NULL: none */
	const char *memlog;		/* FLAMETOP_MEMLOG: where to log memory, or NULL */
	int64_t memlog_last;		/* the second last logged */
};

/*
 * Takes src (freed on failure too); retain and window in seconds (a
 * replay retains its own span instead).  NULL with a reason in err.
 */
struct live *live__new(struct source *src, struct strtab *names, uint32_t retain,
		       uint32_t window, char *err, size_t size);
void live__free(struct live *l);
/*
 * Counts off-CPU time too (--event): a history of it (microseconds), and
 * with on-CPU samples a wall-time one (a sample is 1/Hz); the view shows
 * on-CPU samples, or off-CPU time without them.  Before the first tick.
 * 0 or -ENOMEM.
 */
int live__set_events(struct live *l, bool cpu, bool offcpu);
/* Shows another event's history (the window stays); -ENOENT if not sampled, -ENOMEM. */
int live__show_event(struct live *l, enum live_event ev);
/* What the tree's values count: samples, or microseconds; and what ("offcpu", "wall", ""). */
enum value_unit live__unit(const struct live *l);
const char *live__unit_name(const struct live *l);
/* "on-CPU", "off-CPU", "wall" */
const char *live__event_name(enum live_event ev);
/* Hands each finished window to p (taken; freed with the view). */
void live__set_push(struct live *l, struct push *p);

/* After the timer fired: drains one second into the history.  0 or -errno. */
int live__tick(struct live *l);
/* Makes the tree shown hold the window's counts, grouped and focused; 0 or -ENOMEM. */
int live__apply(struct live *l);
/* The tree shown (borrowed until the next tick or apply). */
const struct calltree *live__tree(const struct live *l);
/* The window as sampled: identity frames at its stacks' leaves (who.h). */
const struct calltree *live__window(const struct live *l);
/* Changes when the tree shown is another, or its node ids are. */
uint64_t live__generation(const struct live *l);
/*
 * Groups the tree shown by g, focused on a row of the process table (f
 * NULL or its frame CT_NONE: all); 0 or -ENOMEM.
 */
int live__set_view(struct live *l, enum group_by g, const struct who_focus *f);

void live__toggle_pause(struct live *l);
/* Moves the window by half its width: dir -1 back, +1 forward (to the live edge). */
void live__move(struct live *l, int dir);
/* Shrinks (-1) or grows (+1) the window through 1, 2, 5, 10, 20, 30, 60... seconds. */
void live__resize(struct live *l, int dir);

void live__status(const struct live *l, struct live_status *st);
/* "12:00:01-12:00:11": the window, in local time. */
void live__window_label(const struct live *l, char *buf, size_t size);
/*
 * Samples per second from the first retained second to the newest:
 * malloc'ed, *n of them from *first; NULL when there are none yet.
 */
uint64_t *live__rates(const struct live *l, int64_t *first, uint32_t *n);
/* Writes the retained history to a new file in dir (snapshot.h); path names it.  0 or -errno. */
int live__save(const struct live *l, const char *dir, char *path, size_t size);

#endif
