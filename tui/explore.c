// SPDX-License-Identifier: MIT
/*
 * flametop view: read the profile (any error exits before the terminal is
 * touched), load the keys, open the explorer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../profile/folded.h"
#include "../profile/textsafe.h"
#include "../profile/timeline.h"
#include "../util/readall.h"
#include "export.h"
#include "push.h"
#include "app.h"
#include "commands.h"

struct key_errors {
	unsigned count;
	char first[200];
};

static void on_key_error(void *ctx, const char *origin, unsigned line, const char *msg)
{
	struct key_errors *e = ctx;
	const char *base = strrchr(origin, '/');

	/* the file's name comes from outside; msg's quoted words are escaped already */
	textsafe__fprintf(stderr, "flametop: %s:%u: %s", origin, line, msg);
	fputc('\n', stderr);
	/* the status line is narrow: the file's name there, its path on stderr */
	if (!e->count++)
		snprintf(e->first, sizeof(e->first), "%s:%u: %s", base ? base + 1 : origin, line,
			 msg);
}

/* The user's keys file: --keys, else $XDG_CONFIG_HOME or ~/.config/flametop/keys. */
static const char *user_keys_path(const struct options *o, char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (o->keys_file)
		return o->keys_file;
	if (xdg && *xdg)
		snprintf(buf, size, "%s/flametop/keys", xdg);
	else if (home && *home)
		snprintf(buf, size, "%s/.config/flametop/keys", home);
	else
		return NULL;
	return access(buf, F_OK) == 0 ? buf : NULL;
}

/*
 * Builds the keymap; 1 after a message when it cannot (the file named by
 * --keys unreadable).  A bad line only warns: the rest still loads.
 */
int load_keys(const struct options *o, struct keymap **out, char *origin, size_t osize,
	      char *warning, size_t wsize)
{
	struct keymap *km = keymap__new();
	struct key_errors errs = { 0 };
	const char *name = o->keymap ? o->keymap : "default";
	char buf[4096];
	const char *path = user_keys_path(o, buf, sizeof(buf));
	int ret;

	warning[0] = '\0';
	if (!km || keymap__use_builtin(km, name)) {
		keymap__free(km);
		return die("out of memory");
	}
	snprintf(origin, osize, "keymap %s", name);
	if (path) {
		ret = keymap__load_file(km, path, on_key_error, &errs);
		if (ret < 0) {
			keymap__free(km);
			if (ret == -EISDIR)
				return die("keys file %s is a directory, not a file", path);
			if (ret == -EFBIG)
				return die("keys file %s is larger than the %u KiB limit for a keys file",
					   path, KEYMAP_FILE_MAX / 1024);
			return die("cannot read keys file %s: %s", path, strerror(-ret));
		}
		/* the file may start over from another built-in map ("keymap vim") */
		snprintf(origin, osize, "keymap %s + %s", keymap__base(km), path);
	}
	if (errs.count > 1)
		snprintf(warning, wsize, "%s (and %u more bad lines)", errs.first, errs.count - 1);
	else if (errs.count)
		snprintf(warning, wsize, "%s", errs.first);
	*out = km;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return !strcmp(path, "-") ? "stdin" : slash ? slash + 1 : path;
}

/* The name a file gives snapshots: its base name without the extension. */
static void target_of(const char *path, char *buf, size_t size)
{
	char *dot;

	snprintf(buf, size, "%s", base_name(path));
	dot = strrchr(buf, '.');
	if (dot && dot > buf)
		*dot = '\0';
}

/*
 * Whether path starts as a saved history.  Read where it lies (pread), so
 * a regular file — standard input redirected from one too — is then read
 * from its start; a pipe cannot be peeked at and is read as a profile.
 */
static bool is_history(const char *path)
{
	char head[64];
	struct stat st;
	int fd;
	ssize_t n;

	/* not opened unless regular: opening a FIFO would take its writer away */
	if (strcmp(path, "-") ? stat(path, &st) : fstat(0, &st))
		return false;	/* the reader says why */
	if (!S_ISREG(st.st_mode))
		return false;
	fd = strcmp(path, "-") ? open_input(path) : 0;
	if (fd < 0)
		return false;
	n = pread(fd, head, sizeof(head), 0);
	if (fd != 0)
		close(fd);
	return n > 0 && timeline__detect(head, (size_t)n);
}

/* The live view of a source: the sampler, or a saved history to replay. */
static int open_live(struct app *a, const struct options *o, struct strtab *names)
{
	char err[2048];
	struct source *src = o->cmd == CMD_LIVE ? source__sampler(o, names, err, sizeof(err))
						: source__replay(o->files[0], names, err, sizeof(err));

	if (src)
		a->live = live__new(src, names, o->retain, o->window, err, sizeof(err));
	if (!a->live)
		return die("%s", err);
	if (app__hold_names(a, names) || live__set_view(a->live, o->group, NULL) ||
	    (o->cmd == CMD_LIVE && o->ev_offcpu && live__set_events(a->live, o->ev_cpu, true)))
		return die("out of memory");
	if (o->push_url && o->cmd == CMD_LIVE) {
		struct push_opts po = {
			.url = o->push_url, .app = o->push_app, .target = src->info.target,
			.tenant = o->tenant, .token_file = o->push_token_file,
			.auth_file = o->push_auth_file, .hz = src->info.hz, .lines = o->lines,
			.origin = export__origin, .origin_ctx = src,
		};
		struct push *p = push__new(&po, names, err, sizeof(err));

		if (!p)
			return die("--push: %s", err);
		live__set_push(a->live, p);
	}
	snprintf(a->title, sizeof(a->title), "%s", src->info.label);
	snprintf(a->target, sizeof(a->target), "%s", src->info.target);
	return 0;
}

/* Two files: the explorer opens on their diff. */
static int open_diff(struct app *a, const struct options *o, struct calltree *before,
		     struct calltree *after)
{
	struct read_opts ro;
	struct profile_info info;

	options__read(o, &ro);
	if (load_profile_info(before, o->files[0], &ro, NULL) ||
	    load_profile_info(after, o->files[1], &ro, &info))
		return 1;
	a->vt = info.vt;
	a->diff.before = before;
	a->diff.on = true;
	snprintf(a->diff.label, sizeof(a->diff.label), "%s", base_name(o->files[0]));
	snprintf(a->title, sizeof(a->title), "%s -> %s", base_name(o->files[0]),
		 base_name(o->files[1]));
	target_of(o->files[1], a->target, sizeof(a->target));
	return 0;
}

/*
 * The ways in: a file (view), a saved history (view, as live), two files
 * (diff), the sampler (live).  Everything that can fail is done before
 * the terminal is touched.
 */
int cmd_explore(const struct options *o)
{
	struct strtab *names = strtab__new();
	struct calltree *after = names ? calltree__new(names) : NULL;
	struct calltree *before = names ? calltree__new(names) : NULL;
	struct app a = { .opts = o };
	bool live = o->cmd == CMD_LIVE || (o->cmd == CMD_VIEW && is_history(o->files[0]));
	char warning[256];
	int ret = 1;

	if (!after || !before) {
		die("out of memory");
		goto cleanup;
	}
	if (o->cmd == CMD_DIFF && open_diff(&a, o, before, after))
		goto cleanup;
	if (o->cmd == CMD_VIEW && !live) {
		struct read_opts ro;
		struct profile_info info;

		options__read(o, &ro);
		if (load_profile_info(after, o->files[0], &ro, &info))
			goto cleanup;
		a.vt = info.vt;
		a.file_hz = info.hz;
		snprintf(a.title, sizeof(a.title), "%s", base_name(o->files[0]));
		target_of(o->files[0], a.target, sizeof(a.target));
	}
	if (load_keys(o, &a.keys, a.keys_origin, sizeof(a.keys_origin), warning,
		      sizeof(warning)))
		goto cleanup;
	if (live && open_live(&a, o, names))
		goto cleanup;
	if (!live)
		a.profile = after;
	/* the command line's transforms: chips from the start, removable as any */
	if (options__xforms(o, &a.shape.xf))
		goto cleanup;
	ret = app__run(&a, warning[0] ? warning : NULL);
cleanup:
	if (a.names)	/* app__run did not free the app */
		strtab__remove_user(a.names, &a);
	live__free(a.live);
	keymap__free(a.keys);
	calltree__free(before);
	calltree__free(after);
	strtab__free(names);
	return ret;
}
