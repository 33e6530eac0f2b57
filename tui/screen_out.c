// SPDX-License-Identifier: MIT
/* The grid to the terminal with pre-formatted sequences (screen_out.h). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <curses.h>
#include <term.h>

#include "../util/vec.h"
#include "screen_out.h"

#define ATTR_SETS 16	/* CELL_BOLD | CELL_REVERSE | CELL_UNDERLINE | CELL_DIM */

struct screen_out {
	FILE *out;
	char *fg[PAL_COUNT], *bg[PAL_COUNT];	/* NULL: nothing to send */
	char *attrs[ATTR_SETS];			/* after the reset: the attributes of a set */
	char *reset, *clear;
	bool margin_wraps;			/* writing the last column moves the cursor on */
	struct cell *shown;			/* what the terminal shows; NULL: unknown */
	uint32_t w, h;
	char *buf;
	size_t len, cap;
	bool oom;
};

static char *dup_seq(const char *s)
{
	return s && s != (const char *)-1 && *s ? strdup(s) : NULL;
}

/* A colour's sequence: the ANSI one when the terminal has it, else the older one. */
static char *colour_seq(bool fg, short n)
{
	const char *ansi = fg ? set_a_foreground : set_a_background;
	const char *old = fg ? set_foreground : set_background;
	const char *cap = ansi && ansi != (const char *)-1 ? ansi : old;

	if (n < 0 || !cap || cap == (const char *)-1)
		return NULL;
	return dup_seq(tiparm(cap, (int)n));
}

static char *attrs_seq(unsigned set)
{
	const char *parts[4] = {
		set & CELL_BOLD ? enter_bold_mode : NULL,
		set & CELL_REVERSE ? enter_reverse_mode : NULL,
		set & CELL_UNDERLINE ? enter_underline_mode : NULL,
		set & CELL_DIM ? enter_dim_mode : NULL,
	};
	char s[256] = "";

	for (int i = 0; i < 4; i++)
		if (parts[i] && parts[i] != (const char *)-1 &&
		    strlen(s) + strlen(parts[i]) < sizeof(s))
			strcat(s, parts[i]);
	return dup_seq(s);
}

/* A sequence with terminfo padding ($<5>) needs tputs: curses paints such terminals. */
static bool padded(const char *s)
{
	return s && strstr(s, "$<");
}

static bool any_padded(const struct screen_out *o)
{
	bool p = padded(o->reset) || padded(o->clear) || padded(cursor_address);

	for (int i = 0; i < PAL_COUNT; i++)
		p = p || padded(o->fg[i]) || padded(o->bg[i]);
	for (int i = 0; i < ATTR_SETS; i++)
		p = p || padded(o->attrs[i]);
	return p;
}

struct screen_out *screen_out__new(FILE *out, const short colour[PAL_COUNT])
{
	struct screen_out *o;

	if (!cursor_address || cursor_address == (char *)-1 || !exit_attribute_mode ||
	    exit_attribute_mode == (char *)-1)
		return NULL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->out = out;
	o->reset = dup_seq(exit_attribute_mode);
	o->clear = dup_seq(clear_screen);
	/* with xenl (the newline glitch) the last column waits for the next character */
	o->margin_wraps = auto_right_margin && !eat_newline_glitch;
	for (int i = 0; colour && i < PAL_COUNT; i++) {
		o->fg[i] = colour_seq(true, colour[i]);
		o->bg[i] = colour_seq(false, colour[i]);
	}
	for (unsigned i = 0; i < ATTR_SETS; i++)
		o->attrs[i] = attrs_seq(i);
	if (!o->reset || any_padded(o)) {
		screen_out__free(o);
		return NULL;
	}
	return o;
}

void screen_out__free(struct screen_out *o)
{
	if (!o)
		return;
	for (int i = 0; i < PAL_COUNT; i++) {
		free(o->fg[i]);
		free(o->bg[i]);
	}
	for (int i = 0; i < ATTR_SETS; i++)
		free(o->attrs[i]);
	free(o->reset);
	free(o->clear);
	free(o->shown);
	free(o->buf);
	free(o);
}

void screen_out__invalidate(struct screen_out *o)
{
	free(o->shown);
	o->shown = NULL;
}

static void put(struct screen_out *o, const char *s, size_t n)
{
	if (!s || o->oom)
		return;
	if (vec_reserve(o->buf, o->cap, o->len + n, 1 << 16)) {
		o->oom = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void puts_seq(struct screen_out *o, const char *s)
{
	if (s)
		put(o, s, strlen(s));
}

static void put_char(struct screen_out *o, uint32_t ch)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	size_t n;

	if (ch >= 0x20 && ch < 0x7f) {
		char c = (char)ch;

		put(o, &c, 1);
		return;
	}
	memset(&st, 0, sizeof(st));
	n = ch ? wcrtomb(mb, (wchar_t)ch, &st) : (size_t)-1;
	/* the grid holds one-column characters only; anything else (C0, DEL, C1) is a blank */
	if (n == (size_t)-1 || ch < 0x20 || (ch >= 0x7f && ch < 0xa0))
		put(o, " ", 1);
	else
		put(o, mb, n);
}

static bool same_style(const struct cell *a, const struct cell *b)
{
	return a->fg == b->fg && a->bg == b->bg && a->attr == b->attr;
}

static const char *fg_of(const struct screen_out *o, uint8_t id)
{
	return id < PAL_COUNT ? o->fg[id] : NULL;
}

static const char *bg_of(const struct screen_out *o, uint8_t id)
{
	return id < PAL_COUNT ? o->bg[id] : NULL;
}

/*
 * From style was (NULL: unknown) to c's: only the colour that changes when
 * the attributes stay and it has a sequence of its own; else a reset first.
 */
static void set_style(struct screen_out *o, const struct cell *was, const struct cell *c)
{
	if (was && was->attr == c->attr && (c->fg == was->fg || fg_of(o, c->fg)) &&
	    (c->bg == was->bg || bg_of(o, c->bg))) {
		if (c->fg != was->fg)
			puts_seq(o, fg_of(o, c->fg));
		if (c->bg != was->bg)
			puts_seq(o, bg_of(o, c->bg));
		return;
	}
	puts_seq(o, o->reset);
	puts_seq(o, o->attrs[c->attr & (ATTR_SETS - 1)]);
	if (c->fg < PAL_COUNT)
		puts_seq(o, o->fg[c->fg]);
	if (c->bg < PAL_COUNT)
		puts_seq(o, o->bg[c->bg]);
}

static bool same_cell(const struct cell *a, const struct cell *b)
{
	return a->ch == b->ch && same_style(a, b);
}

/* The cells of row y that differ from what is shown, each run after a cursor move. */
static void paint_row(struct screen_out *o, const struct grid *g, uint32_t y, struct cell *style,
		      bool *have_style)
{
	const struct cell *row = &g->cells[(size_t)y * g->w];
	const struct cell *was = o->shown ? &o->shown[(size_t)y * g->w] : NULL;
	uint32_t w = g->w, at = UINT32_MAX;	/* where the cursor is in this row */

	/* the bottom-right cell would scroll a terminal whose margin wraps */
	if (y == g->h - 1 && o->margin_wraps)
		w--;
	for (uint32_t x = 0; x < w; x++) {
		if (was && same_cell(&row[x], &was[x]))
			continue;
		if (at != x)
			puts_seq(o, tiparm(cursor_address, (int)y, (int)x));
		if (!*have_style || !same_style(&row[x], style)) {
			set_style(o, *have_style ? style : NULL, &row[x]);
			*style = row[x];
			*have_style = true;
		}
		put_char(o, row[x].ch ? row[x].ch : ' ');
		at = x + 1;
	}
}

int screen_out__paint(struct screen_out *o, const struct grid *g)
{
	size_t n = (size_t)g->w * g->h;
	struct cell style = { 0 };
	bool have_style = false;
	int err = 0;

	if (o->shown && (o->w != g->w || o->h != g->h))
		screen_out__invalidate(o);
	o->len = 0;
	o->oom = false;
	if (!o->shown) {
		puts_seq(o, o->reset);
		puts_seq(o, o->clear);
	}
	for (uint32_t y = 0; y < g->h; y++)
		paint_row(o, g, y, &style, &have_style);
	if (have_style)
		puts_seq(o, o->reset);
	if (o->oom || (o->len && fwrite(o->buf, 1, o->len, o->out) != o->len) || fflush(o->out))
		err = o->oom ? -ENOMEM : -EIO;
	if (!err && !o->shown)
		o->shown = malloc(n * sizeof(*o->shown));
	if (err || !o->shown) {
		screen_out__invalidate(o);
		return err ? err : -ENOMEM;
	}
	memcpy(o->shown, g->cells, n * sizeof(*o->shown));
	o->w = g->w;
	o->h = g->h;
	return 0;
}
