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
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"

enum { MATCHES = 1, COVERED = 2 };
/* name_match[]: a name not tested yet, not matching, matching */
enum { UNTESTED = 0, NO = 1, YES = 2 };

enum {
	MATCH_LIMIT = 100000,		/* steps for one name: ~2 ms, ~0.2 ms with JIT */
	DEPTH_LIMIT = 20000,		/* nested backtracking for one name */
	HEAP_LIMIT_KIB = 8192,
	JIT_STACK_MAX = 1 << 20,
};
/*
 * Matching time in a row: a bucket this big, refilled by the time between
 * passes, so the passes of one batch of input (a pasted pattern searches
 * once per character) share it and the screen is painted soon after.
 */
#define BUDGET_NS 50000000LL

struct search_pattern {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *jit;		/* NULL without JIT */
	char *subject;			/* a copy of the name matched; every byte written */
	size_t subject_cap;
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

static bool hit_limit(int rc)
{
	return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	       rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

/*
 * The name, copied into a buffer whose every byte has been written: JIT
 * code loads whole words past a subject's end (harmless, and masked), and
 * past a name's end the strtab holds bytes never written, which valgrind
 * reports.  The name in place when the buffer cannot grow.
 */
static const char *subject(struct search_pattern *p, const char *s, size_t len)
{
	if (len + 64 > p->subject_cap) {
		size_t cap = len + 64 > 2 * p->subject_cap ? len + 64 : 2 * p->subject_cap;
		char *buf = calloc(1, cap);

		if (!buf)
			return s;
		free(p->subject);
		p->subject = buf;
		p->subject_cap = cap;
	}
	memcpy(p->subject, s, len);
	return p->subject;
}

static bool name_matches(struct app *a, uint32_t name, struct pass *pass)
{
	const struct strtab *names = calltree__names(a->tree);
	struct search_pattern *p = a->re;
	uint32_t len;
	int rc;

	if (name == CT_NONE)
		return false;
	if (a->name_match[name] != UNTESTED)
		return a->name_match[name] == YES;
	if (pass->out_of_time || now_ns() >= pass->deadline) {
		pass->out_of_time = true;
		return false;		/* left untested for the next pass */
	}
	len = strtab__len(names, name);
	rc = pcre2_match(p->code, (PCRE2_SPTR)subject(p, strtab__str(names, name), len), len, 0,
			 0, p->md, p->mc);
	if (hit_limit(rc))
		p->limited++;
	a->name_match[name] = rc >= 0 ? YES : NO;
	return rc >= 0;
}

/* Says on the status line how the search was cut off, if it was. */
static void say_cut_off(struct app *a)
{
	const struct search_pattern *p = a->re;

	if (!p)
		return;
	if (p->limited && p->untested)
		app__message(a, "search cut off: pattern too costly for %u name%s, and out of time",
			     p->limited, p->limited == 1 ? "" : "s");
	else if (p->limited)
		app__message(a, "search cut off: pattern too costly for %u name%s (not matched)",
			     p->limited, p->limited == 1 ? "" : "s");
	else if (p->untested)
		app__message(a, "search cut off: out of time, some names not searched");
}

/* Grows the per-node and per-name arrays; false when out of memory. */
static bool search_arrays(struct app *a, uint32_t n, uint32_t nnames)
{
	uint8_t *marks = realloc(a->search_mark, n ? n : 1);
	uint8_t *memo = marks ? realloc(a->name_match, nnames ? nnames : 1) : NULL;

	if (marks)
		a->search_mark = marks;
	if (memo)
		a->name_match = memo;
	return marks && memo;
}

void search__update(struct app *a)
{
	uint32_t n = calltree__nodes(a->tree);
	uint32_t nnames = strtab__count(calltree__names(a->tree));
	int64_t start = now_ns(), credit;
	struct pass pass = { 0 };

	a->matched = 0;
	if (!a->search_on)
		return;
	if (!search_arrays(a, n, nnames)) {
		app__message(a, "out of memory searching");
		search__clear(a);
		return;
	}
	/* names keep their meaning: only new ones are matched against the regex */
	if (a->name_matched < nnames)
		memset(a->name_match + a->name_matched, UNTESTED, nnames - a->name_matched);
	a->name_matched = nnames;
	credit = a->search_credit_ns + (start - a->search_idle_since);
	pass.deadline = start + (credit < BUDGET_NS ? credit : BUDGET_NS);
	/* parents have lower ids: one ascending pass sees every ancestor first */
	for (uint32_t id = 0; id < n; id++) {
		const struct ct_node *node = calltree__node(a->tree, id);
		bool covered = node->parent != CT_NONE && (a->search_mark[node->parent] & COVERED);
		bool m = node->total && name_matches(a, node->name, &pass);

		if (m && !covered)
			a->matched += node->total;
		a->search_mark[id] = (uint8_t)((m ? MATCHES : 0) | (m || covered ? COVERED : 0));
	}
	a->search_idle_since = now_ns();
	credit = pass.deadline - a->search_idle_since;
	a->search_credit_ns = credit > 0 ? credit : 0;
	a->re->untested = pass.out_of_time;
	say_cut_off(a);
}

static void pattern__free(struct search_pattern *p)
{
	if (!p)
		return;
	pcre2_jit_stack_free(p->jit);
	pcre2_match_context_free(p->mc);
	pcre2_match_data_free(p->md);
	pcre2_code_free(p->code);
	free(p->subject);
	free(p);
}

/* The compiled pattern with its bounds; NULL after a message when it cannot be. */
static struct search_pattern *pattern__new(struct app *a, const char *query)
{
	struct search_pattern *p = calloc(1, sizeof(*p));
	PCRE2_UCHAR why[128];
	PCRE2_SIZE at;
	int err;

	if (!p) {
		app__message(a, "out of memory searching");
		return NULL;
	}
	p->code = pcre2_compile((PCRE2_SPTR)query, PCRE2_ZERO_TERMINATED,
				PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C,
				&err, &at, NULL);
	if (!p->code) {
		pcre2_get_error_message(err, why, sizeof(why));
		app__message(a, "bad regex: %s", (const char *)why);
		free(p);
		return NULL;
	}
	p->md = pcre2_match_data_create(1, NULL);
	p->mc = pcre2_match_context_create(NULL);
	if (!p->md || !p->mc) {
		app__message(a, "out of memory searching");
		pattern__free(p);
		return NULL;
	}
	pcre2_set_match_limit(p->mc, MATCH_LIMIT);
	pcre2_set_depth_limit(p->mc, DEPTH_LIMIT);
	pcre2_set_heap_limit(p->mc, HEAP_LIMIT_KIB);
	/* JIT where it can (it honours the match limit); the interpreter otherwise */
	if (pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) == 0) {
		p->jit = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
		if (p->jit)
			pcre2_jit_stack_assign(p->mc, NULL, p->jit);
	}
	return p;
}

int search__set(struct app *a, const char *query)
{
	struct search_pattern *p;

	if (!*query) {
		search__clear(a);
		return REMARK;
	}
	p = pattern__new(a, query);
	if (!p)
		return -1;
	search__clear(a);
	a->re = p;
	a->search_on = true;
	a->name_matched = 0;	/* a new pattern: test every name again */
	snprintf(a->query, sizeof(a->query), "%s", query);
	search__update(a);
	return REMARK;
}

void search__clear(struct app *a)
{
	pattern__free(a->re);
	a->re = NULL;
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
	/* a pass that ran out of time searches on, now that the screen was painted */
	if (a->re->untested) {
		search__update(a);
		a->marks_stale = true;
		if (!a->search_on)
			return 0;
	}
	if (i < 0)
		i = dir > 0 ? -1 : 0;
	for (long k = 1; k <= n; k++) {
		long j = ((i + dir * k) % n + n) % n;

		if (a->search_mark[l->frames[j].node] & MATCHES) {
			flame_view__select(a, l->frames[j].node);
			say_cut_off(a);
			return 0;
		}
	}
	app__message(a, "no match is shown here; zoom out to see more");
	say_cut_off(a);
	return 0;
}
