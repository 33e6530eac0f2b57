// SPDX-License-Identifier: MIT
/*
 * Reading a profile file as a stream: chunks of whole lines go to the
 * reader as they arrive, so a file never has to fit in memory, a stream
 * that never ends (/dev/zero, `yes`) is refused as soon as it shows what it
 * is, and a file that shrinks, grows or is replaced while read is just a
 * shorter or longer read — it is never mapped, so it cannot fault.
 *
 * Rules (SPEC.md): a NUL byte is not text (FILE:LINE: at once); a line is
 * at most INPUT_LINE_MAX bytes (an error with its number past that).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folded.h"
#include "../util/readall.h"

#define CHUNK	(1u << 20)	/* what one read asks for */
#define DETECT	(64u << 10)	/* the format is told from the first 64 KiB (or all, if less) */

struct stream {
	int fd;
	size_t chunk;
	char *buf;
	size_t cap, len;	/* buf[0..len) holds what is not yet parsed */
	unsigned long line;	/* lines handed to the reader so far */
	bool eof;
	unsigned long nul_line;	/* a NUL was read on this line: an error once lines before it are read */
	enum profile_format format;
	bool detected;
	struct perfscript *ps;
	struct parse_stats stats;
};

static unsigned long lines_in(const char *s, size_t n)
{
	unsigned long k = 0;

	for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))); p++)
		k++;
	return k;
}

/* Reads more; a NUL among the new bytes is an error on its line. */
static int stream_fill(struct stream *st, const char *name, struct parse_error *err)
{
	ssize_t r;
	const char *nul;

	if (st->cap - st->len < st->chunk) {
		size_t ncap = st->cap ? st->cap * 2 : 2 * st->chunk;
		char *nb;

		if (st->len > INPUT_LINE_MAX)
			return parse_error__set(err, st->line + 1, -EINVAL, "line longer than %u MiB",
				    INPUT_LINE_MAX >> 20);
		nb = realloc(st->buf, ncap);
		if (!nb)
			return parse_error__set(err, 0, -ENOMEM, "out of memory reading %s", name);
		st->buf = nb;
		st->cap = ncap;
	}
	do
		r = read(st->fd, st->buf + st->len, st->chunk);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return parse_error__set(err, 0, -errno, "cannot read %s: %s", name, strerror(errno));
	if (r == 0)
		st->eof = true;
	nul = memchr(st->buf + st->len, '\0', (size_t)r);
	if (nul) {
		/* the lines before it are read first: the first error is the one shown */
		const char *start = memrchr(st->buf, '\n', (size_t)(nul - st->buf));

		st->nul_line = st->line + lines_in(st->buf, (size_t)(nul - st->buf)) + 1;
		st->len = start ? (size_t)(start - st->buf) + 1 : 0;
		st->eof = true;
		return 0;
	}
	st->len += (size_t)r;
	return 0;
}

static void add_stats(struct parse_stats *to, const struct parse_stats *s)
{
	to->lines += s->lines;
	to->skipped += s->skipped;
	to->samples += s->samples;
}

/*
 * What the format is told from: the whole lines within the first DETECT
 * bytes (all of them at the end of the input, the last line with no line
 * break too), so that it does not depend on how much a read brought.
 */
static size_t detect_span(const struct stream *st, size_t n)
{
	const char *nl;

	if (st->eof && st->len <= DETECT)
		return st->len;
	nl = memrchr(st->buf, '\n', n < DETECT ? n : DETECT);
	return nl ? (size_t)(nl - st->buf) + 1 : n;
}

/* Hands buf[0..n), whole lines, to the reader the first chunk chose. */
static int stream_parse(struct stream *st, struct calltree *t, size_t n,
			struct parse_error *err)
{
	struct parse_stats s = { 0 };
	int ret;

	if (!st->detected) {
		/* at the end, the last line counts even without its line break */
		st->format = profile__detect(st->buf, detect_span(st, n));
		st->detected = true;
		if (st->format == FORMAT_PERF_SCRIPT && !(st->ps = perfscript__begin(t)))
			return parse_error__set(err, 0, -ENOMEM, "out of memory");
	}
	err->line = 0;
	ret = st->ps ? perfscript__feed(st->ps, st->buf, n, err)
		     : folded__parse(t, st->buf, n, err, &s);
	if (err->line)
		err->line += st->line;
	add_stats(&st->stats, &s);
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

static int stream_run(struct stream *st, struct calltree *t, const char *name,
		      struct parse_error *err)
{
	int ret = 0;

	while (!ret && !st->eof) {
		const char *nl;

		ret = stream_fill(st, name, err);
		if (ret)
			break;
		if (!st->detected && !st->eof && st->len < DETECT)
			continue;
		nl = st->len ? memrchr(st->buf, '\n', st->len) : NULL;
		/* only the line carried over from earlier reads can be longer than a read */
		if (line_too_long(st->buf, nl ? (size_t)(nl - st->buf) + 1 : st->len))
			ret = parse_error__set(err, st->line + 1, -EINVAL, "line longer than %u MiB",
				   INPUT_LINE_MAX >> 20);
		else if (nl)
			ret = stream_parse(st, t, (size_t)(nl - st->buf) + 1, err);
	}
	if (!ret && st->len && line_too_long(st->buf, st->len))
		ret = parse_error__set(err, st->line + 1, -EINVAL, "line longer than %u MiB",
			   INPUT_LINE_MAX >> 20);
	else if (!ret && st->len)	/* a last line with no line break */
		ret = stream_parse(st, t, st->len, err);
	if (!ret && st->nul_line)
		ret = parse_error__set(err, st->nul_line, -EINVAL, "NUL byte: this is not a text file");
	if (!ret && !st->detected)
		st->format = FORMAT_FOLDED;	/* empty input */
	return ret;
}

int profile__read_fd(struct calltree *t, int fd, const char *name, size_t chunk,
		     struct parse_error *err, struct parse_stats *stats)
{
	struct stream st = { .fd = fd, .chunk = chunk && chunk < CHUNK ? chunk : CHUNK };
	struct parse_error scratch;
	int ret;

	if (!err)
		err = &scratch;
	*err = (struct parse_error){ 0 };
	ret = stream_run(&st, t, name, err);
	if (st.ps) {
		struct parse_stats s = { 0 };
		int r = perfscript__end(st.ps, ret ? NULL : err, &s);

		add_stats(&st.stats, &s);
		if (!ret)
			ret = r;
	}
	st.stats.format = st.format;
	if (stats)
		*stats = st.stats;
	free(st.buf);
	return ret;
}

int profile__read_path(struct calltree *t, const char *path, struct parse_error *err,
		       struct parse_stats *stats)
{
	struct parse_error scratch;
	struct stat sb;
	int fd, ret;

	if (!err)
		err = &scratch;
	*err = (struct parse_error){ 0 };
	if (!strcmp(path, "-"))
		return profile__read_fd(t, STDIN_FILENO, "<stdin>", 0, err, stats);
	fd = open_input(path);
	if (fd < 0)
		return parse_error__set(err, 0, fd, "cannot open %s: %s", path, strerror(-fd));
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		return parse_error__set(err, 0, -EISDIR, "%s is a directory", path);
	}
	ret = profile__read_fd(t, fd, path, 0, err, stats);
	close(fd);
	return ret;
}
