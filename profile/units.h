/* SPDX-License-Identifier: MIT */
/*
 * units: what a profile's values count.  A sampled profile counts samples
 * (each 1/Hz of CPU time); a pprof file may count time, bytes or objects
 * (its sample_type); an off-CPU profile counts blocked time.  Values are
 * shown in their unit ("1.25s", "3.40MB"), shares are shares whatever it is.
 */
#ifndef FLAMETOP_UNITS_H
#define FLAMETOP_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum value_unit {
	UNIT_SAMPLES = 0,	/* on-CPU samples: no unit of their own */
	UNIT_COUNT,		/* objects, events (pprof "count") */
	UNIT_NANOSECONDS,
	UNIT_MICROSECONDS,
	UNIT_MILLISECONDS,
	UNIT_SECONDS,
	UNIT_BYTES,
};

/* What a profile counts: its unit, and the name of the value (pprof's sample type). */
struct value_type {
	enum value_unit unit;
	char name[32];		/* "samples", "cpu", "alloc_space"...; "" = "samples" */
};

/* pprof's unit strings ("nanoseconds", "bytes", "count"...) to ours; UNIT_COUNT if unknown. */
enum value_unit units__parse(const char *s);
/* Ours to pprof's ("count" for samples, as Go's CPU profiles say). */
const char *units__pprof(enum value_unit u);
/* The short name a folded file's header gives it: ns, us, ms, s, bytes, count. */
const char *units__short(enum value_unit u);
/* Whether u is a time (values add up to seconds). */
bool units__is_time(enum value_unit u);
/* Nanoseconds in v of unit u (a time unit), saturating. */
uint64_t units__to_ns(uint64_t v, enum value_unit u);
/*
 * v in its unit, short as pprof prints it: "1234" (samples, counts),
 * "12.50ms", "1.25s", "3.40MB".  Returns buf.
 */
char *units__format(char *buf, size_t size, uint64_t v, enum value_unit u);

#endif
