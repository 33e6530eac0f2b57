// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "readall.h"
#include "vec.h"

#define READ_ROOM	65536u	/* what one read is given room for, at least */

int read_all_max(int fd, size_t first, size_t max, char **data, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	int err = 0;

	*data = NULL;
	*len = 0;
	for (;;) {
		/* room for a read, and for the '\0'; past max + 1 bytes is too much */
		size_t need = max < SIZE_MAX - READ_ROOM && n + READ_ROOM > max + 2 ? max + 2
										 : n + READ_ROOM;
		ssize_t r;

		if (vec_reserve(buf, cap, need, first > READ_ROOM ? first : 2 * READ_ROOM)) {
			err = -ENOMEM;
			break;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : 0;
			break;
		}
		n += (size_t)r;
		if (n > max) {
			err = -EFBIG;
			break;
		}
	}
	if (err) {
		free(buf);
		return err;
	}
	buf[n] = '\0';
	/* callers keep what they read (kernel symbols): not the doubling's spare half */
	if (cap - n > READ_ROOM) {
		char *fit = realloc(buf, n + 1);

		if (fit)
			buf = fit;
	}
	*data = buf;
	*len = n;
	return 0;
}

int read_all(int fd, size_t first, char **data, size_t *len)
{
	return read_all_max(fd, first, SIZE_MAX, data, len);
}

int open_input(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}
