// SPDX-License-Identifier: MIT
/* The live window's moves (tui/live.c) on a real history, without sampling. */
#include "helpers.h"
#include "../../tui/live.h"

static void setup(struct live *l, struct strtab *st)
{
	memset(l, 0, sizeof(*l));
	l->history = history__new(st, 600);
	assert_non_null(l->history);
	l->retain = 600;
	l->window = 10;
	l->newest = 1000;
	l->w1 = 1001;
	l->w0 = 991;
}

static void test_move_and_follow(void **state)
{
	struct strtab *st = strtab__new();
	struct live l;

	(void)state;
	setup(&l, st);
	live__move(&l, -1);
	assert_int_equal(l.state, LIVE_REWOUND);
	assert_int_equal(l.w1, 996);
	assert_int_equal(l.w0, 986);
	live__move(&l, -1);
	live__move(&l, 1);
	assert_int_equal(l.state, LIVE_REWOUND);
	assert_int_equal(l.w1, 996);
	live__move(&l, 1);
	assert_int_equal(l.state, LIVE_FOLLOW);
	assert_int_equal(l.w1, 1001);
	/* never past the live edge, never before the retained history */
	live__move(&l, 1);
	assert_int_equal(l.w1, 1001);
	for (int i = 0; i < 500; i++)
		live__move(&l, -1);
	assert_int_equal(l.w0, 1001 - 600);
	assert_int_equal(l.state, LIVE_REWOUND);
	history__free(l.history);
	strtab__free(st);
}

static void test_pause_and_resize(void **state)
{
	struct strtab *st = strtab__new();
	struct live l;

	(void)state;
	setup(&l, st);
	live__toggle_pause(&l);
	assert_int_equal(l.state, LIVE_PAUSED);
	l.newest = 1010;	/* sampling went on */
	assert_int_equal(l.w1, 1001);
	live__toggle_pause(&l);
	assert_int_equal(l.state, LIVE_FOLLOW);
	assert_int_equal(l.w1, 1011);
	assert_int_equal(l.w0, 1001);
	/* 10 -> 5 -> 2 -> 1 -> 1, then 2, 5, 10, 20, 30 ... capped at the retention */
	live__resize(&l, -1);
	assert_int_equal(l.window, 5);
	live__resize(&l, -1);
	live__resize(&l, -1);
	live__resize(&l, -1);
	assert_int_equal(l.window, 1);
	assert_int_equal(l.w0, l.w1 - 1);
	live__resize(&l, 1);
	assert_int_equal(l.window, 2);
	l.window = 10;
	live__resize(&l, 1);
	assert_int_equal(l.window, 20);
	live__resize(&l, 1);
	assert_int_equal(l.window, 30);
	for (int i = 0; i < 20; i++)
		live__resize(&l, 1);
	assert_int_equal(l.window, 600);
	/* an empty history: moving does nothing */
	l.newest = INT64_MIN;
	live__move(&l, -1);
	assert_int_equal(l.state, LIVE_FOLLOW);
	history__free(l.history);
	strtab__free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_and_follow),
		cmocka_unit_test(test_pause_and_resize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
