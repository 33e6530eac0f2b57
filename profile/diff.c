// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include "diff.h"

double diff__share(uint64_t count, uint64_t samples)
{
	return samples ? 100.0 * (double)count / (double)samples : 0.0;
}

double diff__node_delta(const struct diff *d, uint32_t id)
{
	return diff__share(d->nodes[id].after.total, d->after_samples) -
	       diff__share(d->nodes[id].before.total, d->before_samples);
}

/* Records one side's counts on the union nodes its nodes map to. */
static void fill_side(struct diff *d, const struct calltree *side, const uint32_t *map,
		      int which)
{
	uint32_t i, n = calltree__nodes(side);

	for (i = 0; i < n; i++) {
		const struct ct_node *s = calltree__node(side, i);
		struct diff_side *ds;

		if (map[i] == CT_NONE)
			continue;
		ds = which ? &d->nodes[map[i]].after : &d->nodes[map[i]].before;
		ds->self = s->self;
		ds->total = s->total;
	}
}

static int join_fns(struct diff *d, const struct calltree *before,
		    const struct calltree *after)
{
	uint32_t nnames = strtab__count(calltree__names(after));
	struct fn_stat *fb = NULL, *fa = NULL;
	long nb, na, i;
	uint32_t *slot = NULL;
	int err = -ENOMEM;

	nb = topn__compute(before, CT_ROOT, TOPN_TOTAL, &fb);
	na = topn__compute(after, CT_ROOT, TOPN_TOTAL, &fa);
	if (nb < 0 || na < 0)
		goto cleanup;
	slot = malloc(((size_t)nnames + 1) * sizeof(*slot));
	d->fns = calloc((size_t)(na + nb) + 1, sizeof(*d->fns));
	if (!slot || !d->fns)
		goto cleanup;
	for (i = 0; i < (long)nnames; i++)
		slot[i] = UINT32_MAX;
	for (i = 0; i < na; i++) {
		slot[fa[i].name] = (uint32_t)d->nfns;
		d->fns[d->nfns].name = fa[i].name;
		d->fns[d->nfns++].after = fa[i];
	}
	for (i = 0; i < nb; i++) {
		uint32_t s = slot[fb[i].name];

		if (s == UINT32_MAX) {
			s = (uint32_t)d->nfns++;
			d->fns[s].name = fb[i].name;
			d->fns[s].after = (struct fn_stat){ .name = fb[i].name };
		}
		d->fns[s].before = fb[i];
	}
	for (i = 0; i < (long)d->nfns; i++)
		d->fns[i].delta = diff__share(d->fns[i].after.total, d->after_samples) -
				  diff__share(d->fns[i].before.total, d->before_samples);
	diff__sort_fns(d);
	err = 0;
cleanup:
	free(slot);
	free(fa);
	free(fb);
	return err;
}

struct diff *diff__new(const struct calltree *before, const struct calltree *after)
{
	struct diff *d = calloc(1, sizeof(*d));
	uint32_t *map = NULL, nb = calltree__nodes(before), na = calltree__nodes(after);

	if (!d)
		return NULL;
	d->tree = calltree__new(calltree__names(after));
	map = malloc((size_t)(na > nb ? na : nb) * sizeof(*map));
	if (!d->tree || !map)
		goto err_free;
	/* after first: the union keeps the after side's node order */
	if (calltree__map(d->tree, after, map))
		goto err_free;
	d->nodes = calloc(calltree__nodes(d->tree) + (size_t)nb, sizeof(*d->nodes));
	if (!d->nodes)
		goto err_free;
	fill_side(d, after, map, 1);
	if (calltree__map(d->tree, before, map))
		goto err_free;
	fill_side(d, before, map, 0);
	d->before_samples = calltree__samples(before);
	d->after_samples = calltree__samples(after);
	/* the union tree's own counts are the after side's: its shape */
	{
		uint32_t i, n = calltree__nodes(d->tree);

		for (i = 1; i < n; i++) {
			uint64_t s = d->nodes[i].after.self;

			if (s && calltree__add(d->tree, i, s))
				goto err_free;
		}
	}
	if (join_fns(d, before, after))
		goto err_free;
	free(map);
	return d;
err_free:
	free(map);
	diff__free(d);
	return NULL;
}

void diff__free(struct diff *d)
{
	if (!d)
		return;
	calltree__free(d->tree);
	free(d->nodes);
	free(d->fns);
	free(d);
}

static int cmp_delta(const void *pa, const void *pb, void *arg)
{
	const struct diff_fn *a = pa, *b = pb;

	if (a->delta != b->delta)
		return (a->delta < b->delta) - (a->delta > b->delta);
	return strtab__cmp(arg, a->name, b->name);
}

void diff__sort_fns(struct diff *d)
{
	qsort_r(d->fns, d->nfns, sizeof(*d->fns), cmp_delta, calltree__names(d->tree));
}
