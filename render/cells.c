// SPDX-License-Identifier: MIT
#include <string.h>
#include <wchar.h>

#include "../profile/textsafe.h"
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
		textsafe__next_cp(&p, end);
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
		c->ch = shown(textsafe__next_cp(&p, end), g->utf8);
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
