// SPDX-License-Identifier: MIT
/*
 * A context-switch-heavy workload: two threads hand a byte back and forth
 * through two pipes, each blocking in read() until the other writes.
 * Prints the round trips per second it made, over -s SECONDS, and its
 * threads' voluntary context switches per second.
 *
 *   pingpong [-s SECONDS]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static int ab[2], ba[2];
static volatile int stop;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *pong(void *arg)
{
	char c;

	(void)arg;
	while (read(ab[0], &c, 1) == 1)
		if (write(ba[1], &c, 1) != 1)
			break;
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = 5, t0;
	unsigned long n = 0;
	pthread_t t;
	char c = 0;
	int opt;

	while ((opt = getopt(argc, argv, "s:")) != -1)
		if (opt == 's')
			secs = atof(optarg);
	if (pipe(ab) || pipe(ba) || pthread_create(&t, NULL, pong, NULL))
		return 1;
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	t0 = now();
	while (now() - t0 < secs) {
		for (int i = 0; i < 1000; i++)
			if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
				return 1;
		n += 1000;
	}
	{
		struct rusage ru;
		double t = now() - t0;

		getrusage(RUSAGE_SELF, &ru);	/* both threads' voluntary switches */
		printf("round trips/s %.0f switches/s %.0f\n", n / t, (double)ru.ru_nvcsw / t);
	}
	return 0;
}
