// SPDX-License-Identifier: MIT
/*
 * Saved histories (timeline.h): written second by second, each second's
 * stacks merged and ordered by folded__write; read back as a stream of
 * lines (lines.h), each stack line by folded.c's own line reader.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "lines.h"
#include "snapshot.h"
#include "timeline.h"

#define MAGIC		"# flametop history v1"
#define MAGIC_LEN	(sizeof(MAGIC) - 1)
#define MARKER		"# t="
#define MARKER_LEN	(sizeof(MARKER) - 1)

bool timeline__detect(const char *buf, size_t len)
{
	return len >= MAGIC_LEN && !memcmp(buf, MAGIC, MAGIC_LEN) &&
	       (len == MAGIC_LEN || memchr(" \t\r\n", buf[MAGIC_LEN], 4));
}

/* Whether [from, to] is a span a file may describe. */
static bool span_ok(int64_t from, int64_t to)
{
	return from >= 0 && from <= to && to <= TIMELINE_SEC_MAX &&
	       (uint64_t)(to - from) < TIMELINE_SPAN_MAX;
}

/* --- writing ------------------------------------------------------------- */

/* One second's samples, gathered into a tree of their own. */
struct second {
	const struct calltree *from;	/* the history's tree */
	struct calltree *t;		/* the second's */
	uint32_t *map, *stamp;		/* map[n]: n's node in t, if stamp[n] == pass */
	uint32_t pass;
	uint32_t *up;			/* scratch: a leaf's ancestors not yet in t */
	size_t up_cap;
};

static int second_add(void *ctx, uint32_t node, uint64_t count)
{
	struct second *s = ctx;
	uint32_t at = node, to;
	size_t k = 0;
	int err;

	for (; at != CT_ROOT && s->stamp[at] != s->pass; k++) {
		if (vec_reserve(s->up, s->up_cap, k + 1, 64))
			return -ENOMEM;
		s->up[k] = at;
		at = calltree__node(s->from, at)->parent;
	}
	to = at == CT_ROOT ? CT_ROOT : s->map[at];
	while (k) {
		uint32_t id = s->up[--k];

		err = calltree__child(s->t, to, calltree__node(s->from, id)->name, &to);
		if (err)
			return err;
		s->map[id] = to;
		s->stamp[id] = s->pass;
	}
	return calltree__add(s->t, to, count);
}

/* -errno for a failed write: ENOSPC says more than EIO. */
static int write_error(void)
{
	return -(errno ? errno : EIO);
}

/* A live history's second, its roots as the view groups and focuses them. */
static int regroup(struct second *s, const struct timeline_info *info)
{
	struct calltree *t = calltree__new(calltree__names(s->from));
	long n = t ? who__regroup(t, s->t, info->group, &info->focus, NULL) : -ENOMEM;

	if (n < 0) {
		calltree__free(t);
		return (int)n;
	}
	calltree__free(s->t);
	s->t = t;
	return 0;
}

static int write_second(FILE *out, const struct history *h, int64_t sec, struct second *s,
			const struct timeline_info *info)
{
	const struct ct_node *root;
	int err;

	s->t = calltree__new(calltree__names(s->from));
	if (!s->t)
		return -ENOMEM;
	s->pass++;
	err = history__for_second(h, sec, second_add, s);
	if (!err && info->regroup)
		err = regroup(s, info);
	root = calltree__node(s->t, CT_ROOT);
	/* samples on the root alone have no folded line: no marker either */
	if (!err && root->total > root->self) {
		errno = 0;
		if (fprintf(out, MARKER "%lld\n", (long long)sec) < 0)
			err = write_error();
		else
			err = folded__write(out, s->t, CT_ROOT);
	}
	calltree__free(s->t);
	s->t = NULL;
	return err;
}

int timeline__write(FILE *out, const struct history *h, const struct timeline_info *info)
{
	struct second s = { .from = history__tree(h) };
	uint32_t n = calltree__nodes(s.from);
	char target[sizeof(info->target)];
	int err = 0;

	if (!span_ok(info->from, info->to))
		return -EINVAL;
	snapshot__sanitize(info->target, target, sizeof(target));
	s.map = malloc((size_t)n * sizeof(*s.map));
	s.stamp = calloc(n, sizeof(*s.stamp));
	errno = 0;
	if (!s.map || !s.stamp)
		err = -ENOMEM;
	else if (fprintf(out, MAGIC " target=%s hz=%u from=%lld to=%lld%s%s\n", target, info->hz,
			 (long long)info->from, (long long)info->to, *info->event ? " event=" : "",
			 info->event) < 0)
		err = write_error();
	for (int64_t sec = info->from; !err && sec <= info->to; sec++) {
		uint64_t samples;

		history__rate(h, sec, &samples, 1);
		if (samples)
			err = write_second(out, h, sec, &s, info);
	}
	free(s.up);
	free(s.stamp);
	free(s.map);
	return err;
}

/* --- reading ------------------------------------------------------------- */

struct reader {
	struct strtab *names;
	struct timeline_info *info;
	struct history *h;	/* made once the header is read */
	struct folded_stack fs;
	bool marked;		/* a marker was read: stacks are at second sec */
	int64_t sec;
	uint64_t total;
};

/* A decimal number 0..max, digits only. */
static bool parse_num(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9 || v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool target_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!memchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    s[i], 65))
			return false;
	return n && n < sizeof(((struct timeline_info *)0)->target);
}

enum field { F_TARGET, F_HZ, F_FROM, F_TO, F_EVENT, F_COUNT };

static const struct {
	const char *key;
	const char *what;	/* what the value must be */
} fields[F_COUNT] = {
	[F_TARGET] = { "target", "1 to 63 of A-Z a-z 0-9 . _ -" },
	[F_HZ] = { "hz", "a number below 2^32" },
	[F_FROM] = { "from", "a second, 0 to 2^62" },
	[F_TO] = { "to", "a second, 0 to 2^62" },
	[F_EVENT] = { "event", "offcpu or wall" },
};

/* An event= value: offcpu or wall (microseconds), the events a history may count besides samples. */
static bool event_ok(const char *s, size_t n)
{
	return (n == 6 && !memcmp(s, "offcpu", 6)) || (n == 4 && !memcmp(s, "wall", 4));
}

/* One "key=value" of the header into info; unknown keys are for later versions. */
static int header_field(struct timeline_info *info, unsigned *seen, const char *s, size_t n,
			unsigned long lineno, struct parse_error *err)
{
	const char *eq = memchr(s, '=', n);
	size_t klen = eq ? (size_t)(eq - s) : n, vlen = eq ? n - klen - 1 : 0;
	unsigned f;
	uint64_t v = 0;
	bool ok;

	for (f = 0; f < F_COUNT; f++)
		if (strlen(fields[f].key) == klen && !memcmp(fields[f].key, s, klen))
			break;
	if (f == F_COUNT)
		return 0;
	if (*seen & 1u << f)
		return parse_error__set(err, lineno, -EINVAL, "header: %s= given twice", fields[f].key);
	*seen |= 1u << f;
	ok = eq && (f == F_TARGET ? target_ok(eq + 1, vlen) :
		    f == F_EVENT ? event_ok(eq + 1, vlen)
				 : parse_num(eq + 1, vlen, f == F_HZ ? UINT32_MAX
								   : TIMELINE_SEC_MAX, &v));
	if (!ok)
		return parse_error__set(err, lineno, -EINVAL, "header: bad %s= (%s)", fields[f].key,
					fields[f].what);
	if (f == F_TARGET)
		memcpy(info->target, eq + 1, vlen);
	else if (f == F_EVENT) {
		memcpy(info->event, eq + 1, vlen);
		info->event[vlen] = '\0';
	}
	else if (f == F_HZ)
		info->hz = (uint32_t)v;
	else
		*(f == F_FROM ? &info->from : &info->to) = (int64_t)v;
	return 0;
}

/* The first line: "# flametop history v1 key=value...". */
static int read_header(struct reader *r, const char *s, size_t n, unsigned long lineno,
		       struct parse_error *err)
{
	struct timeline_info *info = r->info;
	unsigned seen = 0;
	size_t i = MAGIC_LEN;
	int ret = 0;

	if (!timeline__detect(s, n))
		return parse_error__set(err, lineno, -EINVAL,
					"not a flametop history (the first line is not \"" MAGIC " ...\")");
	while (!ret && i < n) {
		size_t j = i;

		while (j < n && s[j] != ' ' && s[j] != '\t')
			j++;
		if (j > i)
			ret = header_field(info, &seen, s + i, j - i, lineno, err);
		i = j + 1;
	}
	if (ret)
		return ret;
	if (!(seen & 1u << F_FROM) || !(seen & 1u << F_TO))
		return parse_error__set(err, lineno, -EINVAL, "header: no %s=",
					seen & 1u << F_FROM ? "to" : "from");
	if (!span_ok(info->from, info->to))
		return parse_error__set(err, lineno, -EINVAL,
					info->from > info->to ? "header: from= is after to="
							      : "header: more than %u seconds",
					TIMELINE_SPAN_MAX);
	r->h = history__new(r->names, (uint32_t)(info->to - info->from + 1));
	return r->h ? 0 : parse_error__set(err, lineno, -ENOMEM, "out of memory");
}

/* "# t=SEC": the stacks that follow are at SEC. */
static int read_marker(struct reader *r, const char *s, size_t n, unsigned long lineno,
		       struct parse_error *err)
{
	uint64_t v;

	if (!parse_num(s, n, TIMELINE_SEC_MAX, &v))
		return parse_error__set(err, lineno, -EINVAL,
					"bad second marker (expected \"" MARKER "SECONDS\")");
	if ((int64_t)v < r->info->from || (int64_t)v > r->info->to)
		return parse_error__set(err, lineno, -EINVAL,
					"second %llu outside the header's from= to to=",
					(unsigned long long)v);
	if (r->marked && (int64_t)v <= r->sec)
		return parse_error__set(err, lineno, -EINVAL,
					"second %llu does not come after %lld",
					(unsigned long long)v, (long long)r->sec);
	r->marked = true;
	r->sec = (int64_t)v;
	return 0;
}

static int read_line(struct reader *r, const char *s, size_t len, unsigned long lineno,
		     struct parse_error *err)
{
	size_t n = len && s[len - 1] == '\r' ? len - 1 : len;
	int ret;

	if (!r->h)
		return read_header(r, s, n, lineno, err);
	if (n >= MARKER_LEN && !memcmp(s, MARKER, MARKER_LEN))
		return read_marker(r, s + MARKER_LEN, n - MARKER_LEN, lineno, err);
	ret = folded_stack__read(&r->fs, r->names, NULL, s, len, lineno, err);
	if (ret <= 0)
		return ret;
	if (!r->marked)
		return parse_error__set(err, lineno, -EINVAL,
					"stack before the first \"" MARKER "\" line");
	if (r->fs.count > UINT64_MAX - r->total)
		return parse_error__set(err, lineno, -EOVERFLOW, "total of counts overflows 64 bits");
	r->total += r->fs.count;
	ret = history__add(r->h, r->sec, r->fs.names, r->fs.n, r->fs.count);
	return ret ? parse_error__set(err, lineno, ret, "out of memory") : 0;
}

static int read_chunk(void *ctx, const struct lines_chunk *c, struct parse_error *err)
{
	struct reader *r = ctx;
	const char *p = c->s, *end = c->s + c->len;
	unsigned long lineno = 0;
	int ret = 0;

	folded_stack__forget(&r->fs);	/* the last chunk's text is gone */
	while (!ret && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		ret = read_line(r, p, (size_t)((nl ? nl : end) - p), ++lineno, err);
		p = nl ? nl + 1 : end;
	}
	return ret;
}

/*
 * After the last line: the history covers the header's whole span (its
 * newest second is `to`, even with no samples there), and so does its window.
 */
static int read_end(struct reader *r, int ret, struct history **out, struct parse_error *err)
{
	if (!ret && !r->h)
		ret = parse_error__set(err, 0, -EINVAL, "not a flametop history (empty)");
	if (!ret)
		ret = history__add(r->h, r->info->to, NULL, 0, 0);
	if (!ret)
		ret = history__set_window(r->h, r->info->from, r->info->to + 1);
	if (ret && !err->msg[0])
		parse_error__set(err, 0, ret, "out of memory");
	folded_stack__release(&r->fs);
	if (ret) {
		history__free(r->h);
		r->h = NULL;
	}
	*out = r->h;
	return ret;
}

/* Reads path, or fd when path is NULL. */
static int timeline_read(const char *path, int fd, const char *name, size_t chunk,
			 struct strtab *names, struct history **out, struct timeline_info *info,
			 struct parse_error *err)
{
	struct timeline_info scratch_info;
	struct parse_error scratch;
	struct reader r = { .names = names, .info = info ? info : &scratch_info };
	int ret;

	if (!err)
		err = &scratch;
	*r.info = (struct timeline_info){ 0 };
	ret = path ? lines__read_path(path, 0, read_chunk, &r, err)
		   : lines__read_fd(fd, name, chunk, 0, read_chunk, &r, err);
	return read_end(&r, ret, out, err);
}

int timeline__read_fd(int fd, const char *name, size_t chunk, struct strtab *names,
		      struct history **out, struct timeline_info *info, struct parse_error *err)
{
	return timeline_read(NULL, fd, name, chunk, names, out, info, err);
}

int timeline__read_path(const char *path, struct strtab *names, struct history **out,
			struct timeline_info *info, struct parse_error *err)
{
	return timeline_read(path, -1, NULL, 0, names, out, info, err);
}
