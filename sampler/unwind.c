// SPDX-License-Identifier: MIT
/*
 * .eh_frame -> unwind rows.  Each executable section is walked with
 * dwarf_cfi_addrframe(): a frame says for which [start, end) its rule
 * holds, so the walk jumps from rule to rule; bytes no FDE covers get an
 * "undefined" row and are stepped over.
 */
#include <bpf/bpf.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "procmaps.h"
#include "unwind.h"

/* The most a table build reads: .eh_frame, and the debug info .debug_frame drags in. */
#define EH_FRAME_MAX	(64ul << 20)
#define DEBUG_MAX	(512ul << 20)

#define DWREG_RBP 6
#define DWREG_RSP 7
#define DWREG_RA 16
#define MAX_GAP_STEPS (1u << 22)	/* bytes stepped over without CFI, per file */

/* "saved at CFA + off": DW_OP_call_frame_cfa; DW_OP_plus_uconst off */
static bool cfa_offset_rule(const Dwarf_Op *ops, size_t n, int64_t *off)
{
	if (n != 2 || ops[0].atom != DW_OP_call_frame_cfa || ops[1].atom != DW_OP_plus_uconst)
		return false;
	*off = (int64_t)ops[1].number;
	return true;
}

/* The PLT's CFA: rsp + 8 + ((rip & 15) >= N ? 8 : 0), as GCC and binutils write it. */
static bool plt_rule(const Dwarf_Op *o, size_t n, int64_t *off, int *threshold)
{
	if (n != 9 || o[0].atom != DW_OP_breg7 || o[1].atom != DW_OP_breg16 ||
	    o[2].atom != DW_OP_lit15 || o[3].atom != DW_OP_and ||
	    o[4].atom < DW_OP_lit0 || o[4].atom > DW_OP_lit31 || o[5].atom != DW_OP_ge ||
	    o[6].atom != DW_OP_lit3 || o[7].atom != DW_OP_shl || o[8].atom != DW_OP_plus)
		return false;
	*off = (int64_t)o[0].number;
	*threshold = o[4].atom - DW_OP_lit0;
	return true;
}

static struct ft_unwind_row row_of(Dwarf_Frame *fr, bool signal, uint64_t pc)
{
	struct ft_unwind_row r = { .pc = (__u32)pc, .type = FT_CFA_UNDEF };
	Dwarf_Op mem[3], *ops;
	size_t n;
	int64_t off, ra;
	int threshold;

	if (signal) {
		r.type = FT_CFA_SIGNAL;
		return r;
	}
	if (dwarf_frame_cfa(fr, &ops, &n) || !n)
		return r;
	if (n == 1 && ops[0].atom == DW_OP_bregx &&
	    (ops[0].number == DWREG_RSP || ops[0].number == DWREG_RBP)) {
		r.type = ops[0].number == DWREG_RSP ? FT_CFA_RSP : FT_CFA_RBP;
		off = (int64_t)ops[0].number2;
	} else if (plt_rule(ops, n, &off, &threshold)) {
		r.type = FT_CFA_PLT;
		r.rbp_off = (__s16)threshold;
	} else {
		return r;	/* an expression we do not evaluate */
	}
	if (off < INT32_MIN || off > INT32_MAX)
		return (struct ft_unwind_row){ .pc = (__u32)pc };
	r.cfa_off = (__s32)off;
	/* x86-64: the return address is always just below the CFA */
	ops = NULL;
	if (dwarf_frame_register(fr, DWREG_RA, mem, &ops, &n) || !cfa_offset_rule(ops, n, &ra) ||
	    ra != -8)
		return (struct ft_unwind_row){ .pc = (__u32)pc };
	if (r.type == FT_CFA_PLT)
		return r;
	ops = NULL;
	if (dwarf_frame_register(fr, DWREG_RBP, mem, &ops, &n) == 0 &&
	    cfa_offset_rule(ops, n, &off) && off >= INT16_MIN && off < 0)
		r.rbp_off = (__s16)off;
	return r;
}

struct rows {
	struct ft_unwind_row *v;
	size_t n, cap;
};

static int push(struct rows *rs, struct ft_unwind_row r)
{
	if (rs->n) {
		struct ft_unwind_row *last = &rs->v[rs->n - 1];

		/* the same rule again: nothing to add */
		if (last->type == r.type && last->cfa_off == r.cfa_off &&
		    last->rbp_off == r.rbp_off)
			return 0;
		if (last->pc == r.pc) {
			*last = r;
			return 0;
		}
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 1024;
		struct ft_unwind_row *v = realloc(rs->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n++] = r;
	return 0;
}

/* The frame at a from .eh_frame, else from .debug_frame; 0 or -1. */
static int frame_at(Dwarf_CFI *eh, Dwarf_CFI *debug, uint64_t a, Dwarf_Frame **fr)
{
	if (eh && dwarf_cfi_addrframe(eh, a, fr) == 0)
		return 0;
	return debug ? dwarf_cfi_addrframe(debug, a, fr) : -1;
}

/* Rows for [lo, hi); *gap_steps counts bytes without CFI. */
static int walk(Dwarf_CFI *eh, Dwarf_CFI *debug, uint64_t lo, uint64_t hi, struct rows *rs,
		size_t *gap_steps)
{
	uint64_t a = lo;

	while (a < hi) {
		Dwarf_Frame *fr;
		Dwarf_Addr start, end;
		bool signal = false;
		int err;

		if (frame_at(eh, debug, a, &fr)) {
			err = push(rs, (struct ft_unwind_row){ .pc = (__u32)a });
			if (err)
				return err;
			if (++*gap_steps > MAX_GAP_STEPS)
				return -E2BIG;
			a++;
			continue;
		}
		if (dwarf_frame_info(fr, &start, &end, &signal) < 0 || end <= a)
			end = a + 1;
		err = push(rs, row_of(fr, signal, a));
		free(fr);
		if (err)
			return err;
		a = end;
	}
	return 0;
}

/*
 * libdw reads every debug section at dwarf_begin_elf (into memory: files are
 * read, not mapped), so it is asked only when there is a .debug_frame.
 */
long unwind__build_rows(Elf *elf, struct ft_unwind_row **out)
{
	/* .eh_frame first; .debug_frame (when built without unwind tables) where it has none */
	Dwarf_CFI *cfi = dwarf_getcfi_elf(elf), *debug_cfi = NULL;
	struct elf_sizes sz;
	Dwarf *dw;

	procmaps__measure(elf, -1, &sz);
	dw = sz.debug_frame ? dwarf_begin_elf(elf, DWARF_C_READ, NULL) : NULL;
	struct rows rs = { 0 };
	size_t shstrndx, gap_steps = 0;
	Elf_Scn *scn = NULL;
	uint64_t last_end = 0;
	int err = 0;

	*out = NULL;
	if (dw)
		debug_cfi = dwarf_getcfi(dw);
	if (!cfi && !debug_cfi) {
		if (dw)
			dwarf_end(dw);
		return 0;
	}
	if (elf_getshdrstrndx(elf, &shstrndx)) {
		err = -EINVAL;
		goto cleanup;
	}
	/* sections come in address order in every linker's output; checked below */
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR) || !sh.sh_size)
			continue;
		if (sh.sh_addr + sh.sh_size > UINT32_MAX) {
			err = -ERANGE;
			goto cleanup;
		}
		if (sh.sh_addr < last_end) {
			err = -EINVAL;
			goto cleanup;
		}
		err = walk(cfi, debug_cfi, sh.sh_addr, sh.sh_addr + sh.sh_size, &rs, &gap_steps);
		if (err)
			goto cleanup;
		/* past the section's end nothing can be unwound */
		err = push(&rs, (struct ft_unwind_row){ .pc = (__u32)(sh.sh_addr + sh.sh_size) });
		if (err)
			goto cleanup;
		last_end = sh.sh_addr + sh.sh_size;
	}
cleanup:
	if (cfi)
		dwarf_cfi_end(cfi);
	if (dw)
		dwarf_end(dw);	/* and with it debug_cfi */
	if (err) {
		free(rs.v);
		return err;
	}
	*out = rs.v;
	return (long)rs.n;
}

const struct ft_unwind_row *unwind__find(const struct ft_unwind_row *rows, size_t n,
					 __u64 vaddr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (rows[mid].pc <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &rows[lo - 1] : NULL;
}

/* --- the unwinder: tables in BPF maps ---------------------------------------- */

struct table {
	dev_t dev;
	ino_t ino;
	__u32 row_start, row_count;	/* row_count 0: no usable table */
	__u32 page_start, page_base, npages;	/* npages 0: no page index */
	struct load_seg *segs;
	size_t nsegs;
	unsigned refs;
	double idle_since;	/* when refs last fell to 0 */
	struct table *next;
};

/*
 * A table nobody maps is kept this long, so that short-lived processes of
 * one binary (a compiler run by make) do not rebuild it each time; it goes
 * sooner when the rows are scarce.
 */
#define TABLE_IDLE_SECONDS 60.0

struct uproc {
	pid_t pid;
	struct table **tables;	/* the tables its entry refers to */
	size_t ntables;
	struct uproc *next;
};

struct hole {
	__u32 start, count;
};

/* Ranges of one BPF array map: handed out from the top, freed ranges reused first-fit. */
struct pool {
	int fd;
	__u32 cap, top;
	struct hole *holes;
	size_t nholes, holes_cap;
};

/*
 * Everything but the queue belongs to the worker thread, which builds
 * tables off the caller's loop (a large binary takes up to a second); the
 * caller only queues work and reads the stats the worker publishes.
 */
struct unwinder {
	struct pool rows, pages;
	int procs_fd;
	struct table *tables;
	struct uproc *procs;
	size_t ntables, nprocs, rows_used, build_errors;
	double build_seconds;

	pthread_t worker;
	bool started;
	pthread_mutex_t lock;	/* guards what follows */
	pthread_cond_t wake;
	pid_t *queue;
	size_t qlen, qcap;
	bool sweep_wanted, stop, busy;
	pthread_cond_t idle;	/* signalled when the queue is done */
	struct unwinder_stats shown;
};

static int add_process_now(struct unwinder *u, pid_t pid);
static void sweep_now(struct unwinder *u);

static void publish_stats(struct unwinder *u)
{
	pthread_mutex_lock(&u->lock);
	u->shown = (struct unwinder_stats){
		.processes = u->nprocs, .tables = u->ntables, .rows_used = u->rows_used,
		.rows_cap = u->rows.cap, .build_seconds = u->build_seconds,
		.build_errors = u->build_errors,
	};
	pthread_mutex_unlock(&u->lock);
}

static void *worker_main(void *arg)
{
	struct unwinder *u = arg;
	pid_t batch[256];

	for (;;) {
		size_t n;
		bool sweep;

		pthread_mutex_lock(&u->lock);
		u->busy = false;
		if (!u->qlen && !u->sweep_wanted)
			pthread_cond_broadcast(&u->idle);
		while (!u->stop && !u->qlen && !u->sweep_wanted)
			pthread_cond_wait(&u->wake, &u->lock);
		if (u->stop) {
			pthread_mutex_unlock(&u->lock);
			return NULL;
		}
		n = u->qlen < 256 ? u->qlen : 256;
		memcpy(batch, u->queue, n * sizeof(*batch));
		memmove(u->queue, u->queue + n, (u->qlen - n) * sizeof(*u->queue));
		u->qlen -= n;
		sweep = u->sweep_wanted;
		u->sweep_wanted = false;
		u->busy = true;
		pthread_mutex_unlock(&u->lock);
		for (size_t i = 0; i < n; i++)
			add_process_now(u, batch[i]);
		if (sweep)
			sweep_now(u);
		publish_stats(u);
	}
}

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct unwinder *unwinder__new(int rows_fd, __u32 rows_cap, int pages_fd, __u32 pages_cap,
			       int procs_fd)
{
	struct unwinder *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->rows = (struct pool){ .fd = rows_fd, .cap = rows_cap };
	u->pages = (struct pool){ .fd = pages_fd, .cap = pages_cap };
	u->procs_fd = procs_fd;
	elf_version(EV_CURRENT);
	pthread_mutex_init(&u->lock, NULL);
	pthread_cond_init(&u->wake, NULL);
	pthread_cond_init(&u->idle, NULL);
	if (pthread_create(&u->worker, NULL, worker_main, u)) {
		unwinder__free(u);
		return NULL;
	}
	u->started = true;
	return u;
}

static void table_free(struct table *t)
{
	free(t->segs);
	free(t);
}

static void proc_release(struct unwinder *u, struct uproc *p)
{
	double t = mono_now();

	for (size_t i = 0; i < p->ntables; i++)
		if (--p->tables[i]->refs == 0)
			p->tables[i]->idle_since = t;
	free(p->tables);
	p->tables = NULL;
	p->ntables = 0;
	(void)u;
}

void unwinder__free(struct unwinder *u)
{
	if (!u)
		return;
	if (u->started) {
		pthread_mutex_lock(&u->lock);
		u->stop = true;
		pthread_cond_signal(&u->wake);
		pthread_mutex_unlock(&u->lock);
		pthread_join(u->worker, NULL);
	}
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->wake);
	pthread_cond_destroy(&u->idle);
	free(u->queue);
	while (u->procs) {
		struct uproc *p = u->procs;

		u->procs = p->next;
		proc_release(u, p);
		free(p);
	}
	while (u->tables) {
		struct table *t = u->tables;

		u->tables = t->next;
		table_free(t);
	}
	free(u->rows.holes);
	free(u->pages.holes);
	free(u);
}

/* A range of n entries: the first hole big enough, else the top; UINT32_MAX if full. */
static __u32 pool_alloc(struct pool *p, __u32 n)
{
	for (size_t i = 0; i < p->nholes; i++) {
		struct hole *h = &p->holes[i];

		if (h->count >= n) {
			__u32 at = h->start;

			h->start += n;
			h->count -= n;
			return at;
		}
	}
	if (n > p->cap - p->top)
		return UINT32_MAX;
	p->top += n;
	return p->top - n;
}

static void pool_free(struct pool *p, __u32 start, __u32 n)
{
	if (!n)
		return;
	if (p->nholes == p->holes_cap) {
		size_t cap = p->holes_cap ? p->holes_cap * 2 : 16;
		struct hole *h = realloc(p->holes, cap * sizeof(*h));

		if (!h)
			return;	/* the range stays used: a leak of map space, not of memory */
		p->holes = h;
		p->holes_cap = cap;
	}
	p->holes[p->nholes++] = (struct hole){ start, n };
}

/* Puts n values of size bytes into a range of the pool's map: its start, or UINT32_MAX. */
static __u32 pool_load(struct pool *p, const void *values, __u32 n)
{
	__u32 at = pool_alloc(p, n), count = n, *keys;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (at == UINT32_MAX)
		return at;
	keys = malloc((size_t)n * sizeof(*keys));
	if (keys) {
		for (__u32 i = 0; i < n; i++)
			keys[i] = at + i;
		if (bpf_map_update_batch(p->fd, keys, values, &count, &opts) == 0) {
			free(keys);
			return at;
		}
	}
	free(keys);
	pool_free(p, at, n);
	return UINT32_MAX;
}

/*
 * The page index of a table: for each 4 KiB page from the first row's to the
 * last's, the row in effect where the page starts (and one more entry), so
 * that a lookup searches only the rows of one page.
 */
static __u32 *page_index(const struct ft_unwind_row *rows, __u32 n, __u32 *npages)
{
	__u32 first = rows[0].pc >> 12, last = rows[n - 1].pc >> 12, r = 0, *idx;

	*npages = last - first + 1;
	idx = malloc(((size_t)*npages + 1) * sizeof(*idx));
	if (!idx)
		return NULL;
	for (__u32 k = 0; k <= *npages; k++) {
		__u64 start = (__u64)(first + k) << 12;

		while (r + 1 < n && rows[r + 1].pc <= start)
			r++;
		idx[k] = r;
	}
	return idx;
}

/*
 * Whether building the file's table reads a sane amount into memory: its
 * headers may claim anything (a sparse file), and what they claim is read.
 */
static bool within_bounds(Elf *elf, int fd)
{
	struct elf_sizes sz;

	procmaps__measure(elf, fd, &sz);
	return sz.eh_frame <= EH_FRAME_MAX && (!sz.debug_frame || sz.debug <= DEBUG_MAX);
}

/* Builds the table of the ELF file open at fd and loads it with one batched update. */
static struct table *table_build(struct unwinder *u, int fd, dev_t dev, ino_t ino)
{
	struct table *t = calloc(1, sizeof(*t));
	struct ft_unwind_row *rows = NULL;
	double t0 = mono_now();
	long n = 0, nsegs = -1;
	Elf *elf;

	if (!t)
		return NULL;
	t->dev = dev;
	t->ino = ino;
	/* read, not mapped: a file its owner truncates meanwhile must not fault */
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF && within_bounds(elf, fd))
		nsegs = procmaps__load_segs(elf, &t->segs);
	if (nsegs >= 0) {
		t->nsegs = (size_t)nsegs;
		n = unwind__build_rows(elf, &rows);
	}
	if (n > 0 && (__u32)n <= u->rows.cap) {
		__u32 at = pool_load(&u->rows, rows, (__u32)n), npages = 0;
		__u32 *idx = at != UINT32_MAX ? page_index(rows, (__u32)n, &npages) : NULL;

		if (at != UINT32_MAX) {
			t->row_start = at;
			t->row_count = (__u32)n;
			u->rows_used += (size_t)n;
		}
		/* without its page index a table still works, with longer searches */
		if (idx) {
			t->page_start = pool_load(&u->pages, idx, npages + 1);
			if (t->page_start != UINT32_MAX) {
				t->npages = npages;
				t->page_base = rows[0].pc >> 12;
			}
		}
		free(idx);
	}
	if (!t->row_count)
		u->build_errors++;
	free(rows);
	if (elf)
		elf_end(elf);
	u->build_seconds += mono_now() - t0;
	t->next = u->tables;
	u->tables = t;
	u->ntables++;
	return t;
}

/* The table of a mapped file, built on first use. */
static struct table *table_get(struct unwinder *u, pid_t pid, const char *name,
			       unsigned long long start, unsigned long long end, dev_t dev,
			       ino_t ino)
{
	struct table *t;
	bool same = true;
	int fd;

	for (t = u->tables; t; t = t->next)
		if (t->dev == dev && t->ino == ino)
			return t;
	if (!strcmp(name, "[vdso]"))
		fd = procmaps__vdso_fd();
	else
		fd = procmaps__open_mapped(pid, start, end, name, major(dev), minor(dev), ino, &same);
	/* a file other than the one mapped (a racing remap) is nobody's table */
	if (fd >= 0 && !same) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		return NULL;
	t = table_build(u, fd, dev, ino);
	close(fd);
	return t;
}

/* address - ELF vaddr for a mapping of file offset off; false if no segment holds it. */
static bool bias_of(const struct table *t, uint64_t start, uint64_t off, __u64 *bias)
{
	uint64_t vaddr;

	if (!procmaps__vaddr_of(t->segs, t->nsegs, off, &vaddr))
		return false;
	*bias = start - vaddr;
	return true;
}

static struct uproc *proc_find(struct unwinder *u, pid_t pid, bool create)
{
	struct uproc *p;

	for (p = u->procs; p; p = p->next)
		if (p->pid == pid)
			return p;
	if (!create || !(p = calloc(1, sizeof(*p))))
		return NULL;
	p->pid = pid;
	p->next = u->procs;
	u->procs = p;
	u->nprocs++;
	return p;
}

int unwinder__add_process(struct unwinder *u, pid_t pid)
{
	int err = 0;

	pthread_mutex_lock(&u->lock);
	for (size_t i = 0; i < u->qlen; i++)
		if (u->queue[i] == pid)
			goto out;	/* already waiting */
	if (u->qlen == u->qcap) {
		size_t cap = u->qcap ? u->qcap * 2 : 64;
		pid_t *q = realloc(u->queue, cap * sizeof(*q));

		if (!q) {
			err = -ENOMEM;
			goto out;
		}
		u->queue = q;
		u->qcap = cap;
	}
	u->queue[u->qlen++] = pid;
	pthread_cond_signal(&u->wake);
out:
	pthread_mutex_unlock(&u->lock);
	return err;
}

static int add_process_now(struct unwinder *u, pid_t pid)
{
	struct ft_proc_maps *pm = calloc(1, sizeof(*pm));
	size_t tcap = 64;
	struct table **tables = calloc(tcap, sizeof(*tables));
	struct uproc *p;
	char path[64], *line = NULL;
	size_t ntables = 0, lcap = 0;
	struct map_entry e;
	FILE *f;
	int err = 0;
	__u32 key = (__u32)pid;

	if (!pm || !tables) {
		err = -ENOMEM;
		goto cleanup;
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		goto cleanup;
	}
	while (procmaps__next(f, &line, &lcap, &e)) {
		struct table *t;
		struct ft_map *m, *prev = pm->n ? &pm->m[pm->n - 1] : NULL;

		if (e.perms[2] != 'x')
			continue;
		if (ntables == tcap) {
			struct table **nt = realloc(tables, 2 * tcap * sizeof(*nt));

			if (!nt) {
				err = -ENOMEM;
				break;
			}
			tables = nt;
			tcap *= 2;
		}
		if (*e.name == '/' && e.ino)
			t = table_get(u, pid, e.name, e.start, e.end, makedev(e.maj, e.min),
				      (ino_t)e.ino);
		else if (!strcmp(e.name, "[vdso]"))
			t = table_get(u, pid, e.name, e.start, e.end, 0, 0);
		else
			t = NULL;	/* anonymous code (JIT): frame pointers, or the end */
		/*
		 * Code without a table next to code without a table (a JIT's
		 * many regions) is one entry: the walker does the same in both.
		 */
		if (prev && prev->end == e.start && !prev->row_count && (!t || !t->row_count)) {
			prev->end = e.end;
			if (t) {
				t->refs++;
				tables[ntables++] = t;
			}
			continue;
		}
		if (pm->n == FT_MAX_MAPS)
			break;
		m = &pm->m[pm->n];
		*m = (struct ft_map){ .start = e.start, .end = e.end };
		if (t && t->row_count && bias_of(t, e.start, e.offset, &m->bias)) {
			m->row_start = t->row_start;
			m->row_count = t->row_count;
			m->page_start = t->page_start;
			m->page_base = t->page_base;
			m->npages = t->npages;
		}
		if (t) {
			t->refs++;
			tables[ntables++] = t;
		}
		pm->n++;
	}
	fclose(f);
	free(line);
	if (err || bpf_map_update_elem(u->procs_fd, &key, pm, BPF_ANY)) {
		err = err ? err : -errno;
		for (size_t i = 0; i < ntables; i++)
			tables[i]->refs--;
		goto cleanup;
	}
	p = proc_find(u, pid, true);
	if (!p) {
		err = -ENOMEM;
		goto cleanup;
	}
	proc_release(u, p);	/* an exec or dlopen: the new mappings replace the old */
	p->tables = tables;
	p->ntables = ntables;
	tables = NULL;
cleanup:
	free(tables);
	free(pm);
	return err;
}

void unwinder__wait(struct unwinder *u)
{
	pthread_mutex_lock(&u->lock);
	while (u->qlen || u->sweep_wanted || u->busy)
		pthread_cond_wait(&u->idle, &u->lock);
	pthread_mutex_unlock(&u->lock);
}

void unwinder__sweep(struct unwinder *u)
{
	pthread_mutex_lock(&u->lock);
	u->sweep_wanted = true;
	pthread_cond_signal(&u->wake);
	pthread_mutex_unlock(&u->lock);
}

static void sweep_now(struct unwinder *u)
{
	struct uproc **pp = &u->procs;
	struct table **tp = &u->tables;

	while (*pp) {
		struct uproc *p = *pp;
		__u32 key = (__u32)p->pid;

		if (kill(p->pid, 0) == 0 || errno != ESRCH) {
			pp = &p->next;
			continue;
		}
		bpf_map_delete_elem(u->procs_fd, &key);
		proc_release(u, p);
		*pp = p->next;
		free(p);
		u->nprocs--;
	}
	double t_now = mono_now();
	bool scarce = u->rows_used > u->rows.cap / 4 * 3 || u->pages.top > u->pages.cap / 4 * 3;

	while (*tp) {
		struct table *t = *tp;

		if (t->refs || (!scarce && t_now - t->idle_since < TABLE_IDLE_SECONDS)) {
			tp = &t->next;
			continue;
		}
		pool_free(&u->rows, t->row_start, t->row_count);
		if (t->npages)
			pool_free(&u->pages, t->page_start, t->npages + 1);
		u->rows_used -= t->row_count;
		*tp = t->next;
		table_free(t);
		u->ntables--;
	}
}

void unwinder__stats(struct unwinder *u, struct unwinder_stats *st)
{
	pthread_mutex_lock(&u->lock);
	*st = u->shown;
	pthread_mutex_unlock(&u->lock);
}
