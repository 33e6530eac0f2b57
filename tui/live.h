/* SPDX-License-Identifier: MIT */
/*
 * live: the live source of the explorer.  Owns the sampler and the
 * history; once a second (a timerfd on whole wall-clock seconds) it drains
 * the sampler into the history and, unless paused or rewound, moves the
 * shown window to the newest second.  Sampling never stops while the view
 * is paused or rewound.
 */
#ifndef FLAMETOP_LIVE_H
#define FLAMETOP_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "../profile/history.h"
#include "../sampler/sampler.h"
#include "options.h"

enum live_state { LIVE_FOLLOW, LIVE_PAUSED, LIVE_REWOUND };

struct live {
	struct sampler *sampler;
	struct history *history;
	int timer_fd;
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
	char label[160];	/* the target, for the status line */
	char target[64];	/* the target, for snapshot names */
	char target_gone_msg[64];
};

/* Starts sampling; NULL with a one-line reason in err. */
struct live *live__new(const struct options *o, struct strtab *names, char *err, size_t size);
void live__free(struct live *l);

/* After the timer fired: drains one second into the history.  0 or -errno. */
int live__tick(struct live *l);
/* Makes the history's tree hold the window's counts; 0 or -ENOMEM. */
int live__apply(struct live *l);
const struct calltree *live__tree(const struct live *l);

void live__toggle_pause(struct live *l);
/* Moves the window by half its width: dir -1 back, +1 forward (to the live edge). */
void live__move(struct live *l, int dir);
/* Shrinks (-1) or grows (+1) the window through 1, 2, 5, 10, 20, 30, 60... seconds. */
void live__resize(struct live *l, int dir);

#endif
