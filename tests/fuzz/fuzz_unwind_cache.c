// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the unwind-table cache's entry reader
 * (sampler/unwind_cache.c): the input is read as an entry file; and, as
 * rows, encoded and read back.  Oracles: an entry read is the same bytes
 * when written again, its rows are in pc order and of known kinds; rows
 * encoded are read back exactly when they are in order and of known kinds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../sampler/unwind_cache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the key of the corpus's entries: 32 bytes of 0x11 */
static const unsigned char key[UNWIND_KEY_LEN] = {
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11,
};

static int rows_valid(const struct ft_unwind_row *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].type > FT_CFA_UNKNOWN || r[i].pad || (i && r[i].pc < r[i - 1].pc))
			return 0;
	return n > 0;
}

static void as_entry(const uint8_t *data, size_t size)
{
	struct ft_unwind_row *rows;
	long n = unwind_cache__parse(data, size, key, 1u << 16, &rows);
	size_t len;
	void *again;

	if (n <= 0) {
		if (rows)
			abort();
		return;
	}
	if (!rows_valid(rows, (size_t)n))
		abort();
	again = unwind_cache__encode(key, rows, (__u32)n, &len);
	if (!again || len != size || memcmp(again, data, size))
		abort();
	free(again);
	free(rows);
}

static void as_rows(const uint8_t *data, size_t size)
{
	size_t n = size / sizeof(struct ft_unwind_row), len;
	struct ft_unwind_row *in = malloc(n * sizeof(*in) + 1), *out;
	void *buf;
	long got;

	if (!in)
		abort();
	memcpy(in, data, n * sizeof(*in));
	buf = unwind_cache__encode(key, in, (__u32)n, &len);
	if (!buf)
		abort();
	got = unwind_cache__parse(buf, len, key, 1u << 16, &out);
	if (rows_valid(in, n) != (got > 0))
		abort();
	if (got > 0 && ((size_t)got != n || memcmp(in, out, n * sizeof(*in))))
		abort();
	if (got > 0)
		free(out);
	free(buf);
	free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	as_entry(data, size);
	as_rows(data, size);
	return 0;
}
