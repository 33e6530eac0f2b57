/* SPDX-License-Identifier: MIT */
/*
 * push: each finished window of samples handed to a fleet profiler —
 * Grafana Pyroscope's ingest API (POST URL/ingest?name=APP{labels}&from=
 * &until=&sampleRate=&spyName=flametop&format=pprof, the profile in a
 * multipart form field "profile"), X-Scope-OrgID with --tenant, a bearer
 * token or basic auth read from a file.
 *
 * The caller adds stacks (identity frames at their root, who.h) as it
 * drains them and ticks once a second; each PUSH_WINDOW seconds the
 * window is encoded (pprof, who ran it in labels) and queued.  A thread
 * of its own sends: a slow, failing or absent server never blocks the
 * caller.  The queue is bounded (the oldest waiting window is dropped);
 * failures are retried with backoff; every drop is counted.
 */
#ifndef FLAMETOP_PUSH_H
#define FLAMETOP_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../profile/pprof.h"

#define PUSH_WINDOW	10	/* seconds per window (Pyroscope's agents upload every 10 s) */
#define PUSH_QUEUE	12	/* windows waiting at most */

struct push_opts {
	const char *url;		/* the server: http(s)://host:port[/prefix] */
	const char *app;		/* the application name (NULL: "flametop") */
	const char *target;		/* labelled target=... */
	const char *tenant;		/* X-Scope-OrgID, or NULL */
	const char *token_file;		/* bearer token, or NULL */
	const char *auth_file;		/* user:password, or NULL */
	uint32_t hz;
	bool lines;			/* names are "func:file.c:42" */
	pprof_origin_fn origin;		/* where functions come from (pprof mappings) */
	void *origin_ctx;
};

struct push_stats {
	uint64_t windows;	/* made and queued */
	uint64_t sent;		/* accepted by the server */
	uint64_t retries;	/* attempts that failed and were tried again */
	uint64_t dropped;	/* never delivered: queue full, refused, or gave up */
	uint64_t queued;	/* waiting now */
	char last_error[160];	/* "" while none */
};

struct push;

/* NULL with the reason in err (a credential file that cannot be read...). */
struct push *push__new(const struct push_opts *o, struct strtab *names, char *err, size_t size);
/* A drained stack (its identity frame first) of second sec.  0 or -ENOMEM. */
int push__add(struct push *p, int64_t sec, const uint32_t *names, size_t n, uint64_t count);
/* Second sec is drained: a window that ends with it is queued. */
void push__tick(struct push *p, int64_t sec);
/* Queues what the current window holds, however short (the end of a record). */
void push__flush(struct push *p);
void push__stats(struct push *p, struct push_stats *st);
/*
 * Stops: waits up to wait_ms for the queue to be sent, then gives up on
 * what is left (counted dropped); final (may be NULL) gets the last
 * figures.  Then frees.  NULL is fine.
 */
void push__free(struct push *p, int wait_ms, struct push_stats *final);

#endif
