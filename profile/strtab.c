// SPDX-License-Identifier: MIT
/*
 * Interned strings: a chunked arena (so pointers never move), an entry
 * array indexed by id, and an open-addressing table of ids.  Temporary
 * names are malloc'ed one by one instead, so that a sweep can free them;
 * their ids go on a free list for later names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "strtab.h"

#define CHUNK_SIZE (1u << 20)

enum {
	E_TEMP = 1,	/* swept when no user holds it */
	E_OWN = 2,	/* str malloc'ed alone (a temporary name, or one once) */
	E_FREE = 4,	/* swept: the id waits on the free list */
};

struct entry {
	const char *str;
	uint32_t len;
	uint32_t hash;
	uint8_t kind;
	uint8_t flags;
};

struct user {
	const void *user;
	strtab_mark_fn mark;
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
	uint32_t temps;		/* temporary names held now */
	uint64_t reuses;	/* swept ids given again */
	uint32_t *free_ids;	/* ids of swept names */
	uint32_t nfree;
	size_t free_cap;
	struct user *users;
	size_t nusers, users_cap;
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
	for (uint32_t i = 0; i < st->count; i++)
		if (st->entries[i].flags & E_OWN)
			free((char *)st->entries[i].str);
	free(st->entries);
	free(st->free_ids);
	free(st->users);
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

		if (st->entries[i].flags & E_FREE)
			continue;
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

/* A copy of s[0..len) for a new entry: in the arena, or alone for a temporary name. */
static char *copy_of(struct strtab *st, const char *s, size_t len, bool temp)
{
	char *copy = temp ? malloc(len + 1) : arena_alloc(st, len + 1);

	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	copy[len] = '\0';
	if (temp)
		st->bytes += len + 1;
	return copy;
}

static int intern(struct strtab *st, const char *s, size_t len, bool temp, uint32_t *id)
{
	uint32_t hash = (uint32_t)strtab_hash(s, len);
	uint32_t *slot = find_slot(st, s, len, hash), at;
	bool reuse = temp && st->nfree;	/* only a temporary name takes a swept id */
	struct entry *e;
	char *copy;

	if (*slot) {
		*id = *slot - 1;
		e = &st->entries[*id];
		if (!temp && (e->flags & E_TEMP)) {
			e->flags &= (uint8_t)~E_TEMP;	/* interned for good too: kept */
			st->temps--;
		}
		return 0;
	}
	if (len > UINT32_MAX - 1 || st->count == UINT32_MAX - 1)
		return -ENOMEM;
	if (!reuse && (uint64_t)(st->count + 1) * 2 > (uint64_t)st->mask + 1) {
		if (grow_slots(st))
			return -ENOMEM;
		slot = find_slot(st, s, len, hash);
	}
	if (!reuse && vec_reserve(st->entries, st->cap, (size_t)st->count + 1, 1024))
		return -ENOMEM;
	copy = copy_of(st, s, len, temp);
	if (!copy)
		return -ENOMEM;
	at = reuse ? st->free_ids[--st->nfree] : st->count++;
	st->reuses += reuse;
	st->entries[at] = (struct entry){
		.str = copy, .len = (uint32_t)len, .hash = hash,
		.kind = (uint8_t)frame_kind_of(s, len),
		.flags = temp ? E_TEMP | E_OWN : 0,
	};
	st->temps += temp;
	*slot = at + 1;
	*id = at;
	return 0;
}

int strtab__intern(struct strtab *st, const char *s, size_t len, uint32_t *id)
{
	return intern(st, s, len, false, id);
}

int strtab__intern_temp(struct strtab *st, const char *s, size_t len, uint32_t *id)
{
	return intern(st, s, len, true, id);
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

uint64_t strtab__reuses(const struct strtab *st)
{
	return st->reuses;
}

uint32_t strtab__temps(const struct strtab *st)
{
	return st->temps;
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

int strtab__add_user(struct strtab *st, const void *user, strtab_mark_fn mark)
{
	if (vec_reserve(st->users, st->users_cap, st->nusers + 1, 16))
		return -ENOMEM;
	st->users[st->nusers++] = (struct user){ .user = user, .mark = mark };
	return 0;
}

void strtab__remove_user(struct strtab *st, const void *user)
{
	for (size_t i = st->nusers; i-- > 0;)
		if (st->users[i].user == user) {
			st->users[i] = st->users[--st->nusers];
			return;
		}
}

/*
 * Empties id's slot, moving back the entries after it that linear probing
 * put past their home (no tombstones: lookups stay as short as at insert).
 */
static void unslot(struct strtab *st, uint32_t id)
{
	uint32_t pos = st->entries[id].hash & st->mask, next, home;

	while (st->slots[pos] != id + 1)
		pos = (pos + 1) & st->mask;
	for (next = pos;;) {
		st->slots[pos] = 0;
		for (;;) {
			next = (next + 1) & st->mask;
			if (!st->slots[next])
				return;
			home = st->entries[st->slots[next] - 1].hash & st->mask;
			/* it may fill the hole if the hole is on its way from home */
			if (((next - home) & st->mask) >= ((next - pos) & st->mask))
				break;
		}
		st->slots[pos] = st->slots[next];
		pos = next;
	}
}

long strtab__sweep(struct strtab *st)
{
	uint8_t *held;
	long freed = 0;

	if (!st->temps)
		return 0;
	if (vec_reserve(st->free_ids, st->free_cap, (size_t)st->nfree + st->temps, 256) ||
	    !(held = calloc(st->count, 1)))
		return -ENOMEM;
	for (size_t u = 0; u < st->nusers; u++)
		st->users[u].mark(st->users[u].user, held, st->count);
	/* a rename's ends are held by the rename */
	for (uint32_t i = 0; i < st->alias_cap && i < st->count; i++)
		if (st->alias[i])
			held[i] = held[st->alias[i] - 1] = 1;
	for (uint32_t id = 0; id < st->count; id++) {
		struct entry *e = &st->entries[id];

		if (!(e->flags & E_TEMP) || held[id])
			continue;
		unslot(st, id);
		st->bytes -= e->len + 1;
		free((char *)e->str);
		*e = (struct entry){ .str = "", .flags = E_FREE };
		st->free_ids[st->nfree++] = id;
		st->temps--;
		freed++;
	}
	free(held);
	return freed;
}
