// SPDX-License-Identifier: MIT
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../util/sat.h"
#include "../util/search.h"
#include "../util/vec.h"
#include "debugfile.h"
#include "dwindex.h"
#include "elffile.h"

/*
 * Files are read into memory, and their section headers say how much: a
 * sparse 28 KB file can claim a 1.5 GB symbol table.  The symbols of one
 * file, those of all files held at once, and one file's debug info (for
 * inlined frames) are bounded; past that a file's frames are [module].
 */
#define SYMS_MAX	(256ul << 20)
#define SYMS_BUDGET	(1ul << 30)
#define DEBUG_MAX	ELFFILE_DEBUG_MAX
#define DEBUG_BUDGET	ELFFILE_DEBUG_BUDGET
/* .eh_frame read to find the starts of functions without a symbol */
#define CFI_MAX		(64ul << 20)
/* Content is compared (for sharing across containers) up to this size, with this many files. */
#define SAME_MAX	(256ul << 20)
#define SAME_TRIES	4

/*
 * libdwfl asks for a module's ELF here: it gets the one we opened with
 * ELF_C_READ (libdwfl's own opening would map the file).  No descriptor is
 * returned: the Elf reads through f->fd, which stays ours.
 */
static int find_elf_handoff(Dwfl_Module *mod, void **userdata, const char *modname,
			    Dwarf_Addr base, char **file_name, Elf **elfp)
{
	struct elf_file *f = *userdata;

	(void)mod;
	(void)modname;
	(void)base;
	if (!f || !f->handoff)
		return -1;
	*elfp = f->handoff;
	f->handoff = NULL;
	if (f->path)
		*file_name = strdup(f->path);
	return -1;
}

/*
 * libdw maps the separate debug file it is given, and its own search opens
 * whatever path a binary's debuglink names (a FIFO, a device, a host file
 * for a container's binary) and may ask debuginfod: ours (debugfile.c)
 * gives only files root alone may write, found safely.
 */
static int find_debuginfo_safe(Dwfl_Module *mod, void **userdata, const char *modname,
			       GElf_Addr base, const char *file_name, const char *debuglink,
			       GElf_Word crc, char **debuginfo_file_name)
{
	struct elf_file *f = *userdata;

	(void)mod;
	(void)modname;
	(void)base;
	(void)file_name;
	(void)debuginfo_file_name;
	return elffile__debug_fd(f, debuglink, crc);
}

int elffile__debug_fd(struct elf_file *f, const char *debuglink, uint32_t crc)
{
	int fd = debugfile__find(f->owner->debuginfo_path, f->build_id, f->build_id_len, f->path,
				 debuglink, crc);

	f->debug_found |= fd >= 0;
	/* none here: the one debuginfod gave, if it did (the caller takes its own descriptor) */
	if (fd < 0 && f->fetched_fd >= 0)
		fd = fcntl(f->fetched_fd, F_DUPFD_CLOEXEC, 0);
	return fd;
}

int elffiles__init(struct elf_files *fs, const char *debuginfo_path)
{
	char why[200];

	*fs = (struct elf_files){ 0 };
	elf_version(EV_CURRENT);
	if (debuginfo_path && !(fs->debuginfo_path = strdup(debuginfo_path)))
		return -ENOMEM;
	fs->cb.find_elf = find_elf_handoff;
	fs->cb.find_debuginfo = find_debuginfo_safe;
	fs->cb.section_address = dwfl_offline_section_address;
	fs->cb.debuginfo_path = fs->debuginfo_path ? &fs->debuginfo_path : NULL;
	/* none (off, or not ours alone): inlined frames are found as before, each run */
	fs->dwcache = filecache__open(NULL, "inline", 0, why, sizeof(why));
	return 0;
}

static void file_free(struct elf_file *f)
{
	if (f->dwfl)
		dwfl_end(f->dwfl);
	if (f->handoff)
		elf_end(f->handoff);
	if (f->fd >= 0)
		close(f->fd);
	if (f->fetched_fd >= 0)
		close(f->fetched_fd);
	free(f->segs);
	free(f->syms);
	free(f->path);
	free(f->modname);
	free(f->anon);
	ehframe__free(&f->eh);
	dwindex__free(f->dwidx);
	free(f);
}

void elffiles__fini(struct elf_files *fs)
{
	struct elf_file *f, *fn;

	for (f = fs->list; f; f = fn) {
		fn = f->next;
		file_free(f);
	}
	filecache__close(fs->dwcache);	/* after the files: their indexes are kept as they go */
	free(fs->alias);
	free(fs->retired_anon);
	free(fs->debuginfo_path);
	*fs = (struct elf_files){ 0 };
}

/* The lowest and highest addresses the PT_LOAD segments span; false if none. */
static bool load_span(Elf *elf, GElf_Addr *lo, GElf_Addr *hi)
{
	size_t nph, i;
	bool any = false;

	if (elf_getphdrnum(elf, &nph))
		return false;
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (!any || ph.p_vaddr < *lo)
			*lo = ph.p_vaddr;
		if (!any || ph.p_vaddr + ph.p_memsz > *hi)
			*hi = ph.p_vaddr + ph.p_memsz;
		any = true;
	}
	return any && *hi > *lo;
}

static bool changed_since_open(const struct elf_file *f)
{
	struct stat st;

	return fstat(f->fd, &st) || st.st_size != f->size ||
	       st.st_mtim.tv_sec != f->mtime.tv_sec || st.st_mtim.tv_nsec != f->mtime.tv_nsec ||
	       st.st_ctim.tv_sec != f->ctime.tv_sec || st.st_ctim.tv_nsec != f->ctime.tv_nsec;
}

/*
 * A libdw module over the Elf read from fd (both now the file's), reported
 * at the file's own addresses; f->bias is what libdwfl makes of that.
 */
/* A libdw module over f's Elf (f->handoff, which libdwfl takes), at the file's own addresses. */
static int module_open(struct elf_files *fs, struct elf_file *f)
{
	void **ud;

	f->dwfl = dwfl_begin(&fs->cb);
	f->mod = f->dwfl ? dwfl_report_module(f->dwfl, f->modname, f->lo, f->hi) : NULL;
	if (!f->mod || !dwfl_module_info(f->mod, &ud, NULL, NULL, NULL, NULL, NULL, NULL))
		return -ENOMEM;
	*ud = f;
	dwfl_report_end(f->dwfl, NULL, NULL);
	return dwfl_module_getelf(f->mod, &f->bias) ? 0 : -EINVAL;	/* takes the handoff */
}

/*
 * A libdw module over the Elf read from fd (both now the file's), reported
 * at the file's own addresses; f->bias is what libdwfl makes of that.
 */
static struct elf_file *file_new(struct elf_files *fs, int fd, Elf *elf, const char *name,
				 const char *path)
{
	struct elf_file *f = calloc(1, sizeof(*f));
	struct elf_sizes sz;
	const void *id;
	struct stat st;
	ssize_t n;
	long nsegs;

	if (!f || fstat(fd, &st) || !load_span(elf, &f->lo, &f->hi) ||
	    (path && !(f->path = strdup(path))) || !(f->modname = strdup(name))) {
		if (f)
			free(f->path);
		free(f);
		elf_end(elf);
		close(fd);
		return NULL;
	}
	f->fd = fd;
	f->fetched_fd = -1;
	f->owner = fs;
	f->handoff = elf;
	f->size = st.st_size;
	procmaps__measure(elf, fd, &sz);
	f->syms_bytes = sz.syms;
	f->debug_bytes = sz.debug;
	f->no_syms = sz.syms > SYMS_MAX;
	f->no_cfi = sz.eh_frame > CFI_MAX;
	f->weight = sat_add(sat_add(sz.syms, sz.debug), sz.eh_frame);
	f->symtab = sz.symtab;
	/* dwz's altlink would make libdw open a path the file names */
	f->no_dwarf = sz.debug > DEBUG_MAX || sz.altlink ||
		      fs->debug_bytes + sz.debug > DEBUG_BUDGET;
	if (!f->no_dwarf)
		fs->debug_bytes += sz.debug;
	f->mtime = st.st_mtim;
	f->ctime = st.st_ctim;
	n = dwelf_elf_gnu_build_id(elf, &id);
	if (n > 0 && (size_t)n <= sizeof(f->build_id)) {
		memcpy(f->build_id, id, (size_t)n);
		f->build_id_len = (size_t)n;
	}
	if (module_open(fs, f))
		goto err;
	elf = dwfl_module_getelf(f->mod, &f->bias);
	nsegs = elf ? procmaps__load_segs(elf, &f->segs) : -EINVAL;
	if (nsegs <= 0)
		goto err;
	f->nsegs = (size_t)nsegs;
	f->next = fs->list;
	fs->list = f;
	fs->n++;
	return f;
err:
	if (!f->no_dwarf)
		fs->debug_bytes -= f->debug_bytes;	/* what it counted of the budget */
	file_free(f);
	return NULL;
}

bool elffile__wants_debuginfo(const struct elf_file *f)
{
	return f->syms_built && f->build_id_len && !f->symtab && !f->debug_found &&
	       f->fetched_fd < 0 && !f->changed && !f->no_syms;
}

/*
 * What the debug file at fd would have read into memory (its symbols, its
 * debug info), under the same bounds as the binary's own; false when over.
 */
static bool debuginfo_within_bounds(struct elf_files *fs, struct elf_file *f, int fd)
{
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	struct elf_sizes sz;

	if (!elf)
		return false;
	procmaps__measure(elf, fd, &sz);
	elf_end(elf);
	if (sz.syms > SYMS_MAX || sz.altlink)
		return false;
	if (!f->no_dwarf)
		fs->debug_bytes -= f->debug_bytes;
	f->syms_bytes = sz.syms;
	f->debug_bytes = sz.debug;
	f->no_dwarf = sz.debug > DEBUG_MAX || fs->debug_bytes + sz.debug > DEBUG_BUDGET;
	if (!f->no_dwarf)
		fs->debug_bytes += sz.debug;
	return true;
}

int elffile__add_debuginfo(struct elf_files *fs, struct elf_file *f, int fd)
{
	Dwfl *old = f->dwfl;
	Dwfl_Module *old_mod = f->mod;
	GElf_Addr old_bias = f->bias;
	size_t old_syms = f->syms_bytes;
	Elf *elf;

	if (!debuginfo_within_bounds(fs, f, fd) || !(elf = elf_begin(f->fd, ELF_C_READ, NULL)))
		return -EINVAL;
	f->fetched_fd = fd;
	f->handoff = elf;
	if (module_open(fs, f)) {
		if (f->dwfl)
			dwfl_end(f->dwfl);
		if (f->handoff)
			elf_end(f->handoff);
		f->handoff = NULL;
		f->fetched_fd = -1;	/* fd stays the caller's */
		f->dwfl = old;
		f->mod = old_mod;
		f->bias = old_bias;
		return -EINVAL;
	}
	dwfl_end(old);	/* the old symbols' names with it: read them again */
	/* and its DWARF's scopes: a new Dwarf may even get the old one's address */
	dwindex__free(f->dwidx);
	f->dwidx = NULL;
	if (f->syms_built && !f->no_syms)
		fs->syms_bytes -= old_syms;
	free(f->syms);
	f->syms = NULL;
	f->nsyms = 0;
	f->syms_built = false;
	return 0;
}

/* An open file whose bytes are those of a file already known by its build-id. */
static struct elf_file *same_file(struct elf_files *fs, int fd, Elf *elf)
{
	const void *id;
	ssize_t n = dwelf_elf_gnu_build_id(elf, &id);

	struct stat st;
	int tries = 0;

	if (n <= 0 || fstat(fd, &st) || (unsigned long long)st.st_size > SAME_MAX)
		return NULL;
	for (struct elf_file *f = fs->list; f && tries < SAME_TRIES; f = f->next) {
		if (f->build_id_len != (size_t)n || memcmp(f->build_id, id, (size_t)n) ||
		    f->changed || f->size != st.st_size)
			continue;
		tries++;
		if (procmaps__same_content(f->fd, fd))
			return f;
	}
	return NULL;
}

/* Remembered so that the next process mapping it needs no comparison; best effort. */
static void add_alias(struct elf_files *fs, dev_t dev, ino_t ino, struct elf_file *f)
{
	if (vec_reserve(fs->alias, fs->alias_cap, fs->nalias + 1, 16))
		return;
	fs->alias[fs->nalias++] = (struct elf_alias){ dev, ino, f };
}

static void drop_aliases(struct elf_files *fs, const struct elf_file *f)
{
	size_t k = 0;

	for (size_t i = 0; i < fs->nalias; i++)
		if (fs->alias[i].f != f)
			fs->alias[k++] = fs->alias[i];
	fs->nalias = k;
}

/* Whether pid sees the file system as we do: then its paths are ours too. */
static bool same_root(pid_t pid)
{
	struct stat a, b;
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/%d/root", pid);
	return stat(proc, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

struct elf_file *elffiles__open(struct elf_files *fs, pid_t pid, const struct map_entry *e)
{
	dev_t dev = makedev(e->maj, e->min);
	const char *base = strrchr(e->name, '/');
	struct elf_file *f;
	bool same = false;
	Elf *elf;
	int fd;

	for (f = fs->list; f; f = f->next)
		if (f->shared && f->dev == dev && f->ino == (ino_t)e->ino)
			return f;
	for (size_t i = 0; i < fs->nalias; i++)
		if (fs->alias[i].dev == dev && fs->alias[i].ino == (ino_t)e->ino)
			return fs->alias[i].f;
	fd = procmaps__open_mapped(pid, e->start, e->end, e->name, e->maj, e->min, e->ino, &same);
	if (fd < 0)
		return NULL;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		close(fd);
		return NULL;
	}
	/* the same bytes in another container: share them */
	f = same_file(fs, fd, elf);
	if (f) {
		elf_end(elf);
		close(fd);
		if (same)
			add_alias(fs, dev, (ino_t)e->ino, f);
		return f;
	}
	f = file_new(fs, fd, elf, base ? base + 1 : e->name, same_root(pid) ? e->name : NULL);
	if (f) {
		f->dev = dev;
		f->ino = (ino_t)e->ino;
		f->shared = same;
	}
	return f;
}

struct elf_file *elffiles__vdso(struct elf_files *fs)
{
	Elf *elf;
	int fd;

	if (fs->vdso_tried)
		return fs->vdso;
	fs->vdso_tried = true;
	fd = procmaps__vdso_fd();
	if (fd < 0)
		return NULL;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		close(fd);
		return NULL;
	}
	fs->vdso = file_new(fs, fd, elf, "[vdso]", NULL);
	if (fs->vdso)
		fs->vdso->refs++;	/* pinned */
	return fs->vdso;
}

/*
 * A trimmed file's start names stay known as given: another build's rename
 * must not take them (symfuncs.c).  Without memory, its names are kept
 * from renames by keeping the file.
 */
static bool retire_anon(struct elf_files *fs, const struct elf_file *f)
{
	if (vec_reserve(fs->retired_anon, fs->retired_cap, fs->nretired + f->nanon, 256))
		return false;
	for (size_t i = 0; i < f->nanon; i++)
		fs->retired_anon[fs->nretired++] = f->anon[i].id;
	return true;
}

bool elffiles__trim(struct elf_files *fs, size_t keep, size_t keep_bytes)
{
	struct elf_file **fp;
	size_t idle = 0, idle_bytes = 0;
	bool freed = false;

	for (fp = &fs->list; *fp;) {
		struct elf_file *f = *fp;

		if (!f->refs && (++idle > keep || (idle_bytes += f->weight) > keep_bytes) &&
		    retire_anon(fs, f)) {
			*fp = f->next;
			drop_aliases(fs, f);
			if (f->syms_built && !f->no_syms)
				fs->syms_bytes -= f->syms_bytes;
			if (!f->no_dwarf)
				fs->debug_bytes -= f->debug_bytes;
			file_free(f);
			fs->n--;
			freed = true;
			continue;
		}
		fp = &f->next;
	}
	return freed;
}

static int fsym_cmp(const void *pa, const void *pb)
{
	const struct fsym *a = pa, *b = pb;

	if (a->start != b->start)
		return (a->start > b->start) - (a->start < b->start);
	if (a->rank != b->rank)
		return (a->rank > b->rank) - (a->rank < b->rank);
	return (b->end > b->start) - (a->end > a->start);	/* sized first */
}

/* One pass over the module's symbols into an index sorted by address. */
static void build_syms(struct elf_files *fs, struct elf_file *f)
{
	size_t kept = 0;
	int n;

	f->syms_built = true;
	if (f->no_syms || fs->syms_bytes + f->syms_bytes > SYMS_BUDGET) {
		f->no_syms = true;
		fs->refused++;
		return;
	}
	fs->syms_bytes += f->syms_bytes;
	n = dwfl_module_getsymtab(f->mod);
	if (n <= 1 || !(f->syms = malloc((size_t)n * sizeof(*f->syms))))
		goto check;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(f->mod, i, &sym, &addr, NULL, NULL, NULL);
		int type = GELF_ST_TYPE(sym.st_info), bind = GELF_ST_BIND(sym.st_info);

		if (!name || !*name || sym.st_shndx == SHN_UNDEF ||
		    (type != STT_FUNC && type != STT_GNU_IFUNC && type != STT_NOTYPE))
			continue;
		f->syms[kept++] = (struct fsym){ addr, addr + sym.st_size, name,
						 bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2 };
	}
	qsort(f->syms, kept, sizeof(*f->syms), fsym_cmp);
	/* one symbol per address: the best of each run of equal starts */
	f->nsyms = 0;
	for (size_t i = 0; i < kept; i++)
		if (!f->nsyms || f->syms[f->nsyms - 1].start != f->syms[i].start)
			f->syms[f->nsyms++] = f->syms[i];
check:
	/* what was read of a file that changed meanwhile may be anything */
	if (changed_since_open(f)) {
		f->changed = true;
		f->nsyms = 0;
		fs->changed++;
	}
}

const struct fsym *elffile__symbol(struct elf_files *fs, struct elf_file *f, GElf_Addr addr)
{
	size_t lo;
	const struct fsym *sym;

	if (!f->syms_built)
		build_syms(fs, f);
	lo = upper_bound_by(f->syms, f->nsyms, start, addr);
	if (!lo)
		return NULL;
	sym = &f->syms[lo - 1];
	return sym->end == sym->start || addr < sym->end ? sym : NULL;
}

bool elffile__function_start(struct elf_file *f, GElf_Addr vaddr, GElf_Addr *start)
{
	uint64_t lo, hi;

	if (f->no_cfi || f->changed)
		return false;
	/* within the last function found: the same function */
	if (f->row_hi && f->row_lo <= vaddr && vaddr < f->row_hi) {
		*start = f->row_lo;
		return true;
	}
	if (!f->eh_read) {
		GElf_Addr bias;
		Elf *elf = dwfl_module_getelf(f->mod, &bias);

		f->eh_read = true;
		f->eh_ok = elf && ehframe__open(&f->eh, elf, f->fd);
	}
	/* an FDE covers vaddr (not the code between, a JIT's builtins): its function's start */
	if (!f->eh_ok || !ehframe__range(&f->eh, vaddr, &lo, &hi))
		return false;
	/* read now, from a file that may have changed since: then it may be anything */
	if (changed_since_open(f)) {
		f->changed = true;
		return false;
	}
	f->row_lo = lo;
	f->row_hi = hi;
	*start = lo;
	return true;
}
