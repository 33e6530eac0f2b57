/* SPDX-License-Identifier: MIT */
/*
 * cgtree: the cgroup2 tree walked as anybody's (a container with its cgroup
 * delegated makes what directories it likes there): without following
 * links or leaving the file system, at most CGTREE_MAX_DEPTH deep and
 * CGTREE_MAX_DIRS directories, CGTREE_MAX_INSIDE of them in any one
 * container's cgroup (so that no container crowds the others out).  Each
 * directory comes with what it is and its readable name (cgroups.h): what
 * a container's cgroup holds is named by the container, the outermost
 * one, so nothing inside it can pass for another.  Private to sampler/.
 */
#ifndef FLAMETOP_CGTREE_H
#define FLAMETOP_CGTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CGTREE_MAX_DEPTH	32	/* cgroup.max.depth is unlimited: we are not */
#define CGTREE_MAX_DIRS		65536
#define CGTREE_MAX_INSIDE	4096	/* of them inside one container's cgroup */
#define CGTREE_NAME_MAX		160	/* bytes of a name: a longer path keeps its tail */

struct cg_dir {
	uint64_t ino;		/* the cgroup id */
	const char *path;	/* relative to the mount: "/a/b", "/" for the root */
	const char *base;	/* the last component, "" for the root */
	const char *name;	/* the readable name */
	const char *id;		/* a container's 64 hex digits or a pod's uid (dashes); NULL */
	const char *kind;	/* what id is: "docker", "podman", ..., "container", "pod" */
	bool inside;		/* below a container's directory */
};

/* 0 goes on below d, 1 skips what lies below, < 0 stops the walk (and is returned). */
typedef int (*cg_visit_fn)(void *ctx, const struct cg_dir *d);

/* Visits every directory of the tree at mnt, parents first; 0 or -errno.  d is borrowed. */
int cgtree__walk(const char *mnt, cg_visit_fn fn, void *ctx);
/* Whether s[0, n) is lower-case hex digits. */
bool cgtree__hex(const char *s, size_t n);

#endif
