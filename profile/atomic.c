// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

int atomic__open(struct atomic_file *af, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
	struct stat st;
	int fd, err;

	*af = (struct atomic_file){ 0 };
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		/* /dev/null, a FIFO, a terminal: written to, never replaced */
		af->f = fopen(path, "we");
		if (!af->f)
			return -errno;
		af->direct = true;
		return 0;
	}
	af->path = strdup(path);
	af->tmp = malloc(strlen(path) + 16);
	if (!af->path || !af->tmp) {
		err = -ENOMEM;
		goto err_free;
	}
	sprintf(af->tmp, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
	fd = mkostemp(af->tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto err_free;
	}
	fchmod(fd, 0644);
	af->f = fdopen(fd, "w");
	if (!af->f) {
		err = -errno;
		close(fd);
		unlink(af->tmp);
		goto err_free;
	}
	return 0;
err_free:
	free(af->path);
	free(af->tmp);
	*af = (struct atomic_file){ 0 };
	return err;
}

int atomic__commit(struct atomic_file *af, bool no_clobber)
{
	int err = 0;

	if (af->direct) {
		if (fflush(af->f) || ferror(af->f))
			err = -(errno ? errno : EIO);
		if (fclose(af->f) && !err)
			err = -errno;
		*af = (struct atomic_file){ 0 };
		return err ? err : no_clobber ? -EEXIST : 0;
	}
	if (fflush(af->f) || ferror(af->f) || fsync(fileno(af->f)))
		err = -(errno ? errno : EIO);
	if (fclose(af->f) && !err)
		err = -errno;
	af->f = NULL;
	if (!err && no_clobber) {
		/* link() fails with EEXIST on any existing name, symlinks included */
		if (link(af->tmp, af->path))
			err = -errno;
	} else if (!err && rename(af->tmp, af->path)) {
		err = -errno;
	}
	if (err || no_clobber)
		unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	af->tmp = af->path = NULL;
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
