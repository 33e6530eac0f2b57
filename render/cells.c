// SPDX-License-Identifier: MIT
#include <string.h>
#include <wchar.h>

#include "cells.h"

void grid__fill(struct grid *g, uint32_t row, uint32_t x, uint32_t n, uint8_t fg, uint8_t bg,
		uint8_t attr)
{
	if (row >= g->h || x >= g->w)
		return;
	if (n > g->w - x)
		n = g->w - x;
	for (struct cell *c = grid__at(g, row, x), *end = c + n; c < end; c++)
		*c = (struct cell){ .ch = ' ', .fg = fg, .bg = bg, .attr = attr };
}

/* Decodes one UTF-8 sequence; invalid input yields U+FFFD and one byte. */
static uint32_t next_cp(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	uint32_t cp, min;
	int more;

	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0)
		cp = s[0] & 0x1f, more = 1, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		cp = s[0] & 0x0f, more = 2, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		cp = s[0] & 0x07, more = 3, min = 0x10000;
	else
		goto bad;
	if (end - s <= more)
		goto bad;
	for (int i = 1; i <= more; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		goto bad;
	*p = s + more + 1;
	return cp;
bad:
	*p = s + 1;
	return 0xfffd;
}

static uint32_t shown(uint32_t cp, bool utf8)
{
	if (cp < 0x80)
		return cp >= 0x20 && cp < 0x7f ? cp : '?';
	if (!utf8 || wcwidth((wchar_t)cp) != 1)
		return '?';
	return cp;
}

uint32_t text__columns(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	uint32_t n = 0;

	while (p < end) {
		next_cp(&p, end);
		n++;
	}
	return n;
}

uint32_t grid__text(struct grid *g, uint32_t row, uint32_t x, uint32_t n, const char *s,
		    size_t len, uint8_t fg, uint8_t attr)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	uint32_t cols, keep, i = 0;

	if (row >= g->h || x >= g->w || !n)
		return 0;
	if (n > g->w - x)
		n = g->w - x;
	cols = text__columns(s, len);
	keep = cols <= n ? cols : n > 2 ? n - (g->utf8 ? 1 : 2) : n;
	for (struct cell *c = grid__at(g, row, x); i < keep; i++, c++) {
		c->ch = shown(next_cp(&p, end), g->utf8);
		c->fg = fg;
		c->attr = attr;
	}
	if (keep < cols && keep < n) {
		struct cell *c = grid__at(g, row, x + i);

		for (; i < n; i++, c++) {
			c->ch = g->utf8 ? 0x2026 : '.';
			c->fg = fg;
			c->attr = attr;
		}
	}
	return i;
}

uint32_t grid__puts(struct grid *g, uint32_t row, uint32_t x, uint32_t n, const char *s,
		    uint8_t fg, uint8_t bg, uint8_t attr)
{
	size_t len = strlen(s);
	uint32_t cols = text__columns(s, len);

	if (cols < n)
		n = cols;
	grid__fill(g, row, x, n, fg, bg, attr);
	return grid__text(g, row, x, n, s, len, fg, attr);
}
