// SPDX-License-Identifier: MIT
/* The folded reader and writer, including hostile input. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "../../util/atomic.h"

static void test_basic_counts(void **state)
{
	struct fixture *f = *state;

	load_folded(f->t, "comm;main;a 3\ncomm;main;b 2\ncomm;main 1\n");
	assert_int_equal(calltree__samples(f->t), 6);
	assert_int_equal(calltree__node(f->t, node_at(f->t, "comm;main"))->total, 6);
	assert_int_equal(calltree__node(f->t, node_at(f->t, "comm;main"))->self, 1);
	assert_int_equal(calltree__node(f->t, node_at(f->t, "comm;main;a"))->self, 3);
	assert_int_equal(calltree__node(f->t, node_at(f->t, "comm;main;b"))->total, 2);
}

static void test_duplicates_crlf_blank(void **state)
{
	struct fixture *f = *state;

	load_folded(f->t, "\r\na;b 1\r\n\na;b 2\r\na;c 4\n\n");
	assert_int_equal(calltree__node(f->t, node_at(f->t, "a;b"))->self, 3);
	assert_int_equal(calltree__samples(f->t), 7);
}

static void test_prefix_reuse_is_exact(void **state)
{
	struct fixture *f = *state;
	char *out;

	/* shared prefixes that end mid-frame must not be reused */
	load_folded(f->t, "a;bc;d 1\na;b;d 2\na;bc 3\na;bc;d;e 4\na;b 5\nab;c 6\n");
	out = dump(f->t, CT_ROOT);
	assert_string_equal(out, "a;b 5\na;b;d 2\na;bc 3\na;bc;d 1\na;bc;d;e 4\nab;c 6\n");
	free(out);
}

static void test_names_with_spaces_and_utf8(void **state)
{
	struct fixture *f = *state;
	uint32_t n;

	load_folded(f->t, "my app;operator new(unsigned long);caf\xc3\xa9 \xe2\x9c\x93 7\n");
	n = node_at(f->t, "my app;operator new(unsigned long);caf\xc3\xa9 \xe2\x9c\x93");
	assert_int_not_equal(n, CT_NONE);
	assert_int_equal(calltree__node(f->t, n)->self, 7);
}

static void test_counts_near_2_63(void **state)
{
	struct fixture *f = *state;
	struct parse_error err = { 0 };
	const char *max = "a;b 9223372036854775807\n";
	const char *three = "a 9223372036854775807\nb 9223372036854775807\nc 2\n";
	char *out;

	load_folded(f->t, max);
	assert_int_equal(calltree__samples(f->t), INT64_MAX);
	out = dump(f->t, CT_ROOT);
	assert_string_equal(out, max);
	free(out);
	/* the second line fits (2^64-2); the third overflows the total */
	calltree__free(f->t);
	f->t = calltree__new(f->names);
	assert_int_equal(folded__parse(f->t, three, strlen(three), &err, NULL), -EOVERFLOW);
	assert_int_equal(err.line, 3);
}

struct bad_case {
	const char *text;
	unsigned long line;
	const char *msg;
};

static void test_merged_count_over_2_63_round_trips(void **state)
{
	struct fixture *f = *state;
	const char *in = "a;b 9223372036854775807\na;b 5\n";
	char *out;

	load_folded(f->t, in);
	out = dump(f->t, CT_ROOT);
	/* one line cannot carry 2^63+4: it is split over two, which add up */
	assert_string_equal(out, "a;b 9223372036854775807\na;b 5\n");
	free(out);
}

static void test_malformed_lines(void **state)
{
	static const struct bad_case cases[] = {
		{ "a;b 1\na;b\n", 2, "no count" },
		{ "a;b -3\n", 1, "negative count" },
		{ "a;b 99999999999999999999\n", 1, "count overflows" },
		{ "a;b 9223372036854775808\n", 1, "count overflows" },
		{ "a;;b 1\n", 1, "empty frame" },
		{ ";a 1\n", 1, "empty frame" },
		{ "a; 1\n", 1, "empty frame" },
		{ " 1\n", 1, "empty frame" },
		{ "ok 1\na;b 1.5\n", 2, "not a positive integer" },
		{ "a;b 0\n", 1, "zero" },
		{ "a;b \n", 1, "no count" },
		{ "a;b +1\n", 1, "not a positive integer" },
		{ "a;b 1 \n", 1, "no count" },
		{ "x 1\n\n\na\0b 1\n", 4, "NUL" },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parse_error err = { 0 };
		size_t len = strlen(cases[i].text);
		struct calltree *t = calltree__new(f->names);

		if (strstr(cases[i].msg, "NUL"))
			len = 12;
		assert_int_equal(folded__parse(t, cases[i].text, len, &err, NULL), -EINVAL);
		if (err.line != cases[i].line || !strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: got line %lu '%s'", i, err.line, err.msg);
		calltree__free(t);
	}
}

static void test_empty_input(void **state)
{
	struct fixture *f = *state;
	char *out;

	load_folded(f->t, "");
	load_folded(f->t, "\n\r\n");
	assert_int_equal(calltree__samples(f->t), 0);
	out = dump(f->t, CT_ROOT);
	assert_string_equal(out, "");
	free(out);
}

static void test_single_frame(void **state)
{
	struct fixture *f = *state;
	char *out;

	load_folded(f->t, "solo 5");	/* no final newline */
	out = dump(f->t, CT_ROOT);
	assert_string_equal(out, "solo 5\n");
	free(out);
}

static void test_round_trip_and_subtree(void **state)
{
	struct fixture *f = *state;
	const char *text = "p;main;x 1\np;main;x;y 4\np;main;z_[k] 2\np;other 3\n";
	struct calltree *again;
	char *out, *out2;

	load_folded(f->t, text);
	out = dump(f->t, CT_ROOT);
	assert_string_equal(out, text);
	again = calltree__new(f->names);
	load_folded(again, out);
	out2 = dump(again, CT_ROOT);
	assert_string_equal(out, out2);
	free(out);
	free(out2);
	calltree__free(again);
	/* a subtree keeps its full root path */
	out = dump(f->t, node_at(f->t, "p;main;x"));
	assert_string_equal(out, "p;main;x 1\np;main;x;y 4\n");
	free(out);
}

static void test_deep_stack(void **state)
{
	struct fixture *f = *state;
	size_t depth = 10000, i, len = 0;
	char *text = malloc(depth * 8 + 32), *out;
	uint32_t n;

	for (i = 0; i < depth; i++)
		len += (size_t)sprintf(text + len, "%sf%zu", i ? ";" : "", i % 50);
	strcpy(text + len, " 3\n");
	load_folded(f->t, text);
	assert_int_equal(calltree__nodes(f->t), depth + 1);
	n = calltree__nodes(f->t) - 1;
	assert_int_equal(calltree__depth(f->t, n), depth);
	assert_int_equal(calltree__node(f->t, n)->self, 3);
	out = dump(f->t, CT_ROOT);
	assert_string_equal(out, text);
	free(out);
	free(text);
}

static void test_frame_kinds(void **state)
{
	struct fixture *f = *state;
	const struct strtab *st = f->names;

	load_folded(f->t, "c;main;[libc.so.6];do_syscall_64_[k] 1\n");
	assert_int_equal(strtab__kind(st, calltree__node(f->t, node_at(f->t, "c;main"))->name),
			 FRAME_USER);
	assert_int_equal(strtab__kind(st, calltree__node(f->t,
			 node_at(f->t, "c;main;[libc.so.6]"))->name), FRAME_UNKNOWN);
	assert_int_equal(strtab__kind(st, calltree__node(f->t,
			 node_at(f->t, "c;main;[libc.so.6];do_syscall_64_[k]"))->name),
			 FRAME_KERNEL);
}

static void test_read_path_errors(void **state)
{
	struct fixture *f = *state;
	struct parse_error err = { 0 };

	assert_int_equal(profile__read_path(f->t, "/nonexistent/x.folded", &err, NULL), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/x.folded"));
	assert_int_equal(profile__read_path(f->t, "/tmp", &err, NULL), -EISDIR);
}

/* A descriptor holding text, read back from its start. */
static int text_fd(const char *text, size_t len)
{
	int fd = memfd_create("text", 0);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/*
 * The stream reader, read a few bytes at a time: lines and perf script
 * samples split across reads count as whole ones, and errors keep the
 * line numbers of the whole file.
 */
static void test_stream_chunks(void **state)
{
	static const char ps[] =
		"# ========\n"
		"hot 10 1.0: 250 cpu-clock:\n"
		"\t1000 leaf+0x1 (/bin/hot)\n"
		"\t2000 main+0x2 (/bin/hot)\n"
		"\n"
		"hot 10 2.0: 750 cpu-clock:\n"
		"\t1000 leaf+0x1 (/bin/hot)\n"
		"\t2000 main+0x2 (/bin/hot)\n"
		"\n";
	static const char bad[] = "a;b 1\na;c 2\n\na;d\n";
	struct fixture *f = *state;
	struct parse_error err = { 0 };
	struct parse_stats st = { 0 };
	int fd;

	for (size_t chunk = 1; chunk < 40; chunk += 3) {
		struct calltree *t = calltree__new(f->names);

		fd = text_fd(ps, sizeof(ps) - 1);
		assert_int_equal(profile__read_fd(t, fd, "ps", chunk, &err, &st), 0);
		assert_int_equal(st.format, FORMAT_PERF_SCRIPT);
		assert_int_equal(calltree__samples(t), 1000);	/* weighted by the periods */
		close(fd);
		calltree__free(t);
		fd = text_fd(bad, sizeof(bad) - 1);
		assert_int_equal(profile__read_fd(f->t, fd, "bad", chunk, &err, NULL), -EINVAL);
		assert_int_equal(err.line, 4);
		close(fd);
	}
}

/* NUL bytes and over-long lines are refused at once, with their line. */
static void test_stream_refuses_binary_and_long_lines(void **state)
{
	static const char nul[] = "a;b 1\na;c 2\nx\0y 1\n";
	struct fixture *f = *state;
	struct parse_error err = { 0 };
	char *big = malloc(INPUT_LINE_MAX + 16);
	int fd;

	fd = text_fd(nul, sizeof(nul) - 1);
	assert_int_equal(profile__read_fd(f->t, fd, "nul", 0, &err, NULL), -EINVAL);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.msg, "NUL"));
	close(fd);
	assert_non_null(big);
	memcpy(big, "a;b 1\n", 6);
	memset(big + 6, 'x', INPUT_LINE_MAX + 2);
	memcpy(big + INPUT_LINE_MAX + 8, " 1\n", 3);
	fd = text_fd(big, INPUT_LINE_MAX + 11);
	assert_int_equal(profile__read_fd(f->t, fd, "long", 0, &err, NULL), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "longer than"));
	close(fd);
	free(big);
}

static void test_atomic_no_clobber(void **state)
{
	char dir[] = "/tmp/ft-atomic-XXXXXX", path[256], link_path[256], victim[256];
	struct fixture *f = *state;
	struct stat st;
	FILE *v;

	load_folded(f->t, "a;b 1\n");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.folded", dir);
	assert_int_equal(folded__write_path(path, f->t, CT_ROOT, true), 0);
	/* never overwrite an existing file */
	assert_int_equal(folded__write_path(path, f->t, CT_ROOT, true), -EEXIST);
	/* never follow a planted symlink */
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	v = fopen(victim, "w");
	fputs("keep", v);
	fclose(v);
	snprintf(link_path, sizeof(link_path), "%s/link.folded", dir);
	assert_int_equal(symlink(victim, link_path), 0);
	assert_int_equal(lchown(link_path, 65534, 65534), 0);	/* planted by another user */
	assert_int_equal(folded__write_path(link_path, f->t, CT_ROOT, true), -EEXIST);
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 4);
	/* with clobbering allowed, the link itself is replaced, not its target */
	assert_int_equal(folded__write_path(link_path, f->t, CT_ROOT, false), 0);
	assert_int_equal(lstat(link_path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 4);
	/* an unwritable directory fails cleanly */
	assert_int_not_equal(folded__write_path("/nonexistent-dir/x", f->t, CT_ROOT, false), 0);
	unlink(link_path);
	unlink(victim);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);	/* no temporary left behind */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_basic_counts, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_crlf_blank, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_prefix_reuse_is_exact, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_names_with_spaces_and_utf8, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_counts_near_2_63, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_merged_count_over_2_63_round_trips, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_malformed_lines, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_empty_input, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_single_frame, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_and_subtree, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_deep_stack, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_frame_kinds, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_read_path_errors, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_no_clobber, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stream_chunks, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stream_refuses_binary_and_long_lines, fixture_setup,
						fixture_teardown),
	};

	return cmocka_run_group_tests_name("folded", tests, NULL, NULL);
}
