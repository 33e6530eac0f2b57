// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgtree.h"
#include "symbolize.h"

/* What a directory's name inherits from the directories above it. */
struct label {
	char container[32];	/* the outermost container's name: "podman:<12hex>" */
	char pod[48];		/* the innermost pod's name: "pod:<uid>" */
	char unit[CGTREE_NAME_MAX];	/* the innermost unit's name */
	bool docker, kube;	/* the directory is named "docker"; "kubepods" lies above */
};

struct walk {
	char path[PATH_MAX];
	size_t dirs;
	size_t inside_left;	/* of CGTREE_MAX_INSIDE, in the container being walked */
	dev_t dev;
	cg_visit_fn fn;
	void *ctx;
};

static const struct runtime {
	const char *prefix, *kind;
} runtimes[] = {
	{ "docker-", "docker" }, { "libpod-", "podman" },
	{ "cri-containerd-", "containerd" }, { "crio-", "crio" },
};
static const char *const unit_suffixes[] = { ".service", ".scope", ".slice", ".socket",
					     ".mount", ".swap" };

bool cgtree__hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && !memcmp(s + len - n, suffix, n);
}

/* Copies at most size - 1 bytes of s, made safe as a frame. */
static void frame_copy(char *dst, size_t size, const char *s, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
	symbolizer__clean_frame(dst, len, true);
}

/* A container's id from its directory's name (runtime prefix, 64 hex, maybe ".scope"). */
static const char *container_of(const char *base, bool docker_parent, char id[65])
{
	size_t len = strlen(base);

	if (ends_with(base, len, ".scope"))
		len -= 6;
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		size_t n = strlen(runtimes[i].prefix);

		if (len == n + 64 && !strncmp(base, runtimes[i].prefix, n) && cgtree__hex(base + n, 64)) {
			memcpy(id, base + n, 64);
			id[64] = '\0';
			return runtimes[i].kind;
		}
	}
	/* the cgroupfs drivers: the id alone */
	if (len == 64 && base[64] == '\0' && cgtree__hex(base, 64)) {
		memcpy(id, base, 65);
		return docker_parent ? "docker" : "container";
	}
	return NULL;
}

/* A pod's uid from "...pod<uid>(.slice)", 8-4-4-4-12 hex with '-' or '_'; dashes in uid. */
static bool pod_of(const char *base, char uid[37])
{
	size_t len = strlen(base);
	const char *p;

	if (ends_with(base, len, ".slice"))
		len -= 6;
	if (len < 39 || memcmp(base + len - 39, "pod", 3))
		return false;
	p = base + len - 36;
	for (size_t i = 0; i < 36; i++) {
		bool sep = i == 8 || i == 13 || i == 18 || i == 23;

		if (sep ? p[i] != '-' && p[i] != '_' : !cgtree__hex(p + i, 1))
			return false;
		uid[i] = sep ? '-' : p[i];
	}
	uid[36] = '\0';
	return true;
}

static bool unit_of(const char *base)
{
	size_t len = strlen(base);

	for (size_t i = 0; i < sizeof(unit_suffixes) / sizeof(unit_suffixes[0]); i++)
		if (ends_with(base, len, unit_suffixes[i]))
			return true;
	return false;
}

/* The path as a name: its tail when too long. */
static void path_name(char *dst, size_t size, const char *path)
{
	size_t len = strlen(path);

	if (len < size) {
		frame_copy(dst, size, path, len);
		return;
	}
	memcpy(dst, "...", 3);
	frame_copy(dst + 3, size - 3, path + len - (size - 4), size - 4);
}

static int walk_dir(struct walk *w, int fd, size_t plen, const struct label *up, int depth);

/* d's label and name from its own name and up's; then the visitor, then what lies below. */
static int visit(struct walk *w, int fd, size_t plen, const char *base, uint64_t ino,
		 const struct label *up, int depth)
{
	char id[65], uid[37], name[CGTREE_NAME_MAX];
	struct label l = *up;
	struct cg_dir d = { .ino = ino, .path = plen ? w->path : "/", .base = base,
			    .inside = up->container[0] != '\0' };
	int ret;

	l.docker = !strcmp(base, "docker");
	l.kube |= strstr(base, "kubepods") != NULL;
	if ((d.kind = container_of(base, up->docker, id))) {
		d.id = id;
		if (!d.inside) {
			snprintf(l.container, sizeof(l.container), "%s:%.12s", d.kind, id);
			w->inside_left = CGTREE_MAX_INSIDE;
		}
	} else if (l.kube && pod_of(base, uid)) {
		d.id = uid;
		d.kind = "pod";
		snprintf(l.pod, sizeof(l.pod), "pod:%s", uid);
	} else if (unit_of(base)) {
		frame_copy(l.unit, sizeof(l.unit), base, strlen(base));
	} else if (ends_with(l.unit, strlen(l.unit), ".slice")) {
		/* below a service or scope is that unit; a slice only groups units */
		l.unit[0] = '\0';
	}
	d.name = l.container[0] ? l.container : l.pod[0] ? l.pod : l.unit[0] ? l.unit : name;
	if (d.name == name)
		path_name(name, sizeof(name), d.path);
	ret = w->fn(w->ctx, &d);
	if (ret == 0 && depth < CGTREE_MAX_DEPTH)
		return walk_dir(w, fd, plen, &l, depth + 1);	/* takes fd */
	close(fd);
	return ret < 0 ? ret : 0;
}

/* A subdirectory, never through a link nor onto another file system; -1 if not one. */
static int open_subdir(int dfd, const char *name, dev_t dev, uint64_t *ino)
{
	struct stat st, st2;
	int fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode) || st.st_dev != dev)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, &st2) || st2.st_ino != st.st_ino || st2.st_dev != dev)) {
		close(fd);
		return -1;
	}
	*ino = st.st_ino;
	return fd;
}

static int walk_dir(struct walk *w, int fd, size_t plen, const struct label *up, int depth)
{
	DIR *dir = fdopendir(fd);
	struct dirent *de;
	int ret = 0;

	if (!dir) {
		close(fd);
		return 0;
	}
	while (ret >= 0 && (de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		uint64_t ino;
		int sub;

		if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
			continue;
		if (w->dirs >= CGTREE_MAX_DIRS || plen + 1 + len >= sizeof(w->path) ||
		    (up->container[0] && !w->inside_left))
			continue;
		sub = open_subdir(dirfd(dir), de->d_name, w->dev, &ino);
		if (sub < 0)
			continue;
		w->dirs++;
		w->inside_left -= up->container[0] != '\0';
		w->path[plen] = '/';
		memcpy(w->path + plen + 1, de->d_name, len + 1);
		ret = visit(w, sub, plen + 1 + len, w->path + plen + 1, ino, up, depth);
		w->path[plen] = '\0';
	}
	closedir(dir);
	return ret;
}

int cgtree__walk(const char *mnt, cg_visit_fn fn, void *ctx)
{
	struct label root = { 0 };
	struct stat st;
	struct walk *w;
	int fd, ret;

	fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = calloc(1, sizeof(*w));
	if (!w || fstat(fd, &st)) {
		ret = w ? -errno : -ENOMEM;
		close(fd);
		free(w);
		return ret;
	}
	*w = (struct walk){ .dev = st.st_dev, .fn = fn, .ctx = ctx };
	ret = visit(w, fd, 0, "", st.st_ino, &root, 1);	/* takes fd */
	free(w);
	return ret;
}
