// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the folded and perf-script readers and the format
 * detection.  The low two bits of the first byte pick: 0 the folded reader,
 * 1 the perf-script reader, 2 profile__detect and then the reader it picks,
 * 3 the perf-script reader fed one line at a time, which must agree with
 * the reader fed the whole text; the third bit reads perf script with
 * READ_SRCLINE (a source line after each frame).  Oracles: whatever parses must write back
 * as folded that is detected as folded and parses again to the same number
 * of samples (the round trip).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../profile/folded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The perf-script reader as profile__read_path drives it: a line per chunk, or all in one. */
static int parse_chunks(struct calltree *t, const char *s, size_t n, unsigned flags, bool by_line)
{
	struct perfscript *ps = perfscript__begin_flags(t, flags);
	struct parse_error err;
	const char *p = s, *end = s + n;
	int ret = 0, r;

	if (!ps)
		return -ENOMEM;
	while (p < end && !ret) {
		const char *nl = by_line ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		const char *next = nl ? nl + 1 : end;

		ret = perfscript__feed(ps, p, (size_t)(next - p), &err);
		p = next;
	}
	r = perfscript__end(ps, ret ? NULL : &err, NULL);
	return ret ? ret : r;
}

static int parse(struct calltree *t, struct calltree *whole, unsigned mode, unsigned flags,
		 const char *s, size_t n)
{
	struct parse_error err;
	int ret;

	switch (mode) {
	case 0:
		return folded__parse(t, s, n, &err, NULL);
	case 1:
		return flags ? parse_chunks(t, s, n, flags, false) : perfscript__parse(t, s, n, &err, NULL);
	case 2:
		if (profile__detect(s, n) == FORMAT_PERF_SCRIPT)
			return perfscript__parse(t, s, n, &err, NULL);
		return folded__parse(t, s, n, &err, NULL);
	default:
		ret = parse_chunks(t, s, n, flags, true);
		if (ret != parse_chunks(whole, s, n, flags, false) ||
		    (!ret && calltree__samples(whole) != calltree__samples(t)))
			abort();
		return ret;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strtab *names = strtab__new();
	struct calltree *t = calltree__new(names), *again = calltree__new(names);
	struct calltree *whole = calltree__new(names);
	struct parse_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (!size || !t || !again || !whole)
		goto cleanup;
	if (parse(t, whole, data[0] & 3, data[0] & 4 ? READ_SRCLINE : 0, (const char *)data + 1,
		  size - 1))
		goto cleanup;
	out = open_memstream(&buf, &len);
	if (!out || folded__write(out, t, CT_ROOT))
		abort();
	fclose(out);
	if (len && profile__detect(buf, len) != FORMAT_FOLDED)
		abort();
	if (folded__parse(again, buf, len, &err, NULL) ||
	    calltree__samples(again) != calltree__samples(t))
		abort();
cleanup:
	free(buf);
	calltree__free(whole);
	calltree__free(again);
	calltree__free(t);
	strtab__free(names);
	return 0;
}
