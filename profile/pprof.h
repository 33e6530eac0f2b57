/* SPDX-License-Identifier: MIT */
/*
 * pprof: profiles in pprof's protocol buffer format (github.com/google/pprof,
 * proto/profile.proto; our own description in profile/pprof.proto), gzipped.
 *
 * Written as Go writes CPU profiles: sample types samples/count and
 * cpu/nanoseconds, period type cpu/nanoseconds, period 1e9/Hz.  A frame
 * is a function; the functions inlined at a place ("name_[i]") are extra
 * lines of its location, the caller last; kernel frames ("name_[k]") are
 * in a [kernel.kallsyms] mapping.  When the tree's root frames are who.h's
 * identity frames, who ran each stack goes into sample labels (pid, tid,
 * comm, thread_name, container or cgroup) instead of frames, so that pprof's
 * -tagfocus and -tagroot work.
 *
 * Read back the other way: Go's CPU and heap profiles, or anybody's, one
 * sample type chosen (default: pprof's), every index checked; labels that
 * name a process become the grouping's root frames (who.h).
 */
#ifndef FLAMETOP_PPROF_H
#define FLAMETOP_PPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calltree.h"
#include "folded.h"
#include "units.h"
#include "who.h"

/* Where a function comes from, when known (the symbolizer knows). */
struct pprof_origin {
	const char *module;	/* its file's path */
	const char *build_id;	/* hex */
	const char *file;	/* source file */
	uint32_t line;		/* where it starts */
};
typedef bool (*pprof_origin_fn)(void *ctx, uint32_t name, struct pprof_origin *o);

struct pprof_out {
	struct value_type vt;	/* what the tree counts */
	uint32_t hz;		/* samples: each is 1e9/hz ns (0: 99 Hz) */
	int64_t time_nanos, duration_nanos;
	bool labels;		/* root frames are identity frames: labels */
	bool lines;		/* names are "func:file.c:42" (--lines): line numbers */
	uint32_t scale;		/* each value times this (0: 1): microseconds as nanoseconds */
	pprof_origin_fn origin;	/* NULL: modules only from "[module+0x..]" names */
	void *origin_ctx;
};

/* The subtree at node (full root paths), encoded and gzipped into *buf (malloc'ed). */
int pprof__encode(const struct calltree *t, uint32_t node, const struct pprof_out *o,
		  uint8_t **buf, size_t *len);
/* The same written to out.  0 or -errno. */
int pprof__write(FILE *out, const struct calltree *t, uint32_t node, const struct pprof_out *o);

/* The largest pprof file read, and what it may inflate to. */
#define PPROF_FILE_MAX		(512u << 20)
#define PPROF_INFLATED_MAX	(1024u << 20)

#define PPROF_TAG_ROOTS 8		/* --tagroot keys at most */
/* A sample's frames read at most (Go cuts stacks at 64 or 512); written at most: room for roots */
#define PPROF_SAMPLE_FRAMES_MAX	65536
#define PPROF_WRITE_FRAMES_MAX	(PPROF_SAMPLE_FRAMES_MAX - PPROF_TAG_ROOTS)

struct pprof_in {
	const char *sample_type;	/* NULL: default_sample_type, else the last */
	enum group_by group;		/* root frames from labels naming a process */
	const char *const *tag_root;	/* then a "key:value" frame per key (pprof's -tagroot) */
	size_t ntag_root;
};

struct pprof_info {
	struct value_type vt;		/* the sample type read */
	uint32_t hz;			/* from period, for time samples; 0 unknown */
	uint64_t skipped;		/* samples with negative values (a diff's) */
	char types[200];		/* the sample types there are, "a, b, c" */
};

/* Whether the start of a file (gzip, or a raw Profile message) is pprof's. */
bool pprof__sniff(const void *buf, size_t len);
/*
 * Parses a pprof file (gzipped or not) into t.  0; -EINVAL with err's msg
 * saying what is wrong (no line); -EFBIG when it inflates past the bound;
 * -ENOMEM.
 */
int pprof__parse(struct calltree *t, const void *buf, size_t len, const struct pprof_in *in,
		 struct pprof_info *info, struct parse_error *err);

#endif
