// SPDX-License-Identifier: MIT
/*
 * perf script import: each expectation is what stackcollapse-perf.pl
 * --kernel prints for the same input, worked out by hand from its rules.
 */
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
	       "swapper;tcp_sendmsg_[k];start_kernel_[k];default_idle_[k];native_safe_halt_[k] 1\n");
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

static void test_detect(void **state)
{
	const char *ps = "perf 12 [000] 1.0: cpu-clock: \n\tffff f ([kernel.kallsyms])\n\n";
	const char *fo = "a;b 1\nc 2\n";

	(void)state;
	assert_int_equal(profile__detect(ps, strlen(ps)), FORMAT_PERF_SCRIPT);
	assert_int_equal(profile__detect(fo, strlen(fo)), FORMAT_FOLDED);
	assert_int_equal(profile__detect("# ========\n", 11), FORMAT_PERF_SCRIPT);
	assert_int_equal(profile__detect("", 0), FORMAT_FOLDED);
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
		cmocka_unit_test(test_detect),
	};

	return cmocka_run_group_tests_name("perfscript", tests, NULL, NULL);
}
