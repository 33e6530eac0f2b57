// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the DWARF index's entry reader (sampler/dwindex.c)
 * and the lookups made on what it read (sampler/dwarfinfo.c, no libdw: every
 * CU looked up is one the entry holds, or none).  The input is an entry
 * whose key is taken as the one asked for and whose checksum is made right,
 * so that the checks behind them are reached.  Oracles: an index read is
 * the same bytes when written again; frames name only strings of the index.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../sampler/dwarfinfo.h"
#include "../../sampler/dwindex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEY_AT 40	/* offsetof(struct entry_hdr, key) */
#define SUM_AT (KEY_AT + FILECACHE_KEY_LEN)
#define HDR_LEN (SUM_AT + FILECACHE_KEY_LEN)

static void look_up(struct dwarf_index *x)
{
	struct dwarf_frame out[DWINDEX_DEPTH_MAX + 1];

	for (size_t i = 0; i < x->nspans && i < 64; i++) {
		uint64_t pcs[3] = { x->spans[i].lo, x->spans[i].hi - 1, x->spans[i].lo / 2 };

		for (size_t k = 0; k < 3; k++) {
			size_t n = dwarfinfo__frames(x, NULL, pcs[k], true, false, out,
						     DWINDEX_DEPTH_MAX + 1);

			for (size_t j = 0; j < n; j++) {
				const char *s[2] = { out[j].name, out[j].decl_file };

				for (size_t m = 0; m < 2; m++)
					if (s[m] && (s[m] < x->strs || s[m] >= x->strs + x->nstrs))
						abort();
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf;
	struct dwarf_index *x;
	size_t len;
	void *again;

	if (size < HDR_LEN)
		return 0;
	buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (filecache__sha256(buf + HDR_LEN, size - HDR_LEN, buf + SUM_AT))
		abort();
	x = dwindex__new(NULL, buf + KEY_AT);
	if (x && dwindex__parse(x, buf, size) == 0) {
		again = dwindex__encode(x, &len);
		if (!again || len != size || memcmp(again, buf, size))
			abort();
		free(again);
		look_up(x);
	}
	dwindex__free(x);
	free(buf);
	return 0;
}
