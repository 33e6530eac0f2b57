// SPDX-License-Identifier: MIT
/*
 * The unwinder: a worker thread that builds each mapped file's rows
 * (unwind_rows.h), loads them into ranges of the BPF array maps (pools), and
 * writes each process's mappings with their tables into the BPF hash map.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <gelf.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "../util/vec.h"
#include "procmaps.h"
#include "unwind.h"
#include "unwind_cache.h"
#include "unwind_pool.h"
#include "unwind_rows.h"

/* The most a table build reads: .eh_frame, and the debug info .debug_frame drags in. */
#define EH_FRAME_MAX	(64ul << 20)
#define DEBUG_MAX	(512ul << 20)

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

/* A process to (re)build the entry of, with the mappings read when it was noticed. */
struct job {
	pid_t pid;
	struct procmaps maps;
	__u64 weight;	/* its samples so far: the busiest are done first */
};

/*
 * Everything but the queue belongs to the worker thread, which builds
 * tables off the caller's loop (a large binary takes up to a second); the
 * caller only queues work and reads the stats the worker publishes.
 */
struct unwinder {
	struct pool rows, pages;
	int procs_fd;
	int files_fd;		/* tables by file identity (bpf/profile.h), for processes without entries */
	struct table *tables;
	struct uproc *procs;
	size_t ntables, nprocs, rows_used, build_errors, built;
	double build_seconds;
	__u32 gen;		/* of the last process entry written (bpf/profile.h) */
	struct unwind_cache *cache;	/* NULL: none (cache_off says why) */
	char cache_off[160];

	pthread_t worker;
	bool started;
	pthread_mutex_t lock;	/* guards what follows */
	pthread_cond_t wake;
	struct job *queue;
	size_t qlen, qcap;
	bool sweep_wanted, stop, busy;
	pthread_cond_t idle;	/* signalled when the queue is done */
	struct unwinder_stats shown;
};

static int add_process_now(struct unwinder *u, const struct job *j);
static void sweep_now(struct unwinder *u);

static void publish_stats(struct unwinder *u)
{
	pthread_mutex_lock(&u->lock);
	u->shown = (struct unwinder_stats){
		.processes = u->nprocs, .tables = u->ntables, .rows_used = u->rows_used,
		.rows_cap = u->rows.cap, .build_seconds = u->build_seconds,
		.build_errors = u->build_errors, .built = u->built,
	};
	unwind_cache__stats(u->cache, &u->shown.cache);
	memcpy(u->shown.cache_off, u->cache_off, sizeof(u->shown.cache_off));
	pthread_mutex_unlock(&u->lock);
}

/* The waiting process with the most samples (the first noticed among equals); qlen > 0. */
static size_t heaviest(const struct unwinder *u)
{
	size_t best = 0;

	for (size_t i = 1; i < u->qlen; i++)
		if (u->queue[i].weight > u->queue[best].weight)
			best = i;
	return best;
}

static void *worker_main(void *arg)
{
	struct unwinder *u = arg;

	for (;;) {
		struct job job;
		bool sweep, have = false;

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
		if (u->qlen) {	/* a sweep alone: no queue yet, maybe */
			size_t i = heaviest(u);

			job = u->queue[i];
			memmove(&u->queue[i], &u->queue[i + 1], (u->qlen - i - 1) * sizeof(*u->queue));
			u->qlen--;
			have = true;
		}
		sweep = u->sweep_wanted;
		u->sweep_wanted = false;
		u->busy = true;
		pthread_mutex_unlock(&u->lock);
		if (have) {
			add_process_now(u, &job);
			procmaps__free(&job.maps);
		}
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
			       int procs_fd, int files_fd)
{
	struct unwinder *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->rows = (struct pool){ .fd = rows_fd, .cap = rows_cap,
				 .value_size = sizeof(struct ft_unwind_row) };
	u->pages = (struct pool){ .fd = pages_fd, .cap = pages_cap, .value_size = sizeof(__u32) };
	u->procs_fd = procs_fd;
	u->files_fd = files_fd;
	elf_version(EV_CURRENT);
	u->cache = unwind_cache__open(NULL, 0, u->cache_off, sizeof(u->cache_off));
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
	for (size_t i = 0; i < u->qlen; i++)
		procmaps__free(&u->queue[i].maps);
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
	unwind_cache__close(u->cache);
	free(u->rows.holes);
	free(u->pages.holes);
	free(u);
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

/* The kernel's encoding of a device number (major << 20 | minor), as BPF reads s_dev. */
static __u64 kdev(dev_t dev)
{
	return (__u64)major(dev) << 20 | minor(dev);
}

/*
 * Makes t findable by its file's identity, for the walker's own look at a
 * process's mappings: when the code segments agree on file offset - vaddr
 * (linkers lay them out so), and the file is a real one (not the vDSO).
 */
static void publish_file(struct unwinder *u, const struct table *t)
{
	struct ft_file_key key = { kdev(t->dev), (__u64)t->ino };
	struct ft_file_table v = { .row_start = t->row_start, .row_count = t->row_count,
				   .page_start = t->page_start, .page_base = t->page_base,
				   .npages = t->npages };
	bool have = false;

	if (u->files_fd < 0 || !t->row_count || (!t->dev && !t->ino))
		return;
	for (size_t i = 0; i < t->nsegs; i++) {
		__s64 adj = (__s64)(t->segs[i].offset - t->segs[i].vaddr);

		if (!t->segs[i].exec)
			continue;
		if (have && adj != v.adj)
			return;
		v.adj = adj;
		have = true;
	}
	if (have)
		bpf_map_update_elem(u->files_fd, &key, &v, BPF_ANY);	/* full: not findable so */
}

static void unpublish_file(struct unwinder *u, const struct table *t)
{
	struct ft_file_key key = { kdev(t->dev), (__u64)t->ino };

	if (u->files_fd >= 0 && t->row_count)
		bpf_map_delete_elem(u->files_fd, &key);
}

/* Builds the table of the ELF file open at fd and loads it with one batched update. */
static struct table *table_build(struct unwinder *u, int fd, dev_t dev, ino_t ino)
{
	struct table *t = calloc(1, sizeof(*t));
	struct ft_unwind_row *rows = NULL;
	double t0 = mono_now();
	long n = 0, nsegs = -1;
	bool built = false;
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
		n = unwind_cache__rows(u->cache, elf, u->rows.cap, &rows, &built);
		u->built += built;
	}
	if (n > 0 && (__u32)n <= u->rows.cap) {
		__u32 at = pool_load(&u->rows, rows, (__u32)n), npages = 0;
		__u32 *idx = at != UINT32_MAX ? unwind__page_index(rows, (__u32)n, &npages) : NULL;

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
	publish_file(u, t);
	free(rows);
	if (elf)
		elf_end(elf);
	u->build_seconds += mono_now() - t0;
	t->next = u->tables;
	u->tables = t;
	u->ntables++;
	return t;
}

/*
 * The table of a mapped file (the vDSO is device 0, inode 0), built on first
 * use; NULL for anonymous code (a JIT's: frame pointers, or the end).
 */
static struct table *table_get(struct unwinder *u, pid_t pid, const struct map_entry *e)
{
	bool vdso = !strcmp(e->name, "[vdso]"), same = true;
	dev_t dev = vdso ? 0 : makedev(e->maj, e->min);
	ino_t ino = vdso ? 0 : (ino_t)e->ino;
	struct table *t;
	int fd;

	if (!vdso && (*e->name != '/' || !e->ino))
		return NULL;
	for (t = u->tables; t; t = t->next)
		if (t->dev == dev && t->ino == ino)
			return t;
	if (vdso)
		fd = procmaps__vdso_fd();
	else
		fd = procmaps__open_mapped(pid, e->start, e->end, e->name, e->maj, e->min, e->ino,
					   &same);
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

int unwinder__add_process(struct unwinder *u, pid_t pid, struct procmaps *maps)
{
	struct job *j = NULL;
	int err = 0;

	pthread_mutex_lock(&u->lock);
	for (size_t i = 0; i < u->qlen && !j; i++)
		if (u->queue[i].pid == pid)
			j = &u->queue[i];	/* already waiting: with these, newer, mappings */
	if (!j && vec_reserve(u->queue, u->qcap, u->qlen + 1, 64) == 0) {
		j = &u->queue[u->qlen++];
		*j = (struct job){ .pid = pid };
		pthread_cond_signal(&u->wake);
	}
	if (j) {
		procmaps__free(&j->maps);
		j->maps = *maps;
		*maps = (struct procmaps){ 0 };
	} else {
		err = -ENOMEM;
	}
	pthread_mutex_unlock(&u->lock);
	procmaps__free(maps);
	return err;
}

void unwinder__weigh(struct unwinder *u, pid_t pid, __u64 samples)
{
	/* most drains find nobody waiting: no lock for them (a stale read only misses a weight) */
	if (!__atomic_load_n(&u->qlen, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&u->lock);
	for (size_t i = 0; i < u->qlen; i++)
		if (u->queue[i].pid == pid)
			u->queue[i].weight += samples;
	pthread_mutex_unlock(&u->lock);
}

/* Adds a mapping to a process's entry; false when the entry is full. */
static bool add_mapping(struct ft_proc_maps *pm, const struct map_entry *e, const struct table *t)
{
	struct ft_map *m, *prev = pm->n ? &pm->m[pm->n - 1] : NULL;

	/*
	 * Code without a table next to code without a table (a JIT's
	 * many regions) is one entry: the walker does the same in both.
	 */
	if (prev && prev->end == e->start && !prev->row_count && (!t || !t->row_count)) {
		prev->end = e->end;
		return true;
	}
	if (pm->n == FT_MAX_MAPS)
		return false;
	m = &pm->m[pm->n++];
	*m = (struct ft_map){ .start = e->start, .end = e->end };
	if (t && t->row_count && bias_of(t, e->start, e->offset, &m->bias)) {
		m->row_start = t->row_start;
		m->row_count = t->row_count;
		m->page_start = t->page_start;
		m->page_base = t->page_base;
		m->npages = t->npages;
	}
	return true;
}

/* A process's entry, from its mappings; the tables it refers to, each with one more ref. */
static int build_entry(struct unwinder *u, const struct job *j, struct ft_proc_maps *pm,
		       struct table ***tables, size_t *ntables)
{
	size_t tcap = 0;

	for (size_t i = 0; i < j->maps.n; i++) {
		const struct map_entry *e = &j->maps.e[i];
		struct table *t;

		if (vec_reserve(*tables, tcap, *ntables + 1, 64))
			return -ENOMEM;
		t = table_get(u, j->pid, e);
		if (!add_mapping(pm, e, t))
			break;
		if (t) {
			t->refs++;
			(*tables)[(*ntables)++] = t;
		}
	}
	return 0;
}

static int add_process_now(struct unwinder *u, const struct job *j)
{
	struct ft_proc_maps *pm = calloc(1, sizeof(*pm));
	struct table **tables = NULL;
	size_t ntables = 0;
	struct uproc *p;
	__u32 key = (__u32)j->pid;
	int err;

	if (!pm)
		return -ENOMEM;
	/* a new generation: the walker's cached rules of the old entry are not this one's */
	u->gen = u->gen + 1 ? u->gen + 1 : 1;
	pm->gen = u->gen;
	err = build_entry(u, j, pm, &tables, &ntables);
	pm->gen_end = pm->gen;
	if (err || bpf_map_update_elem(u->procs_fd, &key, pm, BPF_ANY)) {
		err = err ? err : -errno;
		for (size_t i = 0; i < ntables; i++)
			tables[i]->refs--;
		goto cleanup;
	}
	p = proc_find(u, j->pid, true);
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
		unpublish_file(u, t);
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
