/* SPDX-License-Identifier: MIT */
/*
 * export: a profile written in the format asked for (folded, pprof,
 * speedscope, SVG), by record, fold, the snapshot key and --push.
 */
#ifndef FLAMETOP_EXPORT_H
#define FLAMETOP_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../profile/pprof.h"
#include "options.h"

struct export_meta {
	struct value_type vt;	/* what the tree counts */
	uint32_t hz;		/* samples: the rate they were taken at (0: unknown) */
	int64_t time_nanos, duration_nanos;	/* when (pprof) */
	const char *title;	/* speedscope's profile name, the SVG's title */
	const char *subtitle;	/* the SVG's */
	/* root frames are who.h's identity frames: labels in pprof, grouped by group elsewhere */
	bool labels;
	enum group_by group;
	bool lines;		/* names are "func:file.c:42" (--lines): pprof's line numbers */
	pprof_origin_fn origin;	/* where functions come from (pprof mappings); may be NULL */
	void *origin_ctx;
};

/* The subtree at node of t written to f as fmt.  0 or -errno. */
int export__write(FILE *f, enum out_format fmt, const struct calltree *t, uint32_t node,
		  const struct export_meta *m);
/* The same to a file made atomically ('-': standard output); -ELOOP for a symlink. */
int export__write_path(const char *path, enum out_format fmt, const struct calltree *t,
		       uint32_t node, const struct export_meta *m);
/* A pprof_origin_fn whose ctx is a struct source (what its sampler knows). */
bool export__origin(void *ctx, uint32_t name, struct pprof_origin *o);
/* A file name's suffix for fmt: ".folded", ".pb.gz", ".json", ".svg". */
const char *export__suffix(enum out_format fmt);

#endif
