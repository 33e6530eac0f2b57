// SPDX-License-Identifier: MIT
/*
 * An off-CPU workload with a known split: one thread blocks in a loop, per
 * round 6 ms in read() on a pipe (a writer thread fills it), 3 ms in
 * nanosleep() and 1 ms in a futex wait — 60/30/10 of its blocked time —
 * each under its own caller (block_read, block_sleep, block_futex).  A
 * second phase (-p SECS, or at SIGUSR1) swaps read and futex: the futex
 * wait grows.
 *
 *   offcpu [-s SECONDS] [-p PHASE_SECS]
 *
 * Prints "ready <pid> <tid of the blocking thread>" once running.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int pipefd[2];
static int futex_word;
static volatile double phase_at = -1;
static double start;
static volatile int stop;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts))
		;
}

static void phase_now(int sig)
{
	(void)sig;
	phase_at = 0;
}

static int second_phase(void)
{
	return phase_at >= 0 && now() - start >= phase_at;
}

/* Writes a byte whenever the reader has waited its share. */
static void *writer(void *arg)
{
	(void)arg;
	prctl(PR_SET_TIMERSLACK, 1);
	for (;;) {
		char c = 0;

		if (read(pipefd[0] + 2, &c, 1) != 1)	/* the reader's "I wait now" */
			return NULL;
		sleep_us(second_phase() ? 1000 : 6000);
		if (write(pipefd[1], &c, 1) != 1)
			return NULL;
	}
}

__attribute__((noinline)) static void block_read(int ask)
{
	char c = 0;

	if (write(ask, &c, 1) != 1 || read(pipefd[0], &c, 1) != 1)
		exit(1);
}

__attribute__((noinline)) static void block_sleep(void)
{
	sleep_us(3000);
}

__attribute__((noinline)) static void block_futex(long us)
{
	struct timespec ts = { 0, us * 1000 };

	syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
}

__attribute__((noinline)) static void round_of_waits(int ask)
{
	block_read(ask);
	block_sleep();
	block_futex(second_phase() ? 6000 : 1000);
}

int main(int argc, char **argv)
{
	double secs = 3600;
	int ask[2], c;
	pthread_t w;

	while ((c = getopt(argc, argv, "s:p:")) != -1) {
		if (c == 's')
			secs = atof(optarg);
		else if (c == 'p')
			phase_at = atof(optarg);
	}
	/* the writer learns the reader waits through a second pipe, at fd pipefd[0] + 2 */
	if (pipe(pipefd) || pipe(ask) || ask[0] != pipefd[0] + 2)
		return 1;
	prctl(PR_SET_TIMERSLACK, 1);
	/* reads and writes restart: the pipe's byte is not lost to the signal */
	sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = phase_now, .sa_flags = SA_RESTART },
		  NULL);
	start = now();
	if (pthread_create(&w, NULL, writer, NULL))
		return 1;
	printf("ready %d %ld\n", (int)getpid(), (long)syscall(SYS_gettid));
	fflush(stdout);
	while (!stop && now() - start < secs)
		round_of_waits(ask[1]);
	return 0;
}
