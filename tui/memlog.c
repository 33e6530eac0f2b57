// SPDX-License-Identifier: MIT
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <unistd.h>

#include "memlog.h"

static double mb(double bytes)
{
	return bytes / 1048576;
}

void memlog__write(const char *path, const struct memlog_line *m)
{
	long pages = 0, rss = 0;
	struct mallinfo2 mi = mallinfo2();
	int fd;
	FILE *f = fopen("/proc/self/statm", "re");

	if (f && fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	if (f)
		fclose(f);
	/* appended to, never through a symlink another user planted */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "a"))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	fprintf(f, "t=%lld rss=%.1fMB history=%.1fMB shown=%.1fMB names=%.1fMB processes=%lu "
		"files=%lu (symbols %.1fMB, debug %.1fMB) malloc: used %.1fMB, free %.1fMB, "
		"mapped %.1fMB; names %u, temporary %u\n", (long long)m->sec,
		mb((double)rss * (double)sysconf(_SC_PAGESIZE)), mb((double)m->history),
		mb((double)m->shown), mb((double)m->names), m->sym.processes, m->sym.files,
		mb((double)m->sym.syms_bytes), mb((double)m->sym.debug_bytes),
		mb((double)mi.uordblks), mb((double)mi.fordblks), mb((double)mi.hblkhd),
		m->name_ids, m->name_temps);
	fclose(f);
}
