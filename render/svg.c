// SPDX-License-Identifier: MIT
/*
 * A flame graph as one self-contained SVG file (svg.h): root at the
 * bottom, width the share of samples, each frame a <g> with its <title>
 * (name, value, share), a <rect> in the explorer's colours and its name
 * cut to fit; the script (svg_script.c) zooms and searches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../profile/textsafe.h"
#include "../profile/treepath.h"
#include "../util/vec.h"
#include "palette.h"
#include "svg.h"

#define SVG_WIDTH	1200	/* px, as flamegraph.pl's default */
#define FRAME_H		16
#define XPAD		10
#define TOP		44	/* title, subtitle, buttons */
#define BOTTOM		30	/* the details line */
#define CHAR_W		7.2	/* monospace 12px */
#define MIN_PX		0.1	/* narrower frames are not drawn (as flamegraph.pl's minwidth) */

struct svg {
	FILE *out;
	const struct calltree *t;
	const struct strtab *names;
	const struct svg_opts *o;
	uint32_t start;		/* the subtree drawn */
	uint64_t all;		/* its total: the whole width */
	double width;		/* of the graph, px */
	uint64_t *next_x;	/* by depth: where the next frame starts */
	uint32_t cap, max_depth, height;
};

/* s as XML text: & < > " escaped, characters XML cannot hold U+FFFD. */
static void xml_text(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		const unsigned char *at = p;
		uint32_t cp = textsafe__next_cp(&p, end);

		if (cp == '&')
			fputs("&amp;", out);
		else if (cp == '<')
			fputs("&lt;", out);
		else if (cp == '>')
			fputs("&gt;", out);
		else if (cp == '"')
			fputs("&quot;", out);
		else if ((cp < 0x20 && cp != '\t') || cp == 0x7f || cp == 0xfffe || cp == 0xffff ||
			 (cp == 0xfffd && !(p - at == 3 && at[0] == 0xef)))
			fputs("\xef\xbf\xbd", out);
		else
			fwrite(at, 1, (size_t)(p - at), out);
	}
}

/* The xterm-256 colour's RGB (the 6x6x6 cube, the grey ramp, the 16 system colours). */
static void rgb_of(uint8_t x, int rgb[3])
{
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };
	static const int sys[16][3] = {
		{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 }, { 0, 0, 238 },
		{ 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 }, { 127, 127, 127 },
		{ 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 }, { 92, 92, 255 }, { 255, 0, 255 },
		{ 0, 255, 255 }, { 255, 255, 255 },
	};

	if (x < 16) {
		memcpy(rgb, sys[x], sizeof(sys[x]));
	} else if (x < 232) {
		rgb[0] = level[(x - 16) / 36];
		rgb[1] = level[(x - 16) / 6 % 6];
		rgb[2] = level[(x - 16) % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (x - 232);
	}
}

static double px(const struct svg *g, uint64_t v)
{
	return (double)v / (double)g->all * g->width;
}

/* One frame: depth d (0: all), x and w in samples from the left. */
static void frame(struct svg *g, uint32_t name, uint32_t d, uint64_t x, uint64_t w)
{
	const char *s = name == CT_NONE ? "all" : strtab__str(g->names, name);
	uint32_t len = name == CT_NONE ? 3 : strtab__len(g->names, name);
	enum frame_kind kind = name == CT_NONE ? FRAME_UNKNOWN : strtab__kind(g->names, name);
	double fx = px(g, x), fw = px(g, w), y = g->height - BOTTOM - (double)(d + 1) * FRAME_H;
	size_t fit = fw > 6 ? (size_t)((fw - 6) / CHAR_W) : 0;
	char value[32];
	int rgb[3];

	rgb_of(palette__xterm256(palette__frame(kind, s, len)), rgb);
	units__format(value, sizeof(value), w, g->o->unit);
	/* place in samples, exact: the script compares them to zoom */
	fprintf(g->out, "<g class=\"f\" data-x=\"%llu\" data-w=\"%llu\" data-d=\"%u\"><title>",
		(unsigned long long)x, (unsigned long long)w, d);
	xml_text(g->out, s, len);
	fprintf(g->out, " (%s%s, %.2f%%)</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"%d\" fill=\"rgb(%d,%d,%d)\" rx=\"2\"/><text x=\"%.1f\" y=\"%.1f\">",
		value, g->o->unit == UNIT_SAMPLES ? (w == 1 ? " sample" : " samples") : "",
		100.0 * (double)w / (double)g->all, XPAD + fx, y, fw > 0.5 ? fw - 0.5 : fw,
		FRAME_H - 1, rgb[0], rgb[1], rgb[2], XPAD + fx + 3, y + FRAME_H - 4.5);
	if (fit >= 3 && len <= fit)
		xml_text(g->out, s, len);
	else if (fit >= 3) {
		size_t cut = fit - 2;

		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;	/* not inside a character */
		xml_text(g->out, s, cut);
		fputs("..", g->out);
	}
	fputs("</text></g>\n", g->out);
}

static int grow(struct svg *g, uint32_t depth)
{
	uint32_t old = g->cap;

	if (vec_reserve(g->next_x, g->cap, depth + 2, 256))
		return -ENOMEM;
	memset(g->next_x + old, 0, (g->cap - old) * sizeof(*g->next_x));
	return 0;
}

/* First pass: how deep the drawn frames go. */
static int depth_one(void *ctx, const uint32_t *path, uint32_t depth, uint32_t id)
{
	struct svg *g = ctx;

	(void)path;
	if (px(g, calltree__node(g->t, id)->total) >= MIN_PX && depth > g->max_depth)
		g->max_depth = depth;
	return 0;
}

/* Second pass: each frame wide enough, placed after its previous sibling. */
static int draw_one(void *ctx, const uint32_t *path, uint32_t depth, uint32_t id)
{
	struct svg *g = ctx;
	const struct ct_node *n = calltree__node(g->t, id);
	uint64_t x;

	if (grow(g, depth))
		return -ENOMEM;
	if (id == g->start) {
		/* the root and the start's ancestors, full width */
		frame(g, CT_NONE, 0, 0, g->all);
		for (uint32_t i = 0; i < depth; i++)
			frame(g, calltree__node(g->t, path[i])->name, i + 1, 0, g->all);
		g->next_x[depth + 1] = 0;
		return 0;
	}
	x = g->next_x[depth];
	g->next_x[depth] += n->total;
	g->next_x[depth + 1] = x;
	if (px(g, n->total) >= MIN_PX)
		frame(g, n->name, depth, x, n->total);
	return ferror(g->out) ? -EIO : 0;
}

static void header(struct svg *g, uint32_t w)
{
	fprintf(g->out, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\" "
		"xmlns=\"http://www.w3.org/2000/svg\" data-graph-width=\"%.1f\" data-xpad=\"%d\" "
		"data-frame-height=\"%d\" data-char-width=\"%.1f\" data-total=\"%llu\">\n"
		"<style>text { font-family: monospace; font-size: 12px; fill: #000; }\n"
		"g.f { cursor: pointer; } g.f:hover rect { stroke: #000; stroke-width: 0.5; }\n"
		"g.parent { opacity: 0.5; } g.match rect { fill: rgb(230,0,230); }\n"
		"#title { font-size: 17px; } .btn { cursor: pointer; fill: #333; }</style>\n"
		"<script type=\"text/ecmascript\"><![CDATA[\n%s]]></script>\n"
		"<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"#f8f8f8\"/>\n"
		"<text id=\"title\" x=\"%u\" y=\"22\" text-anchor=\"middle\">",
		w, g->height, w, g->height, g->width, XPAD, FRAME_H, CHAR_W, (unsigned long long)g->all,
		svg__script, w,
		g->height, w / 2);
	xml_text(g->out, g->o->title, strlen(g->o->title));
	fprintf(g->out, "</text>\n<text id=\"subtitle\" x=\"%u\" y=\"38\" text-anchor=\"middle\">",
		w / 2);
	xml_text(g->out, g->o->subtitle ? g->o->subtitle : "", g->o->subtitle ? strlen(g->o->subtitle) : 0);
	fprintf(g->out, "</text>\n<text id=\"reset\" class=\"btn\" x=\"%d\" y=\"22\" "
		"style=\"opacity:0\">Reset zoom</text>\n<text id=\"search\" class=\"btn\" x=\"%u\" "
		"y=\"22\">Search</text>\n<text id=\"matched\" x=\"%u\" y=\"%u\"></text>\n"
		"<text id=\"details\" x=\"%d\" y=\"%u\"> </text>\n<g id=\"frames\">\n",
		XPAD, w - XPAD - 60, w - XPAD - 120, g->height - 10, XPAD, g->height - 10);
}

int svg__write(FILE *out, const struct calltree *t, uint32_t node, const struct svg_opts *o)
{
	struct svg g = { .out = out, .t = t, .names = calltree__names(t), .o = o, .start = node };
	uint32_t w = SVG_WIDTH;
	int err;

	g.all = calltree__node(t, node)->total;
	g.width = w - 2 * XPAD;
	if (!g.all)
		g.all = 1;	/* an empty graph: the root alone */
	err = calltree__walk(t, node, depth_one, &g);
	if (g.max_depth < calltree__depth(t, node))
		g.max_depth = calltree__depth(t, node);
	g.height = TOP + BOTTOM + (g.max_depth + 1) * FRAME_H + 10;
	if (!err) {
		header(&g, w);
		if (!calltree__node(t, node)->total)
			frame(&g, CT_NONE, 0, 0, g.all);
		err = calltree__walk(t, node, draw_one, &g);
	}
	if (!err && (fputs("</g>\n</svg>\n", out) == EOF || ferror(out)))
		err = -EIO;
	free(g.next_x);
	return err;
}
