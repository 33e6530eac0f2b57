// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/vec.h"
#include "ptree.h"

/* Live threads of a process: its task directory's entries. */
static int thread_count(pid_t pid)
{
	char path[64];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

int ptree__tgid(pid_t pid, pid_t *tgid)
{
	char path[64], line[128], state = 0;
	int ret = -ESRCH;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -ESRCH;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "State: %c", &state) == 1)
			continue;
		if (sscanf(line, "Tgid: %d", tgid) == 1) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	if (!ret && state == 'Z' && thread_count(pid) <= 1)
		return -ECHILD;
	return ret;
}

/* A decimal number of at most 9 digits at *p, moved past it. */
static bool number(const char **p, const char *end, long *v)
{
	const char *s = *p;

	*v = 0;
	while (*p < end && **p >= '0' && **p <= '9' && *p - s < 9)
		*v = *v * 10 + (*(*p)++ - '0');
	return *p > s && (*p == end || **p < '0' || **p > '9');
}

bool ptree__parse_stat(const char *buf, size_t len, pid_t *ppid)
{
	const char *p = memrchr(buf, ')', len), *end = buf + len;
	long v;

	/* ") S PPID ": the state, one letter */
	if (!p || end - p < 5 || p[1] != ' ' || p[2] == ' ' || p[3] != ' ')
		return false;
	p += 4;
	if (!number(&p, end, &v) || (p < end && *p != ' ' && *p != '\n'))
		return false;
	*ppid = (pid_t)v;
	return true;
}

struct proc {
	pid_t pid, ppid;	/* ppid -1: a root (never a child) */
};

static int by_ppid(const void *a, const void *b)
{
	pid_t x = ((const struct proc *)a)->ppid, y = ((const struct proc *)b)->ppid;

	return (x > y) - (x < y);
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Every process in /proc with its parent, at most PTREE_MAX_PROCS; 0 or -errno. */
static int read_procs(struct proc **v, size_t *n)
{
	DIR *dir = opendir("/proc");
	size_t cap = 0;
	struct dirent *d;
	int err = 0;

	if (!dir)
		return -errno;
	while (!err && *n < PTREE_MAX_PROCS && (d = readdir(dir))) {
		char path[64], buf[512], *end;
		long pid = strtol(d->d_name, &end, 10);
		pid_t ppid;
		ssize_t len;
		int fd;

		if (*end || pid <= 0 || pid > INT_MAX || d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* gone */
		len = read(fd, buf, sizeof(buf));
		close(fd);
		if (len > 0 && ptree__parse_stat(buf, (size_t)len, &ppid)) {
			err = vec_reserve(*v, cap, *n + 1, 1024);
			if (!err)
				(*v)[(*n)++] = (struct proc){ (pid_t)pid, ppid };
		}
	}
	closedir(dir);
	return err;
}

/* Appends the children of parent; 0, 1 when max is reached, or -ENOMEM. */
static int add_children(struct proc *p, size_t n, pid_t parent, pid_t **out, size_t *nout,
			size_t *cap, size_t max)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {	/* the first with ppid >= parent */
		size_t mid = lo + (hi - lo) / 2;

		if (p[mid].ppid < parent)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && p[lo].ppid == parent; lo++) {
		if (p[lo].pid == parent)	/* pid 0's "child" 0 is not one */
			continue;
		if (*nout == max)
			return 1;
		if (vec_reserve(*out, *cap, *nout + 1, 256))
			return -ENOMEM;
		(*out)[(*nout)++] = p[lo].pid;
	}
	return 0;
}

/* The roots, each once, at most max; 0 or -ENOMEM. */
static int add_roots(const pid_t *roots, size_t n, size_t max, pid_t **out, size_t *nout,
		     size_t *cap, bool *full)
{
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < *nout && !dup; j++)
			dup = (*out)[j] == roots[i];
		if (dup)
			continue;
		if (*nout == max) {
			*full = true;
			break;
		}
		if (vec_reserve(*out, *cap, *nout + 1, 256))
			return -ENOMEM;
		(*out)[(*nout)++] = roots[i];
	}
	return 0;
}

long ptree__descendants(const pid_t *roots, size_t n, size_t max, pid_t **out, bool *full)
{
	pid_t *sorted = malloc((n ? n : 1) * sizeof(*sorted));
	size_t np = 0, nout = 0, cap = 0, i;
	struct proc *p = NULL;
	int err = sorted ? read_procs(&p, &np) : -ENOMEM;

	*out = NULL;
	*full = false;
	if (!err) {
		memcpy(sorted, roots, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), by_pid);
		err = add_roots(roots, n, max, out, &nout, &cap, full);
	}
	/* a root is never a child too: each process is listed once */
	for (i = 0; !err && i < np; i++)
		if (bsearch(&p[i].pid, sorted, n, sizeof(*sorted), by_pid))
			p[i].ppid = -1;
	if (!err && np)
		qsort(p, np, sizeof(*p), by_ppid);
	/* breadth first: out grows behind i */
	for (i = 0; !err && !*full && i < nout; i++) {
		int r = add_children(p, np, (*out)[i], out, &nout, &cap, max);

		err = r < 0 ? r : 0;
		*full = r > 0;
	}
	free(p);
	free(sorted);
	if (err) {
		free(*out);
		*out = NULL;
		return err;
	}
	return (long)nout;
}
