// SPDX-License-Identifier: MIT
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/vec.h"
#include "pattern.h"

enum {
	MATCH_LIMIT = 100000,		/* steps for one name: ~2 ms, ~0.2 ms with JIT */
	DEPTH_LIMIT = 20000,		/* nested backtracking for one name */
	HEAP_LIMIT_KIB = 8192,
	JIT_STACK_MAX = 1 << 20,
};

struct pattern {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *jit;		/* NULL without JIT */
	char *subject;			/* a copy of the name matched; every byte written */
	size_t subject_cap;
};

void pattern__free(struct pattern *p)
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

struct pattern *pattern__new(const char *re, char *err, size_t err_size)
{
	struct pattern *p = calloc(1, sizeof(*p));
	PCRE2_UCHAR why[128];
	PCRE2_SIZE at;
	int code;

	if (!p) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	p->code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
				PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C,
				&code, &at, NULL);
	if (!p->code) {
		pcre2_get_error_message(code, why, sizeof(why));
		snprintf(err, err_size, "bad regex: %s", (const char *)why);
		free(p);
		return NULL;
	}
	p->md = pcre2_match_data_create(1, NULL);
	p->mc = pcre2_match_context_create(NULL);
	if (!p->md || !p->mc) {
		snprintf(err, err_size, "out of memory");
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

/*
 * The name, copied into a buffer whose every byte has been written: JIT
 * code loads whole words past a subject's end (harmless, and masked), and
 * past a name's end the strtab holds bytes never written, which valgrind
 * reports.  The name in place when the buffer cannot grow.
 */
static const char *subject(struct pattern *p, const char *s, size_t len)
{
	size_t had = p->subject_cap;

	if (vec_reserve(p->subject, p->subject_cap, len + 64, 256))
		return s;
	memset(p->subject + had, 0, p->subject_cap - had);
	memcpy(p->subject, s, len);
	return p->subject;
}

int pattern__match(struct pattern *p, const char *s, size_t len)
{
	int rc = pcre2_match(p->code, (PCRE2_SPTR)subject(p, s, len), len, 0, 0, p->md, p->mc);

	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		return -1;
	return rc >= 0;
}
