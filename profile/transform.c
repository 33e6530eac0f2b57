// SPDX-License-Identifier: MIT
/*
 * Transforms: each one pass over the tree in ascending node ids (a parent
 * before its children), mapping every node to the node of the new tree its
 * samples go to, or to none when they are left out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "transform.h"

enum { UNTESTED = 0, NO = 1, YES = 2 };

static const char *const kind_names[XF_KINDS] = {
	[XF_FOCUS] = "focus", [XF_HIDE] = "hide", [XF_DROP] = "drop",
	[XF_RECURSION] = "recursion", [XF_RECURSION_ALL] = "recursion-all",
	[XF_NO_KERNEL] = "no-kernel", [XF_MERGE] = "merge",
};

const char *xform__kind_name(enum xform_kind k)
{
	return k < XF_KINDS ? kind_names[k] : "?";
}

enum xform_kind xform__find(const char *name)
{
	for (int k = 0; k < XF_KINDS; k++)
		if (!strcmp(name, kind_names[k]))
			return (enum xform_kind)k;
	return XF_KINDS;
}

bool xform__takes_re(enum xform_kind k)
{
	return k == XF_FOCUS || k == XF_HIDE || k == XF_DROP;
}

int xforms__push(struct xforms *xs, enum xform_kind kind, const char *re, uint32_t levels,
		 char *err, size_t err_size)
{
	struct xform *x;

	if (xs->n >= XFORMS_MAX) {
		snprintf(err, err_size, "at most %d transforms", XFORMS_MAX);
		return -ENOSPC;
	}
	x = &xs->x[xs->n];
	*x = (struct xform){ .kind = kind, .levels = levels };
	if (xform__takes_re(kind)) {
		if (!re || !*re || strlen(re) >= sizeof(x->re)) {
			snprintf(err, err_size, "%s needs a regex of 1 to %zu bytes",
				 kind_names[kind], sizeof(x->re) - 1);
			return -EINVAL;
		}
		x->p = pattern__new(re, err, err_size);
		if (!x->p)
			return strstr(err, "memory") ? -ENOMEM : -EINVAL;
		memcpy(x->re, re, strlen(re) + 1);
	}
	xs->n++;
	return 0;
}

static void xform__release(struct xform *x)
{
	pattern__free(x->p);
	free(x->memo);
	x->p = NULL;
	x->memo = NULL;
}

void xforms__remove(struct xforms *xs, unsigned i)
{
	if (i >= xs->n)
		return;
	xform__release(&xs->x[i]);
	memmove(&xs->x[i], &xs->x[i + 1], (xs->n - i - 1) * sizeof(xs->x[0]));
	xs->n--;
}

int xforms__find(const struct xforms *xs, enum xform_kind kind)
{
	for (unsigned i = 0; i < xs->n; i++)
		if (xs->x[i].kind == kind)
			return (int)i;
	return -1;
}

void xforms__clear(struct xforms *xs)
{
	while (xs->n)
		xforms__remove(xs, xs->n - 1);
}

void xform__label(const struct xform *x, char *buf, size_t size)
{
	if (xform__takes_re(x->kind))
		snprintf(buf, size, "%s:%s", kind_names[x->kind], x->re);
	else
		snprintf(buf, size, "%s", kind_names[x->kind]);
}

uint32_t xforms__limited(const struct xforms *xs)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < xs->n; i++)
		n += xs->x[i].limited;
	return n;
}

/* Makes the memo cover every name; false when it cannot grow (match unmemoized). */
static bool grow_memo(struct xform *x, uint32_t nnames)
{
	uint8_t *m;

	if (nnames <= x->memo_len)
		return true;
	m = realloc(x->memo, nnames);
	if (!m)
		return false;
	memset(m + x->memo_len, UNTESTED, nnames - x->memo_len);
	x->memo = m;
	x->memo_len = nnames;
	return true;
}

static bool matches(struct xform *x, const struct strtab *names, uint32_t name)
{
	int rc;

	if (name < x->memo_len && x->memo[name] != UNTESTED)
		return x->memo[name] == YES;
	rc = pattern__match(x->p, strtab__str(names, name), strtab__len(names, name));
	if (rc < 0)
		x->limited++;
	if (name < x->memo_len)
		x->memo[name] = rc > 0 ? YES : NO;
	return rc > 0;
}

/* The node of dst that pm (in dst) or an ancestor is, named name; CT_NONE. */
static uint32_t on_stack(const struct calltree *dst, uint32_t pm, uint32_t name)
{
	for (uint32_t a = pm; a != CT_ROOT && a != CT_NONE; a = calltree__node(dst, a)->parent)
		if (calltree__node(dst, a)->name == name)
			return a;
	return CT_NONE;
}

/* Scratch for one pass: per source node, its node in dst and a flag. */
struct scratch {
	uint32_t *map;
	uint8_t *flag;		/* focus: through a match; merge: depth (capped) */
	uint32_t cap;
};

/*
 * Where node id's samples go in dst, given its parent's node pm: a node
 * of its own (created), the parent's (a frame taken out), or CT_NONE.
 */
static int place(struct xform *x, const struct calltree *src, struct calltree *dst,
		 struct scratch *s, uint32_t id, uint32_t pm, uint32_t *out)
{
	const struct ct_node *n = calltree__node(src, id);
	const struct strtab *names = calltree__names(src);
	uint8_t up = s->flag[n->parent];
	uint32_t same;

	*out = pm;
	switch (x->kind) {
	case XF_FOCUS:
		s->flag[id] = up || matches(x, names, n->name);
		break;
	case XF_HIDE:
		if (matches(x, names, n->name))
			return 0;
		break;
	case XF_DROP:
		if (matches(x, names, n->name)) {
			*out = CT_NONE;
			return 0;
		}
		break;
	case XF_RECURSION:
		if (pm != CT_ROOT && calltree__node(dst, pm)->name == n->name)
			return 0;
		break;
	case XF_RECURSION_ALL:
		same = on_stack(dst, pm, n->name);
		if (same != CT_NONE) {
			*out = same;
			return 0;
		}
		break;
	case XF_NO_KERNEL:
		if (strtab__kind(names, n->name) == FRAME_KERNEL)
			return 0;
		break;
	case XF_MERGE:
		s->flag[id] = up < 255 ? up + 1 : 255;
		if (s->flag[id] <= x->levels)
			return 0;
		break;
	case XF_KINDS:
		break;
	}
	return calltree__child(dst, pm, n->name, out);
}

static int pass(struct xform *x, const struct calltree *src, struct calltree *dst,
		struct scratch *s)
{
	uint32_t n = calltree__nodes(src);
	int err = 0;

	if (x->p && !grow_memo(x, strtab__count(calltree__names(src))))
		return -ENOMEM;
	s->map[CT_ROOT] = CT_ROOT;
	s->flag[CT_ROOT] = 0;
	/* samples with no frame at all: through no match, so not kept by a focus */
	if (x->kind != XF_FOCUS)
		calltree__add_self(dst, CT_ROOT, calltree__node(src, CT_ROOT)->self);
	for (uint32_t id = 1; !err && id < n; id++) {
		const struct ct_node *node = calltree__node(src, id);
		uint32_t pm = s->map[node->parent];

		s->map[id] = CT_NONE;
		s->flag[id] = 0;
		if (!node->total || pm == CT_NONE)
			continue;
		err = place(x, src, dst, s, id, pm, &s->map[id]);
		if (err || s->map[id] == CT_NONE || !node->self)
			continue;
		if (x->kind != XF_FOCUS || s->flag[id])
			calltree__add_self(dst, s->map[id], node->self);
	}
	calltree__sum_totals(dst);
	return err;
}

static bool scratch_for(struct scratch *s, uint32_t n)
{
	uint32_t *map;
	uint8_t *flag;

	if (n <= s->cap)
		return true;
	map = realloc(s->map, (size_t)n * sizeof(*map));
	if (map)
		s->map = map;
	flag = map ? realloc(s->flag, n) : NULL;
	if (!flag)
		return false;
	s->flag = flag;
	s->cap = n;
	return true;
}

struct calltree *xforms__apply(struct xforms *xs, const struct calltree *t)
{
	struct scratch s = { 0 };
	const struct calltree *cur = t;
	struct calltree *next = NULL;
	int err = 0;

	if (!xs->n)
		return calltree__copy(t);
	for (unsigned i = 0; !err && i < xs->n; i++) {
		next = calltree__new(calltree__names(t));
		if (!next || !scratch_for(&s, calltree__nodes(cur)))
			err = -ENOMEM;
		else
			err = pass(&xs->x[i], cur, next, &s);
		if (cur != t)
			calltree__free((struct calltree *)cur);
		cur = next;
	}
	free(s.map);
	free(s.flag);
	if (err) {
		calltree__free(next);
		return NULL;
	}
	return next;
}
