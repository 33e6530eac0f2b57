/* SPDX-License-Identifier: MIT */
/*
 * The search: a PCRE2 pattern, which frames of the tree shown match it,
 * Matched% (each sample once, under its outermost match, as flamegraph.pl
 * counts), and the prompt where it is typed.  The tree is given to each
 * call and must be the one whose node ids the marks use.
 */
#ifndef FLAMETOP_SEARCH_H
#define FLAMETOP_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../profile/calltree.h"
#include "../render/flame.h"
#include "pane.h"
#include "prompt.h"
#include "screen.h"

struct search_pattern;

struct search {
	bool on;
	struct search_pattern *re;	/* owned: the compiled pattern */
	char query[256];
	int64_t credit_ns;		/* the time budget left ... */
	int64_t idle_since;		/* ... when it last stopped matching */
	uint8_t *name_match;		/* per name id: 0 not tested, 1 no, 2 yes */
	uint32_t name_matched;		/* names [0, name_matched) have a valid entry */
	uint64_t reuses;		/* strtab__reuses() they hold for */
	uint8_t *mark;			/* per node of the tree */
	uint64_t matched;		/* samples under a match, each once */
	struct prompt line;		/* the pattern being typed */
};

void search__free(struct search *s);
void search__clear(struct search *s);
/* Matches again after t changed (new nodes, another tree). */
void search__update(struct search *s, const struct calltree *t, struct note *note);
bool search__marked(const struct search *s, uint32_t node);
/*
 * The next (dir 1) or previous (-1) matching frame of the layout after
 * node sel, in reading order; CT_NONE (with a note) when none is shown.
 */
uint32_t search__next(struct search *s, const struct calltree *t,
		      const struct flame_layout *l, uint32_t sel, int dir, struct note *note);

/* Opens the prompt with the current query. */
void search__prompt(struct search *s);
/*
 * One input while prompting: every change searches again (a pattern that
 * does not compile yet keeps the last one), Enter keeps the search, Esc
 * clears it.  Returns DO_* flags; *jump is set when Enter asks for the
 * first match to be selected.
 */
int search__type(struct search *s, const struct calltree *t, const struct input *in,
		 bool *jump, struct note *note);

#endif
