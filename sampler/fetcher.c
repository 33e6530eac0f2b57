// SPDX-License-Identifier: MIT
#include <dlfcn.h>
#include <elfutils/debuginfod.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/vec.h"
#include "fetcher.h"

#define ASKED_MAX 4096	/* build-ids asked for in a run */

struct fetch_job {
	unsigned char id[FETCH_ID_MAX];
	size_t len;
};

struct fetcher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* work queued, a result ready, or stop */
	bool stop, busy;
	struct fetch_job *queue;
	size_t nqueue, queue_cap;
	struct fetch_result *done;
	size_t ndone, done_cap;
	struct fetch_job *asked;
	size_t nasked, asked_cap;
	double deadline;	/* of the fetch under way (CLOCK_MONOTONIC seconds) */
	bool late;		/* the fetch under way ran past it */
	int timeout_s;
	struct fetcher_stats st;
};

/*
 * libdebuginfod, opened by the worker (so only with DEBUGINFOD_URLS set):
 * linked, it and what it pulls in (libcurl, TLS, Kerberos, LDAP: 30
 * libraries) cost every run 4 ms of start-up.
 */
static struct {
	__typeof__(debuginfod_begin) *begin;
	__typeof__(debuginfod_end) *end;
	__typeof__(debuginfod_set_user_data) *set_user_data;
	__typeof__(debuginfod_get_user_data) *get_user_data;
	__typeof__(debuginfod_set_progressfn) *set_progressfn;
	__typeof__(debuginfod_find_debuginfo) *find_debuginfo;
} dfd;

static bool load_debuginfod(void)
{
	void *h = dlopen("libdebuginfod.so.1", RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return false;
	/* POSIX: a function's address is had by converting dlsym's void * */
	*(void **)&dfd.begin = dlsym(h, "debuginfod_begin");
	*(void **)&dfd.end = dlsym(h, "debuginfod_end");
	*(void **)&dfd.set_user_data = dlsym(h, "debuginfod_set_user_data");
	*(void **)&dfd.get_user_data = dlsym(h, "debuginfod_get_user_data");
	*(void **)&dfd.set_progressfn = dlsym(h, "debuginfod_set_progressfn");
	*(void **)&dfd.find_debuginfo = dlsym(h, "debuginfod_find_debuginfo");
	return dfd.begin && dfd.end && dfd.set_user_data && dfd.get_user_data &&
	       dfd.set_progressfn && dfd.find_debuginfo;	/* the handle is kept for good */
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* libdebuginfod's progress callback: non-zero abandons the fetch. */
static int progress(debuginfod_client *c, long a, long b)
{
	struct fetcher *f = dfd.get_user_data(c);
	bool stop;

	(void)a;
	(void)b;
	pthread_mutex_lock(&f->lock);
	f->late |= mono() > f->deadline;
	stop = f->stop || f->late;
	pthread_mutex_unlock(&f->lock);
	return stop;
}

/*
 * What the cache gave is read as a debug file: only a regular file that
 * root owns and nobody else may write (as debugfile.c asks of local ones).
 */
static int checked(int fd)
{
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* An error that says the server cannot be reached at all, rather than about one file. */
static bool server_down(int rc)
{
	/* not there (404), or our own refusal of what the cache gave: about one file */
	return rc != -ENOENT && rc != -EPERM;
}

static void finish(struct fetcher *f, const struct fetch_job *j, int rc)
{
	pthread_mutex_lock(&f->lock);
	if (f->late && !f->st.unreachable) {
		f->st.unreachable = true;
		snprintf(f->st.error, sizeof(f->st.error), "no answer in %d s", f->timeout_s);
	}
	if (rc >= 0) {
		f->st.found++;
	} else if (!server_down(rc) || f->late) {
		f->st.missing++;	/* not there, or this file's own trouble (a 5xx, a bad cache file) */
	} else if (!f->st.unreachable) {
		/* refused, timed out, no such host: not asked again this run */
		f->st.unreachable = true;
		snprintf(f->st.error, sizeof(f->st.error), "%s", strerror(-rc));
	}
	if (!vec_reserve(f->done, f->done_cap, f->ndone + 1, 16)) {
		struct fetch_result *r = &f->done[f->ndone++];

		memcpy(r->id, j->id, j->len);
		r->len = j->len;
		r->fd = rc;
	} else if (rc >= 0) {
		close(rc);
	}
	f->busy = false;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static void *worker(void *arg)
{
	struct fetcher *f = arg;
	debuginfod_client *c = load_debuginfod() ? dfd.begin() : NULL;

	if (c) {
		dfd.set_user_data(c, f);
		dfd.set_progressfn(c, progress);
	}
	pthread_mutex_lock(&f->lock);
	for (;;) {
		struct fetch_job j;
		bool skip;
		int rc;

		while (!f->stop && !f->nqueue)
			pthread_cond_wait(&f->cond, &f->lock);
		if (f->stop)
			break;
		j = f->queue[0];
		memmove(f->queue, f->queue + 1, --f->nqueue * sizeof(*f->queue));
		f->busy = true;
		f->late = false;
		f->deadline = mono() + f->timeout_s;
		skip = f->st.unreachable;
		pthread_mutex_unlock(&f->lock);
		rc = c ? -EHOSTUNREACH : -ELIBACC;	/* ELIBACC: libdebuginfod cannot be loaded */
		if (c && !skip)
			rc = checked(dfd.find_debuginfo(c, j.id, (int)j.len, NULL));
		finish(f, &j, rc);
		pthread_mutex_lock(&f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	if (c)
		dfd.end(c);
	return NULL;
}

struct fetcher *fetcher__new(void)
{
	const char *urls = getenv("DEBUGINFOD_URLS"), *t = getenv("DEBUGINFOD_TIMEOUT");
	struct fetcher *f;

	if (!urls || !*urls || strspn(urls, " \t") == strlen(urls))
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->timeout_s = t && atoi(t) > 0 ? atoi(t) : FETCH_TIMEOUT_S;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if (pthread_create(&f->thread, NULL, worker, f)) {
		pthread_mutex_destroy(&f->lock);
		pthread_cond_destroy(&f->cond);
		free(f);
		return NULL;
	}
	return f;
}

void fetcher__free(struct fetcher *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stop = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	for (size_t i = 0; i < f->ndone; i++)
		if (f->done[i].fd >= 0)
			close(f->done[i].fd);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	free(f->queue);
	free(f->done);
	free(f->asked);
	free(f);
}

bool fetcher__want(struct fetcher *f, const unsigned char *id, size_t len)
{
	bool queued = false;

	if (!f || !len || len > FETCH_ID_MAX)
		return false;
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->nasked; i++)
		if (f->asked[i].len == len && !memcmp(f->asked[i].id, id, len))
			goto out;
	if (f->st.unreachable || f->nasked >= ASKED_MAX ||
	    vec_reserve(f->asked, f->asked_cap, f->nasked + 1, 64) ||
	    vec_reserve(f->queue, f->queue_cap, f->nqueue + 1, 16))
		goto out;
	memcpy(f->asked[f->nasked].id, id, len);
	f->asked[f->nasked++].len = len;
	f->queue[f->nqueue++] = f->asked[f->nasked - 1];
	f->st.asked++;
	queued = true;
	pthread_cond_broadcast(&f->cond);
out:
	pthread_mutex_unlock(&f->lock);
	return queued;
}

bool fetcher__done(struct fetcher *f, struct fetch_result *r)
{
	bool got = false;

	if (!f)
		return false;
	pthread_mutex_lock(&f->lock);
	if (f->ndone) {
		*r = f->done[0];
		memmove(f->done, f->done + 1, --f->ndone * sizeof(*f->done));
		got = true;
	}
	pthread_mutex_unlock(&f->lock);
	return got;
}

void fetcher__wait(struct fetcher *f, int ms)
{
	struct timespec until;

	if (!f)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&f->lock);
	while ((f->nqueue || f->busy) &&
	       pthread_cond_timedwait(&f->cond, &f->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&f->lock);
}

void fetcher__stats(struct fetcher *f, struct fetcher_stats *st)
{
	if (!f) {
		*st = (struct fetcher_stats){ 0 };
		return;
	}
	pthread_mutex_lock(&f->lock);
	*st = f->st;
	st->pending = f->nqueue + f->busy;
	pthread_mutex_unlock(&f->lock);
}
