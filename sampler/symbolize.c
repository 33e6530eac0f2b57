// SPDX-License-Identifier: MIT
#include <dwarf.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libiberty/demangle.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "../util/vec.h"
#include "dwarfinfo.h"
#include "elffile.h"
#include "fetcher.h"
#include "jitmap.h"
#include "procmaps.h"
#include "../profile/textsafe.h"
#include "symbolize.h"


#define MAX_PROCS	4096
#define MAX_IDLE_FILES	128
#define PROC_IDLE_TICKS	60
#define CACHE_BITS	16
#define PROC_BUCKETS	1024	/* processes hashed by (pid, ptag) */
#define KRELOAD_MIN_NS	10000000000ull		/* 10 s */
#define KRELOAD_MAX_NS	640000000000ull		/* 10 min 40 s: 10 s doubled six times */

struct mapping {
	uint64_t start, end, offset;
	struct elf_file *file;	/* NULL when not an ELF file we could open */
	uint32_t unknown;	/* strtab id of "[basename]" */
};

struct proc {
	pid_t pid;
	uint64_t ptag;
	struct mapping *maps;
	size_t nmaps;
	struct jitmap *jit;	/* its /tmp/perf-PID.map, once code outside files was seen */
	unsigned long last_used;
	struct proc *next;
};

#define ANON_MAX 1000000	/* names of functions without a symbol kept per file */
#define MAX_INLINED 6	/* inlined frames kept per address, the innermost first dropped */

struct cache_slot {
	const struct elf_file *file;
	uint64_t vaddr;
	uint32_t id;
	uint32_t ninlined;
	uint32_t inlined[MAX_INLINED];	/* "name_[i]", outermost first */
};

struct symbolizer {
	struct strtab *names;
	bool no_inline, lines;
	struct where *where;	/* function name id -> where it is declared (open addressing) */
	uint32_t nwhere, where_cap;	/* where_cap: a power of two, or 0 */
	bool (*current)(void *ctx, pid_t pid, uint64_t ptag);
	void *current_ctx;
	struct elf_files files;
	struct fetcher *fetcher;	/* NULL: no debuginfod */
	unsigned long renamed;
	struct ksyms k;		/* the kernel's symbols */
	uint32_t *kids;		/* strtab id + 1 of each one's "name_[k]"; 0: not yet */
	int (*kreload)(void *ctx, struct ksyms *out);
	void *kreload_ctx;
	uint64_t kloaded_ns;
	uint64_t kreload_wait_ns;	/* KRELOAD_MIN_NS .. KRELOAD_MAX_NS */
	uint32_t kunknown, uunknown;
	struct proc *procs[PROC_BUCKETS];
	size_t nprocs;
	unsigned long tick;
	struct cache_slot cache[1u << CACHE_BITS];
};

/* What c becomes in a folded frame, or 0 when it may stay. */
static char frame_char(unsigned char c, bool comm)
{
	return c == ';' ? ':' : c < 0x20 || c == 0x7f ? '?' : comm && c == ' ' ? '_' : 0;
}

size_t symbolizer__clean_frame(char *str, size_t len, bool comm)
{
	const unsigned char *p = (const unsigned char *)str, *end = p + len;
	size_t changed = 0;

	while (p < end) {
		const unsigned char *at = p;
		uint32_t cp = textsafe__next_cp(&p, end);
		char to = p - at == 1 ? frame_char(*at, comm) : 0;

		/*
		 * C1 controls (U+0080..U+009F, the 8-bit CSI among them) and bytes
		 * of no valid UTF-8 sequence become '?', as the 7-bit controls do
		 */
		if ((cp >= 0x80 && cp <= 0x9f) || (cp == 0xfffd && p - at == 1 && *at >= 0x80)) {
			memset(str + (at - (const unsigned char *)str), '?', (size_t)(p - at));
			changed++;
		} else if (to) {
			str[at - (const unsigned char *)str] = to;
			changed++;
		}
	}
	/* a line starting with '#' is a comment to folded readers: a root never does */
	if (comm && len && str[0] == '#') {
		str[0] = '_';
		changed++;
	}
	return changed;
}

/*
 * Names are the file's or the demangler's, and files are anybody's: a ';'
 * or a line break in one would split or forge a folded line.
 */
static uint32_t intern(struct symbolizer *s, const char *str, size_t len)
{
	char small[512], *buf = NULL;
	uint32_t id;
	size_t i;
	int err;

	for (i = 0; i < len && !frame_char((unsigned char)str[i], false); i++)
		;
	if (i < len) {
		buf = len < sizeof(small) ? small : malloc(len);
		if (!buf)
			return s->uunknown;
		memcpy(buf, str, len);
		symbolizer__clean_frame(buf, len, false);
		str = buf;
	}
	err = strtab__intern(s->names, str, len, &id);
	if (buf && buf != small)
		free(buf);
	return err ? s->uunknown : id;
}

static uint32_t intern_fmt(struct symbolizer *s, const char *pre, const char *str,
			   size_t len, const char *post)
{
	size_t lp = strlen(pre), lq = strlen(post);
	char small[512], *buf = lp + len + lq < sizeof(small) ? small : malloc(lp + len + lq + 1);
	uint32_t id;

	if (!buf)
		return s->uunknown;
	memcpy(buf, pre, lp);
	memcpy(buf + lp, str, len);
	memcpy(buf + lp + len, post, lq);
	id = intern(s, buf, lp + len + lq);
	if (buf != small)
		free(buf);
	return id;
}

/* --- where functions are declared ------------------------------------------ */

struct where {
	uint32_t name;		/* + 1; 0: an empty slot */
	uint32_t file, line;
};

#define WHERE_MAX (1u << 20)

static struct where *where_slot(const struct symbolizer *s, uint32_t id)
{
	uint32_t mask = s->where_cap - 1, i = (uint32_t)((id * 0x9e3779b97f4a7c15ull) >> 40) & mask;

	while (s->where[i].name && s->where[i].name != id + 1)
		i = (i + 1) & mask;
	return &s->where[i];
}

static const struct where *where_find(const struct symbolizer *s, uint32_t id)
{
	const struct where *w = s->where_cap ? where_slot(s, id) : NULL;

	return w && w->name ? w : NULL;
}

static void where_add(struct symbolizer *s, uint32_t id, uint32_t file, uint32_t line)
{
	if (s->nwhere >= WHERE_MAX)
		return;
	if (2 * (s->nwhere + 1) > s->where_cap) {	/* half full at most: grow */
		uint32_t cap = s->where_cap ? 2 * s->where_cap : 1024;
		struct where *old = s->where, *w = calloc(cap, sizeof(*w));
		uint32_t old_cap = s->where_cap;

		if (!w)
			return;
		s->where = w;
		s->where_cap = cap;
		for (uint32_t i = 0; i < old_cap; i++)
			if (old[i].name)
				*where_slot(s, old[i].name - 1) = old[i];
		free(old);
	}
	*where_slot(s, id) = (struct where){ id + 1, file, line };
	s->nwhere++;
}

bool symbolizer__where(const struct symbolizer *s, uint32_t name, const char **file,
		       uint32_t *line)
{
	const struct where *w = where_find(s, strtab__canon(s->names, name));

	if (!w)
		return false;
	*file = strtab__str(s->names, w->file);
	*line = w->line;
	return true;
}

struct symbolizer *symbolizer__new(struct strtab *names, const struct symbolizer_opts *o)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->names = names;
	s->no_inline = o && o->no_inline;
	s->lines = o && o->lines;
	s->current = o ? o->current : NULL;
	s->current_ctx = o ? o->current_ctx : NULL;
	if (o && o->debuginfod)
		s->fetcher = fetcher__new();	/* NULL without DEBUGINFOD_URLS */
	if (elffiles__init(&s->files, o ? o->debuginfo_path : NULL)) {
		free(s);
		return NULL;
	}
	s->kreload_wait_ns = KRELOAD_MIN_NS;
	if (strtab__intern(names, "[unknown]_[k]", 13, &s->kunknown) ||
	    strtab__intern(names, "[unknown]", 9, &s->uunknown)) {
		symbolizer__free(s);
		return NULL;
	}
	return s;
}

static void proc_free(struct proc *p)
{
	size_t i;

	for (i = 0; i < p->nmaps; i++)
		if (p->maps[i].file)
			p->maps[i].file->refs--;
	free(p->maps);
	jitmap__free(p->jit);
	free(p);
}

void symbolizer__free(struct symbolizer *s)
{
	struct proc *p, *pn;
	size_t b;

	if (!s)
		return;
	for (b = 0; b < PROC_BUCKETS; b++)
		for (p = s->procs[b]; p; p = pn) {
			pn = p->next;
			proc_free(p);
		}
	fetcher__free(s->fetcher);	/* before the files: it may still be fetching */
	free(s->where);
	elffiles__fini(&s->files);
	ksyms__free(&s->k);
	free(s->kids);
	free(s);
}

/* --- kernel ------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int symbolizer__set_kernel(struct symbolizer *s, struct ksyms *k,
			   int (*reload)(void *ctx, struct ksyms *out), void *ctx)
{
	uint32_t *ids = calloc(k->n ? k->n : 1, sizeof(*ids));

	if (!ids) {
		ksyms__free(k);
		return -ENOMEM;
	}
	ksyms__free(&s->k);
	free(s->kids);
	s->k = *k;
	memset(k, 0, sizeof(*k));
	s->kids = ids;
	s->kreload = reload;
	s->kreload_ctx = ctx;
	s->kloaded_ns = now_ns();
	return 0;
}

/* the start of the symbol holding addr, 0 if none */
static uint64_t kernel_sym_start(const struct ksyms *k, uint64_t addr)
{
	size_t i = ksyms__find(k, addr);

	return i ? k->addr[i - 1] : 0;
}

/*
 * An address outside the kernel's and the modules' text (a BPF program, an
 * ftrace trampoline) may be newer than the table: read a fresh one at once
 * if the table came from the cache, else at most every kreload_wait_ns —
 * which doubles, up to 10 minutes, each time a fresh table names the
 * address as the old one did (a BPF program sampled again and again).
 */
static void maybe_reload_kernel(struct symbolizer *s, uint64_t addr)
{
	uint64_t before, after;
	struct ksyms fresh;

	if (!s->kreload || ksyms__covers(&s->k, addr))
		return;
	if (!s->k.cached && now_ns() - s->kloaded_ns < s->kreload_wait_ns)
		return;
	before = kernel_sym_start(&s->k, addr);
	if (s->kreload(s->kreload_ctx, &fresh) || symbolizer__set_kernel(s, &fresh, s->kreload,
									  s->kreload_ctx)) {
		s->kloaded_ns = now_ns();	/* keep the old table; try again later */
		return;
	}
	after = kernel_sym_start(&s->k, addr);
	if (after == before && s->kreload_wait_ns < KRELOAD_MAX_NS)
		s->kreload_wait_ns *= 2;
	else if (after != before)
		s->kreload_wait_ns = KRELOAD_MIN_NS;
}

uint32_t symbolizer__kernel(struct symbolizer *s, uint64_t addr)
{
	size_t i;

	maybe_reload_kernel(s, addr);
	i = ksyms__find(&s->k, addr);
	if (!i)
		return s->kunknown;
	i--;
	if (!s->kids[i]) {
		const char *name = s->k.names + s->k.name[i];

		s->kids[i] = intern_fmt(s, "", name, strlen(name), "_[k]") + 1;
	}
	return s->kids[i] - 1;
}

/* Remembers where the function named id is declared, once (the status line shows it). */
static void remember_where(struct symbolizer *s, uint32_t id, const struct dwarf_frame *fr)
{
	uint32_t file;

	if (!fr->decl_file || fr->decl_line <= 0 || where_find(s, id) ||
	    strtab__intern(s->names, fr->decl_file, strlen(fr->decl_file), &file))
		return;
	where_add(s, id, file, (uint32_t)fr->decl_line);
}

/* "name:file.c:42" (--lines), from the frame name id and its line. */
static uint32_t with_line(struct symbolizer *s, uint32_t id, const struct dwarf_frame *fr)
{
	char tail[300];

	if (!fr->file || fr->line <= 0)
		return id;
	snprintf(tail, sizeof(tail), ":%s:%d", dwarfinfo__base(fr->file), fr->line);
	return intern_fmt(s, "", strtab__str(s->names, id), strtab__len(s->names, id), tail);
}

/*
 * From DWARF debug info when there is some: the functions inlined at vaddr
 * (dwarf_getscopes; each a frame "name_[i]", as perf and
 * stackcollapse-perf.pl name them), where each is declared, and with
 * --lines each frame's source line.
 */
static void dwarf_frames(struct symbolizer *s, struct elf_file *f, uint64_t vaddr,
			 struct cache_slot *c)
{
	struct dwarf_frame fr[MAX_INLINED + 1];
	size_t n = dwarfinfo__frames(f->mod, vaddr + f->bias, !s->no_inline, s->lines, fr,
				     MAX_INLINED + 1);

	c->ninlined = 0;
	if (!n)
		return;
	remember_where(s, c->id, &fr[0]);
	for (size_t i = 1; i < n; i++) {
		uint32_t id = intern_fmt(s, "", fr[i].name, strlen(fr[i].name), "_[i]");

		remember_where(s, id, &fr[i]);
		c->inlined[c->ninlined++] = s->lines ? with_line(s, id, &fr[i]) : id;
	}
	if (s->lines)
		c->id = with_line(s, c->id, &fr[0]);
}

/*
 * A function without a symbol, by its module and start: "[python3.11+0x1a2b0]"
 * (an ELF address, as addr2line and gdb take it).
 */
/* Keeps what f's function at start was named, to rename it if its name arrives. */
static void remember_anon(struct elf_file *f, uint64_t start, uint32_t id)
{
	size_t back = f->nanon < 8 ? f->nanon : 8;

	for (size_t i = f->nanon - back; i < f->nanon; i++)
		if (f->anon[i].start == start)
			return;	/* the usual case: asked again from another address */
	if (f->nanon < ANON_MAX && !vec_reserve(f->anon, f->anon_cap, f->nanon + 1, 64))
		f->anon[f->nanon++] = (struct anon_name){ start, id };
}

static uint32_t anonymous_function(struct symbolizer *s, struct elf_file *f, uint32_t unknown,
				   uint64_t start)
{
	const char *mod = strtab__str(s->names, unknown);
	size_t len = strtab__len(s->names, unknown);
	char tail[24];

	uint32_t id;

	if (unknown == s->uunknown || len < 2 || mod[0] != '[' || mod[len - 1] != ']')
		return unknown;
	snprintf(tail, sizeof(tail), "+0x%" PRIx64 "]", start);
	id = intern_fmt(s, "", mod, len - 1, tail);
	remember_anon(f, start, id);
	return id;
}

/*
 * The name of the function at vaddr: its symbol, or where its symbol's size
 * is unknown and an FDE starts between them, or it has none, its start.
 */
static uint32_t function_name(struct symbolizer *s, struct elf_file *f, uint64_t vaddr,
			      uint32_t unknown, bool *named)
{
	const struct fsym *sym = elffile__symbol(&s->files, f, vaddr + f->bias);
	GElf_Addr start;
	char *dem = NULL;
	uint32_t id;

	*named = false;
	if (s->fetcher && !f->fetch_asked && elffile__wants_debuginfo(f)) {
		f->fetch_asked = true;
		fetcher__want(s->fetcher, f->build_id, f->build_id_len);
	}
	if ((!sym || sym->end == sym->start) && elffile__function_start(f, vaddr, &start) &&
	    (!sym || start + f->bias > sym->start))
		return anonymous_function(s, f, unknown, start);
	if (!sym || !*sym->name)
		return unknown;
	*named = true;
	/* C++ and Rust (legacy _ZN...h<hash>E and v0 _R...) */
	if (sym->name[0] == '_' && (sym->name[1] == 'Z' || sym->name[1] == 'R'))
		dem = cplus_demangle(sym->name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
	id = dem ? intern(s, dem, strlen(dem)) : intern(s, sym->name, strlen(sym->name));
	free(dem);
	return id;
}

/* The frames at an ELF virtual address of f, interned: the function and what is inlined there. */
static const struct cache_slot *file_frames(struct symbolizer *s, struct elf_file *f,
					    uint64_t vaddr, uint32_t unknown)
{
	size_t slot = (size_t)((((uintptr_t)f >> 4) ^ vaddr) * 0x9e3779b97f4a7c15ull >>
			       (64 - CACHE_BITS));
	struct cache_slot *c = &s->cache[slot];
	bool named;

	if (c->file == f && c->vaddr == vaddr)
		return c;
	c->ninlined = 0;
	c->id = function_name(s, f, vaddr, unknown, &named);
	if (named && (!s->no_inline || s->lines) && !f->changed && !f->no_dwarf)
		dwarf_frames(s, f, vaddr, c);
	c->file = f;
	c->vaddr = vaddr;
	return c;
}

/* --- processes -------------------------------------------------------------- */

static uint32_t basename_id(struct symbolizer *s, const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	if (path[0] == '[') {	/* [vdso], [heap], [stack] */
		n = strcspn(path, "]");
		return intern_fmt(s, "", path, n + (path[n] == ']'), "");
	}
	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 10 && strcmp(b + n - 10, " (deleted)") == 0)
		n -= 10;
	return n ? intern_fmt(s, "[", b, n, "]") : s->uunknown;
}

/* p's mappings from maps, or from /proc/PID/maps read now when maps is NULL. */
static void snapshot_maps(struct symbolizer *s, struct proc *p, const struct procmaps *maps)
{
	struct procmaps own;
	size_t cap = 0;

	if (!maps) {
		procmaps__read(p->pid, &own);	/* empty when it cannot be read */
		/* read after an exec, they are the new image's: none rather than wrong ones */
		if (s->current && !s->current(s->current_ctx, p->pid, p->ptag))
			procmaps__free(&own);
		maps = &own;
	}
	for (size_t i = 0; i < maps->n; i++) {
		const struct map_entry *e = &maps->e[i];
		const char *name = e->name;
		struct mapping *m;

		if (vec_reserve(p->maps, cap, p->nmaps + 1, 32))
			break;
		m = &p->maps[p->nmaps++];
		*m = (struct mapping){ e->start, e->end, e->offset, NULL, s->uunknown };
		if (*name)
			m->unknown = basename_id(s, name);
		if (e->ino && *name == '/')
			m->file = elffiles__open(&s->files, p->pid, e);
		else if (!strcmp(name, "[vdso]"))
			m->file = elffiles__vdso(&s->files);
		if (m->file)
			m->file->refs++;
	}
	if (maps == &own)
		procmaps__free(&own);
}

static struct proc **bucket_of(struct symbolizer *s, pid_t pid, uint64_t ptag)
{
	uint64_t h = ((uint64_t)(uint32_t)pid ^ ptag) * 0x9e3779b97f4a7c15ull;

	return &s->procs[h >> 54];	/* PROC_BUCKETS = 2^10 */
}

static void proc_unlink(struct symbolizer *s, struct proc **pp)
{
	struct proc *p = *pp;

	*pp = p->next;
	proc_free(p);
	s->nprocs--;
}

/* At the cap: the least recently used process goes (a full scan, rare). */
static void evict_lru_proc(struct symbolizer *s)
{
	struct proc **pp, **victim = NULL;
	size_t b;

	for (b = 0; b < PROC_BUCKETS; b++)
		for (pp = &s->procs[b]; *pp; pp = &(*pp)->next)
			if (!victim || (*pp)->last_used <= (*victim)->last_used)
				victim = pp;
	if (victim)
		proc_unlink(s, victim);
}

/* The process, its mappings snapshot from maps (NULL: read now) when it is new. */
static struct proc *proc_get(struct symbolizer *s, pid_t pid, uint64_t ptag,
			     const struct procmaps *maps)
{
	struct proc **head = bucket_of(s, pid, ptag), *p;

	for (p = *head; p; p = p->next)
		if (p->pid == pid && p->ptag == ptag)
			return p;
	if (s->nprocs >= MAX_PROCS)
		evict_lru_proc(s);	/* head is a slot of the array: still valid */
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->ptag = ptag;
	p->last_used = s->tick;
	snapshot_maps(s, p, maps);
	p->next = *head;
	*head = p;
	s->nprocs++;
	return p;
}

void symbolizer__add_process(struct symbolizer *s, pid_t pid, uint64_t ptag,
			     const struct procmaps *maps)
{
	proc_get(s, pid, ptag, maps);
}

void symbolizer__reread(struct symbolizer *s, pid_t pid, uint64_t ptag,
			const struct procmaps *maps)
{
	for (size_t b = 0; b < PROC_BUCKETS; b++)
		for (struct proc *p = s->procs[b]; p; p = p->next) {
			if (p->pid != pid || p->ptag != ptag)
				continue;
			for (size_t i = 0; i < p->nmaps; i++)
				if (p->maps[i].file)
					p->maps[i].file->refs--;
			free(p->maps);
			p->maps = NULL;
			p->nmaps = 0;
			snapshot_maps(s, p, maps);
		}
}

static bool jit_frame(struct symbolizer *s, struct proc *p, uint64_t addr, uint32_t *id)
{
	const char *name;
	size_t len;

	if (!p->jit && !(p->jit = jitmap__new(p->pid)))
		return false;
	name = jitmap__lookup(p->jit, addr, now_ns(), &len);
	if (!name)
		return false;
	*id = intern(s, name, len);
	return true;
}

size_t symbolizer__user_frames(struct symbolizer *s, pid_t pid, uint64_t ptag, uint64_t addr,
			       uint32_t *out, size_t max)
{
	struct proc *p = proc_get(s, pid, ptag, NULL);
	size_t lo = 0, hi;
	struct mapping *m = NULL;

	if (!max)
		return 0;
	out[0] = s->uunknown;
	if (!p)
		return 1;
	p->last_used = s->tick;
	hi = p->nmaps;
	while (lo < hi) {	/* /proc/PID/maps is sorted by address */
		size_t mid = lo + (hi - lo) / 2;

		if (p->maps[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nmaps && p->maps[lo].start <= addr)
		m = &p->maps[lo];
	/* code in no file: a JIT's, named by its perf map if it writes one */
	if ((!m || !m->file) && jit_frame(s, p, addr, out))
		return 1;
	if (!m)
		return 1;
	out[0] = m->unknown;
	if (!m->file)
		return 1;
	m->file->last_used = s->tick;
	struct elf_file *f = m->file;
	const struct cache_slot *c;
	uint64_t vaddr;
	size_t n = 1;

	if (!procmaps__vaddr_of(f->segs, f->nsegs, addr - m->start + m->offset, &vaddr))
		return 1;
	c = file_frames(s, f, vaddr, m->unknown);
	out[0] = c->id;
	for (uint32_t k = 0; k < c->ninlined && n < max; k++)
		out[n++] = c->inlined[k];
	return n;
}

/*
 * The names of f's functions named by their start so far, from the debug
 * info just added: each that has a symbol now is renamed to it.
 */
static void rename_anon(struct symbolizer *s, struct elf_file *f)
{
	for (size_t i = 0; i < f->nanon; i++) {
		bool named;
		uint32_t id = function_name(s, f, f->anon[i].start, s->uunknown, &named);

		if (named && id != f->anon[i].id && !strtab__rename(s->names, f->anon[i].id, id))
			s->renamed++;
	}
	f->nanon = 0;
}

/* Gives each file with the build-id the debug file fetched (fd, taken), and renames. */
static void take_fetched(struct symbolizer *s, struct fetch_result *r)
{
	bool used = false;

	for (struct elf_file *f = s->files.list; f && r->fd >= 0; f = f->next) {
		int fd;

		if (f->build_id_len != r->len || memcmp(f->build_id, r->id, r->len) ||
		    f->fetched_fd >= 0)
			continue;
		fd = used ? fcntl(r->fd, F_DUPFD_CLOEXEC, 0) : r->fd;
		if (fd < 0 || elffile__add_debuginfo(&s->files, f, fd))
			continue;
		used = true;
		memset(s->cache, 0, sizeof(s->cache));	/* names from the old symbols */
		rename_anon(s, f);
	}
	if (!used && r->fd >= 0)
		close(r->fd);
}

static void take_all_fetched(struct symbolizer *s)
{
	struct fetch_result r;

	while (fetcher__done(s->fetcher, &r))
		take_fetched(s, &r);
}

void symbolizer__wait_names(struct symbolizer *s, int ms)
{
	fetcher__wait(s->fetcher, ms);
	take_all_fetched(s);
}

void symbolizer__tick(struct symbolizer *s)
{
	struct proc **pp;
	size_t b;

	s->tick++;
	for (b = 0; b < PROC_BUCKETS; b++)
		for (pp = &s->procs[b]; *pp;) {
			if (s->tick - (*pp)->last_used > PROC_IDLE_TICKS)
				proc_unlink(s, pp);
			else
				pp = &(*pp)->next;
		}
	take_all_fetched(s);
	/* files no process maps: keep the most recent MAX_IDLE_FILES */
	if (elffiles__trim(&s->files, MAX_IDLE_FILES))
		memset(s->cache, 0, sizeof(s->cache));
}

void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *st)
{
	st->processes = s->nprocs;
	st->files = s->files.n;
	st->files_changed = s->files.changed;
	st->files_refused = s->files.refused;
	st->fetching = s->fetcher != NULL;
	st->renamed = s->renamed;
	st->fetch_error[0] = '\0';
	st->fetch_asked = st->fetch_found = st->fetch_pending = 0;
	if (s->fetcher) {
		struct fetcher_stats fs;

		fetcher__stats(s->fetcher, &fs);
		st->fetch_asked = fs.asked;
		st->fetch_found = fs.found;
		st->fetch_pending = fs.pending;
		if (fs.unreachable)
			snprintf(st->fetch_error, sizeof(st->fetch_error), "%s", fs.error);
	}
}
