/* SPDX-License-Identifier: MIT */
/*
 * Finding a frame again by its name path (the names from the root) in
 * another tree — a window that moved, a rebuilt diff, a compacted history
 * — or in the same tree after its nodes were renumbered.  Name ids are
 * stable while held (strtab.h: a temporary name's id goes to another name
 * once swept); node ids are not.  Trees compared must share one strtab.
 */
#ifndef FLAMETOP_TREEPATH_H
#define FLAMETOP_TREEPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "calltree.h"

struct name_path {
	uint32_t *names;	/* owned */
	uint32_t n, cap;
};

/* Makes p node's path in t; 0 or -ENOMEM (p then empty: the root). */
int name_path__set(struct name_path *p, const struct calltree *t, uint32_t node);
void name_path__free(struct name_path *p);
/* The frame at p in t, or the deepest frame of p's prefix that t has; *whole says which. */
uint32_t name_path__find(const struct name_path *p, const struct calltree *t, bool *whole);

/* The frame of other with node's name path in t, or CT_NONE. */
uint32_t calltree__same_node(const struct calltree *t, uint32_t node,
			     const struct calltree *other);

/*
 * Calls fn for node and each frame below it with samples (total > 0),
 * parents before children, with the frame's path: the node ids from the
 * root's child down to it (depth of them; the root itself has depth 0).
 * Stops at fn's first non-zero return, which it returns; -ENOMEM.
 */
typedef int (*tree_walk_fn)(void *ctx, const uint32_t *path, uint32_t depth, uint32_t id);
int calltree__walk(const struct calltree *t, uint32_t node, tree_walk_fn fn, void *ctx);

#endif
