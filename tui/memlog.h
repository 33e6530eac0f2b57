/* SPDX-License-Identifier: MIT */
/*
 * memlog: FLAMETOP_MEMLOG=FILE makes the live view append, every
 * MEMLOG_SECONDS, a line of what its big structures hold and its RSS —
 * how make bench's live run finds what grows.
 */
#ifndef FLAMETOP_MEMLOG_H
#define FLAMETOP_MEMLOG_H

#include <stddef.h>
#include <stdint.h>

#include "../sampler/symbolize.h"

#define MEMLOG_SECONDS 30

struct memlog_line {
	int64_t sec;
	size_t history, shown, names;	/* bytes */
	uint32_t name_ids, name_temps;	/* names interned, temporary ones held */
	struct symbolizer_stats sym;
};

/* Appends m to path with the process's RSS (best effort: nothing on failure). */
void memlog__write(const char *path, const struct memlog_line *m);

#endif
