// SPDX-License-Identifier: MIT
/*
 * push (push.h): windows accumulated on the caller's thread, encoded,
 * queued; sent by a thread of its own with libcurl.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/readall.h"
#include "curl_api.h"
#include "push.h"

#define ATTEMPTS_MAX	4	/* a window is tried this often (1, 2, 4 s apart), then dropped */
#define CREDENTIAL_MAX	4096

struct job {
	uint8_t *body;
	size_t len;
	int64_t from, until;
	int attempts;
	double next_try;	/* monotonic seconds */
};

struct push {
	/* the caller's side */
	struct calltree *win;	/* the window being filled: identity frames at its root */
	int64_t win_from;	/* its first second; INT64_MIN while empty */
	int64_t win_last;
	struct push_opts o;
	/* fixed after start */
	char *ingest;		/* URL/ingest */
	char *name;		/* app{labels}, escaped for the query */
	char *auth_header;	/* "Authorization: Bearer ..." */
	char *tenant_header;
	char *userpwd;
	/* shared with the sender, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job q[PUSH_QUEUE];
	size_t n;
	bool busy;		/* q[0] is being sent */
	bool stop;		/* the sender ends; a transfer under way is aborted */
	struct push_stats st;
	pthread_t thread;
	bool started;
	bool curl_ready;	/* curl_global_init done: cleaned up at the end */
};

static const struct curl_api *cu;	/* set by push__new before any use */

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A credential file's first line; NULL with err said. */
static char *read_secret(const char *path, const char *what, char *err, size_t size)
{
	int fd = open_input(path);
	char *data = NULL;
	size_t len = 0;
	int e = fd < 0 ? fd : read_all_max(fd, 0, CREDENTIAL_MAX, &data, &len);

	if (fd >= 0)
		close(fd);
	if (e) {
		snprintf(err, size, "cannot read the %s file %s: %s", what, path,
			 e == -EFBIG ? "larger than 4 KiB" : strerror(-e));
		return NULL;
	}
	data[strcspn(data, "\r\n")] = '\0';
	if (!*data) {
		snprintf(err, size, "the %s file %s is empty", what, path);
		free(data);
		return NULL;
	}
	return data;
}

/* A label value as Pyroscope's name syntax takes it: [A-Za-z0-9._/:-], others '_'. */
static void label_value(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s && n + 1 < size; s++) {
		unsigned char c = (unsigned char)*s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '.' || c == '_' || c == '/' || c == ':' || c == '-';

		out[n++] = ok ? (char)c : '_';
	}
	out[n] = '\0';
}

static int make_name(struct push *p, char *err, size_t size)
{
	char host[256] = "", h[256], t[256], a[256], name[1024];
	CURL *c = cu->easy_init();

	gethostname(host, sizeof(host) - 1);
	label_value(h, sizeof(h), host);
	label_value(t, sizeof(t), p->o.target ? p->o.target : "");
	label_value(a, sizeof(a), p->o.app ? p->o.app : "flametop");
	snprintf(name, sizeof(name), "%s{host=%s,target=%s}", a, h, *t ? t : "all");
	p->name = c ? cu->easy_escape(c, name, 0) : NULL;
	if (c)
		cu->easy_cleanup(c);
	if (!p->name) {
		snprintf(err, size, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int credentials(struct push *p, char *err, size_t size)
{
	char *s;

	if (p->o.token_file) {
		if (!(s = read_secret(p->o.token_file, "token", err, size)))
			return -EINVAL;
		if (asprintf(&p->auth_header, "Authorization: Bearer %s", s) < 0)
			p->auth_header = NULL;
		explicit_bzero(s, strlen(s));
		free(s);
		if (!p->auth_header)
			return -ENOMEM;
	}
	if (p->o.auth_file) {
		if (!(p->userpwd = read_secret(p->o.auth_file, "user:password", err, size)))
			return -EINVAL;
		if (!strchr(p->userpwd, ':')) {
			snprintf(err, size, "the user:password file %s has no ':'", p->o.auth_file);
			return -EINVAL;
		}
	}
	if (p->o.tenant && asprintf(&p->tenant_header, "X-Scope-OrgID: %s", p->o.tenant) < 0)
		return -ENOMEM;
	return 0;
}

/* Aborts a transfer under way when the sender is told to stop. */
static int progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct push *p = ctx;
	bool stop;

	(void)dt, (void)dn, (void)ut, (void)un;
	pthread_mutex_lock(&p->mu);
	stop = p->stop;
	pthread_mutex_unlock(&p->mu);
	return stop;
}

static size_t discard(char *ptr, size_t size, size_t n, void *ctx)
{
	(void)ptr, (void)ctx;
	return size * n;
}

/* The request's headers: auth, tenant, no 100-continue round trip; NULL out of memory. */
static struct curl_slist *headers(const struct push *p)
{
	const char *h[] = { p->auth_header, p->tenant_header, "Expect:" };
	struct curl_slist *list = NULL, *more;

	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		if (!h[i])
			continue;
		more = cu->slist_append(list, h[i]);
		if (!more) {
			cu->slist_free_all(list);
			return NULL;
		}
		list = more;
	}
	return list;
}

enum outcome { SENT, RETRY, REFUSED };

/* One POST of a window; why it failed into why. */
static enum outcome send_job(struct push *p, CURL *c, const struct job *j, char *why, size_t size)
{
	struct curl_slist *hdr = NULL;
	curl_mime *mime = cu->mime_init(c);
	curl_mimepart *part = mime ? cu->mime_addpart(mime) : NULL;
	char *url = NULL;
	long code = 0;
	CURLcode r;

	if (asprintf(&url, "%s?name=%s&from=%lld&until=%lld&sampleRate=%u&spyName=flametop"
		     "&format=pprof", p->ingest, p->name, (long long)j->from, (long long)j->until,
		     p->o.hz) < 0)
		url = NULL;
	if (!part || !url || !(hdr = headers(p))) {
		cu->mime_free(mime);
		free(url);
		snprintf(why, size, "out of memory");
		return RETRY;
	}
	cu->mime_name(part, "profile");
	cu->mime_filename(part, "profile.pb.gz");
	cu->mime_type(part, "application/octet-stream");
	cu->mime_data(part, (const char *)j->body, j->len);
	cu->easy_reset(c);
	cu->easy_setopt(c, CURLOPT_URL, url);
	cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	cu->easy_setopt(c, CURLOPT_MIMEPOST, mime);
	cu->easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	cu->easy_setopt(c, CURLOPT_USERAGENT, "flametop");
	cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	cu->easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	cu->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	cu->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	cu->easy_setopt(c, CURLOPT_XFERINFODATA, p);
	cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (p->userpwd) {
		cu->easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		cu->easy_setopt(c, CURLOPT_USERPWD, p->userpwd);
	}
	r = cu->easy_perform(c);
	if (r == CURLE_OK)
		cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	cu->slist_free_all(hdr);
	cu->mime_free(mime);
	free(url);
	if (r != CURLE_OK) {
		snprintf(why, size, "%s", cu->easy_strerror(r));
		return RETRY;
	}
	if (code >= 200 && code < 300)
		return SENT;
	snprintf(why, size, "HTTP %ld", code);
	/* the server's trouble (or too many requests) passes; a refusal does not */
	return code == 429 || code == 408 || code >= 500 ? RETRY : REFUSED;
}

static void pop_front(struct push *p)
{
	free(p->q[0].body);
	memmove(p->q, p->q + 1, (p->n - 1) * sizeof(p->q[0]));
	p->n--;
}

/* After an attempt at q[0] (mu held). */
static void settle(struct push *p, enum outcome out, const char *why)
{
	struct job *j = &p->q[0];

	if (out == SENT) {
		p->st.sent++;
		pop_front(p);
		return;
	}
	snprintf(p->st.last_error, sizeof(p->st.last_error), "%s", why);
	if (out == REFUSED || ++j->attempts >= ATTEMPTS_MAX) {
		p->st.dropped++;
		pop_front(p);
		return;
	}
	if (p->stop)
		return;	/* cut short by the end: not a retry (counted dropped then) */
	p->st.retries++;
	j->next_try = mono() + (double)(1u << (j->attempts - 1));
}

/* Waits on the condition until when (monotonic seconds; the condition's clock). */
static void wait_until(struct push *p, double when)
{
	struct timespec ts = { .tv_sec = (time_t)when,
			       .tv_nsec = (long)((when - (double)(time_t)when) * 1e9) };

	pthread_cond_timedwait(&p->cv, &p->mu, &ts);
}

static void *sender(void *arg)
{
	struct push *p = arg;
	CURL *c = cu->easy_init();
	char why[160];

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		struct job j;
		enum outcome out;

		if (!p->n) {
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		if (p->q[0].next_try > mono()) {
			wait_until(p, p->q[0].next_try);
			continue;
		}
		j = p->q[0];
		p->busy = true;
		pthread_mutex_unlock(&p->mu);
		out = c ? send_job(p, c, &j, why, sizeof(why)) : RETRY;
		if (!c)
			snprintf(why, sizeof(why), "libcurl could not start");
		pthread_mutex_lock(&p->mu);
		p->busy = false;
		settle(p, out, why);
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	if (c)
		cu->easy_cleanup(c);
	return NULL;
}

/* Queues a window's bytes; the oldest waiting one goes when the queue is full. */
static void enqueue(struct push *p, uint8_t *body, size_t len, int64_t from, int64_t until)
{
	pthread_mutex_lock(&p->mu);
	p->st.windows++;
	if (p->n == PUSH_QUEUE) {
		size_t victim = p->busy ? 1 : 0;	/* never the one being sent */

		free(p->q[victim].body);
		memmove(p->q + victim, p->q + victim + 1, (p->n - victim - 1) * sizeof(p->q[0]));
		p->n--;
		p->st.dropped++;
		snprintf(p->st.last_error, sizeof(p->st.last_error), "queue full");
	}
	p->q[p->n++] = (struct job){ body, len, from, until, 0, 0 };
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void push__flush(struct push *p)
{
	struct pprof_out out = { .labels = true };
	uint8_t *body;
	size_t len;
	int err;

	if (!p || p->win_from == INT64_MIN)
		return;
	out.hz = p->o.hz;
	out.lines = p->o.lines;
	out.origin = p->o.origin;
	out.origin_ctx = p->o.origin_ctx;
	out.time_nanos = p->win_from * 1000000000;
	out.duration_nanos = (p->win_last + 1 - p->win_from) * 1000000000;
	err = calltree__samples(p->win) ? pprof__encode(p->win, CT_ROOT, &out, &body, &len) : 0;
	if (!err && calltree__samples(p->win))
		enqueue(p, body, len, p->win_from, p->win_last + 1);
	if (err) {
		pthread_mutex_lock(&p->mu);
		p->st.windows++;
		p->st.dropped++;
		snprintf(p->st.last_error, sizeof(p->st.last_error), "encoding a window: %s",
			 strerror(-err));
		pthread_mutex_unlock(&p->mu);
	}
	calltree__clear(p->win);
	p->win_from = INT64_MIN;
}

/* Which window second sec is in. */
static int64_t window_of(int64_t sec)
{
	return sec >= 0 ? sec / PUSH_WINDOW : (sec - PUSH_WINDOW + 1) / PUSH_WINDOW;
}

/* A second of another window than the one being filled: that one is done. */
static void next_window(struct push *p, int64_t sec)
{
	if (p->win_from != INT64_MIN && window_of(sec) != window_of(p->win_from))
		push__flush(p);
}

int push__add(struct push *p, int64_t sec, const uint32_t *names, size_t n, uint64_t count)
{
	if (!p)
		return 0;
	next_window(p, sec);
	if (p->win_from == INT64_MIN)
		p->win_from = p->win_last = sec;
	return calltree__add_stack(p->win, names, n, count);
}

void push__tick(struct push *p, int64_t sec)
{
	if (!p)
		return;
	next_window(p, sec);
	if (p->win_from == INT64_MIN)
		p->win_from = sec;
	p->win_last = sec;
	/* windows end on wall-clock multiples of PUSH_WINDOW, as the agents' do */
	if ((sec + 1) % PUSH_WINDOW == 0)
		push__flush(p);
}

void push__stats(struct push *p, struct push_stats *st)
{
	pthread_mutex_lock(&p->mu);
	*st = p->st;
	st->queued = p->n;
	pthread_mutex_unlock(&p->mu);
}

struct push *push__new(const struct push_opts *o, struct strtab *names, char *err, size_t size)
{
	struct push *p = calloc(1, sizeof(*p));
	pthread_condattr_t ca;
	sigset_t all, old;
	int e;

	if (!p || !(p->win = calltree__new(names))) {
		free(p);
		snprintf(err, size, "out of memory");
		return NULL;
	}
	p->o = *o;
	p->win_from = INT64_MIN;
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	cu = curl_api();
	if (!cu) {
		snprintf(err, size, "--push needs libcurl (libcurl.so.4 cannot be loaded)");
		push__free(p, 0, NULL);
		return NULL;
	}
	if (cu->global_init(CURL_GLOBAL_DEFAULT)) {
		snprintf(err, size, "libcurl could not start");
		push__free(p, 0, NULL);
		return NULL;
	}
	p->curl_ready = true;
	if (asprintf(&p->ingest, "%.*s/ingest", (int)(strlen(o->url) - (o->url[strlen(o->url) - 1] == '/')),
		     o->url) < 0)
		p->ingest = NULL;
	if (!p->ingest || make_name(p, err, size) || credentials(p, err, size)) {
		if (!p->ingest)
			snprintf(err, size, "out of memory");
		push__free(p, 0, NULL);
		return NULL;
	}
	/* signals are the main thread's: the sender starts with all blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&p->thread, NULL, sender, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		snprintf(err, size, "cannot start the push thread");
		push__free(p, 0, NULL);
		return NULL;
	}
	p->started = true;
	return p;
}

void push__free(struct push *p, int wait_ms, struct push_stats *final)
{
	double end = mono() + wait_ms / 1000.0;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	while (p->started && p->n && mono() < end)
		wait_until(p, end);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	if (p->started)
		pthread_join(p->thread, NULL);
	p->st.dropped += p->n;
	while (p->n)
		pop_front(p);
	if (final)
		*final = p->st;
	calltree__free(p->win);
	free(p->ingest);
	if (cu)
		cu->free(p->name);
	if (p->auth_header)
		explicit_bzero(p->auth_header, strlen(p->auth_header));
	free(p->auth_header);
	free(p->tenant_header);
	if (p->userpwd)
		explicit_bzero(p->userpwd, strlen(p->userpwd));
	free(p->userpwd);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	if (p->curl_ready)
		cu->global_cleanup();
	free(p);
}
