// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include "../util/vec.h"
#include "topn.h"

struct walk {
	uint32_t node;
	uint32_t next;	/* next child to visit, CT_NONE when done */
};

long topn__compute(const struct calltree *t, uint32_t node, enum topn_sort key,
		   struct fn_stat **out)
{
	const struct strtab *names = calltree__names(t);
	uint32_t nnames = strtab__count(names), i;
	uint32_t *onstack = calloc((size_t)nnames + 1, sizeof(*onstack));
	struct fn_stat *acc = calloc((size_t)nnames + 1, sizeof(*acc));
	struct walk *stack = NULL;
	size_t depth = 0, cap = 0, n = 0;
	long ret = -ENOMEM;

	*out = NULL;
	if (!onstack || !acc)
		goto cleanup;
	/* frames above node count as on the stack for recursion purposes */
	for (i = node; i != CT_ROOT; i = calltree__node(t, i)->parent)
		onstack[calltree__node(t, i)->name]++;
	if (node != CT_ROOT) {
		const struct ct_node *nd = calltree__node(t, node);

		acc[nd->name].self += nd->self;
		acc[nd->name].total += nd->total;
	}
	if (vec_reserve(stack, cap, 1, 64))
		goto cleanup;
	stack[depth++] = (struct walk){ node, calltree__node(t, node)->child };
	while (depth) {
		struct walk *w = &stack[depth - 1];
		const struct ct_node *c;
		uint32_t id = w->next;

		if (id == CT_NONE) {
			if (depth > 1)
				onstack[calltree__node(t, w->node)->name]--;
			depth--;
			continue;
		}
		c = calltree__node(t, id);
		w->next = c->sibling;
		if (!c->total)
			continue;
		acc[c->name].self += c->self;
		if (!onstack[c->name])
			acc[c->name].total += c->total;
		onstack[c->name]++;
		if (vec_reserve(stack, cap, depth + 1, 64))
			goto cleanup;
		stack[depth++] = (struct walk){ id, c->child };
	}
	for (i = 0; i < nnames; i++) {
		if (!acc[i].total)
			continue;
		acc[i].name = i;
		acc[n++] = acc[i];
	}
	topn__sort(acc, n, names, key);
	*out = acc;
	acc = NULL;
	ret = (long)n;
cleanup:
	free(stack);
	free(onstack);
	free(acc);
	return ret;
}

struct sort_ctx {
	const struct strtab *names;
	enum topn_sort key;
};

static int cmp_fn(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *ctx = arg;
	const struct fn_stat *a = pa, *b = pb;
	uint64_t ka = ctx->key == TOPN_SELF ? a->self : a->total;
	uint64_t kb = ctx->key == TOPN_SELF ? b->self : b->total;

	if (ka != kb)
		return (ka < kb) - (ka > kb);
	return strtab__cmp(ctx->names, a->name, b->name);
}

void topn__sort(struct fn_stat *fns, size_t n, const struct strtab *names,
		enum topn_sort key)
{
	struct sort_ctx ctx = { names, key };

	qsort_r(fns, n, sizeof(*fns), cmp_fn, &ctx);
}
