// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the small kernel BTF's entry reader (sampler/kbtf.c)
 * and, behind it, libbpf's parse of a BTF.  The input is taken twice: as a
 * whole entry, and as the BTF of an entry whose header and sum are made
 * right, so that the parse behind the sum is reached.  Oracles: an entry
 * accepted points inside itself, and is accepted again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../sampler/kbtf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *buf, size_t len)
{
	const void *btf, *again;
	size_t n, m;

	if (kbtf__check_entry(buf, len, &btf, &n))
		return;
	if ((const uint8_t *)btf < buf || n > len || (const uint8_t *)btf + n > buf + len ||
	    kbtf__check_entry(buf, len, &again, &m) || again != btf || m != n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *entry = malloc(KBTF_HDR_LEN + size);
	uint64_t len = size;

	check(data, size);
	if (!entry)
		return 0;
	memcpy(entry, "FTKBTF1", 8);
	memcpy(entry + 8, &len, 8);
	if (!filecache__sha256(data, size, entry + 16)) {
		memcpy(entry + KBTF_HDR_LEN, data, size);
		check(entry, KBTF_HDR_LEN + size);
	}
	free(entry);
	return 0;
}
