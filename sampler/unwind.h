/* SPDX-License-Identifier: MIT */
/*
 * unwind: the tables the BPF program unwinds user stacks with, built from
 * each executable file's .eh_frame with libdw's CFI API (see bpf/profile.h
 * for the row format).
 */
#ifndef FLAMETOP_UNWIND_H
#define FLAMETOP_UNWIND_H

#include <libelf.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../bpf/profile.h"

/*
 * The rows for the executable sections of elf, sorted by pc, identical
 * neighbours merged.  *rows is malloc'ed.  Returns the number of rows, 0
 * when the file has no .eh_frame, or -errno (-ERANGE: addresses above 4 GiB).
 */
long unwind__build_rows(Elf *elf, struct ft_unwind_row **rows);
/* The row for vaddr (the last with pc <= vaddr), or NULL. */
const struct ft_unwind_row *unwind__find(const struct ft_unwind_row *rows, size_t n,
					 __u64 vaddr);

#endif

/*
 * The unwinder: per executable file a table (rows in the BPF array map,
 * keyed by device and inode, shared by every process mapping the file),
 * per process its mappings (the BPF hash map).  Tables are built when a
 * process is first noticed, off the sampling path, and dropped when no
 * process maps their file any more.
 */
struct unwinder;

struct unwinder_stats {
	size_t processes, tables, rows_used, rows_cap;
	double build_seconds;	/* time spent building tables so far */
	size_t build_errors;	/* files without usable tables */
};

struct unwinder *unwinder__new(int rows_fd, __u32 rows_cap, int pages_fd, __u32 pages_cap,
			       int procs_fd);
void unwinder__free(struct unwinder *u);
/*
 * Queues pid: the worker thread reads its mappings, builds the tables it
 * lacks and (re)writes its entry.  0 or -ENOMEM.
 */
int unwinder__add_process(struct unwinder *u, pid_t pid);
/* Waits until the worker has done everything queued so far. */
void unwinder__wait(struct unwinder *u);
/* Asks the worker to forget processes that are gone and free the tables nobody maps. */
void unwinder__sweep(struct unwinder *u);
/* What the worker last published. */
void unwinder__stats(struct unwinder *u, struct unwinder_stats *st);
