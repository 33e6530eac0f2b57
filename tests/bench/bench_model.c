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
	history__free(h);
	free(stacks);
	free(lens);
	strtab__free(st);
	return 0;
}
