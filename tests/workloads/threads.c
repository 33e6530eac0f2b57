// SPDX-License-Identifier: MIT
/*
 * Two named threads burning CPU in their own functions (issue 13: who burns
 * it): "net-worker" in net_loop and "db-worker" in db_loop, named with
 * pthread_setname_np; the main thread sleeps.  -s SECS: how long.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;
static double until;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void net_loop(void)
{
	while (now() < until)
		for (int i = 0; i < 10000; i++)
			sink += (unsigned long)i;
}

__attribute__((noinline)) static void db_loop(void)
{
	while (now() < until)
		for (int i = 0; i < 10000; i++)
			sink ^= (unsigned long)i * 3;
}

static void *run(void *arg)
{
	const char *name = arg;

	pthread_setname_np(pthread_self(), name);
	if (!strcmp(name, "net-worker"))
		net_loop();
	else
		db_loop();
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = argc > 2 && !strcmp(argv[1], "-s") ? atof(argv[2]) : 10;
	pthread_t a, b;

	until = now() + secs;
	pthread_create(&a, NULL, run, "net-worker");
	pthread_create(&b, NULL, run, "db-worker");
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	return 0;
}
