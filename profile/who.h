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
 * A live history keeps who in one identity frame at the leaf of each
 * stack (an interned name no folded file can hold: it starts with a byte
 * that names never carry), so the grouping can change without sampling
 * again: who__regroup() projects such a tree into the one shown, through
 * an optional focus on one row of the process table.  A recording's tree
 * keeps it at the root (pprof's labels are of whole subtrees).
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

/* The identity frame of w (one name id, a temporary one: strtab.h); 0 or -ENOMEM. */
int who__intern(struct strtab *names, const struct who *w, uint32_t *id);
/* Decodes an identity frame; false when the name is not one. */
bool who__decode(const struct strtab *names, uint32_t id, struct who_buf *out);
/*
 * The root frames grouping g gives w: 1 or 2 ids in out; -ENOMEM.  A
 * process's or thread's label (pid, thread) is a temporary name.
 */
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
 * Makes dst the tree src shows grouped by g, through focus (NULL: all).
 * A stack's identity frame may be at its root (a recording's tree) or at
 * its leaf (a live history: stacks of processes that run the same code
 * share their frames, only the leaf is theirs); either way it becomes the
 * grouping's root frames.  Stacks with no identity frame (a saved
 * history's) stay as they are.  dst keeps its nodes (counts zeroed
 * first), so node ids stay as long as dst is regrouped the same way.
 * Only src's frames with samples are visited; map (NULL, or one entry per
 * node of src) gets, for each frame with self samples, its node in dst
 * (CT_NONE: out of focus).  Returns how many such frames went into dst,
 * or -ENOMEM.
 */
long who__regroup(struct calltree *dst, const struct calltree *src, enum group_by g,
		  const struct who_focus *focus, uint32_t *map);

/*
 * Where frames go in a regrouped tree, one at a time (a live view's
 * counts follow its history frame by frame).  For each of the last root
 * frames used, the nodes placed for its last path are kept: a next path
 * under that root reuses them as far as it is the same.  Reset it when
 * dst is made anew, and after a sweep of the names freed some (strtab.h:
 * an identity's id may be another's).
 */
struct who_step {
	uint32_t name;
	uint32_t ver;		/* changes when name does: placed nodes are checked by it */
};

/* The nodes placed under one root frame for its last path. */
struct who_memo {
	uint32_t root1;		/* root + 1; 0: unused */
	uint32_t n;		/* placed[0..n) hold */
	struct {
		uint32_t dst;	/* the node placed for the path's step */
		uint32_t ver;	/* that step's version then */
	} *placed;
	size_t cap;
};

#define WHO_MEMOS 1024

struct who_place {
	struct who_step *path;	/* the path's frames, root first, identity frames left out */
	size_t cap;
	uint32_t ver;		/* the last version given */
	uint32_t ident;		/* the identity frame root is for (CT_NONE: none) */
	uint32_t root;		/* its root frames' node in dst; CT_NONE: out of focus */
	bool rooted;		/* ident, root, g and focus hold */
	enum group_by g;
	struct who_focus focus;
	/* identities met lately and their root (for g and focus): each decoded once */
	struct {
		uint32_t ident1;	/* ident + 1; 0: empty */
		uint32_t root;
	} seen[256];
	struct who_memo *memo;	/* WHO_MEMOS of them, by root; NULL until needed */
};

void who_place__reset(struct who_place *p);
void who_place__free(struct who_place *p);
/*
 * Where src's frame node counts in dst grouped by g through focus: *at,
 * made if missing, the same node who__regroup() gives it; CT_NONE when out
 * of focus.  0 or -ENOMEM.
 */
int who__place(struct who_place *p, struct calltree *dst, const struct calltree *src,
	       uint32_t node, enum group_by g, const struct who_focus *focus, uint32_t *at);
/*
 * The rows of src's window grouped by g, by samples (highest first);
 * *rows malloc'ed.  The count, or -ENOMEM.
 */
long who__table(const struct calltree *src, enum group_by g, struct who_row **rows);

#endif
