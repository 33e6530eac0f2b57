// SPDX-License-Identifier: MIT
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sampler/cgroups.h"
#include "hostnames.h"

#define SLOTS 64

struct slot {
	uint32_t container;	/* name id; CT_NONE-like UINT32_MAX: free */
	uint32_t pid;
	bool done;		/* looked up: host is the answer */
	char host[48];
};

struct hostnames {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool started, closing, busy;
	bool orphan;		/* freed by the thread when its lookup returns */
	struct slot s[SLOTS];
	unsigned next;		/* the slot to reuse next */
};

static void destroy(struct hostnames *h)
{
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->wake);
	free(h);
}

/* The first slot waiting for its lookup, or NULL. */
static struct slot *pending(struct hostnames *h)
{
	for (int i = 0; i < SLOTS; i++)
		if (h->s[i].container != UINT32_MAX && !h->s[i].done)
			return &h->s[i];
	return NULL;
}

static void *run(void *arg)
{
	struct hostnames *h = arg;
	struct slot *s;
	bool orphan;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		char host[48];
		uint32_t pid, container;

		while (!h->closing && !(s = pending(h)))
			pthread_cond_wait(&h->wake, &h->lock);
		if (h->closing)
			break;
		pid = s->pid;
		container = s->container;
		h->busy = true;
		pthread_mutex_unlock(&h->lock);
		if (!cgroup_names__hostname((int)pid, host, sizeof(host)))
			host[0] = '\0';
		pthread_mutex_lock(&h->lock);
		h->busy = false;
		/* the slot may have been given to another container meanwhile */
		if (s->container == container && s->pid == pid && !s->done) {
			snprintf(s->host, sizeof(s->host), "%s", host);
			s->done = true;
		}
	}
	orphan = h->orphan;
	pthread_mutex_unlock(&h->lock);
	if (orphan)
		destroy(h);
	return NULL;
}

struct hostnames *hostnames__new(void)
{
	struct hostnames *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->wake, NULL);
	for (int i = 0; i < SLOTS; i++)
		h->s[i].container = UINT32_MAX;
	return h;
}

void hostnames__free(struct hostnames *h)
{
	bool busy;

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->closing = true;
	busy = h->busy;
	/* a lookup stuck in the kernel may never return: the thread frees it all then */
	h->orphan = busy;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
	if (!h->started) {
		destroy(h);
	} else if (!busy) {
		pthread_join(h->thread, NULL);
		destroy(h);
	} else {
		pthread_detach(h->thread);
	}
}

void hostnames__get(struct hostnames *h, uint32_t container, uint32_t pid, char *buf,
		    size_t size)
{
	struct slot *s = NULL;

	buf[0] = '\0';
	pthread_mutex_lock(&h->lock);
	for (int i = 0; i < SLOTS && !s; i++)
		if (h->s[i].container == container)
			s = &h->s[i];
	if (s && s->done) {
		snprintf(buf, size, "%s", s->host);
	} else if (!s) {
		s = &h->s[h->next++ % SLOTS];
		*s = (struct slot){ .container = container, .pid = pid };
		if (!h->started)
			h->started = !pthread_create(&h->thread, NULL, run, h);
		pthread_cond_signal(&h->wake);
	}
	pthread_mutex_unlock(&h->lock);
}
