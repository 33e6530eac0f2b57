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
	return strtab__intern_temp(names, buf, strlen(buf), id);
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
		err = intern(names, w->comm, &out[0]);
		return err ? err : 1;
	}
	/* one per process or thread: swept with its identity frame (strtab.h) */
	err = strtab__intern_temp(names, buf, strlen(buf), &out[0]);
	return err ? err : 1;
}

/* Whether frame id is an identity frame (wb gets who; NULL: not wanted). */
static bool identity(const struct strtab *names, uint32_t id, struct who_buf *wb)
{
	struct who_buf tmp;

	/* most frames are not: one byte says so */
	if (id == CT_NONE || !strtab__len(names, id) || *strtab__str(names, id) != ID_START)
		return false;
	return who__decode(names, id, wb ? wb : &tmp);
}

void who_place__reset(struct who_place *p)
{
	p->rooted = false;
	memset(p->seen, 0, sizeof(p->seen));
	for (size_t i = 0; p->memo && i < WHO_MEMOS; i++)
		p->memo[i].root1 = 0;
}

void who_place__free(struct who_place *p)
{
	for (size_t i = 0; p->memo && i < WHO_MEMOS; i++)
		free(p->memo[i].placed);
	free(p->memo);
	free(p->path);
	*p = (struct who_place){ 0 };
}

/* Frame d of the path is name (a new version when it changed). */
static int put(struct who_place *p, uint32_t d, uint32_t name)
{
	size_t had = p->cap;

	if (vec_reserve(p->path, p->cap, (size_t)d + 1, 64))
		return -ENOMEM;
	for (size_t i = had; i < p->cap; i++)
		p->path[i] = (struct who_step){ CT_NONE, 0 };
	if (p->path[d].name != name || !p->path[d].ver) {
		p->path[d].name = name;
		/* versions wrap after 2^32 changes: every memo is forgotten then */
		if (!++p->ver) {
			for (size_t i = 0; p->memo && i < WHO_MEMOS; i++)
				p->memo[i].root1 = 0;
			p->ver = 1;
		}
		p->path[d].ver = p->ver;
	}
	return 0;
}

/*
 * The node in dst of the root frames grouping g gives identity ident
 * (CT_ROOT when there is none; CT_NONE when out of focus), made if missing.
 */
static int set_root(struct who_place *p, struct calltree *dst, uint32_t ident, enum group_by g,
		    const struct who_focus *focus)
{
	struct strtab *names = calltree__names(dst);
	struct who_focus fo = focus ? *focus : (struct who_focus){ .frame = CT_NONE };
	uint32_t root = CT_ROOT, f[2];
	struct who_buf wb;
	int n, err = 0;
	bool same = p->rooted && p->g == g && p->focus.frame == fo.frame && p->focus.by == fo.by;
	uint32_t s = (ident * 2654435761u) >> 24;

	if (same && p->ident == ident)
		return 0;
	if (!same)
		memset(p->seen, 0, sizeof(p->seen));
	if (ident == CT_NONE)
		root = CT_ROOT;	/* run by no one: its own frames at the root */
	else if (p->seen[s].ident1 == ident + 1)
		root = p->seen[s].root;
	else if (identity(names, ident, &wb)) {
		n = fo.frame == CT_NONE ? 0 : who__frames(names, &wb.w, fo.by, f);
		if (n < 0)
			return n;
		if (n && f[0] != fo.frame)
			root = CT_NONE;
		n = root == CT_NONE ? 0 : who__frames(names, &wb.w, g, f);
		if (n < 0)
			return n;
		for (int i = 0; i < n && !err; i++)
			err = calltree__child(dst, root, f[i], &root);
		if (err)
			return err;
	}
	p->seen[s].ident1 = ident + 1;
	p->seen[s].root = root;
	p->ident = ident;
	p->root = root;
	p->rooted = true;
	p->g = g;
	p->focus = fo;
	return 0;
}

/* The memo of root's last path, emptied if it was another root's. */
static struct who_memo *memo_of(struct who_place *p, uint32_t root, uint32_t n)
{
	struct who_memo *m;

	if (!p->memo && !(p->memo = calloc(WHO_MEMOS, sizeof(*p->memo))))
		return NULL;
	m = &p->memo[(root * 2654435761u) >> 22];
	if (m->root1 != root + 1) {
		m->root1 = root + 1;
		m->n = 0;
	}
	return vec_reserve(m->placed, m->cap, n, 64) ? NULL : m;
}

/*
 * Where the path's n frames, run by ident, count in dst: below the root
 * frames of its grouping; CT_NONE when out of focus.  The nodes placed for
 * the root's last path are reused as far as the paths are the same.
 */
static int place(struct who_place *p, struct calltree *dst, uint32_t ident, uint32_t n,
		 enum group_by g, const struct who_focus *focus, uint32_t *at)
{
	int err = set_root(p, dst, ident, g, focus);
	struct who_memo *m;
	uint32_t to, k = 0;

	*at = CT_NONE;
	if (err || p->root == CT_NONE)
		return err;
	/* a path run by no one (a saved history's) is in focus by its root frame */
	if (ident == CT_NONE && focus && focus->frame != CT_NONE &&
	    (!n || p->path[0].name != focus->frame))
		return 0;
	if (!(m = memo_of(p, p->root, n)))
		return -ENOMEM;
	while (k < n && k < m->n && m->placed[k].ver == p->path[k].ver)
		k++;
	to = k ? m->placed[k - 1].dst : p->root;
	for (uint32_t i = k; i < n; i++) {
		err = calltree__child(dst, to, p->path[i].name, &to);
		if (err) {
			m->n = i;
			return err;
		}
		m->placed[i].dst = to;
		m->placed[i].ver = p->path[i].ver;
	}
	/* what was placed past a step placed again was below other frames */
	if (k < n)
		m->n = n;
	*at = to;
	return 0;
}

int who__place(struct who_place *p, struct calltree *dst, const struct calltree *src,
	       uint32_t node, enum group_by g, const struct who_focus *focus, uint32_t *at)
{
	const struct strtab *names = calltree__names(src);
	uint32_t n = 0, ident = CT_NONE, d;
	int err = 0;

	/* the nearest identity frame on its path, and the other frames */
	for (uint32_t id = node; id != CT_ROOT; id = calltree__node(src, id)->parent) {
		uint32_t name = calltree__node(src, id)->name;

		if (!identity(names, name, NULL))
			n++;
		else if (ident == CT_NONE)
			ident = name;
	}
	d = n;
	for (uint32_t id = node; id != CT_ROOT && !err; id = calltree__node(src, id)->parent) {
		uint32_t name = calltree__node(src, id)->name;

		if (!identity(names, name, NULL))
			err = put(p, --d, name);
	}
	return err ? err : place(p, dst, ident, n, g, focus, at);
}

/* A frame of src on the walk's stack: its path's length and identity above it. */
struct walk {
	uint32_t node, depth, ident;
};

/*
 * Depth first through src's frames with samples (a window is a small part
 * of it): fn(ctx, p, node, ident, depth) for each, p's path holding the
 * frames down to it, identity frames left out (ident: the nearest).
 */
static int walk(const struct calltree *src, struct who_place *p,
		int (*fn)(void *ctx, struct who_place *p, uint32_t node, uint32_t ident,
			  uint32_t depth),
		void *ctx)
{
	const struct strtab *names = calltree__names(src);
	struct walk *stack = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	if (vec_reserve(stack, cap, 1, 256))
		return -ENOMEM;
	stack[n++] = (struct walk){ CT_ROOT, 0, CT_NONE };
	while (n && !err) {
		struct walk w = stack[--n];
		const struct ct_node *up = calltree__node(src, w.node);

		/* the frames pushed after it changed the path's end: it is this frame again */
		if (w.node != CT_ROOT && !identity(names, up->name, NULL))
			err = put(p, w.depth - 1, up->name);
		for (uint32_t c = up->child; c != CT_NONE && !err; c = calltree__node(src, c)->sibling) {
			const struct ct_node *node = calltree__node(src, c);
			struct walk cw = { c, w.depth, w.ident };

			/* the next sibling's line comes in while this one is placed */
			if (node->sibling != CT_NONE)
				__builtin_prefetch(calltree__node(src, node->sibling));
			if (!node->total)
				continue;
			if (node->child != CT_NONE)
				__builtin_prefetch(calltree__node(src, node->child));
			if (identity(names, node->name, NULL))
				cw.ident = node->name;
			else
				err = put(p, cw.depth++, node->name);
			if (!err && node->self)
				err = fn(ctx, p, c, cw.ident, cw.depth);
			if (!err && node->child != CT_NONE && vec_reserve(stack, cap, n + 1, 256))
				err = -ENOMEM;
			else if (!err && node->child != CT_NONE)
				stack[n++] = cw;
		}
	}
	free(stack);
	return err;
}

struct regroup {
	const struct calltree *src;
	struct calltree *dst;
	enum group_by g;
	const struct who_focus *focus;
	uint32_t *map;
	long touched;
};

static int regroup_one(void *ctx, struct who_place *p, uint32_t node, uint32_t ident,
		       uint32_t depth)
{
	struct regroup *r = ctx;
	uint32_t to;
	int err = place(p, r->dst, ident, depth, r->g, r->focus, &to);

	if (err)
		return err;
	if (r->map)
		r->map[node] = to;
	if (to != CT_NONE) {
		calltree__add_self(r->dst, to, calltree__node(r->src, node)->self);
		r->touched++;
	}
	return 0;
}

long who__regroup(struct calltree *dst, const struct calltree *src, enum group_by g,
		  const struct who_focus *focus, uint32_t *map)
{
	struct regroup r = { src, dst, g, focus, map, 0 };
	struct who_place p = { 0 };
	int err;

	calltree__zero(dst);
	err = walk(src, &p, regroup_one, &r);
	who_place__free(&p);
	if (err)
		return err;
	calltree__sum_totals(dst);
	return r.touched;
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

/* The rows being collected: one per identity (or plain root frame), found by hash. */
struct rows {
	const struct calltree *src;
	struct strtab *names;
	enum group_by g;
	struct who_row *r;
	size_t n, cap;
	uint32_t *keys, *slot;	/* open addressing: key, row + 1 (0: empty) */
	uint32_t mask;
};

static int grow_index(struct rows *t)
{
	uint32_t mask = t->mask ? t->mask * 2 + 1 : 255;
	uint32_t *keys = malloc(((size_t)mask + 1) * sizeof(*keys));
	uint32_t *slot = calloc((size_t)mask + 1, sizeof(*slot));

	if (!keys || !slot) {
		free(keys);
		free(slot);
		return -ENOMEM;
	}
	for (uint32_t i = 0; t->slot && i <= t->mask; i++) {
		uint32_t at = t->keys[i] * 2654435761u & mask;

		if (!t->slot[i])
			continue;
		while (slot[at])
			at = (at + 1) & mask;
		keys[at] = t->keys[i];
		slot[at] = t->slot[i];
	}
	free(t->keys);
	free(t->slot);
	t->keys = keys;
	t->slot = slot;
	t->mask = mask;
	return 0;
}

/* A new row for key (an identity frame, or a plain root frame). */
static int new_row(struct rows *t, uint32_t key, uint32_t at)
{
	struct who_buf wb;
	uint32_t f[2];
	int k;

	if (vec_reserve(t->r, t->cap, t->n + 1, 64))
		return -ENOMEM;
	t->r[t->n] = (struct who_row){ .frame = key, .container = CT_NONE };
	if (identity(t->names, key, &wb)) {
		k = who__frames(t->names, &wb.w, t->g, f);
		if (k < 0)
			return k;
		t->r[t->n] = (struct who_row){ .frame = f[0], .pid = wb.w.pid, .a_pid = wb.w.pid,
					      .tid = t->g == GROUP_THREAD ? wb.w.tid : 0 };
		if (intern(t->names, wb.w.container, &t->r[t->n].container))
			t->r[t->n].container = CT_NONE;
	}
	t->keys[at] = key;
	t->slot[at] = (uint32_t)++t->n;
	return 0;
}

static int collect_one(void *ctx, struct who_place *p, uint32_t node, uint32_t ident,
		       uint32_t depth)
{
	struct rows *t = ctx;
	uint32_t key = ident != CT_NONE ? ident : depth ? p->path[0].name : CT_NONE, at;
	int err = 0;

	if (key == CT_NONE)
		return 0;
	if (t->n + 1 > (size_t)(t->mask + 1) / 2 && (err = grow_index(t)))
		return err;
	for (at = key * 2654435761u & t->mask; t->slot[at] && t->keys[at] != key;
	     at = (at + 1) & t->mask)
		;
	if (!t->slot[at] && (err = new_row(t, key, at)))
		return err;
	t->r[t->slot[at] - 1].samples += calltree__node(t->src, node)->self;
	return 0;
}

/*
 * One row per identity whose stacks have samples (or per plain root
 * frame, a saved history's), labelled by its grouping's frame.
 */
static long collect(const struct calltree *src, enum group_by g, struct who_row **rows)
{
	struct rows t = { .src = src, .names = calltree__names(src), .g = g };
	struct who_place p = { 0 };
	int err = grow_index(&t);

	if (!err)
		err = walk(src, &p, collect_one, &t);
	who_place__free(&p);
	free(t.keys);
	free(t.slot);
	if (err) {
		free(t.r);
		return err;
	}
	*rows = t.r;
	return (long)t.n;
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
