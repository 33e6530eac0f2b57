// SPDX-License-Identifier: MIT
/*
 * Model benchmarks (issue 3): window switches over 600 one-second slices
 * holding ~100k unique stacks, and memory per unique stack and per node.
 * Prints the figures; asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "../../profile/history.h"
#include "../../profile/transform.h"
#include "../../profile/who.h"

#define UNIQUE 100000
#define SLICES 600
#define PER_SLICE 3000
#define MAXD 40

static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f && fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	if (f)
		fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Stacks shaped like real ones: shared roots, fan-out growing with depth. */
static void make_stack(struct strtab *st, uint32_t *ids, size_t *n, uint64_t seed)
{
	char name[64];
	size_t d, depth = 12 + seed % 28;
	uint64_t h = seed;

	for (d = 0; d < depth && d < MAXD; d++) {
		unsigned fan = d < 4 ? 2 : d < 12 ? 3 : 5;

		h = h * 6364136223846793005ull + 1442695040888963407ull;
		snprintf(name, sizeof(name), "%s_fn_%u_%u", d < 2 ? "lib" : "app",
			 (unsigned)d, (unsigned)((h >> 33) % fan));
		strtab__intern(st, name, strlen(name), &ids[d]);
	}
	*n = depth;
}

/* Regroups the window [from, SLICES) of h each way, twice; prints the times. */
static void regroup_window(struct history *h, struct strtab *st, int64_t from, const char *what)
{
	double best = 1e9, worst = 0;
	uint32_t held = 0;
	long touched = 0;

	history__set_window(h, from, SLICES);
	for (int g = 0; g < 2 * GROUP_COUNT; g++) {
		struct calltree *shown = calltree__new(st);
		double t0, d;

		/* room for the nodes the last regroup made, as the live view does */
		calltree__reserve(shown, held);
		t0 = now();
		touched = who__regroup(shown, history__tree(h), (enum group_by)(g % GROUP_COUNT),
				       NULL, NULL);
		d = now() - t0;
		held = calltree__nodes(shown);
		best = d < best ? d : best;
		worst = d > worst ? d : worst;
		calltree__free(shown);
	}
	printf("regroup: %s (%ld stacks with samples) of a 10-minute history of %u nodes "
	       "(400 threads, 100 processes, 10 containers): best %.1f ms, worst %.1f ms "
	       "(goal <= 50 ms)\n", what, touched, calltree__nodes(history__tree(h)), best * 1e3,
	       worst * 1e3);
}

/*
 * Switching the grouping (issue 13) on a 10-minute history: the same
 * stacks, each process running its own share of them in 4 threads (400
 * threads of 100 processes in 10 containers: an identity frame at the
 * leaf, as the live view keeps them), the whole history shown.
 */
static void bench_regroup(struct strtab *st, uint32_t (*stacks)[MAXD], const size_t *lens)
{
	struct history *h = history__new(st, SLICES);
	uint32_t stack[MAXD + 1], ids[400];

	for (int i = 0; i < 400; i++) {
		char comm[32], thread[32], ctr[32];
		struct who w = { (uint32_t)(1000 + i / 4), (uint32_t)(1000 + i), comm, thread, ctr };

		snprintf(comm, sizeof(comm), "proc%d", i / 4);
		snprintf(thread, sizeof(thread), "worker-%d", i % 4);
		snprintf(ctr, sizeof(ctr), "podman:%012x", i / 40);
		who__intern(st, &w, &ids[i]);
	}
	for (int64_t s = 0; s < SLICES; s++)
		for (int j = 0; j < PER_SLICE; j++) {
			size_t k = (size_t)(next() % UNIQUE), t = (k % 100) * 4 + next() % 4;

			/* as the live view keeps them: who ran it at the leaf */
			memcpy(stack, stacks[k], lens[k] * sizeof(*stack));
			stack[lens[k]] = ids[t];
			history__add(h, s, stack, lens[k] + 1, 1 + next() % 5);
		}
	regroup_window(h, st, SLICES - 10, "the default 10 s window");
	regroup_window(h, st, 0, "the whole 10 minutes shown");
	history__free(h);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Transforms (issue 15): three of them (hide a regex, drop another,
 * collapse recursion) applied again as each live tick would, to the tree
 * of the whole 10-minute history; the first pass matches every name, the
 * later ones reuse what they learnt.
 */
static void transforms_of(struct xforms *xs, const struct calltree *shown, const char *what)
{
	double ms[21], first = 0;

	for (int i = 0; i < 21; i++) {
		double t0 = now();
		struct calltree *t = xforms__apply(xs, shown);

		ms[i] = (now() - t0) * 1e3;
		if (!i)
			first = ms[i];
		xforms__recycle(xs, t);	/* as the explorer does with the tree it showed */
	}
	qsort(ms, 21, sizeof(*ms), cmp_double);
	printf("transforms: hide + drop + collapse recursion on %s (%u nodes), per tick: "
	       "median %.2f ms, max %.2f ms (the first, matching every name: %.2f ms; "
	       "goal <= 20 ms)\n", what, calltree__nodes(shown), ms[10], ms[20], first);
}

static void bench_transforms(struct history *h)
{
	struct xforms xs = { 0 };
	struct calltree *shown;
	char why[160];

	if (xforms__push(&xs, XF_HIDE, "^lib_fn_1_", 0, why, sizeof(why)) ||
	    xforms__push(&xs, XF_DROP, "app_fn_2[0-9]_4$", 0, why, sizeof(why)) ||
	    xforms__push(&xs, XF_RECURSION, NULL, 0, why, sizeof(why)))
		return;
	/* the tree a live tick shows: the window's frames with samples */
	for (int w = 0; w < 2; w++) {
		history__set_window(h, w ? 0 : SLICES - 10, SLICES);
		shown = calltree__copy(history__tree(h));
		if (shown)
			transforms_of(&xs, shown, w ? "the whole 10-minute history shown"
						: "the default 10 s window of a 10-minute history");
		calltree__free(shown);
	}
	xforms__clear(&xs);
}

int main(void)
{
	struct strtab *st = strtab__new();
	uint32_t (*stacks)[MAXD] = malloc(sizeof(*stacks) * UNIQUE);
	size_t *lens = malloc(sizeof(*lens) * UNIQUE), i, j;
	long rss0, rss1;
	struct calltree *t;
	struct history *h;
	double t0, best_step = 1e9, sum_step = 0, best_jump = 1e9, grow = 0;
	int64_t s;

	for (i = 0; i < UNIQUE; i++)
		make_stack(st, stacks[i], &lens[i], i * 0x9e3779b97f4a7c15ull + 1);

	/* memory: a tree of 100k unique stacks */
	rss0 = rss_kb();
	t = calltree__new(st);
	for (i = 0; i < UNIQUE; i++)
		calltree__add_stack(t, stacks[i], lens[i], 1);
	rss1 = rss_kb();
	printf("model: %d unique stacks -> %u nodes; tree %zu bytes (%.1f B/node, %.1f B/stack); "
	       "RSS growth %.1f MB; names %u (%zu bytes)\n", UNIQUE, calltree__nodes(t),
	       calltree__bytes(t), (double)calltree__bytes(t) / calltree__nodes(t),
	       (double)calltree__bytes(t) / UNIQUE, (rss1 - rss0) / 1024.0, strtab__count(st),
	       strtab__bytes(st));
	calltree__free(t);

	/* history: 600 slices, every unique stack present somewhere */
	h = history__new(st, SLICES);
	rss0 = rss_kb();
	for (s = 0; s < SLICES; s++)
		for (j = 0; j < PER_SLICE; j++) {
			size_t k = (size_t)(next() % UNIQUE);

			if (j < UNIQUE / SLICES + 1)
				k = ((size_t)s * (UNIQUE / SLICES + 1) + j) % UNIQUE;
			history__add(h, s, stacks[k], lens[k], 1 + next() % 5);
		}
	rss1 = rss_kb();
	printf("history: %d slices x %d entries, %u nodes; %zu bytes accounted; RSS growth %.1f MB "
	       "(total RSS %.1f MB)\n", SLICES, PER_SLICE, calltree__nodes(history__tree(h)),
	       history__bytes(h), (rss1 - rss0) / 1024.0, rss1 / 1024.0);
	history__set_window(h, 590, 600);
	for (s = 589; s >= 400; s--) {	/* '[': back one second, 10 s window */
		double d;

		t0 = now();
		history__set_window(h, s, s + 10);
		d = now() - t0;
		sum_step += d;
		if (d < best_step)
			best_step = d;
	}
	t0 = now();
	history__set_window(h, 0, 600);	/* '+' all the way: every slice */
	grow = now() - t0;
	for (i = 0; i < 5; i++) {	/* jump across the history */
		double d;

		t0 = now();
		history__set_window(h, (int64_t)(i % 2 ? 10 : 500), (int64_t)(i % 2 ? 20 : 510));
		d = now() - t0;
		if (d < best_jump)
			best_jump = d;
	}
	printf("window: step back 1 s (10 s window): mean %.3f ms, best %.3f ms; "
	       "jump 490 s: %.3f ms; grow to all 600 s: %.1f ms\n", sum_step / 190 * 1e3,
	       best_step * 1e3, best_jump * 1e3, grow * 1e3);
	bench_transforms(h);
	history__free(h);
	bench_regroup(st, stacks, lens);
	free(stacks);
	free(lens);
	strtab__free(st);
	return 0;
}
