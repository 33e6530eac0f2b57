// SPDX-License-Identifier: MIT
/*
 * The JIT perf-map reader: the lines JITs write, a file that grows while
 * it is read (lines cut anywhere), code space reused, and hostile lines.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "helpers.h"
#include "../../sampler/jitmap.h"

static const char *name_at(struct jitmap *j, uint64_t addr, char *buf, size_t cap)
{
	size_t len;
	const char *n = jitmap__find(j, addr, &len);

	if (!n)
		return "(none)";
	snprintf(buf, cap, "%.*s", (int)len, n);
	return buf;
}

static void append(int fd, const char *text)
{
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

static void test_lines_as_jits_write_them(void **state)
{
	struct jitmap *j = jitmap__new(1);
	char buf[128];
	static const char text[] = "7f0000001000 40 JS:*outerJsFunction /tmp/jit.js:2:25\n"
				   "0x7f0000002000 0x10 LazyCompile:~inner a.js:3\r\n"
				   "7f0000003000 8 Interpreter\n";

	(void)state;
	jitmap__parse(j, text, sizeof(text) - 1);
	assert_int_equal(jitmap__count(j), 3);
	assert_string_equal(name_at(j, 0x7f0000001000, buf, sizeof(buf)),
			    "JS:*outerJsFunction /tmp/jit.js:2:25");
	assert_string_equal(name_at(j, 0x7f000000103f, buf, sizeof(buf)),
			    "JS:*outerJsFunction /tmp/jit.js:2:25");
	assert_string_equal(name_at(j, 0x7f0000001040, buf, sizeof(buf)), "(none)");
	assert_string_equal(name_at(j, 0x7f0000002008, buf, sizeof(buf)), "LazyCompile:~inner a.js:3");
	assert_string_equal(name_at(j, 0x7f0000003007, buf, sizeof(buf)), "Interpreter");
	jitmap__free(j);
}

static void test_hostile_lines(void **state)
{
	static const char text[] =
		"ffffffffffffff00 1000 wraps around\n"	/* start + size overflows */
		"1000 0 empty\n"			/* size 0 */
		"2000 10\n"				/* no name */
		"3000 10 \n"				/* empty name */
		"11112222333344445 10 seventeen digits\n"
		"zz 10 not hex\n"
		"4000 10 good\n"
		"5000 10 no newline";
	struct jitmap *j = jitmap__new(1);
	char buf[64];

	(void)state;
	jitmap__parse(j, text, sizeof(text) - 1);
	assert_int_equal(jitmap__count(j), 1);
	assert_string_equal(name_at(j, 0x4005, buf, sizeof(buf)), "good");
	assert_string_equal(name_at(j, 0x5005, buf, sizeof(buf)), "(none)");
	jitmap__free(j);
}

static void test_grows_while_read(void **state)
{
	struct jitmap *j = jitmap__new(1);
	int fd = memfd_create("perf-map", 0);
	char buf[64], *long_line = malloc(JITMAP_LINE_MAX + 64);

	(void)state;
	append(fd, "1000 10 first\n2000 10 sec");
	jitmap__read_fd(j, fd);
	assert_string_equal(name_at(j, 0x1000, buf, sizeof(buf)), "first");
	/* the line being written is not taken half-written */
	assert_string_equal(name_at(j, 0x2000, buf, sizeof(buf)), "(none)");
	append(fd, "ond\n1000 10 reused\n");
	jitmap__read_fd(j, fd);
	assert_string_equal(name_at(j, 0x2000, buf, sizeof(buf)), "second");
	/* code space reused: the later line wins */
	assert_string_equal(name_at(j, 0x1008, buf, sizeof(buf)), "reused");
	assert_int_equal(jitmap__count(j), 2);
	/* a line too long to keep is skipped, whatever the reads cut it into */
	memset(long_line, 'x', JITMAP_LINE_MAX + 63);
	memcpy(long_line, "3000 10 ", 8);
	long_line[JITMAP_LINE_MAX + 63] = '\0';
	append(fd, long_line);
	jitmap__read_fd(j, fd);
	append(fd, "\n4000 10 after\n");
	jitmap__read_fd(j, fd);
	assert_string_equal(name_at(j, 0x3000, buf, sizeof(buf)), "(none)");
	assert_string_equal(name_at(j, 0x4000, buf, sizeof(buf)), "after");
	/* rewritten shorter: read again from the start */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, "5000 10 fresh\n", 14, 0), 14);
	jitmap__read_fd(j, fd);
	assert_int_equal(jitmap__count(j), 1);
	assert_string_equal(name_at(j, 0x5000, buf, sizeof(buf)), "fresh");
	close(fd);
	free(long_line);
	jitmap__free(j);
}

/* Tiny lines cost 32 bytes each past their names: the pieces are bounded too. */
static void test_entries_bounded(void **state)
{
	size_t n = JITMAP_MAX_ENTRIES + 1000, cap = n * 16, len = 0;
	char *text = malloc(cap);
	struct jitmap *j = jitmap__new(1);

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "%zx 1 a\n", i);
	jitmap__parse(j, text, len);
	assert_int_equal(jitmap__count(j), JITMAP_MAX_ENTRIES);
	free(text);
	jitmap__free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_as_jits_write_them),
		cmocka_unit_test(test_hostile_lines),
		cmocka_unit_test(test_grows_while_read),
		cmocka_unit_test(test_entries_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
