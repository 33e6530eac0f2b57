/* SPDX-License-Identifier: MIT */
/* gzip in memory (zlib): what pprof files are wrapped in. */
#ifndef FLAMETOP_GZIP_H
#define FLAMETOP_GZIP_H

#include <stddef.h>
#include <stdint.h>

/* in[0, n) gzipped into *out (malloc'ed), fast (as Go's runtime/pprof).  0, -ENOMEM or -EFBIG. */
int gzip__deflate(const uint8_t *in, size_t n, uint8_t **out, size_t *len);
/*
 * A gzip stream inflated into *out (malloc'ed), at most max bytes.  0;
 * -EFBIG past max; -EINVAL truncated or corrupt (*why says which);
 * -ENOMEM.
 */
int gzip__inflate(const uint8_t *in, size_t n, size_t max, uint8_t **out, size_t *len,
		  const char **why);

#endif
