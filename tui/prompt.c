// SPDX-License-Identifier: MIT
#include <string.h>
#include <wchar.h>

#include "../keymaps/keymap.h"
#include "prompt.h"

void prompt__open(struct prompt *p, const char *text)
{
	size_t n = strlen(text);

	if (n >= sizeof(p->text))
		n = sizeof(p->text) - 1;
	/* not in the middle of a code point */
	while (n && (text[n] & 0xc0) == 0x80)
		n--;
	memcpy(p->text, text, n);
	p->text[n] = '\0';
	p->len = n;
	p->on = true;
}

bool prompt__edit(struct prompt *p, const struct input *in)
{
	if (in->kind == INPUT_CHAR) {
		char buf[8];
		mbstate_t st = { 0 };
		size_t n = wcrtomb(buf, (wchar_t)in->key, &st);

		if (n != (size_t)-1 && p->len + n < sizeof(p->text)) {
			memcpy(p->text + p->len, buf, n);
			p->len += n;
			p->text[p->len] = '\0';
		}
		return true;
	}
	if (in->key != KEY_CODE_BACKSPACE)
		return false;
	while (p->len && (p->text[p->len - 1] & 0xc0) == 0x80)
		p->len--;
	if (p->len)
		p->len--;
	p->text[p->len] = '\0';
	return true;
}
