// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "../util/vec.h"
#include "history.h"

/*
 * A stack's samples at a second, in 32 bits: a count below 2^31 as is;
 * with ENTRY_SCALED set, that many times 2^32.  A count that fits neither
 * way takes a few entries (at most six), so no count costs much memory.
 */
struct entry {
	uint32_t node;
	uint32_t count;
};

#define ENTRY_SCALED	(1u << 31)

static uint64_t entry_count(const struct entry *e)
{
	return e->count & ENTRY_SCALED ? (uint64_t)(e->count & ~ENTRY_SCALED) << 32 : e->count;
}

/* The largest piece of count one entry holds, encoded. */
static uint32_t entry_piece(uint64_t count)
{
	uint64_t hi = count >> 32;

	if (hi)
		return (uint32_t)(hi < ENTRY_SCALED ? hi : ENTRY_SCALED - 1) | ENTRY_SCALED;
	return (uint32_t)(count < ENTRY_SCALED ? count : ENTRY_SCALED - 1);
}

struct slice {
	int64_t sec;		/* INT64_MIN when unused */
	struct entry *e;
	uint32_t n, cap;
	uint64_t total;
};

struct history {
	struct calltree *tree;
	struct slice *ring;	/* slot = sec mod retain */
	uint32_t retain;
	int64_t newest;		/* INT64_MIN while empty */
	int64_t t0, t1;		/* the window the tree's counts hold */
	uint32_t compacted_nodes;	/* node count after the last compaction */
	uint64_t renames;		/* strtab__renames() the tree's names follow */
	uint64_t generation;
	size_t entry_bytes;
	history_observer observer;
	void *observer_ctx;
};

static void notify(const struct history *h, uint32_t node, uint64_t count, bool add)
{
	if (h->observer)
		h->observer(h->observer_ctx, node, count, add);
}

void history__observe(struct history *h, history_observer fn, void *ctx)
{
	h->observer = fn;
	h->observer_ctx = ctx;
}

static struct slice *slot_of(const struct history *h, int64_t sec)
{
	int64_t m = sec % (int64_t)h->retain;

	return &h->ring[m < 0 ? m + h->retain : m];
}

static bool in_window(const struct history *h, int64_t sec)
{
	return sec >= h->t0 && sec < h->t1;
}

struct history *history__new(struct strtab *names, uint32_t retain_secs)
{
	struct history *h = calloc(1, sizeof(*h));
	uint32_t i;

	if (!h)
		return NULL;
	h->retain = retain_secs ? retain_secs : 1;
	h->tree = calltree__new(names);
	h->ring = calloc(h->retain, sizeof(*h->ring));
	if (!h->tree || !h->ring) {
		history__free(h);
		return NULL;
	}
	for (i = 0; i < h->retain; i++)
		h->ring[i].sec = INT64_MIN;
	h->newest = INT64_MIN;
	h->compacted_nodes = 1;
	return h;
}

void history__free(struct history *h)
{
	uint32_t i;

	if (!h)
		return;
	if (h->ring)
		for (i = 0; i < h->retain; i++)
			free(h->ring[i].e);
	free(h->ring);
	calltree__free(h->tree);
	free(h);
}

static void slice_apply(struct history *h, const struct slice *s, bool add)
{
	uint32_t i;

	for (i = 0; i < s->n; i++) {
		if (add)
			calltree__add(h->tree, s->e[i].node, entry_count(&s->e[i]));
		else
			calltree__sub(h->tree, s->e[i].node, entry_count(&s->e[i]));
		notify(h, s->e[i].node, entry_count(&s->e[i]), add);
	}
}

static void slice_clear(struct history *h, struct slice *s)
{
	if (s->sec != INT64_MIN && in_window(h, s->sec))
		slice_apply(h, s, false);
	h->entry_bytes -= (size_t)s->cap * sizeof(*s->e);
	free(s->e);
	*s = (struct slice){ .sec = INT64_MIN };
}

/*
 * Renumbers the tree to the nodes retained slices refer to, each frame by
 * the name it goes by now (strtab__rename): frames renamed to one name merge.
 */
static int compact(struct history *h)
{
	const struct strtab *names = calltree__names(h->tree);
	uint32_t n = calltree__nodes(h->tree), i, j;
	uint8_t *live = calloc(n, 1);
	uint32_t *map = malloc((size_t)n * sizeof(*map));
	struct calltree *nt = calltree__new(calltree__names(h->tree));
	int err = -ENOMEM;

	if (!live || !map || !nt)
		goto cleanup;
	live[CT_ROOT] = 1;
	for (i = 0; i < h->retain; i++) {
		const struct slice *s = &h->ring[i];

		for (j = 0; j < s->n; j++) {
			uint32_t id = s->e[j].node;

			while (!live[id]) {
				live[id] = 1;
				id = calltree__node(h->tree, id)->parent;
			}
		}
	}
	map[CT_ROOT] = CT_ROOT;
	for (i = 1; i < n; i++) {
		const struct ct_node *old = calltree__node(h->tree, i);

		map[i] = CT_NONE;
		if (!live[i])
			continue;
		err = calltree__child(nt, map[old->parent], strtab__canon(names, old->name),
				      &map[i]);
		if (err)
			goto cleanup;
	}
	for (i = 1; i < n; i++) {
		uint64_t self = calltree__node(h->tree, i)->self;

		if (self && map[i] != CT_NONE)
			calltree__add(nt, map[i], self);
	}
	for (i = 0; i < h->retain; i++)
		for (j = 0; j < h->ring[i].n; j++)
			h->ring[i].e[j].node = map[h->ring[i].e[j].node];
	calltree__free(h->tree);
	h->tree = nt;
	nt = NULL;
	h->compacted_nodes = calltree__nodes(h->tree);
	h->renames = strtab__renames(names);
	h->generation++;
	notify(h, CT_NONE, 0, false);
	err = 0;
cleanup:
	calltree__free(nt);
	free(map);
	free(live);
	return err;
}

/*
 * Whether to renumber the tree to the nodes retained seconds use: when a
 * third of its nodes are dead, or when its node array is nearly full and a
 * tenth are — rather than double the array (a busy host's tree is most of
 * the live view's memory).  Each pass costs one walk of the tree.
 */
static bool need_compact(const struct history *h)
{
	uint32_t n = calltree__nodes(h->tree), cap = calltree__capacity(h->tree);
	uint32_t c = h->compacted_nodes;

	if (n <= 65536)
		return false;
	return n > c + c / 2 || (cap - n < cap / 8 && n > c + c / 10);
}

/* Moves the newest second to sec, expiring what leaves the retention. */
static int advance(struct history *h, int64_t sec)
{
	int64_t s, from;

	if (h->newest != INT64_MIN && sec <= h->newest)
		return 0;
	from = h->newest == INT64_MIN || sec - h->newest > h->retain ? sec - h->retain + 1
								    : h->newest + 1;
	for (s = from; s <= sec; s++) {
		struct slice *sl = slot_of(h, s);

		slice_clear(h, sl);
		sl->sec = s;
	}
	h->newest = sec;
	return need_compact(h) ? compact(h) : 0;
}

static int slice_push(struct history *h, struct slice *s, uint32_t node, uint32_t piece)
{
	uint32_t cap = s->cap;

	/* small at first: a saved history may hold a week of near-empty seconds */
	if (vec_reserve(s->e, s->cap, (size_t)s->n + 1, 4))
		return -ENOMEM;
	h->entry_bytes += (size_t)(s->cap - cap) * sizeof(*s->e);
	s->e[s->n++] = (struct entry){ node, piece };
	return 0;
}

/* The stack's leaf, each frame by the name it goes by now (strtab__rename). */
static int path_by_canon(struct history *h, const uint32_t *names, size_t n, uint32_t *leaf)
{
	const struct strtab *st = calltree__names(h->tree);
	uint32_t small[128], *canon = small;
	int err;

	if (!strtab__renames(st))
		return calltree__path(h->tree, names, n, leaf);
	if (n > 128 && !(canon = malloc(n * sizeof(*canon))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		canon[i] = strtab__canon(st, names[i]);
	err = calltree__path(h->tree, canon, n, leaf);
	if (canon != small)
		free(canon);
	return err;
}

int history__add(struct history *h, int64_t sec, const uint32_t *names, size_t n,
		 uint64_t count)
{
	struct slice *s;
	uint32_t leaf;
	int err;

	if (h->newest != INT64_MIN && sec <= h->newest - (int64_t)h->retain)
		return -ERANGE;
	err = advance(h, sec);
	if (!err)
		err = path_by_canon(h, names, n, &leaf);
	if (err)
		return err;
	s = slot_of(h, sec);
	while (count) {
		uint32_t piece = entry_piece(count);
		uint64_t part = entry_count(&(struct entry){ leaf, piece });

		if (in_window(h, sec)) {
			err = calltree__add(h->tree, leaf, part);
			if (err)
				return err;
		}
		err = slice_push(h, s, leaf, piece);
		if (err) {
			if (in_window(h, sec))
				calltree__sub(h->tree, leaf, part);
			return err;
		}
		if (in_window(h, sec))
			notify(h, leaf, part, true);
		s->total += part;
		count -= part;
	}
	return 0;
}

int history__set_window(struct history *h, int64_t t0, int64_t t1)
{
	int64_t lo, hi, s, first;
	uint64_t moved = 0, kept = 0;

	if (t1 < t0)
		t1 = t0;
	if (h->newest == INT64_MIN) {
		h->t0 = t0;
		h->t1 = t1;
		return 0;
	}
	first = h->newest - h->retain + 1;
	/* count the work of an incremental move against a rebuild */
	lo = t0 < h->t0 ? t0 : h->t0;
	hi = t1 > h->t1 ? t1 : h->t1;
	lo = lo < first ? first : lo;
	hi = hi > h->newest + 1 ? h->newest + 1 : hi;
	for (s = lo; s < hi; s++) {
		const struct slice *sl = slot_of(h, s);
		bool was = in_window(h, s), will = s >= t0 && s < t1;

		if (sl->sec != s)
			continue;
		if (was != will)
			moved += sl->n;
		else if (will)
			kept += sl->n;
	}
	if (moved > kept + 1024) {
		calltree__zero(h->tree);
		h->t0 = t0;
		h->t1 = t1;
		for (s = t0 < first ? first : t0; s < t1 && s <= h->newest; s++) {
			const struct slice *sl = slot_of(h, s);
			uint32_t i;

			if (sl->sec != s)
				continue;
			for (i = 0; i < sl->n; i++)
				calltree__add_self(h->tree, sl->e[i].node, entry_count(&sl->e[i]));
		}
		calltree__sum_totals(h->tree);
		notify(h, CT_NONE, 0, false);
		return 0;
	}
	for (s = lo; s < hi; s++) {
		const struct slice *sl = slot_of(h, s);
		bool was = in_window(h, s), will = s >= t0 && s < t1;

		if (sl->sec == s && was != will)
			slice_apply(h, sl, will);
	}
	h->t0 = t0;
	h->t1 = t1;
	return 0;
}

void history__window(const struct history *h, int64_t *t0, int64_t *t1)
{
	*t0 = h->t0;
	*t1 = h->t1;
}

const struct calltree *history__tree(const struct history *h)
{
	return h->tree;
}

bool history__span(const struct history *h, int64_t *first, int64_t *last)
{
	if (h->newest == INT64_MIN)
		return false;
	*last = h->newest;
	*first = h->newest - h->retain + 1;
	return true;
}

void history__rate(const struct history *h, int64_t t0, uint64_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct slice *sl = slot_of(h, t0 + (int64_t)i);

		out[i] = sl->sec == t0 + (int64_t)i ? sl->total : 0;
	}
}

int history__for_second(const struct history *h, int64_t sec,
			int (*fn)(void *ctx, uint32_t node, uint64_t count), void *ctx)
{
	const struct slice *sl = slot_of(h, sec);
	int ret = 0;

	for (uint32_t i = 0; sl->sec == sec && i < sl->n && !ret; i++)
		ret = fn(ctx, sl->e[i].node, entry_count(&sl->e[i]));
	return ret;
}

uint64_t history__generation(const struct history *h)
{
	return h->generation;
}

size_t history__bytes(const struct history *h)
{
	return sizeof(*h) + (size_t)h->retain * sizeof(struct slice) + h->entry_bytes +
	       calltree__bytes(h->tree);
}

int history__rename(struct history *h)
{
	if (strtab__renames(calltree__names(h->tree)) == h->renames)
		return 0;
	return compact(h);
}
