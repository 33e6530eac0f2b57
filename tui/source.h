/* SPDX-License-Identifier: MIT */
/*
 * source: where the live view's samples come from, a second at a time.
 * Two implementations: the sampler (source_sampler.c), drained once a
 * wall-clock second, and the replay of a saved history (source_replay.c),
 * drained as fast as asked.  `record` drains the sampler's too.
 */
#ifndef FLAMETOP_SOURCE_H
#define FLAMETOP_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../profile/strtab.h"
#include "../sampler/sampler.h"
#include "options.h"

struct who;
/*
 * One stack of second sec: who ran it (profile/who.h) and its frames below
 * the process (name ids, root first); or, with who NULL, whole frames as a
 * file holds them.  Borrowed for the call.
 */
typedef int (*source_add_fn)(void *ctx, int64_t sec, enum sample_event event,
			     const struct who *who, const uint32_t *names, size_t n,
			     uint64_t count);

struct source_info {
	char label[160];	/* the target, for the status line */
	char target[64];	/* the target, for file names */
	char gone_msg[64];	/* what the status line says once it is gone */
	uint32_t hz;		/* samples per second per CPU; 0 when unknown */
	bool realtime;		/* drained once a wall-clock second */
	int64_t first, last;	/* a replay: the seconds it holds */
	char event[8];		/* a replay of off-CPU ("offcpu") or wall time: microseconds */
};

struct source;

struct source_ops {
	int (*fd)(const struct source *s);
	void (*poll)(struct source *s);
	int (*settle)(struct source *s, int ms);
	int (*drain)(struct source *s, int64_t sec, source_add_fn add, void *ctx);
	void (*stats)(const struct source *s, struct sampler_stats *st);
	bool (*alive)(const struct source *s);
	void (*free)(struct source *s);
	void (*finish)(struct source *s, int ms);	/* NULL: nothing pending */
	/* where a function is declared; NULL: never known */
	bool (*where)(const struct source *s, uint32_t name, const char **file, uint32_t *line);
	/* the file a function was found in (path, build-id or NULL); NULL: never known */
	bool (*module)(const struct source *s, uint32_t name, const char **path,
		       const char **build_id);
};

struct source {
	const struct source_ops *ops;
	struct source_info info;
};

/* Starts the sampler for the command line's target; NULL with a one-line reason in err. */
struct source *source__sampler(const struct options *o, struct strtab *names, char *err,
			       size_t size);
/* Opens a saved history (timeline.h) to replay; NULL with a one-line reason in err. */
struct source *source__replay(const char *path, struct strtab *names, char *err, size_t size);

/* The descriptor to poll with the others (-1: none); poll() when it is readable. */
static inline int source__fd(const struct source *s) { return s->ops->fd(s); }
static inline void source__poll(struct source *s) { s->ops->poll(s); }
/*
 * Gets ready for the first second, for at most ms (the sampler: the
 * running processes' unwind tables).  0 or -errno.
 */
static inline int source__settle(struct source *s, int ms) { return s->ops->settle(s, ms); }
/*
 * Drains one second into add: what the sampler took up to now, as second
 * sec; a replay's next second, as it was.  0, 1 when there is nothing
 * more to drain (a replay at its end), or -errno.
 */
static inline int source__drain(struct source *s, int64_t sec, source_add_fn add, void *ctx)
{
	return s->ops->drain(s, sec, add, ctx);
}
/*
 * Before the last drain: waits at most ms for names still being looked up
 * (debuginfod), so that the last drain renames frames (strtab__rename).
 */
static inline void source__finish(struct source *s, int ms)
{
	if (s->ops->finish)
		s->ops->finish(s, ms);
}
/* Where the function named name is declared (file, line), when the source knows. */
static inline bool source__where(const struct source *s, uint32_t name, const char **file,
				 uint32_t *line)
{
	return s->ops->where && s->ops->where(s, name, file, line);
}
static inline bool source__module(const struct source *s, uint32_t name, const char **path,
				  const char **build_id)
{
	return s->ops->module && s->ops->module(s, name, path, build_id);
}

static inline void source__stats(const struct source *s, struct sampler_stats *st)
{
	s->ops->stats(s, st);
}
/* False once every target process exited or the cgroup went away. */
static inline bool source__alive(const struct source *s) { return s->ops->alive(s); }
static inline void source__free(struct source *s)
{
	if (s)
		s->ops->free(s);
}

#endif
