// SPDX-License-Identifier: MIT
/* The live window's moves (tui/live.c) on a real history, without sampling. */
#include <poll.h>

#include "helpers.h"
#include "../../tui/live.h"
#include "../../profile/who.h"

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
	/* grown at the oldest second: the window moves on instead of past it */
	live__resize(&l, 1);
	assert_int_equal(l.window, 20);
	assert_int_equal(l.w0, 1001 - 600);
	assert_int_equal(l.w1, 1001 - 580);
	assert_int_equal(l.state, LIVE_REWOUND);
	for (int i = 0; i < 20; i++)
		live__resize(&l, 1);
	assert_int_equal(l.window, 600);
	assert_int_equal(l.w0, 1001 - 600);
	assert_int_equal(l.w1, 1001);
	assert_int_equal(l.state, LIVE_FOLLOW);	/* it reached the newest second */
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

/*
 * A source of its own (the interface's point): 60 seconds in which three
 * threads of two processes run stacks that change with the second.
 */
struct scripted {
	struct source base;
	struct strtab *names;
	int64_t next;
};

static int no_fd(const struct source *s) { (void)s; return -1; }
static void no_poll(struct source *s) { (void)s; }
static int no_settle(struct source *s, int ms) { (void)s; (void)ms; return 0; }
static void no_stats(const struct source *s, struct sampler_stats *st) { (void)s; memset(st, 0, sizeof(*st)); }
static bool ended(const struct source *s) { return ((const struct scripted *)s)->next <= s->info.last; }
static void free_scripted(struct source *s) { free(s); }

static int drain_scripted(struct source *s, int64_t sec, source_add_fn add, void *ctx)
{
	struct scripted *sc = (struct scripted *)s;
	static const char *const fns[] = { "parse", "render", "sort", "hash", "send" };
	int err = 0;

	(void)sec;
	if (sc->next > s->info.last)
		return 1;
	for (uint32_t t = 0; t < 3 && !err; t++) {
		struct who w = { 100 + (t > 1), 100 + t, t > 1 ? "db" : "web",
				 t ? "worker" : "main", t > 1 ? "nginx.service" : "podman:0123456789ab" };
		uint32_t ids[2];
		const char *f = fns[(sc->next + t) % 5];

		strtab__intern(sc->names, "main", 4, &ids[0]);
		strtab__intern(sc->names, f, strlen(f), &ids[1]);
		err = add(ctx, sc->next, EVENT_CPU, &w, ids, 2, 1 + (uint64_t)(sc->next % 7) + t);
	}
	sc->next++;
	return err;
}

static const struct source_ops scripted_ops = {
	.fd = no_fd, .poll = no_poll, .settle = no_settle, .drain = drain_scripted,
	.stats = no_stats, .alive = ended, .free = free_scripted,
};

/* The tree shown, kept in step second by second, is what a regroup from scratch gives. */
static void check_mirror(struct live *l)
{
	struct calltree *fresh = calltree__new(calltree__names(live__window(l)));
	char *a, *b;

	assert_true(who__regroup(fresh, live__window(l), l->group, &l->focus, NULL) >= 0);
	a = dump(live__tree(l), CT_ROOT);
	b = dump(fresh, CT_ROOT);
	assert_string_equal(a, b);
	free(a);
	free(b);
	calltree__free(fresh);
}

static void test_tree_shown_follows_moves(void **state)
{
	struct strtab *st = strtab__new();
	struct scripted *sc = calloc(1, sizeof(*sc));
	struct live *l;
	char err[128];
	uint32_t frame;

	(void)state;
	sc->base = (struct source){ &scripted_ops, { .hz = 99, .first = 1000, .last = 1059 } };
	sc->names = st;
	sc->next = 1000;
	l = live__new(&sc->base, st, 600, 10, err, sizeof(err));
	assert_non_null(l);
	check_mirror(l);
	for (int i = 0; i < 40; i++) {
		if (i % 5 == 4)
			live__resize(l, i % 10 == 4 ? 1 : -1);
		else
			live__move(l, i % 7 < 4 ? -1 : 1);
		assert_int_equal(live__apply(l), 0);
		check_mirror(l);
	}
	/* regrouped and focused: made anew, then kept in step again */
	assert_int_equal(live__set_view(l, GROUP_CONTAINER, NULL), 0);
	check_mirror(l);
	strtab__intern(st, "nginx.service", 13, &frame);
	assert_int_equal(live__set_view(l, GROUP_CONTAINER,
					&(struct who_focus){ GROUP_CONTAINER, frame }), 0);
	for (int i = 0; i < 10; i++) {
		live__move(l, i < 5 ? -1 : 1);
		assert_int_equal(live__apply(l), 0);
		check_mirror(l);
	}
	assert_true(calltree__samples(live__tree(l)) > 0);
	live__free(l);
	strtab__free(st);
}

/*
 * A realtime source whose every process runs once (a busy host's short
 * compilers): each second brings CHURN new processes, each its identity
 * frame and its label (--group pid).  The history drops the expired ones
 * (it compacts past 65,536 nodes) and the view sweeps their names: they
 * stay as many as it holds.  The label the view is focused on stays.
 */
#define CHURN 25000u

static int drain_churn(struct source *s, int64_t sec, source_add_fn add, void *ctx)
{
	struct scripted *sc = (struct scripted *)s;
	uint32_t ids[2];
	int err = 0;

	strtab__intern(sc->names, "main", 4, &ids[0]);
	strtab__intern(sc->names, "cc1_main", 8, &ids[1]);
	for (uint32_t p = 0; p < CHURN && !err; p++) {
		uint32_t pid = (uint32_t)sc->next * CHURN + p + 1;
		struct who w = { pid, pid, "cc1", "cc1", "" };

		err = add(ctx, sec, EVENT_CPU, &w, ids, 2, 1);
	}
	sc->next++;
	return err ? err : 1;
}

static bool alive(const struct source *s) { (void)s; return true; }

static const struct source_ops churn_ops = {
	.fd = no_fd, .poll = no_poll, .settle = no_settle, .drain = drain_churn,
	.stats = no_stats, .alive = alive, .free = free_scripted,
};

static void test_names_of_gone_processes_are_swept(void **state)
{
	struct strtab *st = strtab__new();
	struct scripted *sc = calloc(1, sizeof(*sc));
	uint32_t most = 0, last = 0, focus;
	bool fell = false;
	struct live *l;
	char err[128];

	(void)state;
	sc->base = (struct source){ &churn_ops, { .hz = 99, .realtime = true } };
	sc->names = st;
	l = live__new(&sc->base, st, 2, 2, err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(live__set_view(l, GROUP_PID, NULL), 0);
	for (int tick = 0; tick < 6; tick++) {
		struct pollfd pfd = { .fd = l->timer_fd, .events = POLLIN };

		assert_int_equal(poll(&pfd, 1, 2000), 1);
		assert_int_equal(live__tick(l), 0);
		check_mirror(l);
		if (tick == 0) {	/* on the first process, gone after 2 s */
			assert_true(strtab__lookup(st, "cc1-1", 5, &focus));
			assert_int_equal(live__set_view(l, GROUP_PID,
							&(struct who_focus){ GROUP_PID, focus }), 0);
		}
		fell |= strtab__temps(st) < last;
		last = strtab__temps(st);
		most = last > most ? last : most;
	}
	/*
	 * 150,000 processes, two names each; never more than four seconds'
	 * worth: the 2 s retained, the one not compacted yet, the one drained
	 * before the sweep (and a few names for good: "main", "cc1"...)
	 */
	assert_true(fell);
	assert_true(most <= 2 * 4 * CHURN);
	assert_true(strtab__count(st) <= 2 * 4 * CHURN + 8);
	assert_string_equal(strtab__str(st, focus), "cc1-1");
	assert_int_equal(live__set_view(l, GROUP_PID, NULL), 0);
	check_mirror(l);
	assert_true(calltree__samples(live__tree(l)) > 0);
	live__free(l);
	strtab__free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_move_and_follow),
		cmocka_unit_test(test_pause_and_resize),
		cmocka_unit_test(test_tree_shown_follows_moves),
		cmocka_unit_test(test_names_of_gone_processes_are_swept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
