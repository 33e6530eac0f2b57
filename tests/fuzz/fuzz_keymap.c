// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the keys-file parser.  Oracles: a bad line is
 * reported with a line number inside the text, its message holds no
 * control character (the words it quotes are escaped), and every key the
 * keymap then binds is one whose name parses back to it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../keymaps/keymap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_error(void *ctx, const char *origin, unsigned line, const char *msg)
{
	unsigned lines = *(unsigned *)ctx;

	(void)origin;
	if (!line || line > lines)
		abort();
	for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keymap *km = keymap__new();
	unsigned lines = 1;
	int keys[64];
	char name[32];

	if (!km)
		return 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	keymap__parse(km, (const char *)data, size, "fuzz", on_error, &lines);
	for (int a = 0; a < ACT_COUNT; a++) {
		size_t n = keymap__keys(km, (enum action)a, keys, 64);

		for (size_t i = 0; i < n && i < 64; i++)
			if (key__parse(key__name(keys[i], name, sizeof(name))) != keys[i])
				abort();
	}
	keymap__free(km);
	return 0;
}
