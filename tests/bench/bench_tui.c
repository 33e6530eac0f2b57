// SPDX-License-Identifier: MIT
/*
 * Explorer benchmarks (issue 4) on a tree of 200k nodes at 250x60:
 *  - layout + cells (render/ alone), and layout + cells + paint (ours, or
 *    curses with FLAMETOP_PAINT=curses) to
 *    a pseudo-terminal, one full frame each time;
 *  - key-to-screen latency of the real binary: `flametop view` runs on a
 *    pty; a key is written and the time to the last byte of the screen
 *    update is measured (zoom, zoom out, each key of an incremental search).
 * Prints the figures; asserts nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "../../profile/folded.h"
#include "../../profile/sandwich.h"
#include "../../profile/topn.h"
#include "../../profile/transform.h"
#include "../../render/flame.h"
#include "../../tui/screen.h"

#define NODES 200000
#define W 250
#define H 60
#define RUNS 101

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, double *ms, int n)
{
	qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
	printf("%-44s median %7.3f ms  p90 %7.3f ms  max %7.3f ms  (%d runs)\n", what, ms[n / 2],
	       ms[n * 9 / 10], ms[n - 1], n);
}

/* Stacks with shared roots and a fan-out growing with depth, like real ones. */
static void build_tree(struct calltree *t)
{
	struct strtab *st = calltree__names(t);
	uint32_t ids[48];

	while (calltree__nodes(t) < NODES) {
		uint64_t h = next();
		size_t depth = 20 + h % 26;

		for (size_t d = 0; d < depth; d++) {
			/* skewed: a few heavy callees and a long tail, as in real profiles */
			unsigned fan = d < 2 ? 4 : 40, r;
			char name[48];
			int len;

			h = h * 6364136223846793005ull + 1442695040888963407ull;
			r = (unsigned)(h >> 33) % 100;
			r = r < 60 ? 0 : r < 80 ? 1 : r < 88 ? 2 : 3 + (unsigned)(h >> 45) % (fan - 3);
			len = snprintf(name, sizeof(name), "%s_d%zu_%u", d ? "function" : "proc", d,
				       r);
			strtab__intern(st, name, (size_t)len, &ids[d]);
		}
		calltree__add_stack(t, ids, depth, 1 + next() % 1000);
	}
}

/*
 * The worst case for painting: 125 equal chains 60 deep fill every row with
 * frames two cells wide, and 190k light stacks under them, too narrow to
 * show, still have to be skipped.
 */
static void build_dense(struct calltree *t)
{
	struct strtab *st = calltree__names(t);
	uint32_t ids[64];
	char name[48];
	int len;

	for (unsigned p = 0; p < 125; p++) {
		for (unsigned d = 0; d < 60; d++) {
			len = snprintf(name, sizeof(name), "chain%u_frame%u", p, d);
			strtab__intern(st, name, (size_t)len, &ids[d]);
		}
		calltree__add_stack(t, ids, 60, 1000000);
	}
	while (calltree__nodes(t) < NODES) {
		uint64_t h = next();
		unsigned p = (unsigned)(h % 125), d = 1 + (unsigned)(h >> 8) % 58;

		for (unsigned i = 0; i < d; i++) {
			len = snprintf(name, sizeof(name), "chain%u_frame%u", p, i);
			strtab__intern(st, name, (size_t)len, &ids[i]);
		}
		len = snprintf(name, sizeof(name), "light_%u", (unsigned)(h >> 20) % 5000);
		strtab__intern(st, name, (size_t)len, &ids[d]);
		calltree__add_stack(t, ids, d + 1, 1);
	}
}

/* A node about four levels down the heaviest path, to zoom to. */
static uint32_t zoom_target(const struct calltree *t)
{
	uint32_t id = CT_ROOT;

	for (int d = 0; d < 4; d++) {
		uint32_t best = CT_NONE;

		for (uint32_t c = calltree__node(t, id)->child; c != CT_NONE;
		     c = calltree__node(t, c)->sibling)
			if (best == CT_NONE ||
			    calltree__node(t, c)->total > calltree__node(t, best)->total)
				best = c;
		if (best == CT_NONE)
			break;
		id = best;
	}
	return id;
}

static int master_fd = -1;

static void *drain(void *arg)
{
	char buf[65536];

	(void)arg;
	while (read(master_fd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

/*
 * The sandwich (issue 15) of the tree's heaviest function (by self): both
 * trees made and both halves laid out, as the explorer does on the key.
 */
static void bench_sandwich(const struct calltree *t)
{
	struct flame_layout up, down;
	struct fn_stat *fns;
	struct sandwich sw;
	double ms[RUNS];
	uint32_t name;

	if (topn__compute(t, CT_ROOT, TOPN_SELF, &fns) < 1)
		return;
	name = fns[0].name;
	free(fns);
	flame__init(&up);
	flame__init(&down);
	for (int i = 0; i < RUNS; i++) {
		double t0 = now();

		if (sandwich__build(t, name, &sw))
			return;
		flame__layout(&up, sw.callers, CT_ROOT, W);
		flame__layout(&down, sw.callees, CT_ROOT, W);
		ms[i] = (now() - t0) * 1e3;
		if (i < RUNS - 1)
			sandwich__release(&sw);
	}
	printf("sandwich of %s (total %llu of %llu): %u caller nodes, %u callee nodes\n",
	       strtab__str(calltree__names(t), name), (unsigned long long)sw.total,
	       (unsigned long long)calltree__samples(t), calltree__nodes(sw.callers),
	       calltree__nodes(sw.callees));
	report("sandwich: build + both halves laid out (goal <= 20 ms)", ms, RUNS);
	sandwich__release(&sw);
	flame__release(&up);
	flame__release(&down);
}

/* Three transforms applied again, as on each live tick, to a 200k-node tree. */
static void bench_transforms(const struct calltree *t)
{
	struct xforms xs = { 0 };
	double ms[RUNS];
	char why[160];

	if (xforms__push(&xs, XF_HIDE, "^proc_d1_|frame1$", 0, why, sizeof(why)) ||
	    xforms__push(&xs, XF_DROP, "_d3[0-9]_4$|frame7$", 0, why, sizeof(why)) ||
	    xforms__push(&xs, XF_RECURSION, NULL, 0, why, sizeof(why)))
		return;
	for (int i = 0; i < RUNS; i++) {
		double t0 = now();
		struct calltree *x = xforms__apply(&xs, t);

		ms[i] = (now() - t0) * 1e3;
		xforms__recycle(&xs, x);	/* as the explorer does with the tree it showed */
	}
	report("transforms: hide + drop + recursion (<= 20 ms)", ms, RUNS);
	xforms__clear(&xs);
}

static void bench_frames(const struct calltree *t, const char *label)
{
	struct winsize ws = { .ws_row = H, .ws_col = W };
	uint32_t zooms[2] = { CT_ROOT, zoom_target(t) };
	struct flame_layout l;
	struct screen scr;
	struct grid g = { .w = W, .h = H, .utf8 = true };
	double ms[RUNS];
	char slave[128], msg[256];
	pthread_t th;
	int sfd;

	flame__init(&l);
	g.cells = calloc(W * H, sizeof(*g.cells));
	for (int i = 0; i < RUNS; i++) {
		struct flame_style s = { .selected = zooms[i % 2] };
		double t0 = now();

		flame__layout(&l, t, zooms[i % 2], W);
		flame__paint(&l, &s, &g, 0, H - 3);
		ms[i] = (now() - t0) * 1e3;
	}
	printf("%s: %u nodes, %zu frames shown in %u rows\n", label, calltree__nodes(t),
	       l.nframes, l.nrows);
	report("layout + cells, 250x60", ms, RUNS);
	free(g.cells);

	if (openpty(&master_fd, &sfd, slave, NULL, &ws)) {
		printf("no pty: %s\n", strerror(errno));
		return;
	}
	pthread_create(&th, NULL, drain, NULL);
	setenv("TERM", "xterm-256color", 1);
	unsetenv("LINES");
	unsetenv("COLUMNS");
	if (screen__open(&scr, slave, false, msg, sizeof(msg))) {
		printf("screen: %s\n", msg);
		return;
	}
	for (int i = 0; i < RUNS; i++) {
		struct flame_style s = { .selected = zooms[i % 2] };
		double t0 = now();

		flame__layout(&l, t, zooms[i % 2], scr.grid.w);
		flame__paint(&l, &s, &scr.grid, 0, scr.grid.h - 3);
		screen__paint(&scr);
		ms[i] = (now() - t0) * 1e3;
	}
	screen__close(&scr);
	report(getenv("FLAMETOP_PAINT") ? "layout + cells + curses paint, 250x60" :
						   "layout + cells + paint, 250x60", ms, RUNS);
	close(sfd);
	close(master_fd);
	pthread_join(th, NULL);
	flame__release(&l);
}

/* Writes keys to the pty and returns ms until the last byte of the update. */
static double key_to_screen(int fd, const char *keys)
{
	char buf[65536];
	double t0 = now(), last = t0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (write(fd, keys, strlen(keys)) < 0)
		return -1;
	/* the update is over when nothing more comes for 100 ms */
	while (poll(&p, 1, 100) > 0) {
		if (read(fd, buf, sizeof(buf)) <= 0)
			break;
		last = now();
	}
	return (last - t0) * 1e3;
}

static void bench_keys(const char *flametop, const char *file)
{
	struct winsize ws = { .ws_row = H, .ws_col = W };
	double zoom[20], out[20], search[40];
	int fd, n = 0, status;
	pid_t pid = forkpty(&fd, NULL, NULL, &ws);

	if (pid < 0) {
		printf("no pty: %s\n", strerror(errno));
		return;
	}
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		execl(flametop, flametop, "view", "--no-mouse", file, (char *)NULL);
		_exit(127);
	}
	printf("first screen (load + draw): %.0f ms\n", key_to_screen(fd, ""));
	key_to_screen(fd, "jjjj");
	for (int i = 0; i < 20; i++) {
		zoom[i] = key_to_screen(fd, "\r");	/* Enter: zoom in */
		out[i] = key_to_screen(fd, "\x7f");	/* Backspace: zoom out */
	}
	report("key to screen: zoom in (Enter)", zoom, 20);
	report("key to screen: zoom out (Backspace)", out, 20);
	for (int r = 0; r < 8; r++) {
		key_to_screen(fd, "/");
		for (const char *k = "d1[0-5]"; *k; k++) {
			char key[2] = { *k, 0 };

			if (n < 40)
				search[n++] = key_to_screen(fd, key);
		}
		key_to_screen(fd, "\r");
		key_to_screen(fd, "\x1b");
	}
	report("key to screen: a key of an incremental search", search, n);
	key_to_screen(fd, "q");
	waitpid(pid, &status, 0);
	close(fd);
}

int main(int argc, char **argv)
{
	struct strtab *st = strtab__new();
	struct calltree *t = calltree__new(st);
	char file[] = "/tmp/flametop-bench-XXXXXX";
	int fd;
	double t0 = now();

	if (!t)
		return 1;
	build_tree(t);
	printf("tree: %u nodes, %u names, %llu samples, built in %.0f ms\n", calltree__nodes(t),
	       strtab__count(st), (unsigned long long)calltree__samples(t), (now() - t0) * 1e3);
	struct calltree *dense = calltree__new(st);

	if (!dense)
		return 1;
	build_dense(dense);
	bench_frames(t, "skewed tree");
	bench_sandwich(t);
	bench_transforms(t);
	bench_frames(dense, "dense tree");
	bench_sandwich(dense);
	bench_transforms(dense);
	for (int i = 0; argc > 1 && i < 2; i++) {
		fd = mkstemp(file);
		close(fd);
		unlink(file);
		printf("%s tree in flametop view:\n", i ? "dense" : "skewed");
		if (folded__write_path(file, i ? dense : t, CT_ROOT, false) == 0)
			bench_keys(argv[1], file);
		unlink(file);
		strcpy(file, "/tmp/flametop-bench-XXXXXX");
	}
	calltree__free(dense);
	calltree__free(t);
	strtab__free(st);
	return 0;
}
