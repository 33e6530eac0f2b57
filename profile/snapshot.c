// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdio.h>

#include "folded.h"
#include "snapshot.h"

void snapshot__sanitize(const char *target, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = target; *p && n + 1 < size && n < 64; p++) {
		unsigned char c = (unsigned char)*p;

		out[n++] = isalnum(c) || c == '.' || c == '_' || c == '-' ? (char)c : '_';
	}
	if (!n && size > 4)
		n = (size_t)snprintf(out, size, "view");
	out[n < size ? n : size - 1] = '\0';
}

int snapshot__write(const char *dir, const char *target, const struct calltree *t,
		    uint32_t node, time_t when, char *path, size_t size)
{
	char name[80], stamp[32];
	struct tm tm;
	int err = -EEXIST;

	snapshot__sanitize(target, name, sizeof(name));
	if (!localtime_r(&when, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm))
		return -EINVAL;
	for (int i = 1; i < 100 && err == -EEXIST; i++) {
		int w = i == 1
			? snprintf(path, size, "%s/flametop-%s-%s.folded", dir, name, stamp)
			: snprintf(path, size, "%s/flametop-%s-%s-%d.folded", dir, name, stamp, i);

		if (w < 0 || (size_t)w >= size)
			return -ENAMETOOLONG;
		err = folded__write_path(path, t, node, true);
	}
	return err;
}
