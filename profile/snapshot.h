/* SPDX-License-Identifier: MIT */
/*
 * Snapshots: what a view shows, saved as flametop-<target>-<YYYYmmdd-HHMMSS>.folded
 * in a directory, created atomically and never replacing anything (SPEC.md);
 * a whole history the same way, as ...-<YYYYmmdd-HHMMSS>.history.folded.
 */
#ifndef FLAMETOP_SNAPSHOT_H
#define FLAMETOP_SNAPSHOT_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "calltree.h"

struct history;
struct timeline_info;

/* Makes target safe as part of a file name: [A-Za-z0-9._-], others '_'. */
void snapshot__sanitize(const char *target, char *out, size_t size);

/*
 * Writes the subtree at node of t (full root paths) to a new file in dir
 * named for target and when (local time); if that name is taken, "-2",
 * "-3"... are tried.  path gets the file's name (or the last name tried).
 * 0 or -errno.
 */
int snapshot__write(const char *dir, const char *target, const struct calltree *t,
		    uint32_t node, time_t when, char *path, size_t size);
/*
 * The same with what write() writes to the file (ctx its own), named with
 * suffix (".pb.gz"): snapshots in other formats.
 */
typedef int (*snapshot_write_fn)(FILE *f, void *ctx);
int snapshot__write_fn(const char *dir, const char *target, const char *suffix,
		       snapshot_write_fn write, void *ctx, time_t when, char *path, size_t size);
/* The same for a saved history (timeline.h): h's seconds info->from .. info->to. */
int snapshot__write_history(const char *dir, const char *target, const struct history *h,
			    const struct timeline_info *info, time_t when, char *path,
			    size_t size);

#endif
