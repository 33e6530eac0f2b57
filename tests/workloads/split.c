// SPDX-License-Identifier: MIT
/*
 * A CPU workload with a known split: three leaf functions doing the same
 * loop 6, 3 and 1 times per round (60/30/10), each reached through its own
 * caller.  Built with frame pointers by the Makefile.
 *
 *   split [-t THREADS] [-f FORK_AFTER_SECS] [-s SECONDS] [-p PHASE_SECS] [-b] [-g] [-a]
 *
 * -t runs the rounds in extra threads too; -f forks a child (named
 * "split-child", reaching the leaves through child_work) after that many
 * seconds; -p swaps to a second phase (leaf_ten gets 60%) after that long;
 * -b runs them all under big_frame, whose frame is bigger than the part of
 * the stack the BPF walker copies at once (512 bytes); -g runs them on a
 * stack of their own whose top is a page no read may cross; -a runs them in
 * a signal handler (the walk crosses the kernel's signal frame).
 * Prints "ready <pid>" once running.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define UNIT 200000

static volatile unsigned long sink;
static double phase_at = -1;
static double start;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The loop each leaf runs: a function inlined into each where built with
 * SPLIT_INLINE (split-inline: its debug info shows an inlined frame), else
 * written out in each leaf, so that the leaves end the stacks.
 */
#ifdef SPLIT_INLINE
static inline __attribute__((always_inline)) void spin(unsigned long n)
{
	unsigned long i, x = sink;

	for (i = 0; i < n; i++)
		x = x * 2862933555777941757ul + 3037000493ul;
	sink = x;
}
#define SPIN(n) spin(n)
#else
#define SPIN(n) do {								\
		unsigned long i_, x_ = sink;					\
		for (i_ = 0; i_ < (n); i_++)					\
			x_ = x_ * 2862933555777941757ul + 3037000493ul;		\
		sink = x_;							\
	} while (0)
#endif

__attribute__((noinline)) void leaf_sixty(unsigned units) { SPIN((unsigned long)units * UNIT); }
__attribute__((noinline)) void leaf_thirty(unsigned units) { SPIN((unsigned long)units * UNIT); }
__attribute__((noinline)) void leaf_ten(unsigned units) { SPIN((unsigned long)units * UNIT); }

__attribute__((noinline)) void via_alpha(unsigned u) { leaf_sixty(u); }
__attribute__((noinline)) void via_beta(unsigned u) { leaf_thirty(u); }
__attribute__((noinline)) void via_gamma(unsigned u) { leaf_ten(u); }

static unsigned long long order = 88172645463325252ull;	/* of the leaves, each round */

__attribute__((noinline)) void round_of_work(void)
{
	/* phase two: 10/30/60 */
	int two = phase_at >= 0 && now() - start >= phase_at;

	/*
	 * From a random one of the three on, in either phase: a round lasts
	 * about what a sample period does at 499 Hz, and in a fixed order every
	 * sample could land in the same leaf round after round (it did: 50% and
	 * 65% for 60; and in phase two, at 99 Hz, leaf_thirty over leaf_ten)
	 */
	order = order * 6364136223846793005ull + 1442695040888963407ull;
	for (unsigned k = 0, first = (unsigned)(order >> 33) % 3; k < 3; k++) {
		switch ((first + k) % 3) {
		case 0: via_alpha(two ? 1 : 6); break;
		case 1: via_beta(3); break;
		default: via_gamma(two ? 6 : 1); break;
		}
	}
}

__attribute__((noinline)) void child_work(double seconds)
{
	double end = now() + seconds;

	while (now() < end)
		round_of_work();
}

static double run_seconds = 30;

__attribute__((noinline)) void big_frame(double seconds)
{
	volatile char pad[3000];

	pad[0] = 1;
	pad[sizeof(pad) - 1] = 2;
	child_work(seconds);
	sink += pad[0] + pad[sizeof(pad) - 1];	/* and no tail call */
}

static void *thread_main(void *arg)
{
	(void)arg;
	child_work(run_seconds);
	return NULL;
}

__attribute__((noinline)) void on_signal(int sig)
{
	(void)sig;
	child_work(run_seconds);
}

static ucontext_t guarded_ctx, main_ctx;

__attribute__((noinline)) void on_guarded_stack(void)
{
	child_work(run_seconds);
}

/* -g: the rounds on a 64 KiB stack right under a PROT_NONE page */
static void run_guarded(void)
{
	size_t size = 64 * 1024, page = (size_t)sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED || mprotect(m + size, page, PROT_NONE) || getcontext(&guarded_ctx)) {
		perror("split: the guarded stack");
		exit(1);
	}
	guarded_ctx.uc_stack.ss_sp = m;
	guarded_ctx.uc_stack.ss_size = size;
	guarded_ctx.uc_link = &main_ctx;
	makecontext(&guarded_ctx, on_guarded_stack, 0);
	swapcontext(&main_ctx, &guarded_ctx);
}

int main(int argc, char **argv)
{
	int threads = 0, big = 0, guarded = 0, in_signal = 0, c, i;
	double fork_after = -1;
	pthread_t tid[64];
	pid_t child = 0;

	while ((c = getopt(argc, argv, "t:f:s:p:bga")) != -1) {
		switch (c) {
		case 'b': big = 1; break;
		case 'g': guarded = 1; break;
		case 'a': in_signal = 1; break;
		case 't': threads = atoi(optarg); break;
		case 'f': fork_after = atof(optarg); break;
		case 's': run_seconds = atof(optarg); break;
		case 'p': phase_at = atof(optarg); break;
		default: return 2;
		}
	}
	if (threads > 64)
		threads = 64;
	start = now();
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	for (i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, thread_main, NULL);
	if (big)
		big_frame(run_seconds);
	if (guarded)
		run_guarded();
	if (in_signal) {
		signal(SIGUSR1, on_signal);
		raise(SIGUSR1);
	}
	while (now() - start < run_seconds) {
		round_of_work();
		if (fork_after >= 0 && !child && now() - start >= fork_after) {
			child = fork();
			if (child == 0) {
				prctl(PR_SET_NAME, "split-child");
				child_work(run_seconds - (now() - start));
				_exit(0);
			}
		}
	}
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	if (child > 0)
		waitpid(child, NULL, 0);
	return 0;
}
