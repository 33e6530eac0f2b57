// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the streaming reader (profile/input.c): the input,
 * after a first byte that picks a read size of 1..64 bytes, goes through a
 * pipe-like descriptor in chunks that split lines and samples anywhere.
 * Oracle: the same outcome as reading the whole text at once — the same
 * format, success or failure, and the same samples.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../profile/folded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strtab *names = strtab__new();
	struct calltree *whole = calltree__new(names), *streamed = calltree__new(names);
	struct parse_stats ws = { 0 }, ss = { 0 };
	struct parse_error err;
	const char *text = (const char *)data + 1;
	size_t len = size ? size - 1 : 0;
	int fd = -1, rw, rs;

	if (!size || memchr(text, '\0', len))
		goto cleanup;	/* a NUL is refused by the stream alone, by design */
	fd = memfd_create("fuzz", 0);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET))
		abort();
	if (profile__detect(text, len) == FORMAT_PERF_SCRIPT)
		rw = perfscript__parse(whole, text, len, &err, &ws);
	else
		rw = folded__parse(whole, text, len, &err, &ws);
	rs = profile__read_fd(streamed, fd, "fuzz", 1 + data[0] % 64, &err, &ss);
	if (!rw != !rs || ws.format != ss.format)
		abort();
	if (!rw && calltree__samples(whole) != calltree__samples(streamed))
		abort();
cleanup:
	if (fd >= 0)
		close(fd);
	calltree__free(streamed);
	calltree__free(whole);
	strtab__free(names);
	return 0;
}
