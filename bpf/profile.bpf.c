// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * flametop's sampler: one perf_event program on a cpu-clock event per CPU.
 *
 * Counting happens here: each sample adds one to a count keyed by (process,
 * kernel stack, user stack).  Stacks are stored once, by hash, in a hash
 * map.  Counts and stacks are double-buffered by `epoch`: user space flips
 * the epoch, waits an RCU grace period (no program still runs with the old
 * value), then drains and clears the old buffers — nothing is lost or
 * counted twice.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "profile.h"

const volatile bool filter_pids = false;
const volatile bool filter_cgroup = false;
const volatile bool user_stacks = true;
const volatile bool kernel_stacks = true;
const volatile bool dwarf_unwind = false;
const volatile bool fp_fallback = true;	/* auto: frame pointers where there is no table */

__u32 epoch = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup SEC(".maps");

#define COUNT_MAP(name)						\
	struct {						\
		__uint(type, BPF_MAP_TYPE_HASH);		\
		__uint(max_entries, 65536);			\
		__type(key, struct ft_stack_key);			\
		__type(value, __u64);				\
	} name SEC(".maps")

#define STACK_MAP(name)						\
	struct {						\
		__uint(type, BPF_MAP_TYPE_HASH);		\
		__uint(max_entries, 32768);			\
		__type(key, __u64);				\
		__type(value, struct ft_stack);		\
	} name SEC(".maps")

COUNT_MAP(counts0);
COUNT_MAP(counts1);
STACK_MAP(stacks0);
STACK_MAP(stacks1);

/* The walk's registers live in the scratch map value, where the verifier
 * does not track their values from one step to the next. */
struct ft_unwind_regs {
	__u64 ip, sp, bp;
	__u32 n;
	__u32 status;		/* 0 going on, 1 ended, 2 could not go on */
	__u32 exact;		/* ip is the interrupted pc, not a return address */
	__u32 unknown_map;
	__u32 lo, hi;		/* binary searches: kept here so that the verifier does not
				 * track their values through every iteration */
	__u32 last_map;		/* the mapping of the previous frame; FT_MAX_MAPS: none */
	__u64 hash;		/* of the frames so far, as hash_stack() would make it */
};

struct scratch {
	struct ft_stack kstack;
	struct ft_stack ustack;
	__u64 slack;	/* ustack.ip[idx & 127] stays inside the map value */
	struct ft_unwind_regs regs;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FT_STAT_NR);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct seen_key {
	__u32 tgid;
	__u32 pad;
	__u64 ptag;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct seen_key);
	__type(value, __u8);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* DWARF unwinding: sized by user space before load (1 entry when off) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ft_unwind_row);
} unwind_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} unwind_pages SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct ft_proc_maps);
} unwind_procs SEC(".maps");

/* when each process last reported an address outside its known mappings */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} unknown_reported SEC(".maps");

static __always_inline void stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		*v += 1;
}

struct hash_ctx {
	struct ft_stack *st;
	__u64 h;
};

/* One frame into a stack's hash (FNV-1a-like, per 64-bit address). */
static __always_inline __u64 hash_mix(__u64 h, __u64 ip)
{
	h ^= ip;
	h *= 0x100000001b3ull;
	return h ^ (h >> 29);
}

#define HASH_SEED 0xcbf29ce484222325ull

/* The last step: the depth, and never 0 (0 means "no stack"). */
static __always_inline __u64 hash_end(__u64 h, __u32 nr)
{
	h = hash_mix(h, nr);
	return h ? h : 1;
}

static long hash_step(__u32 i, void *data)
{
	struct hash_ctx *c = data;

	if (i >= MAX_STACK_DEPTH)
		return 1;
	c->h = hash_mix(c->h, c->st->ip[i]);
	return 0;
}

/* bpf_loop keeps verification linear whatever the depth. */
static __always_inline __u64 hash_stack(struct ft_stack *st, __u32 nr)
{
	struct hash_ctx c = { .st = st, .h = HASH_SEED };

	bpf_loop(nr, hash_step, &c, 0);
	return hash_end(c.h, nr);
}

/*
 * Takes one stack into st; returns its hash (0 if none) and sets flags.
 */
static __always_inline __u64 take_stack(void *ctx, struct ft_stack *st, __u64 how,
					__u32 trunc, __u32 err, __u32 *flags)
{
	long n = bpf_get_stack(ctx, st->ip, sizeof(st->ip), how);
	__u32 nr;

	if (n < 0) {
		stat_inc(FT_STAT_STACK_ERRORS);
		*flags |= err;
		return 0;
	}
	nr = (__u32)n / sizeof(__u64);
	if (!nr)
		return 0;
	if (nr >= MAX_STACK_DEPTH) {
		stat_inc(FT_STAT_TRUNCATED);
		*flags |= trunc;
	}
	/* bpf_get_stack() zeroes the unused tail: equal stacks, equal values */
	return hash_stack(st, nr);
}

static __always_inline void store_stack(void *stacks, __u64 *hash, struct ft_stack *st,
					__u32 lost, __u32 *flags)
{
	long err;

	if (!*hash)
		return;
	err = bpf_map_update_elem(stacks, hash, st, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */) {
		stat_inc(FT_STAT_STACKS_FULL);
		*flags |= lost;
		*hash = 0;
	}
}

static __always_inline void count(void *counts, void *stacks, struct ft_stack_key *key,
				  struct scratch *s)
{
	__u64 one = 1, *c;

	store_stack(stacks, &key->kstack, &s->kstack, KEY_KSTACK_LOST, &key->flags);
	store_stack(stacks, &key->ustack, &s->ustack, KEY_USTACK_LOST, &key->flags);
	c = bpf_map_lookup_elem(counts, key);
	if (c) {
		__sync_fetch_and_add(c, 1);
		return;
	}
	if (bpf_map_update_elem(counts, key, &one, BPF_NOEXIST) == 0)
		return;
	c = bpf_map_lookup_elem(counts, key);	/* another CPU added it first */
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		stat_inc(FT_STAT_COUNTS_FULL);
}

/*
 * Open-coded numeric iterators (kernel 6.4+): the verifier checks the body
 * once for all iterations instead of once per path through unrolled ones.
 */
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

struct ft_unwind_state {
	struct ft_unwind_regs *r;
	struct ft_stack *st;
	struct ft_proc_maps *pm;
};

static __always_inline int read_user(__u64 *dst, __u64 addr)
{
	return bpf_probe_read_user(dst, sizeof(*dst), (const void *)addr);
}

/* The mapping holding pc: binary search of the process's sorted mappings. */
static __always_inline struct ft_map *find_map(struct ft_unwind_regs *r,
					       struct ft_proc_maps *pm, __u64 pc)
{
	struct bpf_iter_num it;
	__u32 mid, lo = r->last_map;

	/* most frames of a stack are in the same file as the one before */
	if (lo < FT_MAX_MAPS) {
		lo &= FT_MAX_MAPS - 1;
		if (pm->m[lo].start <= pc && pc < pm->m[lo].end)
			return &pm->m[lo];
	}
	r->lo = 0;
	r->hi = pm->n;
	bpf_iter_num_new(&it, 0, 10);	/* > log2(FT_MAX_MAPS + 1) */
	while (bpf_iter_num_next(&it) && r->lo < r->hi) {
		mid = (r->lo + r->hi) / 2;
		/* FT_MAX_MAPS is a power of two: the mask shows the verifier the bound */
		if (pm->m[mid & (FT_MAX_MAPS - 1)].end <= pc)
			r->lo = mid + 1;
		else
			r->hi = mid;
	}
	bpf_iter_num_destroy(&it);
	lo = r->lo;
	if (lo >= FT_MAX_MAPS || lo >= pm->n)
		return NULL;
	lo &= FT_MAX_MAPS - 1;
	if (pm->m[lo].start > pc)
		return NULL;
	r->last_map = lo;
	return &pm->m[lo];
}

/* The row for vaddr in m's table: the last with pc <= vaddr. */
static __always_inline struct ft_unwind_row *find_row(struct ft_unwind_regs *r,
						      const struct ft_map *m, __u64 vaddr)
{
	__u32 start = m->row_start, end = m->row_start + m->row_count, mid, k;
	struct ft_unwind_row *row;
	struct bpf_iter_num it;
	__u32 *first, *next;

	r->lo = start;
	r->hi = end;
	/* the page index narrows the search to the rows of vaddr's page */
	k = (__u32)(vaddr >> 12) - m->page_base;
	if (m->npages && vaddr >> 12 >= m->page_base && k < m->npages) {
		mid = m->page_start + k;
		first = bpf_map_lookup_elem(&unwind_pages, &mid);
		mid++;
		next = bpf_map_lookup_elem(&unwind_pages, &mid);
		if (first && next && *first <= *next && *next < m->row_count) {
			r->lo = start + *first;
			r->hi = start + *next + 1;
		}
	}
	bpf_iter_num_new(&it, 0, 24);
	while (bpf_iter_num_next(&it) && r->lo < r->hi) {
		mid = r->lo + (r->hi - r->lo) / 2;
		row = bpf_map_lookup_elem(&unwind_rows, &mid);
		if (!row)
			break;
		if (row->pc <= vaddr)
			r->lo = mid + 1;
		else
			r->hi = mid;
	}
	bpf_iter_num_destroy(&it);
	if (r->lo <= start)
		return NULL;
	mid = r->lo - 1;
	return bpf_map_lookup_elem(&unwind_rows, &mid);
}

/* One frame: record ip, then find the caller's ip, sp and bp. */
static long unwind_step(__u32 i, void *data)
{
	struct ft_unwind_state *u = data;
	struct ft_proc_maps *pm = u->pm;
	struct ft_unwind_row *r;
	struct ft_map *m;
	__u64 pc, cfa, ra, bp;

	__u32 idx = i;

	if (idx >= MAX_STACK_DEPTH || !u->r->ip) {
		u->r->status = 1;
		return 1;
	}
	/* the mask is what the verifier can see bounded; idx < 127 is what holds */
	barrier_var(idx);
	((__u64 *)u->st)[idx & 127] = u->r->ip;
	u->r->n = idx + 1;
	u->r->hash = hash_mix(u->r->hash, u->r->ip);
	pc = u->r->exact ? u->r->ip : u->r->ip - 1;
	m = find_map(u->r, pm, pc);
	if (!m) {
		u->r->unknown_map = true;
		u->r->status = 2;
		return 1;
	}
	if (!m->row_count) {
		/* no unwind table: frame pointers for this frame (auto), or the end (dwarf) */
		if (!fp_fallback || !u->r->bp || read_user(&ra, u->r->bp + 8) || read_user(&bp, u->r->bp)) {
			u->r->status = 2;
			return 1;
		}
		u->r->sp = u->r->bp + 16;
		u->r->bp = bp;
		u->r->ip = ra;
		u->r->exact = false;
		return 0;
	}
	r = find_row(u->r, m, pc - m->bias);
	if (!r || r->type == FT_CFA_UNDEF) {
		u->r->status = 1;	/* _start and the like: the end of the stack */
		return 1;
	}
	if (r->type == FT_CFA_SIGNAL) {
		/* rt_sigframe: the interrupted registers are in the ucontext at sp */
		if (read_user(&ra, u->r->sp + 168) || read_user(&bp, u->r->sp + 120) ||
		    read_user(&cfa, u->r->sp + 160)) {
			u->r->status = 2;
			return 1;
		}
		u->r->ip = ra;
		u->r->bp = bp;
		u->r->sp = cfa;
		u->r->exact = true;
		return 0;
	}
	if (r->type == FT_CFA_RBP)
		cfa = u->r->bp + r->cfa_off;
	else
		cfa = u->r->sp + r->cfa_off;
	if (r->type == FT_CFA_PLT && (u->r->ip & 15) >= (__u64)r->rbp_off)
		cfa += 8;
	if (r->type != FT_CFA_PLT && r->rbp_off == -16) {
		/* push %rbp right after the call, the usual case: one read for both */
		__u64 pair[2];

		if (bpf_probe_read_user(pair, sizeof(pair), (const void *)(cfa - 16))) {
			u->r->status = 2;
			return 1;
		}
		u->r->bp = pair[0];
		ra = pair[1];
	} else {
		if (read_user(&ra, cfa - 8)) {
			u->r->status = 2;
			return 1;
		}
		if (r->type != FT_CFA_PLT && r->rbp_off &&
		    read_user(&u->r->bp, cfa + r->rbp_off)) {
			u->r->status = 2;
			return 1;
		}
	}
	u->r->sp = cfa;
	u->r->ip = ra;
	u->r->exact = false;
	return 0;
}

/* Asks user space, at most once a second per process, to read its mappings again. */
static __always_inline void report_unknown_mapping(__u32 tgid)
{
	__u64 now = bpf_ktime_get_ns(), *last = bpf_map_lookup_elem(&unknown_reported, &tgid);
	struct ft_proc_event *ev;

	if (last && now - *last < 1000000000ull)
		return;
	bpf_map_update_elem(&unknown_reported, &tgid, &now, BPF_ANY);
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev)
		return;
	ev->type = EVENT_UNKNOWN_MAPPING;
	ev->tgid = tgid;
	ev->ptag = 0;
	bpf_ringbuf_submit(ev, 0);
}

/*
 * x86-64's registers as the ABI lays them out (ptrace's user_regs_struct,
 * the perf_event context, and the kernel's pt_regs alike): a fixed layout,
 * so no CO-RE relocation — each relocated type costs libbpf a scan of the
 * kernel's whole BTF at every start.
 */
struct ft_regs {
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	__u64 ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

/*
 * Walks the user stack with the unwind tables; returns the stack's hash,
 * or 0 when this process has no tables yet (the caller uses frame pointers).
 */
static __always_inline __u64 dwarf_stack(void *ctx, __u32 tgid, struct scratch *s, __u32 *flags)
{
	struct ft_unwind_state u = { .r = &s->regs, .st = &s->ustack };
	struct ft_unwind_regs *r = &s->regs;
	struct ft_regs *cr = ctx;	/* bpf_perf_event_data starts with the registers */
	struct task_struct *task;
	struct ft_regs *regs;
	__u32 end;

	u.pm = bpf_map_lookup_elem(&unwind_procs, &tgid);
	if (!u.pm)
		return 0;
	if (cr->cs & 3) {	/* user mode; ctx fields are read whole */
		r->ip = cr->ip;
		r->sp = cr->sp;
		r->bp = cr->bp;
	} else {
		/* in the kernel: the user registers saved at entry */
		task = bpf_get_current_task_btf();
		regs = (struct ft_regs *)bpf_task_pt_regs(task);
		if (!regs || bpf_probe_read_kernel(&r->ip, sizeof(r->ip), &regs->ip) ||
		    bpf_probe_read_kernel(&r->sp, sizeof(r->sp), &regs->sp) ||
		    bpf_probe_read_kernel(&r->bp, sizeof(r->bp), &regs->bp))
			return 0;
	}
	r->n = 0;
	r->status = 0;
	r->exact = 1;
	r->unknown_map = 0;
	r->last_map = FT_MAX_MAPS;
	r->hash = HASH_SEED;
	bpf_loop(MAX_STACK_DEPTH, unwind_step, &u, 0);
	if (r->unknown_map)
		report_unknown_mapping(tgid);
	end = r->n;
	if (!end || end > MAX_STACK_DEPTH)
		return 0;
	if (r->status == 2)
		*flags |= KEY_USTACK_PARTIAL;
	if (end == MAX_STACK_DEPTH && r->status == 0) {
		stat_inc(FT_STAT_TRUNCATED);
		*flags |= KEY_USTACK_TRUNC;
	} else if (end < MAX_STACK_DEPTH) {
		barrier_var(end);
		((__u64 *)&s->ustack)[end & 127] = 0;	/* user space reads up to the first 0 */
	}
	return hash_end(r->hash, end);
}

static __always_inline void notice_process(struct ft_stack_key *key)
{
	struct seen_key sk = { .tgid = key->tgid, .ptag = key->ptag };
	struct ft_proc_event *ev;
	__u8 one = 1;

	if (bpf_map_lookup_elem(&seen, &sk))
		return;
	bpf_map_update_elem(&seen, &sk, &one, BPF_ANY);
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		stat_inc(FT_STAT_EVENTS_LOST);
		return;
	}
	ev->type = EVENT_NEW_PROCESS;
	ev->tgid = key->tgid;
	ev->ptag = key->ptag;
	/* with unwind tables to build, user space should hear of it now, not at the drain */
	bpf_ringbuf_submit(ev, dwarf_unwind ? 0 : BPF_RB_NO_WAKEUP);
}

SEC("perf_event")
int on_sample(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, zero = 0;
	struct task_struct *task, *leader;
	struct ft_stack_key key = {};
	struct scratch *s;
	bool kthread;

	if (tgid == 0)		/* the idle task: not CPU anybody burns */
		return 0;
	if (filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return 0;
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup, 0) != 1)
		return 0;
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	stat_inc(FT_STAT_SAMPLES);

	task = (struct task_struct *)bpf_get_current_task();
	kthread = BPF_CORE_READ(task, flags) & 0x00200000;	/* PF_KTHREAD */
	leader = BPF_CORE_READ(task, group_leader);
	key.tgid = tgid;
	key.ptag = BPF_CORE_READ(leader, start_time) ^
		   ((__u64)BPF_CORE_READ(leader, self_exec_id) << 48);
	BPF_CORE_READ_STR_INTO(&key.comm, leader, comm);
	if (kernel_stacks)
		key.kstack = take_stack(ctx, &s->kstack, 0, KEY_KSTACK_TRUNC,
					KEY_KSTACK_ERROR, &key.flags);
	if (user_stacks && !kthread && dwarf_unwind)
		key.ustack = dwarf_stack(ctx, tgid, s, &key.flags);
	if (user_stacks && !kthread && !key.ustack)
		key.ustack = take_stack(ctx, &s->ustack, BPF_F_USER_STACK, KEY_USTACK_TRUNC,
					KEY_USTACK_ERROR, &key.flags);
	if (!kernel_stacks && kthread)
		return 0;	/* --no-kernel: a kernel thread has no user frames */

	if (epoch & 1)
		count(&counts1, &stacks1, &key, s);
	else
		count(&counts0, &stacks0, &key, s);
	notice_process(&key);
	return 0;
}

/* -p: follow processes forked by the targets, and forget those that exit. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;

	if (!filter_pids || ptgid == ctgid || !bpf_map_lookup_elem(&pids, &ptgid))
		return 0;
	bpf_map_update_elem(&pids, &ctgid, &one, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid;

	if (!filter_pids)
		return 0;
	/* the whole thread group is gone once signal->live drops to zero */
	if (BPF_CORE_READ(task, signal, live.counter) == 0)
		bpf_map_delete_elem(&pids, &tgid);
	return 0;
}

/*
 * Kernel symbols without /proc/kallsyms: the kernel spends most of a read of
 * that file formatting lines we would parse back.  This iterator writes
 * binary records of the text symbols instead (the names are still expanded
 * by the kernel, symbol by symbol).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ft_ksym_rec);
} ksym_rec SEC(".maps");

SEC("iter/ksym")
int dump_ksyms(struct bpf_iter__ksym *ctx)
{
	struct kallsym_iter *it = ctx->ksym;
	struct ft_ksym_rec *r;
	__u32 zero = 0, len;
	long n;
	char t;

	if (!it || !it->show_value)	/* kptr_restrict: no addresses for us */
		return 0;
	t = it->type | 0x20;
	if (t != 't' && t != 'w')
		return 0;
	r = bpf_map_lookup_elem(&ksym_rec, &zero);
	if (!r)
		return 0;
	r->addr = it->value;
	n = bpf_probe_read_kernel_str(r->name, sizeof(r->name), it->name);
	if (n <= 1)
		return 0;
	len = (__u32)n;
	if (len > sizeof(r->name))
		return 0;
	bpf_seq_write(ctx->meta->seq, r, sizeof(r->addr) + len);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
