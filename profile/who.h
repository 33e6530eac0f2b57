/* SPDX-License-Identifier: MIT */
/*
 * who: which process, thread and container ran a stack, and the root
 * frames each grouping gives it (SPEC.md, --group):
 *
 *	comm        python3
 *	pid         python3-1234                 (stackcollapse-perf.pl --pid)
 *	thread      net-worker-1234/1235         (--tid, with the thread's name)
 *	container   podman:3ab954374f17;python3  (a container frame above)
 *
 * A live history keeps who in one identity frame at the root of each
 * stack (an interned name no folded file can hold: it starts with a byte
 * that names never carry), so the grouping can change without sampling
 * again: who__regroup() projects such a tree into the one shown, through
 * an optional focus on one row of the process table.
 */
#ifndef FLAMETOP_WHO_H
#define FLAMETOP_WHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calltree.h"

enum group_by { GROUP_COMM, GROUP_PID, GROUP_THREAD, GROUP_CONTAINER, GROUP_COUNT };

/* Names are frame-safe already (no ';', control characters or spaces). */
struct who {
	uint32_t pid, tid;
	const char *comm;	/* the process's name */
	const char *thread;	/* the thread's name */
	const char *container;	/* cgroup_names.h's name of its cgroup */
};

/* A who decoded from an identity frame; the strings point into buf. */
struct who_buf {
	struct who w;
	char buf[3 * 256];
};

const char *group__name(enum group_by g);
/* The grouping called name, or GROUP_COUNT. */
enum group_by group__find(const char *name);

/* The identity frame of w (one name id); 0 or -ENOMEM. */
int who__intern(struct strtab *names, const struct who *w, uint32_t *id);
/* Decodes an identity frame; false when the name is not one. */
bool who__decode(const struct strtab *names, uint32_t id, struct who_buf *out);
/* The root frames grouping g gives w: 1 or 2 ids in out; -ENOMEM. */
int who__frames(struct strtab *names, const struct who *w, enum group_by g, uint32_t out[2]);

/* One row of the process table: a process, a thread or a container. */
struct who_row {
	uint32_t frame;		/* the root frame of the grouping: its label */
	uint32_t pid, tid;	/* 0 when the row is more than one */
	uint32_t a_pid;		/* one of its processes (0: none known) */
	uint32_t container;	/* name id of the container frame; CT_NONE if several */
	uint64_t samples;
};

/* What the view is focused on: the rows whose root frame is this (CT_NONE: none). */
struct who_focus {
	enum group_by by;
	uint32_t frame;
};

/*
 * Makes dst the tree src (identity frames at its root) shows grouped by g,
 * through focus (NULL: all).  dst keeps its nodes (counts zeroed first),
 * so node ids stay as long as dst is regrouped the same way.  Root frames
 * that are not identity frames (a saved history's) stay as they are.
 * Only src's frames with samples are visited; map (NULL, or one entry
 * per node of src) gets each visited frame's node in dst (CT_NONE: out of
 * focus).  Returns how many frames were visited, or -ENOMEM.
 */
long who__regroup(struct calltree *dst, const struct calltree *src, enum group_by g,
		  const struct who_focus *focus, uint32_t *map);
/*
 * Where src's root child c goes in dst: the node of its root frames
 * grouped by g (made if missing), or CT_NONE when out of focus.  0 or
 * -ENOMEM.
 */
int who__graft(struct calltree *dst, const struct calltree *src, uint32_t c, enum group_by g,
	       const struct who_focus *focus, uint32_t *at);
/*
 * The rows of src's window grouped by g, by samples (highest first);
 * *rows malloc'ed.  The count, or -ENOMEM.
 */
long who__table(const struct calltree *src, enum group_by g, struct who_row **rows);

#endif
