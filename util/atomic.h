/* SPDX-License-Identifier: MIT */
/*
 * atomic_file: an output file that appears whole or not at all, and that
 * never writes through a name someone else planted.
 *
 * The destination's directory is opened once; everything after is relative
 * to that descriptor, so a directory of the path swapped for a symlink
 * meanwhile changes nothing.  Data goes to an unnamed temporary file
 * (O_TMPFILE) in it, so that even SIGKILL leaves nothing behind; publishing
 * links it in under its name once complete.  Where the file system has no
 * O_TMPFILE, a named temporary created with O_EXCL takes its place.
 *
 * The rules (SPEC.md, "Outputs"):
 *  - a symlink at the output path is never followed: another user's (one
 *    planted there) is replaced; one root or the caller made (/dev/stdout)
 *    is refused with -ELOOP, since replacing it would break it; with
 *    ATOMIC_NEW any link counts as an existing name;
 *  - a symlink among the directories of the path is followed when root or
 *    the caller made it, or when it leads to a directory of its maker's;
 *    else -EPERM (a user's link in /tmp to a directory of root's);
 *  - a device or FIFO is written to only when the caller says the user named
 *    it directly (ATOMIC_DIRECT_OK) and root or the caller owns it: another
 *    user's FIFO planted at the path is replaced like a file;
 *  - a directory, a name too long or a directory we cannot use is refused
 *    at open, before any work is done;
 *  - the new file gets 0666 less the umask, or the mode of the regular file
 *    it replaces.
 */
#ifndef FLAMETOP_ATOMIC_H
#define FLAMETOP_ATOMIC_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

enum atomic_flags {
	ATOMIC_DIRECT_OK = 1,	/* path came from the command line: a device or FIFO is written */
	ATOMIC_NEW = 2,		/* never replace anything: an existing name is -EEXIST */
};

#define ATOMIC_FILE_INIT { .dirfd = -1 }

struct atomic_file {
	FILE *f;
	int dirfd;	/* the destination's directory */
	char *name;	/* the output's name in it */
	char tmp[32];	/* the named temporary; "" with O_TMPFILE */
	mode_t mode;
	bool direct;	/* writing to path itself, not a temporary */
	bool new_only;	/* ATOMIC_NEW */
	bool synced;
};

/*
 * 0 or -errno (-EISDIR for a directory, -ELOOP for our own symlink,
 * unless ATOMIC_NEW: then what is at path is not looked at); on success
 * af->f is open for writing.  af must start as ATOMIC_FILE_INIT or come
 * from a failed or finished open.
 */
int atomic__open(struct atomic_file *af, const char *path, unsigned flags);
/*
 * Flushes the data to disk (once) and gives it the last component of path
 * as its name in the directory opened by atomic__open (the rest of path is
 * not looked at again).  An existing file or symlink at
 * path is replaced; with ATOMIC_NEW any existing name gives -EEXIST and the
 * data stays ready for another name.  0 or -errno.
 */
int atomic__publish(struct atomic_file *af, const char *path);
/* atomic__publish under the path given to open, then atomic__abort. */
int atomic__commit(struct atomic_file *af);
/*
 * A whole output in one call: write(f, ctx) to path made atomically as
 * atomic__open's flags say, or to standard output for "-" (flushed).
 * write's error, or open's, or commit's; 0.
 */
int atomic__write_path(const char *path, unsigned flags, int (*write)(FILE *f, void *ctx),
		       void *ctx);
/* Closes and drops what was not published; safe after a failed open or a commit. */
void atomic__abort(struct atomic_file *af);

#endif
