// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

/*
 * The umask, read without setting it: umask() can only be read by changing
 * it, and for that instant a file another thread creates would get 022.
 */
static mode_t umask_now(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	unsigned m;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Umask: %o", &m) == 1) {
			fclose(f);
			return (mode_t)m;
		}
	if (f)
		fclose(f);
	m = umask(022);		/* kernels before 4.7: no Umask line */
	umask((mode_t)m);
	return (mode_t)m;
}

/* The last component of path; "" when path ends in '/'. */
static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Whether st is root's or the caller's. */
static bool ours(const struct stat *st)
{
	return st->st_uid == 0 || st->st_uid == geteuid();
}

#define LINKS_MAX 40	/* the kernel's bound on links followed in one path */

static int walk_dir(int at, const char *path, int *links);

/*
 * The directory the symlink lnk (an O_PATH descriptor of it, st its owner)
 * leads to, read from at.  A link of another user than root or the caller
 * is followed only to a directory of that user: whoever may plant a link
 * in a directory of the path (a sticky /tmp, their home) could point it at
 * a directory of root's, and the file written there would replace root's.
 */
static int follow(int at, int lnk, const struct stat *st, int *links)
{
	char target[PATH_MAX];
	struct stat to;
	ssize_t n = readlinkat(lnk, "", target, sizeof(target) - 1);
	int fd;

	if (n < 0)
		return -errno;
	if ((size_t)n == sizeof(target) - 1)
		return -ENAMETOOLONG;	/* perhaps cut: never a path it does not say */
	if (++*links > LINKS_MAX)
		return -ELOOP;
	target[n] = '\0';
	fd = walk_dir(at, target, links);
	if (fd < 0 || ours(st))
		return fd;
	if (fstat(fd, &to) || to.st_uid != st->st_uid) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* The directory path names from at, one component at a time; -errno on failure. */
static int walk_dir(int at, const char *path, int *links)
{
	int fd = openat(at, *path == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char comp[NAME_MAX + 1];

	if (fd < 0)
		return -errno;
	while (fd >= 0 && *path) {
		size_t len = strcspn(path, "/");
		struct stat st;
		int next;

		if (!len) {
			path++;
			continue;
		}
		if (len > NAME_MAX) {
			close(fd);
			return -ENAMETOOLONG;
		}
		memcpy(comp, path, len);
		comp[len] = '\0';
		path += len;
		next = openat(fd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 || fstat(next, &st)) {
			int err = -errno;

			if (next >= 0)
				close(next);
			close(fd);
			return err;
		}
		if (S_ISLNK(st.st_mode)) {
			int to = follow(fd, next, &st, links);

			close(next);
			next = to;
		} else if (!S_ISDIR(st.st_mode)) {
			close(next);
			next = -ENOTDIR;
		}
		close(fd);
		fd = next;
	}
	return fd;
}

/*
 * The directory of path, opened once: every later step (the temporary, the
 * look at what is there, the link, the rename) is relative to this
 * descriptor, so swapping a directory of the path for a symlink meanwhile
 * changes nothing.  Its links are followed as follow() says.  -errno on
 * failure (-EPERM: a link of another user's to a directory not theirs).
 */
static int open_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	int links = 0, fd;
	char *dir;

	dir = !slash ? strdup(".") : slash == path ? strdup("/")
		    : strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	fd = walk_dir(AT_FDCWD, dir, &links);
	free(dir);
	return fd;
}


/*
 * A device or FIFO the user named, that is ours (root's, or the caller's),
 * and is still the one looked at (want): opened without following a link.
 * 1 when af is open, 0 when the path should get a new file after all, or
 * -errno (-EINTR when a signal came while a FIFO waited for its reader).
 */
static int open_direct(struct atomic_file *af, const char *name, const struct stat *want)
{
	int fd = openat(af->dirfd, name, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return errno == ELOOP ? 0 : -errno;
	if (fstat(fd, &st) || S_ISREG(st.st_mode) || st.st_dev != want->st_dev ||
	    st.st_ino != want->st_ino || !ours(&st)) {
		close(fd);
		return 0;
	}
	af->f = fdopen(fd, "w");
	if (!af->f) {
		close(fd);
		return -errno;
	}
	af->direct = true;
	return 1;
}

/* A named temporary beside the output, for file systems without O_TMPFILE. */
static int open_named(struct atomic_file *af)
{
	int fd;

	for (int i = 0; i < 100; i++) {
		snprintf(af->tmp, sizeof(af->tmp), ".flametop-%08lx", (unsigned long)arc4random());
		fd = openat(af->dirfd, af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			break;
	}
	fd = errno == EEXIST ? -EEXIST : -errno;
	af->tmp[0] = '\0';	/* none of ours: nothing to remove */
	return fd;
}

/* What is at name now: 0 (st filled), -ENOENT, or another -errno. */
static int look(const struct atomic_file *af, const char *name, struct stat *st)
{
	return fstatat(af->dirfd, name, st, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
}

/* The old file's mode, or a device or FIFO written in place: 1 if af is now open. */
static int check_existing(struct atomic_file *af, const char *name, unsigned flags)
{
	struct stat st;
	int err = look(af, name, &st);

	if (err)
		return err == -ENOENT ? 0 : err;	/* ENAMETOOLONG, EACCES: before any work */
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISREG(st.st_mode))
		af->mode = st.st_mode & 0777;
	if (S_ISREG(st.st_mode))
		return 0;
	/* another user's FIFO or device planted at the path is replaced, never opened */
	if (!S_ISLNK(st.st_mode))
		return ours(&st) && (flags & ATOMIC_DIRECT_OK) ? open_direct(af, name, &st) : 0;
	/*
	 * Never written through.  Another user's link (planted) is replaced;
	 * one root or the caller made (/dev/stdout) is refused, since
	 * replacing it would break it.
	 */
	return ours(&st) ? -ELOOP : 0;
}

int atomic__open(struct atomic_file *af, const char *path, unsigned flags)
{
	const char *name = base_of(path);
	int fd, err;

	*af = (struct atomic_file){ .mode = 0666 & ~umask_now(), .dirfd = -1,
				    .new_only = flags & ATOMIC_NEW };
	if (!*name || strlen(name) > NAME_MAX)
		return *name ? -ENAMETOOLONG : -EISDIR;
	af->dirfd = open_dir(path);
	if (af->dirfd < 0)
		return af->dirfd;
	if (!af->new_only) {
		err = check_existing(af, name, flags);
		if (err)
			goto err_close;	/* > 0: writing to the device itself */
	}
	fd = openat(af->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
		fd = open_named(af);
	else if (fd < 0)
		fd = -errno;
	if (fd < 0) {
		err = fd;
		goto err_close;
	}
	fchmod(fd, af->mode);
	af->f = fdopen(fd, "w");
	if (!af->f) {
		err = -errno;
		close(fd);
		goto err_close;
	}
	af->name = strdup(name);
	if (!af->name) {
		err = -ENOMEM;
		goto err_close;
	}
	return 0;
err_close:
	if (err > 0)
		return 0;
	atomic__abort(af);
	return err;
}

static int flush_once(struct atomic_file *af)
{
	if (af->synced)
		return 0;
	errno = 0;
	if (fflush(af->f) || ferror(af->f) || (!af->direct && fsync(fileno(af->f))))
		return -(errno ? errno : EIO);
	af->synced = true;
	return 0;
}

/* Gives the unnamed file the name name in the directory; EEXIST if anything is there. */
static int link_tmpfile(struct atomic_file *af, const char *name)
{
	char proc[64];

	if (linkat(fileno(af->f), "", af->dirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	/* without CAP_DAC_READ_SEARCH: the same through /proc */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(af->f));
	return linkat(AT_FDCWD, proc, af->dirfd, name, AT_SYMLINK_FOLLOW) ? -errno : 0;
}

/* Replaces name (a file, or a symlink itself) with the unnamed file. */
static int replace_with_tmpfile(struct atomic_file *af, const char *name)
{
	char tmp[32];
	int err = -EEXIST;

	for (int i = 0; i < 100 && err == -EEXIST; i++) {
		snprintf(tmp, sizeof(tmp), ".flametop-%08lx", (unsigned long)arc4random());
		err = link_tmpfile(af, tmp);
	}
	if (!err && renameat(af->dirfd, tmp, af->dirfd, name)) {
		err = -errno;
		unlinkat(af->dirfd, tmp, 0);
	}
	return err;
}

int atomic__publish(struct atomic_file *af, const char *path)
{
	const char *name = base_of(path);
	int err = flush_once(af);

	if (err)
		return err;
	if (af->direct)
		return af->new_only ? -EEXIST : 0;
	if (af->tmp[0]) {
		/* link() fails with EEXIST on any existing name, symlinks included */
		if (af->new_only)
			return linkat(af->dirfd, af->tmp, af->dirfd, name, 0) ? -errno : 0;
		if (renameat(af->dirfd, af->tmp, af->dirfd, name))
			return -errno;
		af->tmp[0] = '\0';
		return 0;
	}
	return af->new_only ? link_tmpfile(af, name) : replace_with_tmpfile(af, name);
}

int atomic__commit(struct atomic_file *af)
{
	int err = atomic__publish(af, af->name ? af->name : "");

	if (af->f && fclose(af->f) && !err)
		err = -errno;
	af->f = NULL;
	atomic__abort(af);
	return err;
}

void atomic__abort(struct atomic_file *af)
{
	if (af->f)
		fclose(af->f);
	if (af->tmp[0] && af->dirfd >= 0)
		unlinkat(af->dirfd, af->tmp, 0);
	if (af->dirfd >= 0)
		close(af->dirfd);
	free(af->name);
	*af = (struct atomic_file){ .dirfd = -1 };
}

int atomic__write_path(const char *path, unsigned flags, int (*write)(FILE *f, void *ctx),
		       void *ctx)
{
	struct atomic_file af = ATOMIC_FILE_INIT;
	int err;

	if (!strcmp(path, "-")) {
		err = write(stdout, ctx);
		if (!err && fflush(stdout))
			err = -errno;
		return err;
	}
	err = atomic__open(&af, path, flags);
	if (err)
		return err;
	err = write(af.f, ctx);
	if (err) {
		atomic__abort(&af);
		return err;
	}
	return atomic__commit(&af);
}
