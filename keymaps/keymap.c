// SPDX-License-Identifier: MIT
/*
 * Keymaps: the action table's names, key names, and the one parser every
 * keymap goes through.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/readall.h"
#include "../profile/textsafe.h"
#include "builtin.h"
#include "keymap.h"

static const char *const action_names[ACT_COUNT] = {
#define FT_ACTION_NAME(id, name, desc) [ACT_##id] = name,
	FT_ACTIONS(FT_ACTION_NAME)
#undef FT_ACTION_NAME
};

static const char *const action_descs[ACT_COUNT] = {
#define FT_ACTION_DESC(id, name, desc) [ACT_##id] = desc,
	FT_ACTIONS(FT_ACTION_DESC)
#undef FT_ACTION_DESC
};

const char *action__name(enum action a)
{
	return a >= 0 && a < ACT_COUNT ? action_names[a] : "none";
}

const char *action__description(enum action a)
{
	return a >= 0 && a < ACT_COUNT ? action_descs[a] : "";
}

enum action action__find(const char *name)
{
	for (int a = 0; a < ACT_COUNT; a++)
		if (!strcmp(action_names[a], name))
			return (enum action)a;
	return ACT_NONE;
}

static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Tab", KEY_CODE_TAB },	{ "Enter", KEY_CODE_ENTER },
	{ "Esc", KEY_CODE_ESC },	{ "Space", KEY_CODE_SPACE },
	{ "Backspace", KEY_CODE_BACKSPACE }, { "Up", KEY_CODE_UP },
	{ "Down", KEY_CODE_DOWN },	{ "Left", KEY_CODE_LEFT },
	{ "Right", KEY_CODE_RIGHT },	{ "Home", KEY_CODE_HOME },
	{ "End", KEY_CODE_END },	{ "PgUp", KEY_CODE_PGUP },
	{ "PgDn", KEY_CODE_PGDN },	{ "Insert", KEY_CODE_INSERT },
	{ "Delete", KEY_CODE_DELETE },	{ "S-Tab", KEY_CODE_BACKTAB },
	{ "Hash", '#' },
};

int key__parse(const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
		if (!strcasecmp(key_names[i].name, name))
			return key_names[i].key;
	if (len == 1 && isgraph((unsigned char)name[0]))
		return (unsigned char)name[0];
	if (len == 3 && (name[0] == 'C' || name[0] == 'c') && name[1] == '-' &&
	    isalpha((unsigned char)name[2]))
		return tolower((unsigned char)name[2]) - 'a' + 1;
	if ((name[0] == 'F' || name[0] == 'f') && len >= 2 && len <= 3 &&
	    isdigit((unsigned char)name[1]) && (len == 2 || isdigit((unsigned char)name[2]))) {
		int n = atoi(name + 1);

		if (n >= 1 && n <= 12)
			return KEY_CODE_F(n);
	}
	return -1;
}

const char *key__name(int key, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++) {
		if (key_names[i].key == key && key != '#') {
			snprintf(buf, size, "%s", key_names[i].name);
			return buf;
		}
	}
	if (key >= KEY_CODE_F1 && key < KEY_CODE_MAX)
		snprintf(buf, size, "F%d", key - KEY_CODE_F1 + 1);
	else if (key >= 1 && key <= 26)
		snprintf(buf, size, "C-%c", 'a' + key - 1);
	else if (key > 32 && key < 127)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "<%d>", key);
	return buf;
}

struct keymap {
	const char *base;	/* the built-in keymap last started from */
	signed char action[KEY_CODE_MAX];
	unsigned seq[KEY_CODE_MAX];	/* order of binding, for stable listings */
	unsigned next_seq;
};

struct keymap *keymap__new(void)
{
	struct keymap *km = calloc(1, sizeof(*km));

	if (km)
		memset(km->action, ACT_NONE, sizeof(km->action));
	return km;
}

void keymap__free(struct keymap *km)
{
	free(km);
}

const char *const *keymap__builtin_names(void)
{
	static const char *names[8];

	if (!names[0])
		for (size_t i = 0; builtin_keymaps[i].name && i + 1 < 8; i++)
			names[i] = builtin_keymaps[i].name;
	return names;
}

static const struct builtin_keymap *builtin(const char *name)
{
	for (size_t i = 0; builtin_keymaps[i].name; i++)
		if (!strcmp(builtin_keymaps[i].name, name))
			return &builtin_keymaps[i];
	return NULL;
}

static void bind(struct keymap *km, int key, enum action a)
{
	km->action[key] = (signed char)a;
	km->seq[key] = km->next_seq++;
}

int keymap__use_builtin(struct keymap *km, const char *name)
{
	const struct builtin_keymap *b = builtin(name);

	if (!b)
		return -ENOENT;
	memset(km->action, ACT_NONE, sizeof(km->action));
	km->base = b->name;
	/* built-in keymaps are checked by the tests; an error here is a bug */
	return keymap__parse(km, b->text, strlen(b->text), name, NULL, NULL) ? -EINVAL : 0;
}

const char *keymap__base(const struct keymap *km)
{
	return km->base ? km->base : "none";
}

/* Splits a line into at most three whitespace-separated words. */
static size_t split_words(char *line, char **words)
{
	size_t n = 0;
	char *save = NULL;

	for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == 3)
			return 4;
		words[n++] = w;
	}
	return n;
}

/* A word of the file, quoted in a message: escaped, at most about 40 bytes. */
static const char *quoted(const char *word, char *buf, size_t size)
{
	return textsafe__escape(buf, size, word, strlen(word));
}

/* Applies one line; NULL when it is good, else what is wrong with it. */
static const char *parse_line(struct keymap *km, char *line, char *msg, size_t size)
{
	char *w[3], q[44];
	size_t n = split_words(line, w);
	enum action a;
	int key;

	if (n == 0)
		return NULL;
	if (n != 2)
		return "expected 'KEY ACTION'";
	if (!strcmp(w[0], "keymap")) {
		if (keymap__use_builtin(km, w[1]) == 0)
			return NULL;
		snprintf(msg, size, "unknown keymap '%s' (default, vim or htop)",
			 quoted(w[1], q, sizeof(q)));
		return msg;
	}
	key = key__parse(w[0]);
	if (key < 0) {
		snprintf(msg, size, "unknown key '%s'", quoted(w[0], q, sizeof(q)));
		return msg;
	}
	if (!strcmp(w[1], "none")) {
		km->action[key] = ACT_NONE;
		return NULL;
	}
	a = action__find(w[1]);
	if (a == ACT_NONE) {
		snprintf(msg, size, "unknown action '%s'", quoted(w[1], q, sizeof(q)));
		return msg;
	}
	bind(km, key, a);
	return NULL;
}

unsigned keymap__parse(struct keymap *km, const char *text, size_t len, const char *origin,
		       keymap_error_fn err, void *ctx)
{
	unsigned bad = 0, lineno = 0;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char line[256], msg[96];
		const char *what;
		size_t skip = 0;

		lineno++;
		while (skip < n && (p[skip] == ' ' || p[skip] == '\t'))
			skip++;
		if (n && p[n - 1] == '\r')
			n--;
		if (skip < n && p[skip] == '#') {
			what = NULL;
		} else if (n >= sizeof(line) || memchr(p, '\0', n)) {
			what = "line too long or not text";
		} else {
			memcpy(line, p, n);
			line[n] = '\0';
			what = parse_line(km, line, msg, sizeof(msg));
		}
		if (what) {
			bad++;
			if (err)
				err(ctx, origin, lineno, what);
		}
		p = nl ? nl + 1 : end;
	}
	return bad;
}

/*
 * Reads all of fd into *buf, at most KEYMAP_FILE_MAX bytes: a regular file
 * says its size; a pipe or device is read up to the limit.  0 or -errno.
 */
static int read_bounded(int fd, char **buf, size_t *len)
{
	struct stat st;

	*buf = NULL;
	*len = 0;
	if (fstat(fd, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISREG(st.st_mode) && st.st_size > KEYMAP_FILE_MAX)
		return -EFBIG;
	return read_all_max(fd, 4096, KEYMAP_FILE_MAX, buf, len);
}

int keymap__load_file(struct keymap *km, const char *path, keymap_error_fn err, void *ctx)
{
	int fd = open_input(path);
	char *buf;
	size_t len;
	int ret;

	if (fd < 0)
		return fd;
	ret = read_bounded(fd, &buf, &len);
	if (!ret)
		ret = (int)keymap__parse(km, buf, len, path, err, ctx);
	free(buf);
	close(fd);
	return ret;
}

enum action keymap__action(const struct keymap *km, int key)
{
	if (key < 0 || key >= KEY_CODE_MAX)
		return ACT_NONE;
	return (enum action)km->action[key];
}

size_t keymap__keys(const struct keymap *km, enum action a, int *keys, size_t max)
{
	size_t n = 0;

	for (int k = 0; k < KEY_CODE_MAX; k++) {
		if (km->action[k] != a)
			continue;
		/* insertion by binding order */
		size_t i = n < max ? n : max;

		if (n < max) {
			while (i > 0 && km->seq[keys[i - 1]] > km->seq[k]) {
				keys[i] = keys[i - 1];
				i--;
			}
			keys[i] = k;
		}
		n++;
	}
	return n;
}
