// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "../util/vec.h"
#include "live.h"
#include "memlog.h"
#include "push.h"

/* On quit, how long windows --push has queued are waited for */
#define LIVE_PUSH_WAIT_MS 2000

static void mirror(void *ctx, uint32_t node, uint64_t count, bool add);

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

/*
 * l->stack (its identity frame, then n frames, then the identity frame
 * again) into the histories of its event — samples, or off-CPU
 * nanoseconds as microseconds; and both into wall time — and to --push.
 * The histories take the identity frame at the leaf: the stacks of
 * processes that run the same code share their frames (a compile loop's
 * thousand compilers one tree), only the leaf is theirs.  --push takes it
 * at the root, as a recording's tree does (who.h).
 */
static int add_event(struct live *l, int64_t sec, enum sample_event event, size_t n,
		     uint64_t count)
{
	uint32_t hz = l->source->info.hz ? l->source->info.hz : 99;
	const uint32_t *leaf = l->stack + 1;
	uint64_t wall;
	int err;

	if (event == EVENT_CPU) {
		if (push__add(l->push, sec, l->stack, n + 1, count))
			return -ENOMEM;
		err = history__add(l->hist[LIVE_CPU], sec, leaf, n + 1, count);
		wall = count * 1000000 / hz;
	} else {
		wall = (count + 500) / 1000;
		err = wall && l->hist[LIVE_OFFCPU] ?
		      history__add(l->hist[LIVE_OFFCPU], sec, leaf, n + 1, wall) : 0;
	}
	if (!err && wall && l->hist[LIVE_WALL])
		err = history__add(l->hist[LIVE_WALL], sec, leaf, n + 1, wall);
	return err;
}

/* A stack into the history: with an identity frame when who is known (who.h). */
static int add_stack(void *ctx, int64_t sec, enum sample_event event, const struct who *who,
		     const uint32_t *names, size_t n, uint64_t count)
{
	struct live *l = ctx;

	if (!who)
		return history__add(l->hist[LIVE_CPU], sec, names, n, count);
	if (vec_reserve(l->stack, l->stack_cap, n + 2, 256) ||
	    who__intern(calltree__names(history__tree(l->history)), who, &l->stack[0]))
		return -ENOMEM;
	if (n)
		memcpy(l->stack + 1, names, n * sizeof(*names));
	l->stack[n + 1] = l->stack[0];
	return add_event(l, sec, event, n, count);
}

/* A replay: every second at once, then paused at the end. */
static int replay_all(struct live *l)
{
	int err;

	while ((err = source__drain(l->source, 0, add_stack, l)) == 0)
		;
	if (err < 0)
		return err;
	l->oldest = l->source->info.first;
	l->newest = l->source->info.last;
	/* its last seconds may be empty: the history ends where the file does */
	err = history__add(l->history, l->newest, NULL, 0, 0);
	if (err)
		return err;
	l->state = LIVE_PAUSED;
	l->w1 = l->newest + 1;
	l->w0 = l->w1 - l->window;
	return live__apply(l);
}

/* The focus's frame is held by the view (strtab__sweep). */
static void mark_focus(const void *user, uint8_t *held, uint32_t n)
{
	const struct live *l = user;

	if (l->focus.frame < n)
		held[l->focus.frame] = 1;
}

struct live *live__new(struct source *src, struct strtab *names, uint32_t retain,
		       uint32_t window, char *err, size_t size)
{
	struct live *l = calloc(1, sizeof(*l));
	const struct source_info *in = &src->info;
	int e;

	if (!l) {
		source__free(src);
		snprintf(err, size, "out of memory");
		return NULL;
	}
	l->source = src;
	l->timer_fd = -1;
	l->names = names;
	if (strtab__add_user(names, l, mark_focus)) {
		snprintf(err, size, "out of memory");
		l->names = NULL;
		goto err_free;
	}
	l->memlog = getenv("FLAMETOP_MEMLOG");
	l->focus.frame = CT_NONE;
	/* a replay retains its own seconds: rewinding stops at its first */
	if (!in->realtime)
		retain = (uint32_t)(in->last - in->first + 1);
	l->retain = retain;
	l->window = window < retain ? window : retain;
	l->newest = INT64_MIN;
	l->history = l->hist[LIVE_CPU] = history__new(names, retain);
	l->sampled[LIVE_CPU] = true;
	if (!l->history) {
		snprintf(err, size, "out of memory");
		goto err_free;
	}
	history__observe(l->history, mirror, l);
	if (!in->realtime) {
		e = replay_all(l);
		if (e) {
			snprintf(err, size, "cannot replay the history: %s", strerror(-e));
			goto err_free;
		}
		return l;
	}
	l->timer_fd = start_timer();
	if (l->timer_fd < 0) {
		snprintf(err, size, "cannot create a timer: %s", strerror(-l->timer_fd));
		goto err_free;
	}
	l->last_cpu_us = cpu_us();
	l->last_wall = wall_now();
	l->w1 = (int64_t)l->last_wall;
	l->w0 = l->w1 - l->window;
	e = live__apply(l);
	if (e) {
		snprintf(err, size, "out of memory");
		goto err_free;
	}
	return l;
err_free:
	live__free(l);
	return NULL;
}

int live__set_events(struct live *l, bool cpu, bool offcpu)
{
	struct strtab *names = calltree__names(history__tree(l->history));

	if (offcpu && !(l->hist[LIVE_OFFCPU] = history__new(names, l->retain)))
		return -ENOMEM;
	if (offcpu && cpu && !(l->hist[LIVE_WALL] = history__new(names, l->retain)))
		return -ENOMEM;
	l->sampled[LIVE_CPU] = cpu;
	l->sampled[LIVE_OFFCPU] = offcpu;
	l->sampled[LIVE_WALL] = cpu && offcpu;
	return cpu ? 0 : live__show_event(l, LIVE_OFFCPU);
}

int live__show_event(struct live *l, enum live_event ev)
{
	if (ev >= LIVE_EVENTS || !l->sampled[ev])
		return -ENOENT;
	history__observe(l->history, NULL, NULL);
	l->history = l->hist[ev];
	l->event = ev;
	history__observe(l->history, mirror, l);
	/* another history: the tree shown is made anew from it */
	calltree__free(l->shown);
	l->shown = NULL;
	return live__apply(l);
}

enum value_unit live__unit(const struct live *l)
{
	/* a saved history of off-CPU or wall time replays microseconds */
	return l->event == LIVE_CPU && !*l->source->info.event ? UNIT_SAMPLES : UNIT_MICROSECONDS;
}

const char *live__unit_name(const struct live *l)
{
	if (*l->source->info.event)
		return l->source->info.event;
	return l->event == LIVE_OFFCPU ? "offcpu" : l->event == LIVE_WALL ? "wall" : "";
}

const char *live__event_name(enum live_event ev)
{
	static const char *const names[LIVE_EVENTS] = { "on-CPU", "off-CPU", "wall" };

	return ev < LIVE_EVENTS ? names[ev] : "?";
}

void live__set_push(struct live *l, struct push *p)
{
	l->push = p;
}

void live__free(struct live *l)
{
	if (!l)
		return;
	if (l->timer_fd >= 0)
		close(l->timer_fd);
	/* the window so far, and a moment for what is queued: never a long wait */
	push__flush(l->push);
	push__free(l->push, LIVE_PUSH_WAIT_MS, NULL);
	source__free(l->source);
	calltree__free(l->shown);
	for (int e = 0; e < LIVE_EVENTS; e++)
		history__free(l->hist[e]);
	free(l->stack);
	free(l->map);
	who_place__free(&l->place);
	if (l->names)
		strtab__remove_user(l->names, l);
	free(l);
}

/* FLAMETOP_MEMLOG: what the big structures hold, every MEMLOG_SECONDS (memlog.h). */
static void log_memory(struct live *l, int64_t sec)
{
	struct memlog_line m = { .sec = sec };
	const struct strtab *names = calltree__names(history__tree(l->history));

	if (!l->memlog || sec - l->memlog_last < MEMLOG_SECONDS)
		return;
	l->memlog_last = sec;
	for (int e = 0; e < LIVE_EVENTS; e++)
		m.history += l->hist[e] ? history__bytes(l->hist[e]) : 0;
	m.shown = l->shown ? calltree__bytes(l->shown) : 0;
	m.names = strtab__bytes(names);
	m.name_ids = strtab__count(names);
	m.name_temps = strtab__temps(names);
	m.sym = l->stats.sym;
	memlog__write(l->memlog, &m);
}

/*
 * After a history was compacted (its generation changed), the identity
 * frames and labels of processes gone from every retained second are held
 * no more (once the tree shown is made anew without them): a busy host's
 * names stay as many as its retention holds.
 */
static void sweep_names(struct live *l)
{
	uint64_t gen = 0;
	long freed;

	for (int e = 0; e < LIVE_EVENTS; e++)
		gen += l->hist[e] ? history__generation(l->hist[e]) : 0;
	if (gen == l->swept_gen)
		return;
	freed = strtab__sweep(l->names);
	if (freed < 0)
		return;		/* out of memory: again at the next tick */
	l->swept_gen = gen;
	/* the identities it had met may be other processes' ids now */
	if (freed > 0)
		who_place__reset(&l->place);
}

int live__tick(struct live *l)
{
	uint64_t expirations, cpu;
	double wall = wall_now();
	int64_t sec = (int64_t)wall - 1;
	int err;

	if (l->timer_fd < 0)
		return 0;	/* a replay: nothing more comes */
	if (read(l->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return -errno;
	/* what was sampled up to this whole second belongs to the one before */
	if (l->newest != INT64_MIN && sec < l->newest)
		sec = l->newest;	/* the clock went back: keep time monotonic */
	err = source__drain(l->source, sec, add_stack, l);
	for (int e = 0; e < LIVE_EVENTS && err >= 0; e++) {
		if (!l->hist[e])
			continue;
		/* a second with no samples is a second too (the timeline, what expires) */
		err = history__add(l->hist[e], sec, NULL, 0, 0);
		/* names that arrived late (debuginfod): the history's frames go by them */
		if (err >= 0)
			err = history__rename(l->hist[e]);
	}
	if (err < 0)
		return err;
	push__tick(l->push, sec);
	if (l->newest == INT64_MIN)
		l->oldest = sec;
	if (l->newest == INT64_MIN || sec > l->newest)
		l->newest = sec;
	source__stats(l->source, &l->stats);
	cpu = cpu_us();
	if (wall > l->last_wall)
		l->cpu_pct = (double)(cpu - l->last_cpu_us) / 1e4 / (wall - l->last_wall);
	l->last_cpu_us = cpu;
	l->last_wall = wall;
	log_memory(l, sec);
	if (l->state == LIVE_FOLLOW) {
		l->w1 = l->newest + 1;
		l->w0 = l->w1 - l->window;
	}
	if (!l->target_gone && !source__alive(l->source)) {
		/* keep the last window in view instead of scrolling into nothing */
		l->target_gone = true;
		if (l->state == LIVE_FOLLOW)
			l->state = LIVE_PAUSED;
	}
	err = live__apply(l);
	if (!err)
		sweep_names(l);
	return err;
}

/* Not mapped yet: the frames of the tree shown a history frame goes to. */
#define UNMAPPED (CT_NONE - 1)

/* The frame of the tree shown that history frame node counts in (CT_NONE: none). */
static uint32_t shown_of(struct live *l, uint32_t node)
{
	uint32_t at;

	if (l->map[node] != UNMAPPED)
		return l->map[node];
	if (who__place(&l->place, l->shown, history__tree(l->history), node, l->group, &l->focus,
		       &at)) {
		l->stale = true;	/* its count is lost: made whole again at the next apply */
		return CT_NONE;
	}
	l->map[node] = at;
	return at;
}

/* The history's counts changed: the tree shown follows, frame by frame. */
static void mirror(void *ctx, uint32_t node, uint64_t count, bool add)
{
	struct live *l = ctx;
	uint32_t n = calltree__nodes(history__tree(l->history)), at, had = (uint32_t)l->map_cap;

	if (node == CT_NONE || l->stale || !l->shown)
		goto start_over;
	if (vec_reserve(l->map, l->map_cap, n, 1024))
		goto start_over;
	for (uint32_t i = had; i < l->map_cap; i++)
		l->map[i] = UNMAPPED;
	at = shown_of(l, node);
	if (at == CT_NONE)
		return;
	if (add)
		calltree__add(l->shown, at, count);
	else
		calltree__sub(l->shown, at, count);
	return;
start_over:
	l->stale = true;	/* made whole again at the next apply */
}

/*
 * The tree shown: the window grouped and focused, kept in step with the
 * history's counts as they change (mirror); made whole again when the
 * history starts over, and made anew (new ids) when it renumbers its
 * nodes or the grouping or focus changes.
 */
int live__apply(struct live *l)
{
	uint64_t gen = history__generation(l->history);
	const struct calltree *t = history__tree(l->history);
	int err = history__set_window(l->history, l->w0, l->w1);
	long used;

	if (err)
		return err;
	if (!l->shown || gen != l->history_gen) {
		struct calltree *nt = calltree__new(calltree__names(t));

		/* room for what the last one held: no growing frame by frame */
		if (!nt || calltree__reserve(nt, l->used)) {
			calltree__free(nt);
			return -ENOMEM;
		}
		calltree__free(l->shown);
		l->shown = nt;
		l->history_gen = gen;
		l->generation++;
		l->stale = true;
	}
	if (!l->stale)
		return 0;
	if (vec_reserve(l->map, l->map_cap, calltree__nodes(t), 1024))
		return -ENOMEM;
	for (size_t i = 0; i < l->map_cap; i++)
		l->map[i] = UNMAPPED;
	l->map[CT_ROOT] = CT_ROOT;
	/* the frames placed one by one go in a tree made anew */
	who_place__reset(&l->place);
	used = who__regroup(l->shown, t, l->group, &l->focus, l->map);
	if (used < 0)
		return (int)used;
	l->used = calltree__nodes(l->shown);
	l->stale = false;
	return 0;
}

const struct calltree *live__tree(const struct live *l)
{
	return l->shown;
}

const struct calltree *live__window(const struct live *l)
{
	return history__tree(l->history);
}

uint64_t live__generation(const struct live *l)
{
	return l->generation;
}

/* Starts the tree shown over: other root frames, other ids. */
static int renew(struct live *l)
{
	calltree__free(l->shown);
	l->shown = NULL;
	return live__apply(l);
}

int live__set_view(struct live *l, enum group_by g, const struct who_focus *f)
{
	l->group = g;
	l->focus = f ? *f : (struct who_focus){ .frame = CT_NONE };
	return renew(l);
}
