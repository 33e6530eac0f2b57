/* SPDX-License-Identifier: MIT */
/*
 * pattern: a PCRE2 regex matched against frame names, with bounds so that
 * no pattern a user types can stall the screen: one name's match is cut
 * off by PCRE2's match, depth and heap limits (JIT where it can).  Used by
 * the search and by the transforms (focus, hide, drop).
 */
#ifndef FLAMETOP_PATTERN_H
#define FLAMETOP_PATTERN_H

#include <stddef.h>

struct pattern;

/* The compiled regex; NULL with why ("bad regex: ...", "out of memory") in err. */
struct pattern *pattern__new(const char *re, char *err, size_t err_size);
void pattern__free(struct pattern *p);
/* 1 when s[0..len) matches, 0 when not, -1 when the match hit a limit (no match). */
int pattern__match(struct pattern *p, const char *s, size_t len);

#endif
