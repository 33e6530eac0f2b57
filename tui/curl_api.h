/* SPDX-License-Identifier: MIT */
/*
 * libcurl, opened when --push first needs it rather than linked: linked, it
 * and what it pulls in (TLS, Kerberos, LDAP, SSH: about 30 libraries) cost
 * every run of flametop 4 ms of start-up, a push or not.
 */
#ifndef FLAMETOP_CURL_API_H
#define FLAMETOP_CURL_API_H

#include <curl/curl.h>

#define CURL_API_FUNCS(X)                                                                   \
	X(global_init) X(global_cleanup) X(free) X(easy_init) X(easy_cleanup) X(easy_reset) \
	X(easy_escape) X(easy_setopt) X(easy_perform) X(easy_getinfo) X(easy_strerror)      \
	X(slist_append) X(slist_free_all) X(mime_init) X(mime_free) X(mime_addpart)         \
	X(mime_name) X(mime_filename) X(mime_type) X(mime_data)

struct curl_api {
#define CURL_API_MEMBER(name) __typeof__(curl_##name) *name;
	CURL_API_FUNCS(CURL_API_MEMBER)
#undef CURL_API_MEMBER
};

/* libcurl.so.4's functions (loaded once, for good), or NULL when it cannot be loaded. */
const struct curl_api *curl_api(void);

#endif
