/* SPDX-License-Identifier: MIT */
/*
 * history: the rolling time history of a live profile.
 *
 * Samples arrive tagged with a whole second; each second is a slice (a list
 * of (stack leaf, count)).  The history keeps the newest `retain` seconds.
 * One call tree holds the structure of every retained stack, and its counts
 * are those of the current window [t0, t1): moving the window adds and takes
 * away only the slices that enter or leave it.
 *
 * Nodes no retained slice refers to are compacted away now and then, which
 * renumbers nodes: history__generation() changes when it happens, and
 * holders of node ids must find their frames again (by name path).
 */
#ifndef FLAMETOP_HISTORY_H
#define FLAMETOP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calltree.h"

struct history;

struct history *history__new(struct strtab *names, uint32_t retain_secs);
void history__free(struct history *h);

/*
 * Adds count samples of a stack (name ids, root first) at second sec.
 * sec must not be older than the newest second minus the retention
 * (-ERANGE); a newer second expires what falls out of retention (count 0
 * adds nothing but that: the newest second becomes sec).
 */
int history__add(struct history *h, int64_t sec, const uint32_t *names, size_t n,
		 uint64_t count);
/* Makes the tree's counts those of [t0, t1); 0 or -ENOMEM. */
int history__set_window(struct history *h, int64_t t0, int64_t t1);
void history__window(const struct history *h, int64_t *t0, int64_t *t1);
/* The tree (borrowed; valid until the next add or set_window). */
const struct calltree *history__tree(const struct history *h);
/* Oldest and newest retained seconds; false while the history is empty. */
bool history__span(const struct history *h, int64_t *first, int64_t *last);
/* Samples in each second t0 .. t0+n-1 (0 for seconds not retained). */
void history__rate(const struct history *h, int64_t t0, uint64_t *out, size_t n);
/*
 * Calls fn(ctx, node, count) for each stack recorded at second sec, node
 * being its leaf in history__tree(h) (a stack added more than once, or
 * with a count over 2^31, may come more than once: the counts add up);
 * stops at fn's first non-zero return and returns it (0 when sec holds
 * nothing).
 */
int history__for_second(const struct history *h, int64_t sec,
			int (*fn)(void *ctx, uint32_t node, uint64_t count), void *ctx);
uint64_t history__generation(const struct history *h);
/*
 * Makes the tree again with the names frames go by now, when names were
 * renamed since (strtab__rename): frames of one name merge, nodes are
 * renumbered (the generation changes).  0 or -ENOMEM.
 */
int history__rename(struct history *h);
/*
 * Tells fn of every change to the tree's counts: count samples added to
 * (add) or taken from node — or, with node CT_NONE, that the counts were
 * made anew (a window rebuilt whole, nodes renumbered): whoever mirrors
 * them starts over.  One observer; fn NULL: none.
 */
typedef void (*history_observer)(void *ctx, uint32_t node, uint64_t count, bool add);
void history__observe(struct history *h, history_observer fn, void *ctx);
size_t history__bytes(const struct history *h);

#endif
