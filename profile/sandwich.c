// SPDX-License-Identifier: MIT
/*
 * One pass in ascending ids (parents first) marks the nodes inside an
 * occurrence of the function and maps them into the callees tree; each
 * outermost occurrence then adds its total at the end of its reversed
 * caller path.
 */
#include <errno.h>
#include <stdlib.h>

#include "sandwich.h"

/* The occurrence's callers, nearest first, as a path below the callers' root. */
static int add_callers(const struct calltree *t, uint32_t occ, struct calltree *callers)
{
	const struct ct_node *o = calltree__node(t, occ);
	uint32_t at = CT_ROOT;
	int err = 0;

	for (uint32_t p = o->parent; !err && p != CT_ROOT && p != CT_NONE;
	     p = calltree__node(t, p)->parent)
		err = calltree__child(callers, at, calltree__node(t, p)->name, &at);
	if (!err)
		calltree__add_self(callers, at, o->total);
	return err;
}

static int build(const struct calltree *t, uint32_t name, struct sandwich *s, uint32_t *map)
{
	uint32_t n = calltree__nodes(t);
	int err = 0;

	map[CT_ROOT] = CT_NONE;		/* CT_NONE: not inside an occurrence */
	for (uint32_t id = 1; !err && id < n; id++) {
		const struct ct_node *node = calltree__node(t, id);
		uint32_t up = map[node->parent];

		map[id] = CT_NONE;
		if (!node->total)
			continue;
		if (node->name == name)
			s->self += node->self;
		if (up == CT_NONE && node->name == name) {
			/* an outermost occurrence: the root of both trees */
			map[id] = CT_ROOT;
			s->total += node->total;
			err = add_callers(t, id, s->callers);
		} else if (up != CT_NONE) {
			err = calltree__child(s->callees, up, node->name, &map[id]);
		}
		if (!err && map[id] != CT_NONE && node->self)
			calltree__add_self(s->callees, map[id], node->self);
	}
	calltree__sum_totals(s->callers);
	calltree__sum_totals(s->callees);
	return err;
}

int sandwich__build(const struct calltree *t, uint32_t name, struct sandwich *out)
{
	uint32_t *map = malloc((size_t)calltree__nodes(t) * sizeof(*map));
	int err;

	*out = (struct sandwich){ calltree__new(calltree__names(t)),
				  calltree__new(calltree__names(t)), 0, 0 };
	err = map && out->callers && out->callees ? build(t, name, out, map) : -ENOMEM;
	free(map);
	if (err)
		sandwich__release(out);
	return err;
}

void sandwich__release(struct sandwich *s)
{
	calltree__free(s->callers);
	calltree__free(s->callees);
	s->callers = s->callees = NULL;
}
