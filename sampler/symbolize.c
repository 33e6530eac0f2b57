// SPDX-License-Identifier: MIT
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/vec.h"
#include "elffile.h"
#include "dwindex.h"
#include "filecache.h"
#include "jitmap.h"
#include "procmaps.h"
#include "../profile/textsafe.h"
#include "symbolize.h"
#include "symbolize_int.h"

#define MAX_PROCS	4096
#define MAX_IDLE_FILES	128
/* what the files no process maps may hold, at most (a compile loop's clang and libLLVM) */
#define IDLE_FILE_BYTES	(16ul << 20)
/*
 * A process not sampled for this many drains is forgotten: one that has
 * exited after PROC_GONE_TICKS (its last samples came long ago), one still
 * running after PROC_IDLE_TICKS (its maps are read again if it runs again).
 */
#define PROC_GONE_TICKS	10
#define PROC_IDLE_TICKS	60
/* A module's DWARF (tens of MB inflated) is let go this long after it was last needed. */
#define DWARF_IDLE_TICKS	10

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
uint32_t symbolizer_intern(struct symbolizer *s, const char *str, size_t len)
{
	char small[512], *buf = NULL;
	uint32_t id;
	size_t i;
	int err;

	/* plain ASCII that may stay is the usual case; anything else is cleaned */
	for (i = 0; i < len && !frame_char((unsigned char)str[i], false) &&
		    (unsigned char)str[i] < 0x80; i++)
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

uint32_t symbolizer_intern_fmt(struct symbolizer *s, const char *pre, const char *str,
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
	id = symbolizer_intern(s, buf, lp + len + lq);
	if (buf != small)
		free(buf);
	return id;
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

/* Lets go of p's snapshot of its mappings (and of the files they hold). */
static void drop_maps(struct proc *p)
{
	for (size_t i = 0; i < p->nmaps; i++)
		if (p->maps[i].file)
			p->maps[i].file->refs--;
	free(p->maps);
	p->maps = NULL;
	p->nmaps = 0;
}

static void proc_free(struct proc *p)
{
	drop_maps(p);
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
	symbolizer_free_where(s);
	symbolizer_free_modules(s);
	elffiles__fini(&s->files);
	ksyms__free(&s->k);
	free(s->kids);
	free(s);
}

/* --- processes -------------------------------------------------------------- */

static uint32_t basename_id(struct symbolizer *s, const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	if (path[0] == '[') {	/* [vdso], [heap], [stack] */
		n = strcspn(path, "]");
		return symbolizer_intern_fmt(s, "", path, n + (path[n] == ']'), "");
	}
	b = b ? b + 1 : path;
	n = strlen(b);
	if (n > 10 && strcmp(b + n - 10, " (deleted)") == 0)
		n -= 10;
	return n ? symbolizer_intern_fmt(s, "[", b, n, "]") : s->uunknown;
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
	for (struct proc *p = *bucket_of(s, pid, ptag); p; p = p->next)
		if (p->pid == pid && p->ptag == ptag) {
			drop_maps(p);
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
	*id = symbolizer_intern(s, name, len);
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
	c = symbolizer_file_frames(s, f, vaddr, m->unknown);
	out[0] = c->id;
	for (uint32_t k = 0; k < c->ninlined && n < max; k++)
		out[n++] = c->inlined[k];
	return n;
}

/* Whether p can be forgotten now (asked once a drain). */
static bool proc_done(const struct symbolizer *s, const struct proc *p)
{
	unsigned long idle = s->tick - p->last_used;

	/* idle long enough to have exited: asked once, as it crosses the mark */
	if (idle == PROC_GONE_TICKS + 1)
		return kill(p->pid, 0) && errno == ESRCH;
	return idle > PROC_IDLE_TICKS;
}

void symbolizer__tick(struct symbolizer *s)
{
	struct proc **pp;
	size_t b;

	s->tick++;
	for (b = 0; b < PROC_BUCKETS; b++)
		for (pp = &s->procs[b]; *pp;) {
			if (proc_done(s, *pp))
				proc_unlink(s, pp);
			else
				pp = &(*pp)->next;
		}
	symbolizer_take_fetched(s);
	/* DWARF read for inlined frames: let go once its index has what is asked of it */
	for (struct elf_file *f = s->files.list; f; f = f->next)
		if (f->dwidx && f->dwidx->dw && s->tick - f->dwidx->used > DWARF_IDLE_TICKS) {
			dwindex__close_dwarf(f->dwidx);
			dwindex__flush(f->dwidx);
		}
	/* refused for the budget: tried again once what was let go makes room */
	for (struct elf_file *f = s->files.list; f; f = f->next)
		if (f->dwidx)
			dwindex__retry(f->dwidx, ELFFILE_DEBUG_BUDGET - s->files.dwarf_open_bytes);
	/* files no process maps: keep the most recent, within bounds */
	if (elffiles__trim(&s->files, MAX_IDLE_FILES, IDLE_FILE_BYTES))
		memset(s->cache, 0, sizeof(s->cache));
}

void symbolizer__stats(const struct symbolizer *s, struct symbolizer_stats *st)
{
	struct filecache_stats dc;

	st->processes = s->nprocs;
	st->files = s->files.n;
	st->files_changed = s->files.changed;
	st->files_refused = s->files.refused;
	st->renamed = s->renamed;
	st->syms_bytes = s->files.syms_bytes;
	st->debug_bytes = s->files.debug_bytes;
	filecache__stats(s->files.dwcache, &dc);
	st->dwarf_cached = dc.loaded;
	st->dwarf_refused = dc.refused;
	st->dwarf_opened = s->dwarf_opened;
	fetcher__stats(s->fetcher, &st->fetch);
}
