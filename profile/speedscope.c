// SPDX-License-Identifier: MIT
/*
 * speedscope's file format (https://www.speedscope.app/file-format-schema.json):
 * the frames shared, one sampled profile whose samples are stacks of frame
 * indices (root first) with a weight each.  A frame is a name; a stack is
 * each node with samples of its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "speedscope.h"
#include "textsafe.h"
#include "treepath.h"

struct sscope {
	FILE *out;
	const struct calltree *t;
	const struct strtab *names;
	uint32_t *frame;	/* name id -> frame index + 1 (0: not a frame yet) */
	uint32_t nframes;
	uint64_t samples;	/* written so far */
	bool weights;
	uint32_t start;		/* the subtree written */
};

/* s as a JSON string: valid UTF-8 (bad bytes U+FFFD), control characters escaped. */
int json__string(FILE *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	if (fputc('"', out) == EOF)
		return -EIO;
	while (p < end) {
		uint32_t cp = textsafe__next_cp(&p, end);

		if (cp == '"' || cp == '\\')
			fprintf(out, "\\%c", (char)cp);
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			fprintf(out, "\\u%04x", (unsigned)cp);
		else if (cp < 0x80)
			fputc((int)cp, out);
		else if (cp < 0x800)
			fprintf(out, "%c%c", 0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
		else if (cp < 0x10000)
			fprintf(out, "%c%c%c", 0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f),
				0x80 | (cp & 0x3f));
		else
			fprintf(out, "%c%c%c%c", 0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f),
				0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
	}
	return fputc('"', out) == EOF ? -EIO : 0;
}

/* A frame for name, written the first time it is met. */
static int add_frame(struct sscope *k, uint32_t name)
{
	if (k->frame[name])
		return 0;
	k->frame[name] = ++k->nframes;
	fputs(k->nframes > 1 ? ",\n{\"name\":" : "{\"name\":", k->out);
	if (json__string(k->out, strtab__str(k->names, name), strtab__len(k->names, name)))
		return -EIO;
	return fputc('}', k->out) == EOF ? -EIO : 0;
}

/* First pass: each name gets a frame index (the start's ancestors too). */
static int frames_one(void *ctx, const uint32_t *path, uint32_t depth, uint32_t id)
{
	struct sscope *k = ctx;
	int err = 0;

	if (!depth)
		return 0;
	if (id == k->start)
		for (uint32_t i = 0; !err && i + 1 < depth; i++)
			err = add_frame(k, calltree__node(k->t, path[i])->name);
	return err ? err : add_frame(k, calltree__node(k->t, id)->name);
}

/* Second and third passes: each node with samples of its own, its stack or its weight. */
static int samples_one(void *ctx, const uint32_t *path, uint32_t depth, uint32_t id)
{
	struct sscope *k = ctx;
	const struct ct_node *n = calltree__node(k->t, id);

	if (!depth || !n->self)
		return 0;
	if (k->samples++)
		fputs(",\n", k->out);
	if (k->weights)
		return fprintf(k->out, "%llu", (unsigned long long)n->self) < 0 ? -EIO : 0;
	fputc('[', k->out);
	for (uint32_t i = 0; i < depth; i++)
		fprintf(k->out, i ? ",%u" : "%u", k->frame[calltree__node(k->t, path[i])->name] - 1);
	return fputc(']', k->out) == EOF ? -EIO : 0;
}

/* speedscope's unit names are pprof's for time and bytes; counts are "none". */
static const char *unit_name(enum value_unit u)
{
	return u == UNIT_SAMPLES || u == UNIT_COUNT ? "none" : units__pprof(u);
}

int speedscope__write(FILE *out, const struct calltree *t, uint32_t node, enum value_unit unit,
		      const char *name, const char *exporter)
{
	struct sscope k = { .out = out, .t = t, .names = calltree__names(t), .start = node };
	const struct ct_node *top = calltree__node(t, node);
	int err;

	k.frame = calloc(strtab__count(k.names) + 1, sizeof(*k.frame));
	if (!k.frame)
		return -ENOMEM;
	fputs("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n"
	      "\"shared\":{\"frames\":[\n", out);
	err = calltree__walk(t, node, frames_one, &k);
	if (!err) {
		fputs("]},\n\"profiles\":[{\"type\":\"sampled\",\"name\":", out);
		err = json__string(out, name, strlen(name));
	}
	if (!err) {
		/* the weights' sum: a stack of nothing (the root's own) is no sample */
		fprintf(out, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":%llu,\n\"samples\":[\n",
			unit_name(unit), (unsigned long long)(top->total -
							      (node == CT_ROOT ? top->self : 0)));
		err = calltree__walk(t, node, samples_one, &k);
	}
	if (!err) {
		fputs("],\n\"weights\":[\n", out);
		k.samples = 0;
		k.weights = true;
		err = calltree__walk(t, node, samples_one, &k);
	}
	if (!err) {
		fputs("]}],\n\"name\":", out);
		err = json__string(out, name, strlen(name));
	}
	if (!err) {
		fputs(",\"activeProfileIndex\":0,\"exporter\":", out);
		err = json__string(out, exporter, strlen(exporter));
	}
	if (!err && (fputs("}\n", out) == EOF || ferror(out)))
		err = -EIO;
	free(k.frame);
	return err;
}
