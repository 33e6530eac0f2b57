// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../profile/folded.h"
#include "../profile/report.h"
#include "../profile/textsafe.h"
#include "commands.h"
#include "export.h"

/* The message quotes paths and names from outside: escaped (textsafe.h). */
int die(const char *fmt, ...)
{
	va_list ap;

	fputs("flametop: ", stderr);
	va_start(ap, fmt);
	textsafe__vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int load_profile_info(struct calltree *t, const char *path, const struct read_opts *ro,
		      struct profile_info *info)
{
	struct parse_error err = { 0 };
	struct parse_stats stats = { 0 };
	struct profile_info scratch;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	int ret;

	if (!info)
		info = &scratch;
	ret = profile__read(t, path, ro, info, &err, &stats);
	if (ret && err.line)
		return die("%s:%lu: %s", name, err.line, err.msg);
	/* the pprof reader's messages do not name the file; the text readers' do */
	if (ret && stats.format == FORMAT_PPROF)
		return die("%s: %s", name, err.msg[0] ? err.msg : strerror(-ret));
	if (ret)
		return die("%s", err.msg[0] ? err.msg : strerror(-ret));
	if (stats.skipped)
		die("%s: %lu perf script lines not understood, skipped", name, stats.skipped);
	if (info->skipped)
		die("%s: %llu samples with negative values (a diff's) skipped", name,
		    (unsigned long long)info->skipped);
	return 0;
}

int load_profile(struct calltree *t, const char *path)
{
	return load_profile_info(t, path, NULL, NULL);
}

/* How the command line says files are read. */
void options__read(const struct options *o, struct read_opts *ro)
{
	*ro = (struct read_opts){ .flags = o->lines ? READ_SRCLINE : 0,
				  .sample_type = o->sample_type, .group = o->group,
				  .tag_root = o->tag_root, .ntag_root = o->ntag_root };
}

/* *t with the command line's transforms applied (the same to both sides of a diff). */
static int transform(const struct options *o, struct xforms *xs, struct calltree **t)
{
	struct calltree *shaped;

	if (!o->nxf || !*t)
		return 0;
	shaped = xforms__apply(xs, *t);
	if (!shaped)
		return die("out of memory applying the transforms");
	if (xforms__limited(xs))
		die("a regex was too costly for %u name%s (counted as not matching)",
		    xforms__limited(xs), xforms__limited(xs) == 1 ? "" : "s");
	calltree__free(*t);
	*t = shaped;
	return 0;
}

int cmd_report(const struct options *o)
{
	struct strtab *names = strtab__new();
	struct calltree *t = names ? calltree__new(names) : NULL;
	struct calltree *before = names ? calltree__new(names) : NULL;
	struct report_opts ropts = o->report;
	struct xforms xs = { 0 };
	struct read_opts ro;
	struct profile_info info;
	int ret = 1, err;

	if (!names || !t || !before) {
		die("out of memory");
		goto cleanup;
	}
	options__read(o, &ro);
	if (o->diff_before && load_profile_info(before, o->diff_before, &ro, NULL))
		goto cleanup;
	if (load_profile_info(t, o->files[0], &ro, &info))
		goto cleanup;
	ropts.of_samples = calltree__samples(t);
	ropts.vt = info.vt;
	if (options__xforms(o, &xs) || transform(o, &xs, &t) ||
	    (o->diff_before && transform(o, &xs, &before)))
		goto cleanup;
	err = report__print(stdout, t, o->diff_before ? before : NULL, &ropts);
	if (!err && fflush(stdout))
		err = -errno;
	if (err) {
		die("writing the report: %s", strerror(-err));
		goto cleanup;
	}
	ret = 0;
cleanup:
	xforms__clear(&xs);
	calltree__free(before);
	calltree__free(t);
	strtab__free(names);
	return ret;
}

int cmd_fold(const struct options *o)
{
	struct strtab *names = strtab__new();
	struct calltree *t = names ? calltree__new(names) : NULL;
	const char *out = o->output ? o->output : "-";
	struct xforms xs = { 0 };
	struct read_opts ro;
	struct profile_info info;
	struct export_meta m = { .title = o->files[0] };
	int ret = 1, err;

	if (!names || !t) {
		die("out of memory");
		goto cleanup;
	}
	/* --lines: perf script -F+srcline's lines after the frames, as --srcline reads them */
	options__read(o, &ro);
	if (load_profile_info(t, o->files[0], &ro, &info) ||
	    options__xforms(o, &xs) || transform(o, &xs, &t))
		goto cleanup;
	m.vt = info.vt;
	m.hz = info.hz;
	m.lines = o->lines;
	err = export__write_path(out, o->format, t, CT_ROOT, &m);
	if (err == -ELOOP) {
		die("%s is a symlink: name its target, or '-' for standard output", out);
		goto cleanup;
	}
	if (err) {
		die("cannot write %s: %s", out, strerror(-err));
		goto cleanup;
	}
	ret = 0;
cleanup:
	xforms__clear(&xs);
	calltree__free(t);
	strtab__free(names);
	return ret;
}
