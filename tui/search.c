// SPDX-License-Identifier: MIT
/*
 * Search: frames whose name matches a regex (PCRE2, which reads the
 * extended regex people type).  Matched% counts each sample once, under its
 * outermost matching frame, as flamegraph.pl counts it.
 *
 * No pattern may stall the screen: one name's match is bounded by PCRE2's
 * match, depth and heap limits (a name that hits one counts as no match),
 * and the names matched in a row share a time budget (a pass that runs out
 * leaves the rest untested, counted as no match, for the next pass).  The
 * status line says when either cut the search off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../keymaps/keymap.h"
#include "../profile/pattern.h"
#include "search.h"

enum { MATCHES = 1, COVERED = 2 };
/* name_match[]: a name not tested yet, not matching, matching */
enum { UNTESTED = 0, NO = 1, YES = 2 };

/*
 * Matching time in a row: a bucket this big, refilled by the time between
 * passes, so the passes of one batch of input (a pasted pattern searches
 * once per character) share it and the screen is painted soon after.
 */
#define BUDGET_NS 50000000LL

struct search_pattern {
	struct pattern *re;
	uint32_t limited;		/* names whose match hit a limit */
	bool untested;			/* the last pass ran out of time */
};

/* One pass over the tree: until when it may match names. */
struct pass {
	int64_t deadline;
	bool out_of_time;
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool name_matches(struct search *s, const struct strtab *names, uint32_t name,
			 struct pass *pass)
{
	struct search_pattern *p = s->re;
	int rc;

	if (name == CT_NONE)
		return false;
	if (s->name_match[name] != UNTESTED)
		return s->name_match[name] == YES;
	if (pass->out_of_time || now_ns() >= pass->deadline) {
		pass->out_of_time = true;
		return false;		/* left untested for the next pass */
	}
	rc = pattern__match(p->re, strtab__str(names, name), strtab__len(names, name));
	if (rc < 0)
		p->limited++;
	s->name_match[name] = rc > 0 ? YES : NO;
	return rc > 0;
}

/* Says on the status line how the search was cut off, if it was. */
static void say_cut_off(const struct search *s, struct note *note)
{
	const struct search_pattern *p = s->re;

	if (!p)
		return;
	if (p->limited && p->untested)
		note__set(note, "search cut off: pattern too costly for %u name%s, and out of time",
			     p->limited, p->limited == 1 ? "" : "s");
	else if (p->limited)
		note__set(note, "search cut off: pattern too costly for %u name%s (not matched)",
			     p->limited, p->limited == 1 ? "" : "s");
	else if (p->untested)
		note__set(note, "search cut off: out of time, some names not searched");
}

/* Grows the per-node and per-name arrays; false when out of memory. */
static bool search_arrays(struct search *s, uint32_t n, uint32_t nnames)
{
	uint8_t *marks = realloc(s->mark, n ? n : 1);
	uint8_t *memo = marks ? realloc(s->name_match, nnames ? nnames : 1) : NULL;

	if (marks)
		s->mark = marks;
	if (memo)
		s->name_match = memo;
	return marks && memo;
}

void search__update(struct search *s, const struct calltree *t, struct note *note)
{
	uint32_t n = calltree__nodes(t);
	const struct strtab *names = calltree__names(t);
	uint32_t nnames = strtab__count(names);
	int64_t start = now_ns(), credit;
	struct pass pass = { 0 };

	s->matched = 0;
	if (!s->on)
		return;
	if (!search_arrays(s, n, nnames)) {
		note__set(note, "out of memory searching");
		search__clear(s);
		return;
	}
	/* names keep their meaning: only new ones are matched against the regex */
	if (s->reuses != strtab__reuses(names)) {
		s->reuses = strtab__reuses(names);	/* ids given to other names */
		s->name_matched = 0;
		if (s->re)
			s->re->limited = 0;	/* each is tested again */
	}
	if (s->name_matched < nnames)
		memset(s->name_match + s->name_matched, UNTESTED, nnames - s->name_matched);
	s->name_matched = nnames;
	credit = s->credit_ns + (start - s->idle_since);
	pass.deadline = start + (credit < BUDGET_NS ? credit : BUDGET_NS);
	/* parents have lower ids: one ascending pass sees every ancestor first */
	for (uint32_t id = 0; id < n; id++) {
		const struct ct_node *node = calltree__node(t, id);
		bool covered = node->parent != CT_NONE && (s->mark[node->parent] & COVERED);
		bool m = node->total && name_matches(s, names, node->name, &pass);

		if (m && !covered)
			s->matched += node->total;
		s->mark[id] = (uint8_t)((m ? MATCHES : 0) | (m || covered ? COVERED : 0));
	}
	s->idle_since = now_ns();
	credit = pass.deadline - s->idle_since;
	s->credit_ns = credit > 0 ? credit : 0;
	s->re->untested = pass.out_of_time;
	say_cut_off(s, note);
}

static void search_pattern__free(struct search_pattern *p)
{
	if (p)
		pattern__free(p->re);
	free(p);
}

/* The compiled pattern; NULL after a message when it cannot be. */
static struct search_pattern *search_pattern__new(const char *query, struct note *note)
{
	struct search_pattern *p = calloc(1, sizeof(*p));
	char why[160];

	if (!p) {
		note__set(note, "out of memory searching");
		return NULL;
	}
	p->re = pattern__new(query, why, sizeof(why));
	if (!p->re) {
		note__set(note, "%s", why);
		free(p);
		return NULL;
	}
	return p;
}

/* Searches t for query (empty: no search); DO_REMARK, or -1 after a note (bad regex). */
static int set(struct search *s, const struct calltree *t, const char *query,
	       struct note *note)
{
	struct search_pattern *p;

	if (!*query) {
		search__clear(s);
		return DO_REMARK;
	}
	p = search_pattern__new(query, note);
	if (!p)
		return -1;
	search__clear(s);
	s->re = p;
	s->on = true;
	s->name_matched = 0;	/* a new pattern: test every name again */
	snprintf(s->query, sizeof(s->query), "%s", query);
	search__update(s, t, note);
	return DO_REMARK;
}

void search__clear(struct search *s)
{
	search_pattern__free(s->re);
	s->re = NULL;
	s->on = false;
	s->query[0] = '\0';
	s->matched = 0;
}

void search__free(struct search *s)
{
	search__clear(s);
	free(s->mark);
	free(s->name_match);
	s->mark = s->name_match = NULL;
}

bool search__marked(const struct search *s, uint32_t node)
{
	return s->on && (s->mark[node] & MATCHES);
}

uint32_t search__next(struct search *s, const struct calltree *t,
		      const struct flame_layout *l, uint32_t sel, int dir, struct note *note)
{
	long n = (long)l->nframes, i = flame__find(l, sel);

	if (!s->on) {
		note__set(note, "no search; press the search key first");
		return CT_NONE;
	}
	/* a pass that ran out of time searches on, now that the screen was painted */
	if (s->re->untested) {
		search__update(s, t, note);
		if (!s->on)
			return CT_NONE;
	}
	if (i < 0)
		i = dir > 0 ? -1 : 0;
	for (long k = 1; k <= n; k++) {
		long j = ((i + dir * k) % n + n) % n;

		if (s->mark[l->frames[j].node] & MATCHES) {
			say_cut_off(s, note);
			return l->frames[j].node;
		}
	}
	note__set(note, "no match drawn here (an underlined frame holds narrow ones)");
	say_cut_off(s, note);
	return CT_NONE;
}

void search__prompt(struct search *s)
{
	prompt__open(&s->line, s->query);
}

int search__type(struct search *s, const struct calltree *t, const struct input *in,
		 bool *jump, struct note *note)
{
	*jump = false;
	if (in->kind == INPUT_KEY && in->key == KEY_CODE_ESC) {
		s->line.on = false;
		search__clear(s);
		return DO_REMARK;
	}
	if (in->kind == INPUT_KEY && in->key == KEY_CODE_ENTER) {
		s->line.on = false;
		*jump = s->on;
		return DO_NOTHING;
	}
	if (!prompt__edit(&s->line, in))
		return DO_NOTHING;
	/* incremental: a pattern that does not compile yet keeps the last one */
	return set(s, t, s->line.text, note);
}
