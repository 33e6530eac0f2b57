// SPDX-License-Identifier: MIT
/*
 * The command line's output and input formats, pprof's choices, --push and
 * --event (options.c parses the rest and calls these).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "options_int.h"


/* --event, and how off-CPU time is taken. */
int options_parse_event(struct options *o, int c, const char *arg)
{
	unsigned long v;

	switch (c) {
	case OPT_EVENT:
		o->ev_cpu = !strcmp(arg, "cpu") || !strcmp(arg, "cpu,offcpu") ||
			    !strcmp(arg, "offcpu,cpu");
		o->ev_offcpu = !strcmp(arg, "offcpu") || !strcmp(arg, "cpu,offcpu") ||
			       !strcmp(arg, "offcpu,cpu");
		if (!o->ev_cpu && !o->ev_offcpu)
			return options_usage_error("--event takes cpu, offcpu or cpu,offcpu, not '%s'", arg);
		return 0;
	case OPT_MIN_BLOCK:
		if (!options_parse_ulong(arg, 0, 3600ul * 1000000, &v))
			return options_usage_error("--min-block takes microseconds (0 to an hour), not '%s'", arg);
		o->min_block_us = v;
		return 0;
	case OPT_OFFCPU_SAMPLE:
		if (!options_parse_ulong(arg, 1, 1000000, &v))
			return options_usage_error("--offcpu-sample takes N from 1 to 1000000, not '%s'", arg);
		o->offcpu_sample = (unsigned)v;
		return 0;
	default:	/* --offcpu-states: S (interruptible), D (uninterruptible), or both */
		o->offcpu_states = (strchr(arg, 'S') ? 1u : 0u) | (strchr(arg, 'D') ? 2u : 0u);
		if (!o->offcpu_states || strspn(arg, "SD,") != strlen(arg))
			return options_usage_error("--offcpu-states takes S, D or SD, not '%s'", arg);
		return 0;
	}
}

/* --tagroot KEY[,KEY...]: pprof labels as root frames, in their order. */
int options_parse_tag_root(struct options *o, const char *arg)
{
	char *save = NULL, *key;

	if (strlen(arg) >= sizeof(o->tag_root_buf))
		return options_usage_error("--tagroot takes at most %s bytes", "255");
	snprintf(o->tag_root_buf, sizeof(o->tag_root_buf), "%s", arg);
	o->ntag_root = 0;
	for (key = strtok_r(o->tag_root_buf, ",", &save); key; key = strtok_r(NULL, ",", &save)) {
		if (o->ntag_root == sizeof(o->tag_root) / sizeof(o->tag_root[0]))
			return options_usage_error("--tagroot takes at most %s keys", "8");
		o->tag_root[o->ntag_root++] = key;
	}
	return o->ntag_root ? 0 : options_usage_error("--tagroot needs label keys, not '%s'", arg);
}

/* Formats, pprof input and --push. */
int options_parse_output(struct options *o, int c, const char *arg, const char *optname)
{
	enum out_format f;

	switch (c) {
	case OPT_FORMAT:
	case OPT_SNAPSHOT_FORMAT:
		f = options__format(arg);
		if (f == OUT_COUNT)
			return options_usage_error("--format takes folded, pprof, speedscope or svg, not '%s'",
					   arg);
		if (c == OPT_FORMAT) {
			o->format = f;
			o->format_set = true;
		} else {
			o->snapshot_format = f;
		}
		return 0;
	case OPT_SAMPLE_TYPE:
		if (!*arg)
			return options_usage_error("%s needs a sample type's name", optname);
		o->sample_type = arg;
		return 0;
	case OPT_TAG_ROOT:
		return options_parse_tag_root(o, arg);
	case OPT_EVENT: case OPT_MIN_BLOCK: case OPT_OFFCPU_SAMPLE: case OPT_OFFCPU_STATES:
		return options_parse_event(o, c, arg);
	case OPT_PUSH:
		if (strncmp(arg, "http://", 7) && strncmp(arg, "https://", 8))
			return options_usage_error("--push takes an http:// or https:// URL, not '%s'", arg);
		/* a URL holds no spaces or controls: a line break would reach the request */
		for (const char *u = arg; *u; u++)
			if ((unsigned char)*u <= 0x20 || *u == 0x7f)
				return options_usage_error("--push: a URL has no spaces or control "
							   "characters: '%s'", arg);
		o->push_url = arg;
		return 0;
	case OPT_TENANT: case OPT_APP: case OPT_PUSH_TOKEN: case OPT_PUSH_AUTH:
		if (!*arg || strlen(arg) > 255)
			return options_usage_error("%s needs a value of 1 to 255 bytes", optname);
		/* a header's value or a name: no line breaks or other controls */
		for (const char *c = arg; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return options_usage_error("%s takes no control characters", optname);
		*(c == OPT_TENANT ? &o->tenant : c == OPT_APP ? &o->push_app :
		  c == OPT_PUSH_TOKEN ? &o->push_token_file : &o->push_auth_file) = arg;
		return 0;
	default:
		return options_parse_sampling(o, c, arg, optname);
	}
}

static const char *const format_names[OUT_COUNT] = { "folded", "pprof", "speedscope", "svg" };

enum out_format options__format(const char *name)
{
	for (int i = 0; i < OUT_COUNT; i++)
		if (!strcmp(name, format_names[i]))
			return (enum out_format)i;
	return OUT_COUNT;
}

const char *options__format_name(enum out_format f)
{
	return f < OUT_COUNT ? format_names[f] : "folded";
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && !strcmp(s + n - k, tail);
}

enum out_format options__format_of(const char *path)
{
	if (ends_with(path, ".pb.gz") || ends_with(path, ".pprof") || ends_with(path, ".pb"))
		return OUT_PPROF;
	if (ends_with(path, ".json"))
		return OUT_SPEEDSCOPE;
	if (ends_with(path, ".svg"))
		return OUT_SVG;
	return OUT_FOLDED;
}

/* What the output options say together. */
int options_check_output(struct options *o)
{
	if (!o->format_set && o->output && strcmp(o->output, "-"))
		o->format = options__format_of(o->output);
	if (o->timeline && o->format != OUT_FOLDED)
		return options_usage_error("%s", "--timeline writes folded text only");
	if ((o->tenant || o->push_app || o->push_token_file || o->push_auth_file) && !o->push_url)
		return options_usage_error("%s", "--tenant, --app and the push credentials need --push URL");
	if (o->push_token_file && o->push_auth_file)
		return options_usage_error("%s", "choose one of --push-token-file and --push-auth-file");
	if (!o->ev_offcpu && (o->min_block_us != 1 || o->offcpu_sample || o->offcpu_states))
		return options_usage_error("%s", "--min-block, --offcpu-sample and --offcpu-states need "
				   "--event offcpu (or cpu,offcpu)");
	if (o->ev_offcpu && o->push_url)
		return options_usage_error("%s", "--push sends on-CPU samples (for now): not with --event "
				   "offcpu");
	return 0;
}

