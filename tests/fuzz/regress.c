// SPDX-License-Identifier: MIT
/*
 * Replays fuzz inputs (the corpus) through a fuzz target, without
 * libFuzzer; the Makefile builds one per target (FUZZ_TARGET).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef FUZZ_TARGET
#define FUZZ_TARGET "fuzz_readers.c"
#endif
#include FUZZ_TARGET

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		uint8_t *buf;
		long n;

		if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
			fprintf(stderr, "regress: cannot read %s\n", argv[i]);
			return 1;
		}
		buf = malloc((size_t)n + 1);
		if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
			return 1;
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)n);
		free(buf);
	}
	printf("regress: %d inputs replayed\n", argc - 1);
	return 0;
}
