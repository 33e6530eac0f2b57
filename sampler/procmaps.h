/* SPDX-License-Identifier: MIT */
/* What the symbolizer and the unwinder both read of a process's memory map. */
#ifndef FLAMETOP_PROCMAPS_H
#define FLAMETOP_PROCMAPS_H

#include <stdbool.h>

struct map_entry {
	unsigned long long start, end, offset, ino;
	unsigned int maj, min;
	char perms[8];
	const char *name;	/* points into the line: a path, "[vdso]", or "" */
};

/* Parses one line of /proc/PID/maps (its newline is cut); false if it is not one. */
bool procmaps__parse(char *line, struct map_entry *e);
/* A memfd holding our vDSO image, which every process of this kernel maps; -1 if none. */
int procmaps__vdso_fd(void);

#endif
