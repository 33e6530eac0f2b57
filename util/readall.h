/* SPDX-License-Identifier: MIT */
/* Reading what a descriptor holds, whole (a pipe, /proc), writing whole, and opening inputs safely. */
#ifndef FLAMETOP_READALL_H
#define FLAMETOP_READALL_H

#include <stddef.h>

/*
 * Reads fd to its end into *data (malloc'ed, first `first` bytes then
 * doubling, always one byte past the data set to '\0'); the length in *len.
 * 0 or -errno; on failure *data is NULL.
 */
int read_all(int fd, size_t first, char **data, size_t *len);
/* The same, refusing more than max bytes (-EFBIG once max + 1 are read). */
int read_all_max(int fd, size_t first, size_t max, char **data, size_t *len);
/* Writes all n bytes of p to fd (again after EINTR or a short write): 0 or -errno. */
int write_all(int fd, const void *p, size_t n);
/*
 * Opens path to read, without hanging on a FIFO that has no writer (it then
 * reads as empty: a reader of profiles waits for one, lines.c) and without
 * taking a terminal; the descriptor blocks as usual after.  -errno on failure.
 */
int open_input(const char *path);

#endif
