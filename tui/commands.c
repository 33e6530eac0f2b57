// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../profile/folded.h"
#include "../profile/report.h"
#include "../profile/textsafe.h"
#include "commands.h"

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

int load_profile_flags(struct calltree *t, const char *path, unsigned flags)
{
	struct parse_error err = { 0 };
	struct parse_stats stats = { 0 };
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	int ret = profile__read_path_flags(t, path, flags, &err, &stats);

	if (ret && err.line)
		return die("%s:%lu: %s", name, err.line, err.msg);
	if (ret)
		return die("%s", err.msg[0] ? err.msg : strerror(-ret));
	if (stats.skipped)
		die("%s: %lu perf script lines not understood, skipped", name, stats.skipped);
	return 0;
}

int load_profile(struct calltree *t, const char *path)
{
	return load_profile_flags(t, path, 0);
}

int cmd_report(const struct options *o)
{
	struct strtab *names = strtab__new();
	struct calltree *t = names ? calltree__new(names) : NULL;
	struct calltree *before = names ? calltree__new(names) : NULL;
	int ret = 1, err;

	if (!names || !t || !before) {
		die("out of memory");
		goto cleanup;
	}
	if (o->diff_before && load_profile(before, o->diff_before))
		goto cleanup;
	if (load_profile(t, o->files[0]))
		goto cleanup;
	err = report__print(stdout, t, o->diff_before ? before : NULL, &o->report);
	if (!err && fflush(stdout))
		err = -errno;
	if (err) {
		die("writing the report: %s", strerror(-err));
		goto cleanup;
	}
	ret = 0;
cleanup:
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
	int ret = 1, err;

	if (!names || !t) {
		die("out of memory");
		goto cleanup;
	}
	/* --lines: perf script -F+srcline's lines after the frames, as --srcline reads them */
	if (load_profile_flags(t, o->files[0], o->lines ? READ_SRCLINE : 0))
		goto cleanup;
	err = folded__write_path(out, t, CT_ROOT, false);
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
	calltree__free(t);
	strtab__free(names);
	return ret;
}
