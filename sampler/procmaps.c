// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "procmaps.h"

long procmaps__load_segs(Elf *elf, struct load_seg **segs)
{
	size_t nph, i;
	long n = 0;

	*segs = NULL;
	if (elf_getphdrnum(elf, &nph))
		return -EINVAL;
	*segs = calloc(nph ? nph : 1, sizeof(**segs));
	if (!*segs)
		return -ENOMEM;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD)
			(*segs)[n++] = (struct load_seg){ ph.p_offset, ph.p_filesz, ph.p_vaddr };
	}
	return n;
}

bool procmaps__vaddr_of(const struct load_seg *segs, size_t n, uint64_t off, uint64_t *vaddr)
{
	size_t i;

	for (i = 0; i < n; i++)
		/* a segment with no file bytes (all .bss) still owns its first offset */
		if (off >= segs[i].offset && off < segs[i].offset + (segs[i].filesz ? segs[i].filesz : 1)) {
			*vaddr = segs[i].vaddr + (off - segs[i].offset);
			return true;
		}
	return false;
}

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
