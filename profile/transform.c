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

void xforms__recycle(struct xforms *xs, struct calltree *t)
{
	if (!t)
		return;
	calltree__free(xs->spare);
	xs->spare = t;
}

void xforms__clear(struct xforms *xs)
{
	while (xs->n)
		xforms__remove(xs, xs->n - 1);
	free(xs->scratch);
	calltree__free(xs->spare);
	xs->scratch = NULL;
	xs->spare = NULL;
	xs->scratch_size = 0;
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

/*
 * All the transforms in one pass over the source tree.  Every decision a
 * transform makes depends only on the path to a node (names, depth, a match
 * above), never on its siblings, so the frames a transform merges need not
 * be merged until the end: stage j's tree is known by representatives,
 * source ids.  rep[j][id] is the node that id's samples belong to after
 * stage j (id itself, an ancestor's representative, or DROPPED); up[j][id]
 * is the stage-j parent of a representative; flag[j][id] is what a stage
 * carries down a path (focus: through a match; merge: depth).  Only the last
 * stage's tree is built, merging same-named siblings as it goes.
 */
#define DROPPED (CT_NONE - 1)

struct stages {
	uint32_t *rep, *up;	/* [id][stage]: a node's stages share a cache line */
	uint8_t *flag;
	uint32_t k;		/* stages */
};

static inline uint32_t *rep_at(const struct stages *st, unsigned j, uint32_t id)
{
	return &st->rep[(size_t)id * st->k + j];
}

static inline uint32_t *up_at(const struct stages *st, unsigned j, uint32_t id)
{
	return &st->up[(size_t)id * st->k + j];
}

static inline uint8_t *flag_at(const struct stages *st, unsigned j, uint32_t id)
{
	return &st->flag[(size_t)id * st->k + j];
}

/* The stage-j representative above p (stage j's tree) named name, or CT_NONE. */
static uint32_t on_stack(const struct calltree *t, const struct stages *st, unsigned j,
			 uint32_t p, uint32_t name)
{
	for (uint32_t a = p; a != CT_ROOT && a != CT_NONE; a = *up_at(st, j, a))
		if (calltree__node(t, a)->name == name)
			return a;
	return CT_NONE;
}

/*
 * Stage j's decision for id, a node of its own in stage j's input, whose
 * parent there is ip and became p: id (kept), p or an ancestor (merged up),
 * or DROPPED.
 */
static uint32_t decide(struct xform *x, const struct calltree *t, const struct stages *st,
		       unsigned j, uint32_t id, uint32_t ip, uint32_t p)
{
	const struct strtab *names = calltree__names(t);
	uint32_t name = calltree__node(t, id)->name, same;
	uint8_t *flag = flag_at(st, j, id), up_flag = *flag_at(st, j, x->kind == XF_MERGE ? ip : p);

	switch (x->kind) {
	case XF_FOCUS:
		*flag = up_flag || matches(x, names, name);
		return id;
	case XF_HIDE:
		return matches(x, names, name) ? p : id;
	case XF_DROP:
		return matches(x, names, name) ? DROPPED : id;
	case XF_RECURSION:
		return p != CT_ROOT && calltree__node(t, p)->name == name ? p : id;
	case XF_RECURSION_ALL:
		same = on_stack(t, st, j, p, name);
		return same != CT_NONE ? same : id;
	case XF_NO_KERNEL:
		return strtab__kind(names, name) == FRAME_KERNEL ? p : id;
	case XF_MERGE:
		/* the depth in the stage's input, where the grouping frames are */
		*flag = up_flag < 255 ? up_flag + 1 : 255;
		return *flag <= x->levels ? p : id;
	case XF_KINDS:
		break;
	}
	return id;
}

/* Runs id through every stage; its samples' node after the last, or DROPPED. */
static uint32_t through_stages(struct xforms *xs, const struct calltree *t, struct stages *st,
			       uint32_t id, bool *kept)
{
	uint32_t parent = calltree__node(t, id)->parent, cur = id;

	*kept = true;
	for (unsigned j = 0; j < xs->n; j++) {
		uint32_t *rep = rep_at(st, j, id);

		if (cur == DROPPED) {
			*rep = DROPPED;
			continue;
		}
		if (cur != id) {
			/* merged into an earlier node: it goes where that one went */
			*rep = *rep_at(st, j, cur);
			*flag_at(st, j, id) = *flag_at(st, j, cur);
		} else {
			uint32_t p = *rep_at(st, j, parent), ip = j ? *rep_at(st, j - 1, parent) : parent;

			*rep = p == DROPPED ? DROPPED : decide(&xs->x[j], t, st, j, id, ip, p);
			if (*rep == id)
				*up_at(st, j, id) = p;
		}
		if (xs->x[j].kind == XF_FOCUS && !*flag_at(st, j, id))
			*kept = false;
		cur = *rep;
	}
	return cur;
}

static int build(struct xforms *xs, const struct calltree *t, struct stages *st,
		 uint32_t *node, uint8_t *shared, struct calltree *dst)
{
	uint32_t n = calltree__nodes(t);
	bool focus = xforms__find(xs, XF_FOCUS) >= 0, kept;
	int err = 0;

	for (unsigned j = 0; j < xs->n; j++) {
		*rep_at(st, j, CT_ROOT) = CT_ROOT;
		*up_at(st, j, CT_ROOT) = CT_NONE;
		*flag_at(st, j, CT_ROOT) = 0;
	}
	node[CT_ROOT] = CT_ROOT;
	/* samples with no frame at all: through no match, so not kept by a focus */
	if (!focus)
		calltree__add_self(dst, CT_ROOT, calltree__node(t, CT_ROOT)->self);
	for (uint32_t id = 1; !err && id < n; id++) {
		const struct ct_node *c = calltree__node(t, id);
		uint32_t last;

		node[id] = CT_NONE;
		if (!c->total || node[c->parent] == CT_NONE) {
			for (unsigned j = 0; j < xs->n; j++)
				*rep_at(st, j, id) = DROPPED;
			continue;
		}
		last = through_stages(xs, t, st, id, &kept);
		if (last == DROPPED)
			continue;
		if (last == id) {
			uint32_t p = xs->n ? *rep_at(st, xs->n - 1, c->parent) : c->parent;
			uint32_t had = calltree__nodes(dst);

			/*
			 * The children of a node of dst that one source node alone
			 * made have names of their own: no lookup.  shared[] is by
			 * node of dst: one that more than one source node went to.
			 */
			err = shared[node[p]] ? calltree__child(dst, node[p], c->name, &node[id])
					      : calltree__append(dst, node[p], c->name, &node[id]);
			if (!err && node[id] < had)
				shared[node[id]] = 1;
		} else {
			node[id] = node[last];
			shared[node[last]] = 1;
		}
		if (!err && kept && c->self)
			calltree__add_self(dst, node[id], c->self);
	}
	calltree__sum_totals(dst);
	return err;
}

/* Per node: k stage representatives and parents, the final node, k flags, shared. */
static void *scratch_for(struct xforms *xs, uint32_t n, size_t k)
{
	size_t need = (size_t)n * (k * 9 + 5);
	void *p;

	if (need <= xs->scratch_size)
		return xs->scratch;
	p = realloc(xs->scratch, need);
	if (!p)
		return NULL;
	xs->scratch = p;
	xs->scratch_size = need;
	return p;
}

struct calltree *xforms__apply(struct xforms *xs, const struct calltree *t)
{
	uint32_t n = calltree__nodes(t);
	size_t k = xs->n ? xs->n : 1;
	uint32_t *mem = scratch_for(xs, n, k);
	struct stages st = { mem, mem ? mem + k * n : NULL, NULL, (uint32_t)k };
	uint32_t *node = mem ? mem + 2 * k * n : NULL;
	uint8_t *shared = mem ? (uint8_t *)(node + n) : NULL;
	struct calltree *dst = xs->spare && calltree__names(xs->spare) == calltree__names(t)
			       ? xs->spare : calltree__new(calltree__names(t));
	/* room for every node at once: no growing, no rehashing on the way */
	int err = mem && dst && !calltree__reserve(dst, n) ? 0 : -ENOMEM;

	if (dst == xs->spare) {
		xs->spare = NULL;
		calltree__clear(dst);
	}
	if (mem) {
		st.flag = shared + n;
		memset(shared, 0, n);
	}
	for (unsigned j = 0; !err && j < xs->n; j++)
		if (xs->x[j].p && !grow_memo(&xs->x[j], strtab__count(calltree__names(t))))
			err = -ENOMEM;
	if (!err)
		err = build(xs, t, &st, node, shared, dst);
	if (err) {
		calltree__free(dst);
		return NULL;
	}
	return dst;
}
