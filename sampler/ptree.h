/* SPDX-License-Identifier: MIT */
/*
 * ptree: the processes -p names, as the BPF filter keys them (thread
 * groups), with the descendants each has already; those forked later the
 * sched_process_fork tracepoint adds.  /proc is read as anybody's: a
 * process names itself anything, ')' and line breaks included.
 */
#ifndef FLAMETOP_PTREE_H
#define FLAMETOP_PTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* More than a busy host runs; the processes past it in /proc are not looked at. */
#define PTREE_MAX_PROCS	(1u << 18)

/*
 * The thread group of pid (a thread id stands for its whole process): 0;
 * -ESRCH if there is none; -ECHILD for a zombie (exited, not yet reaped:
 * nothing will ever run).  A zombie leader whose other threads still run
 * is a live process.
 */
int ptree__tgid(pid_t pid, pid_t *tgid);
/*
 * The parent pid in len bytes of a /proc/PID/stat (any bytes, not
 * NUL-terminated): the fields after the last ')', which ends the name.
 * false when the text is not one.
 */
bool ptree__parse_stat(const char *buf, size_t len, pid_t *ppid);
/*
 * roots (thread group ids) and every process that descends from one of
 * them in /proc now, each once, roots first, at most max of them:
 * *out malloc'ed (free it), *full set when max cut the list.  The count
 * or -errno.
 */
long ptree__descendants(const pid_t *roots, size_t n, size_t max, pid_t **out, bool *full);

#endif
