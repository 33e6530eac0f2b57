/* SPDX-License-Identifier: MIT */
/*
 * filecache: a directory of entries kept across runs, one file per entry,
 * named by the hex of a 32-byte key.  What the unwind tables
 * (unwind_cache.h) and the inlined-function indexes (dwcache.h) share.
 *
 * The directory (FLAMETOP_CACHE_DIR, else /var/cache/flametop; a
 * subdirectory of it per kind) must be ours and writable by nobody else,
 * and so must each entry: otherwise it is not used.  An entry is read whole
 * (never mapped; a symlink or FIFO refused); whether its bytes add up is
 * the caller's to check.  Entries appear atomically; the bytes of a kind
 * are bounded (FLAMETOP_CACHE_MB, default 256), the least recently used
 * going first.
 *
 * Used by one thread.
 */
#ifndef FLAMETOP_FILECACHE_H
#define FLAMETOP_FILECACHE_H

#include <stdbool.h>
#include <stddef.h>

#define FILECACHE_DIR "/var/cache/flametop"
#define FILECACHE_MB 256
#define FILECACHE_KEY_LEN 32

struct filecache;

struct filecache_stats {
	size_t loaded;		/* entries read and found good */
	size_t stored;		/* entries written */
	size_t refused;		/* entries found bad (and replaced) */
	size_t evicted;		/* entries removed to stay within the bound */
};

/*
 * The cache of kind sub in dir (NULL: FLAMETOP_CACHE_DIR or FILECACHE_DIR;
 * "" or "off": none), made if missing; max_bytes 0: FLAMETOP_CACHE_MB or
 * the default.  NULL when there is none, with a reason in why[whylen] (""
 * when it is simply off).
 */
struct filecache *filecache__open(const char *dir, const char *sub, size_t max_bytes, char *why,
				  size_t whylen);
void filecache__close(struct filecache *c);

/*
 * The bytes kept under key (at most max; *buf malloc'ed, *len set): 0,
 * -ENOENT when there are none, -EPERM when the entry is not ours alone or
 * over max, -ELOOP for a symlink, -EIO when it cannot be read.  A found
 * entry becomes the most recently used.  Not counted: the caller says with
 * filecache__verdict what its bytes were worth.
 */
int filecache__read(struct filecache *c, const unsigned char key[FILECACHE_KEY_LEN], size_t max,
		    void **buf, size_t *len);
/* Counts an entry read (or refused by filecache__read) as good or bad. */
void filecache__verdict(struct filecache *c, bool good);

/* Keeps len bytes under key, then evicts down to the bound.  0 or -errno. */
int filecache__put(struct filecache *c, const unsigned char key[FILECACHE_KEY_LEN],
		   const void *buf, size_t len);
void filecache__stats(const struct filecache *c, struct filecache_stats *st);

/* SHA-256 of p[0..n): 0 or -EIO. */
int filecache__sha256(const void *p, size_t n, unsigned char out[FILECACHE_KEY_LEN]);

#endif
