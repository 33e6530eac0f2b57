// SPDX-License-Identifier: MIT
/*
 * Search: frames whose name matches an extended regex.  Matched% counts
 * each sample once, under its outermost matching frame, as flamegraph.pl
 * counts it.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"

enum { MATCHES = 1, COVERED = 2 };

static bool name_matches(struct app *a, uint32_t name)
{
	const struct strtab *names = calltree__names(a->tree);

	if (name == CT_NONE)
		return false;
	if (!a->name_match[name])
		a->name_match[name] = regexec(&a->re, strtab__str(names, name), 0, NULL, 0)
			? 1 : 2;
	return a->name_match[name] == 2;
}

void search__update(struct app *a)
{
	uint32_t n = calltree__nodes(a->tree);
	uint32_t nnames = strtab__count(calltree__names(a->tree));
	uint8_t *marks, *memo;

	a->matched = 0;
	if (!a->search_on)
		return;
	marks = realloc(a->search_mark, n ? n : 1);
	memo = marks ? realloc(a->name_match, nnames ? nnames : 1) : NULL;
	if (marks)
		a->search_mark = marks;
	if (memo)
		a->name_match = memo;
	if (!marks || !memo) {
		app__message(a, "out of memory searching");
		search__clear(a);
		return;
	}
	/* names keep their meaning: only new ones are matched against the regex */
	if (a->name_matched < nnames)
		memset(memo + a->name_matched, 0, nnames - a->name_matched);
	a->name_matched = nnames;
	/* parents have lower ids: one ascending pass sees every ancestor first */
	for (uint32_t id = 0; id < n; id++) {
		const struct ct_node *node = calltree__node(a->tree, id);
		bool covered = node->parent != CT_NONE && (marks[node->parent] & COVERED);
		bool m = node->total && name_matches(a, node->name);

		if (m && !covered)
			a->matched += node->total;
		marks[id] = (uint8_t)((m ? MATCHES : 0) | (m || covered ? COVERED : 0));
	}
}

int search__set(struct app *a, const char *query)
{
	regex_t re;
	int err;

	if (!*query) {
		search__clear(a);
		return REMARK;
	}
	err = regcomp(&re, query, REG_EXTENDED | REG_NOSUB);
	if (err) {
		char why[128];

		regerror(err, &re, why, sizeof(why));
		app__message(a, "bad regex: %s", why);
		return -1;
	}
	search__clear(a);
	a->re = re;
	a->search_on = true;
	a->name_matched = 0;	/* a new pattern: test every name again */
	snprintf(a->query, sizeof(a->query), "%s", query);
	search__update(a);
	return REMARK;
}

void search__clear(struct app *a)
{
	if (a->search_on)
		regfree(&a->re);
	a->search_on = false;
	a->query[0] = '\0';
	a->matched = 0;
}

bool search__marked(const struct app *a, uint32_t node)
{
	return a->search_on && (a->search_mark[node] & MATCHES);
}

/* Selects the next (dir 1) or previous (-1) matching frame shown, in reading order. */
int search__jump(struct app *a, int dir)
{
	const struct flame_layout *l = &a->layout;
	long n = (long)l->nframes, i = flame__find(l, a->sel);

	if (!a->search_on) {
		app__message(a, "no search; press the search key first");
		return 0;
	}
	if (i < 0)
		i = dir > 0 ? -1 : 0;
	for (long k = 1; k <= n; k++) {
		long j = ((i + dir * k) % n + n) % n;

		if (a->search_mark[l->frames[j].node] & MATCHES) {
			flame_view__select(a, l->frames[j].node);
			return 0;
		}
	}
	app__message(a, "no match is shown here; zoom out to see more");
	return 0;
}
