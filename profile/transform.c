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

#include "../util/vec.h"
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
	free(xs->keys);
	free(xs->deep);
	free(xs->walk);
	calltree__free(xs->spare);
	xs->scratch = NULL;
	xs->keys = NULL;
	xs->deep = NULL;
	xs->walk = NULL;
	xs->walk_cap = 0;
	xs->deep_stages = xs->deep_names = 0;
	xs->spare = NULL;
	xs->scratch_size = 0;
	xs->keys_mask = xs->keys_gen = 0;
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

/*
 * Makes the memo cover every name, and forget ids given to other names
 * since; false when it cannot grow (match unmemoized).
 */
static bool grow_memo(struct xform *x, const struct strtab *names)
{
	uint32_t nnames = strtab__count(names);
	uint8_t *m;

	if (x->memo_reuses != strtab__reuses(names)) {
		x->memo_reuses = strtab__reuses(names);
		x->limited = 0;		/* each name is tested again */
		if (x->memo_len)
			memset(x->memo, UNTESTED, x->memo_len);
	}
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
	const struct ct_node *src;	/* the source's nodes (it does not change) */
	/*
	 * recursion-all: the pass goes depth first, and deep[stage][name] is the
	 * frame of that name its stage keeps on the path (xforms' deep; NULL:
	 * no such stage).
	 */
	uint32_t *deep;
	uint32_t nnames;
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

/*
 * The stage-j representative on the path to the node being decided (stage
 * j's tree) named name, or CT_NONE: what the depth-first pass keeps, not a
 * walk up the path per frame (a stack of 100,000 names took 15 s so).
 */
static uint32_t on_stack(const struct stages *st, unsigned j, uint32_t name)
{
	return name < st->nnames ? st->deep[(size_t)j * st->nnames + name] : CT_NONE;
}

/*
 * id entered (enter) or left by the depth-first pass: the names on each
 * recursion-all stage's path below it.  Kept, it is on that path (and its
 * name was on none above it, or it would have merged); merged into a frame
 * above, the frames between are not on the path below it (a stage path
 * holds a name once: each is the one deep names).
 */
static void path_step(const struct xforms *xs, struct stages *st, uint32_t id, bool enter)
{
	uint32_t parent = st->src[id].parent;

	for (unsigned j = 0; j < xs->n; j++) {
		uint32_t *deep = st->deep + (size_t)j * st->nnames, r = *rep_at(st, j, id), name;

		if (xs->x[j].kind != XF_RECURSION_ALL)
			continue;
		name = st->src[id].name;
		if (r == id && name < st->nnames)
			deep[name] = enter ? id : CT_NONE;
		for (uint32_t a = *rep_at(st, j, parent); r != id && a != r && a != CT_ROOT &&
		     a != CT_NONE; a = *up_at(st, j, a))
			if ((name = st->src[a].name) < st->nnames)
				deep[name] = enter ? CT_NONE : a;
	}
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
	uint32_t name = st->src[id].name, same;
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
		return p != CT_ROOT && st->src[p].name == name ? p : id;
	case XF_RECURSION_ALL:
		same = on_stack(st, j, name);
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
	uint32_t parent = st->src[id].parent, cur = id;

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

/*
 * The children of the nodes of the new tree that more than one source node
 * reached, by (parent, name), with the key inline (no node read to compare)
 * and a generation instead of clearing the table each apply.
 */
struct xform_key {
	uint64_t key;
	uint32_t id, gen;
};

static uint64_t key_of(uint32_t parent, uint32_t name)
{
	return (uint64_t)parent << 32 | name;
}

static uint32_t slot_of(const struct xforms *xs, uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (uint32_t)k & xs->keys_mask;
}

static uint32_t key_find(const struct xforms *xs, uint32_t parent, uint32_t name)
{
	uint64_t k = key_of(parent, name);

	for (uint32_t i = slot_of(xs, k);; i = (i + 1) & xs->keys_mask) {
		const struct xform_key *e = &xs->keys[i];

		if (e->gen != xs->keys_gen)
			return CT_NONE;
		if (e->key == k)
			return e->id;
	}
}

static void key_put(struct xforms *xs, uint32_t parent, uint32_t name, uint32_t id)
{
	uint64_t k = key_of(parent, name);
	uint32_t i = slot_of(xs, k);

	while (xs->keys[i].gen == xs->keys_gen)
		i = (i + 1) & xs->keys_mask;
	xs->keys[i] = (struct xform_key){ k, id, xs->keys_gen };
}

/* Room for n keys at half load, all of another generation than the next. */
static bool keys_for(struct xforms *xs, uint32_t n)
{
	uint64_t want = 1024;
	struct xform_key *k;

	while (want < (uint64_t)n * 2)
		want *= 2;
	if (++xs->keys_gen == 0 || want > (uint64_t)xs->keys_mask + 1 || !xs->keys) {
		if (want <= (uint64_t)xs->keys_mask + 1 && xs->keys) {
			memset(xs->keys, 0, ((size_t)xs->keys_mask + 1) * sizeof(*xs->keys));
		} else {
			k = calloc(want, sizeof(*k));
			if (!k)
				return false;
			free(xs->keys);
			xs->keys = k;
			xs->keys_mask = (uint32_t)(want - 1);
		}
		xs->keys_gen = 1;
	}
	return true;
}

/* Node x of dst is reached by more than one source node: its children get keys. */
static void share(struct xforms *xs, const struct calltree *dst, uint8_t *shared, uint32_t x)
{
	if (shared[x])
		return;
	shared[x] = 1;
	for (uint32_t c = calltree__node(dst, x)->child; c != CT_NONE;
	     c = calltree__node(dst, c)->sibling)
		key_put(xs, x, calltree__node(dst, c)->name, c);
}

/* Node id's own node in dst, under its parent's node x. */
static int own_node(struct xforms *xs, struct calltree *dst, uint8_t *shared, uint32_t x,
		    uint32_t name, uint32_t *out)
{
	uint32_t f;
	int err;

	/* the children of a node one source node alone made have names of their own */
	if (!shared[x])
		return calltree__push(dst, x, name, out);
	f = key_find(xs, x, name);
	if (f != CT_NONE) {
		*out = f;
		share(xs, dst, shared, f);
		return 0;
	}
	err = calltree__push(dst, x, name, out);
	if (!err)
		key_put(xs, x, name, *out);
	return err;
}

/* Source node id (its parent done) through the stages into dst: node[id]. */
static int place(struct xforms *xs, const struct calltree *t, struct stages *st, uint32_t id,
		 uint32_t *node, uint8_t *shared, struct calltree *dst)
{
	const struct ct_node *c = &st->src[id];
	uint32_t last;
	bool kept;
	int err = 0;

	node[id] = CT_NONE;
	if (!c->total || node[c->parent] == CT_NONE) {
		for (unsigned j = 0; j < xs->n; j++)
			*rep_at(st, j, id) = DROPPED;
		return 0;
	}
	last = through_stages(xs, t, st, id, &kept);
	if (last == DROPPED)
		return 0;
	if (last == id) {
		uint32_t p = xs->n ? *rep_at(st, xs->n - 1, c->parent) : c->parent;

		err = own_node(xs, dst, shared, node[p], c->name, &node[id]);
	} else {
		node[id] = node[last];
		share(xs, dst, shared, node[last]);
	}
	if (!err && kept && c->self)
		calltree__add_self(dst, node[id], c->self);
	return err;
}

/*
 * Depth first (recursion-all: each stage's names on the path are kept as
 * it goes); a subtree under a node not placed is all left out.  An entry
 * of the walk's stack is a node to enter, or with LEAVE one to leave.
 */
#define LEAVE (1ull << 32)

/* Pushes id's children (id itself first, to leave, unless CT_ROOT) on the walk. */
static int push_children(struct xforms *xs, const struct stages *st, uint32_t id, size_t *n)
{
	for (uint32_t c = st->src[id].child, i = id == CT_ROOT ? 0 : 1;; c = st->src[c].sibling) {
		if (vec_reserve(xs->walk, xs->walk_cap, *n + 1, 1024))
			return -ENOMEM;
		if (i) {
			xs->walk[(*n)++] = id | LEAVE;
			i = 0;
		}
		if (c == CT_NONE)
			return 0;
		xs->walk[(*n)++] = c;
	}
}

static int place_depth_first(struct xforms *xs, const struct calltree *t, struct stages *st,
			     uint32_t *node, uint8_t *shared, struct calltree *dst)
{
	size_t n = 0;
	int err = push_children(xs, st, CT_ROOT, &n);

	while (n) {
		uint64_t e = xs->walk[--n];
		uint32_t id = (uint32_t)e;

		if (e & LEAVE) {
			path_step(xs, st, id, false);
			continue;
		}
		if (!err)
			err = place(xs, t, st, id, node, shared, dst);
		if (err || node[id] == CT_NONE)
			continue;
		path_step(xs, st, id, true);
		err = push_children(xs, st, id, &n);
	}
	return err;
}

static int build(struct xforms *xs, const struct calltree *t, struct stages *st,
		 uint32_t *node, uint8_t *shared, struct calltree *dst)
{
	uint32_t n = calltree__nodes(t);
	bool focus = xforms__find(xs, XF_FOCUS) >= 0;
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
	if (st->deep)
		err = place_depth_first(xs, t, st, node, shared, dst);
	for (uint32_t id = 1; !st->deep && !err && id < n; id++)
		err = place(xs, t, st, id, node, shared, dst);
	calltree__sum_fresh(dst);
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

/*
 * recursion-all's table, every name off every stage's path: made again only
 * when the stages or the names grew (a walk leaves every name off the path,
 * so the next apply finds it ready).
 */
static int paths_for(struct xforms *xs, struct stages *st, const struct calltree *t)
{
	uint32_t nnames = strtab__count(calltree__names(t));
	size_t cells = (size_t)nnames * xs->n;

	if (xs->deep_stages != xs->n || xs->deep_names != nnames) {
		uint32_t *d = realloc(xs->deep, cells * sizeof(*d));

		xs->deep_stages = xs->deep_names = 0;
		if (!d)
			return -ENOMEM;
		for (size_t i = 0; i < cells; i++)
			d[i] = CT_NONE;
		xs->deep = d;
		xs->deep_stages = xs->n;
		xs->deep_names = nnames;
	}
	st->deep = xs->deep;
	st->nnames = nnames;
	return 0;
}

struct calltree *xforms__apply(struct xforms *xs, const struct calltree *t)
{
	uint32_t n = calltree__nodes(t);
	size_t k = xs->n ? xs->n : 1;
	uint32_t *mem = scratch_for(xs, n, k);
	struct stages st = { mem, mem ? mem + k * n : NULL, NULL, (uint32_t)k,
			     calltree__node(t, CT_ROOT), NULL, 0 };
	uint32_t *node = mem ? mem + 2 * k * n : NULL;
	uint8_t *shared = mem ? (uint8_t *)(node + n) : NULL;
	struct calltree *dst = xs->spare && calltree__names(xs->spare) == calltree__names(t)
			       ? xs->spare : calltree__new(calltree__names(t));
	/* room for every node at once: no growing on the way */
	int err = mem && dst && !calltree__reserve_nodes(dst, n) && keys_for(xs, n) ? 0 : -ENOMEM;

	if (dst == xs->spare) {
		xs->spare = NULL;
		calltree__clear(dst);
	}
	if (mem) {
		st.flag = shared + n;
		memset(shared, 0, n);
	}
	for (unsigned j = 0; !err && j < xs->n; j++)
		if (xs->x[j].p && !grow_memo(&xs->x[j], calltree__names(t)))
			err = -ENOMEM;
	if (!err && xforms__find(xs, XF_RECURSION_ALL) >= 0)
		err = paths_for(xs, &st, t);
	if (!err)
		err = build(xs, t, &st, node, shared, dst);
	if (err && st.deep)
		xs->deep_stages = 0;	/* a walk cut short may leave names on: made again */
	if (err) {
		calltree__free(dst);
		return NULL;
	}
	return dst;
}
