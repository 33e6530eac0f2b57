/* SPDX-License-Identifier: MIT */
/*
 * Reading and writing profiles as text: folded stacks (SPEC.md) and the
 * output of `perf script`, which is folded as FlameGraph's
 * `stackcollapse-perf.pl --kernel` folds it.
 */
#ifndef FLAMETOP_FOLDED_H
#define FLAMETOP_FOLDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calltree.h"
#include "units.h"
#include "who.h"

struct parse_error {
	unsigned long line;	/* 1-based; 0 when not about a line */
	char msg[128];
};

/* Fills err (if not NULL) with line and the formatted message; returns ret. */
int parse_error__set(struct parse_error *err, unsigned long line, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

enum profile_format { FORMAT_FOLDED, FORMAT_PERF_SCRIPT, FORMAT_PPROF };

struct parse_stats {
	enum profile_format format;
	unsigned long lines;
	unsigned long skipped;	/* perf script lines not understood */
	uint64_t samples;
};

/*
 * Parses folded text in buf into t (counts add up).  Returns 0, -EINVAL with
 * err filled for malformed input, -EOVERFLOW (err filled) when the total no
 * longer fits in 64 bits, or -ENOMEM.
 */
int folded__parse(struct calltree *t, const char *buf, size_t len,
		  struct parse_error *err, struct parse_stats *stats);
int perfscript__parse(struct calltree *t, const char *buf, size_t len,
		      struct parse_error *err, struct parse_stats *stats);

/*
 * One folded line at a time, for folded__parse and the readers of formats
 * built on folded text (timeline.c).  The frames of the last stack read
 * are kept so that the next line reuses those it shares; its text is
 * borrowed, so it must stay in place until the next line is read or
 * folded_stack__forget is called.  Starts zeroed; release frees it.
 */
struct folded_stack {
	const char *text;	/* the last stack's text */
	size_t len;
	uint32_t *ends;		/* offset just past each frame */
	uint32_t *names;	/* each frame's name id */
	uint32_t *nodes;	/* each frame's node, when read into a tree */
	size_t n;		/* the last stack's frames */
	size_t ends_cap, names_cap, nodes_cap;
	uint64_t count;		/* the last stack's count */
};

/*
 * Reads one line (its line break left out; a CR at its end is not part of
 * it): 0 when it holds no stack (blank, or a '#' comment); 1 for a stack,
 * its frames interned in names as fs->names[0..fs->n) and its count in
 * fs->count, and when t is not NULL (the same t for every line) the path
 * made in t, fs->nodes[fs->n - 1] its leaf; else -EINVAL (malformed: err
 * says why, at lineno) or -ENOMEM.  The rules are folded__parse's.
 */
int folded_stack__read(struct folded_stack *fs, struct strtab *names, struct calltree *t,
		       const char *s, size_t len, unsigned long lineno, struct parse_error *err);
void folded_stack__forget(struct folded_stack *fs);
void folded_stack__release(struct folded_stack *fs);
/*
 * The perf script reader as a stream: feed it chunks of whole lines (a
 * sample may span chunks; a parse_error's line is counted within the
 * chunk); end frees it, says what it saw in stats, and gives any error
 * about the input as a whole.  perfscript__parse is the three in one.
 */
struct perfscript;
struct perfscript *perfscript__begin(struct calltree *t);
/*
 * READ_SRCLINE: as stackcollapse-perf.pl --srcline, the line after each
 * frame (perf script -F+srcline) is its source line, appended ":file:line".
 */
#define READ_SRCLINE 1u
struct perfscript *perfscript__begin_flags(struct calltree *t, unsigned flags);
int perfscript__feed(struct perfscript *ps, const char *buf, size_t len,
		     struct parse_error *err);
int perfscript__end(struct perfscript *ps, struct parse_error *err,
		    struct parse_stats *stats);

/* The longest line a reader takes; a longer one is an error with its number. */
#define INPUT_LINE_MAX	(64u << 20)

/* Which of the two formats buf (the start of a file) is in. */
enum profile_format profile__detect(const char *buf, size_t len);

/*
 * Reads a whole file ("-" is standard input) of either format into t, as
 * a stream (profile/input.c).  I/O errors are returned as -errno with
 * err->msg saying what failed; err->line is 0 unless about a line.
 */
int profile__read_path(struct calltree *t, const char *path, struct parse_error *err,
		       struct parse_stats *stats);
/* The same, perf script text read with flags (READ_SRCLINE). */
int profile__read_path_flags(struct calltree *t, const char *path, unsigned flags,
			     struct parse_error *err, struct parse_stats *stats);
/* How a file is read: the perf script reader's flags, pprof's choices. */
struct read_opts {
	unsigned flags;			/* READ_SRCLINE */
	const char *sample_type;	/* pprof: the value read (NULL: pprof's default) */
	enum group_by group;		/* pprof: labels naming a process as root frames */
	const char *const *tag_root;	/* pprof: "key:value" root frames (--tagroot) */
	size_t ntag_root;
};

/* What a file says of itself. */
struct profile_info {
	struct value_type vt;	/* what its values count (samples unless it says) */
	uint32_t hz;		/* its sampling rate, when it says (0: unknown) */
	uint64_t skipped;	/* pprof samples with negative values */
	char types[200];	/* pprof: its sample types */
};

/*
 * Reads a file of any format profile__detect and pprof__sniff know into t
 * (pprof files whole, bounded; text as a stream).  A folded file's first
 * line "# flametop unit=U type=T" gives its unit (SPEC.md).  ro and info
 * may be NULL.
 */
int profile__read(struct calltree *t, const char *path, const struct read_opts *ro,
		  struct profile_info *info, struct parse_error *err, struct parse_stats *stats);

/* The same from an open descriptor, read chunk bytes at a time (0: 1 MiB). */
int profile__read_fd(struct calltree *t, int fd, const char *name, size_t chunk,
		     struct parse_error *err, struct parse_stats *stats);

/*
 * Writes the samples of the subtree at node as folded lines, each with the
 * full path from the root; children in bytewise name order.  0 or -errno.
 */
int folded__write(FILE *out, const struct calltree *t, uint32_t node);

/*
 * Creates path atomically (atomic.h): the data appears under path only once
 * complete.  Without no_clobber a file or symlink at path is replaced and a
 * device or FIFO at path (named by the user) is written to; with it any
 * existing name gives -EEXIST and nothing but a new regular file is made.
 */
int folded__write_path(const char *path, const struct calltree *t, uint32_t node,
		       bool no_clobber);

#endif
