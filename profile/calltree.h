/* SPDX-License-Identifier: MIT */
/*
 * calltree: a prefix tree of stacks with self and total sample counts.
 *
 * Nodes are known by dense ids; node 0 is the root (all samples).  A node is
 * always created after its parent, so parent id < child id: walking ids in
 * ascending order visits parents first, in descending order children first.
 * Nodes are never removed, only counted down to zero; a node whose total is
 * zero is not part of the profile (history.c compacts such nodes away).
 *
 * The tree borrows its strtab, which must outlive it.  Node pointers returned
 * by calltree__node() are valid until the next call that adds a node.  The
 * nodes are one array: calltree__node(t, CT_ROOT)[id] is node id (a tree read
 * whole in a tight loop).
 */
#ifndef FLAMETOP_CALLTREE_H
#define FLAMETOP_CALLTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strtab.h"

#define CT_ROOT 0u
#define CT_NONE UINT32_MAX

struct ct_node {
	uint32_t name;		/* strtab id; CT_NONE for the root */
	uint32_t parent;	/* CT_NONE for the root */
	uint32_t child;		/* first child or CT_NONE */
	uint32_t sibling;	/* next sibling or CT_NONE */
	uint64_t self;
	uint64_t total;
};

struct calltree;

struct calltree *calltree__new(struct strtab *names);
void calltree__free(struct calltree *t);

struct strtab *calltree__names(const struct calltree *t);
uint32_t calltree__nodes(const struct calltree *t);
const struct ct_node *calltree__node(const struct calltree *t, uint32_t id);
uint64_t calltree__samples(const struct calltree *t);
/* Nodes there is room for before the node array grows. */
uint32_t calltree__capacity(const struct calltree *t);
uint32_t calltree__depth(const struct calltree *t, uint32_t id);

/* Child of parent named name, or CT_NONE. */
uint32_t calltree__find(const struct calltree *t, uint32_t parent, uint32_t name);
/* Makes room for n nodes at once (no growing one by one); 0 or -ENOMEM. */
int calltree__reserve(struct calltree *t, uint32_t n);
/* The same for pushed nodes (calltree__push): the node array only. */
int calltree__reserve_nodes(struct calltree *t, uint32_t n);
/*
 * Child of parent named name, created (with zero counts) if missing.  The
 * children of a parent that had none go in the (parent, name) table at the
 * next call that looks one up: a branch's inserts are made together.
 */
int calltree__child(struct calltree *t, uint32_t parent, uint32_t name, uint32_t *out);
/*
 * A new child of parent named name, which the caller knows parent has not,
 * left out of the (parent, name) table: the table takes pushed nodes when
 * next asked to add a node (calltree__find scans the children, or the pushed
 * nodes when they are few, until then).
 * For a tree made whole from another, whose table may never be needed.
 */
int calltree__push(struct calltree *t, uint32_t parent, uint32_t name, uint32_t *out);
/* Path of name ids below root, created as needed; *leaf gets its last node. */
int calltree__path(struct calltree *t, const uint32_t *names, size_t n, uint32_t *leaf);

/*
 * Adds count samples ending at node (self) to it and its ancestors (total).
 * -EOVERFLOW if the root's total would no longer fit in 64 bits.
 */
int calltree__add(struct calltree *t, uint32_t node, uint64_t count);
/* Takes back samples added with calltree__add(). */
void calltree__sub(struct calltree *t, uint32_t node, uint64_t count);
int calltree__add_stack(struct calltree *t, const uint32_t *names, size_t n,
			uint64_t count);
/*
 * Bulk loading: add self counts without touching ancestors, then recompute
 * every total in one pass (children have higher ids than their parents).
 */
void calltree__add_self(struct calltree *t, uint32_t node, uint64_t count);
void calltree__sum_totals(struct calltree *t);
/* The same in one pass, for a tree whose totals are all still zero (pushed nodes). */
void calltree__sum_fresh(struct calltree *t);
/* Removes every node but the root, keeping the memory (a tree made again each tick). */
void calltree__clear(struct calltree *t);
/* Sets every count to zero, keeping the nodes. */
void calltree__zero(struct calltree *t);

/*
 * Makes every node of src with a non-zero total exist in dst (same name path,
 * counts untouched); map[src id] = dst id, CT_NONE for nodes skipped.
 * Both trees must share one strtab.  map has calltree__nodes(src) entries.
 */
int calltree__map(struct calltree *dst, const struct calltree *src, uint32_t *map);
/* Adds the samples of src's subtree at src_node into dst (full root path). */
int calltree__merge(struct calltree *dst, const struct calltree *src, uint32_t src_node);
/* A new tree holding only the nodes of src with samples, and their counts. */
struct calltree *calltree__copy(const struct calltree *src);
/* The same, each frame by the name it goes by now (strtab__rename): renamed ones merge. */
struct calltree *calltree__renamed(const struct calltree *src);

/*
 * Fills ids[] with node's children sorted by name (bytewise); returns the
 * count.  Children with no samples are left out unless empty_too (a
 * window's empty frames may fill when the window moves).
 */
size_t calltree__children(const struct calltree *t, uint32_t node, uint32_t *ids,
			  size_t max, bool empty_too);
size_t calltree__bytes(const struct calltree *t);

#endif
