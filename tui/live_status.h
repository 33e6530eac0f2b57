/* SPDX-License-Identifier: MIT */
/* What the live view is doing, as the status line shows it (live.c fills it). */
#ifndef FLAMETOP_LIVE_STATUS_H
#define FLAMETOP_LIVE_STATUS_H

#include <stdbool.h>
#include <stdint.h>

enum live_state { LIVE_FOLLOW, LIVE_PAUSED, LIVE_REWOUND };

struct live_status {
	enum live_state state;
	bool realtime;		/* false: a saved history, replayed */
	const char *label;	/* the target */
	const char *gone;	/* what the status line says once it is gone, or NULL */
	uint32_t hz, window;	/* hz 0: unknown */
	char span[40];		/* the window, "12:00:01-12:00:11" */
	uint64_t lost, truncated;
	double cpu_pct;
	bool pushing;		/* --push: windows sent, dropped, waiting */
	uint64_t push_sent, push_dropped, push_queued;
};

#endif
