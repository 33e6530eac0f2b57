// SPDX-License-Identifier: MIT
/*
 * flametop view: read the profile (any error exits before the terminal is
 * touched), load the keys, open the explorer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../profile/folded.h"
#include "app.h"
#include "commands.h"

struct key_errors {
	unsigned count;
	char first[200];
};

static void on_key_error(void *ctx, const char *origin, unsigned line, const char *msg)
{
	struct key_errors *e = ctx;

	fprintf(stderr, "flametop: %s:%u: %s\n", origin, line, msg);
	const char *base = strrchr(origin, '/');

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
			return die("cannot read keys file %s: %s", path, strerror(-ret));
		}
		snprintf(origin, osize, "keymap %s + %s", name, path);
	}
	if (errs.count > 1)
		snprintf(warning, wsize, "%s (and %u more bad lines)", errs.first, errs.count - 1);
	else if (errs.count)
		snprintf(warning, wsize, "%s", errs.first);
	*out = km;
	return 0;
}

int cmd_view(const struct options *o)
{
	struct strtab *names = strtab__new();
	struct calltree *t = names ? calltree__new(names) : NULL;
	struct keymap *km = NULL;
	char origin[512], warning[256];
	const char *file = o->files[0], *slash = strrchr(file, '/');
	int ret = 1;

	if (!t) {
		die("out of memory");
		goto cleanup;
	}
	if (load_profile(t, file))
		goto cleanup;
	if (load_keys(o, &km, origin, sizeof(origin), warning, sizeof(warning)))
		goto cleanup;
	ret = app__run_view(o, t, strcmp(file, "-") ? (slash ? slash + 1 : file) : "stdin", km,
			    origin, warning[0] ? warning : NULL);
cleanup:
	keymap__free(km);
	calltree__free(t);
	strtab__free(names);
	return ret;
}
