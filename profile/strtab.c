// SPDX-License-Identifier: MIT
/*
 * Interned strings: a chunked arena (so pointers never move), an entry
 * array indexed by id, and an open-addressing table of ids.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "strtab.h"

#define CHUNK_SIZE (1u << 20)

struct entry {
	const char *str;
	uint32_t len;
	uint32_t hash;
	uint8_t kind;
};

struct chunk {
	struct chunk *next;
	size_t used, size;
	char data[];
};

struct strtab {
	struct entry *entries;
	uint32_t count, cap;
	uint32_t *slots;	/* id + 1; 0 = empty */
	uint32_t mask;
	struct chunk *chunks;
	size_t bytes;
	uint32_t *alias;	/* id -> the id it was renamed to, + 1; 0: not renamed */
	uint32_t alias_cap;
	uint64_t renames;
};

uint64_t strtab_hash(const char *s, size_t len)
{
	const uint64_t m = 0x9e3779b97f4a7c15ull;
	uint64_t h = 0xcbf29ce484222325ull ^ (len * m);
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * m;
		h ^= h >> 29;
		s += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, s, len);
	h = (h ^ w) * m;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	h ^= h >> 32;
	return h;
}

enum frame_kind frame_kind_of(const char *s, size_t len)
{
	if (len >= 4 && memcmp(s + len - 4, "_[k]", 4) == 0)
		return FRAME_KERNEL;
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
		return FRAME_UNKNOWN;
	return FRAME_USER;
}

struct strtab *strtab__new(void)
{
	struct strtab *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->mask = 1023;
	st->slots = calloc(st->mask + 1, sizeof(*st->slots));
	if (!st->slots) {
		free(st);
		return NULL;
	}
	return st;
}

void strtab__free(struct strtab *st)
{
	struct chunk *c, *next;

	if (!st)
		return;
	for (c = st->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(st->entries);
	free(st->slots);
	free(st->alias);
	free(st);
}

static char *arena_alloc(struct strtab *st, size_t n)
{
	struct chunk *c = st->chunks;
	char *p;

	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_SIZE ? n : CHUNK_SIZE;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = st->chunks;
		st->chunks = c;
		st->bytes += sizeof(*c) + size;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

static int grow_slots(struct strtab *st)
{
	uint32_t nmask = st->mask * 2 + 1, i;
	uint32_t *ns = calloc((size_t)nmask + 1, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	for (i = 0; i < st->count; i++) {
		uint32_t pos = st->entries[i].hash & nmask;

		while (ns[pos])
			pos = (pos + 1) & nmask;
		ns[pos] = i + 1;
	}
	free(st->slots);
	st->slots = ns;
	st->mask = nmask;
	return 0;
}

static uint32_t *find_slot(const struct strtab *st, const char *s, size_t len,
			   uint32_t hash)
{
	uint32_t pos = hash & st->mask;

	for (;;) {
		uint32_t id = st->slots[pos];
		const struct entry *e;

		if (!id)
			return &st->slots[pos];
		e = &st->entries[id - 1];
		if (e->hash == hash && e->len == len && memcmp(e->str, s, len) == 0)
			return &st->slots[pos];
		pos = (pos + 1) & st->mask;
	}
}

bool strtab__lookup(const struct strtab *st, const char *s, size_t len, uint32_t *id)
{
	uint32_t *slot = find_slot(st, s, len, (uint32_t)strtab_hash(s, len));

	if (!*slot)
		return false;
	*id = *slot - 1;
	return true;
}

int strtab__intern(struct strtab *st, const char *s, size_t len, uint32_t *id)
{
	uint32_t hash = (uint32_t)strtab_hash(s, len);
	uint32_t *slot = find_slot(st, s, len, hash);
	struct entry *e;
	char *copy;

	if (*slot) {
		*id = *slot - 1;
		return 0;
	}
	if (len > UINT32_MAX - 1 || st->count == UINT32_MAX - 1)
		return -ENOMEM;
	if ((uint64_t)(st->count + 1) * 2 > (uint64_t)st->mask + 1) {
		if (grow_slots(st))
			return -ENOMEM;
		slot = find_slot(st, s, len, hash);
	}
	if (vec_reserve(st->entries, st->cap, (size_t)st->count + 1, 1024))
		return -ENOMEM;
	copy = arena_alloc(st, len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	e = &st->entries[st->count];
	e->str = copy;
	e->len = (uint32_t)len;
	e->hash = hash;
	e->kind = (uint8_t)frame_kind_of(s, len);
	*slot = st->count + 1;
	*id = st->count++;
	return 0;
}

const char *strtab__str(const struct strtab *st, uint32_t id)
{
	return st->entries[id].str;
}

uint32_t strtab__len(const struct strtab *st, uint32_t id)
{
	return st->entries[id].len;
}

enum frame_kind strtab__kind(const struct strtab *st, uint32_t id)
{
	return (enum frame_kind)st->entries[id].kind;
}

int strtab__cmp(const struct strtab *st, uint32_t a, uint32_t b)
{
	uint32_t la = st->entries[a].len, lb = st->entries[b].len;
	int c = memcmp(st->entries[a].str, st->entries[b].str, la < lb ? la : lb);

	return c ? c : (la > lb) - (la < lb);
}

uint32_t strtab__count(const struct strtab *st)
{
	return st->count;
}

size_t strtab__bytes(const struct strtab *st)
{
	return st->bytes + (size_t)st->cap * sizeof(struct entry) +
	       ((size_t)st->mask + 1) * sizeof(uint32_t);
}

#define RENAME_HOPS 16	/* a name renamed again and again: bounded */

uint32_t strtab__canon(const struct strtab *st, uint32_t id)
{
	for (int hop = 0; hop < RENAME_HOPS && id < st->alias_cap && st->alias[id]; hop++)
		id = st->alias[id] - 1;
	return id;
}

int strtab__rename(struct strtab *st, uint32_t from, uint32_t to)
{
	uint32_t cap;

	/* to by the name it goes by now: a chain never comes back to from */
	if (from >= st->count || to >= st->count || (to = strtab__canon(st, to)) == from)
		return -EINVAL;
	if (from >= st->alias_cap) {
		uint32_t *a;

		cap = st->count > 64 ? st->count : 64;
		a = realloc(st->alias, (size_t)cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		memset(a + st->alias_cap, 0, (size_t)(cap - st->alias_cap) * sizeof(*a));
		st->alias = a;
		st->alias_cap = cap;
	}
	st->alias[from] = to + 1;
	st->renames++;
	return 0;
}

uint64_t strtab__renames(const struct strtab *st)
{
	return st->renames;
}
