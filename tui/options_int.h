/* SPDX-License-Identifier: MIT */
/* The command line's parser's insides, shared by options.c and options_out.c. */
#ifndef FLAMETOP_OPTIONS_INT_H
#define FLAMETOP_OPTIONS_INT_H

#include <stdbool.h>

struct options;

enum {
	OPT_NO_KERNEL = 256, OPT_KERNEL_ONLY, OPT_RETAIN, OPT_WINDOW, OPT_SORT, OPT_DIFF,
	OPT_VERSION, OPT_SNAPSHOT_DIR, OPT_KEYS, OPT_KEYMAP, OPT_NO_MOUSE, OPT_UNWIND, OPT_NO_INLINE,
	OPT_NO_DEBUGINFOD, OPT_LINES,
	OPT_TIMELINE, OPT_GROUP, OPT_FOCUS, OPT_HIDE, OPT_DROP, OPT_RECURSION,
	OPT_FORMAT, OPT_SNAPSHOT_FORMAT, OPT_SAMPLE_TYPE, OPT_PUSH, OPT_TENANT, OPT_APP,
	OPT_PUSH_TOKEN, OPT_PUSH_AUTH, OPT_TAG_ROOT, OPT_EVENT, OPT_MIN_BLOCK, OPT_OFFCPU_SAMPLE,
	OPT_OFFCPU_STATES,
};

/* Prints the message (arg escaped) and the usage to stderr; returns 2. */
int options_usage_error(const char *fmt, const char *arg);
bool options_parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out);
/* The filter and how stacks are taken (live and record only); 0 or 2. */
int options_parse_sampling(struct options *o, int c, const char *arg, const char *optname);
/* Formats, pprof input, --push (and the rest to options_parse_sampling); 0 or 2. */
int options_parse_output(struct options *o, int c, const char *arg, const char *optname);
/* --event, --min-block, --offcpu-sample, --offcpu-states; 0 or 2. */
int options_parse_event(struct options *o, int c, const char *arg);
/* --tagroot KEY[,KEY...]; 0 or 2. */
int options_parse_tag_root(struct options *o, const char *arg);
/* What the output options say together (the format by -o's name...); 0 or 2. */
int options_check_output(struct options *o);

#endif
