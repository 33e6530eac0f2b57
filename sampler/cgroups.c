// SPDX-License-Identifier: MIT
/*
 * Cgroups by name: ids to readable names from an index of the tree
 * (cgtree.c walks it), rebuilt when an unknown id comes, at most once a
 * second; and -c's argument found in the tree.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/vec.h"
#include "cgroups.h"
#include "cgtree.h"
#include "procmaps.h"
#include "sampler.h"

#define CG_MAX_NAMES	8192	/* ids named at once, removed ones included */
#define CG_ID_MIN	4	/* hex digits of an id prefix */
#define CG_CANDIDATES	10	/* listed when -c is ambiguous */
#define RESCAN_NS	1000000000ull

/* --- names of ids ---------------------------------------------------------- */

#define NO_NAME SIZE_MAX	/* an id looked for and not found */

struct cg_ent {
	uint64_t id;
	size_t off;		/* of its name in names; NO_NAME */
};

struct cg_index {
	struct cg_ent *e;	/* by id */
	size_t n, cap;
	char *names;
	size_t len, ncap;
};

struct cgroup_names {
	char mnt[PATH_MAX];	/* "": no cgroup2 */
	struct cg_index ix;
	uint64_t scanned_ns;	/* CLOCK_MONOTONIC of the last scan; 0: none */
};

struct scan {
	struct cg_index ix;
	uint64_t want;		/* the id looked for: kept even when the index is full */
	int err;
};

static int ent_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct cg_ent *)a)->id, y = ((const struct cg_ent *)b)->id;

	return (x > y) - (x < y);
}

static struct cg_ent *ix_find(const struct cg_index *ix, uint64_t id)
{
	struct cg_ent key = { .id = id };

	return ix->n ? bsearch(&key, ix->e, ix->n, sizeof(key), ent_cmp) : NULL;
}

static int ix_add(struct cg_index *ix, uint64_t id, const char *name)
{
	size_t len = name ? strlen(name) + 1 : 0;

	if (vec_reserve(ix->e, ix->cap, ix->n + 1, 64) ||
	    vec_reserve(ix->names, ix->ncap, ix->len + len, 4096))
		return -ENOMEM;
	ix->e[ix->n++] = (struct cg_ent){ id, name ? ix->len : NO_NAME };
	if (name)
		memcpy(ix->names + ix->len, name, len);
	ix->len += len;
	return 0;
}

static void ix_free(struct cg_index *ix)
{
	free(ix->e);
	free(ix->names);
	*ix = (struct cg_index){ 0 };
}

static int scan_visit(void *ctx, const struct cg_dir *d)
{
	struct scan *sc = ctx;

	/* the one slot past the bound is want's */
	if (sc->ix.n < CG_MAX_NAMES + (d->ino == sc->want))
		sc->err = ix_add(&sc->ix, d->ino, d->name);
	return sc->err;
}

/*
 * A fresh index of the tree, want in it (as not found if it is not), and
 * what the old one knew that the tree no longer holds (a removed cgroup's
 * last samples) while there is room, the newest first (ids only grow).
 */
static void rescan(struct cgroup_names *cn, uint64_t want)
{
	struct scan sc = { .want = want };
	struct cg_ent key = { .id = want };
	size_t i, found;

	cgtree__walk(cn->mnt, scan_visit, &sc);
	found = sc.ix.n;
	if (found)
		qsort(sc.ix.e, found, sizeof(key), ent_cmp);
	for (i = cn->ix.n; i-- > 0 && !sc.err && sc.ix.n < CG_MAX_NAMES;)
		if (!found || !bsearch(&cn->ix.e[i], sc.ix.e, found, sizeof(key), ent_cmp))
			sc.err = ix_add(&sc.ix, cn->ix.e[i].id, cn->ix.e[i].off == NO_NAME ? NULL :
					cn->ix.names + cn->ix.e[i].off);
	/* not in the old index (it is looked for): only among the found */
	if (!sc.err && (!found || !bsearch(&key, sc.ix.e, found, sizeof(key), ent_cmp)))
		sc.err = ix_add(&sc.ix, want, NULL);
	if (sc.err) {	/* out of memory: the old index */
		ix_free(&sc.ix);
		return;
	}
	qsort(sc.ix.e, sc.ix.n, sizeof(key), ent_cmp);
	ix_free(&cn->ix);
	cn->ix = sc.ix;
}

struct cgroup_names *cgroup_names__new_at(const char *mount)
{
	struct cgroup_names *cn = calloc(1, sizeof(*cn));

	if (cn && mount)
		snprintf(cn->mnt, sizeof(cn->mnt), "%s", mount);
	return cn;
}

struct cgroup_names *cgroup_names__new(void)
{
	char mnt[PATH_MAX];

	return cgroup_names__new_at(sampler__cgroup2_mount(mnt, sizeof(mnt)));
}

void cgroup_names__free(struct cgroup_names *cn)
{
	if (!cn)
		return;
	ix_free(&cn->ix);
	free(cn);
}

const char *cgroup_names__name(struct cgroup_names *cn, uint64_t id)
{
	const struct cg_ent *e = ix_find(&cn->ix, id);
	struct timespec ts;
	uint64_t now;

	if (!e && cn->mnt[0] && !clock_gettime(CLOCK_MONOTONIC, &ts)) {
		now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		if (!cn->scanned_ns || now - cn->scanned_ns >= RESCAN_NS) {
			cn->scanned_ns = now;
			rescan(cn, id);
			e = ix_find(&cn->ix, id);
		}
	}
	return e && e->off != NO_NAME ? cn->ix.names + e->off : "?";
}

bool cgroup_names__hostname(int pid, char *buf, size_t size)
{
	char text[257];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd;

	if (size == 0)
		return false;
	fd = procmaps__open_in_root(pid, "/etc/hostname", false, &st);
	if (fd < 0)
		return false;
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	len = strcspn(text, "\n");	/* the first line, within 256 bytes */
	while (len && (text[len - 1] == '\r' || text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (!len || len >= size || len == sizeof(text) - 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

		buf[i] = ok ? c : '_';
	}
	buf[len] = '\0';
	return true;
}

/* --- -c: what users type ------------------------------------------------------ */

struct candidate {
	char *path;		/* relative to the mount */
	char name[CGTREE_NAME_MAX];
};

struct query {
	const char *arg;
	char id[80];		/* an id prefix in lower case, '-' for '_'; "": not one */
	char kind[16];		/* "podman" from "podman:<id>"; "": any */
	struct candidate *c;	/* the first CG_CANDIDATES matches */
	size_t n, cap, total;
	int err;
};

static const char *const kinds[] = { "docker", "podman", "containerd", "crio", "container", "pod" };

/* An id the argument may be a prefix of, after a kind ("podman:", as names show it). */
static void parse_query(struct query *q, const char *arg)
{
	const char *colon = strchr(arg, ':'), *id = arg;
	size_t len;

	q->arg = arg;
	for (size_t i = 0; colon && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((size_t)(colon - arg) == strlen(kinds[i]) && !strncmp(arg, kinds[i], strlen(kinds[i]))) {
			snprintf(q->kind, sizeof(q->kind), "%s", kinds[i]);
			id = colon + 1;
		}
	len = strlen(id);
	if (len < CG_ID_MIN || len >= sizeof(q->id))
		return;
	/* an id only if all of it is one: "dockerd" is a name, not the prefix "d" */
	for (size_t i = 0; i < len; i++) {
		char c = id[i] >= 'A' && id[i] <= 'F' ? (char)(id[i] - 'A' + 'a') : id[i];

		if (c == '_' || c == '-')
			c = '-';
		else if (!cgtree__hex(&c, 1)) {
			q->id[0] = '\0';
			return;
		}
		q->id[i] = c;
	}
	q->id[len] = '\0';
}

/* The directory's own name, the unit arg names ("nginx" is nginx.service), or an id prefix. */
static bool matches(const struct query *q, const struct cg_dir *d)
{
	static const char *const implied[] = { ".service", ".scope" };
	size_t alen = strlen(q->arg);

	if (d->id && q->id[0] && !strncmp(d->id, q->id, strlen(q->id)) &&
	    (!q->kind[0] || !strcmp(q->kind, d->kind)))
		return true;
	if (q->kind[0] || strncmp(d->base, q->arg, alen))
		return false;
	if (d->base[alen] == '\0')
		return true;
	for (size_t i = 0; i < sizeof(implied) / sizeof(implied[0]); i++)
		if (!strcmp(d->base + alen, implied[i]))
			return true;
	return false;
}

static int resolve_visit(void *ctx, const struct cg_dir *d)
{
	struct query *q = ctx;
	bool container = d->kind && strcmp(d->kind, "pod");

	if (matches(q, d) && q->total++ < CG_CANDIDATES) {
		if (vec_reserve(q->c, q->cap, q->n + 1, 4) || !(q->c[q->n].path = strdup(d->path)))
			return q->err = -ENOMEM;
		snprintf(q->c[q->n++].name, sizeof(q->c[0].name), "%s", d->name);
	}
	/* what a container's cgroup holds is its own: it cannot pass for another */
	return container ? 1 : 0;
}

static int cand_cmp(const void *a, const void *b)
{
	return strcmp(((const struct candidate *)a)->path, ((const struct candidate *)b)->path);
}

/* "ARG" matches N cgroups: NAME (PATH), ..., and N more; as many as fit. */
static void ambiguous(const struct query *q, char *err, size_t esize)
{
	static const char tail[] = "; give more of the id, or the path";
	size_t used, shown = 0;

	qsort(q->c, q->n, sizeof(*q->c), cand_cmp);
	used = (size_t)snprintf(err, esize, "\"%s\" matches %zu cgroups: ", q->arg, q->total);
	for (size_t i = 0; i < q->n && used < esize; i++, shown++) {
		char one[PATH_MAX + CGTREE_NAME_MAX + 8];
		size_t len = (size_t)snprintf(one, sizeof(one), "%s%s (%s)", i ? ", " : "",
					      q->c[i].name, q->c[i].path);

		if (!strcmp(q->c[i].name, q->c[i].path))
			len = (size_t)snprintf(one, sizeof(one), "%s%s", i ? ", " : "", q->c[i].path);
		if (used + len + sizeof(tail) + 24 >= esize)
			break;
		memcpy(err + used, one, len + 1);
		used += len;
	}
	if (used < esize && shown < q->total)
		used += (size_t)snprintf(err + used, esize - used, "%sand %zu more",
					 shown ? ", " : "", q->total - shown);
	if (used < esize)
		snprintf(err + used, esize - used, "%s", tail);
}

static bool is_cgroup_dir(const char *path, dev_t dev)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev == dev;
}

/* The tree searched for arg; 0 with the one match's path, else 1. */
static int search(const char *mnt, const char *arg, char *path, size_t size, char *err,
		  size_t esize)
{
	struct query q = { 0 };
	int ret = 1, werr;

	parse_query(&q, arg);
	werr = cgtree__walk(mnt, resolve_visit, &q);
	if (werr || q.err)
		snprintf(err, esize, "cannot search the cgroups under %s: %s", mnt,
			 strerror(-(werr ? werr : q.err)));
	else if (q.total > 1)
		ambiguous(&q, err, esize);
	else if (q.total == 0)
		snprintf(err, esize, "no cgroup matches \"%s\": give a cgroup path (absolute, or "
			 "relative to %s), a container id or at least %d of its first hex digits, "
			 "a pod uid, or a unit name", arg, mnt, CG_ID_MIN);
	else if ((size_t)snprintf(path, size, "%s%s", mnt, q.c[0].path) >= size)
		snprintf(err, esize, "the path of cgroup %s is too long", q.c[0].name);
	else
		ret = 0;
	for (size_t i = 0; i < q.n; i++)
		free(q.c[i].path);
	free(q.c);
	return ret;
}

int cgroups__resolve_at(const char *mnt, const char *arg, char *path, size_t size, char *err,
			size_t esize)
{
	struct stat st;

	if (stat(mnt, &st)) {
		snprintf(err, esize, "cannot read the cgroup2 mount %s: %s", mnt, strerror(errno));
		return 1;
	}
	if (arg[0] == '/' && is_cgroup_dir(arg, st.st_dev)) {
		if ((size_t)snprintf(path, size, "%s", arg) < size)
			return 0;
	} else if ((size_t)snprintf(path, size, "%s/%s", mnt, arg + (arg[0] == '/')) < size &&
		   is_cgroup_dir(path, st.st_dev)) {
		return 0;
	}
	if (!strchr(arg, '/') && arg[0])
		return search(mnt, arg, path, size, err, esize);
	snprintf(err, esize, "%s is not a cgroup v2 directory (cgroup2 is mounted at %s; give a "
		 "path under it, absolute or relative)", arg, mnt);
	return 1;
}

int cgroups__resolve(const char *arg, char *path, size_t size, char *err, size_t esize)
{
	char mnt[PATH_MAX];

	if (!sampler__cgroup2_mount(mnt, sizeof(mnt))) {
		snprintf(err, esize, "no cgroup2 file system is mounted (see /proc/mounts); -c "
			 "needs cgroup v2");
		return 1;
	}
	return cgroups__resolve_at(mnt, arg, path, size, err, esize);
}
