/* SPDX-License-Identifier: MIT */
/*
 * Reading text as a stream of whole lines (profiles, saved histories):
 * chunks of whole lines go to a reader as they arrive, so a file never has
 * to fit in memory, a stream that never ends (/dev/zero, `yes`) is refused
 * as soon as it shows what it is, and a file that shrinks, grows or is
 * replaced while read is just a shorter or longer read — it is never
 * mapped, so it cannot fault.
 *
 * Rules (SPEC.md): a NUL byte is not text (an error on its line, once the
 * lines before it are read); a line is at most INPUT_LINE_MAX bytes (an
 * error with its number past that).
 */
#ifndef FLAMETOP_LINES_H
#define FLAMETOP_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "folded.h"

struct lines_chunk {
	const char *s;
	size_t len;		/* whole lines (at the end, the last may have no line break) */
	size_t avail;		/* bytes read at s: the len bytes and what follows them */
	bool end;		/* nothing more comes after avail */
	unsigned long line;	/* lines before s */
};

/*
 * A reader of chunks, which it sees in order, each once (the text is
 * borrowed for the call).  Returns 0 or -errno; err->line, when about a
 * line, is counted within the chunk (1: its first line).
 */
typedef int (*lines_fn)(void *ctx, const struct lines_chunk *c, struct parse_error *err);

/*
 * Hands fd's text to fn, read chunk bytes at a time (0: 1 MiB); the first
 * chunk holds the first `first` bytes at least (all of them if fewer).
 * Returns fn's first error, or a NUL byte, a line too long or a read
 * error (err->msg says which, with name); err->line counts in the whole
 * input, 0 when not about a line.
 */
int lines__read_fd(int fd, const char *name, size_t chunk, size_t first, lines_fn fn,
		   void *ctx, struct parse_error *err);
/* The same for path ("-": standard input); one that cannot be opened is -errno. */
int lines__read_path(const char *path, size_t first, lines_fn fn, void *ctx,
		     struct parse_error *err);

/*
 * A file that is not text (a pprof file), told from the first read: is()
 * says so, then the whole file, at most max bytes, goes to fn (the buffer
 * is borrowed for the call, NUL-terminated past len).  Larger is -EFBIG.
 */
struct lines_blob {
	bool (*is)(const void *buf, size_t len);
	int (*fn)(void *ctx, const void *buf, size_t len, struct parse_error *err);
	size_t max;
};
int lines__read_fd_blob(int fd, const char *name, size_t chunk, size_t first, lines_fn fn,
			const struct lines_blob *blob, void *ctx, struct parse_error *err);
int lines__read_path_blob(const char *path, size_t first, lines_fn fn,
			  const struct lines_blob *blob, void *ctx, struct parse_error *err);

#endif
