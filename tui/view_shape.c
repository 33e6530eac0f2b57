// SPDX-License-Identifier: MIT
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../keymaps/keymap.h"
#include "../render/palette.h"
#include "view_shape.h"

void shape_view__free(struct shape_view *v)
{
	xforms__clear(&v->xf);
	calltree__free(v->after);
	calltree__free(v->before);
	v->after = v->before = NULL;
}

/* raw transformed into *slot (the old tree freed); raw itself with none or out of memory. */
static const struct calltree *apply(struct shape_view *v, const struct calltree *raw,
				    struct calltree **slot, struct note *note)
{
	/* the tree shown until now makes the next one */
	xforms__recycle(&v->xf, *slot);
	*slot = NULL;
	if (!v->xf.n || !raw)
		return raw;
	*slot = xforms__apply(&v->xf, raw);
	if (!*slot) {
		note__set(note, "out of memory applying the transforms: shown without them");
		return raw;
	}
	if (xforms__limited(&v->xf))
		note__set(note, "a transform's regex was too costly for %u name%s (not matched)",
			  xforms__limited(&v->xf), xforms__limited(&v->xf) == 1 ? "" : "s");
	return *slot;
}

const struct calltree *shape_view__apply(struct shape_view *v, const struct calltree *raw,
					 struct note *note)
{
	const struct calltree *t = apply(v, raw, &v->after, note);

	v->all = raw ? calltree__samples(raw) : 0;
	v->kept = t ? calltree__samples(t) : 0;
	return t;
}

const struct calltree *shape_view__apply_before(struct shape_view *v, const struct calltree *raw,
						struct note *note)
{
	return apply(v, raw, &v->before, note);
}

void shape_view__ask(struct shape_view *v, enum xform_kind kind, const char *text)
{
	v->asking = kind;
	prompt__open(&v->line, text);
}

const char *shape_view__asking(const struct shape_view *v)
{
	return v->asking == XF_FOCUS ? "Focus on stacks through (regex)" :
	       v->asking == XF_HIDE ? "Hide frames (regex)" : "Drop stacks through (regex)";
}

int shape_view__type(struct shape_view *v, const struct input *in, struct note *note)
{
	char why[160];
	int err;

	if (in->kind == INPUT_KEY && in->key == KEY_CODE_ESC) {
		v->line.on = false;
		return DO_NOTHING;
	}
	if (in->kind != INPUT_KEY || in->key != KEY_CODE_ENTER) {
		prompt__edit(&v->line, in);
		return DO_NOTHING;
	}
	if (!v->line.len) {
		v->line.on = false;
		return DO_NOTHING;
	}
	err = xforms__push(&v->xf, v->asking, v->line.text, 0, why, sizeof(why));
	if (err) {
		/* the prompt stays open, so a typo can be mended */
		note__set(note, "%s", why);
		return DO_NOTHING;
	}
	v->line.on = false;
	return DO_REFRESH | DO_RELAYOUT | DO_RETOP;
}

int shape_view__toggle(struct shape_view *v, enum xform_kind kind, uint32_t levels,
		       struct note *note)
{
	int i = xforms__find(&v->xf, kind);
	char why[160];

	if (i >= 0)
		return shape_view__remove(v, i, note);
	if (xforms__push(&v->xf, kind, NULL, levels, why, sizeof(why))) {
		note__set(note, "%s", why);
		return DO_NOTHING;
	}
	return DO_REFRESH | DO_RELAYOUT | DO_RETOP;
}

int shape_view__remove(struct shape_view *v, int i, struct note *note)
{
	char label[XFORM_RE_MAX + 32];

	if (!v->xf.n) {
		note__set(note, "no transform to remove");
		return DO_NOTHING;
	}
	if (i < 0 || (unsigned)i >= v->xf.n)
		i = (int)v->xf.n - 1;
	xform__label(&v->xf.x[i], label, sizeof(label));
	note__set(note, "removed %s", label);
	xforms__remove(&v->xf, (unsigned)i);
	return DO_REFRESH | DO_RELAYOUT | DO_RETOP;
}

int shape_view__chip_at(const struct shape_view *v, uint32_t x)
{
	uint32_t start = 0;

	for (unsigned i = 0; i < v->xf.n; i++) {
		if (x >= start && x < v->chip_end[i])
			return (int)i;
		start = v->chip_end[i];
	}
	return -1;
}

void shape__literal(const char *name, size_t len, char *buf, size_t size)
{
	size_t o = 0, i = 0;

	if (size < 3)
		return;
	buf[o++] = '^';
	for (; i < len && o + 3 < size; i++) {
		if (strchr("\\^$.|?*+()[]{}", name[i]))
			buf[o++] = '\\';
		buf[o++] = name[i];
	}
	if (i == len) {
		buf[o++] = '$';
	} else {
		/* too long to match whole: a prefix, without a cut code point at its end */
		size_t j = o - 1, want;
		unsigned char lead;

		while (j > 1 && ((unsigned char)buf[j] & 0xc0) == 0x80)
			j--;
		lead = (unsigned char)buf[j];
		want = lead < 0x80 ? 1 : (lead & 0xe0) == 0xc0 ? 2 : (lead & 0xf0) == 0xe0 ? 3 : 4;
		if (o - j < want)
			o = j;
	}
	buf[o] = '\0';
}

void shape_view__paint(struct shape_view *v, bool mono, struct grid *g, const struct pane *p)
{
	uint32_t y = p->top, x = 0;
	char label[XFORM_RE_MAX + 32], tail[96];

	if (!p->height)
		return;
	grid__fill(g, y, 0, g->w, PAL_DEFAULT, PAL_DEFAULT, 0);
	for (unsigned i = 0; i < v->xf.n; i++) {
		xform__label(&v->xf.x[i], label, sizeof(label));
		if (x < g->w)
			x += grid__puts(g, y, x, g->w - x > 40 ? 40 : g->w - x, label, PAL_BLACK,
					PAL_ACCENT, mono ? CELL_REVERSE : 0);
		if (x < g->w)
			x += grid__puts(g, y, x, 2, " x", PAL_BLACK, PAL_ACCENT,
					CELL_BOLD | (mono ? CELL_REVERSE : 0));
		v->chip_end[i] = x;
		if (x < g->w)
			x++;
	}
	snprintf(tail, sizeof(tail), " kept %" PRIu64 " of %" PRIu64 " samples (%.1f%%)",
		 v->kept, v->all, v->all ? 100.0 * (double)v->kept / (double)v->all : 0.0);
	if (x < g->w)
		grid__puts(g, y, x, g->w - x, tail, PAL_DEFAULT, PAL_DEFAULT, 0);
}
