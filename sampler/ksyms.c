// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/readall.h"
#include "../util/vec.h"
#include "../util/search.h"
#include "ksyms.h"

/* the cache file: this header, addr[n], name[n], then the names */
struct cache_hdr {
	char magic[8];
	char boot_id[40];
	uint64_t modules_hash;
	uint64_t n, names_len;
	struct ksyms_range core[2];
};

static const char cache_magic[8] = "FTKSYMS1";

struct entry {
	uint64_t addr;
	uint32_t name;
};

struct entries {
	struct entry *e;
	size_t n, cap;
};

static int push(struct entries *v, uint64_t addr, size_t name)
{
	if (name > UINT32_MAX)
		return -E2BIG;
	if (vec_reserve(v->e, v->cap, v->n + 1, 65536))
		return -ENOMEM;
	v->e[v->n++] = (struct entry){ addr, (uint32_t)name };
	return 0;
}

/* "ffffffff81000000 T name[\t[module]]" per line; text symbols only */
static int parse_kallsyms(char *buf, size_t len, struct entries *v)
{
	char *line, *end = buf + len;

	for (line = buf; line < end;) {
		char *nl = memchr(line, '\n', (size_t)(end - line)), *p = line, *name;
		uint64_t addr = 0;

		if (!nl)
			nl = end;
		*nl = '\0';
		for (;; p++) {
			unsigned d = (unsigned char)*p;

			if (d - '0' < 10)
				d -= '0';
			else if ((d | 0x20) - 'a' < 6)
				d = (d | 0x20) - 'a' + 10;
			else
				break;
			addr = addr << 4 | d;
		}
		line = nl + 1;
		if (p[0] != ' ' || !p[1] || p[2] != ' ' || !addr || !strchr("tTwW", p[1]))
			continue;
		name = p + 3;
		name[strcspn(name, " \t")] = '\0';	/* drop "[module]" */
		if (push(v, addr, (size_t)(name - buf)))
			return -ENOMEM;
	}
	return 0;
}

/* the iterator's records: an address, then a NUL-terminated name */
static int parse_records(char *buf, size_t len, struct entries *v)
{
	char *p = buf, *end = buf + len, *nul;
	uint64_t addr;

	while (end - p > (ptrdiff_t)sizeof(addr)) {
		memcpy(&addr, p, sizeof(addr));
		p += sizeof(addr);
		nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			return -EINVAL;
		if (addr && push(v, addr, (size_t)(p - buf)))
			return -ENOMEM;
		p = nul + 1;
	}
	return p == end ? 0 : -EINVAL;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* The kernel's own symbols come in order, the modules' after them do not:
 * sort the tail alone, then merge it in from the back. */
static int sort_entries(struct entries *v)
{
	size_t a = 1, b, out = v->n;
	struct entry *tail;

	while (a < v->n && v->e[a].addr >= v->e[a - 1].addr)
		a++;
	if (a >= v->n)
		return 0;
	b = v->n - a;
	tail = malloc(b * sizeof(*tail));
	if (!tail)
		return -ENOMEM;
	memcpy(tail, v->e + a, b * sizeof(*tail));
	qsort(tail, b, sizeof(*tail), entry_cmp);
	while (b > 0) {
		if (a > 0 && v->e[a - 1].addr > tail[b - 1].addr)
			v->e[--out] = v->e[--a];
		else
			v->e[--out] = tail[--b];
	}
	free(tail);
	return 0;
}

static int read_boot_id(char id[40])
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	memset(id, 0, 40);
	if (fd < 0)
		return -errno;
	n = read(fd, id, 39);
	close(fd);
	if (n < 36)
		return -EINVAL;
	id[36] = '\0';
	return 0;
}

/*
 * The modules' memory, and a hash of what sits where (name, size, address;
 * not the use counts, which change all the time).  No /proc/modules: a
 * kernel without modules.
 */
static int read_modules(struct ksyms *k, uint64_t *hash)
{
	FILE *f = fopen("/proc/modules", "re");
	char line[512], name[256];
	unsigned long long size, addr;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t cap = 0;

	*hash = h;
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *p;

		if (sscanf(line, "%255s %llu %*s %*s %*s %llx", name, &size, &addr) != 3)
			continue;
		for (p = name; *p; p++)
			h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
		h = (h ^ size) * 0x100000001b3ull;
		h = (h ^ addr) * 0x100000001b3ull;
		if (!addr)
			continue;
		if (vec_reserve(k->mods, cap, k->nmods + 1, 64)) {
			fclose(f);
			return -ENOMEM;
		}
		k->mods[k->nmods++] = (struct ksyms_range){ addr, addr + size };
	}
	fclose(f);
	*hash = h;
	return 0;
}

/* [_text, _etext) and [_sinittext, _einittext): where the kernel's own code is */
static void find_core(struct ksyms *k)
{
	static const char *const marks[2][2] = {
		{ "_text", "_etext" }, { "_sinittext", "_einittext" },
	};
	size_t i, r, e;

	memset(k->core, 0, sizeof(k->core));
	for (i = 0; i < k->n; i++) {
		const char *name = k->names + k->name[i];

		if (name[0] != '_')
			continue;
		for (r = 0; r < 2; r++)
			for (e = 0; e < 2; e++)
				if (!strcmp(name, marks[r][e]))
					(&k->core[r].start)[e] = k->addr[i];
	}
	for (r = 0; r < 2; r++)
		if (k->core[r].end < k->core[r].start)
			k->core[r] = (struct ksyms_range){ 0, 0 };
}

int ksyms__read(struct ksyms *k, int fd)
{
	int own = fd < 0 ? open("/proc/kallsyms", O_RDONLY | O_CLOEXEC) : fd;
	struct entries v = { 0 };
	uint64_t *addr;
	uint32_t *name;
	char *buf = NULL;
	size_t len;
	size_t i;
	int err;

	memset(k, 0, sizeof(*k));
	if (own < 0)
		return -errno;
	err = read_all(own, 1 << 22, &buf, &len);
	if (own != fd)
		close(own);
	if (err)
		return err;
	err = fd >= 0 ? parse_records(buf, len, &v) : parse_kallsyms(buf, len, &v);
	if (!err)
		err = sort_entries(&v);
	if (!err && !v.n)
		err = -ENOENT;	/* kptr_restrict hides the addresses */
	if (!err) {
		k->mem_len = v.n * (sizeof(*addr) + sizeof(*name));
		k->mem = malloc(k->mem_len);
		if (!k->mem)
			err = -ENOMEM;
	}
	if (err) {
		free(v.e);
		free(buf);
		memset(k, 0, sizeof(*k));
		return err;
	}
	addr = k->mem;
	name = (uint32_t *)(addr + v.n);
	for (i = 0; i < v.n; i++) {
		addr[i] = v.e[i].addr;
		name[i] = v.e[i].name;
	}
	free(v.e);
	k->n = v.n;
	k->addr = addr;
	k->name = name;
	k->names = buf;
	k->names_len = len + 1;
	find_core(k);
	err = read_modules(k, &k->modules_hash);
	if (err) {
		ksyms__free(k);
		return err;
	}
	return 0;
}

int ksyms__save_cache(const struct ksyms *k, const char *path)
{
	struct cache_hdr h = { 0 };
	char dir[PATH_MAX], tmp[PATH_MAX + 16], *slash;
	int fd, err;

	memcpy(h.magic, cache_magic, sizeof(h.magic));
	if ((err = read_boot_id(h.boot_id)))
		return err;
	h.modules_hash = k->modules_hash;
	h.n = k->n;
	h.names_len = k->names_len;
	memcpy(h.core, k->core, sizeof(h.core));
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -errno;
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	err = write_all(fd, &h, sizeof(h));
	if (!err)
		err = write_all(fd, k->addr, k->n * sizeof(*k->addr));
	if (!err)
		err = write_all(fd, k->name, k->n * sizeof(*k->name));
	if (!err)
		err = write_all(fd, k->names, k->names_len);
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* Everything a lookup relies on, checked once: a bad file is no file. */
static int check_cache(const struct ksyms *k)
{
	size_t i;

	if (!k->names_len || k->names[k->names_len - 1] != '\0')
		return -EINVAL;
	for (i = 0; i < k->n; i++)
		if (k->name[i] >= k->names_len || (i && k->addr[i] < k->addr[i - 1]))
			return -EINVAL;
	return 0;
}

int ksyms__load_cache(struct ksyms *k, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	const struct cache_hdr *h;
	char boot_id[40];
	struct stat st;
	size_t need;
	void *map;
	int err;

	memset(k, 0, sizeof(*k));
	if (fd < 0)
		return -errno;
	/* only a file this user wrote, that nobody else may change */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) || (size_t)st.st_size < sizeof(*h)) {
		close(fd);
		return -EINVAL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	k->mem = map;
	k->mem_len = (size_t)st.st_size;
	k->cached = true;
	h = map;
	err = -EINVAL;
	if (memcmp(h->magic, cache_magic, sizeof(h->magic)) || h->n > SIZE_MAX / 16 ||
	    h->names_len > (size_t)st.st_size)
		goto bad;
	need = sizeof(*h) + h->n * (sizeof(uint64_t) + sizeof(uint32_t)) + h->names_len;
	if (need != (size_t)st.st_size)
		goto bad;
	if ((err = read_boot_id(boot_id)) || (err = read_modules(k, &k->modules_hash)))
		goto bad;
	err = -ESTALE;
	if (memcmp(boot_id, h->boot_id, sizeof(boot_id)) || k->modules_hash != h->modules_hash)
		goto bad;
	k->n = h->n;
	k->addr = (const uint64_t *)(h + 1);
	k->name = (const uint32_t *)(k->addr + k->n);
	k->names = (const char *)(k->name + k->n);
	k->names_len = h->names_len;
	memcpy(k->core, h->core, sizeof(k->core));
	err = check_cache(k);
	if (err || !k->n) {
		err = err ? err : -ENOENT;
		goto bad;
	}
	return 0;
bad:
	ksyms__free(k);
	return err;
}

void ksyms__free(struct ksyms *k)
{
	if (k->cached)
		munmap(k->mem, k->mem_len);
	else {
		free(k->mem);
		free((char *)k->names);
	}
	free(k->mods);
	memset(k, 0, sizeof(*k));
}

size_t ksyms__find(const struct ksyms *k, uint64_t addr)
{
	return u64_upper_bound(k->addr, k->n, addr);
}

bool ksyms__covers(const struct ksyms *k, uint64_t addr)
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (addr >= k->core[i].start && addr < k->core[i].end)
			return true;
	for (i = 0; i < k->nmods; i++)
		if (addr >= k->mods[i].start && addr < k->mods[i].end)
			return true;
	return false;
}
