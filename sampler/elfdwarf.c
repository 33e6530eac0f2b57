// SPDX-License-Identifier: MIT
/*
 * Which file a module's DWARF is in, and the index kept for it
 * (elffile.h's elffile__dwarf_index): the binary itself when it has a
 * .debug_info, else its separate debug file, found as libdwfl is given it
 * (elffile__debug_fd).  The index is kept across runs under
 * that file's identity only when root alone may write it: no one else can
 * then change the bytes behind an identity.
 */
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "dwindex.h"
#include "elffile.h"

/* Bumped when what an index holds changes meaning. */
static const char key_salt[24] = "flametop dwarf index 1";

struct identity {
	char salt[sizeof(key_salt)];
	uint64_t kind;		/* 1: the binary's own DWARF; 2: a separate debug file */
	uint64_t dev, ino, size;
	int64_t mtime[2], ctime[2];
	uint64_t build_id_len;
	unsigned char build_id[64];
};

/* The identity of the file at fd (its DWARF's) into key: false when it cannot be had. */
static bool identity_of(const struct elf_file *f, int fd, uint64_t kind, struct stat *st,
			unsigned char key[FILECACHE_KEY_LEN])
{
	struct identity id;

	if (fstat(fd, st) || !S_ISREG(st->st_mode))
		return false;
	memset(&id, 0, sizeof(id));
	memcpy(id.salt, key_salt, sizeof(id.salt));
	id.kind = kind;
	id.dev = st->st_dev;
	id.ino = st->st_ino;
	id.size = (uint64_t)st->st_size;
	id.mtime[0] = st->st_mtim.tv_sec;
	id.mtime[1] = st->st_mtim.tv_nsec;
	id.ctime[0] = st->st_ctim.tv_sec;
	id.ctime[1] = st->st_ctim.tv_nsec;
	id.build_id_len = f->build_id_len;
	memcpy(id.build_id, f->build_id, f->build_id_len);
	return !filecache__sha256(&id, sizeof(id), key);
}

/*
 * Whether nobody but root can have made the file at fd what it is: owned by
 * root, written by nobody else, and not on a file system a user may mount
 * (udisks and fusermount mount nosuid; FUSE serves whatever its owner says).
 */
static bool root_alone(int fd, const struct stat *st)
{
	struct statvfs vfs;
	struct statfs fs;

	if ((st->st_uid && st->st_uid != geteuid()) || (st->st_mode & 022))
		return false;
	return !fstatvfs(fd, &vfs) && !(vfs.f_flag & ST_NOSUID) && !fstatfs(fd, &fs) &&
	       fs.f_type != FUSE_SUPER_MAGIC;
}

/* A key for the file at fd (its DWARF's) into key, if root alone may have written it. */
static bool key_of(const struct elf_file *f, int fd, uint64_t kind,
		   unsigned char key[FILECACHE_KEY_LEN])
{
	struct stat st;

	return identity_of(f, fd, kind, &st, key) && root_alone(fd, &st);
}

/* Whether elf has DWARF of its own (libdw reads it there, not from a debug file). */
static bool own_dwarf(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && (!strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info")))
			return true;
	}
	return false;
}

/* f's separate debug file, found as libdwfl is given it: a descriptor, or -1. */
static int debug_fd(struct elf_file *f, Elf *elf)
{
	GElf_Word crc = 0;
	const char *link = dwelf_elf_gnu_debuglink(elf, &crc);

	return elffile__debug_fd(f, link, crc);
}

/* The key of f's DWARF file into key; false when there is none to trust. */
static bool dwarf_key(struct elf_file *f, unsigned char key[FILECACHE_KEY_LEN])
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(f->mod, &bias);
	bool ok;
	int fd;

	if (!elf)
		return false;
	if (own_dwarf(elf))
		return key_of(f, f->fd, 1, key);
	if ((fd = debug_fd(f, elf)) < 0)
		return false;
	ok = key_of(f, fd, 2, key);
	close(fd);
	return ok;
}

struct dwarf_index *elffile__dwarf_index(struct elf_files *fs, struct elf_file *f)
{
	unsigned char key[FILECACHE_KEY_LEN];
	bool keyed;

	if (f->dwidx)
		return f->dwidx;
	keyed = fs->dwcache && dwarf_key(f, key);
	f->dwidx = dwindex__new(keyed ? fs->dwcache : NULL, keyed ? key : NULL);
	if (f->dwidx && keyed)
		dwindex__load(f->dwidx);
	return f->dwidx;
}

/*
 * Opens f's DWARF for its index x, apart from libdwfl's module (which reads
 * only its symbols): read with pread into memory of its own, and let go
 * when x has what it needs (dwindex__close_dwarf).
 */
int elffile__open_dwarf(void *ctx, struct dwarf_index *x)
{
	struct elf_file *f = ctx;
	unsigned char key[FILECACHE_KEY_LEN];
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(f->mod, &bias);
	struct elf_sizes sz;
	struct stat st;
	bool own;

	if (!elf || f->no_dwarf || f->changed)
		return -ENOENT;
	own = own_dwarf(elf);
	x->fd = own ? fcntl(f->fd, F_DUPFD_CLOEXEC, 0) : debug_fd(f, elf);
	if (x->fd < 0)
		return -ENOENT;
	/* the file the index's offsets are in (another now: they are not its) */
	if (!identity_of(f, x->fd, own ? 1 : 2, &st, key) ||
	    (x->src_set && memcmp(key, x->src, sizeof(key))))
		return -ESTALE;
	if (!x->src_set && x->spans_built && memcmp(key, x->key, sizeof(key)))
		return -ESTALE;	/* read from the cache under another file's identity */
	memcpy(x->src, key, sizeof(key));
	x->src_set = true;
	if (x->cache && !root_alone(x->fd, &st))
		x->cache = NULL;
	if (!(x->elf = elf_begin(x->fd, ELF_C_READ, NULL)))
		return -EINVAL;
	/* bounded as the binary's own; dwz's altlink would make libdw open a path the file names */
	procmaps__measure(x->elf, x->fd, &sz);
	if (sz.debug > ELFFILE_DEBUG_MAX || sz.altlink)
		return -EFBIG;
	/* all open at once, bounded too: many binaries may name one big debug file */
	if (sz.debug > ELFFILE_DEBUG_BUDGET - f->owner->dwarf_open_bytes) {
		x->wanted = sz.debug;	/* asked for again when there is room (dwindex__retry) */
		return -ENOSPC;
	}
	f->owner->dwarf_open_bytes += sz.debug;
	x->charged = sz.debug;
	x->open_bytes = &f->owner->dwarf_open_bytes;
	x->small = sz.debug <= DWINDEX_WHOLE_MAX;
	x->dw = dwarf_begin_elf(x->elf, DWARF_C_READ, NULL);
	return x->dw ? 0 : -ENOENT;
}
