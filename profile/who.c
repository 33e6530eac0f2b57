// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "who.h"

/* An identity frame: ID_START, then the fields, each after a FIELD byte. */
#define ID_START '\x1e'
#define FIELD '\x1f'

static const char *const group_names[GROUP_COUNT] = { "comm", "pid", "thread", "container" };

const char *group__name(enum group_by g)
{
	return g < GROUP_COUNT ? group_names[g] : "?";
}

enum group_by group__find(const char *name)
{
	for (int g = 0; g < GROUP_COUNT; g++)
		if (!strcmp(name, group_names[g]))
			return (enum group_by)g;
	return GROUP_COUNT;
}

static int intern(struct strtab *names, const char *s, uint32_t *id)
{
	return strtab__intern(names, s, strlen(s), id);
}

int who__intern(struct strtab *names, const struct who *w, uint32_t *id)
{
	char buf[sizeof(((struct who_buf *)0)->buf) + 64];

	snprintf(buf, sizeof(buf), "%c%.255s%c%u%c%u%c%.255s%c%.255s", ID_START, w->comm, FIELD,
		 w->pid, FIELD, w->tid, FIELD, w->thread, FIELD, w->container);
	return intern(names, buf, id);
}

/*
 * The next field of s into out: up to a FIELD byte, or to the end for the
 * last one; false when malformed.
 */
static bool field(const char **s, const char *end, char *out, size_t size, bool last)
{
	const char *f = memchr(*s, FIELD, (size_t)(end - *s));
	size_t len = (size_t)((f ? f : end) - *s);

	if (len >= size || !f != last)
		return false;
	memcpy(out, *s, len);
	out[len] = '\0';
	*s = f ? f + 1 : end;
	return true;
}

static bool number(const char *s, uint32_t *out)
{
	char *e;
	unsigned long v = strtoul(s, &e, 10);

	*out = (uint32_t)v;
	return *s >= '0' && *s <= '9' && !*e && v <= UINT32_MAX;
}

bool who__decode(const struct strtab *names, uint32_t id, struct who_buf *out)
{
	const char *s = strtab__str(names, id), *end = s + strtab__len(names, id);
	char *b = out->buf, num[16];
	size_t room = sizeof(out->buf) / 3;

	if (id == CT_NONE || s == end || *s++ != ID_START)
		return false;
	out->w.comm = b;
	out->w.thread = b + room;
	out->w.container = b + 2 * room;
	return field(&s, end, b, room, false) && field(&s, end, num, sizeof(num), false) &&
	       number(num, &out->w.pid) && field(&s, end, num, sizeof(num), false) &&
	       number(num, &out->w.tid) && field(&s, end, b + room, room, false) &&
	       field(&s, end, b + 2 * room, room, true);
}

int who__frames(struct strtab *names, const struct who *w, enum group_by g, uint32_t out[2])
{
	char buf[300];
	int err;

	switch (g) {
	case GROUP_PID:
		snprintf(buf, sizeof(buf), "%s-%u", w->comm, w->pid);
		break;
	case GROUP_THREAD:
		snprintf(buf, sizeof(buf), "%s-%u/%u", w->thread, w->pid, w->tid);
		break;
	case GROUP_CONTAINER:
		err = intern(names, w->container, &out[0]);
		if (!err)
			err = intern(names, w->comm, &out[1]);
		return err ? err : 2;
	default:
		snprintf(buf, sizeof(buf), "%s", w->comm);
		break;
	}
	err = intern(names, buf, &out[0]);
	return err ? err : 1;
}

/*
 * The root frames of src's root child c grouped by g: its identity's, or
 * its own name when it is not an identity frame.  n gets 1 or 2.
 */
static int root_frames(struct strtab *names, const struct calltree *src, uint32_t c,
		       enum group_by g, uint32_t out[2], struct who_buf *wb)
{
	uint32_t name = calltree__node(src, c)->name;

	if (!who__decode(names, name, wb)) {
		out[0] = name;
		return 1;
	}
	return who__frames(names, &wb->w, g, out);
}

static bool in_focus(struct strtab *names, const struct calltree *src, uint32_t c,
		     const struct who_focus *focus, struct who_buf *wb)
{
	uint32_t f[2];
	int n;

	if (!focus || focus->frame == CT_NONE)
		return true;
	n = root_frames(names, src, c, focus->by, f, wb);
	return n > 0 && f[0] == focus->frame;
}

int who__graft(struct calltree *dst, const struct calltree *src, uint32_t c, enum group_by g,
	       const struct who_focus *focus, uint32_t *at)
{
	struct strtab *names = calltree__names(dst);
	struct who_buf wb;
	uint32_t f[2];
	int n, err = 0;

	*at = CT_NONE;
	if (!in_focus(names, src, c, focus, &wb))
		return 0;
	n = root_frames(names, src, c, g, f, &wb);
	if (n < 0)
		return n;
	*at = CT_ROOT;
	for (int i = 0; i < n && !err; i++)
		err = calltree__child(dst, *at, f[i], at);
	return err;
}

/* A frame of src and where it went in dst, on the walk's stack. */
struct pair {
	uint32_t src, dst;
};

long who__regroup(struct calltree *dst, const struct calltree *src, enum group_by g,
		  const struct who_focus *focus, uint32_t *map)
{
	struct pair *stack = NULL;
	size_t n = 0, cap = 0;
	long touched = 0;
	int err = 0;

	calltree__zero(dst);
	if (vec_reserve(stack, cap, 1, 256))
		return -ENOMEM;
	stack[n++] = (struct pair){ CT_ROOT, CT_ROOT };
	/* depth first through the frames with samples only: a window is a small part */
	while (n && !err) {
		struct pair p = stack[--n];

		for (uint32_t c = calltree__node(src, p.src)->child; c != CT_NONE && !err;
		     c = calltree__node(src, c)->sibling) {
			const struct ct_node *node = calltree__node(src, c);
			uint32_t to;

			if (!node->total)
				continue;
			if (p.src == CT_ROOT)
				err = who__graft(dst, src, c, g, focus, &to);
			else
				err = calltree__child(dst, p.dst, node->name, &to);
			if (map && !err)
				map[c] = to;
			if (err || to == CT_NONE)
				continue;
			calltree__add_self(dst, to, node->self);
			touched++;
			if (node->child != CT_NONE && !vec_reserve(stack, cap, n + 1, 256))
				stack[n++] = (struct pair){ c, to };
			else if (node->child != CT_NONE)
				err = -ENOMEM;
		}
	}
	free(stack);
	if (err)
		return err;
	calltree__sum_totals(dst);
	return touched;
}

static int by_frame(const void *a, const void *b)
{
	const struct who_row *x = a, *y = b;

	return (x->frame > y->frame) - (x->frame < y->frame);
}

static int by_samples(const void *a, const void *b)
{
	const struct who_row *x = a, *y = b;

	if (x->samples != y->samples)
		return (x->samples < y->samples) - (x->samples > y->samples);
	return by_frame(a, b);
}

/* One row per root child of src with samples, labelled by its grouping's frame. */
static long collect(const struct calltree *src, enum group_by g, struct who_row **rows)
{
	struct strtab *names = calltree__names(src);
	struct who_row *r = NULL;
	size_t n = 0, cap = 0;

	for (uint32_t c = calltree__node(src, CT_ROOT)->child; c != CT_NONE;
	     c = calltree__node(src, c)->sibling) {
		struct who_buf wb;
		uint32_t f[2];
		int k;

		if (!calltree__node(src, c)->total)
			continue;
		k = root_frames(names, src, c, g, f, &wb);
		if (k < 0 || vec_reserve(r, cap, n + 1, 64)) {
			free(r);
			return -ENOMEM;
		}
		r[n] = (struct who_row){ .frame = f[0], .samples = calltree__node(src, c)->total,
					 .container = CT_NONE };
		if (who__decode(names, calltree__node(src, c)->name, &wb)) {
			r[n].pid = r[n].a_pid = wb.w.pid;
			r[n].tid = g == GROUP_THREAD ? wb.w.tid : 0;
			if (intern(names, wb.w.container, &r[n].container))
				r[n].container = CT_NONE;
		}
		n++;
	}
	*rows = r;
	return (long)n;
}

long who__table(const struct calltree *src, enum group_by g, struct who_row **rows)
{
	long n = collect(src, g, rows), out = 0;
	struct who_row *r = *rows;

	if (n <= 0)
		return n;
	/* rows of one frame are one row: what they do not share is left blank */
	qsort(r, (size_t)n, sizeof(*r), by_frame);
	for (long i = 0; i < n; i++) {
		if (out && r[out - 1].frame == r[i].frame) {
			struct who_row *o = &r[out - 1];

			o->samples += r[i].samples;
			if (o->pid != r[i].pid)
				o->pid = 0;
			if (o->tid != r[i].tid)
				o->tid = 0;
			if (o->container != r[i].container)
				o->container = CT_NONE;
			continue;
		}
		r[out++] = r[i];
	}
	qsort(r, (size_t)out, sizeof(*r), by_samples);
	return out;
}
