// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../profile/pattern.h"
#include "../profile/textsafe.h"
#include "../sampler/sampler.h"
#include "options.h"
#include "options_int.h"

#ifndef FLAMETOP_VERSION
#define FLAMETOP_VERSION "0.1.0"
#endif

static const char usage_text[] =
	"usage: flametop [FILTER] [OPTIONS]                 live TUI (default: the whole host)\n"
	"       flametop record [FILTER] [OPTIONS] -d SECS -o FILE   headless capture to folded ('-' = stdout)\n"
	"       flametop view FILE                          TUI over a saved profile or history ('-' = stdin)\n"
	"       flametop diff BEFORE AFTER                  TUI in diff mode on two saved profiles\n"
	"       flametop report [-n N] [--sort self|total|delta] [--diff BEFORE] [TRANSFORMS] FILE\n"
	"       flametop fold FILE [-o OUT] [--to FORMAT] [--lines]   perf-script text, folded or pprof\n"
	"                                  -> normalized folded, or FORMAT\n"
	"\n"
	"FILTER:  -p, --pid PID[,PID...]   processes, their threads and descendants (running or forked later)\n"
	"         -c, --cgroup ID|UNIT|PATH   a container (id or unique prefix, any runtime; a pod uid),\n"
	"                                  a systemd unit, or a cgroup v2 directory (absolute, or\n"
	"                                  relative to the cgroup2 mount)\n"
	"         -a, --all                the whole host (the default)\n"
	"OPTIONS: -F, --freq HZ            sampling frequency per CPU (default 99; 1..10000)\n"
	"         --no-kernel | --kernel-only   (default: both user and kernel frames)\n"
	"         --unwind fp|dwarf|auto   user stacks by frame pointers, by .eh_frame, or by\n"
	"                                  .eh_frame where a binary has it (default: auto)\n"
	"         --no-inline              no frames for inlined functions (from debug info)\n"
	"         --no-debuginfod          no debug info from DEBUGINFOD_URLS' servers\n"
	"         --lines                  frames as func:file.c:LINE (DWARF line info; fold:\n"
	"                                  perf script -F+srcline's lines, as --srcline)\n"
	"         --event cpu|offcpu|cpu,offcpu   on-CPU samples (default), off-CPU time (record:\n"
	"                                  microseconds blocked, where each thread waited), or\n"
	"                                  both: wall time (samples as 1/Hz each)\n"
	"         --min-block US           off-CPU: shorter blocks left out (default 1)\n"
	"         --offcpu-states S|D|SD   off-CPU: sleeps (S), disk waits (D), or both (default)\n"
	"         --offcpu-sample N        off-CPU: one context switch in N, counted N times\n"
	"         --group comm|pid|thread|container   the root frames: the process name (default),\n"
	"                                  comm-PID, thread-PID/TID, or its container above it\n"
	"         --retain SECS            history kept for rewind (default 600)\n"
	"         --timeline               record: the file keeps each second apart (a saved\n"
	"                                  history: 'flametop view' of it rewinds and diffs)\n"
	"         --window SECS            width of the live window (default 10)\n"
	"         --snapshot-dir DIR       where 's' writes snapshots and 'w' the history (default: .)\n"
	"         --format folded|pprof|speedscope|svg   record/fold output (default: by -o's\n"
	"                                  extension: .pb.gz .pprof .json .svg, else folded)\n"
	"         --snapshot-format FORMAT what 's' writes (default: folded)\n"
	"         --sample-type NAME       pprof input: the value read (default: as pprof picks)\n"
	"         --tagroot KEY[,KEY...]   pprof input: labels as root frames \"KEY:VALUE\" (pprof's)\n"
	"         --push URL               send each finished window to Grafana Pyroscope\n"
	"         --tenant ID | --app NAME | --push-token-file F | --push-auth-file F\n"
	"                                  its X-Scope-OrgID, application name, bearer token or\n"
	"                                  user:password (from files, never the command line)\n"
	"         --keymap default|vim|htop   the explorer's built-in keys (default: default)\n"
	"         --keys FILE              key bindings on top of the keymap\n"
	"                                  (default: ~/.config/flametop/keys when it exists)\n"
	"         --no-mouse               leave the mouse to the terminal\n"
	"         -n N                     report: rows (default 20; 0 = all)\n"
	"TRANSFORMS (report, fold, view, diff, live; applied in their order, as pprof's):\n"
	"         --focus RE               only stacks through a frame matching RE (PCRE2)\n"
	"         --hide RE                frames matching RE taken out, callees merged up\n"
	"         --drop RE                stacks through a frame matching RE left out\n"
	"         --collapse-recursion[=all]   a;b;b;c -> a;b;c (all: indirect recursion too)\n"
	"         --version, -h/--help\n";

void options__usage(FILE *out)
{
	fputs(usage_text, out);
}

int options_usage_error(const char *fmt, const char *arg)
{
	/* arg is the user's word: escaped (textsafe.h) */
	fputs("flametop: ", stderr);
	textsafe__fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	options__usage(stderr);
	return 2;
}

bool options_parse_ulong(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_pids(struct options *o, const char *arg)
{
	const char *p = arg;

	while (*p) {
		char buf[16];
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		unsigned long v;

		if (!n || n >= sizeof(buf) || o->npids == MAX_PIDS)
			return false;
		memcpy(buf, p, n);
		buf[n] = '\0';
		if (!options_parse_ulong(buf, 1, INT_MAX, &v))
			return false;
		o->pids[o->npids++] = (pid_t)v;
		p += n;
		if (*p == ',' && !*++p)
			return false;
	}
	return o->npids > 0;
}

static const struct {
	const char *name;
	enum command cmd;
	size_t min_files, max_files;
} commands[] = {
	{ "record", CMD_RECORD, 0, 0 },
	{ "view", CMD_VIEW, 1, 1 },
	{ "diff", CMD_DIFF, 2, 2 },
	{ "report", CMD_REPORT, 1, 1 },
	{ "fold", CMD_FOLD, 1, 1 },
};


static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "cgroup", required_argument, NULL, 'c' },
	{ "all", no_argument, NULL, 'a' },
	{ "freq", required_argument, NULL, 'F' },
	{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
	{ "kernel-only", no_argument, NULL, OPT_KERNEL_ONLY },
	{ "retain", required_argument, NULL, OPT_RETAIN },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "duration", required_argument, NULL, 'd' },
	{ "output", required_argument, NULL, 'o' },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "diff", required_argument, NULL, OPT_DIFF },
	{ "snapshot-dir", required_argument, NULL, OPT_SNAPSHOT_DIR },
	{ "keys", required_argument, NULL, OPT_KEYS },
	{ "keymap", required_argument, NULL, OPT_KEYMAP },
	{ "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
	{ "unwind", required_argument, NULL, OPT_UNWIND },
	{ "no-inline", no_argument, NULL, OPT_NO_INLINE },
	{ "no-debuginfod", no_argument, NULL, OPT_NO_DEBUGINFOD },
	{ "lines", no_argument, NULL, OPT_LINES },
	{ "timeline", no_argument, NULL, OPT_TIMELINE },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "focus", required_argument, NULL, OPT_FOCUS },
	{ "hide", required_argument, NULL, OPT_HIDE },
	{ "drop", required_argument, NULL, OPT_DROP },
	{ "collapse-recursion", optional_argument, NULL, OPT_RECURSION },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "to", required_argument, NULL, OPT_FORMAT },
	{ "snapshot-format", required_argument, NULL, OPT_SNAPSHOT_FORMAT },
	{ "sample-type", required_argument, NULL, OPT_SAMPLE_TYPE },
	{ "tagroot", required_argument, NULL, OPT_TAG_ROOT },
	{ "event", required_argument, NULL, OPT_EVENT },
	{ "min-block", required_argument, NULL, OPT_MIN_BLOCK },
	{ "offcpu-sample", required_argument, NULL, OPT_OFFCPU_SAMPLE },
	{ "offcpu-states", required_argument, NULL, OPT_OFFCPU_STATES },
	{ "push", required_argument, NULL, OPT_PUSH },
	{ "tenant", required_argument, NULL, OPT_TENANT },
	{ "app", required_argument, NULL, OPT_APP },
	{ "push-token-file", required_argument, NULL, OPT_PUSH_TOKEN },
	{ "push-auth-file", required_argument, NULL, OPT_PUSH_AUTH },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Which options each command takes; anything else is a usage error. */
static bool allowed(enum command cmd, int opt)
{
	bool sampling = cmd == CMD_LIVE || cmd == CMD_RECORD;

	switch (opt) {
	case 'p': case 'c': case 'a': case 'F': case OPT_NO_KERNEL: case OPT_KERNEL_ONLY:
	case OPT_UNWIND: case OPT_NO_INLINE: case OPT_NO_DEBUGINFOD:
	case OPT_PUSH: case OPT_TENANT: case OPT_APP: case OPT_PUSH_TOKEN: case OPT_PUSH_AUTH:
		return sampling;
	case OPT_EVENT: case OPT_MIN_BLOCK: case OPT_OFFCPU_SAMPLE: case OPT_OFFCPU_STATES:
		return sampling;
	case OPT_FORMAT:
		return cmd == CMD_RECORD || cmd == CMD_FOLD;
	case OPT_SNAPSHOT_FORMAT:
		return cmd == CMD_LIVE || cmd == CMD_VIEW || cmd == CMD_DIFF;
	case OPT_SAMPLE_TYPE: case OPT_TAG_ROOT:
		return !sampling;
	case OPT_LINES:
		return sampling || cmd == CMD_FOLD;
	case OPT_RETAIN:
		return cmd == CMD_LIVE || cmd == CMD_VIEW || cmd == CMD_DIFF;
	case OPT_WINDOW: case OPT_SNAPSHOT_DIR: case OPT_KEYS: case OPT_KEYMAP:
	case OPT_NO_MOUSE:
		return cmd == CMD_LIVE || cmd == CMD_VIEW || cmd == CMD_DIFF;
	case 'd': case OPT_TIMELINE:
		return cmd == CMD_RECORD;
	case 'o':
		return cmd == CMD_RECORD || cmd == CMD_FOLD;
	case 'n': case OPT_SORT: case OPT_DIFF:
		return cmd == CMD_REPORT;
	case OPT_FOCUS: case OPT_HIDE: case OPT_DROP: case OPT_RECURSION:
		return cmd != CMD_RECORD;
	default:
		return true;
	}
}

/* The filter and how stacks are taken (live and record only). */
int options_parse_sampling(struct options *o, int c, const char *arg, const char *optname)
{
	unsigned long v;

	switch (c) {
	case 'p':
		if (o->target == TARGET_CGROUP)
			return options_usage_error("%s: choose one of -p, -c and -a", optname);
		o->target = TARGET_PIDS;
		if (!parse_pids(o, arg))
			return options_usage_error("bad pid list '%s'", arg);
		return 0;
	case 'c':
		if (o->target == TARGET_PIDS || !*arg)
			return options_usage_error("%s: choose one of -p, -c and -a", optname);
		o->target = TARGET_CGROUP;
		o->cgroup = arg;
		return 0;
	case 'a':
		if (o->target != TARGET_ALL)
			return options_usage_error("%s: choose one of -p, -c and -a", optname);
		return 0;
	case 'F':
		if (!options_parse_ulong(arg, 1, 10000, &v))
			return options_usage_error("-F takes a frequency from 1 to 10000 Hz, not '%s'", arg);
		o->freq = (unsigned)v;
		return 0;
	case OPT_NO_KERNEL:
	case OPT_KERNEL_ONLY:
		if (o->stacks != STACKS_BOTH)
			return options_usage_error("%s: --no-kernel and --kernel-only exclude each other",
					   optname);
		o->stacks = c == OPT_NO_KERNEL ? STACKS_USER : STACKS_KERNEL;
		return 0;
	case OPT_NO_INLINE:
		o->no_inline = true;
		return 0;
	case OPT_NO_DEBUGINFOD:
		o->no_debuginfod = true;
		return 0;
	case OPT_LINES:
		o->lines = true;
		return 0;
	case OPT_GROUP:
		o->group = group__find(arg);
		if (o->group == GROUP_COUNT)
			return options_usage_error("--group takes comm, pid, thread or container, not '%s'",
					   arg);
		return 0;
	case OPT_UNWIND: {
		static const char *const modes[] = { "auto", "fp", "dwarf" };

		for (int i = 0; i < 3; i++)
			if (!strcmp(arg, modes[i])) {
				o->unwind = i;
				return 0;
			}
		return options_usage_error("--unwind takes fp, dwarf or auto, not '%s'", arg);
	}
	default:
		return 2;
	}
}

/* A transform, its regex checked now: a typo is a usage error, not a later failure. */
static int parse_xform(struct options *o, int c, const char *arg, const char *optname)
{
	enum xform_kind kind = c == OPT_FOCUS ? XF_FOCUS : c == OPT_HIDE ? XF_HIDE :
			       c == OPT_DROP ? XF_DROP : XF_RECURSION;
	struct pattern *re;
	char why[160], msg[240];

	if (o->nxf == XFORMS_MAX)
		return options_usage_error("at most %s transforms", "16");
	if (c == OPT_RECURSION && arg) {
		if (strcmp(arg, "all"))
			return options_usage_error("--collapse-recursion takes nothing or '=all', not '%s'",
					   arg);
		kind = XF_RECURSION_ALL;
	}
	if (xform__takes_re(kind)) {
		if (!*arg || strlen(arg) >= XFORM_RE_MAX)
			return options_usage_error("%s takes a regex of 1 to 255 bytes", optname);
		re = pattern__new(arg, why, sizeof(why));
		if (!re) {
			snprintf(msg, sizeof(msg), "%s: %s", optname, why);
			return options_usage_error("%s", msg);
		}
		pattern__free(re);
	}
	o->xf[o->nxf].kind = kind;
	o->xf[o->nxf++].re = xform__takes_re(kind) ? arg : NULL;
	return 0;
}

int options__xforms(const struct options *o, struct xforms *xs)
{
	char why[160];

	for (size_t i = 0; i < o->nxf; i++)
		if (xforms__push(xs, o->xf[i].kind, o->xf[i].re, 0, why, sizeof(why))) {
			fprintf(stderr, "flametop: %s\n", why);
			xforms__clear(xs);
			return -ENOMEM;
		}
	return 0;
}

static int parse_opt(struct options *o, int c, const char *arg, const char *optname)
{
	unsigned long v;
	char *end;

	if (!allowed(o->cmd, c))
		return options_usage_error("option %s does not apply to this command", optname);
	switch (c) {
	case OPT_RETAIN:
	case OPT_WINDOW:
		if (!options_parse_ulong(arg, 1, 7 * 86400, &v))
			return options_usage_error(c == OPT_RETAIN ?
						   "--retain takes 1 to 604800 seconds, not '%s'" :
						   "--window takes 1 to 604800 seconds, not '%s'", arg);
		*(c == OPT_RETAIN ? &o->retain : &o->window) = (unsigned)v;
		return 0;
	case 'd':
		errno = 0;
		o->duration = strtod(arg, &end);
		if (errno || *end || end == arg || !(o->duration > 0) ||
		    o->duration > 366 * 86400.0 || isspace((unsigned char)*arg))
			return options_usage_error("-d takes a positive number of seconds, not '%s'", arg);
		return 0;
	case 'o':
		if (!*arg)
			return options_usage_error("%s needs a file name", optname);
		o->output = arg;
		return 0;
	case 'n':
		if (!options_parse_ulong(arg, 0, LONG_MAX, &v))
			return options_usage_error("-n takes a number of rows, not '%s'", arg);
		o->report.limit = (long)v;
		return 0;
	case OPT_SORT:
		if (!strcmp(arg, "self"))
			o->report.sort = REPORT_SELF;
		else if (!strcmp(arg, "total"))
			o->report.sort = REPORT_TOTAL;
		else if (!strcmp(arg, "delta"))
			o->report.sort = REPORT_DELTA;
		else
			return options_usage_error("--sort takes self, total or delta, not '%s'", arg);
		return 0;
	case OPT_DIFF:
		o->diff_before = arg;
		return 0;
	case OPT_SNAPSHOT_DIR:
		if (!*arg)
			return options_usage_error("%s needs a directory", optname);
		o->snapshot_dir = arg;
		return 0;
	case OPT_KEYS:
		if (!*arg)
			return options_usage_error("%s needs a file name", optname);
		o->keys_file = arg;
		return 0;
	case OPT_KEYMAP:
		if (strcmp(arg, "default") && strcmp(arg, "vim") && strcmp(arg, "htop"))
			return options_usage_error("--keymap takes default, vim or htop, not '%s'", arg);
		o->keymap = arg;
		return 0;
	case OPT_NO_MOUSE:
		o->no_mouse = true;
		return 0;
	case OPT_TIMELINE:
		o->timeline = true;
		return 0;
	case OPT_FOCUS: case OPT_HIDE: case OPT_DROP: case OPT_RECURSION:
		return parse_xform(o, c, arg, optname);
	default:
		return options_parse_output(o, c, arg, optname);
	}
}

int options__parse(struct options *o, int argc, char **argv)
{
	size_t i, min_files = 0, max_files = 0;
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->cmd = CMD_LIVE;
	o->freq = 99;
	o->retain = 600;
	o->window = 10;
	o->snapshot_dir = ".";
	o->report.limit = 20;
	o->ev_cpu = true;
	o->min_block_us = 1;
	o->report.sort = REPORT_SELF;
	if (argc > 1) {
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
			if (strcmp(argv[1], commands[i].name))
				continue;
			o->cmd = commands[i].cmd;
			min_files = commands[i].min_files;
			max_files = commands[i].max_files;
			argv++;
			argc--;
			break;
		}
	}
	optind = 1;
	opterr = 0;
	for (;;) {
		int idx = -1;
		char optname[64];

		c = getopt_long(argc, argv, ":p:c:aF:d:o:n:h", longopts, &idx);
		if (c == -1)
			break;
		if (idx >= 0)
			snprintf(optname, sizeof(optname), "--%s", longopts[idx].name);
		else
			snprintf(optname, sizeof(optname), "-%c", optopt ? optopt : c);
		if (c == '?')
			return options_usage_error("unknown option '%s'", argv[optind - 1]);
		if (c == ':')
			return options_usage_error("option '%s' needs a value", argv[optind - 1]);
		if (c == 'h') {
			options__usage(stdout);
			return 1;
		}
		if (c == OPT_VERSION) {
			printf("flametop %s\n", FLAMETOP_VERSION);
			return 1;
		}
		ret = parse_opt(o, c, optarg, optname);
		if (ret)
			return ret;
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (o->nfiles == max_files)
			return options_usage_error("unexpected argument '%s'", argv[i]);
		o->files[o->nfiles++] = argv[i];
	}
	if (o->nfiles < min_files)
		return options_usage_error("%s", min_files == 2 ? "two files are needed" : "a file is needed");
	if (o->cmd == CMD_RECORD && (!o->duration || !o->output))
		return options_usage_error("%s", "record needs -d SECS and -o FILE");
	if (o->report.sort == REPORT_DELTA && !o->diff_before)
		return options_usage_error("%s", "--sort delta needs --diff BEFORE");
	return options_check_output(o);
}

void options__sampler(const struct options *o, struct sampler_opts *so)
{
	*so = (struct sampler_opts){
		.target = o->target == TARGET_PIDS ? SAMPLE_PIDS :
			  o->target == TARGET_CGROUP ? SAMPLE_CGROUP : SAMPLE_ALL,
		.pids = o->pids,
		.npids = o->npids,
		.cgroup = o->cgroup,
		.freq = o->freq,
		.user = o->stacks != STACKS_KERNEL,
		.kernel = o->stacks != STACKS_USER,
		.unwind = (enum sampler_unwind)o->unwind,
		.no_inline = o->no_inline,
		.no_debuginfod = o->no_debuginfod,
		.lines = o->lines,
		.cpu = o->ev_cpu,
		.offcpu = o->ev_offcpu,
		.min_block_us = o->min_block_us,
		.offcpu_states = o->offcpu_states,
		.offcpu_sample = o->offcpu_sample,
	};
}
