/* SPDX-License-Identifier: MIT */
/*
 * atomic_file: an output file that appears whole or not at all.  Data goes
 * to a temporary file created (O_EXCL, so never through a symlink) in the
 * destination's directory; commit fsyncs it and renames it into place.
 * A path that names an existing device or FIFO (/dev/null, a pipe) is
 * written to directly instead: renaming over it would replace it.
 */
#ifndef FLAMETOP_ATOMIC_H
#define FLAMETOP_ATOMIC_H

#include <stdbool.h>
#include <stdio.h>

struct atomic_file {
	FILE *f;
	char *tmp;
	char *path;
	bool direct;	/* writing to path itself, not a temporary */
};

/* 0 or -errno; on success af->f is open for writing. */
int atomic__open(struct atomic_file *af, const char *path);
/*
 * Completes the file: 0 or -errno (the temporary is removed on failure).
 * With no_clobber an existing path (file, directory or symlink) is never
 * replaced: -EEXIST.
 */
int atomic__commit(struct atomic_file *af, bool no_clobber);
/* Drops the temporary file; safe after a failed open or a commit. */
void atomic__abort(struct atomic_file *af);

#endif
