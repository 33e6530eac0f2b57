// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <zlib.h>

#include "../util/vec.h"
#include "gzip.h"

int gzip__deflate(const uint8_t *in, size_t n, uint8_t **out, size_t *len)
{
	z_stream z = { 0 };
	uLong cap;
	uint8_t *buf;
	int r;

	if (n > UINT32_MAX - 4096)
		return -EFBIG;	/* zlib's lengths */
	cap = compressBound((uLong)n) + 64;
	buf = malloc(cap);
	if (!buf || deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(buf);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	r = deflate(&z, Z_FINISH);
	*len = z.total_out;
	deflateEnd(&z);
	if (r != Z_STREAM_END) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}

int gzip__inflate(const uint8_t *in, size_t n, size_t max, uint8_t **out, size_t *len,
		  const char **why)
{
	z_stream z = { .next_in = (Bytef *)in, .avail_in = (uInt)n };
	size_t cap = 0, limit = max + 1;	/* one byte past max tells "more" */
	uint8_t *buf = NULL;
	int r = Z_OK;

	*why = "corrupt";
	if (n > UINT32_MAX || inflateInit2(&z, 15 + 32) != Z_OK)
		return n > UINT32_MAX ? -EFBIG : -ENOMEM;
	while (r == Z_OK && z.total_out < limit) {
		if (z.total_out == cap) {
			/* doubling from four times the input (vec.h's rule), capped at limit */
			size_t first = 4 * n + 65536 < limit ? 4 * n + 65536 : limit;
			size_t grow = vec__next_cap(cap, cap + 1, 1, first, limit);
			uint8_t *more = grow ? realloc(buf, grow) : NULL;

			if (!more) {
				r = Z_MEM_ERROR;
				break;
			}
			buf = more;
			cap = grow;
		}
		z.next_out = buf + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out < UINT32_MAX ? cap - z.total_out : UINT32_MAX);
		r = inflate(&z, Z_NO_FLUSH);
		if (r == Z_BUF_ERROR && z.avail_out) {
			*why = "truncated";	/* the input stops short */
			break;
		}
		if (r == Z_BUF_ERROR)
			r = Z_OK;	/* out of room only: more next round */
	}
	*len = z.total_out;
	inflateEnd(&z);
	if (r == Z_STREAM_END) {
		*out = buf;
		return 0;
	}
	free(buf);
	if (r == Z_MEM_ERROR)
		return -ENOMEM;
	return *len >= limit ? -EFBIG : -EINVAL;
}
