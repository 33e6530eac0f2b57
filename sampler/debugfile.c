// SPDX-License-Identifier: MIT
#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "debugfile.h"
#include "procmaps.h"

/* The CRC32 of the whole file (what .gnu_debuglink records). */
static bool crc_matches(int fd, uint32_t want)
{
	unsigned char buf[65536];
	uLong crc = crc32(0L, Z_NULL, 0);
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		crc = crc32(crc, buf, (uInt)n);
		off += n;
	}
	return n == 0 && (uint32_t)crc == want;
}

static bool id_matches(int fd, const unsigned char *id, size_t id_len)
{
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	const void *bits;
	ssize_t n = elf ? dwelf_elf_gnu_build_id(elf, &bits) : -1;
	bool ok = n > 0 && (size_t)n == id_len && !memcmp(bits, id, id_len);

	if (elf)
		elf_end(elf);
	return ok;
}

/* The candidate at path, if it is a debug file we may map and it is the binary's. */
static int try_open(const char *path, const unsigned char *id, size_t id_len, uint32_t crc)
{
	struct stat st;
	int fd = procmaps__open_regular(open(path, O_PATH | O_CLOEXEC), &st);

	if (fd < 0)
		return -1;
	if (st.st_uid != 0 || (st.st_mode & 022) ||
	    !(id_len ? id_matches(fd, id, id_len) : crc_matches(fd, crc))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Calls try for each absolute directory of dirs; the first descriptor found. */
static int each_dir(const char *dirs, int (*try)(const char *dir, void *ctx), void *ctx)
{
	const char *p = dirs ? dirs : "/usr/lib/debug";
	char dir[4096];
	int fd = -1;

	while (fd < 0 && *p) {
		size_t n = strcspn(p, ":");

		if (*p == '/' && n < sizeof(dir)) {
			memcpy(dir, p, n);
			dir[n] = '\0';
			fd = try(dir, ctx);
		}
		p += n + (p[n] == ':');
	}
	return fd;
}

struct search {
	const unsigned char *id;
	size_t id_len;
	const char *bindir, *link;
	uint32_t crc;
};

static int try_build_id(const char *dir, void *ctx)
{
	const struct search *s = ctx;
	char path[4096 + 160];
	int k = snprintf(path, sizeof(path), "%s/.build-id/%02x/", dir, s->id[0]);

	for (size_t i = 1; i < s->id_len && k < (int)sizeof(path) - 8; i++)
		k += snprintf(path + k, sizeof(path) - (size_t)k, "%02x", s->id[i]);
	snprintf(path + k, sizeof(path) - (size_t)k, ".debug");
	return try_open(path, s->id, s->id_len, 0);
}

static int try_under(const char *dir, void *ctx)
{
	const struct search *s = ctx;
	char path[3 * 4096];

	snprintf(path, sizeof(path), "%s%s/%s", dir, s->bindir, s->link);
	return try_open(path, s->id, s->id_len, s->crc);
}

int debugfile__find(const char *dirs, const unsigned char *id, size_t id_len,
		    const char *binary, const char *debuglink, uint32_t crc)
{
	struct search s = { id, id_len, NULL, debuglink, crc };
	char bindir[4096], path[3 * 4096];
	const char *slash;
	int fd = -1;

	if (id_len >= 2 && id_len <= 64)
		fd = each_dir(dirs, try_build_id, &s);
	if (fd >= 0 || !debuglink || !*debuglink || strchr(debuglink, '/') || !binary ||
	    !(slash = strrchr(binary, '/')) || (size_t)(slash - binary) >= sizeof(bindir))
		return fd;
	memcpy(bindir, binary, (size_t)(slash - binary));
	bindir[slash - binary] = '\0';
	s.bindir = bindir;
	snprintf(path, sizeof(path), "%s/%s", bindir, debuglink);
	fd = try_open(path, id, id_len, crc);
	if (fd < 0) {
		snprintf(path, sizeof(path), "%s/.debug/%s", bindir, debuglink);
		fd = try_open(path, id, id_len, crc);
	}
	return fd >= 0 ? fd : each_dir(dirs, try_under, &s);
}
