// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the folded and perf-script readers.  The first byte
 * picks the reader.  Whatever parses must write back as folded that parses
 * again to the same number of samples (the round-trip oracle).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../profile/folded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strtab *names = strtab__new();
	struct calltree *t = calltree__new(names), *again = calltree__new(names);
	struct parse_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int ret;

	if (!size)
		goto cleanup;
	if (data[0] & 1)
		ret = perfscript__parse(t, (const char *)data + 1, size - 1, &err, NULL);
	else
		ret = folded__parse(t, (const char *)data + 1, size - 1, &err, NULL);
	if (ret)
		goto cleanup;
	out = open_memstream(&buf, &len);
	if (!out || folded__write(out, t, CT_ROOT))
		abort();
	fclose(out);
	if (folded__parse(again, buf, len, &err, NULL) ||
	    calltree__samples(again) != calltree__samples(t))
		abort();
cleanup:
	free(buf);
	calltree__free(again);
	calltree__free(t);
	strtab__free(names);
	return 0;
}
