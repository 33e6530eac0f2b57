/* SPDX-License-Identifier: MIT */
/*
 * jitmap: the names a JIT gives its code in /tmp/perf-PID.map (V8's
 * --perf-basic-prof, the JVM's perf-map-agent, .NET, LuaJIT...): one
 * "START SIZE name" line (hex) per piece of code, appended as code is made.
 *
 * The file is the process's: it is read from the process's own mount
 * namespace, strictly inside its root (its /tmp, its PID as its namespace
 * numbers it), only when it is a regular file (not a symlink) owned by the
 * process's user
 * (anybody could plant /tmp/perf-PID.map for somebody else's process), at
 * most JITMAP_MAX_BYTES of it and JITMAP_MAX_ENTRIES pieces.  It is read
 * again, from where the last read ended, when an address finds no name and
 * a second has passed (JITs append); a process that has no map is looked
 * at less and less often, up to once a minute.  A later line for the same
 * start wins (code space is reused).
 */
#ifndef FLAMETOP_JITMAP_H
#define FLAMETOP_JITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define JITMAP_MAX_BYTES	(64ul << 20)
#define JITMAP_LINE_MAX		4096	/* a longer line is skipped */
#define JITMAP_MAX_ENTRIES	(1u << 20)	/* pieces kept per process */

struct jitmap;

/* For process pid (as the host numbers it); NULL when out of memory. */
struct jitmap *jitmap__new(pid_t pid);
void jitmap__free(struct jitmap *j);
/*
 * The name of the code at addr (not NUL-terminated: *len bytes), or NULL.
 * now_ns: CLOCK_MONOTONIC, to read the file again at most once a second.
 */
const char *jitmap__lookup(struct jitmap *j, uint64_t addr, uint64_t now_ns, size_t *len);
/*
 * Reads an open perf map from where the last read of the same file ended
 * (all of it when it is another file, or shorter than that): whole lines,
 * at most JITMAP_MAX_BYTES.  The lookup does this itself; tests call it.
 */
void jitmap__read_fd(struct jitmap *j, int fd);
/* Adds the whole lines of text, as read from a file. */
void jitmap__parse(struct jitmap *j, const char *text, size_t len);
/* The name at addr from what is read so far, without reading more; NULL if none. */
const char *jitmap__find(const struct jitmap *j, uint64_t addr, size_t *len);
/* The pieces known, sorted by start, one per start. */
size_t jitmap__count(const struct jitmap *j);
bool jitmap__entry(const struct jitmap *j, size_t i, uint64_t *start, uint64_t *end,
		   const char **name, size_t *len);

#endif
