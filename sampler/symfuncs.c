// SPDX-License-Identifier: MIT
/*
 * The symbolizer's functions of ELF files: a symbol's name, or a function's
 * start when it has none ("[python3.11+0x1a2b0]"), the functions inlined
 * there and their lines (DWARF), where each is declared, and the names
 * debuginfod brings late, which rename the start-named ones.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <libiberty/demangle.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/vec.h"
#include "dwarfinfo.h"
#include "fetcher.h"
#include "symbolize_int.h"

#define ANON_MAX 1000000	/* names of functions without a symbol kept per file */

struct where {
	uint32_t name;		/* + 1; 0: an empty slot */
	uint32_t file, line;
};

#define WHERE_MAX (1u << 20)

static struct where *where_slot(const struct symbolizer *s, uint32_t id)
{
	uint32_t i = (uint32_t)((id * 0x9e3779b97f4a7c15ull) >> 40) & s->where_mask;

	while (s->where[i].name && s->where[i].name != id + 1)
		i = (i + 1) & s->where_mask;
	return &s->where[i];
}

static const struct where *where_find(const struct symbolizer *s, uint32_t id)
{
	const struct where *w = s->where ? where_slot(s, id) : NULL;

	return w && w->name ? w : NULL;
}

static void where_add(struct symbolizer *s, uint32_t id, uint32_t file, uint32_t line)
{
	if (s->nwhere >= WHERE_MAX)
		return;
	/* half full at most: a table twice as large, every entry placed again */
	if (!s->where || (uint64_t)s->nwhere * 2 + 2 > (uint64_t)s->where_mask + 1) {
		uint32_t old_mask = s->where_mask, mask = s->where ? old_mask * 2 + 1 : 1023;
		struct where *old = s->where, *w = calloc((size_t)mask + 1, sizeof(*w));

		if (!w)
			return;
		s->where = w;
		s->where_mask = mask;
		for (uint32_t i = 0; old && i <= old_mask; i++)
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

	if (!w || !w->line)
		return false;	/* unknown, or declared in several places (binaries) */
	*file = strtab__str(s->names, w->file);
	*line = w->line;
	return true;
}

void symbolizer_free_where(struct symbolizer *s)
{
	free(s->where);
}

/* Remembers where the function named id is declared, once (the status line shows it). */
static void remember_where(struct symbolizer *s, uint32_t id, const struct dwarf_frame *fr)
{
	struct where *w = s->where ? where_slot(s, id) : NULL;
	uint32_t file;

	if (!fr->decl_file || fr->decl_line <= 0 ||
	    strtab__intern(s->names, fr->decl_file, strlen(fr->decl_file), &file))
		return;
	if (!w || !w->name)
		where_add(s, id, file, (uint32_t)fr->decl_line);
	else if (w->file != file || w->line != (uint32_t)fr->decl_line)
		w->line = 0;	/* two functions of that name (two binaries): say none */
}

/* "name:file.c:42" (--lines), from the frame name id and its line. */
static uint32_t with_line(struct symbolizer *s, uint32_t id, const struct dwarf_frame *fr)
{
	char tail[300];

	if (!fr->file || fr->line <= 0)
		return id;
	snprintf(tail, sizeof(tail), ":%s:%d", dwarfinfo__base(fr->file), fr->line);
	return symbolizer_intern_fmt(s, "", strtab__str(s->names, id), strtab__len(s->names, id), tail);
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
	struct dwarf_index *x = elffile__dwarf_index(&s->files, f);
	struct dwarf_opener o = { elffile__open_dwarf, f };
	struct dwarf_frame fr[MAX_INLINED + 1];
	unsigned long opened = x ? x->opened : 0;
	size_t n = x ? dwarfinfo__frames(x, &o, vaddr, !s->no_inline, s->lines, fr, MAX_INLINED + 1) :
		       0;

	if (x && x->dw)
		x->used = s->tick;
	s->dwarf_opened += x ? x->opened - opened : 0;
	c->ninlined = 0;
	if (!n)
		return;
	remember_where(s, c->id, &fr[0]);
	for (size_t i = 1; i < n; i++) {
		uint32_t id = symbolizer_intern_fmt(s, "", fr[i].name, strlen(fr[i].name), "_[i]");

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
	id = symbolizer_intern_fmt(s, "", mod, len - 1, tail);
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
	id = dem ? symbolizer_intern(s, dem, strlen(dem)) : symbolizer_intern(s, sym->name, strlen(sym->name));
	free(dem);
	return id;
}

/* The frames at an ELF virtual address of f, interned: the function and what is inlined there. */
const struct cache_slot *symbolizer_file_frames(struct symbolizer *s, struct elf_file *f,
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
	if (c->id != unknown)
		symbolizer_note_module(s, f, c->id);
	for (uint32_t i = 0; i < c->ninlined; i++)
		symbolizer_note_module(s, f, c->inlined[i]);
	/* named without its inlined frames while the DWARF waits for the budget: not kept */
	c->file = f->dwidx && f->dwidx->open_deferred ? NULL : f;
	c->vaddr = vaddr;
	return c;
}

/*
 * The names of f's functions named by their start so far, from the debug
 * info just added: each that has a symbol now is renamed to it.
 */
static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * The start names other files gave too, sorted: "[app+0x1130]" of another
 * build of app is another function, so such a name is not renamed (a rename
 * goes by name, for every frame of it).  NULL when there are none (or no
 * memory: then nothing is renamed).
 */
static uint32_t *shared_anon(struct symbolizer *s, const struct elf_file *f, size_t *n)
{
	uint32_t *ids = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < s->files.nretired; i++) {	/* of files trimmed since */
		if (vec_reserve(ids, cap, *n + 1, 256)) {
			*n = SIZE_MAX;
			return ids;
		}
		ids[(*n)++] = s->files.retired_anon[i];
	}
	for (struct elf_file *o = s->files.list; o; o = o->next)
		for (size_t i = 0; o != f && i < o->nanon; i++) {
			if (vec_reserve(ids, cap, *n + 1, 256)) {
				*n = SIZE_MAX;
				return ids;
			}
			ids[(*n)++] = o->anon[i].id;
		}
	if (*n)
		qsort(ids, *n, sizeof(*ids), cmp_u32);
	return ids;
}

static void rename_anon(struct symbolizer *s, struct elf_file *f)
{
	size_t nshared;
	uint32_t *shared = shared_anon(s, f, &nshared);

	for (size_t i = 0; i < f->nanon && nshared != SIZE_MAX; i++) {
		uint32_t old = f->anon[i].id, id;
		bool named;

		if (strtab__canon(s->names, old) != old ||
		    (nshared && bsearch(&old, shared, nshared, sizeof(old), cmp_u32)))
			continue;	/* renamed already (a start met twice), or not f's alone */
		id = function_name(s, f, f->anon[i].start, s->uunknown, &named);
		if (named && id != old && !strtab__rename(s->names, old, id))
			s->renamed++;
	}
	free(shared);	/* f's names stay listed: another build's rename must see them */
}

/* Gives each file with the build-id the debug file fetched (a copy of r->fd each), and renames. */
static void take_fetched(struct symbolizer *s, struct fetch_result *r)
{
	for (struct elf_file *f = s->files.list; f && r->fd >= 0; f = f->next) {
		int fd;

		if (f->build_id_len != r->len || memcmp(f->build_id, r->id, r->len) ||
		    f->fetched_fd >= 0)
			continue;
		fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			break;
		if (elffile__add_debuginfo(&s->files, f, fd)) {
			close(fd);
			continue;
		}
		memset(s->cache, 0, sizeof(s->cache));	/* names from the old symbols */
		rename_anon(s, f);
	}
	if (r->fd >= 0)
		close(r->fd);
}

void symbolizer_take_fetched(struct symbolizer *s)
{
	struct fetch_result r;

	while (fetcher__done(s->fetcher, &r))
		take_fetched(s, &r);
}

void symbolizer__wait_names(struct symbolizer *s, int ms)
{
	fetcher__wait(s->fetcher, ms);
	symbolizer_take_fetched(s);
}

