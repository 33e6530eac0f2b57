// SPDX-License-Identifier: MIT
/* keymaps/: the action table, key names, built-in keymaps, user files. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "../../keymaps/keymap.h"

struct errs {
	unsigned n;
	unsigned lines[16];
	char msgs[16][128];
};

static void collect(void *ctx, const char *origin, unsigned line, const char *msg)
{
	struct errs *e = ctx;

	(void)origin;
	if (e->n < 16) {
		e->lines[e->n] = line;
		snprintf(e->msgs[e->n], sizeof(e->msgs[0]), "%s", msg);
	}
	e->n++;
}

static void test_key_names_round_trip(void **state)
{
	(void)state;
	for (int k = 1; k < KEY_CODE_MAX; k++) {
		char name[16];

		if ((k > 26 && k < 33 && k != KEY_CODE_ESC && k != KEY_CODE_SPACE) ||
		    (k > 127 && k < KEY_CODE_UP))
			continue;
		key__name(k, name, sizeof(name));
		assert_int_equal(key__parse(name), k);
	}
	assert_int_equal(key__parse("C-L"), 12);
	assert_int_equal(key__parse("f10"), KEY_CODE_F(10));
	assert_int_equal(key__parse("F13"), -1);
	assert_int_equal(key__parse("F0"), -1);
	assert_int_equal(key__parse("Hash"), '#');
	assert_int_equal(key__parse("qq"), -1);
	assert_int_equal(key__parse(""), -1);
}

static void test_actions_table(void **state)
{
	(void)state;
	for (int a = 0; a < ACT_COUNT; a++) {
		assert_int_equal(action__find(action__name((enum action)a)), a);
		assert_true(strlen(action__description((enum action)a)) > 3);
	}
	assert_int_equal(action__find("no-such-action"), ACT_NONE);
}

/* The default keymap is SPEC.md's table. */
static void test_default_keymap_is_spec(void **state)
{
	struct keymap *km = keymap__new();
	static const struct {
		const char *key;
		enum action act;
	} spec[] = {
		{ "Up", ACT_MOVE_UP }, { "k", ACT_MOVE_UP }, { "Down", ACT_MOVE_DOWN },
		{ "j", ACT_MOVE_DOWN }, { "Left", ACT_MOVE_LEFT }, { "h", ACT_MOVE_LEFT },
		{ "Right", ACT_MOVE_RIGHT }, { "l", ACT_MOVE_RIGHT }, { "Enter", ACT_ZOOM_IN },
		{ "Backspace", ACT_ZOOM_OUT }, { "Esc", ACT_BACK }, { "Home", ACT_ZOOM_RESET },
		{ "/", ACT_SEARCH }, { "n", ACT_SEARCH_NEXT }, { "N", ACT_SEARCH_PREV },
		{ "t", ACT_TOP }, { "Tab", ACT_TOP_SORT }, { "f", ACT_FLIP }, { "Space", ACT_PAUSE },
		{ "[", ACT_WINDOW_BACK }, { "]", ACT_WINDOW_FORWARD }, { "-", ACT_WINDOW_SHRINK },
		{ "+", ACT_WINDOW_GROW }, { "b", ACT_BASELINE }, { "d", ACT_DIFF },
		{ "s", ACT_SNAPSHOT }, { "?", ACT_HELP }, { "F1", ACT_HELP }, { "q", ACT_QUIT },
		{ "F10", ACT_QUIT },
	};

	(void)state;
	assert_int_equal(keymap__use_builtin(km, "default"), 0);
	for (size_t i = 0; i < sizeof(spec) / sizeof(spec[0]); i++)
		assert_int_equal(keymap__action(km, key__parse(spec[i].key)), spec[i].act);
	keymap__free(km);
}

/* Every built-in keymap parses cleanly and can reach every action that matters. */
static void test_builtin_keymaps(void **state)
{
	const char *const *names = keymap__builtin_names();
	size_t n = 0;

	(void)state;
	for (; names[n]; n++) {
		struct keymap *km = keymap__new();
		int keys[8];

		assert_int_equal(keymap__use_builtin(km, names[n]), 0);
		for (int a = 0; a < ACT_COUNT; a++)
			if (!keymap__keys(km, (enum action)a, keys, 8))
				fail_msg("keymap %s leaves %s unbound", names[n],
					 action__name((enum action)a));
		keymap__free(km);
	}
	assert_int_equal(n, 3);
	struct keymap *km = keymap__new();

	assert_int_equal(keymap__use_builtin(km, "emacs"), -ENOENT);
	keymap__free(km);
}

static void test_user_file_rebinds_and_reports(void **state)
{
	struct keymap *km = keymap__new();
	struct errs e = { 0 };
	static const char text[] =
		"# my keys\r\n"
		"x quit\r\n"
		"q none\n"
		"\n"
		"Z zoom-inn\n"
		"Foo help\n"
		"  C-g   search  \n"
		"a b c\n"
		"Hash flip\n"
		"keymap nano\n";
	int keys[8];

	(void)state;
	keymap__use_builtin(km, "default");
	assert_int_equal(keymap__parse(km, text, sizeof(text) - 1, "keys", collect, &e), 4);
	assert_int_equal(e.n, 4);
	assert_int_equal(e.lines[0], 5);
	assert_string_equal(e.msgs[0], "unknown action 'zoom-inn'");
	assert_int_equal(e.lines[1], 6);
	assert_string_equal(e.msgs[1], "unknown key 'Foo'");
	assert_int_equal(e.lines[2], 8);
	assert_int_equal(e.lines[3], 10);
	/* the good lines applied */
	assert_int_equal(keymap__action(km, 'x'), ACT_QUIT);
	assert_int_equal(keymap__action(km, 'q'), ACT_NONE);
	assert_int_equal(keymap__action(km, 7), ACT_SEARCH);
	assert_int_equal(keymap__action(km, '#'), ACT_FLIP);
	assert_int_equal(keymap__action(km, '/'), ACT_SEARCH);
	/* keys listed in binding order: the default's F10, then the user's x */
	assert_int_equal(keymap__keys(km, ACT_QUIT, keys, 8), 2);
	assert_int_equal(keys[0], KEY_CODE_F(10));
	assert_int_equal(keys[1], 'x');
	/* "keymap vim" starts over from vim's keys, and says so (the help's title) */
	assert_string_equal(keymap__base(km), "default");
	assert_int_equal(keymap__parse(km, "keymap vim\n", 11, "keys", collect, &e), 0);
	assert_int_equal(keymap__action(km, 'u'), ACT_ZOOM_OUT);
	assert_int_equal(keymap__action(km, '#'), ACT_NONE);
	assert_string_equal(keymap__base(km), "vim");
	keymap__free(km);
}

static void test_hostile_files(void **state)
{
	struct keymap *km = keymap__new();
	struct errs e = { 0 };
	char big[1000], bin[64];
	char path[] = "/tmp/flametop-keys-XXXXXX";
	int fd;

	(void)state;
	keymap__use_builtin(km, "default");
	memset(big, 'k', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(keymap__parse(km, big, sizeof(big), "keys", collect, &e), 1);
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i * 37);
	keymap__parse(km, bin, sizeof(bin), "keys", collect, &e);
	/* no final newline, NUL in the line */
	assert_int_equal(keymap__parse(km, "q quit", 6, "keys", NULL, NULL), 0);
	assert_int_equal(keymap__parse(km, "q\0quit\n", 7, "keys", NULL, NULL), 1);
	assert_int_equal(keymap__action(km, 'q'), ACT_QUIT);
	/* files: a missing one is an error, an existing one loads */
	assert_int_equal(keymap__load_file(km, "/nonexistent/keys", NULL, NULL), -ENOENT);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "w quit\nbad\n", 11), 11);
	close(fd);
	assert_int_equal(keymap__load_file(km, path, NULL, NULL), 1);
	assert_int_equal(keymap__action(km, 'w'), ACT_QUIT);
	unlink(path);
	assert_int_equal(keymap__action(km, -5), ACT_NONE);
	assert_int_equal(keymap__action(km, 100000), ACT_NONE);
	keymap__free(km);
}

/* Words of a keys file quoted in messages: escaped, never raw bytes for the terminal. */
static void test_escapes_in_words(void **state)
{
	struct keymap *km = keymap__new();
	struct errs e = { 0 };
	static const char text[] =
		"q qu\033]0;x\007it\n"
		"\033[2J quit\n"
		"keymap \xc2\x9bvim\n"
		"w \033[31mred\033[0m-and-a-very-long-word-that-goes-on-and-on-and-on\n"
		"x quit\n";

	(void)state;
	keymap__use_builtin(km, "default");
	assert_int_equal(keymap__parse(km, text, sizeof(text) - 1, "keys", collect, &e), 4);
	assert_string_equal(e.msgs[0], "unknown action 'qu\\x1b]0;x\\x07it'");
	assert_string_equal(e.msgs[1], "unknown key '\\x1b[2J'");
	assert_string_equal(e.msgs[2], "unknown keymap '\\xc2\\x9bvim' (default, vim or htop)");
	/* a long word is cut, at a whole escape */
	assert_int_equal(e.lines[3], 4);
	assert_true(strncmp(e.msgs[3], "unknown action '\\x1b[31mred\\x1b[0m-and-a-very", 44) == 0);
	assert_true(strlen(e.msgs[3]) <= strlen("unknown action ''") + 43);
	for (unsigned i = 0; i < 4; i++)
		for (const char *c = e.msgs[i]; *c; c++)
			assert_true((unsigned char)*c >= 0x20 && *c != 0x7f);
	/* the good line still applies */
	assert_int_equal(keymap__action(km, 'x'), ACT_QUIT);
	keymap__free(km);
}

/* A directory, a file past the limit, one exactly at it, a pipe past it. */
static void test_file_limits(void **state)
{
	struct keymap *km = keymap__new();
	char dir[] = "/tmp/flametop-keysdir-XXXXXX", path[64];
	char *text = malloc(KEYMAP_FILE_MAX + 1);
	FILE *f;

	(void)state;
	assert_non_null(text);
	keymap__use_builtin(km, "default");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(keymap__load_file(km, dir, NULL, NULL), -EISDIR);
	/* exactly the limit: comments and a binding at the end, all read */
	memset(text, '#', KEYMAP_FILE_MAX);
	text[0] = '\n';
	memcpy(text + KEYMAP_FILE_MAX - 8, "\nw quit\n", 8);
	snprintf(path, sizeof(path), "%s/keys", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, KEYMAP_FILE_MAX, f), KEYMAP_FILE_MAX);
	fclose(f);
	assert_int_equal(keymap__load_file(km, path, NULL, NULL), 0);
	assert_int_equal(keymap__action(km, 'w'), ACT_QUIT);
	/* one byte more */
	f = fopen(path, "a");
	assert_non_null(f);
	fputc('\n', f);
	fclose(f);
	assert_int_equal(keymap__load_file(km, path, NULL, NULL), -EFBIG);
	unlink(path);
	/* a device with no end stops at the limit too */
	assert_int_equal(keymap__load_file(km, "/dev/zero", NULL, NULL), -EFBIG);
	rmdir(dir);
	free(text);
	keymap__free(km);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_names_round_trip),
		cmocka_unit_test(test_actions_table),
		cmocka_unit_test(test_default_keymap_is_spec),
		cmocka_unit_test(test_builtin_keymaps),
		cmocka_unit_test(test_user_file_rebinds_and_reports),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_escapes_in_words),
		cmocka_unit_test(test_file_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
