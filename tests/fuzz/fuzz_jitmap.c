// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the JIT perf-map reader (sampler/jitmap.c): the
 * input, after a first byte that picks where it is cut, is read as a file
 * that grows (the first part, then the rest appended, as a JIT writes it)
 * and as a whole.  Oracles: both reads know the same pieces; pieces are
 * sorted by start with one per start; each piece's start finds a piece
 * holding it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../sampler/jitmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct jitmap *read_file(const uint8_t *data, size_t size, size_t cut)
{
	struct jitmap *j = jitmap__new(1);
	int fd = memfd_create("fuzz", 0);

	if (!j || fd < 0)
		abort();
	if (write(fd, data, cut) != (ssize_t)cut)
		abort();
	jitmap__read_fd(j, fd);
	if (write(fd, data + cut, size - cut) != (ssize_t)(size - cut))
		abort();
	jitmap__read_fd(j, fd);
	close(fd);
	return j;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jitmap *grown, *whole;
	size_t cut;

	if (!size)
		return 0;
	cut = size > 1 ? data[0] % size : 0;
	data++;
	size--;
	cut = cut > size ? size : cut;
	grown = read_file(data, size, cut);
	whole = read_file(data, size, 0);
	if (jitmap__count(grown) != jitmap__count(whole))
		abort();
	for (size_t i = 0; i < jitmap__count(whole); i++) {
		uint64_t s1, e1, s2, e2, ps = 0, pe;
		const char *n1, *n2, *found;
		size_t l1, l2, lf;

		if (!jitmap__entry(whole, i, &s1, &e1, &n1, &l1) ||
		    !jitmap__entry(grown, i, &s2, &e2, &n2, &l2) || s1 != s2 || e1 != e2 ||
		    l1 != l2 || memcmp(n1, n2, l1) || !l1 || e1 <= s1)
			abort();
		if (i && (!jitmap__entry(whole, i - 1, &ps, &pe, &n2, &l2) || ps >= s1))
			abort();
		found = jitmap__find(whole, s1, &lf);
		if (!found || !lf)
			abort();
	}
	jitmap__free(grown);
	jitmap__free(whole);
	return 0;
}
