/* SPDX-License-Identifier: MIT */
/*
 * strtab: interned frame names.  Each distinct name is stored once and
 * known by a dense 32-bit id; the id also carries the frame's kind,
 * derived from the name the way FlameGraph's tools mark frames.
 *
 * Strings returned by strtab__str() are owned by the table and stay valid
 * until strtab__free() -- a temporary name's until a sweep frees it.
 *
 * Temporary names (a process's identity frame and its pid or thread
 * label: a busy host starts thousands a minute) are freed by
 * strtab__sweep() once no user of the table holds their id; a later
 * temporary name may then be given that id.  Every call tree is a user
 * (it registers itself); whoever keeps such an id elsewhere registers to
 * hold it (the live view's focus, the explorer's panes) or forgets it at
 * a sweep, and what is worked out per id (a search's matches) is worked
 * out again when strtab__reuses() changes.
 */
#ifndef FLAMETOP_STRTAB_H
#define FLAMETOP_STRTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum frame_kind {
	FRAME_USER = 0,
	FRAME_KERNEL,		/* name ends with "_[k]" */
	FRAME_UNKNOWN,		/* "[module]" or "[unknown]" */
};

struct strtab;

struct strtab *strtab__new(void);
void strtab__free(struct strtab *st);

/* Interns s[0..len) (which must not contain NUL); 0 or -ENOMEM. */
int strtab__intern(struct strtab *st, const char *s, size_t len, uint32_t *id);
/* The same for a temporary name; interned both ways, a name is kept. */
int strtab__intern_temp(struct strtab *st, const char *s, size_t len, uint32_t *id);
/* Looks s up without adding it; returns false if it was never interned. */
bool strtab__lookup(const struct strtab *st, const char *s, size_t len, uint32_t *id);

const char *strtab__str(const struct strtab *st, uint32_t id);
uint32_t strtab__len(const struct strtab *st, uint32_t id);
enum frame_kind strtab__kind(const struct strtab *st, uint32_t id);
uint32_t strtab__count(const struct strtab *st);
/* Temporary names held now. */
uint32_t strtab__temps(const struct strtab *st);
/* Changes when a swept id is given to another name. */
uint64_t strtab__reuses(const struct strtab *st);
size_t strtab__bytes(const struct strtab *st);

/*
 * Renames: frames named from by now go by to (a function whose name
 * arrived late: "[python3.11+0x1a2b0]" -> "PyObject_Repr").  Trees keep
 * their ids until made again with canonical names (history__rename,
 * calltree__renamed); name paths follow at once.  A rename that would
 * make a cycle is refused (-EINVAL); 0 or -ENOMEM otherwise.
 */
int strtab__rename(struct strtab *st, uint32_t from, uint32_t to);
/* The name id goes by now: itself, unless it was renamed. */
uint32_t strtab__canon(const struct strtab *st, uint32_t id);
/* Changes each time a name is renamed. */
uint64_t strtab__renames(const struct strtab *st);

/* Sets held[id] for each id < n that user holds. */
typedef void (*strtab_mark_fn)(const void *user, uint8_t *held, uint32_t n);
/* user holds ids until removed; 0 or -ENOMEM. */
int strtab__add_user(struct strtab *st, const void *user, strtab_mark_fn mark);
void strtab__remove_user(struct strtab *st, const void *user);
/*
 * Frees the temporary names no user holds (a swept id reads as "" until
 * given again).  How many were freed, or -ENOMEM.
 */
long strtab__sweep(struct strtab *st);

/* Bytewise order of two interned names, as sort(1) in the C locale. */
int strtab__cmp(const struct strtab *st, uint32_t a, uint32_t b);

enum frame_kind frame_kind_of(const char *s, size_t len);
uint64_t strtab_hash(const char *s, size_t len);

#endif
