// SPDX-License-Identifier: MIT
/*
 * The live view's window: its moves (pause, rewind, resize) and what the
 * status line, the timeline and a snapshot say of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../profile/snapshot.h"
#include "../profile/timeline.h"
#include "live.h"
#include "push.h"

/* A replay: nothing more comes, so its end is never followed, only shown. */
static bool replay(const struct live *l)
{
	return l->source && !l->source->info.realtime;
}

void live__toggle_pause(struct live *l)
{
	if (l->state == LIVE_FOLLOW) {
		l->state = LIVE_PAUSED;
		return;
	}
	l->state = replay(l) ? LIVE_PAUSED : LIVE_FOLLOW;
	if (l->newest != INT64_MIN)
		l->w1 = l->newest + 1;
	l->w0 = l->w1 - l->window;
}

/* The oldest second kept: the window never starts before it. */
static int64_t oldest_kept(const struct live *l)
{
	return l->newest + 1 - (int64_t)l->retain;
}

void live__move(struct live *l, int dir)
{
	int64_t step = l->window / 2 ? l->window / 2 : 1, first, edge;

	if (l->newest == INT64_MIN)
		return;
	edge = l->newest + 1;
	first = oldest_kept(l);
	l->w1 += dir * step;
	if (l->w1 >= edge) {
		l->w1 = edge;
		l->state = replay(l) ? LIVE_PAUSED : LIVE_FOLLOW;
	} else {
		if (l->w1 - (int64_t)l->window < first)
			l->w1 = first + l->window;
		if (l->w1 > edge)
			l->w1 = edge;
		l->state = l->w1 < edge || dir < 0 ? LIVE_REWOUND :
			   replay(l) ? LIVE_PAUSED : LIVE_FOLLOW;
	}
	l->w0 = l->w1 - l->window;
}

void live__resize(struct live *l, int dir)
{
	static const uint32_t steps[] = { 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600,
					  7200, 21600, 43200, 86400, 172800, 604800 };
	size_t n = sizeof(steps) / sizeof(steps[0]), i = 0;

	while (i < n && steps[i] < l->window)
		i++;
	if (dir < 0)
		l->window = i > 0 ? steps[i - 1] : steps[0];
	else
		l->window = i < n && steps[i] > l->window ? steps[i] : i + 1 < n ? steps[i + 1] : l->window;
	if (l->window > l->retain)
		l->window = l->retain;
	l->w0 = l->w1 - l->window;
	if (l->newest == INT64_MIN || l->w0 >= oldest_kept(l))
		return;
	/* grown past the oldest second kept: the window moves on, as far as the newest */
	l->w0 = oldest_kept(l);
	l->w1 = l->w0 + l->window;
	if (l->w1 >= l->newest + 1 && l->state == LIVE_REWOUND)
		l->state = replay(l) ? LIVE_PAUSED : LIVE_FOLLOW;
}

/* "12:00:01-12:00:11" in local time. */
static void span_text(int64_t t0, int64_t t1, char *buf, size_t size)
{
	time_t a = (time_t)t0, b = (time_t)t1;
	struct tm ta, tb;
	char sa[16] = "?", sb[16] = "?";

	if (localtime_r(&a, &ta))
		strftime(sa, sizeof(sa), "%H:%M:%S", &ta);
	if (localtime_r(&b, &tb))
		strftime(sb, sizeof(sb), "%H:%M:%S", &tb);
	snprintf(buf, size, "%s-%s", sa, sb);
}

void live__window_label(const struct live *l, char *buf, size_t size)
{
	span_text(l->w0, l->w1, buf, size);
}

void live__status(const struct live *l, struct live_status *st)
{
	const struct source_info *in = &l->source->info;

	*st = (struct live_status){
		.state = l->state,
		.realtime = in->realtime,
		.label = in->label,
		.gone = l->target_gone ? in->gone_msg : NULL,
		.hz = in->hz,
		.window = l->window,
		.lost = l->stats.lost + l->stats.stacks_lost + l->stats.events_lost +
			l->stats.offcpu_lost + l->stats.offcpu_stacks_lost,
		.truncated = l->stats.truncated,
		.cpu_pct = l->cpu_pct,
	};
	if (l->push) {
		struct push_stats ps;

		push__stats(l->push, &ps);
		st->pushing = true;
		st->push_sent = ps.sent;
		st->push_dropped = ps.dropped;
		st->push_queued = ps.queued;
	}
	span_text(l->w0, l->w1, st->span, sizeof(st->span));
}

uint64_t *live__rates(const struct live *l, int64_t *first, uint32_t *n)
{
	int64_t last;
	uint64_t *rates;

	if (!history__span(l->history, first, &last))
		return NULL;
	/* from the start of sampling until the history is full */
	if (*first < l->oldest)
		*first = l->oldest;
	if (last < *first)
		return NULL;
	*n = (uint32_t)(last - *first + 1);
	rates = calloc(*n, sizeof(*rates));
	if (rates)
		history__rate(l->history, *first, rates, *n);
	return rates;
}

int live__save(const struct live *l, const char *dir, char *path, size_t size)
{
	/* what is shown is what is saved: grouped and focused as the view is */
	struct timeline_info ti = { .hz = l->source->info.hz, .regroup = true, .group = l->group,
				    .focus = l->focus };
	int64_t first, last;

	/* off-CPU or wall time: its microseconds, said in the header */
	snprintf(ti.event, sizeof(ti.event), "%s", live__unit_name(l));
	if (!history__span(l->history, &first, &last) || l->newest == INT64_MIN)
		return -ENODATA;
	/* what is retained since sampling began, at most --retain seconds */
	ti.to = l->newest;
	ti.from = first > l->oldest ? first : l->oldest;
	if (ti.from < ti.to - (int64_t)l->retain + 1)
		ti.from = ti.to - (int64_t)l->retain + 1;
	snapshot__sanitize(l->source->info.target, ti.target, sizeof(ti.target));
	return snapshot__write_history(dir, l->source->info.target, l->history, &ti,
				       time(NULL), path, size);
}
