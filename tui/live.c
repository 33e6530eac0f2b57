// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "live.h"

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static void describe_target(struct live *l, const struct options *o)
{
	if (o->target == TARGET_PIDS) {
		int n = snprintf(l->label, sizeof(l->label), "pid %d", (int)o->pids[0]);

		for (size_t i = 1; i < o->npids && n > 0 && (size_t)n < sizeof(l->label); i++)
			n += snprintf(l->label + n, sizeof(l->label) - (size_t)n, ",%d",
				      (int)o->pids[i]);
		snprintf(l->target, sizeof(l->target), "pid%d%s", (int)o->pids[0],
			 o->npids > 1 ? "-more" : "");
		snprintf(l->target_gone_msg, sizeof(l->target_gone_msg), "TARGET EXITED");
	} else if (o->target == TARGET_CGROUP) {
		const char *base = strrchr(o->cgroup, '/');

		snprintf(l->label, sizeof(l->label), "cgroup %s", o->cgroup);
		snprintf(l->target, sizeof(l->target), "%s", base && base[1] ? base + 1 : o->cgroup);
		snprintf(l->target_gone_msg, sizeof(l->target_gone_msg), "CGROUP REMOVED");
	} else {
		snprintf(l->label, sizeof(l->label), "all CPUs");
		snprintf(l->target, sizeof(l->target), "host");
	}
}

/* Fires on each whole wall-clock second, so seconds are slices. */
static int start_timer(void)
{
	int fd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	struct itimerspec its = { .it_interval = { 1, 0 } };
	struct timespec now;

	if (fd < 0)
		return -errno;
	clock_gettime(CLOCK_REALTIME, &now);
	its.it_value.tv_sec = now.tv_sec + 1;
	if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL)) {
		close(fd);
		return -errno;
	}
	return fd;
}

struct live *live__new(const struct options *o, struct strtab *names, char *err, size_t size)
{
	struct live *l = calloc(1, sizeof(*l));
	struct sampler_opts so;

	if (!l) {
		snprintf(err, size, "out of memory");
		return NULL;
	}
	sampler_opts_from(o, &so);
	l->timer_fd = -1;
	l->retain = o->retain;
	l->window = o->window < o->retain ? o->window : o->retain;
	l->newest = INT64_MIN;
	describe_target(l, o);
	l->history = history__new(names, o->retain);
	if (!l->history) {
		snprintf(err, size, "out of memory");
		goto err_free;
	}
	l->sampler = sampler__new(&so, names, err, size);
	if (!l->sampler)
		goto err_free;
	l->timer_fd = start_timer();
	if (l->timer_fd < 0) {
		snprintf(err, size, "cannot create a timer: %s", strerror(-l->timer_fd));
		goto err_free;
	}
	l->last_cpu_us = cpu_us();
	l->last_wall = wall_now();
	l->w1 = (int64_t)l->last_wall;
	l->w0 = l->w1 - l->window;
	return l;
err_free:
	live__free(l);
	return NULL;
}

void live__free(struct live *l)
{
	if (!l)
		return;
	if (l->timer_fd >= 0)
		close(l->timer_fd);
	sampler__free(l->sampler);
	history__free(l->history);
	free(l);
}

struct drain_ctx {
	struct history *h;
	int64_t sec;
};

static int add_stack(void *ctx, const uint32_t *frames, size_t n, uint64_t count)
{
	struct drain_ctx *d = ctx;

	return history__add(d->h, d->sec, frames, n, count);
}

int live__tick(struct live *l)
{
	uint64_t expirations, cpu;
	double wall = wall_now();
	struct drain_ctx d = { l->history, (int64_t)wall - 1 };
	int err;

	if (read(l->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return -errno;
	/* what was sampled up to this whole second belongs to the one before */
	if (l->newest != INT64_MIN && d.sec < l->newest)
		d.sec = l->newest;	/* the clock went back: keep time monotonic */
	err = sampler__drain(l->sampler, add_stack, &d);
	if (err)
		return err;
	if (l->newest == INT64_MIN)
		l->oldest = d.sec;
	if (l->newest == INT64_MIN || d.sec > l->newest)
		l->newest = d.sec;
	sampler__stats(l->sampler, &l->stats);
	cpu = cpu_us();
	if (wall > l->last_wall)
		l->cpu_pct = (double)(cpu - l->last_cpu_us) / 1e4 / (wall - l->last_wall);
	l->last_cpu_us = cpu;
	l->last_wall = wall;
	if (l->state == LIVE_FOLLOW) {
		l->w1 = l->newest + 1;
		l->w0 = l->w1 - l->window;
	}
	if (!l->target_gone && !sampler__target_alive(l->sampler)) {
		/* keep the last window in view instead of scrolling into nothing */
		l->target_gone = true;
		if (l->state == LIVE_FOLLOW)
			l->state = LIVE_PAUSED;
	}
	return live__apply(l);
}

int live__apply(struct live *l)
{
	return history__set_window(l->history, l->w0, l->w1);
}

const struct calltree *live__tree(const struct live *l)
{
	return history__tree(l->history);
}

void live__toggle_pause(struct live *l)
{
	if (l->state == LIVE_FOLLOW) {
		l->state = LIVE_PAUSED;
		return;
	}
	l->state = LIVE_FOLLOW;
	if (l->newest != INT64_MIN)
		l->w1 = l->newest + 1;
	l->w0 = l->w1 - l->window;
}

void live__move(struct live *l, int dir)
{
	int64_t step = l->window / 2 ? l->window / 2 : 1, first, edge;

	if (l->newest == INT64_MIN)
		return;
	edge = l->newest + 1;
	first = edge - l->retain;
	l->w1 += dir * step;
	if (l->w1 >= edge) {
		l->w1 = edge;
		l->state = LIVE_FOLLOW;
	} else {
		if (l->w1 - (int64_t)l->window < first)
			l->w1 = first + l->window;
		if (l->w1 > edge)
			l->w1 = edge;
		l->state = l->w1 == edge && dir > 0 ? LIVE_FOLLOW : LIVE_REWOUND;
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
}
