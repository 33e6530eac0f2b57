// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * flametop's sampler: one perf_event program on a cpu-clock event per CPU.
 *
 * Counting happens here: each sample adds one to a count keyed by (process,
 * kernel stack, user stack).  Stacks are stored once, by hash, in a hash
 * map.  Counts and stacks are double-buffered by `epoch`: user space flips
 * the epoch, waits an RCU grace period (no program still runs with the old
 * value), then drains and clears the old buffers — nothing is lost or
 * counted twice.  User stacks are walked with unwind tables where a process
 * has them (unwind.bpf.h), else taken by bpf_get_stack (frame pointers).
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
/* off-CPU (--event offcpu): blocks shorter than this are left out; the states counted */
const volatile __u64 min_block_ns = 1000;
const volatile __u32 offcpu_states = FT_STATE_INTERRUPTIBLE | FT_STATE_UNINTERRUPTIBLE;
const volatile __u32 offcpu_every = 1;	/* --offcpu-sample N: one switch-out in N */
const volatile bool offcpu = false;	/* the switch program runs: exits forget blocks */
/*
 * make bench only (FLAMETOP_BPF_CUT=N): the sample program stops after its
 * step N, so that each step's cost shows in bpf_stats.  0, the default,
 * runs all; the verifier drops the tests, as for every rodata constant.
 */
const volatile __u32 bench_cut = 0;
#define CUT_AFTER(step) (bench_cut && bench_cut <= (step))

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
/* off-CPU: nanoseconds blocked, by (who, kernel stack, user stack) */
COUNT_MAP(offcounts0);
COUNT_MAP(offcounts1);

/* Threads off the CPU now, by tid: their switch-out's time and stacks. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct ft_off_start);
} offcpu_start SEC(".maps");

/*
 * Their stacks, taken at switch-out and copied into the epoch's stack map
 * at switch-in (a block may span drains).  LRU: a stack of a block that
 * outlives its eviction is counted, flagged lost.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ft_stack);
} offstacks SEC(".maps");

/* the block being remembered, built here (too big for the BPF stack) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ft_off_start);
} offcpu_start_new SEC(".maps");

STACK_MAP(stacks0);
STACK_MAP(stacks1);

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

/*
 * The image each process runs now, by the tag of its latest exec: user
 * space reads /proc/PID/maps, then checks here that they are still the
 * image it wanted them for (an exec meanwhile would name old samples from
 * the new image: wrong names are worse than none).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} images SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

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

static long hash_step(__u32 i, void *data)
{
	struct hash_ctx *c = data;

	if (i >= MAX_STACK_DEPTH)
		return 1;
	c->h = ft_hash_mix(c->h, c->st->ip[i]);
	return 0;
}

/* bpf_loop keeps verification linear whatever the depth. */
static __always_inline __u64 hash_stack(struct ft_stack *st, __u32 nr)
{
	struct hash_ctx c = { .st = st, .h = FT_HASH_SEED };

	bpf_loop(nr, hash_step, &c, 0);
	return ft_hash_end(c.h, nr);
}

/* the user stack walker (--unwind dwarf and auto) */
#include "unwind.bpf.h"

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
	if (!nr || CUT_AFTER(3))
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

	/* stored already this epoch: a lookup, no lock, no copy of its kilobyte */
	if (!*hash || bpf_map_lookup_elem(stacks, hash))
		return;
	err = bpf_map_update_elem(stacks, hash, st, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST */) {
		stat_inc(FT_STAT_STACKS_FULL);
		*flags |= lost;
		*hash = 0;
	}
}

/* Adds v to key's count in counts. */
static __always_inline void add_count(void *counts, struct ft_stack_key *key, __u64 v)
{
	__u64 *c = bpf_map_lookup_elem(counts, key);

	if (c) {
		__sync_fetch_and_add(c, v);
		return;
	}
	if (bpf_map_update_elem(counts, key, &v, BPF_NOEXIST) == 0)
		return;
	c = bpf_map_lookup_elem(counts, key);	/* another CPU added it first */
	if (c)
		__sync_fetch_and_add(c, v);
	else
		stat_inc(FT_STAT_COUNTS_FULL);
}

/*
 * Counts one sample; true when its key is new this epoch.  A key counted
 * already has its stacks stored (its first sample stored them, or lost
 * them and has a key of its own) and its process noticed: one lookup.
 */
static __always_inline bool count(void *counts, void *stacks, struct ft_stack_key *key,
				  struct scratch *s)
{
	__u64 *c = bpf_map_lookup_elem(counts, key);

	if (c) {
		__sync_fetch_and_add(c, 1);
		return false;
	}
	store_stack(stacks, &key->kstack, &s->kstack, KEY_KSTACK_LOST, &key->flags);
	store_stack(stacks, &key->ustack, &s->ustack, KEY_USTACK_LOST, &key->flags);
	if (CUT_AFTER(6))
		return false;
	add_count(counts, key, 1);
	return true;
}

/* What tells one process image from another: its start time and exec count. */
static __always_inline __u64 image_tag(struct task_struct *leader)
{
	/* a BTF pointer: plain loads, no helper call each */
	return leader->start_time ^ ((__u64)leader->self_exec_id << 48);
}

/*
 * A task's comm, two plain loads through its BTF pointer (the verifier
 * allows any load inside a member array).  Racy against a rename as the
 * kernel's own readers are: a name read while it changes may mix the two,
 * or show the old name's tail after the new one's end.
 */
static __always_inline void copy_comm(char *dst, struct task_struct *t)
{
	const __u64 *src = (const __u64 *)t->comm;

	((__u64 *)dst)[0] = src[0];
	((__u64 *)dst)[1] = src[1];
}

static __always_inline void notice_process(struct ft_stack_key *key)
{
	struct seen_key sk = { .tgid = key->tgid, .ptag = key->ptag };
	struct ft_proc_event *ev;
	__u8 one = 1;

	if (bpf_map_lookup_elem(&seen, &sk))
		return;
	bpf_map_update_elem(&seen, &sk, &one, BPF_ANY);
	/* a new image's first sample (or its exec): no sample of an older one follows */
	bpf_map_update_elem(&images, &key->tgid, &key->ptag, BPF_ANY);
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
	bool kthread, fresh;

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
	if (CUT_AFTER(1))
		return 0;

	/* BTF pointers: their fields are plain loads, not a helper call each */
	task = bpf_get_current_task_btf();
	kthread = task->flags & 0x00200000;	/* PF_KTHREAD */
	leader = task->group_leader;
	key.tgid = tgid;
	key.tid = (__u32)id;
	key.cgroup = bpf_get_current_cgroup_id();
	key.ptag = image_tag(leader);
	/* the kernel pads a comm with zeros (strscpy_pad): plain loads, no string scan */
	copy_comm(key.tcomm, task);
	copy_comm(key.comm, leader);
	/* cut short, the program must still have processes get their tables */
	if (bench_cut && dwarf_unwind && !bpf_map_lookup_elem(&unwind_procs, &tgid))
		notice_process(&key);
	if (CUT_AFTER(2))
		return 0;
	/* interrupted in user mode, the kernel has no frames to give: no call for none */
	if (kernel_stacks && !(((struct ft_regs *)ctx)->cs & 3))
		key.kstack = take_stack(ctx, &s->kstack, 0, KEY_KSTACK_TRUNC,
					KEY_KSTACK_ERROR, &key.flags);
	if (CUT_AFTER(4))
		return 0;
	if (user_stacks && !kthread && dwarf_unwind)
		key.ustack = dwarf_stack(ctx, true, tgid, key.ptag, &s->regs, &s->ustack, &key.flags);
	if (user_stacks && !kthread && !key.ustack)
		key.ustack = take_stack(ctx, &s->ustack, BPF_F_USER_STACK, KEY_USTACK_TRUNC,
					KEY_USTACK_ERROR, &key.flags);
	if (!kernel_stacks && kthread)
		return 0;	/* --no-kernel: a kernel thread has no user frames */
	if (CUT_AFTER(5))
		return 0;
	if (epoch & 1)
		fresh = count(&counts1, &stacks1, &key, s);
	else
		fresh = count(&counts0, &stacks0, &key, s);
	if (CUT_AFTER(7) || !fresh)
		return 0;
	notice_process(&key);
	return 0;
}

/* A stack taken at switch-out, into the epoch's stack map at switch-in. */
static __always_inline void copy_stack(void *stacks, __u64 *hash, __u32 lost, __u32 *flags)
{
	struct ft_stack *st;
	long err;

	/* most blocks wait where others did this epoch: their stack is there already */
	if (!*hash || bpf_map_lookup_elem(stacks, hash))
		return;
	st = bpf_map_lookup_elem(&offstacks, hash);
	err = st ? bpf_map_update_elem(stacks, hash, st, BPF_NOEXIST) : -2;
	if (err && err != -17 /* EEXIST */) {
		stat_inc(st ? FT_STAT_STACKS_FULL : FT_STAT_OFFCPU_STACKS_LOST);
		*flags |= lost;
		*hash = 0;
	}
}

/* A thread back on the CPU: the time it was blocked, to its switch-out's stacks. */
static __always_inline void switch_in(struct task_struct *next)
{
	__u32 tid = next->pid;
	struct ft_off_start *st = bpf_map_lookup_elem(&offcpu_start, &tid);
	struct ft_stack_key key;
	__u64 delta, weight;
	bool same;

	if (!st)
		return;
	delta = bpf_ktime_get_ns() - st->ts;
	key = st->key;
	weight = st->weight;
	/* a tid reused by a thread that never blocked: the entry is a dead thread's */
	same = st->start_time == next->start_time;
	bpf_map_delete_elem(&offcpu_start, &tid);
	if (!same || delta < min_block_ns)
		return;
	delta *= weight;	/* one block in N taken stands for N */
	if (epoch & 1) {
		copy_stack(&stacks1, &key.kstack, KEY_KSTACK_LOST, &key.flags);
		copy_stack(&stacks1, &key.ustack, KEY_USTACK_LOST, &key.flags);
		add_count(&offcounts1, &key, delta);
	} else {
		copy_stack(&stacks0, &key.kstack, KEY_KSTACK_LOST, &key.flags);
		copy_stack(&stacks0, &key.ustack, KEY_USTACK_LOST, &key.flags);
		add_count(&offcounts0, &key, delta);
	}
}

/* Whether this switch-out is one of the --offcpu-sample N taken. */
static __always_inline bool offcpu_take(void)
{
	/* at random: a fixed stride would take the same wait of a periodic thread each time */
	return offcpu_every <= 1 || bpf_get_prandom_u32() % offcpu_every == 0;
}

/* A stack into the off-CPU stack map; 0 when it could not be kept. */
static __always_inline void keep_stack(__u64 *hash, struct ft_stack *st, __u32 lost, __u32 *flags)
{
	/* a stack kept already (a lookup, no copy of its kilobyte) stays, and is fresh again */
	if (!*hash || bpf_map_lookup_elem(&offstacks, hash))
		return;
	if (bpf_map_update_elem(&offstacks, hash, st, BPF_ANY)) {
		stat_inc(FT_STAT_OFFCPU_STACKS_LOST);
		*flags |= lost;
		*hash = 0;
	}
}

/*
 * Off-CPU time (--event offcpu): at each context switch the thread leaving
 * the CPU to wait is remembered with its stacks (walked now, while they
 * are its own); the one coming in, if remembered, adds the time it was
 * away to those stacks.  Nothing crosses to user space per switch.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	struct ft_off_start *st;
	struct scratch *s;
	__u32 tgid = prev->tgid, tid = prev->pid, zero = 0;
	bool kthread;

	switch_in(next);
	/*
	 * Preempted (even between setting a sleep state and calling schedule):
	 * runnable, not waiting.  An idle kernel worker (TASK_IDLE) waits for work.
	 */
	if (preempt || !(prev_state & offcpu_states) || (prev_state & FT_STATE_NOLOAD) || !tid)
		return 0;
	if (filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return 0;
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup, 0) != 1)
		return 0;
	kthread = prev->flags & 0x00200000;	/* PF_KTHREAD */
	if ((!kernel_stacks && kthread) || !offcpu_take())
		return 0;
	s = bpf_map_lookup_elem(&scratch, &zero);
	st = bpf_map_lookup_elem(&offcpu_start_new, &zero);
	if (!s || !st)
		return 0;
	stat_inc(FT_STAT_OFFCPU_BLOCKS);
	__builtin_memset(&st->key, 0, sizeof(st->key));
	st->key.tgid = tgid;
	st->key.tid = tid;
	st->key.cgroup = bpf_get_current_cgroup_id();
	st->key.ptag = image_tag(prev->group_leader);
	copy_comm(st->key.tcomm, prev);
	copy_comm(st->key.comm, prev->group_leader);
	/* the two frames above __schedule are the tracepoint's and this program's */
	if (kernel_stacks)
		st->key.kstack = take_stack(ctx, &s->kstack, 2 & BPF_F_SKIP_FIELD_MASK,
					    KEY_KSTACK_TRUNC, KEY_KSTACK_ERROR, &st->key.flags);
	if (user_stacks && !kthread && dwarf_unwind)
		st->key.ustack = dwarf_stack(ctx, false, tgid, st->key.ptag, &s->regs, &s->ustack,
					     &st->key.flags);
	if (user_stacks && !kthread && !st->key.ustack)
		st->key.ustack = take_stack(ctx, &s->ustack, BPF_F_USER_STACK, KEY_USTACK_TRUNC,
					    KEY_USTACK_ERROR, &st->key.flags);
	keep_stack(&st->key.kstack, &s->kstack, KEY_KSTACK_LOST, &st->key.flags);
	keep_stack(&st->key.ustack, &s->ustack, KEY_USTACK_LOST, &st->key.flags);
	st->weight = offcpu_every;
	st->start_time = prev->start_time;
	st->ts = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&offcpu_start, &tid, st, BPF_ANY))
		stat_inc(FT_STAT_OFFCPU_LOST);
	notice_process(&st->key);
	return 0;
}

/*
 * An exec: the new image's process is noticed now, not at its first sample,
 * so that its unwind entry is there before its first samples — a process
 * that lives 20 ms is sampled twice.  (Loaded with the unwinder only.)
 */
SEC("raw_tp/sched_process_exec")
int on_exec(void *ctx)
{
	/* a raw tracepoint (tp_btf would have libbpf read the kernel's whole BTF
	 * to attach it); the task that execs is current */
	struct task_struct *p = bpf_get_current_task_btf();
	struct ft_stack_key key = {};
	__u32 tgid = p->tgid;

	if (filter_pids && !bpf_map_lookup_elem(&pids, &tgid))
		return 0;
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup, 0) != 1)
		return 0;
	key.tgid = tgid;
	key.ptag = image_tag(p);	/* after an exec the task is its group's leader */
	/* the old image's mappings are nobody's now: the kernel's serve until the new ones come */
	bpf_map_delete_elem(&unwind_procs, &tgid);
	notice_process(&key);
	return 0;
}

/* -p: follow processes forked by the targets, and forget those that exit. */
SEC("raw_tp/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	/* raw tracepoints, as on_exec: the parent is current, the child read */
	__u32 ptgid = bpf_get_current_task_btf()->tgid, ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (!filter_pids || ptgid == ctgid || !bpf_map_lookup_elem(&pids, &ptgid))
		return 0;
	bpf_map_update_elem(&pids, &ctgid, &one, BPF_ANY);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int on_exit(void *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();	/* the task that exits */
	__u32 tgid = task->tgid, tid = task->pid;

	if (offcpu)	/* a thread that exits waits no more (an exec's de_thread) */
		bpf_map_delete_elem(&offcpu_start, &tid);
	if (!filter_pids)
		return 0;
	/* the whole thread group is gone once signal->live drops to zero */
	if (BPF_CORE_READ(task, signal, live.counter) == 0)
		bpf_map_delete_elem(&pids, &tgid);
	return 0;
}

/* the kernel symbols' iterator */
#include "ksyms.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
