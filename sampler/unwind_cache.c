// SPDX-License-Identifier: MIT
/*
 * The unwind-table cache (unwind_cache.h): one file per table, named by the
 * hex of its key, holding a header and the rows.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/readall.h"
#include "../util/vec.h"
#include "unwind_cache.h"
#include "unwind_rows.h"

/* The version of the rows' making: a change to unwind_rows.c's output bumps it. */
static const char key_salt[] = "flametop unwind rows 1";
static const char entry_magic[8] = "FTUNWND1";

struct entry_hdr {
	char magic[8];
	__u32 row_size;		/* sizeof(struct ft_unwind_row) */
	__u32 nrows;
	unsigned char key[UNWIND_KEY_LEN];
	unsigned char sum[UNWIND_KEY_LEN];	/* SHA-256 of the rows */
};

#define NAME_LEN (2 * UNWIND_KEY_LEN)
#define TMP_PREFIX ".tmp-"
#define TMP_STALE_SECONDS 600	/* a temporary this old was left by a killed run */

struct unwind_cache {
	int dirfd;
	size_t max_bytes;
	long long total;	/* bytes held, as last counted plus what was added; -1 unknown */
	unsigned tmp_seq;
	struct unwind_cache_stats st;
};

static int sha256(const void *p, size_t n, unsigned char out[UNWIND_KEY_LEN])
{
	unsigned len = 0;

	return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == UNWIND_KEY_LEN ?
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
		return (size_t)UNWIND_CACHE_MB << 20;
	errno = 0;
	mb = strtoul(s, &end, 10);
	if (errno || *end || mb > (1ul << 20))
		return (size_t)UNWIND_CACHE_MB << 20;
	return (size_t)mb << 20;
}

struct unwind_cache *unwind_cache__open(const char *dir, size_t max_bytes, char *why,
					size_t whylen)
{
	struct unwind_cache *c;
	char msg[200] = "";
	int top, sub;

	*why = '\0';
	if (!dir)
		dir = getenv("FLAMETOP_CACHE_DIR");
	if (!dir)
		dir = UNWIND_CACHE_DIR;
	if (!max_bytes)
		max_bytes = max_from_env();
	if (!*dir || !strcmp(dir, "off") || !max_bytes)
		return NULL;
	top = open_own_dir(AT_FDCWD, dir, msg, sizeof(msg));
	sub = top >= 0 ? open_own_dir(top, "unwind", msg, sizeof(msg)) : -1;
	if (top >= 0)
		close(top);
	if (sub < 0 || !(c = calloc(1, sizeof(*c)))) {
		snprintf(why, whylen, "%s: %s", dir, *msg ? msg : strerror(ENOMEM));
		if (sub >= 0)
			close(sub);
		return NULL;
	}
	c->dirfd = sub;
	c->max_bytes = max_bytes;
	c->total = -1;
	return c;
}

void unwind_cache__close(struct unwind_cache *c)
{
	if (!c)
		return;
	close(c->dirfd);
	free(c);
}

static const char *const cfi_names[] = { ".eh_frame", ".eh_frame_hdr", ".debug_frame",
					  ".zdebug_frame" };
#define NCFI (sizeof(cfi_names) / sizeof(cfi_names[0]))
#define CFI_HASH_MAX (128ul << 20)	/* CFI bytes hashed, at most: a table's worth */

/* Which CFI section name is name: its index, or -1. */
static int cfi_section(const char *name)
{
	for (size_t i = 0; i < NCFI; i++)
		if (!strcmp(name, cfi_names[i]))
			return (int)i;
	return -1;
}

/*
 * The CFI sections as the headers say, before anything is read: each name
 * at most once, their sizes together bounded (a sparse file's headers may
 * claim anything), and one that holds rules (.eh_frame or .debug_frame).
 */
static int check_cfi(Elf *elf, size_t shstrndx)
{
	bool seen[NCFI] = { false };
	Elf_Scn *scn = NULL;
	size_t total = 0;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;
		GElf_Shdr sh;
		int k;

		if (!gelf_getshdr(scn, &sh))
			return -EINVAL;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || (k = cfi_section(name)) < 0 || sh.sh_type == SHT_NOBITS)
			continue;
		if (seen[k] || sh.sh_size > CFI_HASH_MAX - total)
			return -EFBIG;
		seen[k] = true;
		total += sh.sh_size;
	}
	return seen[0] || seen[2] || seen[3] ? 0 : -ENOENT;
}

/* Hashes the headers as libelf holds them and the CFI sections' raw bytes (read once, kept). */
static int hash_elf(EVP_MD_CTX *md, Elf *elf)
{
	__u32 row_size = sizeof(struct ft_unwind_row);
	size_t phnum, shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	bool ok;
	int err;

	if (!gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &phnum) ||
	    elf_getshdrstrndx(elf, &shstrndx) || !shstrndx)
		return -EINVAL;
	if ((err = check_cfi(elf, shstrndx)))
		return err;
	ok = EVP_DigestUpdate(md, key_salt, sizeof(key_salt)) &&
	     EVP_DigestUpdate(md, &row_size, sizeof(row_size)) &&
	     EVP_DigestUpdate(md, &eh, sizeof(eh));
	for (size_t i = 0; ok && i < phnum; i++) {
		GElf_Phdr ph;

		ok = gelf_getphdr(elf, (int)i, &ph) && EVP_DigestUpdate(md, &ph, sizeof(ph));
	}
	while (ok && (scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;
		Elf_Data *d;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return -EINVAL;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		name = name ? name : "";
		ok = EVP_DigestUpdate(md, &sh, sizeof(sh)) &&
		     EVP_DigestUpdate(md, name, strlen(name) + 1);
		if (cfi_section(name) < 0 || sh.sh_type == SHT_NOBITS || !sh.sh_size)
			continue;
		/*
		 * What dwarf_getcfi_elf and dwarf_begin_elf read later is this same
		 * buffer; one that cannot be read now is not keyed (libelf would
		 * try again for the build, which might then see other bytes).
		 */
		if (!(d = elf_rawdata(scn, NULL)))
			return -EIO;
		for (; ok && d; d = elf_rawdata(scn, d))
			ok = !d->d_size || EVP_DigestUpdate(md, d->d_buf, d->d_size);
	}
	return ok ? 0 : -EIO;
}

int unwind_cache__key(Elf *elf, unsigned char key[UNWIND_KEY_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned len = 0;
	int err;

	if (!md)
		return -ENOMEM;
	err = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? hash_elf(md, elf) : -EIO;
	if (!err && (EVP_DigestFinal_ex(md, key, &len) != 1 || len != UNWIND_KEY_LEN))
		err = -EIO;
	EVP_MD_CTX_free(md);
	return err;
}

static void name_of(const unsigned char key[UNWIND_KEY_LEN], char name[NAME_LEN + 1])
{
	for (size_t i = 0; i < UNWIND_KEY_LEN; i++)
		snprintf(name + 2 * i, 3, "%02x", key[i]);
}

long unwind_cache__parse(const void *buf, size_t len, const unsigned char key[UNWIND_KEY_LEN],
			 __u32 max_rows, struct ft_unwind_row **rows)
{
	const unsigned char *body = (const unsigned char *)buf + sizeof(struct entry_hdr);
	unsigned char sum[UNWIND_KEY_LEN];
	struct ft_unwind_row *v;
	struct entry_hdr h;

	*rows = NULL;
	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, entry_magic, sizeof(h.magic)) || h.row_size != sizeof(*v) || !h.nrows)
		return -EINVAL;
	if (h.nrows > max_rows)
		return -ERANGE;
	if (len - sizeof(h) != (size_t)h.nrows * sizeof(*v))
		return -EINVAL;
	if (memcmp(h.key, key, UNWIND_KEY_LEN))
		return -ESTALE;
	if (sha256(body, len - sizeof(h), sum) || memcmp(sum, h.sum, sizeof(sum)))
		return -EBADMSG;
	v = malloc((size_t)h.nrows * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, body, (size_t)h.nrows * sizeof(*v));
	/* what a lookup relies on: rows in pc order, of kinds the walker knows */
	for (__u32 i = 0; i < h.nrows; i++) {
		if (v[i].type > FT_CFA_UNKNOWN || v[i].pad || (i && v[i].pc < v[i - 1].pc)) {
			free(v);
			return -EINVAL;
		}
	}
	*rows = v;
	return (long)h.nrows;
}

void *unwind_cache__encode(const unsigned char key[UNWIND_KEY_LEN],
			   const struct ft_unwind_row *rows, __u32 n, size_t *len)
{
	struct entry_hdr h = { .row_size = sizeof(*rows), .nrows = n };
	size_t body = (size_t)n * sizeof(*rows);
	unsigned char *buf = malloc(sizeof(h) + body);

	if (!buf)
		return NULL;
	memcpy(h.magic, entry_magic, sizeof(h.magic));
	memcpy(h.key, key, UNWIND_KEY_LEN);
	if (sha256(rows, body, h.sum)) {
		free(buf);
		return NULL;
	}
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), rows, body);
	*len = sizeof(h) + body;
	return buf;
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

long unwind_cache__get(struct unwind_cache *c, const unsigned char key[UNWIND_KEY_LEN],
		       __u32 max_rows, struct ft_unwind_row **rows)
{
	size_t most = sizeof(struct entry_hdr) + (size_t)max_rows * sizeof(**rows);
	char name[NAME_LEN + 1];
	struct stat st;
	void *buf = NULL;
	long n;
	int fd;

	*rows = NULL;
	name_of(key, name);
	fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0)
		n = -errno;
	else if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
		 (st.st_mode & 022) || (size_t)st.st_size > most)
		n = -EPERM;
	else if (!(buf = read_whole(fd, (size_t)st.st_size)))
		n = -EIO;
	else
		n = unwind_cache__parse(buf, (size_t)st.st_size, key, max_rows, rows);
	if (n > 0) {
		futimens(fd, NULL);	/* used now: the last to be evicted */
		c->st.loaded++;
	} else {
		c->st.refused++;
	}
	free(buf);
	if (fd >= 0)
		close(fd);
	return n;
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
static void evict(struct unwind_cache *c)
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

int unwind_cache__put(struct unwind_cache *c, const unsigned char key[UNWIND_KEY_LEN],
		      const struct ft_unwind_row *rows, __u32 n)
{
	char name[NAME_LEN + 1], tmp[64];
	size_t len = 0;
	void *buf;
	int fd, err;

	if ((size_t)n * sizeof(*rows) >= c->max_bytes)
		return -EFBIG;
	if (!(buf = unwind_cache__encode(key, rows, n, &len)))
		return -ENOMEM;
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
	free(buf);
	if (err)
		return err;
	c->st.stored++;
	if (c->total >= 0)
		c->total += (long long)len;
	if (c->total < 0 || c->total > (long long)c->max_bytes)
		evict(c);
	return 0;
}

void unwind_cache__stats(const struct unwind_cache *c, struct unwind_cache_stats *st)
{
	*st = c ? c->st : (struct unwind_cache_stats){ 0 };
}

long unwind_cache__rows(struct unwind_cache *c, Elf *elf, __u32 max_rows,
			struct ft_unwind_row **rows, bool *built)
{
	unsigned char key[UNWIND_KEY_LEN];
	bool keyed = c && !unwind_cache__key(elf, key);
	long n = keyed ? unwind_cache__get(c, key, max_rows, rows) : -ENOENT;

	*built = n <= 0;
	if (n > 0)
		return n;
	n = unwind__build_rows(elf, rows);
	if (keyed && n > 0 && (__u32)n <= max_rows)
		unwind_cache__put(c, key, *rows, (__u32)n);	/* best effort */
	return n;
}
