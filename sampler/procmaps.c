// SPDX-License-Identifier: MIT
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../util/sat.h"
#include "../util/vec.h"
#include "ehframe.h"
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
			(*segs)[n++] = (struct load_seg){ ph.p_offset, ph.p_filesz, ph.p_vaddr,
							  (ph.p_flags & PF_X) != 0 };
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

bool procmaps__next(FILE *maps, char **line, size_t *cap, struct map_entry *e)
{
	ssize_t n;

	while ((n = getline(line, cap, maps)) > 0)
		if (n < PATH_MAX + 128 && procmaps__parse(*line, e))
			return true;
	return false;
}

/* Appends e, its name copied; name_off gets where.  0, 1 when full, or -ENOMEM. */
static int procmaps_push(struct procmaps *m, const struct map_entry *e, size_t **name_off,
			 size_t *off_cap)
{
	size_t len = strlen(e->name) + 1;

	if (m->n == PROCMAPS_MAX_ENTRIES || len > PROCMAPS_MAX_NAMES - m->names_len)
		return 1;
	if (vec_reserve(m->e, m->cap, m->n + 1, 32) ||
	    vec_reserve(*name_off, *off_cap, m->n + 1, 32) ||
	    vec_reserve(m->names, m->names_cap, m->names_len + len, 4096))
		return -ENOMEM;
	memcpy(m->names + m->names_len, e->name, len);
	(*name_off)[m->n] = m->names_len;
	m->names_len += len;
	m->e[m->n++] = *e;
	return 0;
}

int procmaps__read(pid_t pid, struct procmaps *m)
{
	char path[64], *line = NULL;
	size_t lcap = 0, *name_off = NULL, off_cap = 0;
	struct map_entry e;
	int err = 0;
	FILE *f;

	*m = (struct procmaps){ 0 };
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!err && procmaps__next(f, &line, &lcap, &e))
		if (e.perms[2] == 'x')
			err = procmaps_push(m, &e, &name_off, &off_cap);
	fclose(f);
	free(line);
	if (err < 0) {
		procmaps__free(m);
	} else {
		/* the names are where they will stay: point at them */
		for (size_t i = 0; i < m->n; i++)
			m->e[i].name = m->names + name_off[i];
		err = 0;
	}
	free(name_off);
	return err;
}

void procmaps__free(struct procmaps *m)
{
	free(m->e);
	free(m->names);
	*m = (struct procmaps){ 0 };
}

int procmaps__vdso_fd(void)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	struct map_entry e;
	char *line = NULL;
	size_t size = 0, cap = 0;
	FILE *maps = base ? fopen("/proc/self/maps", "re") : NULL;
	int fd;

	while (maps && procmaps__next(maps, &line, &cap, &e))
		if (e.start == base && !strcmp(e.name, "[vdso]"))
			size = (size_t)(e.end - e.start);
	free(line);
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

int procmaps__open_regular(int path_fd, struct stat *st)
{
	char self[64];
	int fd = -1;

	if (path_fd < 0)
		return -1;
	if (fstat(path_fd, st) == 0 && S_ISREG(st->st_mode)) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", path_fd);
		fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	}
	close(path_fd);
	return fd;
}

int procmaps__open_in_root(pid_t pid, const char *path, bool nofollow, struct stat *st)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char proc[64];
	int fd, root;

	snprintf(proc, sizeof(proc), "/proc/%d/root", (int)pid);
	root = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	fd = procmaps__open_regular((int)syscall(SYS_openat2, root, path, &how, sizeof(how)), st);
	close(root);
	return fd;
}

int procmaps__open_mapped(pid_t pid, unsigned long long start, unsigned long long end,
			  const char *path, unsigned maj, unsigned min, unsigned long long ino,
			  bool *same)
{
	char proc[96];
	struct stat st;
	int fd;

	snprintf(proc, sizeof(proc), "/proc/%d/map_files/%llx-%llx", pid, start, end);
	fd = procmaps__open_regular(open(proc, O_PATH | O_CLOEXEC), &st);
	if (fd >= 0) {
		/*
		 * map_files is the mapping itself: only a remap racing us can make
		 * it another file.  The inode tells; the device may not (on btrfs
		 * stat gives the subvolume's, maps the file system's).
		 */
		*same = st.st_ino == ino;
		return fd;
	}
	if (*path != '/')
		return -1;
	fd = procmaps__open_in_root(pid, path, false, &st);
	/* the path may name another file by now: only the mapped one will do */
	if (fd >= 0 && (st.st_ino != ino || st.st_dev != makedev(maj, min))) {
		close(fd);
		return -1;
	}
	*same = fd >= 0;
	return fd;
}

bool procmaps__same_content(int a, int b)
{
	char x[16384], y[16384];
	struct stat sa, sb;
	off_t off = 0;

	if (fstat(a, &sa) || fstat(b, &sb) || sa.st_size != sb.st_size)
		return false;
	while (off < sa.st_size) {
		ssize_t na = pread(a, x, sizeof(x), off), nb = pread(b, y, sizeof(y), off);

		if (na <= 0 || na != nb || memcmp(x, y, (size_t)na))
			return false;
		off += na;
	}
	return true;
}

/* The size a compressed section inflates to, from its header; 0 if unknown. */
static size_t inflated(Elf *elf, int fd, const GElf_Shdr *sh, const char *name)
{
	unsigned char h[24];

	if (pread(fd, h, sizeof(h), (off_t)sh->sh_offset) != (ssize_t)sizeof(h))
		return 0;
	if (!strncmp(name, ".zdebug_", 8))	/* "ZLIB" and the size, big-endian */
		return memcmp(h, "ZLIB", 4) ? 0 : (size_t)be64toh(*(uint64_t *)(void *)(h + 4));
	if (gelf_getclass(elf) == ELFCLASS64)	/* Elf64_Chdr: type, reserved, size */
		return (size_t)*(uint64_t *)(void *)(h + 8);
	return *(uint32_t *)(void *)(h + 4);	/* Elf32_Chdr: type, size */
}

void procmaps__measure(Elf *elf, int fd, struct elf_sizes *sz)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	*sz = (struct elf_sizes){ 0 };
	if (elf_getshdrstrndx(elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;
		GElf_Shdr sh;
		size_t size;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
		    !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		size = sh.sh_size;
		if ((sh.sh_flags & SHF_COMPRESSED) || !strncmp(name, ".zdebug_", 8)) {
			size_t big = inflated(elf, fd, &sh, name);

			size = big > size ? big : size;
		}
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM ||
		    sh.sh_type == SHT_STRTAB || !strcmp(name, ".gnu_debugdata"))
			sz->syms = sat_add(sz->syms, size);
		else if (!strncmp(name, ".debug_", 7) || !strncmp(name, ".zdebug_", 8))
			sz->debug = sat_add(sz->debug, size);
		else if (!strcmp(name, ".eh_frame"))
			sz->eh_frame = sat_add(sz->eh_frame, size);
		sz->debug_frame |= !strcmp(name, ".debug_frame");
		sz->altlink |= !strcmp(name, ".gnu_debugaltlink");
		sz->symtab |= sh.sh_type == SHT_SYMTAB || !strcmp(name, ".gnu_debugdata");
	}
}

size_t procmaps__fde_starts(Elf *elf, uint64_t **starts)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstrndx, n = 0;
	struct eh_fde *fdes;
	Elf_Data *d;

	*starts = NULL;
	if (elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;

		if (gelf_getshdr(scn, &sh) && (name = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    !strcmp(name, ".eh_frame_hdr"))
			break;
	}
	/* read into memory: bounded as .eh_frame is (a sparse file may claim anything) */
	d = scn && sh.sh_size <= EH_INDEX_MAX ? elf_getdata(scn, NULL) : NULL;
	if (d && d->d_buf)
		n = ehframe__parse_index(d->d_buf, d->d_size, sh.sh_addr, &fdes);
	if (!n || !(*starts = malloc(n * sizeof(**starts)))) {
		free(n ? fdes : NULL);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		(*starts)[i] = fdes[i].start;
	free(fdes);
	return n;
}
