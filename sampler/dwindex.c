// SPDX-License-Identifier: MIT
/*
 * A module's DWARF index (dwindex.h): its arrays, the strings interned for
 * them, and its entry in the cache (a header, the arrays, the strings).
 */
#include <elfutils/libdw.h>
#include <errno.h>
#include <stddef.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "../util/search.h"
#include "../util/vec.h"
#include "dwindex.h"

/* The entry's layout: a change to it, or to what dwarfinfo.c puts in it, bumps it. */
static const char entry_magic[8] = "FTDWIDX2";	/* 2: a CU's ranges in order */

struct entry_hdr {	/* fuzz_dwindex.c knows where key and sum are */
	char magic[8];
	uint32_t span_size, cu_size, range_size;
	uint32_t nspans, ncus, nranges, nstrs;
	uint32_t pad;
	unsigned char key[FILECACHE_KEY_LEN];
	unsigned char sum[FILECACHE_KEY_LEN];	/* SHA-256 of what follows */
};

_Static_assert(offsetof(struct entry_hdr, key) == 40 && sizeof(struct entry_hdr) == 104,
	       "fuzz_dwindex.c's offsets");

#define DWINDEX_SEEN_MAX (1u << 20)	/* strings shared by address (a table of 32 MiB at most) */

struct dw_ptr_slot {
	const char *p;
	uint32_t off;
};

struct dwarf_index *dwindex__new(struct filecache *cache, const unsigned char *key)
{
	struct dwarf_index *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->strs = malloc(64);
	if (!x->strs) {
		free(x);
		return NULL;
	}
	x->strs[0] = '\0';
	x->nstrs = 1;
	x->strs_cap = 64;
	x->fd = -1;
	if (key)
		memcpy(x->key, key, FILECACHE_KEY_LEN);
	x->cache = key ? cache : NULL;
	return x;
}

static void store(const struct dwarf_index *x)
{
	size_t len = 0;
	void *buf = dwindex__encode(x, &len);

	if (buf)
		filecache__put(x->cache, x->key, buf, len);	/* best effort */
	free(buf);
}

void dwindex__close_dwarf(struct dwarf_index *x)
{
	if (x->dw)
		dwarf_end(x->dw);
	if (x->elf)
		elf_end(x->elf);
	if (x->fd >= 0)
		close(x->fd);
	if (x->open_bytes)
		*x->open_bytes -= x->charged;
	x->charged = 0;
	x->open_bytes = NULL;
	/* strings were interned by their address in libdw's memory, which is now gone */
	free(x->seen);
	x->seen = NULL;
	x->seen_mask = x->nseen = 0;
	x->dw = NULL;
	x->elf = NULL;
	x->fd = -1;
}

void dwindex__retry(struct dwarf_index *x, size_t room)
{
	/* not before: each try finds and measures its debug file again */
	if (x->open_deferred && x->wanted <= room)
		x->open_deferred = false;
}

void dwindex__flush(struct dwarf_index *x)
{
	if (x->cache && x->dirty && x->spans_built && x->complete)
		store(x);
	x->dirty = false;
}

void dwindex__free(struct dwarf_index *x)
{
	if (!x)
		return;
	dwindex__close_dwarf(x);
	dwindex__flush(x);
	free(x->spans);
	free(x->cus);
	free(x->ranges);
	free(x->strs);
	free(x->seen);
	free(x);
}

static uint32_t append_str(struct dwarf_index *x, const char *s)
{
	size_t len = strlen(s) + 1;
	uint32_t off;

	if (x->nstrs + len > DWINDEX_STRS_MAX || vec_reserve(x->strs, x->strs_cap, x->nstrs + len, 4096))
		return 0;
	off = (uint32_t)x->nstrs;
	memcpy(x->strs + off, s, len);
	x->nstrs += len;
	return off;
}

static size_t ptr_hash(const char *p)
{
	uint64_t k = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;

	return (size_t)(k >> 32);
}

static int grow_seen(struct dwarf_index *x)
{
	size_t cap = x->seen_mask ? 2 * (x->seen_mask + 1) : 1024;
	struct dw_ptr_slot *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; x->seen && i <= x->seen_mask; i++) {
		size_t j = ptr_hash(x->seen[i].p) & (cap - 1);

		if (!x->seen[i].p)
			continue;
		while (v[j].p)
			j = (j + 1) & (cap - 1);
		v[j] = x->seen[i];
	}
	free(x->seen);
	x->seen = v;
	x->seen_mask = cap - 1;
	return 0;
}

uint32_t dwindex__str(struct dwarf_index *x, const char *s)
{
	uint32_t off;
	size_t j;

	if (!s || !*s)
		return 0;
	if (x->nseen >= DWINDEX_SEEN_MAX ||
	    ((x->nseen + 1) * 2 > x->seen_mask + 1 && grow_seen(x))) {
		off = append_str(x, s);	/* past the table's bound: not shared */
		x->str_failed |= !off;
		return off;
	}
	for (j = ptr_hash(s) & x->seen_mask; x->seen[j].p; j = (j + 1) & x->seen_mask)
		if (x->seen[j].p == s)
			return x->seen[j].off;
	if (!(off = append_str(x, s))) {
		x->str_failed = true;
		return 0;
	}
	x->seen[j] = (struct dw_ptr_slot){ s, off };
	x->nseen++;
	return off;
}

int dwindex__range_cmp(const void *a, const void *b)
{
	const struct dw_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return (x->depth > y->depth) - (x->depth < y->depth);
}

void dwindex__order_cu(struct dwarf_index *x, const struct dw_cu *c)
{
	qsort(x->ranges + c->first, c->n, sizeof(*x->ranges), dwindex__range_cmp);
}

long dwindex__cu_at(const struct dwarf_index *x, uint64_t pc)
{
	size_t lo = upper_bound_by(x->spans, x->nspans, lo, pc);

	/* spans starting at or before pc, nearest first; CUs rarely overlap */
	for (size_t i = lo, seen = 0; i-- > 0 && seen < 64; seen++)
		if (pc < x->spans[i].hi)
			return x->spans[i].cu;
	return -1;
}

void *dwindex__encode(const struct dwarf_index *x, size_t *len)
{
	size_t a = x->nspans * sizeof(*x->spans), b = x->ncus * sizeof(*x->cus),
	       c = x->nranges * sizeof(*x->ranges);
	struct entry_hdr h = { .span_size = sizeof(*x->spans), .cu_size = sizeof(*x->cus),
			       .range_size = sizeof(*x->ranges), .nspans = (uint32_t)x->nspans,
			       .ncus = (uint32_t)x->ncus, .nranges = (uint32_t)x->nranges,
			       .nstrs = (uint32_t)x->nstrs };
	unsigned char *buf = malloc(sizeof(h) + a + b + c + x->nstrs), *p;

	if (!buf)
		return NULL;
	memcpy(h.magic, entry_magic, sizeof(h.magic));
	memcpy(h.key, x->key, sizeof(h.key));
	p = buf + sizeof(h);
	/* an array may be NULL when empty: memcpy's source must not be */
	if (a)
		memcpy(p, x->spans, a);
	if (b)
		memcpy(p + a, x->cus, b);
	if (c)
		memcpy(p + a + b, x->ranges, c);
	memcpy(p + a + b + c, x->strs, x->nstrs);
	if (filecache__sha256(p, a + b + c + x->nstrs, h.sum)) {
		free(buf);
		return NULL;
	}
	memcpy(buf, &h, sizeof(h));
	*len = sizeof(h) + a + b + c + x->nstrs;
	return buf;
}

/* The header's counts within the bounds, and the sizes adding up to len. */
static bool sizes_add_up(const struct entry_hdr *h, size_t len)
{
	if (memcmp(h->magic, entry_magic, sizeof(h->magic)) ||
	    h->span_size != sizeof(struct dw_span) || h->cu_size != sizeof(struct dw_cu) ||
	    h->range_size != sizeof(struct dw_range) || h->nspans > DWINDEX_SPANS_MAX ||
	    h->ncus > DWINDEX_CUS_MAX || h->nranges > DWINDEX_RANGES_MAX ||
	    !h->nstrs || h->nstrs > DWINDEX_STRS_MAX || h->pad)
		return false;
	return len - sizeof(*h) == (size_t)h->nspans * sizeof(struct dw_span) +
					   (size_t)h->ncus * sizeof(struct dw_cu) +
					   (size_t)h->nranges * sizeof(struct dw_range) + h->nstrs;
}

static bool str_ok(const struct dwarf_index *x, uint32_t off)
{
	return off < x->nstrs;	/* strs ends in '\0': every offset starts a string */
}

/* What a lookup relies on: spans in order, every index and offset inside its array. */
static bool arrays_add_up(const struct dwarf_index *x)
{
	for (size_t i = 0; i < x->nspans; i++) {
		const struct dw_span *s = &x->spans[i];

		if (s->lo >= s->hi || s->cu >= x->ncus || s->pad ||
		    (i && s->lo < x->spans[i - 1].lo))
			return false;
	}
	for (size_t i = 0; i < x->ncus; i++) {
		const struct dw_cu *c = &x->cus[i];

		if (c->walked > 1 || c->pad || (!c->walked && c->n) ||
		    c->n > DWINDEX_CU_RANGES_MAX || c->first > x->nranges ||
		    c->n > x->nranges - c->first)
			return false;
		/* in order, as scopes_at searches them */
		for (uint32_t k = 1; k < c->n; k++)
			if (dwindex__range_cmp(&x->ranges[c->first + k - 1],
					       &x->ranges[c->first + k]) > 0)
				return false;
	}
	for (size_t i = 0; i < x->nranges; i++) {
		const struct dw_range *r = &x->ranges[i];

		if (r->lo >= r->hi || r->depth > DWINDEX_DEPTH_MAX || !str_ok(x, r->name) ||
		    !str_ok(x, r->decl_file) || !str_ok(x, r->call_file))
			return false;
	}
	return x->strs[0] == '\0' && x->strs[x->nstrs - 1] == '\0';
}

/* n elements of size from p into a new array (*v, *cap): 0 or -ENOMEM. */
static int copy_array(void **v, size_t *cap, const unsigned char *p, size_t n, size_t size)
{
	void *a = malloc(n ? n * size : 1);

	if (!a)
		return -ENOMEM;
	memcpy(a, p, n * size);
	free(*v);
	*v = a;
	*cap = n;
	return 0;
}

int dwindex__parse(struct dwarf_index *x, const void *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf + sizeof(struct entry_hdr);
	unsigned char sum[FILECACHE_KEY_LEN];
	struct entry_hdr h;
	size_t a, b, c;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (!sizes_add_up(&h, len))
		return -EINVAL;
	if (memcmp(h.key, x->key, sizeof(h.key)))
		return -ESTALE;
	if (filecache__sha256(p, len - sizeof(h), sum) || memcmp(sum, h.sum, sizeof(sum)))
		return -EBADMSG;
	a = (size_t)h.nspans * sizeof(struct dw_span);
	b = (size_t)h.ncus * sizeof(struct dw_cu);
	c = (size_t)h.nranges * sizeof(struct dw_range);
	if (copy_array((void **)&x->spans, &x->spans_cap, p, h.nspans, sizeof(struct dw_span)) ||
	    copy_array((void **)&x->cus, &x->cus_cap, p + a, h.ncus, sizeof(struct dw_cu)) ||
	    copy_array((void **)&x->ranges, &x->ranges_cap, p + a + b, h.nranges,
		       sizeof(struct dw_range)) ||
	    copy_array((void **)&x->strs, &x->strs_cap, p + a + b + c, h.nstrs, 1))
		return -ENOMEM;
	x->nspans = h.nspans;
	x->ncus = h.ncus;
	x->nranges = h.nranges;
	x->nstrs = h.nstrs;
	if (!arrays_add_up(x)) {
		x->nspans = x->ncus = x->nranges = 0;
		x->strs[0] = '\0';
		x->nstrs = 1;
		return -EINVAL;
	}
	x->spans_built = x->complete = true;
	return 0;
}

bool dwindex__load(struct dwarf_index *x)
{
	size_t most = sizeof(struct entry_hdr) + (size_t)DWINDEX_SPANS_MAX * sizeof(struct dw_span) +
		      (size_t)DWINDEX_CUS_MAX * sizeof(struct dw_cu) +
		      (size_t)DWINDEX_RANGES_MAX * sizeof(struct dw_range) + DWINDEX_STRS_MAX;
	size_t len;
	void *buf;
	int err;

	if (!x->cache)
		return false;
	err = filecache__read(x->cache, x->key, most, &buf, &len);
	if (err == -ENOENT)
		return false;
	if (!err)
		err = dwindex__parse(x, buf, len);
	filecache__verdict(x->cache, !err);
	free(buf);
	x->loaded = !err;
	return !err;
}
