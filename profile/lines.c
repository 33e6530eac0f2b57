// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/readall.h"
#include "../util/vec.h"
#include "lines.h"

#define CHUNK	(1u << 20)	/* what one read asks for */

struct stream {
	int fd;
	size_t chunk;
	char *buf;
	size_t cap, len;	/* buf[0..len) holds what is not yet handed on */
	unsigned long line;	/* lines handed to the reader so far */
	bool eof;
	bool started;		/* the reader has had a chunk */
	unsigned long nul_line;	/* a NUL was read on this line: an error once lines before it are read */
	const struct lines_blob *blob;	/* NULL: text only */
	bool sniffed;		/* the blob reader saw the first bytes */
	bool is_blob;		/* they said it is not text */
};

static unsigned long lines_in(const char *s, size_t n)
{
	unsigned long k = 0;

	for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))); p++)
		k++;
	return k;
}

static int too_long(const struct stream *st, struct parse_error *err)
{
	return parse_error__set(err, st->line + 1, -EINVAL, "line longer than %u MiB",
				INPUT_LINE_MAX >> 20);
}

#define SNIFF 3	/* bytes that tell a file that is not text (lines_blob) */

/* A NUL among buf[from, len) is an error on its line, once the lines before it are read. */
static void find_nul(struct stream *st, size_t from)
{
	const char *nul = memchr(st->buf + from, '\0', st->len - from);
	const char *start;

	if (!nul)
		return;
	start = memrchr(st->buf, '\n', (size_t)(nul - st->buf));
	st->nul_line = st->line + lines_in(st->buf, (size_t)(nul - st->buf)) + 1;
	st->len = start ? (size_t)(start - st->buf) + 1 : 0;
	st->eof = true;
}

/*
 * Reads more.  Until the blob reader (if any) has looked at the first
 * SNIFF bytes (or all, if fewer), nothing is checked: a pipe may bring
 * them one at a time.
 */
static int stream_fill(struct stream *st, const char *name, struct parse_error *err)
{
	size_t from = st->len;
	ssize_t r;

	if (st->cap - st->len < st->chunk) {
		if (st->len > INPUT_LINE_MAX)
			return too_long(st, err);
		if (vec_reserve(st->buf, st->cap, st->len + st->chunk, 2 * st->chunk))
			return parse_error__set(err, 0, -ENOMEM, "out of memory reading %s", name);
	}
	do
		r = read(st->fd, st->buf + st->len, st->chunk);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return parse_error__set(err, 0, -errno, "cannot read %s: %s", name, strerror(errno));
	if (r == 0)
		st->eof = true;
	st->len += (size_t)r;
	if (st->blob && !st->sniffed) {
		if (st->len < SNIFF && !st->eof)
			return 0;
		st->sniffed = true;
		if (st->len && st->blob->is(st->buf, st->len)) {
			st->is_blob = true;
			return 0;
		}
		from = 0;
	}
	find_nul(st, from);
	return 0;
}

/* Hands buf[0..n), whole lines, to the reader. */
static int stream_give(struct stream *st, size_t n, lines_fn fn, void *ctx,
		       struct parse_error *err)
{
	struct lines_chunk c = { .s = st->buf, .len = n, .avail = st->len, .end = st->eof,
				 .line = st->line };
	int ret;

	st->started = true;
	err->line = 0;
	ret = fn(ctx, &c, err);
	if (err->line)
		err->line += st->line;
	st->line += lines_in(st->buf, n);
	memmove(st->buf, st->buf + n, st->len - n);
	st->len -= n;
	return ret;
}

/* Whether the first line of s[0..n) is longer than INPUT_LINE_MAX. */
static bool line_too_long(const char *s, size_t n)
{
	const char *nl = memchr(s, '\n', n < INPUT_LINE_MAX + 1 ? n : INPUT_LINE_MAX + 1);

	return !nl && n > INPUT_LINE_MAX;
}

/* The rest of a file that is not text, read whole (bounded, NUL-terminated), to the blob's reader. */
static int blob_run(struct stream *st, const char *name, void *ctx, struct parse_error *err)
{
	size_t max = st->blob->max;
	ssize_t r = 1;

	while (r > 0 && !st->eof) {
		if (st->len > max)
			return parse_error__set(err, 0, -EFBIG, "%s is larger than %zu MiB", name,
						max >> 20);
		if (vec_reserve(st->buf, st->cap, st->len + st->chunk + 1, 2 * st->chunk))
			return parse_error__set(err, 0, -ENOMEM, "out of memory reading %s", name);
		r = read(st->fd, st->buf + st->len, st->cap - st->len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return parse_error__set(err, 0, -errno, "cannot read %s: %s", name,
						strerror(errno));
		st->len += (size_t)r;
	}
	if (st->len > max)
		return parse_error__set(err, 0, -EFBIG, "%s is larger than %zu MiB", name, max >> 20);
	if (vec_reserve(st->buf, st->cap, st->len + 1, 2 * st->chunk))
		return parse_error__set(err, 0, -ENOMEM, "out of memory reading %s", name);
	st->buf[st->len] = '\0';
	return st->blob->fn(ctx, st->buf, st->len, err);
}

static int stream_run(struct stream *st, const char *name, size_t first, lines_fn fn,
		      void *ctx, struct parse_error *err)
{
	int ret = 0;

	while (!ret && !st->eof) {
		const char *nl;

		ret = stream_fill(st, name, err);
		if (!ret && st->is_blob)
			return blob_run(st, name, ctx, err);
		if (ret)
			break;
		if (!st->started && !st->eof && st->len < first)
			continue;
		nl = st->len ? memrchr(st->buf, '\n', st->len) : NULL;
		/* only the line carried over from earlier reads can be longer than a read */
		if (line_too_long(st->buf, nl ? (size_t)(nl - st->buf) + 1 : st->len))
			ret = too_long(st, err);
		else if (nl)
			ret = stream_give(st, (size_t)(nl - st->buf) + 1, fn, ctx, err);
	}
	if (!ret && st->len && line_too_long(st->buf, st->len))
		ret = too_long(st, err);
	else if (!ret && st->len)	/* a last line with no line break */
		ret = stream_give(st, st->len, fn, ctx, err);
	if (!ret && st->nul_line)
		ret = parse_error__set(err, st->nul_line, -EINVAL, "NUL byte: this is not a text file");
	return ret;
}

int lines__read_fd(int fd, const char *name, size_t chunk, size_t first, lines_fn fn,
		   void *ctx, struct parse_error *err)
{
	return lines__read_fd_blob(fd, name, chunk, first, fn, NULL, ctx, err);
}

int lines__read_fd_blob(int fd, const char *name, size_t chunk, size_t first, lines_fn fn,
			const struct lines_blob *blob, void *ctx, struct parse_error *err)
{
	struct stream st = { .fd = fd, .chunk = chunk && chunk < CHUNK ? chunk : CHUNK,
			     .blob = blob };
	struct parse_error scratch;
	int ret;

	if (!err)
		err = &scratch;
	*err = (struct parse_error){ 0 };
	ret = stream_run(&st, name, first, fn, ctx, err);
	free(st.buf);
	return ret;
}

int lines__read_path(const char *path, size_t first, lines_fn fn, void *ctx,
		     struct parse_error *err)
{
	return lines__read_path_blob(path, first, fn, NULL, ctx, err);
}

int lines__read_path_blob(const char *path, size_t first, lines_fn fn,
			  const struct lines_blob *blob, void *ctx, struct parse_error *err)
{
	struct parse_error scratch;
	struct stat sb;
	bool known;
	int fd, ret;

	if (!err)
		err = &scratch;
	*err = (struct parse_error){ 0 };
	if (!strcmp(path, "-"))
		return lines__read_fd_blob(STDIN_FILENO, "<stdin>", 0, first, fn, blob, ctx, err);
	fd = open_input(path);
	if (fd < 0)
		return parse_error__set(err, 0, fd, "cannot open %s: %s", path, strerror(-fd));
	known = fstat(fd, &sb) == 0;
	if (known && S_ISDIR(sb.st_mode)) {
		close(fd);
		return parse_error__set(err, 0, -EISDIR, "%s is a directory", path);
	}
	/* a FIFO no writer has opened yet reads as empty: wait for one, as cat does */
	if (known && S_ISFIFO(sb.st_mode) && poll(&(struct pollfd){ .fd = fd, .events = POLLIN },
						  1, -1) < 0) {
		ret = -errno;
		close(fd);
		return parse_error__set(err, 0, ret, "%s: %s", path, strerror(-ret));
	}
	ret = lines__read_fd_blob(fd, path, 0, first, fn, blob, ctx, err);
	close(fd);
	return ret;
}
