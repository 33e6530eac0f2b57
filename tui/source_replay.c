// SPDX-License-Identifier: MIT
/*
 * A saved history as a source: read whole when opened (timeline.h), then
 * handed out a second at a time, as it was sampled.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../profile/timeline.h"
#include "../util/vec.h"
#include "source.h"

struct replay_source {
	struct source base;
	struct history *history;
	int64_t next;			/* the next second to hand out */
	uint32_t *names;		/* a stack being handed out, root first */
	uint32_t cap;
	struct emit {
		struct replay_source *rs;
		source_add_fn add;
		void *ctx;
		int64_t sec;
	} to;
};

static struct replay_source *of(const struct source *s)
{
	return (struct replay_source *)s;
}

static int no_fd(const struct source *s)
{
	(void)s;
	return -1;
}

static void no_poll(struct source *s)
{
	(void)s;
}

static int no_settle(struct source *s, int ms)
{
	(void)s;
	(void)ms;
	return 0;
}

/* One stack of the second: its names from the leaf up, root first. */
static int emit(void *ctx, uint32_t node, uint64_t count)
{
	struct emit *e = ctx;
	struct replay_source *rs = e->rs;
	const struct calltree *t = history__tree(rs->history);
	uint32_t depth = calltree__depth(t, node), d = depth;

	if (vec_reserve(rs->names, rs->cap, depth, 64))
		return -ENOMEM;
	for (uint32_t id = node; id != CT_ROOT; id = calltree__node(t, id)->parent)
		rs->names[--d] = calltree__node(t, id)->name;
	return e->add(e->ctx, e->sec, EVENT_CPU, NULL, rs->names, depth, count);
}

static int drain(struct source *s, int64_t sec, source_add_fn add, void *ctx)
{
	struct replay_source *rs = of(s);
	int err;

	(void)sec;		/* a replay's seconds are its own */
	if (rs->next > s->info.last)
		return 1;
	rs->to = (struct emit){ rs, add, ctx, rs->next };
	err = history__for_second(rs->history, rs->next, emit, &rs->to);
	if (!err && rs->next++ == s->info.last) {
		/* all handed out: the reader's copy is not needed any more */
		history__free(rs->history);
		rs->history = NULL;
	}
	return err;
}

static void stats(const struct source *s, struct sampler_stats *st)
{
	(void)s;
	*st = (struct sampler_stats){ 0 };
}

static bool alive(const struct source *s)
{
	return of(s)->next <= s->info.last;
}

static void free_(struct source *s)
{
	history__free(of(s)->history);
	free(of(s)->names);
	free(s);
}

static const struct source_ops replay_ops = {
	.fd = no_fd, .poll = no_poll, .settle = no_settle, .drain = drain, .stats = stats, .alive = alive,
	.free = free_,
};

struct source *source__replay(const char *path, struct strtab *names, char *err, size_t size)
{
	struct replay_source *rs = calloc(1, sizeof(*rs));
	struct timeline_info ti;
	struct parse_error pe = { 0 };
	const char *base = strrchr(path, '/'), *name = strcmp(path, "-") ? path : "stdin";
	int e;

	if (!rs) {
		snprintf(err, size, "out of memory");
		return NULL;
	}
	e = timeline__read_path(path, names, &rs->history, &ti, &pe);
	if (e) {
		if (pe.line)
			snprintf(err, size, "%s:%lu: %s", strcmp(path, "-") ? path : "<stdin>", pe.line,
				 pe.msg);
		else
			snprintf(err, size, "%s", pe.msg[0] ? pe.msg : strerror(-e));
		free(rs);
		return NULL;
	}
	rs->base.ops = &replay_ops;
	rs->base.info = (struct source_info){ .hz = ti.hz, .first = ti.from, .last = ti.to };
	memcpy(rs->base.info.event, ti.event, sizeof(ti.event));
	name = base && strcmp(path, "-") ? base + 1 : name;
	if (ti.target[0])
		snprintf(rs->base.info.label, sizeof(rs->base.info.label), "%s (history of %s)",
			 name, ti.target);
	else
		snprintf(rs->base.info.label, sizeof(rs->base.info.label), "%s (history)", name);
	snprintf(rs->base.info.target, sizeof(rs->base.info.target), "%s",
		 ti.target[0] ? ti.target : "history");
	rs->next = ti.from;
	return &rs->base;
}
