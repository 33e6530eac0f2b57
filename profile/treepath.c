// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <stdlib.h>

#include "../util/vec.h"
#include "treepath.h"

int name_path__set(struct name_path *p, const struct calltree *t, uint32_t node)
{
	uint32_t depth = calltree__depth(t, node), d = depth;

	p->n = 0;
	if (vec_reserve(p->names, p->cap, depth, 16))
		return -ENOMEM;
	for (uint32_t id = node; id != CT_ROOT; id = calltree__node(t, id)->parent)
		p->names[--d] = calltree__node(t, id)->name;
	p->n = depth;
	return 0;
}

void name_path__free(struct name_path *p)
{
	free(p->names);
	*p = (struct name_path){ 0 };
}

uint32_t name_path__find(const struct name_path *p, const struct calltree *t, bool *whole)
{
	uint32_t id = CT_ROOT, d;

	for (d = 0; d < p->n; d++) {
		uint32_t c = calltree__find(t, id, p->names[d]);

		/* a frame renamed since (a late name): by the name it goes by now */
		if (c == CT_NONE)
			c = calltree__find(t, id, strtab__canon(calltree__names(t), p->names[d]));
		if (c == CT_NONE)
			break;
		id = c;
	}
	if (whole)
		*whole = d == p->n;
	return id;
}

uint32_t calltree__same_node(const struct calltree *t, uint32_t node,
			     const struct calltree *other)
{
	struct name_path p = { 0 };
	bool whole = false;
	uint32_t id;

	if (name_path__set(&p, t, node))
		return CT_NONE;
	id = name_path__find(&p, other, &whole);
	name_path__free(&p);
	return whole ? id : CT_NONE;
}

int calltree__walk(const struct calltree *t, uint32_t node, tree_walk_fn fn, void *ctx)
{
	const struct ct_node *nodes = calltree__node(t, CT_ROOT);
	uint32_t depth = calltree__depth(t, node), d = depth, cap = 0, n = node, *path = NULL;
	int err = 0;

	if (!nodes[node].total)
		return 0;
	if (vec_reserve(path, cap, depth + 64, 256))
		return -ENOMEM;
	for (uint32_t a = node; a != CT_ROOT; a = nodes[a].parent)
		path[--d] = a;
	for (;;) {
		if (nodes[n].total && (err = fn(ctx, path, depth, n)))
			break;
		if (nodes[n].total && nodes[n].child != CT_NONE) {
			if (vec_reserve(path, cap, depth + 1, 256)) {
				err = -ENOMEM;
				break;
			}
			n = path[depth++] = nodes[n].child;
			continue;
		}
		while (n != node && nodes[n].sibling == CT_NONE) {
			n = nodes[n].parent;
			depth--;
		}
		if (n == node)
			break;
		n = path[depth - 1] = nodes[n].sibling;
	}
	free(path);
	return err;
}
