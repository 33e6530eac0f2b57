/* SPDX-License-Identifier: MIT */
/*
 * The command line, read once into a struct that is const afterwards.
 */
#ifndef FLAMETOP_OPTIONS_H
#define FLAMETOP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "../profile/pprof.h"
#include "../profile/report.h"
#include "../profile/transform.h"
#include "../profile/who.h"

/* What a profile is written as: -o's extension, or --format. */
enum out_format { OUT_FOLDED, OUT_PPROF, OUT_SPEEDSCOPE, OUT_SVG, OUT_COUNT };

enum command { CMD_LIVE, CMD_RECORD, CMD_VIEW, CMD_DIFF, CMD_REPORT, CMD_FOLD };
enum target_kind { TARGET_ALL, TARGET_PIDS, TARGET_CGROUP };
enum stack_mode { STACKS_BOTH, STACKS_USER, STACKS_KERNEL };

#define MAX_PIDS 1024

struct options {
	enum command cmd;
	enum target_kind target;
	pid_t pids[MAX_PIDS];
	size_t npids;
	const char *cgroup;
	unsigned freq;
	enum stack_mode stacks;
	int unwind;		/* enum sampler_unwind: auto (0), fp, dwarf */
	bool no_inline;
	bool no_debuginfod;
	bool lines;			/* frames as func:file:line */
	unsigned retain;
	unsigned window;
	double duration;
	bool timeline;		/* record: write the per-second history */
	enum group_by group;	/* the root frames: process, pid, thread, container */
	bool ev_cpu, ev_offcpu;	/* --event: on-CPU samples, off-CPU blocked time */
	unsigned long min_block_us;	/* --min-block */
	unsigned offcpu_sample;		/* --offcpu-sample N */
	unsigned offcpu_states;		/* --offcpu-states: FT_STATE_* bits */
	const char *output;
	enum out_format format;		/* --format, else by -o's extension */
	bool format_set;
	enum out_format snapshot_format;
	const char *sample_type;	/* pprof input: --sample-type */
	const char *tag_root[PPROF_TAG_ROOTS];	/* pprof input: --tagroot KEY,... */
	size_t ntag_root;
	char tag_root_buf[256];
	/* --push: Grafana Pyroscope's ingest API */
	const char *push_url, *tenant, *push_app;
	const char *push_token_file;	/* a bearer token, read from a file */
	const char *push_auth_file;	/* user:password for basic auth, from a file */
	const char *snapshot_dir;
	struct report_opts report;
	const char *diff_before;
	/* --focus, --hide, --drop, --collapse-recursion: in their order */
	struct {
		enum xform_kind kind;
		const char *re;
	} xf[XFORMS_MAX];
	size_t nxf;
	const char *files[2];
	size_t nfiles;
	/* the explorer */
	const char *keymap;	/* built-in keymap name; NULL: default */
	const char *keys_file;	/* --keys; NULL: ~/.config/flametop/keys if present */
	bool no_mouse;
};

/*
 * Parses argv.  Returns 0 to run, 1 when --help/--version was printed
 * (exit 0), or 2 after printing a usage error (exit 2).
 */
int options__parse(struct options *o, int argc, char **argv);
/* The format called name ("pprof"), or OUT_COUNT. */
enum out_format options__format(const char *name);
const char *options__format_name(enum out_format f);
/* The format a file name's extension says (.pb.gz, .pprof, .json, .svg), else folded. */
enum out_format options__format_of(const char *path);
void options__usage(FILE *out);

/* The transforms of the command line, in their order; 0, or -ENOMEM after a message. */
int options__xforms(const struct options *o, struct xforms *xs);

struct sampler_opts;
/* The sampler's options from the command line's filter and frame options. */
void options__sampler(const struct options *o, struct sampler_opts *so);

#endif
