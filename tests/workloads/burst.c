// SPDX-License-Identifier: MIT
/*
 * Short-lived processes: runs N children one after another (two at a
 * time), each exec'ing this binary again to spin MS milliseconds in
 * burst_leaf and exit, as a build or a shell script spawns its tools.
 *
 *   burst N MS          (prints "ready <pid>" first, "done" at the end)
 *   burst --child MS    (what each child runs)
 *   burst --then SECS PROGRAM ARGS...   (spins SECS seconds, then execs PROGRAM:
 *                                        an image replaced mid-capture)
 *
 * Built PIE and without frame pointers: a child is only named right from
 * its own image, read while it lived.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) void burst_leaf(double until)
{
	unsigned long x = sink;

	while (now() < until)
		for (int i = 0; i < 10000; i++)
			x = x * 2862933555777941757ul + 3037000493ul;
	sink = x;
}

__attribute__((noinline)) void burst_child(double ms)
{
	burst_leaf(now() + ms / 1000);
}

int main(int argc, char **argv)
{
	int n, running = 0;
	char self[4096];
	ssize_t len;
	double ms;

	if (argc == 3 && !strcmp(argv[1], "--child")) {
		burst_child(atof(argv[2]));
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "--then")) {
		printf("ready %d\n", (int)getpid());
		fflush(stdout);
		burst_child(atof(argv[2]) * 1000);
		execv(argv[3], argv + 3);
		return 127;
	}
	if (argc != 3 || (n = atoi(argv[1])) <= 0 || (ms = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: burst N MS\n");
		return 2;
	}
	/* its own path, so that the children's name is its name */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len <= 0)
		return 1;
	self[len] = '\0';
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		pid_t pid;

		if (running == 2) {
			wait(NULL);
			running--;
		}
		pid = fork();
		if (pid == 0) {
			execl(self, argv[0], "--child", argv[2], (char *)NULL);
			_exit(127);
		}
		if (pid > 0)
			running++;
	}
	while (running-- > 0)
		wait(NULL);
	printf("done\n");
	return 0;
}
