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
 * The header is the first line: "# flametop history v1", then key=value
 * fields (from= and to= required; target= and hz= optional; fields this
 * version does not know are ignored, for later versions).  "# t=SEC"
 * starts each second that has samples (seconds ascending, each once,
 * within [from, to]); the stacks of a second are folded lines as
 * folded__write writes them.  No line but a stack ends in a space and
 * digits, so flamegraph.pl skips the comment lines (it counts them as
 * "invalid format" and goes on); other '#' lines are comments, skipped.
 */
/* not FLAMETOP_TIMELINE_H: render/timeline.h has that one */
#ifndef FLAMETOP_PROFILE_TIMELINE_H
#define FLAMETOP_PROFILE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "folded.h"
#include "history.h"
#include "who.h"

/* The longest history a file may describe: seven days of seconds. */
#define TIMELINE_SPAN_MAX	(7u * 24 * 3600)
/* Seconds are 0 .. TIMELINE_SEC_MAX (so no arithmetic on them overflows). */
#define TIMELINE_SEC_MAX	((int64_t)1 << 62)

struct timeline_info {
	char target[64];	/* names snapshots: [A-Za-z0-9._-] only; "" if not known */
	uint32_t hz;		/* the sampling frequency, 0 if unknown */
	int64_t from, to;	/* the seconds covered, [from, to] (to >= from) */
	char event[8];		/* "offcpu", "wall" (microseconds); "": on-CPU samples */
	/* writing a live history (identity frames at its stacks' leaves: who.h) */
	bool regroup;		/* its stacks as grouped and focused here */
	enum group_by group;
	struct who_focus focus;
};

/* The first line says the file is a saved history (buf: the file's start). */
bool timeline__detect(const char *buf, size_t len);

/*
 * Writes h's retained seconds from info->from to info->to (inclusive) to
 * out: the header (the target made safe as snapshot__sanitize makes it),
 * then each second that has samples.  0, -EINVAL when info's span is not
 * one a reader takes, or -errno.
 */
int timeline__write(FILE *out, const struct history *h, const struct timeline_info *info);

/*
 * Reads a saved history from path ("-": standard input), streamed as
 * input.c streams profiles (lines.h), into a new history (*out) retaining
 * the file's whole span: its newest second is `to` and its window is
 * [from, to + 1).  Malformed input (a bad header, a marker out of order or
 * outside [from, to], a span over TIMELINE_SPAN_MAX, a stack before the
 * first marker, any folded error) is -EINVAL with err's line (a total
 * over 2^64-1 is -EOVERFLOW, as folded__parse says it); I/O errors
 * -errno.  On failure *out is NULL.  err and info may be NULL.
 */
int timeline__read_path(const char *path, struct strtab *names, struct history **out,
			struct timeline_info *info, struct parse_error *err);
int timeline__read_fd(int fd, const char *name, size_t chunk, struct strtab *names,
		      struct history **out, struct timeline_info *info, struct parse_error *err);

#endif
