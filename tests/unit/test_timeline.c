// SPDX-License-Identifier: MIT
/* Saved histories (profile/timeline.h): the format, both ways, and hostile files. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "../../profile/history.h"
#include "../../profile/snapshot.h"
#include "../../profile/timeline.h"

/* Adds the stacks of folded text to h at second sec (folded.c's line reader splits them). */
static void add_text(struct history *h, struct strtab *names, int64_t sec, const char *text)
{
	struct folded_stack fs = { 0 };
	unsigned long lineno = 0;

	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int r = folded_stack__read(&fs, names, NULL, p, len, ++lineno, NULL);

		assert_true(r >= 0);
		if (r)
			assert_int_equal(history__add(h, sec, fs.names, fs.n, fs.count), 0);
		p += len + (nl ? 1 : 0);
	}
	folded_stack__release(&fs);
}

/* The history written as a timeline (malloc'ed text). */
static char *write_text(const struct history *h, const struct timeline_info *info)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(timeline__write(f, h, info), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Reads len bytes of text through a descriptor, chunk bytes at a time (0: the default). */
static int read_text(struct strtab *names, const char *text, size_t len, size_t chunk,
		     struct history **h, struct timeline_info *info, struct parse_error *err)
{
	int fd = memfd_create("timeline", 0), ret;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	ret = timeline__read_fd(fd, "test", chunk, names, h, info, err);
	close(fd);
	if (ret)
		assert_null(*h);
	return ret;
}

/* The folded text of h's window [t0, t1). */
static char *window_text(struct history *h, int64_t t0, int64_t t1)
{
	assert_int_equal(history__set_window(h, t0, t1), 0);
	return dump(history__tree(h), CT_ROOT);
}

static void assert_same_windows(struct history *a, struct history *b, int64_t from, int64_t to)
{
	for (int64_t t0 = from; t0 <= to; t0++)
		for (int64_t t1 = t0 + 1; t1 <= to + 1; t1 += 3) {
			char *x = window_text(a, t0, t1), *y = window_text(b, t0, t1);

			assert_string_equal(x, y);
			free(x);
			free(y);
		}
}

/* A history with gaps, repeats within a second, and names that sort oddly. */
static struct history *sample_history(struct strtab *names)
{
	struct history *h = history__new(names, 60);

	assert_non_null(h);
	add_text(h, names, 1000, "py;main;f;x 2\npy;main;f.isra 1\npy;main;f 4\npy;main;f;x 3\n");
	add_text(h, names, 1001, "py;main;g 5\nkworker;do_work_[k] 7\n");
	/* 1002 .. 1004: nothing */
	add_text(h, names, 1005, "py;main;f 1\n");
	add_text(h, names, 1006, "my app;operator new(unsigned long) 9\npy;main;f 2\n");
	return h;
}

static const char sample_text[] =
	"# flametop history v1 target=pid_42 hz=99 from=999 to=1007\n"
	"# t=1000\n"
	"py;main;f 4\n"
	"py;main;f.isra 1\n"
	"py;main;f;x 5\n"
	"# t=1001\n"
	"kworker;do_work_[k] 7\n"
	"py;main;g 5\n"
	"# t=1005\n"
	"py;main;f 1\n"
	"# t=1006\n"
	"my app;operator new(unsigned long) 9\n"
	"py;main;f 2\n";

/* Each second merged and in folded__write's order; empty seconds have no marker. */
static void test_write_format(void **state)
{
	struct fixture *f = *state;
	struct history *h = sample_history(f->names);
	struct timeline_info info = { .target = "pid 42", .hz = 99, .from = 999, .to = 1007 };
	char *out = write_text(h, &info);

	assert_string_equal(out, sample_text);
	free(out);
	/* a part of the span, and a span that is not one */
	info.from = 1001;
	info.to = 1001;
	out = write_text(h, &info);
	assert_string_equal(out, "# flametop history v1 target=pid_42 hz=99 from=1001 to=1001\n"
				 "# t=1001\nkworker;do_work_[k] 7\npy;main;g 5\n");
	free(out);
	info.to = 1000;
	assert_int_equal(timeline__write(stdout, h, &info), -EINVAL);
	info.to = info.from + TIMELINE_SPAN_MAX;
	assert_int_equal(timeline__write(stdout, h, &info), -EINVAL);
	history__free(h);
}

/* Written and read back: the same seconds, counts and windows; written again, the same bytes. */
static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct history *h = sample_history(f->names), *back = NULL;
	struct timeline_info info = { .target = "pid_42", .hz = 99, .from = 995, .to = 1010 };
	struct timeline_info got;
	struct parse_error err;
	uint64_t r1[16], r2[16];
	int64_t first, last;
	char *out = write_text(h, &info), *again;

	assert_int_equal(read_text(f->names, out, strlen(out), 0, &back, &got, &err), 0);
	assert_string_equal(got.target, "pid_42");
	assert_int_equal(got.hz, 99);
	assert_int_equal(got.from, 995);
	assert_int_equal(got.to, 1010);
	assert_true(history__span(back, &first, &last));
	assert_int_equal(first, 995);
	assert_int_equal(last, 1010);
	history__rate(h, 995, r1, 16);
	history__rate(back, 995, r2, 16);
	assert_memory_equal(r1, r2, sizeof(r1));
	/* the window read is the whole span */
	again = dump(history__tree(back), CT_ROOT);
	assert_string_equal(again, "kworker;do_work_[k] 7\nmy app;operator new(unsigned long) 9\n"
				   "py;main;f 7\npy;main;f.isra 1\npy;main;f;x 5\npy;main;g 5\n");
	free(again);
	assert_same_windows(h, back, 995, 1010);
	again = write_text(back, &got);
	assert_string_equal(again, out);
	free(again);
	history__free(back);
	/* through a pipe, as from standard input */
	{
		int fds[2];

		assert_int_equal(pipe(fds), 0);
		assert_int_equal(write(fds[1], out, strlen(out)), (ssize_t)strlen(out));
		close(fds[1]);
		assert_int_equal(timeline__read_fd(fds[0], "<stdin>", 0, f->names, &back, NULL,
						   NULL), 0);
		close(fds[0]);
		assert_same_windows(h, back, 995, 1010);
		history__free(back);
	}
	/* what cannot be read at all */
	back = h;
	assert_int_equal(timeline__read_path("/nonexistent/h.folded", f->names, &back, NULL, &err),
			 -ENOENT);
	assert_null(back);
	assert_non_null(strstr(err.msg, "/nonexistent/h.folded"));
	assert_int_equal(timeline__read_path("/tmp", f->names, &back, NULL, &err), -EISDIR);
	free(out);
	history__free(h);
}

/* Nothing recorded: the header alone, read back as an empty history over the span. */
static void test_empty_history(void **state)
{
	struct fixture *f = *state;
	struct history *h = history__new(f->names, 10), *back = NULL;
	struct timeline_info info = { .target = "", .from = 50, .to = 59 }, got;
	uint64_t rates[10] = { 1 }, zero[10] = { 0 };
	int64_t first, last;
	char *out = write_text(h, &info);

	assert_string_equal(out, "# flametop history v1 target=view hz=0 from=50 to=59\n");
	assert_int_equal(read_text(f->names, out, strlen(out), 0, &back, &got, NULL), 0);
	assert_true(history__span(back, &first, &last));
	assert_int_equal(first, 50);
	assert_int_equal(last, 59);
	history__rate(back, 50, rates, 10);
	assert_memory_equal(rates, zero, sizeof(rates));
	assert_int_equal(calltree__samples(history__tree(back)), 0);
	free(out);
	history__free(back);
	history__free(h);
}

/* Counts past 2^31 and 2^32 take a few entries each, not billions of them. */
static void test_big_counts(void **state)
{
	struct fixture *f = *state;
	struct history *h = NULL;
	struct timeline_info info;
	uint64_t rate;
	size_t before;
	static const char text[] = "# flametop history v1 from=7 to=8\n# t=7\n"
				   "a;b 6442450943\na;c 4294967296\na;d 2147483648\n"
				   "# t=8\na;b 9223372036854775807\na;b 1\n";
	char *out;

	assert_int_equal(read_text(f->names, text, sizeof(text) - 1, 0, &h, &info, NULL), 0);
	before = history__bytes(h);
	assert_true(before < (64u << 20));
	history__rate(h, 7, &rate, 1);
	assert_int_equal(rate, 6442450943ull + 4294967296ull + 2147483648ull);
	out = window_text(h, 8, 9);
	/* merged past 2^63-1: split over two lines, as folded__write splits it */
	assert_string_equal(out, "a;b 9223372036854775807\na;b 1\n");
	free(out);
	history__free(h);
	/* past 2^64-1 in all: refused as the folded reader refuses it */
	{
		static const char over[] = "# flametop history v1 from=1 to=2\n# t=1\n"
					   "a 9223372036854775807\n# t=2\na 9223372036854775807\n"
					   "b 9223372036854775807\n";
		struct parse_error err;

		assert_int_equal(read_text(f->names, over, sizeof(over) - 1, 0, &h, NULL, &err),
				 -EOVERFLOW);
		assert_int_equal(err.line, 6);
	}
}

static int count_calls(void *ctx, uint32_t node, uint64_t count)
{
	uint64_t *sum = ctx;

	(void)node;
	sum[0]++;
	sum[1] += count;
	return sum[0] == 3 ? 7 : 0;
}

/* history__for_second: each entry of a retained second; fn's first non-zero return ends it. */
static void test_for_second(void **state)
{
	struct fixture *f = *state;
	struct history *h = history__new(f->names, 4);
	uint64_t sum[2] = { 0 };

	add_text(h, f->names, 10, "a;b 1\na;c 2\n");
	add_text(h, f->names, 12, "a;b 1\na;c 2\na;b 4\na;d 8\n");
	assert_int_equal(history__for_second(h, 10, count_calls, sum), 0);
	assert_int_equal(sum[0], 2);
	assert_int_equal(sum[1], 3);
	sum[0] = sum[1] = 0;
	assert_int_equal(history__for_second(h, 12, count_calls, sum), 7);
	assert_int_equal(sum[1], 7);
	sum[0] = sum[1] = 0;
	assert_int_equal(history__for_second(h, 11, count_calls, sum), 0);
	assert_int_equal(history__for_second(h, 6, count_calls, sum), 0);	/* 10's slot */
	add_text(h, f->names, 14, "a 1\n");	/* 10 expires */
	assert_int_equal(history__for_second(h, 10, count_calls, sum), 0);
	assert_int_equal(sum[0], 0);
	history__free(h);
}

static const struct {
	const char *text;
	unsigned long line;
	const char *msg;	/* a part of the message */
} hostile[] = {
	{ "", 0, "empty" },
	{ "a;b 1\n", 1, "not a flametop history" },
	{ "\n# flametop history v1 from=1 to=2\n", 1, "not a flametop history" },
	{ "# flametop history v2 from=1 to=2\n", 1, "not a flametop history" },
	{ "# flametop history v10 from=1 to=2\n", 1, "not a flametop history" },
	{ "# flametop history v1\n", 1, "no from=" },
	{ "# flametop history v1 from=1\n", 1, "no to=" },
	{ "# flametop history v1 from=5 to=4\n", 1, "after to=" },
	{ "# flametop history v1 from=0 to=604800\n", 1, "more than 604800 seconds" },
	{ "# flametop history v1 from=0 to=99999999999999999999\n", 1, "bad to=" },
	{ "# flametop history v1 from=-1 to=2\n", 1, "bad from=" },
	{ "# flametop history v1 from=1 to=2 from=1\n", 1, "from= given twice" },
	{ "# flametop history v1 from=1 to=2 hz=4294967296\n", 1, "bad hz=" },
	{ "# flametop history v1 from=1 to=2 hz=\n", 1, "bad hz=" },
	{ "# flametop history v1 from=1 to=2 target=a/b\n", 1, "bad target=" },
	{ "# flametop history v1 from=1 to=2 target=\x1b[2J\n", 1, "bad target=" },
	{ "# flametop history v1 from=1 to=2 target\n", 1, "bad target=" },
	{ "# flametop history v1 from=1 to=2 target="
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 1, "bad target=" },
	{ "# flametop history v1 from=1 to=9\na;b 1\n", 2, "before the first" },
	{ "# flametop history v1 from=1 to=9\n# t=3\na 1\n# t=2\nb 1\n", 4, "does not come after 3" },
	{ "# flametop history v1 from=1 to=9\n# t=3\na 1\n# t=3\nb 1\n", 4, "does not come after 3" },
	{ "# flametop history v1 from=1 to=9\n# t=0\n", 2, "outside" },
	{ "# flametop history v1 from=1 to=9\n# t=10\n", 2, "outside" },
	{ "# flametop history v1 from=1 to=9\n# t=\n", 2, "bad second marker" },
	{ "# flametop history v1 from=1 to=9\n# t=2 \n", 2, "bad second marker" },
	{ "# flametop history v1 from=1 to=9\n# t=+2\n", 2, "bad second marker" },
	{ "# flametop history v1 from=1 to=9\n# t=2\na;b 0\n", 3, "count is zero" },
	{ "# flametop history v1 from=1 to=9\n# t=2\na;b -1\n", 3, "negative count" },
	{ "# flametop history v1 from=1 to=9\n# t=2\na;b x\n", 3, "not a positive integer" },
	{ "# flametop history v1 from=1 to=9\n# t=2\na;b\n", 3, "no count" },
	{ "# flametop history v1 from=1 to=9\n# t=2\na;;b 1\n", 3, "empty frame" },
	{ "# flametop history v1 from=1 to=9\n# t=2\na 1\nb\0 1\n", 4, "NUL byte" },
	{ "# flametop\0 history v1 from=1 to=9\n", 1, "NUL byte" },
};

static void test_hostile_files(void **state)
{
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		/* the texts hold at most one NUL, the one they test */
		const char *t = hostile[i].text;
		size_t len = strlen(t);

		if (strstr(hostile[i].msg, "NUL"))
			len += 1 + strlen(t + len + 1);
		for (size_t chunk = 0; chunk <= 7; chunk += 7) {
			struct history *h = (struct history *)1;
			struct parse_error err = { 0 };
			int ret = read_text(f->names, t, len, chunk, &h, NULL, &err);

			if (ret != -EINVAL || err.line != hostile[i].line ||
			    !strstr(err.msg, hostile[i].msg))
				fail_msg("case %zu: %d, line %lu: %s", i, ret, err.line, err.msg);
		}
	}
}

/* What a reader takes: CRLF, comments, blank lines, unknown fields, no last line break. */
static void test_tolerated(void **state)
{
	static const char text[] =
		"# flametop history v1 target=x hz=997 from=10 to=20 cpus=4 whatever\r\n"
		"# a comment\r\n"
		"#t=12 is a comment too\r\n"
		"\r\n"
		"# t=11\r\n"
		"a;b 1\r\n"
		"a;b 2\r\n"
		"   \t\n"
		"# t=20\n"
		"a;c 3";
	struct fixture *f = *state;
	struct history *h = NULL;
	struct timeline_info info;
	uint64_t r[11];
	char *out;

	assert_int_equal(read_text(f->names, text, sizeof(text) - 1, 0, &h, &info, NULL), 0);
	assert_string_equal(info.target, "x");
	assert_int_equal(info.hz, 997);
	history__rate(h, 10, r, 11);
	assert_int_equal(r[1], 3);
	assert_int_equal(r[10], 3);
	assert_int_equal(r[0] + r[2] + r[9], 0);
	out = window_text(h, 11, 12);
	assert_string_equal(out, "a;b 3\n");
	free(out);
	history__free(h);
	/* target= and hz= may be left out */
	assert_int_equal(read_text(f->names, "# flametop history v1 to=3 from=1", 33, 0, &h,
				   &info, NULL), 0);
	assert_string_equal(info.target, "");
	assert_int_equal(info.hz, 0);
	history__free(h);
}

/* Read a few bytes at a time, 1..64: the same history, or the same error at the same line. */
static void test_chunk_boundaries(void **state)
{
	struct fixture *f = *state;
	struct history *whole = NULL;
	char crlf[sizeof(sample_text) * 2], *p = crlf;

	for (const char *s = sample_text; *s; s++) {
		if (*s == '\n')
			*p++ = '\r';
		*p++ = *s;
	}
	*p = '\0';
	assert_int_equal(read_text(f->names, sample_text, strlen(sample_text), 0, &whole, NULL,
				   NULL), 0);
	for (size_t chunk = 1; chunk <= 64; chunk++) {
		static const char bad[] = "# flametop history v1 from=1 to=9\n# t=2\na;b 1\n"
					  "a;b;c 2\n# t=4\na;c 1\n# t=3\n";
		struct history *h = NULL;
		struct parse_error err;

		assert_int_equal(read_text(f->names, crlf, strlen(crlf), chunk, &h, NULL, NULL), 0);
		assert_same_windows(whole, h, 999, 1007);
		history__free(h);
		assert_int_equal(read_text(f->names, bad, sizeof(bad) - 1, chunk, &h, NULL, &err),
				 -EINVAL);
		assert_int_equal(err.line, 7);
	}
	history__free(whole);
}

/* Folded readers see one profile: the format says folded, the comments are skipped. */
static void test_one_profile_to_folded_readers(void **state)
{
	struct fixture *f = *state;
	char *out;

	assert_true(timeline__detect(sample_text, sizeof(sample_text) - 1));
	assert_true(timeline__detect("# flametop history v1\r\n", 23));
	assert_true(timeline__detect("# flametop history v1", 21));
	assert_false(timeline__detect("# flametop history v12 from=1", 29));
	assert_false(timeline__detect("# flametop history v", 20));
	assert_false(timeline__detect("a;b 1\n# flametop history v1\n", 28));
	assert_int_equal(profile__detect(sample_text, sizeof(sample_text) - 1), FORMAT_FOLDED);
	load_folded(f->t, sample_text);
	out = dump(f->t, CT_ROOT);
	assert_string_equal(out, "kworker;do_work_[k] 7\nmy app;operator new(unsigned long) 9\n"
				 "py;main;f 7\npy;main;f.isra 1\npy;main;f;x 5\npy;main;g 5\n");
	free(out);
}

/* Saved next to snapshots: a new file each time, never replacing one. */
static void test_snapshot_history(void **state)
{
	struct fixture *f = *state;
	struct history *h = sample_history(f->names), *back = NULL;
	struct timeline_info info = { .target = "pid_42", .hz = 99, .from = 999, .to = 1007 };
	char dir[] = "/tmp/flametop-timeline.XXXXXX", p1[256], p2[256];
	time_t when = 1764254400;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(snapshot__write_history(dir, "pid/42", h, &info, when, p1, sizeof(p1)), 0);
	assert_int_equal(snapshot__write_history(dir, "pid/42", h, &info, when, p2, sizeof(p2)), 0);
	assert_non_null(strstr(p1, "/flametop-pid_42-"));
	assert_int_equal(strcmp(p1 + strlen(p1) - 15, ".history.folded"), 0);
	assert_int_equal(strcmp(p2 + strlen(p2) - 17, "-2.history.folded"), 0);
	assert_int_equal(timeline__read_path(p2, f->names, &back, NULL, NULL), 0);
	assert_same_windows(h, back, 999, 1007);
	info.from = 2000;	/* a span no reader takes: no file */
	assert_int_equal(snapshot__write_history(dir, "x", h, &info, when, p1, sizeof(p1)),
			 -EINVAL);
	assert_int_equal(unlink(p2), 0);
	p2[strlen(p2) - 17] = '\0';
	assert_int_equal(unlink(strcat(p2, ".history.folded")), 0);
	assert_int_equal(rmdir(dir), 0);
	history__free(back);
	history__free(h);
}

/* tests/data/history.folded (the e2e test's file) is what the writer writes. */
static void test_fixture_is_writer_output(void **state)
{
	struct fixture *f = *state;
	struct history *h = NULL;
	struct timeline_info info;
	char *text = NULL, *out;
	size_t len = 0;
	FILE *in = fopen("tests/data/history.folded", "r");

	if (!in)
		skip();
	assert_true(getdelim(&text, &len, '\0', in) > 0);
	fclose(in);
	assert_int_equal(timeline__read_path("tests/data/history.folded", f->names, &h, &info,
					     NULL), 0);
	out = write_text(h, &info);
	assert_string_equal(out, text);
	free(out);
	free(text);
	history__free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_format, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_empty_history, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_big_counts, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_for_second, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_hostile_files, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_tolerated, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_chunk_boundaries, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_one_profile_to_folded_readers, fixture_setup,
						fixture_teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_history, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_fixture_is_writer_output, fixture_setup,
						fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
