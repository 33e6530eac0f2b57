// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the symbolizer's .eh_frame reader (sampler/ehframe.c):
 * the input, after a first byte that picks where it is cut, is a file whose
 * first part is .eh_frame_hdr and the rest .eh_frame, right after it in
 * memory as linkers put them, give or take the second byte; the third picks
 * the base address.  Oracles: a range found holds the address asked and
 * starts at its index entry; reads stay inside the file (ASan, and pread
 * of a memfd); nothing hangs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../sampler/ehframe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eh_section hdr, frame;
	struct ehframe x;
	size_t cut;
	int fd;

	if (size < 3)
		return 0;
	cut = data[0] % (size - 2);
	hdr = (struct eh_section){ 0, cut, 0x1000 + (uint64_t)data[2] * 4096 };
	frame = (struct eh_section){ cut, size - 3 - cut, hdr.addr + cut + data[1] };
	data += 3;
	size -= 3;
	fd = memfd_create("fuzz", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	if (ehframe__open_sections(&x, fd, &hdr, &frame)) {
		for (size_t i = 0; i < x.n && i < 64; i++) {
			uint64_t probe[3] = { x.fdes[i].start, x.fdes[i].start + 7, x.fdes[i].start - 1 };

			for (int k = 0; k < 3; k++) {
				uint64_t lo, hi;

				if (ehframe__range(&x, probe[k], &lo, &hi) &&
				    (lo > probe[k] || probe[k] >= hi))
					abort();
			}
		}
		ehframe__free(&x);
	}
	close(fd);
	return 0;
}
