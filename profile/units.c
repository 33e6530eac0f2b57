// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "units.h"

static const struct {
	const char *name;
	enum value_unit unit;
} unit_names[] = {
	{ "nanoseconds", UNIT_NANOSECONDS }, { "ns", UNIT_NANOSECONDS },
	{ "microseconds", UNIT_MICROSECONDS }, { "us", UNIT_MICROSECONDS },
	{ "milliseconds", UNIT_MILLISECONDS }, { "ms", UNIT_MILLISECONDS },
	{ "seconds", UNIT_SECONDS }, { "s", UNIT_SECONDS },
	{ "bytes", UNIT_BYTES }, { "count", UNIT_COUNT }, { "samples", UNIT_SAMPLES },
};

enum value_unit units__parse(const char *s)
{
	for (size_t i = 0; i < sizeof(unit_names) / sizeof(unit_names[0]); i++)
		if (!strcmp(s, unit_names[i].name))
			return unit_names[i].unit;
	return UNIT_COUNT;
}

const char *units__pprof(enum value_unit u)
{
	switch (u) {
	case UNIT_NANOSECONDS:
		return "nanoseconds";
	case UNIT_MICROSECONDS:
		return "microseconds";
	case UNIT_MILLISECONDS:
		return "milliseconds";
	case UNIT_SECONDS:
		return "seconds";
	case UNIT_BYTES:
		return "bytes";
	default:
		return "count";
	}
}

const char *units__short(enum value_unit u)
{
	static const char *const names[] = { "samples", "count", "ns", "us", "ms", "s", "bytes" };

	return u < sizeof(names) / sizeof(names[0]) ? names[u] : "count";
}

bool units__is_time(enum value_unit u)
{
	return u == UNIT_NANOSECONDS || u == UNIT_MICROSECONDS || u == UNIT_MILLISECONDS ||
	       u == UNIT_SECONDS;
}

uint64_t units__to_ns(uint64_t v, enum value_unit u)
{
	uint64_t k = u == UNIT_SECONDS ? 1000000000u : u == UNIT_MILLISECONDS ? 1000000u :
		     u == UNIT_MICROSECONDS ? 1000u : 1u;

	return v > UINT64_MAX / k ? UINT64_MAX : v * k;
}

/* Seconds as pprof shows them: the largest unit that keeps a whole part. */
static void format_time(char *buf, size_t size, double ns)
{
	static const struct {
		double div;
		const char *sym;
	} steps[] = { { 3600e9, "h" }, { 60e9, "min" }, { 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" } };

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (ns >= steps[i].div) {
			snprintf(buf, size, "%.2f%s", ns / steps[i].div, steps[i].sym);
			return;
		}
	snprintf(buf, size, "%.0fns", ns);
}

static void format_bytes(char *buf, size_t size, double b)
{
	static const char *const sym[] = { "B", "kB", "MB", "GB", "TB", "PB" };
	size_t i = 0;

	while (b >= 1024 && i + 1 < sizeof(sym) / sizeof(sym[0])) {
		b /= 1024;
		i++;
	}
	if (i)
		snprintf(buf, size, "%.2f%s", b, sym[i]);
	else
		snprintf(buf, size, "%.0fB", b);
}

char *units__format(char *buf, size_t size, uint64_t v, enum value_unit u)
{
	if (!v)
		snprintf(buf, size, "0");
	else if (units__is_time(u))
		format_time(buf, size, (double)units__to_ns(v, u));
	else if (u == UNIT_BYTES)
		format_bytes(buf, size, (double)v);
	else
		snprintf(buf, size, "%llu", (unsigned long long)v);
	return buf;
}
