/* SPDX-License-Identifier: MIT */
/*
 * A saved history ("timeline"): the retained seconds of a history written
 * as folded text, so flamegraph.pl, `flametop report` and every folded
 * reader see one profile, while `flametop view` finds the seconds again
 * (SPEC.md, "A saved history"):
 *
 *	# flametop history v1 target=pid1234 hz=99 from=1764254400 to=1764255000
 *	# t=1764254400
 *	python3;main;work 12
 *	...
 *	# t=1764254401
 *	...
 *
 * The header is the first line; "# t=SEC" starts each second that has
 * samples (seconds ascending, each once); the stacks of a second are
 * folded lines as folded__write writes them.  No line ends in a space and
 * digits, so flamegraph.pl ignores the comment lines (it counts them as
 * "invalid format" and goes on).
 */
#ifndef FLAMETOP_TIMELINE_H
#define FLAMETOP_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "folded.h"
#include "history.h"

/* The longest history a file may describe: seven days of seconds. */
#define TIMELINE_SPAN_MAX	(7u * 24 * 3600)

struct timeline_info {
	char target[64];	/* names snapshots: [A-Za-z0-9._-] only */
	uint32_t hz;		/* the sampling frequency, 0 if unknown */
	int64_t from, to;	/* the seconds covered, [from, to] (to >= from) */
};

/* The first line says the file is a saved history (buf: the file's start). */
bool timeline__detect(const char *buf, size_t len);

/*
 * Writes h's retained seconds from info->from to info->to (inclusive) to
 * out: the header, then each second that has samples.  0 or -errno.
 */
int timeline__write(FILE *out, const struct history *h, const struct timeline_info *info);

/*
 * Reads a saved history from path ("-": standard input), streamed as
 * input.c streams profiles, into a new history (*out) retaining the file's
 * whole span.  Malformed input (a bad header, a marker out of order or
 * outside [from, to], a span over TIMELINE_SPAN_MAX, any folded error) is
 * -EINVAL with err's line; I/O errors -errno.  On failure *out is NULL.
 */
int timeline__read_path(const char *path, struct strtab *names, struct history **out,
			struct timeline_info *info, struct parse_error *err);
int timeline__read_fd(int fd, const char *name, size_t chunk, struct strtab *names,
		      struct history **out, struct timeline_info *info, struct parse_error *err);

#endif
