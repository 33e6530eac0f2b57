// SPDX-License-Identifier: MIT
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>

#include "curl_api.h"

static struct curl_api api;
static bool loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	bool all = h != NULL;

	/* POSIX: a function's address is had by converting dlsym's void * */
#define CURL_API_LOAD(name)                                   \
	if (h)                                                \
		*(void **)&api.name = dlsym(h, "curl_" #name); \
	all = all && api.name;
	CURL_API_FUNCS(CURL_API_LOAD)
#undef CURL_API_LOAD
	loaded = all;	/* the handle is kept for good */
}

const struct curl_api *curl_api(void)
{
	pthread_once(&once, load);
	return loaded ? &api : NULL;
}
