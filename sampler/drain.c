// SPDX-License-Identifier: MIT
/*
 * Draining: flip the epoch, wait out the programs still counting in the old
 * one, then batch-read-and-delete the old buffers; each count's key becomes
 * frames (process name, user frames, kernel frames) for the caller.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/membarrier.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../util/vec.h"
#include "../profile/who.h"
#include "cgroups.h"
#include "sampler_int.h"
#include "symbolize.h"
#include "unwind.h"

/* Waits until no program can still be running with the old epoch. */
static void grace_period(void)
{
	/* MEMBARRIER_CMD_GLOBAL is synchronize_rcu(); BPF programs of perf
	 * events run under rcu_read_lock() */
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0)
		usleep(20000);
}

static int by_hash(const void *a, const void *b)
{
	const struct stored_stack *x = a, *y = b;

	return (x->hash > y->hash) - (x->hash < y->hash);
}

/*
 * Whether st is the stack its key was made of: some prefix of it hashes to
 * key (the program hashes as many frames as the walk gave, zeros and all).
 * A stack the program copied from the LRU off-CPU map while another CPU
 * evicted and reused that entry is torn: half one stack, half another.
 */
bool sampler_stack_matches(const struct ft_stack *st, __u64 key)
{
	__u64 h = FT_HASH_SEED;

	for (__u32 nr = 1; nr <= MAX_STACK_DEPTH; nr++) {
		h = ft_hash_mix(h, st->ip[nr - 1]);
		if (ft_hash_end(h, nr) == key)
			return true;
	}
	return false;
}

/*
 * Moves every stack of the old epoch's stack map into s->stacks; a stack
 * that is not what its key says is left out (its samples show it lost).
 */
int sampler_take_stacks(struct sampler *s, int fd)
{
	__u64 keys[BATCH];
	struct ft_stack *vals = malloc(BATCH * sizeof(*vals));
	__u64 in = 0, out = 0;
	void *inp = NULL;
	int ret = 0;

	if (!vals)
		return -ENOMEM;
	s->nstacks = 0;
	for (;;) {
		__u32 n = BATCH, i;
		int r = bpf_map_lookup_and_delete_batch(fd, inp, &out, keys, vals, &n, NULL);

		if (r && errno != ENOENT) {
			ret = -errno;
			break;
		}
		if (vec_reserve(s->stacks, s->stacks_cap, s->nstacks + n, 1024)) {
			ret = -ENOMEM;
			break;
		}
		for (i = 0; i < n; i++) {
			if (!sampler_stack_matches(&vals[i], keys[i])) {
				s->stacks_torn++;
				continue;
			}
			s->stacks[s->nstacks].hash = keys[i];
			s->stacks[s->nstacks++].st = vals[i];
		}
		if (r)
			break;	/* ENOENT: that was the last batch */
		in = out;
		inp = &in;
	}
	free(vals);
	if (s->nstacks)	/* s->stacks is NULL until the first stack */
		qsort(s->stacks, s->nstacks, sizeof(*s->stacks), by_hash);
	return ret;
}

static const struct ft_stack *find_stack(const struct sampler *s, __u64 hash)
{
	struct stored_stack k = { .hash = hash }, *found;

	if (!hash || !s->nstacks)
		return NULL;
	found = bsearch(&k, s->stacks, s->nstacks, sizeof(k), by_hash);
	return found ? &found->st : NULL;
}

static size_t depth_of(const struct ft_stack *st)
{
	size_t n = 0;

	while (n < MAX_STACK_DEPTH && st->ip[n])
		n++;
	return n;
}

static int push(struct sampler *s, size_t *n, uint32_t id)
{
	if (vec_reserve(s->frames, s->frames_cap, *n + 1, 512))
		return -ENOMEM;
	s->frames[(*n)++] = id;
	return 0;
}

/* A process or thread name as a frame: any process may name itself anything. */
static void clean_comm(const char *comm, char out[COMM_LEN + 8])
{
	size_t len = strnlen(comm, COMM_LEN);

	memcpy(out, comm, len);
	symbolizer__clean_frame(out, len, true);
	if (!len)
		strcpy(out, "[unknown]");
	else
		out[len] = '\0';
}

/* Who ran the stack of key k; the names live in the buffers until the next call. */
static void who_of(struct sampler *s, const struct ft_stack_key *k, struct who *w,
		   char comm[COMM_LEN + 8], char thread[COMM_LEN + 8], char cg[32])
{
	const char *container = NULL;

	if (!s->cgnames)
		s->cgnames = cgroup_names__new();
	if (s->cgnames)
		container = cgroup_names__name(s->cgnames, k->cgroup);
	/* not named yet (made this second): its id, so two new ones stay apart */
	if (!container || !strcmp(container, "?")) {
		snprintf(cg, 32, "cgroup#%llu", (unsigned long long)k->cgroup);
		container = cg;
	}
	clean_comm(k->comm, comm);
	clean_comm(k->tcomm, thread);
	*w = (struct who){ .pid = k->tgid, .tid = k->tid, .comm = comm, .thread = thread,
			   .container = container };
}

/* Markers; user frames root first; kernel frames root first. */
static int build_frames(struct sampler *s, const struct ft_stack_key *k, size_t *n)
{
	const struct ft_stack *us = find_stack(s, k->ustack), *ks = find_stack(s, k->kstack);
	size_t i, d;
	int err = 0;

	*n = 0;
	if (!err && (k->flags & KEY_USTACK_TRUNC))
		err = push(s, n, s->id_truncated);
	/* the walk stopped at a frame it could not unwind: callers are missing here */
	if (!err && (k->flags & KEY_USTACK_PARTIAL))
		err = push(s, n, s->id_partial);
	/* lost: not stored (the map was full), or torn and left out */
	if (!err && ((k->flags & KEY_USTACK_LOST) || (k->ustack && !us)))
		err = push(s, n, s->id_lost);
	if (!err && (k->flags & KEY_USTACK_ERROR))
		err = push(s, n, s->id_error);
	if (!err && us) {
		d = depth_of(us);
		for (i = d; i-- > 0 && !err;) {
			uint32_t ids[8];
			/* non-leaf frames are return addresses; inlined frames follow their function */
			size_t nids = symbolizer__user_frames(s->sym, (pid_t)k->tgid, k->ptag,
							      us->ip[i] - (i > 0), ids, 8);

			for (size_t j = 0; j < nids && !err; j++)
				err = push(s, n, ids[j]);
		}
	}
	if (!err && (k->flags & KEY_KSTACK_TRUNC))
		err = push(s, n, s->id_ktruncated);
	if (!err && ((k->flags & KEY_KSTACK_LOST) || (k->kstack && !ks)))
		err = push(s, n, s->id_klost);
	if (!err && ks) {
		d = depth_of(ks);
		for (i = d; i-- > 0 && !err;)
			err = push(s, n, symbolizer__kernel(s->sym, ks->ip[i] - (i > 0)));
	}
	return err;
}

/*
 * An off-CPU stack ends in the switch tracepoint's machinery the program
 * skips only in part (with several probes on it, the kernel goes through
 * __traceiter_sched_switch): the leaf is __schedule, as the waiting is.
 */
static size_t drop_tracing_frames(const struct sampler *s, size_t n)
{
	static const char *const machinery[] = { "__traceiter_", "bpf_", "__bpf_trace_" };

	while (n > 1) {
		const char *name = strtab__str(s->names, s->frames[n - 1]);
		bool drop = false;

		for (size_t i = 0; i < sizeof(machinery) / sizeof(machinery[0]); i++)
			drop = drop || !strncmp(name, machinery[i], strlen(machinery[i]));
		if (!drop || strtab__kind(s->names, s->frames[n - 1]) != FRAME_KERNEL)
			break;
		n--;
	}
	return n;
}

/* Reads and deletes the old epoch's counts of one event, each to fn. */
static int drain_counts(struct sampler *s, int cfd, enum sample_event event, sampler_stack_fn fn,
			void *ctx)
{
	struct ft_stack_key keys[BATCH];
	__u64 vals[BATCH], in = 0, out = 0;
	void *inp = NULL;
	int ret = 0;

	for (;;) {
		__u32 n = BATCH, i;
		int r = bpf_map_lookup_and_delete_batch(cfd, inp, &out, keys, vals, &n, NULL);

		if (r && errno != ENOENT) {
			ret = ret ? ret : -errno;
			break;
		}
		for (i = 0; i < n && !ret; i++) {
			char comm[COMM_LEN + 8], thread[COMM_LEN + 8], cg[32];
			struct who w;
			size_t nf;

			/* a walk cut short: its table may still be waiting, the busiest's first */
			if (s->unw && event == EVENT_CPU && (keys[i].flags & KEY_USTACK_PARTIAL))
				unwinder__weigh(s->unw, (pid_t)keys[i].tgid, vals[i]);
			if (!fn)
				continue;
			ret = build_frames(s, &keys[i], &nf);
			if (event == EVENT_OFFCPU)
				nf = drop_tracing_frames(s, nf);
			who_of(s, &keys[i], &w, comm, thread, cg);
			if (!ret)
				ret = fn(ctx, event, &w, s->frames, nf, vals[i]);
		}
		if (r || ret)
			break;
		in = out;
		inp = &in;
	}
	return ret;
}

int sampler__drain(struct sampler *s, sampler_stack_fn fn, void *ctx)
{
	struct profile_bpf *sk = s->skel;
	__u32 old = sk->bss->epoch;
	int cfd = bpf_map__fd(old & 1 ? sk->maps.counts1 : sk->maps.counts0);
	int ofd = bpf_map__fd(old & 1 ? sk->maps.offcounts1 : sk->maps.offcounts0);
	int sfd = bpf_map__fd(old & 1 ? sk->maps.stacks1 : sk->maps.stacks0);
	int ret, e;

	__atomic_store_n(&sk->bss->epoch, old + 1, __ATOMIC_SEQ_CST);
	grace_period();
	ring_buffer__consume(s->rb);	/* snapshot new processes first */
	ret = sampler_take_stacks(s, sfd);
	e = drain_counts(s, cfd, EVENT_CPU, fn, ctx);
	ret = ret ? ret : e;
	if (s->offcpu) {
		/* after an error, the counts are only emptied: fn said stop */
		e = drain_counts(s, ofd, EVENT_OFFCPU, ret ? NULL : fn, ctx);
		ret = ret ? ret : e;
	}
	symbolizer__tick(s->sym);
	if (s->unw)
		unwinder__sweep(s->unw);
	/* what short-lived processes' symbols and stacks left free is given back */
	if (++s->drains % TRIM_DRAINS == 0)
		malloc_trim(0);
	return ret;
}

int sampler__settle(struct sampler *s, int ms)
{
	struct timespec t0, t;
	long left = ms;

	if (!s->unw || s->pids_mode)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (left > 0) {
		if (ring_buffer__poll(s->rb, (int)left) < 0 && errno != EINTR)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
	}
	unwinder__wait(s->unw);
	return sampler__drain(s, NULL, NULL);
}

/* What the drains and the kernel counted, and what the unwinder and symbolizer hold. */
void sampler__stats(const struct sampler *s, struct sampler_stats *st)
{
	int ncpus = libbpf_num_possible_cpus(), fd = bpf_map__fd(s->skel->maps.stats);
	__u64 *v = ncpus > 0 ? calloc((size_t)ncpus, sizeof(*v)) : NULL;
	uint64_t sum[FT_STAT_NR] = { 0 };
	__u32 k;
	int c;

	memset(st, 0, sizeof(*st));
	if (!v)
		return;
	for (k = 0; k < FT_STAT_NR; k++) {
		if (bpf_map_lookup_elem(fd, &k, v))
			continue;
		for (c = 0; c < ncpus; c++)
			sum[k] += v[c];
	}
	free(v);
	st->samples = sum[FT_STAT_SAMPLES];
	st->lost = sum[FT_STAT_COUNTS_FULL];
	st->stacks_lost = sum[FT_STAT_STACKS_FULL] + s->stacks_torn;
	st->truncated = sum[FT_STAT_TRUNCATED];
	st->stack_errors = sum[FT_STAT_STACK_ERRORS];
	st->events_lost = sum[FT_STAT_EVENTS_LOST];
	st->offcpu_blocks = sum[FT_STAT_OFFCPU_BLOCKS];
	st->offcpu_lost = sum[FT_STAT_OFFCPU_LOST];
	st->offcpu_stacks_lost = sum[FT_STAT_OFFCPU_STACKS_LOST];
	{
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(bpf_program__fd(s->skel->progs.on_sample), &info,
					    &len)) {
			st->bpf_run_ns = info.run_time_ns;
			st->bpf_run_cnt = info.run_cnt;
		}
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (s->offcpu && !bpf_obj_get_info_by_fd(bpf_program__fd(s->skel->progs.on_switch),
							 &info, &len)) {
			st->offcpu_bpf_run_ns = info.run_time_ns;
			st->offcpu_bpf_run_cnt = info.run_cnt;
		}
	}
	if (s->unw) {
		struct unwinder_stats us;

		unwinder__stats(s->unw, &us);
		st->unwind_tables = us.tables;
		st->unwind_rows = us.rows_used;
		st->unwind_rows_cap = us.rows_cap;
		st->unwind_build_seconds = us.build_seconds;
		st->unwind_built = us.built;
		st->unwind_cache = us.cache;
		memcpy(st->unwind_cache_off, us.cache_off, sizeof(st->unwind_cache_off));
	}
	symbolizer__stats(s->sym, &st->sym);
}
