// SPDX-License-Identifier: MIT
/*
 * A directory of entries kept across runs (filecache.h): one file per
 * entry, named by the hex of its key.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/readall.h"
#include "../util/vec.h"
#include "filecache.h"

#define NAME_LEN (2 * FILECACHE_KEY_LEN)
#define TMP_PREFIX ".tmp-"
#define TMP_STALE_SECONDS 600	/* a temporary this old was left by a killed run */

struct filecache {
	int dirfd;
	size_t max_bytes;
	long long total;	/* bytes held, as last counted plus what was added; -1 unknown */
	unsigned tmp_seq;
	struct filecache_stats st;
};

int filecache__sha256(const void *p, size_t n, unsigned char out[FILECACHE_KEY_LEN])
{
	unsigned len = 0;

	return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == FILECACHE_KEY_LEN ?
		       0 : -EIO;
}

/* A directory at name in parent that only we may change, made if missing: its fd or -1. */
static int open_own_dir(int parent, const char *name, char *why, size_t whylen)
{
	struct stat st;
	int fd;

	if (mkdirat(parent, name, 0700) && errno != EEXIST) {
		snprintf(why, whylen, "%s: %s", name, strerror(errno));
		return -1;
	}
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", name,
			 errno == ELOOP || errno == ENOTDIR ? "not a directory (a symlink?)" :
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(why, whylen, "%s: owned by uid %u, mode %03o: not ours alone", name,
			 (unsigned)st.st_uid, (unsigned)(st.st_mode & 0777));
		close(fd);
		return -1;
	}
	return fd;
}

static size_t max_from_env(void)
{
	const char *s = getenv("FLAMETOP_CACHE_MB");
	char *end;
	unsigned long mb;

	if (!s || !*s)
		return (size_t)FILECACHE_MB << 20;
	errno = 0;
	mb = strtoul(s, &end, 10);
	if (errno || *end || mb > (1ul << 20))
		return (size_t)FILECACHE_MB << 20;
	return (size_t)mb << 20;
}

struct filecache *filecache__open(const char *dir, const char *sub, size_t max_bytes, char *why,
				  size_t whylen)
{
	struct filecache *c;
	char msg[200] = "";
	int top, fd;

	*why = '\0';
	if (!dir)
		dir = getenv("FLAMETOP_CACHE_DIR");
	if (!dir)
		dir = FILECACHE_DIR;
	if (!max_bytes)
		max_bytes = max_from_env();
	if (!*dir || !strcmp(dir, "off") || !max_bytes)
		return NULL;
	top = open_own_dir(AT_FDCWD, dir, msg, sizeof(msg));
	fd = top >= 0 ? open_own_dir(top, sub, msg, sizeof(msg)) : -1;
	if (top >= 0)
		close(top);
	if (fd < 0 || !(c = calloc(1, sizeof(*c)))) {
		snprintf(why, whylen, "%s: %s", dir, *msg ? msg : strerror(ENOMEM));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	c->dirfd = fd;
	c->max_bytes = max_bytes;
	c->total = -1;
	return c;
}

void filecache__close(struct filecache *c)
{
	if (!c)
		return;
	close(c->dirfd);
	free(c);
}

static void name_of(const unsigned char key[FILECACHE_KEY_LEN], char name[NAME_LEN + 1])
{
	for (size_t i = 0; i < FILECACHE_KEY_LEN; i++)
		snprintf(name + 2 * i, 3, "%02x", key[i]);
}

/* The whole of fd (of size n) into a new buffer, or NULL (short: the file changed). */
static void *read_whole(int fd, size_t n)
{
	char *buf = malloc(n ? n : 1);
	size_t got = 0;

	while (buf && got < n) {
		ssize_t r = pread(fd, buf + got, n - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)r;
	}
	return buf;
}

int filecache__read(struct filecache *c, const unsigned char key[FILECACHE_KEY_LEN], size_t max,
		    void **buf, size_t *len)
{
	char name[NAME_LEN + 1];
	struct stat st;
	int fd, err = 0;

	*buf = NULL;
	*len = 0;
	name_of(key, name);
	fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) || (size_t)st.st_size > max)
		err = -EPERM;
	else if (!(*buf = read_whole(fd, (size_t)st.st_size)))
		err = -EIO;
	else
		*len = (size_t)st.st_size;
	if (!err)
		futimens(fd, NULL);	/* used now: the last to be evicted */
	close(fd);
	return err;
}

void filecache__verdict(struct filecache *c, bool good)
{
	if (good)
		c->st.loaded++;
	else
		c->st.refused++;
}

struct held {
	char name[NAME_LEN + 1];
	struct timespec mtime;
	off_t size;
};

static int by_age(const void *a, const void *b)
{
	const struct held *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return (x->mtime.tv_sec > y->mtime.tv_sec) - (x->mtime.tv_sec < y->mtime.tv_sec);
	return (x->mtime.tv_nsec > y->mtime.tv_nsec) - (x->mtime.tv_nsec < y->mtime.tv_nsec);
}

static bool entry_name(const char *s)
{
	return strlen(s) == NAME_LEN && strspn(s, "0123456789abcdef") == NAME_LEN;
}

/* Counts what the cache holds, drops killed runs' temporaries, and the oldest entries past the bound. */
static void evict(struct filecache *c)
{
	int fd = dup(c->dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct held *v = NULL;
	size_t n = 0, cap = 0, i;
	long long total = 0;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(d);	/* the duplicate shares the offset a previous scan left at the end */
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (fstatat(c->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (!strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) &&
		    time(NULL) - st.st_mtim.tv_sec > TMP_STALE_SECONDS) {
			unlinkat(c->dirfd, de->d_name, 0);
			continue;
		}
		if (!entry_name(de->d_name) || vec_reserve(v, cap, n + 1, 64))
			continue;
		memcpy(v[n].name, de->d_name, NAME_LEN + 1);
		v[n].mtime = st.st_mtim;
		v[n].size = S_ISREG(st.st_mode) ? st.st_size : 0;
		total += v[n++].size;
	}
	closedir(d);
	if (total > (long long)c->max_bytes) {
		qsort(v, n, sizeof(*v), by_age);
		for (i = 0; i < n && total > (long long)c->max_bytes; i++) {
			if (unlinkat(c->dirfd, v[i].name, 0))
				continue;
			total -= v[i].size;
			c->st.evicted++;
		}
	}
	c->total = total;
	free(v);
}

int filecache__put(struct filecache *c, const unsigned char key[FILECACHE_KEY_LEN],
		   const void *buf, size_t len)
{
	char name[NAME_LEN + 1], tmp[64];
	int fd, err;

	if (len >= c->max_bytes)
		return -EFBIG;
	name_of(key, name);
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%d-%u", (int)getpid(), c->tmp_seq++);
	/* a name of our own, new: the directory is ours alone, nobody races us in it */
	fd = openat(c->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	err = fd < 0 ? -errno : write_all(fd, buf, len);
	if (fd >= 0 && close(fd) && !err)
		err = -errno;
	/* appears whole: a reader sees the old entry (or none) or this one */
	if (!err && renameat(c->dirfd, tmp, c->dirfd, name))
		err = -errno;
	if (err && fd >= 0)
		unlinkat(c->dirfd, tmp, 0);
	if (err)
		return err;
	c->st.stored++;
	if (c->total >= 0)
		c->total += (long long)len;
	if (c->total < 0 || c->total > (long long)c->max_bytes)
		evict(c);
	return 0;
}

void filecache__stats(const struct filecache *c, struct filecache_stats *st)
{
	*st = c ? c->st : (struct filecache_stats){ 0 };
}
