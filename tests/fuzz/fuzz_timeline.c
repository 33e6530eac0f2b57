// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the saved-history reader (profile/timeline.c): the
 * input, after a first byte that picks a read size of 1..64 bytes, is read
 * whole and in chunks that split lines anywhere.  Oracles: both reads end
 * the same (the same error at the same line, or the same samples in each
 * second); what reads is what folded readers see as one profile with the
 * same samples; and written back, it reads again to the same seconds and
 * writes the same bytes again.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../profile/timeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RATES	4096	/* the seconds compared, at most */

static int read_mem(struct strtab *names, const char *text, size_t len, size_t chunk,
		    struct history **h, struct timeline_info *info, struct parse_error *err)
{
	int fd = memfd_create("fuzz", 0), ret;

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET))
		abort();
	ret = timeline__read_fd(fd, "fuzz", chunk, names, h, info, err);
	close(fd);
	if (ret && *h)
		abort();
	return ret;
}

static char *write_mem(const struct history *h, const struct timeline_info *info, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f || timeline__write(f, h, info) || fclose(f))
		abort();
	return buf;
}

static void same_rates(const struct history *a, const struct history *b, int64_t from)
{
	static uint64_t ra[RATES], rb[RATES];

	history__rate(a, from, ra, RATES);
	history__rate(b, from, rb, RATES);
	if (memcmp(ra, rb, sizeof(ra)))
		abort();
}

/* Folded readers see one profile, with the history's samples. */
static void one_profile(struct strtab *names, const char *text, size_t len, uint64_t samples)
{
	struct calltree *t = calltree__new(names);
	struct parse_error err;

	if (!t || !timeline__detect(text, len) || profile__detect(text, len) != FORMAT_FOLDED ||
	    folded__parse(t, text, len, &err, NULL) || calltree__samples(t) != samples)
		abort();
	calltree__free(t);
}

/* The same header; target a name may be written as ("" as "view"). */
static bool same_info(const struct timeline_info *a, const struct timeline_info *b,
		      const char *target)
{
	return !strcmp(a->target, target) && a->hz == b->hz && a->from == b->from &&
	       a->to == b->to;
}

static void round_trip(struct strtab *names, const struct history *h,
		       const struct timeline_info *info)
{
	struct timeline_info again;
	struct history *back = NULL;
	size_t len, len2;
	char *text = write_mem(h, info, &len), *text2;

	if (read_mem(names, text, len, 0, &back, &again, NULL) ||
	    !same_info(&again, info, info->target[0] ? info->target : "view"))
		abort();
	same_rates(h, back, info->from);
	text2 = write_mem(back, &again, &len2);
	if (len != len2 || memcmp(text, text2, len))
		abort();
	free(text2);
	free(text);
	history__free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strtab *names = strtab__new();
	struct history *whole = NULL, *chunked = NULL;
	struct timeline_info wi = { 0 }, ci = { 0 };
	struct parse_error we, ce;
	const char *text = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;
	int rw, rc;

	if (!size || !names)
		goto cleanup;
	rw = read_mem(names, text, len, 0, &whole, &wi, &we);
	rc = read_mem(names, text, len, 1 + data[0] % 64, &chunked, &ci, &ce);
	if (rw != rc || (rw && (we.line != ce.line || strcmp(we.msg, ce.msg))))
		abort();
	if (rw)
		goto cleanup;
	if (!same_info(&wi, &ci, ci.target))
		abort();
	same_rates(whole, chunked, wi.from);
	one_profile(names, text, len, calltree__samples(history__tree(whole)));
	round_trip(names, whole, &wi);
cleanup:
	history__free(chunked);
	history__free(whole);
	strtab__free(names);
	return 0;
}
