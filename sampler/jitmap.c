// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/search.h"
#include "../util/vec.h"
#include "jitmap.h"
#include "procmaps.h"

#define CHUNK		(1u << 20)
#define RECHECK_NS	1000000000ull		/* 1 s */
#define RECHECK_MAX_NS	64000000000ull		/* 64 s, for a process with no map */
#define LOOK_BACK	8	/* overlapping pieces searched below the nearest start */

struct jit_sym {
	uint64_t start, end;
	uint32_t name, len;	/* in names */
	uint32_t seq;		/* line order: a later line wins */
};

struct jitmap {
	pid_t pid, nspid;
	uid_t uid[2];		/* real and effective: who may own the file */
	unsigned long long starttime;	/* the process's, to notice a reused pid */
	bool known, gone;	/* read /proc once; the process is gone (keep what we have) */
	struct jit_sym *v;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	dev_t dev;
	ino_t ino;
	off_t offset;		/* read up to here: whole lines */
	bool skipping;		/* in a line over JITMAP_LINE_MAX */
	uint32_t seq;
	size_t sorted;		/* v[0..sorted) settled; lines added since are after it */
	uint64_t next_check;
	uint64_t wait_ns;	/* until the next look: longer while the process writes no map */
};

struct jitmap *jitmap__new(pid_t pid)
{
	struct jitmap *j = calloc(1, sizeof(*j));

	if (j)
		j->pid = pid;
	return j;
}

void jitmap__free(struct jitmap *j)
{
	if (!j)
		return;
	free(j->v);
	free(j->names);
	free(j);
}

static const struct jit_sym *find(const struct jitmap *j, uint64_t addr)
{
	size_t lo = upper_bound_by(j->v, j->n, start, addr);

	for (size_t k = 0; k < LOOK_BACK && lo > k; k++)
		if (addr < j->v[lo - 1 - k].end)
			return &j->v[lo - 1 - k];
	return NULL;
}

size_t jitmap__count(const struct jitmap *j)
{
	return j->n;
}

bool jitmap__entry(const struct jitmap *j, size_t i, uint64_t *start, uint64_t *end,
		   const char **name, size_t *len)
{
	if (i >= j->n)
		return false;
	*start = j->v[i].start;
	*end = j->v[i].end;
	*name = j->names + j->v[i].name;
	*len = j->v[i].len;
	return true;
}

const char *jitmap__find(const struct jitmap *j, uint64_t addr, size_t *len)
{
	const struct jit_sym *s = find(j, addr);

	if (!s)
		return NULL;
	*len = s->len;
	return j->names + s->name;
}

static bool hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s < end && digits <= 16; s++, digits++) {
		int c = (unsigned char)*s, d = c >= '0' && c <= '9' ? c - '0' :
					   (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;

		if (d < 0)
			break;
		v = v << 4 | (uint64_t)d;
	}
	if (!digits || digits > 16)
		return false;
	*p = s;
	*out = v;
	return true;
}

/* One line "START SIZE name" (no newline); a line that is not one is ignored. */
static void parse_line(struct jitmap *j, const char *s, const char *end)
{
	uint64_t start, size;
	size_t len;

	if (!hex(&s, end, &start) || s == end || *s++ != ' ' || !hex(&s, end, &size) ||
	    s == end || *s++ != ' ' || !size || start + size < start)
		return;
	len = (size_t)(end - s);
	if (len && s[len - 1] == '\r')
		len--;
	if (!len || j->names_len + len > JITMAP_MAX_BYTES || j->n >= JITMAP_MAX_ENTRIES ||
	    vec_reserve(j->names, j->names_cap, j->names_len + len, 4096) ||
	    vec_reserve(j->v, j->cap, j->n + 1, 256))
		return;
	memcpy(j->names + j->names_len, s, len);
	j->v[j->n++] = (struct jit_sym){ start, start + size, (uint32_t)j->names_len,
					 (uint32_t)len, j->seq++ };
	j->names_len += len;
}

static int by_start(const void *pa, const void *pb)
{
	const struct jit_sym *a = pa, *b = pb;

	if (a->start != b->start)
		return (a->start > b->start) - (a->start < b->start);
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Sorted by start, one piece per start: the latest line's (from the first unsorted one on). */
static void settle(struct jitmap *j)
{
	size_t k = 0;

	if (j->n == j->sorted)
		return;
	qsort(j->v, j->n, sizeof(*j->v), by_start);
	for (size_t i = 0; i < j->n; i++) {
		if (k && j->v[k - 1].start == j->v[i].start)
			k--;
		j->v[k++] = j->v[i];
	}
	j->n = j->sorted = k;
}

/*
 * The whole lines of text; returns how many bytes they took (a partial line
 * is read again next time, unless it is already too long to keep).
 */
static size_t parse_lines(struct jitmap *j, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl) {
			if ((size_t)(end - p) >= JITMAP_LINE_MAX) {
				j->skipping = true;
				p = end;
			}
			break;
		}
		if (!j->skipping && nl - p < JITMAP_LINE_MAX)
			parse_line(j, p, nl);
		j->skipping = false;
		p = nl + 1;
	}
	return (size_t)(p - text);
}

void jitmap__parse(struct jitmap *j, const char *text, size_t len)
{
	parse_lines(j, text, len);
	settle(j);
}

/* The process's uids, namespace pid and start time, from /proc; false when it is gone. */
static bool read_status(struct jitmap *j)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	unsigned long long st = 0;
	bool uid = false, ns = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)j->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (getline(&line, &cap, f) > 0) {
		if (!strncmp(line, "Uid:", 4))
			uid = sscanf(line + 4, "%u %u", &j->uid[0], &j->uid[1]) == 2;
		else if (!strncmp(line, "NSpid:", 6)) {
			char *last = strrchr(line, '\t');

			ns = last && sscanf(last + 1, "%d", &j->nspid) == 1 && j->nspid > 0;
		}
	}
	free(line);
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)j->pid);
	f = fopen(path, "re");
	if (f) {
		char buf[1024], *p;
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		buf[n] = '\0';
		/* after the name's last ')': field 3 on; starttime is field 22 */
		p = strrchr(buf, ')');
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
				"%*d %*d %*d %*d %llu", &st) != 1)
			st = 0;
		fclose(f);
	}
	if (!j->known) {
		j->starttime = st;
		j->known = true;
	} else if (st != j->starttime) {
		return false;	/* another process has the pid now */
	}
	return uid && ns && st;
}

/* The map file, open for reading, if it is the process's; -1 if not. */
static int open_map(struct jitmap *j, struct stat *st)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)j->nspid);
	/* a JIT writes the file itself: a symlink there is somebody else's */
	fd = procmaps__open_in_root(j->pid, path, true, st);
	if (fd >= 0 && st->st_uid != j->uid[0] && st->st_uid != j->uid[1]) {
		close(fd);
		return -1;
	}
	return fd;
}

void jitmap__read_fd(struct jitmap *j, int fd)
{
	struct stat st;
	off_t limit;
	char *buf;

	if (fstat(fd, &st))
		return;
	if (st.st_dev != j->dev || st.st_ino != j->ino || st.st_size < j->offset) {
		j->n = j->names_len = j->sorted = 0;	/* another file, or rewritten */
		j->offset = 0;
		j->skipping = false;
		j->dev = st.st_dev;
		j->ino = st.st_ino;
	}
	limit = st.st_size < (off_t)JITMAP_MAX_BYTES ? st.st_size : (off_t)JITMAP_MAX_BYTES;
	buf = j->offset < limit ? malloc(CHUNK) : NULL;
	while (buf && j->offset < limit) {
		size_t want = (size_t)(limit - j->offset) < CHUNK ? (size_t)(limit - j->offset) : CHUNK;
		ssize_t got = pread(fd, buf, want, j->offset);
		size_t used;

		if (got <= 0)
			break;	/* shrank meanwhile: the next look starts over */
		used = parse_lines(j, buf, (size_t)got);
		if (!used)
			break;	/* a partial line at the end: the JIT is writing it */
		j->offset += (off_t)used;
	}
	free(buf);
	settle(j);
}

/* Reads what was appended since the last read (all of it when the file is new or shrank). */
static bool refresh(struct jitmap *j)
{
	struct stat st;
	int fd;

	if (!read_status(j)) {
		j->gone = j->known;
		return false;
	}
	fd = open_map(j, &st);
	if (fd < 0)
		return false;
	jitmap__read_fd(j, fd);
	close(fd);
	return true;
}

const char *jitmap__lookup(struct jitmap *j, uint64_t addr, uint64_t now_ns, size_t *len)
{
	const char *name = jitmap__find(j, addr, len);

	if (!name && !j->gone && now_ns >= j->next_check) {
		/* a process that writes no map is looked at less and less often */
		if (refresh(j) || !j->wait_ns)
			j->wait_ns = RECHECK_NS;
		else if (j->wait_ns < RECHECK_MAX_NS)
			j->wait_ns += j->wait_ns;
		j->next_check = now_ns + j->wait_ns;
		name = jitmap__find(j, addr, len);
	}
	return name;
}
