// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "procmaps.h"

bool procmaps__parse(char *line, struct map_entry *e)
{
	int pos = 0;

	line[strcspn(line, "\n")] = '\0';
	if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &e->start, &e->end, e->perms,
		   &e->offset, &e->maj, &e->min, &e->ino, &pos) < 7)
		return false;
	e->name = line + pos;
	return true;
}

int procmaps__vdso_fd(void)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	struct map_entry e;
	char line[4400];
	size_t size = 0;
	FILE *maps = base ? fopen("/proc/self/maps", "re") : NULL;
	int fd;

	while (maps && fgets(line, sizeof(line), maps))
		if (procmaps__parse(line, &e) && e.start == base && !strcmp(e.name, "[vdso]"))
			size = (size_t)(e.end - e.start);
	if (maps)
		fclose(maps);
	if (!size)
		return -1;
	fd = memfd_create("vdso", MFD_CLOEXEC);
	if (fd >= 0 && write(fd, (const void *)base, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	return fd;
}
