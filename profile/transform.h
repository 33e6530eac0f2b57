/* SPDX-License-Identifier: MIT */
/*
 * transform: what the user asked to leave out of a profile, applied in
 * order, each to the tree the one before made (pprof's names in brackets):
 *
 *	focus RE     only the samples whose stack holds a frame matching RE
 *	             (-focus); their stacks are kept whole
 *	hide RE      frames matching RE are taken out of each stack; their
 *	             callees move up to the caller, their self goes to it (-hide)
 *	drop RE      the samples whose stack holds a frame matching RE (-ignore)
 *	recursion    a;b;b;b;c -> a;b;c (direct recursion folded)
 *	recursion-all  a;b;c;b;d -> a;b;d (a call back into a frame on the stack
 *	             folds onto that frame: indirect recursion too)
 *	no-kernel    kernel frames ("_[k]") hidden
 *	merge        the grouping frames at the root (process, thread,
 *	             container: the top N levels) hidden, so processes merge
 *
 * Regexes are PCRE2 (pattern.h), matched against the whole frame name
 * unanchored, as pprof's are.  Each transform remembers per name id whether
 * it matched, so a live tree is transformed again each second for the cost
 * of one pass per transform over its nodes.
 */
#ifndef FLAMETOP_TRANSFORM_H
#define FLAMETOP_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calltree.h"

enum xform_kind {
	XF_FOCUS, XF_HIDE, XF_DROP, XF_RECURSION, XF_RECURSION_ALL, XF_NO_KERNEL, XF_MERGE,
	XF_KINDS
};

#define XFORMS_MAX 16
#define XFORM_RE_MAX 256

struct pattern;
struct xform_key;

struct xform {
	enum xform_kind kind;
	char re[XFORM_RE_MAX];		/* focus, hide, drop */
	uint32_t levels;		/* merge: root levels hidden */
	struct pattern *p;
	uint8_t *memo;			/* per name id: 0 untested, 1 no, 2 yes */
	uint32_t memo_len;
	uint64_t memo_reuses;		/* strtab__reuses() the memo holds for */
	uint32_t limited;		/* names whose match hit a limit (no match) */
};

struct xforms {
	struct xform x[XFORMS_MAX];
	unsigned n;
	/* the pass's per-node arrays, kept from one apply to the next (a live tick) */
	void *scratch;
	size_t scratch_size;
	struct calltree *spare;		/* a tree handed back, made again by the next apply */
	/* (parent, name) -> node of the tree being made, for the children of merged nodes */
	struct xform_key *keys;
	uint32_t keys_mask, keys_gen;
	/* recursion-all: per stage and name, the frame of that name on the path (CT_NONE:
	 * none; all CT_NONE between applies), for deep_stages x deep_names; the walk's stack */
	uint32_t *deep, deep_stages, deep_names;
	uint64_t *walk;
	size_t walk_cap;
};

const char *xform__kind_name(enum xform_kind k);
/* The kind called name ("focus", "hide", ...), or XF_KINDS. */
enum xform_kind xform__find(const char *name);
/* True for the kinds that take a regex. */
bool xform__takes_re(enum xform_kind k);

/*
 * Adds a transform at the end: re for focus, hide and drop, levels for merge.
 * -EINVAL with why in err for a bad regex, -ENOSPC when XFORMS_MAX are on,
 * -ENOMEM.
 */
int xforms__push(struct xforms *xs, enum xform_kind kind, const char *re, uint32_t levels,
		 char *err, size_t err_size);
/* Removes transform i (the later ones move down). */
void xforms__remove(struct xforms *xs, unsigned i);
/* The index of the first transform of kind, or -1. */
int xforms__find(const struct xforms *xs, enum xform_kind kind);
void xforms__clear(struct xforms *xs);

/* "focus:RE", "hide:RE", "recursion", ... for a chip or a file's header. */
void xform__label(const struct xform *x, char *buf, size_t size);

/*
 * The tree t after every transform, in a new tree sharing t's strtab (the
 * caller frees it); NULL when out of memory.  With no transform, a copy.
 */
struct calltree *xforms__apply(struct xforms *xs, const struct calltree *t);
/*
 * Hands back a tree xforms__apply made that is no longer shown: its memory
 * makes the next one (no page faults each tick).  NULL is ignored.
 */
void xforms__recycle(struct xforms *xs, struct calltree *t);
/* Names whose match hit a regex limit (counted as no match), over all transforms. */
uint32_t xforms__limited(const struct xforms *xs);

#endif
