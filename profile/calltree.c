// SPDX-License-Identifier: MIT
/*
 * The call tree: nodes in one array, children as linked lists, and an
 * open-addressing table from (parent, name) to node for O(1) descent.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "calltree.h"

struct calltree {
	struct strtab *names;
	struct ct_node *nodes;
	uint32_t count, cap;
	uint32_t *slots;	/* node id + 1; 0 = empty */
	uint32_t indexed;	/* nodes [1, indexed) are in slots; the rest were pushed */
	uint32_t mask;
};

/*
 * A full 64-bit finalizer (murmur3's fmix64): many nodes share a name under
 * consecutive parents, and a bare multiply left such keys clustered under
 * linear probing.
 */
static inline uint32_t key_hash(uint32_t parent, uint32_t name)
{
	uint64_t k = (uint64_t)parent << 32 | name;

	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return (uint32_t)k;
}

/* The names a tree holds: its nodes' (strtab__sweep). */
static void mark_names(const void *user, uint8_t *held, uint32_t n)
{
	const struct calltree *t = user;

	for (uint32_t i = 1; i < t->count; i++)
		if (t->nodes[i].name < n)
			held[t->nodes[i].name] = 1;
}

struct calltree *calltree__new(struct strtab *names)
{
	struct calltree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (strtab__add_user(names, t, mark_names)) {
		free(t);
		return NULL;
	}
	t->names = names;
	t->cap = 1024;
	t->nodes = malloc(t->cap * sizeof(*t->nodes));
	t->mask = 2047;
	t->slots = calloc(t->mask + 1, sizeof(*t->slots));
	if (!t->nodes || !t->slots) {
		calltree__free(t);
		return NULL;
	}
	t->nodes[0] = (struct ct_node){ .name = CT_NONE, .parent = CT_NONE,
					.child = CT_NONE, .sibling = CT_NONE };
	t->count = 1;
	t->indexed = 1;
	return t;
}

void calltree__free(struct calltree *t)
{
	if (!t)
		return;
	strtab__remove_user(t->names, t);
	free(t->nodes);
	free(t->slots);
	free(t);
}

struct strtab *calltree__names(const struct calltree *t)
{
	return t->names;
}

uint32_t calltree__nodes(const struct calltree *t)
{
	return t->count;
}

const struct ct_node *calltree__node(const struct calltree *t, uint32_t id)
{
	return &t->nodes[id];
}

uint64_t calltree__samples(const struct calltree *t)
{
	return t->nodes[CT_ROOT].total;
}

uint32_t calltree__depth(const struct calltree *t, uint32_t id)
{
	uint32_t d = 0;

	while (id != CT_ROOT) {
		id = t->nodes[id].parent;
		d++;
	}
	return d;
}

/* calltree__find: up to this many pushed nodes are looked through after the slots */
#define UNINDEXED_SCAN 256

/*
 * The node (parent, name), or CT_NONE with *slot set to the empty slot
 * where it would go, so an insert needs no second probe.
 */
static uint32_t lookup(const struct calltree *t, uint32_t parent, uint32_t name,
		       uint32_t *slot)
{
	uint32_t pos = key_hash(parent, name) & t->mask;

	for (;;) {
		uint32_t id = t->slots[pos];

		if (!id) {
			*slot = pos;
			return CT_NONE;
		}
		/* a parent with no children yet (a branch being built) has none */
		if (t->nodes[parent].child != CT_NONE && t->nodes[id - 1].parent == parent &&
		    t->nodes[id - 1].name == name)
			return id - 1;
		pos = (pos + 1) & t->mask;
	}
}

uint32_t calltree__find(const struct calltree *t, uint32_t parent, uint32_t name)
{
	uint32_t slot, id;

	if (t->nodes[parent].child == CT_NONE)
		return CT_NONE;
	if (t->count - t->indexed > UNINDEXED_SCAN) {
		/* many pushed nodes, in no slot yet: the children, one by one */
		for (uint32_t c = t->nodes[parent].child; c != CT_NONE; c = t->nodes[c].sibling)
			if (t->nodes[c].name == name)
				return c;
		return CT_NONE;
	}
	id = lookup(t, parent, name, &slot);
	/* else a branch built last, not in the slots yet */
	for (uint32_t i = t->indexed; id == CT_NONE && i < t->count; i++)
		if (t->nodes[i].parent == parent && t->nodes[i].name == name)
			id = i;
	return id;
}

/*
 * A table at least twice as large, and large enough for want nodes at half
 * load (pushed nodes may have gone far past the old size), every node in it.
 */
static int grow_slots_for(struct calltree *t, uint64_t want)
{
	uint32_t nmask = t->mask * 2 + 1, i;
	uint32_t *ns;

	while (want * 2 >= (uint64_t)nmask + 1 && nmask < UINT32_MAX / 2)
		nmask = nmask * 2 + 1;
	ns = calloc((size_t)nmask + 1, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (i = 1; i < t->count; i++) {
		uint32_t pos = key_hash(t->nodes[i].parent, t->nodes[i].name) & nmask;

		while (ns[pos])
			pos = (pos + 1) & nmask;
		ns[pos] = i + 1;
	}
	free(t->slots);
	t->slots = ns;
	t->mask = nmask;
	t->indexed = t->count;
	return 0;
}

static int grow_slots(struct calltree *t)
{
	return grow_slots_for(t, (uint64_t)t->count + 1);
}

/* Puts the pushed nodes in the slots, before anything looks them up there. */
static int catch_up(struct calltree *t)
{
	if (t->indexed == t->count)
		return 0;
	if ((uint64_t)t->count * 2 >= (uint64_t)t->mask + 1)
		return grow_slots(t);
	for (uint32_t i = t->indexed; i < t->count; i++) {
		uint32_t pos = key_hash(t->nodes[i].parent, t->nodes[i].name) & t->mask;

		while (t->slots[pos])
			pos = (pos + 1) & t->mask;
		t->slots[pos] = i + 1;
	}
	t->indexed = t->count;
	return 0;
}

int calltree__reserve_nodes(struct calltree *t, uint32_t n)
{
	return vec_reserve(t->nodes, t->cap, n, 1024) ? -ENOMEM : 0;
}

int calltree__reserve(struct calltree *t, uint32_t n)
{
	if (vec_reserve(t->nodes, t->cap, n, 1024))
		return -ENOMEM;
	if ((uint64_t)n * 2 >= (uint64_t)t->mask + 1 && t->mask < UINT32_MAX / 2 &&
	    grow_slots_for(t, (uint64_t)n > t->count ? n : t->count))
		return -ENOMEM;
	return catch_up(t) ? -ENOMEM : 0;	/* pushed nodes: in the table, not a new one */
}

/* A new child of parent at free slot slot. */
static int add_node(struct calltree *t, uint32_t parent, uint32_t name, uint32_t slot,
		    uint32_t *out)
{
	int err = calltree__push(t, parent, name, out);

	if (!err) {
		t->slots[slot] = *out + 1;
		t->indexed = t->count;
	}
	return err;
}

int calltree__push(struct calltree *t, uint32_t parent, uint32_t name, uint32_t *out)
{
	uint32_t id;

	if (t->count >= CT_NONE - 1 || vec_reserve(t->nodes, t->cap, (size_t)t->count + 1, 1024))
		return -ENOMEM;
	id = t->count++;
	t->nodes[id] = (struct ct_node){ .name = name, .parent = parent, .child = CT_NONE,
					 .sibling = t->nodes[parent].child };
	t->nodes[parent].child = id;
	*out = id;
	return 0;
}

int calltree__child(struct calltree *t, uint32_t parent, uint32_t name, uint32_t *out)
{
	uint32_t slot, id;

	/*
	 * A parent without children (a branch being built): the child is new.
	 * It goes in the slots with the next lookup's catch-up, where the
	 * branch's inserts miss the cache together rather than one by one.
	 */
	if (t->nodes[parent].child == CT_NONE)
		return calltree__push(t, parent, name, out);
	if (catch_up(t) || ((uint64_t)t->count * 2 >= (uint64_t)t->mask + 1 && grow_slots(t)))
		return -ENOMEM;
	id = lookup(t, parent, name, &slot);
	if (id != CT_NONE) {
		*out = id;
		return 0;
	}
	return add_node(t, parent, name, slot, out);
}

int calltree__path(struct calltree *t, const uint32_t *names, size_t n, uint32_t *leaf)
{
	uint32_t node = CT_ROOT;
	size_t i;
	int err;

	for (i = 0; i < n; i++) {
		err = calltree__child(t, node, names[i], &node);
		if (err)
			return err;
	}
	*leaf = node;
	return 0;
}

int calltree__add(struct calltree *t, uint32_t node, uint64_t count)
{
	if (t->nodes[CT_ROOT].total > UINT64_MAX - count)
		return -EOVERFLOW;
	t->nodes[node].self += count;
	for (;;) {
		t->nodes[node].total += count;
		if (node == CT_ROOT)
			return 0;
		node = t->nodes[node].parent;
	}
}

void calltree__sub(struct calltree *t, uint32_t node, uint64_t count)
{
	t->nodes[node].self -= count;
	for (;;) {
		t->nodes[node].total -= count;
		if (node == CT_ROOT)
			return;
		node = t->nodes[node].parent;
	}
}

int calltree__add_stack(struct calltree *t, const uint32_t *names, size_t n,
			uint64_t count)
{
	uint32_t leaf;
	int err = calltree__path(t, names, n, &leaf);

	return err ? err : calltree__add(t, leaf, count);
}

void calltree__add_self(struct calltree *t, uint32_t node, uint64_t count)
{
	t->nodes[node].self += count;
}

void calltree__sum_fresh(struct calltree *t)
{
	struct ct_node *n = t->nodes;

	/* one pass, children first: every total is still zero */
	for (uint32_t i = t->count - 1; i > 0; i--) {
		n[i].total += n[i].self;
		n[n[i].parent].total += n[i].total;
	}
	n[0].total += n[0].self;
}

void calltree__sum_totals(struct calltree *t)
{
	uint32_t i;

	for (i = 0; i < t->count; i++)
		t->nodes[i].total = t->nodes[i].self;
	for (i = t->count - 1; i > 0; i--)
		t->nodes[t->nodes[i].parent].total += t->nodes[i].total;
}

void calltree__clear(struct calltree *t)
{
	/* a tree of pushed nodes only has nothing in its slots */
	if (t->indexed > 1)
		memset(t->slots, 0, ((size_t)t->mask + 1) * sizeof(*t->slots));
	t->nodes[0] = (struct ct_node){ .name = CT_NONE, .parent = CT_NONE,
					.child = CT_NONE, .sibling = CT_NONE };
	t->count = 1;
	t->indexed = 1;
}

void calltree__zero(struct calltree *t)
{
	uint32_t i;

	for (i = 0; i < t->count; i++)
		t->nodes[i].self = t->nodes[i].total = 0;
}

int calltree__map(struct calltree *dst, const struct calltree *src, uint32_t *map)
{
	uint32_t i;
	int err;

	map[CT_ROOT] = CT_ROOT;
	for (i = 1; i < src->count; i++) {
		const struct ct_node *n = &src->nodes[i];

		map[i] = CT_NONE;
		if (!n->total || map[n->parent] == CT_NONE)
			continue;
		err = calltree__child(dst, map[n->parent], n->name, &map[i]);
		if (err)
			return err;
	}
	return 0;
}

int calltree__merge(struct calltree *dst, const struct calltree *src, uint32_t src_node)
{
	uint32_t depth = calltree__depth(src, src_node), *map, *path, i, anc;
	int err = -ENOMEM;

	map = malloc((size_t)src->count * sizeof(*map));
	path = malloc(((size_t)depth + 1) * sizeof(*path));
	if (!map || !path)
		goto cleanup;
	for (i = 0; i < src->count; i++)
		map[i] = CT_NONE;
	/* src_node's root path in dst; only src_node and below go in map */
	for (anc = src_node, i = depth; anc != CT_ROOT; anc = src->nodes[anc].parent)
		path[--i] = src->nodes[anc].name;
	err = calltree__path(dst, path, depth, &map[src_node]);
	/* ids ascending: a node of the subtree comes after its parent */
	for (i = src_node; !err && i < src->count; i++) {
		const struct ct_node *n = &src->nodes[i];

		if (!n->total)
			continue;
		if (i != src_node) {
			if (map[n->parent] == CT_NONE)
				continue;	/* outside the subtree */
			err = calltree__child(dst, map[n->parent], n->name, &map[i]);
		}
		if (!err && n->self)
			err = calltree__add(dst, map[i], n->self);
	}
cleanup:
	free(path);
	free(map);
	return err;
}

struct calltree *calltree__copy(const struct calltree *src)
{
	struct calltree *t = calltree__new(src->names);

	if (t && calltree__merge(t, src, CT_ROOT)) {
		calltree__free(t);
		return NULL;
	}
	return t;
}

struct calltree *calltree__renamed(const struct calltree *src)
{
	struct calltree *t = calltree__new(src->names);
	uint32_t *map = malloc((size_t)src->count * sizeof(*map));
	int err = t && map ? 0 : -ENOMEM;

	if (!err)
		map[CT_ROOT] = CT_ROOT;
	/* ids ascending: a node comes after its parent */
	for (uint32_t i = 1; !err && i < src->count; i++) {
		const struct ct_node *n = &src->nodes[i];

		map[i] = CT_NONE;
		if (!n->total || map[n->parent] == CT_NONE)
			continue;
		err = calltree__child(t, map[n->parent], strtab__canon(src->names, n->name),
				      &map[i]);
		if (!err && n->self)
			calltree__add_self(t, map[i], n->self);
	}
	free(map);
	if (err) {
		calltree__free(t);
		return NULL;
	}
	calltree__sum_totals(t);
	return t;
}

static int by_name(const void *a, const void *b, void *arg)
{
	const struct calltree *t = arg;

	return strtab__cmp(t->names, t->nodes[*(const uint32_t *)a].name,
			   t->nodes[*(const uint32_t *)b].name);
}

size_t calltree__children(const struct calltree *t, uint32_t node, uint32_t *ids,
			  size_t max, bool empty_too)
{
	size_t n = 0;
	uint32_t c;

	for (c = t->nodes[node].child; c != CT_NONE; c = t->nodes[c].sibling) {
		if (!t->nodes[c].total && !empty_too)
			continue;
		if (n < max)
			ids[n] = c;
		n++;
	}
	if (n <= max) {
		qsort_r(ids, n, sizeof(*ids), by_name, (void *)t);
	}
	return n;
}

uint32_t calltree__capacity(const struct calltree *t)
{
	return t->cap;
}

size_t calltree__bytes(const struct calltree *t)
{
	return sizeof(*t) + (size_t)t->cap * sizeof(struct ct_node) +
	       ((size_t)t->mask + 1) * sizeof(uint32_t);
}
