// SPDX-License-Identifier: MIT
/*
 * Reading a profile file (folded or perf script text) as a stream of whole
 * lines (lines.h): the format is told from the first DETECT bytes, then
 * each chunk goes to the reader that format has.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"
#include "lines.h"
#include "pprof.h"

#define DETECT	(64u << 10)	/* the format is told from the first 64 KiB (or all, if less) */

struct profile_reader {
	struct calltree *t;
	bool detected;
	enum profile_format format;
	struct perfscript *ps;
	unsigned flags;		/* the perf script reader's (READ_SRCLINE) */
	const struct read_opts *ro;	/* NULL: the defaults */
	struct profile_info info;
	struct parse_stats stats;
};

/* "# flametop unit=us type=offcpu" at the top of a folded file: its unit. */
static void folded_header(struct profile_reader *r, const char *s, size_t len)
{
	static const char tag[] = "# flametop ";
	const char *nl = memchr(s, '\n', len), *end = nl ? nl : s + len, *p;
	char line[256], *save = NULL, *word;

	if ((size_t)(end - s) >= sizeof(line) || (size_t)(end - s) < sizeof(tag) - 1 ||
	    memcmp(s, tag, sizeof(tag) - 1))
		return;
	p = s + sizeof(tag) - 1;
	memcpy(line, p, (size_t)(end - p));
	line[end - p] = '\0';
	for (word = strtok_r(line, " \t\r", &save); word; word = strtok_r(NULL, " \t\r", &save)) {
		if (!strncmp(word, "unit=", 5))
			r->info.vt.unit = units__parse(word + 5);
		else if (!strncmp(word, "type=", 5) || !strncmp(word, "event=", 6))
			snprintf(r->info.vt.name, sizeof(r->info.vt.name), "%s", strchr(word, '=') + 1);
	}
	/* a saved history's header names its event only: off-CPU and wall time are microseconds */
	if (r->info.vt.unit == UNIT_SAMPLES &&
	    (!strcmp(r->info.vt.name, "offcpu") || !strcmp(r->info.vt.name, "wall")))
		r->info.vt.unit = UNIT_MICROSECONDS;
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
static size_t detect_span(const struct lines_chunk *c)
{
	const char *nl;

	if (c->end && c->avail <= DETECT)
		return c->avail;
	nl = memrchr(c->s, '\n', c->len < DETECT ? c->len : DETECT);
	return nl ? (size_t)(nl - c->s) + 1 : c->len;
}

/* Hands a chunk to the reader the first chunk chose. */
static int profile_chunk(void *ctx, const struct lines_chunk *c, struct parse_error *err)
{
	struct profile_reader *r = ctx;
	struct parse_stats s = { 0 };
	int ret;

	if (!r->detected) {
		r->format = profile__detect(c->s, detect_span(c));
		r->detected = true;
		if (r->format == FORMAT_FOLDED)
			folded_header(r, c->s, c->len);
		if (r->format == FORMAT_PERF_SCRIPT && !(r->ps = perfscript__begin_flags(r->t, r->flags)))
			return parse_error__set(err, 0, -ENOMEM, "out of memory");
	}
	ret = r->ps ? perfscript__feed(r->ps, c->s, c->len, err)
		    : folded__parse(r->t, c->s, c->len, err, &s);
	add_stats(&r->stats, &s);
	return ret;
}

/* Ends the perf script reader, if any, and says what was read. */
static int profile_end(struct profile_reader *r, int ret, struct parse_error *err,
		       struct parse_stats *stats)
{
	if (r->ps) {
		struct parse_stats s = { 0 };
		int e = perfscript__end(r->ps, ret ? NULL : err, &s);

		add_stats(&r->stats, &s);
		if (!ret)
			ret = e;
	}
	/* an empty input is folded */
	r->stats.format = r->detected ? r->format : FORMAT_FOLDED;
	if (stats)
		*stats = r->stats;
	return ret;
}

int profile__read_fd(struct calltree *t, int fd, const char *name, size_t chunk,
		     struct parse_error *err, struct parse_stats *stats)
{
	struct profile_reader r = { .t = t };
	struct parse_error scratch;
	int ret;

	if (!err)
		err = &scratch;
	ret = lines__read_fd(fd, name, chunk, DETECT, profile_chunk, &r, err);
	return profile_end(&r, ret, err, stats);
}

int profile__read_path(struct calltree *t, const char *path, struct parse_error *err,
		       struct parse_stats *stats)
{
	return profile__read_path_flags(t, path, 0, err, stats);
}

int profile__read_path_flags(struct calltree *t, const char *path, unsigned flags,
			     struct parse_error *err, struct parse_stats *stats)
{
	struct read_opts ro = { .flags = flags };

	return profile__read(t, path, &ro, NULL, err, stats);
}

static bool is_pprof(const void *buf, size_t len)
{
	return pprof__sniff(buf, len);
}

/* A pprof file, read whole. */
static int pprof_blob(void *ctx, const void *buf, size_t len, struct parse_error *err)
{
	struct profile_reader *r = ctx;
	struct pprof_in in = { .group = r->ro ? r->ro->group : GROUP_COMM,
			       .sample_type = r->ro ? r->ro->sample_type : NULL,
			       .tag_root = r->ro ? r->ro->tag_root : NULL,
			       .ntag_root = r->ro ? r->ro->ntag_root : 0 };
	struct pprof_info pi;
	int ret;

	r->detected = true;
	r->format = FORMAT_PPROF;
	ret = pprof__parse(r->t, buf, len, &in, &pi, err);
	if (ret)
		return ret;
	r->info.vt = pi.vt;
	r->info.hz = pi.hz;
	r->info.skipped = pi.skipped;
	memcpy(r->info.types, pi.types, sizeof(r->info.types));
	r->stats.samples = calltree__samples(r->t);
	return 0;
}

int profile__read(struct calltree *t, const char *path, const struct read_opts *ro,
		  struct profile_info *info, struct parse_error *err, struct parse_stats *stats)
{
	static const struct lines_blob pprof = { is_pprof, pprof_blob, PPROF_FILE_MAX };
	struct profile_reader r = { .t = t, .flags = ro ? ro->flags : 0, .ro = ro };
	struct parse_error scratch;
	int ret;

	if (!err)
		err = &scratch;
	ret = lines__read_path_blob(path, DETECT, profile_chunk, &pprof, &r, err);
	ret = profile_end(&r, ret, err, stats);
	if (info)
		*info = r.info;
	return ret;
}
