/* SPDX-License-Identifier: MIT */
/* Reading what a descriptor holds, whole, when it cannot be mapped (a pipe, /proc). */
#ifndef FLAMETOP_READALL_H
#define FLAMETOP_READALL_H

#include <stddef.h>

/*
 * Reads fd to its end into *data (malloc'ed, first `first` bytes then
 * doubling, always one byte past the data set to '\0'); the length in *len.
 * 0 or -errno; on failure *data is NULL.
 */
int read_all(int fd, size_t first, char **data, size_t *len);

#endif
