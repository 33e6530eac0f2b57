// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the pprof reader (gzipped or raw protocol buffers),
 * read by its default sample type and by "samples".  Oracle: whatever
 * parses writes back as pprof that parses again to the same tree total,
 * and writes as speedscope JSON without failing.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../profile/pprof.h"
#include "../../profile/speedscope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(struct strtab *names, const struct calltree *t)
{
	struct calltree *back = calltree__new(names);
	struct pprof_in in = { .sample_type = "value" };
	uint8_t *buf;
	size_t len;
	FILE *null = fopen("/dev/null", "w");

	if (back && !pprof__encode(t, CT_ROOT, &(struct pprof_out){ .vt = { UNIT_COUNT, "value" } },
				   &buf, &len)) {
		if (pprof__parse(back, buf, len, &in, NULL, NULL) ||
		    calltree__samples(back) != calltree__samples(t))
			abort();
		free(buf);
	}
	if (null) {
		speedscope__write(null, t, CT_ROOT, UNIT_SAMPLES, "fuzz", "fuzz");
		fclose(null);
	}
	calltree__free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strtab *names = strtab__new();
	struct calltree *t = names ? calltree__new(names) : NULL;
	struct parse_error err;
	struct pprof_info info;

	if (t && !pprof__parse(t, data, size, NULL, &info, &err))
		round_trip(names, t);
	calltree__free(t);
	if (names && (t = calltree__new(names))) {
		pprof__parse(t, data, size, &(struct pprof_in){ .sample_type = "samples",
				.group = GROUP_PID }, NULL, &err);
		calltree__free(t);
	}
	strtab__free(names);
	return 0;
}
