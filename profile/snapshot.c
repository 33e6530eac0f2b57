// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdio.h>

#include "../util/atomic.h"
#include "folded.h"
#include "snapshot.h"
#include "timeline.h"

void snapshot__sanitize(const char *target, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = target; *p && n + 1 < size && n < 64; p++) {
		unsigned char c = (unsigned char)*p;

		out[n++] = isalnum(c) || c == '.' || c == '_' || c == '-' ? (char)c : '_';
	}
	if (!n && size > 4)
		n = (size_t)snprintf(out, size, "view");
	out[n < size ? n : size - 1] = '\0';
}

/* The i-th candidate name (1-based) in path; 0 or -ENAMETOOLONG. */
static int candidate(char *path, size_t size, const char *dir, const char *name,
		     const char *stamp, const char *suffix, int i)
{
	int w = i == 1 ? snprintf(path, size, "%s/flametop-%s-%s%s", dir, name, stamp, suffix)
		       : snprintf(path, size, "%s/flametop-%s-%s-%d%s", dir, name, stamp, i, suffix);

	return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
}

/* What goes in a snapshot's file: a subtree, a whole history, or what a writer writes. */
struct content {
	const struct calltree *t;
	uint32_t node;
	const struct history *h;
	const struct timeline_info *info;
	snapshot_write_fn write;
	void *ctx;
};

static int write_content(FILE *f, const struct content *c)
{
	if (c->write)
		return c->write(f, c->ctx);
	return c->h ? timeline__write(f, c->h, c->info) : folded__write(f, c->t, c->node);
}

/*
 * Written once to an unnamed file, then linked in under the first free
 * name: a name someone planted (a symlink, a FIFO, a device) is only ever
 * skipped, never opened, so a snapshot cannot write through it or block.
 */
static int write_new(const char *dir, const char *target, time_t when, const char *suffix,
		     const struct content *c, char *path, size_t size)
{
	char name[80], stamp[32];
	struct atomic_file af;
	struct tm tm;
	int err;

	snapshot__sanitize(target, name, sizeof(name));
	if (!localtime_r(&when, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm))
		return -EINVAL;
	err = candidate(path, size, dir, name, stamp, suffix, 1);
	if (!err)
		err = atomic__open(&af, path, ATOMIC_NEW);
	if (err)
		return err;
	err = write_content(af.f, c);
	for (int i = 2; !err; i++) {
		err = atomic__publish(&af, path);
		if (err != -EEXIST || i == 100)
			break;
		err = candidate(path, size, dir, name, stamp, suffix, i);
	}
	atomic__abort(&af);
	return err;
}

int snapshot__write(const char *dir, const char *target, const struct calltree *t,
		    uint32_t node, time_t when, char *path, size_t size)
{
	return write_new(dir, target, when, ".folded", &(struct content){ .t = t, .node = node },
			 path, size);
}

int snapshot__write_history(const char *dir, const char *target, const struct history *h,
			    const struct timeline_info *info, time_t when, char *path,
			    size_t size)
{
	return write_new(dir, target, when, ".history.folded",
			 &(struct content){ .h = h, .info = info }, path, size);
}

int snapshot__write_fn(const char *dir, const char *target, const char *suffix,
		       snapshot_write_fn write, void *ctx, time_t when, char *path, size_t size)
{
	return write_new(dir, target, when, suffix, &(struct content){ .write = write, .ctx = ctx },
			 path, size);
}
