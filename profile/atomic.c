// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

static mode_t umask_now(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

/* The directory part of path, "." when it has none; malloc'ed. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/*
 * A device or FIFO the user named: opened without following a link, and
 * given up if it turned into a regular file meanwhile.  1 when af is open,
 * 0 when path should get a new file after all, or -errno.
 */
static int open_direct(struct atomic_file *af, const char *path)
{
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return errno == ELOOP ? 0 : -errno;
	if (fstat(fd, &st) || S_ISREG(st.st_mode)) {
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

/* A named temporary beside path, for file systems without O_TMPFILE. */
static int open_named(struct atomic_file *af, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	int fd;

	af->tmp = malloc(strlen(path) + 16);
	if (!af->tmp)
		return -ENOMEM;
	sprintf(af->tmp, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	fd = mkostemp(af->tmp, O_CLOEXEC);
	if (fd < 0) {
		free(af->tmp);
		af->tmp = NULL;
		return -errno;
	}
	return fd;
}

int atomic__open(struct atomic_file *af, const char *path, unsigned flags)
{
	char *dir = NULL;
	struct stat st;
	int fd, err;

	*af = (struct atomic_file){ .mode = 0666 & ~umask_now(), .new_only = flags & ATOMIC_NEW };
	if (!af->new_only && lstat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return -EISDIR;
		if (S_ISREG(st.st_mode))
			af->mode = st.st_mode & 0777;
		if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode) && (flags & ATOMIC_DIRECT_OK)) {
			err = open_direct(af, path);
			if (err)
				return err < 0 ? err : 0;
		}
	}
	af->path = strdup(path);
	dir = dir_of(path);
	if (!af->path || !dir) {
		err = -ENOMEM;
		goto err_free;
	}
	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
		fd = open_named(af, path);
	else if (fd < 0)
		fd = -errno;
	if (fd < 0) {
		err = fd;
		goto err_free;
	}
	fchmod(fd, af->mode);
	af->f = fdopen(fd, "w");
	if (!af->f) {
		err = -errno;
		close(fd);
		goto err_free;
	}
	free(dir);
	return 0;
err_free:
	if (af->tmp)
		unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	free(dir);
	*af = (struct atomic_file){ 0 };
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

/* Gives the unnamed file the name path; EEXIST if anything is there. */
static int link_tmpfile(struct atomic_file *af, const char *path)
{
	char proc[64];

	if (linkat(fileno(af->f), "", AT_FDCWD, path, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	/* without CAP_DAC_READ_SEARCH: the same through /proc */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(af->f));
	return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) ? -errno : 0;
}

/* Replaces path (a file or a symlink itself) with the unnamed file. */
static int replace_with_tmpfile(struct atomic_file *af, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	char *tmp = malloc(strlen(path) + 24);
	int err = -EEXIST;

	if (!tmp)
		return -ENOMEM;
	for (int i = 0; i < 100 && err == -EEXIST; i++) {
		sprintf(tmp, "%.*s.%s.%08lx", (int)dirlen, path, path + dirlen,
			(unsigned long)arc4random());
		err = link_tmpfile(af, tmp);
	}
	if (!err && rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
	}
	free(tmp);
	return err;
}

int atomic__publish(struct atomic_file *af, const char *path)
{
	bool no_clobber = af->new_only;
	int err = flush_once(af);

	if (err)
		return err;
	if (af->direct)
		return no_clobber ? -EEXIST : 0;
	if (af->tmp) {
		/* link() fails with EEXIST on any existing name, symlinks included */
		if (no_clobber)
			return link(af->tmp, path) ? -errno : 0;
		if (rename(af->tmp, path))
			return -errno;
		free(af->tmp);
		af->tmp = NULL;
		return 0;
	}
	return no_clobber ? link_tmpfile(af, path) : replace_with_tmpfile(af, path);
}

int atomic__commit(struct atomic_file *af)
{
	int err = atomic__publish(af, af->path);

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
	if (af->tmp)
		unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	*af = (struct atomic_file){ 0 };
}
