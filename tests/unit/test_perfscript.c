// SPDX-License-Identifier: MIT
/*
 * perf script import: each expectation is what stackcollapse-perf.pl
 * --kernel (FlameGraph 41fee1f) prints for the same input, worked out from
 * its rules and checked against it; tests/e2e/perfscript.sh compares the two
 * on recorded perf output.
 */
#include <errno.h>

#include "helpers.h"

static char *fold(struct fixture *f, const char *text, struct parse_stats *stats)
{
	struct parse_error err = { 0 };

	assert_int_equal(perfscript__parse(f->t, text, strlen(text), &err, stats), 0);
	return dump(f->t, CT_ROOT);
}

static void expect(void **state, const char *in, const char *want)
{
	char *out = fold(*state, in, NULL);

	assert_string_equal(out, want);
	free(out);
}

/* The input must fail with ret on line (1-based), the message naming what. */
static void expect_error(void **state, const char *in, int ret, unsigned long line,
			 const char *what)
{
	struct fixture *f = *state;
	struct parse_error err = { 0 };

	assert_int_equal(perfscript__parse(f->t, in, strlen(in), &err, NULL), ret);
	assert_int_equal(err.line, line);
	assert_non_null(strstr(err.msg, what));
}

static void test_kernel_frames_and_offsets(void **state)
{
	expect(state,
	       "# ========\n# captured on: x\n"
	       "swapper     0 [000] 158665.570607:    1001 cpu-clock:pppH: \n"
	       "\tffffffff8103ce3b native_safe_halt+0x1b ([kernel.kallsyms])\n"
	       "\tffffffff8101c6a3 default_idle+0x23 ([kernel.kallsyms])\n"
	       "\tffffffff81aebbfe start_kernel ([kernel.kallsyms].init.text)\n"
	       "\t    8c3453 tcp_sendmsg (/lib/modules/4.3.0/build/vmlinux)\n"
	       "\n",
	       "swapper;tcp_sendmsg_[k];start_kernel_[k];default_idle_[k];native_safe_halt_[k] 1001\n");
}

static void test_comm_forms(void **state)
{
	expect(state,
	       "V8 WorkerThread 25607 [001] 4794564.109216: cycles: \n"
	       "\t7f1 leaf (/opt/app)\n\n"
	       "java 24636/25607 [000] 4794564.109216: cycles: \n"
	       "\t7f1 leaf (/opt/app)\n\n"
	       "java 12688/12764 6544038.708352: cycles: \n"
	       "\t7f1 leaf (/opt/app)\n\n",
	       "V8_WorkerThread;leaf 1\njava;leaf 2\n");
}

static void test_unknown_symbols(void **state)
{
	expect(state,
	       "app 1 [0] 1.0: cpu-clock: \n"
	       "\t7f0 [unknown] (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	       "\t7f1 [unknown] ([unknown])\n"
	       "\tfff [unknown] ([kernel.kallsyms])\n"
	       "\n",
	       "app;[[kernel.kallsyms]]_[k];[unknown];[libc.so.6] 1\n");
}

static void test_tidy_names(void **state)
{
	expect(state,
	       "app 1 [0] 1.0: cpu-clock: \n"
	       "\t1 operator new(unsigned long) (/usr/lib/libstdc++.so.6)\n"
	       "\t2 std::vector<int>::push_back(int const&) (/opt/app)\n"
	       "\t3 ns::(anonymous namespace)::helper(int) (/opt/app)\n"
	       "\t3 (anonymous namespace)::skipped(int) (/opt/app)\n"
	       "\t4 net/http.(*Client).Do (/opt/goapp)\n"
	       "\t5 RegExp:[&<>\"'] (/tmp/perf-7539.map)\n"
	       "\t6 a;b (/opt/app)\n"
	       "\n",
	       "app;a:b;RegExp:[&<>];net/http.(*Client).Do;ns::(anonymous namespace)::helper;"
	       "std::vector<int>::push_back;operator new 1\n");
}

static void test_inline_chains_and_skips(void **state)
{
	expect(state,
	       "app 1 [0] 1.0: cpu-clock: \n"
	       "\t1 inner->mid->outer (/opt/app)\n"
	       "\t2 (/opt/app) (/opt/app)\n"
	       "\t3 main (/opt/app)\n"
	       "\n",
	       "app;main;inner;mid_[i];outer_[i] 1\n");
}

static void test_inline_empty_pieces(void **state)
{
	/* split keeps an empty middle piece (it becomes "_[i]") and drops trailing ones */
	expect(state,
	       "app 1 [0] 1.0: cpu-clock: \n"
	       "\t1 p->->q (/x)\n"
	       "\t2 r-> (/x)\n"
	       "\t3 s+0x1f (/x)\n"
	       "\n",
	       "app;s;r;p;_[i];q_[i] 1\n");
}

static void test_event_filter_and_eof(void **state)
{
	struct parse_stats st = { 0 };
	char *out = fold(*state,
			 "ab 1 [0] 1.0: cycles: \n\t1 f (/x)\n\n"
			 "ab 1 [0] 1.1: instructions: \n\t1 g (/x)\n\n"
			 "ab 1 [0] 1.2: cycles: \n\t1 f (/x)\n\n"
			 "this line means nothing\n"
			 /* a one-letter comm is no sample start for stackcollapse */
			 "a 1 [0] 1.2: cycles: \n"
			 "ab 1 [0] 1.3: cycles: \n\t1 h (/x)\n",	/* no blank line: dropped */
			 &st);

	assert_string_equal(out, "ab;f 2\n");
	assert_int_equal(st.samples, 2);
	assert_int_equal(st.skipped, 2);
	free(out);
}

static void test_java_and_crlf(void **state)
{
	expect(state,
	       "java 5 [0] 1.0: cpu-clock: \r\n"
	       "\t1 Lorg/mozilla/Foo;.call(Lx;)V (/tmp/perf-5.map)\r\n"
	       "\r\n",
	       "java;org/mozilla/Foo:.call 1\n");
}

static void test_sample_without_frames(void **state)
{
	expect(state, "idle 7 [1] 2.0: cpu-clock: \n\n", "idle 1\n");
}

/* A sample weighs its period; none printed, or 0, weighs 1; "00" weighs 0. */
static void test_periods(void **state)
{
	struct parse_stats st = { 0 };
	char *out = fold(*state,
			 "app 1 [0] 1.0:     250 cpu-clock:ppp: \n\t1 leaf (/opt/app)\n"
			 "\t2 main (/opt/app)\n\n"
			 "app 1 [0] 1.1: 750 cpu-clock:ppp: \n\t1 leaf (/opt/app)\n"
			 "\t2 main (/opt/app)\n\n"
			 "app 1 [0] 1.2: 0 cpu-clock:ppp: \n\t3 other (/opt/app)\n\n"
			 "app 1 [0] 1.3: cpu-clock:ppp: \n\t3 other (/opt/app)\n\n"
			 "app 1 [0] 1.4: 00 cpu-clock:ppp: \n\t4 zero (/opt/app)\n\n"
			 "app 1 [0] 1.5: 007 cpu-clock:ppp: \n\t5 seven (/opt/app)\n\n",
			 &st);

	/* the script prints "app;zero 0" too: no valid folded line */
	assert_string_equal(out, "app;main;leaf 1000\napp;other 2\napp;seven 7\n");
	assert_int_equal(st.samples, 1009);
	free(out);
}

/*
 * The period is the number alone between the time's ':' and the event; with
 * no ':' before the event there is no event either, so nothing is filtered.
 */
static void test_period_and_event_forms(void **state)
{
	expect(state,
	       "ab 1 cycles:\n1 f (/x)\n\n"
	       "ab 1 instructions:\n1 g (/x)\n\n"
	       "ab 1 [0] 1.0: 4 cycles:\n1 h (/x)\n\n"
	       "ab 2/3 1.0: 5 6 cycles:\n1 i (/x)\n\n"
	       "ab 2/3 1.0:7 cycles:  \n1 j (/x)\n\n",
	       "ab;f 1\nab;g 1\nab;h 4\nab;i 1\nab;j 7\n");
}

static void test_several_events(void **state)
{
	expect(state,
	       "ab 1 1.0: 5 cpu-clock: \n\t1 f (/x)\n\n"
	       "ab 1 1.1: 7 task-clock: \n\t1 g (/x)\n\n"
	       "ab 1 1.2: 9 cpu-clock: \n\t1 f (/x)\n\n",
	       "ab;f 14\n");
}

/* (MODULE) runs to the line's last ')': paths with spaces, even " (". */
static void test_module_paths_with_spaces(void **state)
{
	expect(state,
	       "host 9 [0] 1.0: 10 cpu-clock: \n"
	       "\t1 plugin_leaf+0x4 (/tmp/my libs/libplugin.so)\n"
	       "\t2 [unknown] (/tmp/my libs/libplugin.so)\n"
	       "\t3 f (/opt/a (x)/lib.so)\n"
	       "\t4 [unknown] (/tmp/a b/vmlinux)\n"
	       "\n",
	       "host;[vmlinux]_[k];f ;[libplugin.so];plugin_leaf 10\n");
}

static void test_java_prefix_and_inline_mark(void **state)
{
	expect(state,
	       "javaw 1 1.0: 1 cpu-clock: \n"
	       "\t1 Lcom/x/Y;.run(I)V (/tmp/perf-1.map)\n"
	       "\t2 a->b_[i]->c (/x)\n\n",
	       "javaw;a;b_[i];c_[i];com/x/Y:.run 1\n");
}

static void test_nul_byte(void **state)
{
	static const char in[] = "ab 1 1.0: cpu-clock: \n\t1 f\0 (/x)\n\n";
	struct fixture *f = *state;
	struct parse_error err = { 0 };

	assert_int_equal(perfscript__parse(f->t, in, sizeof(in) - 1, &err, NULL), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.msg, "NUL byte in the line");
}

static void test_overflow(void **state)
{
	expect_error(state, "ab 1 1.0: 18446744073709551616 cpu-clock: \n\t1 f (/x)\n\n",
		     -EOVERFLOW, 1, "period");
	calltree__zero(((struct fixture *)*state)->t);
	expect_error(state,
		     "ab 1 1.0: 18446744073709551615 cpu-clock: \n\t1 f (/x)\n\n"
		     "ab 1 1.1: 1 cpu-clock: \n\t1 g (/x)\n\n",
		     -EOVERFLOW, 6, "overflows");
}

static void test_largest_period(void **state)
{
	char *out = fold(*state, "ab 1 1.0: 18446744073709551615 cpu-clock: \n\t1 f (/x)\n\n",
			 NULL);

	/* past 2^63-1 a count is written over several lines (folded.h) */
	assert_string_equal(out, "ab;f 9223372036854775807\nab;f 9223372036854775807\n"
				 "ab;f 1\n");
	free(out);
}

/* Lines but not one sample: an error, not an empty profile. */
static void test_no_sample(void **state)
{
	struct fixture *f = *state;
	struct parse_error err = { 0 };

	expect_error(state, "# header\n  \nhello world\n", -EINVAL, 3, "no perf script sample");
	/* samples never ended by a blank line (perf record without -g) */
	expect_error(state, "\nab 1 1.0: 1 cpu-clock: 1 f (/x)\nab 1 1.1: 1 cpu-clock: 1 f (/x)\n",
		     -EINVAL, 2, "blank line");
	assert_int_equal(perfscript__parse(f->t, "# only\n\n \n", 10, &err, NULL), 0);
	assert_int_equal(calltree__samples(f->t), 0);
}

/* Fed in chunks, a sample may span them and lines count on across them. */
static void test_stream(void **state)
{
	struct fixture *f = *state;
	struct parse_error err = { 0 };
	struct parse_stats st = { 0 };
	struct perfscript *ps = perfscript__begin(f->t);
	static const char *const chunks[] = { "ab 1 1.0: 3 cpu-clock: \n", "\t1 f (/x)\n",
					      "\t2 main (/x)\n\n" };
	size_t i;
	char *out;

	assert_non_null(ps);
	for (i = 0; i < 3; i++)
		assert_int_equal(perfscript__feed(ps, chunks[i], strlen(chunks[i]), &err), 0);
	assert_int_equal(perfscript__end(ps, &err, &st), 0);
	assert_int_equal(st.lines, 4);
	out = dump(f->t, CT_ROOT);
	assert_string_equal(out, "ab;main;f 3\n");
	free(out);

	ps = perfscript__begin(f->t);
	assert_int_equal(perfscript__feed(ps, "# x\n\n", 5, &err), 0);
	assert_int_equal(perfscript__feed(ps, "ab 1 1.0: 1 cpu-clock: \nnonsense\n", 33, &err), 0);
	assert_int_equal(perfscript__end(ps, &err, NULL), -EINVAL);
	assert_int_equal(err.line, 4);
}

static void test_detect(void **state)
{
	static const struct {
		const char *text;
		enum profile_format want;
	} cases[] = {
		{ "perf 12 [000] 1.0: cpu-clock: \n\tffff f ([kernel.kallsyms])\n\n",
		  FORMAT_PERF_SCRIPT },
		{ "# ========\n# captured on: x\nab 1 [0] 1.0: 1 cycles: \n\t1 f (/x)\n\n",
		  FORMAT_PERF_SCRIPT },
		/* frames not indented (FlameGraph's perf-java-stacks-02) */
		{ "java 19983 cycles:\nffffffff8103d0ca native_write_msr_safe ([k])\n",
		  FORMAT_PERF_SCRIPT },
		/* perf script -F comm,tid,ip,sym,dso: no event, the header ends in a number */
		{ "split  8563 \n\tffff f ([kernel.kallsyms])\n\n", FORMAT_PERF_SCRIPT },
		/* a tracepoint's header may end like a folded line */
		{ "ab 1 [0] 1.0: raw_syscalls:sys_exit: NR 0 = 5\n\t1 f (/x)\n\n",
		  FORMAT_PERF_SCRIPT },
		{ "a;b 1\nc 2\n", FORMAT_FOLDED },
		/* issue 11 item 7: a line of spaces, a tab, "# ===" */
		{ " \na;b 5\n", FORMAT_FOLDED },
		{ "\ta;b 5\n", FORMAT_FOLDED },
		{ "# ========\n# captured on: x\na;b 5\n", FORMAT_FOLDED },
		{ "\r\n \t\r\n# t=1700000000\nmain;f(int) 3\r\n", FORMAT_FOLDED },
		{ "a (b);c: 5\n", FORMAT_FOLDED },
		/* neither: the folded reader names the first bad line */
		{ "hello\n", FORMAT_FOLDED },
		{ "", FORMAT_FOLDED },
		{ "# ========\n", FORMAT_FOLDED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (profile__detect(cases[i].text, strlen(cases[i].text)) != cases[i].want)
			fail_msg("case %zu: %s", i, cases[i].text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kernel_frames_and_offsets, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_comm_forms, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_symbols, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_tidy_names, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_inline_chains_and_skips, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_inline_empty_pieces, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_event_filter_and_eof, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_java_and_crlf, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_sample_without_frames, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_periods, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_period_and_event_forms, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_several_events, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_module_paths_with_spaces, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_java_prefix_and_inline_mark, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_nul_byte, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_overflow, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_largest_period, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_no_sample, fixture_setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stream, fixture_setup, fixture_teardown),
		cmocka_unit_test(test_detect),
	};

	return cmocka_run_group_tests_name("perfscript", tests, NULL, NULL);
}
