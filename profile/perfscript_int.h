/* SPDX-License-Identifier: MIT */
/*
 * The perf script reader's insides, shared by perfscript.c (samples,
 * headers, the stream) and perfscript_frame.c (frame lines, their
 * tidying, and --srcline's source lines).
 */
#ifndef FLAMETOP_PERFSCRIPT_INT_H
#define FLAMETOP_PERFSCRIPT_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../util/vec.h"

struct buf {
	char *s;
	size_t len, cap;
};

static inline int buf_put(struct buf *b, const char *s, size_t n)
{
	if (vec_reserve(b->s, b->cap, b->len + n + 1, 256))
		return -ENOMEM;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

struct span {
	const char *s;
	size_t len;
};

struct frame_ref {
	size_t off, len;
	uint32_t group;
};

struct ps_state {
	struct buf pname;	/* Perl's $pname; empty when undefined */
	uint64_t period;	/* the weight of the sample pname heads */
	struct buf event;	/* the event kept; empty until one is seen */
	struct buf text;	/* frame strings, as read (leaf first) */
	struct frame_ref *frames;
	size_t nframes, cap;
	uint32_t groups;
	struct buf func;	/* scratch for tidying */
	uint32_t *ids;
	size_t ids_cap;
	/* --srcline: each frame takes the line after it as its source line */
	bool srcline;
	struct buf chain;	/* the frame line's function chain, kept while lines come */
	struct buf mod;		/* and its module */
	size_t chain_pos, chain_i, chain_keep;
	bool unknown;		/* the chain met an unknown frame: no more lines read */
	bool awaiting;		/* the next line is the source line of st->func */
};

static inline bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_word(char c)
{
	return is_digit(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Perl's idea of a false string: undefined, "" or "0". */
static inline bool pname_true(const struct ps_state *st)
{
	return st->pname.len && !(st->pname.len == 1 && st->pname.s[0] == '0');
}

/* A frame line of the sample pname heads: 0, -errno, or 1 if it is none. */
int ps_frame_line(struct ps_state *st, const char *l, size_t n);
/* --srcline: the line after a frame, the frame's source line. */
int ps_source_line(struct ps_state *st, const char *l, size_t n);

#endif
