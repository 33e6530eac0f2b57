/* SPDX-License-Identifier: MIT */
/*
 * What the symbolizer and the unwinder both read of a process's memory map,
 * and how a mapped file's offsets become its ELF addresses.
 */
#ifndef FLAMETOP_PROCMAPS_H
#define FLAMETOP_PROCMAPS_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

struct map_entry {
	unsigned long long start, end, offset, ino;
	unsigned int maj, min;
	char perms[8];
	const char *name;	/* points into the line: a path, "[vdso]", or "" */
};

/* Parses one line of /proc/PID/maps (its newline is cut); false if it is not one. */
bool procmaps__parse(char *line, struct map_entry *e);
/*
 * The next entry of an open maps file, read as a whole line into *line
 * (getline's buffer; free it after).  A path may be longer than any fixed
 * buffer, and a cut line's tail would read as a line the process forged:
 * lines are never cut, and one too long for a path is skipped.  false at
 * the end.
 */
bool procmaps__next(FILE *maps, char **line, size_t *cap, struct map_entry *e);

/*
 * A process's executable mappings, read once when it is noticed and handed
 * to both the symbolizer and the unwinder.  The names are copies.
 */
struct procmaps {
	struct map_entry *e;	/* in address order; each name points into names */
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
};

/* More than the kernel's default vm.max_map_count; what lies past is left out. */
#define PROCMAPS_MAX_ENTRIES	65536
#define PROCMAPS_MAX_NAMES	(16ul << 20)	/* bytes of names */

/*
 * Reads the executable mappings of /proc/PID/maps into *m, by
 * procmaps__next (whole lines; one too long for a path skipped), at most
 * PROCMAPS_MAX_ENTRIES of them and PROCMAPS_MAX_NAMES bytes of names.
 * 0 or -errno, *m then empty.  Free with procmaps__free().
 */
int procmaps__read(pid_t pid, struct procmaps *m);
void procmaps__free(struct procmaps *m);

/* A PT_LOAD segment: file bytes [offset, offset + filesz) sit at ELF address vaddr. */
struct load_seg {
	uint64_t offset, filesz, vaddr;
	bool exec;
};

/* The PT_LOAD segments of elf into *segs (malloc'ed); how many, or -errno. */
long procmaps__load_segs(Elf *elf, struct load_seg **segs);
/* The ELF address of file offset off; false when no segment holds it. */
bool procmaps__vaddr_of(const struct load_seg *segs, size_t n, uint64_t off, uint64_t *vaddr);

/*
 * Opens the file a process maps at [start, end), as that process sees it:
 * its /proc/PID/map_files entry, or after a racing unmap the path resolved
 * strictly inside the process's root (openat2 RESOLVE_IN_ROOT), never on
 * the host, and only if it is still the file the maps line names (device
 * and inode).  Nothing but a regular file is ever opened for reading.
 * -1 when none is.  *same tells whether the file opened is the one the
 * maps line named: only such a file may be shared with other processes.
 */
int procmaps__open_mapped(pid_t pid, unsigned long long start, unsigned long long end,
			  const char *path, unsigned maj, unsigned min, unsigned long long ino,
			  bool *same);
/*
 * A regular file at path as process pid sees it, resolved strictly inside
 * its root (openat2 RESOLVE_IN_ROOT, no magic links; with nofollow, not a
 * symlink at its end either), opened for reading; -1 if none is.
 */
int procmaps__open_in_root(pid_t pid, const char *path, bool nofollow, struct stat *st);
/* Whether two open files hold the same bytes (compared in full, by pread). */
bool procmaps__same_content(int a, int b);
/*
 * A regular file, open for reading, from a descriptor opened O_PATH (which
 * is closed; -1 passes through): opening O_PATH first means a device or
 * FIFO is never opened for I/O.  -1 when it is not a regular file.
 */
int procmaps__open_regular(int path_fd, struct stat *st);

/*
 * What reading an ELF file's sections would hold in memory (files are read,
 * not mapped), from its section headers: compressed sections count at the
 * size they inflate to (read from their headers with pread on fd).
 */
struct elf_sizes {
	size_t syms;		/* symbol and string tables, .gnu_debugdata */
	size_t debug;		/* .debug_* and .zdebug_* */
	size_t eh_frame;	/* .eh_frame */
	bool debug_frame;	/* has a .debug_frame */
	bool altlink;		/* has a .gnu_debugaltlink (dwz): a path libdw would open */
	bool symtab;		/* has a .symtab */
};
void procmaps__measure(Elf *elf, int fd, struct elf_sizes *sz);

/*
 * The start of every FDE (one per function, as compilers write them), from
 * .eh_frame_hdr's binary search table, sorted; how many (0 when there is
 * none of the usual encoding).  *starts is malloc'ed.  The file is
 * anybody's: every read is bounded by the section.
 */
size_t procmaps__fde_starts(Elf *elf, uint64_t **starts);

/* A memfd holding our vDSO image, which every process of this kernel maps; -1 if none. */
int procmaps__vdso_fd(void);

#endif
