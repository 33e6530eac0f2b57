/* SPDX-License-Identifier: MIT */
/* What the benchmarks share: a fixed pseudo-random sequence and a clock. */
#ifndef FLAMETOP_BENCH_H
#define FLAMETOP_BENCH_H

#include <stdint.h>
#include <time.h>

static uint64_t bench_rng = 88172645463325252ull;

/* xorshift64: the same sequence on every run, so runs compare */
static inline uint64_t next(void)
{
	bench_rng ^= bench_rng << 13;
	bench_rng ^= bench_rng >> 7;
	bench_rng ^= bench_rng << 17;
	return bench_rng;
}

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
