/* SPDX-License-Identifier: MIT */
/*
 * The unwinder: per executable file a table (its rows, unwind_rows.h, in the
 * BPF array map, keyed by device and inode, shared by every process mapping
 * the file), per process its mappings (the BPF hash map).  Tables are built
 * when a process is first noticed, off the sampling path (or read from the
 * cache of earlier runs' tables, unwind_cache.h), and dropped when no
 * process maps their file any more.
 */
#ifndef FLAMETOP_UNWIND_H
#define FLAMETOP_UNWIND_H

#include <linux/types.h>
#include <stddef.h>
#include <sys/types.h>

#include "procmaps.h"
#include "unwind_cache.h"

struct unwinder;

struct unwinder_stats {
	size_t processes, tables, rows_used, rows_cap;
	double build_seconds;	/* time spent building tables so far */
	size_t build_errors;	/* files without usable tables */
	size_t built;		/* tables built (the others came from the cache) */
	struct unwind_cache_stats cache;
	char cache_off[160];	/* why there is no cache, or "" */
};

/* files_fd: the tables by file identity (bpf/profile.h), or -1 */
struct unwinder *unwinder__new(int rows_fd, __u32 rows_cap, int pages_fd, __u32 pages_cap,
			       int procs_fd, int files_fd);
void unwinder__free(struct unwinder *u);
/*
 * Queues pid with its executable mappings (procmaps__read's; the unwinder
 * takes them and *maps is emptied, also on failure): the worker thread
 * builds the tables it lacks and (re)writes its entry.  A pid already
 * waiting keeps its place with the newer mappings.  0 or -ENOMEM.
 */
int unwinder__add_process(struct unwinder *u, pid_t pid, struct procmaps *maps);
/* Counts samples of pid: of the processes waiting, the busiest are done first. */
void unwinder__weigh(struct unwinder *u, pid_t pid, __u64 samples);
/* Waits until the worker has done everything queued so far. */
void unwinder__wait(struct unwinder *u);
/* Asks the worker to forget processes that are gone and free the tables nobody maps. */
void unwinder__sweep(struct unwinder *u);
/* What the worker last published. */
void unwinder__stats(struct unwinder *u, struct unwinder_stats *st);

#endif
