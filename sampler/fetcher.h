/* SPDX-License-Identifier: MIT */
/*
 * fetcher: debug info by build-id from the debuginfod servers that
 * DEBUGINFOD_URLS names (Debian 12 sets it for every login), on a thread
 * of its own — libdebuginfod blocks for as long as a server takes, and
 * never on the sampling or drawing path.  libdebuginfod's cache is used
 * (a file fetched once is not fetched again).
 *
 * Each fetch is bounded by FETCH_TIMEOUT_S (DEBUGINFOD_TIMEOUT when the
 * user set one); a server that cannot be reached (refused, timed out,
 * unknown host) is not asked again this run, so it costs at most one
 * timeout (an error about one file, a 404 or a 5xx, stops nothing).  A
 * build-id is asked for once per run.
 */
#ifndef FLAMETOP_FETCHER_H
#define FLAMETOP_FETCHER_H

#include <stdbool.h>
#include <stddef.h>

#define FETCH_TIMEOUT_S		10
#define FETCH_ID_MAX		64

struct fetcher;

/* NULL when DEBUGINFOD_URLS is unset or empty (or out of memory): no fetching. */
struct fetcher *fetcher__new(void);
/* Stops the thread, abandoning a fetch under way. */
void fetcher__free(struct fetcher *f);
/* Queues a build-id; false when it was asked for already, or cannot be. */
bool fetcher__want(struct fetcher *f, const unsigned char *id, size_t len);

struct fetch_result {
	unsigned char id[FETCH_ID_MAX];
	size_t len;
	int fd;			/* the debug file, open for reading (the caller's), or -errno */
};
/* A finished fetch, if one is ready. */
bool fetcher__done(struct fetcher *f, struct fetch_result *r);
/* Waits until none is pending, for at most ms. */
void fetcher__wait(struct fetcher *f, int ms);

struct fetcher_stats {
	unsigned long asked, found, missing;	/* missing: no server has it, or gave it */
	bool unreachable;			/* a server could not be reached */
	size_t pending;				/* queued or under way */
	char error[96];				/* what the first failure was */
};
void fetcher__stats(struct fetcher *f, struct fetcher_stats *st);

#endif
