/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Structures shared by bpf/profile.bpf.c and sampler/: fixed-width fields
 * only, no pointers.
 */
#ifndef FLAMETOP_PROFILE_H
#define FLAMETOP_PROFILE_H

#define MAX_STACK_DEPTH 127
#define COMM_LEN 16

/* stack_key.flags */
#define KEY_KSTACK_LOST   (1u << 0)	/* kernel stack not stored (map full) */
#define KEY_USTACK_LOST   (1u << 1)
#define KEY_KSTACK_TRUNC  (1u << 2)	/* deeper than MAX_STACK_DEPTH */
#define KEY_USTACK_TRUNC  (1u << 3)
#define KEY_KSTACK_ERROR  (1u << 4)	/* the kernel could not walk it */
#define KEY_USTACK_ERROR  (1u << 5)
#define KEY_USTACK_PARTIAL (1u << 6)	/* unwinding stopped at a frame it could not unwind */

/* What one count in the kernel's count map is about: who ran which stacks. */
struct ft_stack_key {
	__u32 tgid;
	__u32 flags;
	__u64 ptag;		/* identity of the process image: start time, exec count */
	__u64 kstack;		/* hash of the kernel stack; 0 = none */
	__u64 ustack;		/* hash of the user stack; 0 = none */
	char comm[COMM_LEN];	/* the process (thread group leader) name */
	char tcomm[COMM_LEN];	/* the thread's own name */
	__u64 cgroup;		/* the thread's cgroup v2 id */
	__u32 tid;
	__u32 pad;
};

struct ft_stack {
	__u64 ip[MAX_STACK_DEPTH];
};

/*
 * A stack's key in the stack maps: its first nr frames hashed (FNV-1a-like,
 * per 64-bit address), then nr.  Never 0 (0 means "no stack").  User space
 * checks a stack it reads against its key with the same functions.
 */
#define FT_HASH_SEED 0xcbf29ce484222325ull

static inline __attribute__((always_inline)) __u64 ft_hash_mix(__u64 h, __u64 ip)
{
	h ^= ip;
	h *= 0x100000001b3ull;
	return h ^ (h >> 29);
}

static inline __attribute__((always_inline)) __u64 ft_hash_end(__u64 h, __u32 nr)
{
	h = ft_hash_mix(h, nr);
	return h ? h : 1;
}

enum ft_stat {
	FT_STAT_SAMPLES,		/* samples that passed the filter */
	FT_STAT_COUNTS_FULL,	/* samples lost: count map full */
	FT_STAT_STACKS_FULL,	/* stacks not stored: stack map full */
	FT_STAT_TRUNCATED,		/* stacks cut at MAX_STACK_DEPTH */
	FT_STAT_STACK_ERRORS,	/* bpf_get_stack() failed */
	FT_STAT_EVENTS_LOST,	/* new-process notices lost: ring buffer full */
	FT_STAT_OFFCPU_BLOCKS,	/* blocks counted (switch-outs that passed the filters) */
	FT_STAT_OFFCPU_LOST,	/* blocks not counted: the map of blocked threads full */
	FT_STAT_OFFCPU_STACKS_LOST,	/* a block's stack gone from the off-CPU stack map */
	FT_STAT_NR,
};

/* A thread that left the CPU to wait: since when, and what it was doing. */
struct ft_off_start {
	__u64 ts;		/* bpf_ktime_get_ns() at the switch-out */
	__u64 weight;		/* blocks it stands for (--offcpu-sample N) */
	__u64 start_time;	/* the thread's: a reused tid is another thread */
	struct ft_stack_key key;
};

/* prev_state bits of sched_switch counted by default: interruptible, uninterruptible */
#define FT_STATE_INTERRUPTIBLE	 1u
#define FT_STATE_UNINTERRUPTIBLE 2u
#define FT_STATE_NOLOAD		 0x400u	/* with D: TASK_IDLE, an idle kernel worker: not a wait */

/*
 * DWARF unwinding (--unwind dwarf|auto).  User space turns each executable
 * file's .eh_frame into rows "from this pc on, the CFA is rsp or rbp plus
 * an offset; the return address is at CFA - 8; the caller's rbp is at
 * CFA + rbp_off (0: unchanged)", sorted by pc, in one big array map; each
 * process gets its executable mappings with the range of rows of their file.
 */
#define FT_CFA_UNDEF  0		/* the return address is undefined: the stack's root */
#define FT_CFA_RSP    1
#define FT_CFA_RBP    2
#define FT_CFA_PLT    3		/* CFA = rsp + off + ((rip & 15) >= rbp_off ? 8 : 0) */
#define FT_CFA_SIGNAL 4		/* a signal frame: registers saved in the ucontext at rsp */
#define FT_CFA_NOFDE  5		/* no FDE covers this code: frame pointers (auto), or stop */
#define FT_CFA_UNKNOWN 6	/* a rule the walker does not evaluate: it stops here */

struct ft_unwind_row {
	__u32 pc;		/* ELF virtual address, from which the row applies */
	__s32 cfa_off;
	__s16 rbp_off;
	__u8 type;		/* FT_CFA_* */
	__u8 pad;
};

#define FT_MAX_MAPS 256	/* a process's code mappings; neighbours without tables are one */

struct ft_map {
	__u64 start, end;	/* the mapping's addresses */
	__u64 bias;		/* address - ELF virtual address */
	__u32 row_start;	/* the file's rows in unwind_rows; count 0: no unwind table */
	__u32 row_count;
	/*
	 * unwind_pages[page_start + k], k <= npages: the row (from row_start) in
	 * effect at the start of page page_base + k, so a lookup searches one
	 * page's rows; npages 0: search all the rows.
	 */
	__u32 page_start, page_base, npages, pad;
};

/*
 * A file's table by the file's identity, for code the walker finds through
 * the kernel's own mappings (bpf_find_vma) while its process has no entry
 * yet: a process's first samples, a short-lived process.  dev is the
 * kernel's encoding (major << 20 | minor).
 */
struct ft_file_key {
	__u64 dev, ino;
};

struct ft_file_table {
	__u32 row_start, row_count, page_start, page_base, npages, pad;
	__s64 adj;		/* file offset - ELF vaddr, alike for its code segments */
};

struct ft_proc_maps {
	__u32 n;		/* mappings, sorted by start */
	__u32 gen;		/* new with each entry user space writes (0: none, never cached) */
	struct ft_map m[FT_MAX_MAPS];
	/*
	 * gen again, written last: an entry replaced while a walk reads it
	 * (its memory reused at once) shows two that differ, and the walk
	 * caches nothing from it.
	 */
	__u32 gen_end;
	__u32 pad;
};

/*
 * The walker's cache of frames' rules, per CPU: a return address's rule by
 * (process entry, pc), as the search found it — return addresses repeat,
 * the searches need not.  A rule of type FT_CFA_NOFDE: frame pointers.
 */
#define FT_RULE_SLOTS 4096
struct ft_rule_slot {
	__u64 pc;
	__u32 gen;		/* the entry's; 0: empty */
	struct ft_unwind_row row;
	__u32 pad;
};

struct ft_rule_cache {
	struct ft_rule_slot s[FT_RULE_SLOTS];
};

#define EVENT_NEW_PROCESS 1
#define EVENT_UNKNOWN_MAPPING 2	/* an address in no known mapping: dlopen? */

/*
 * Kernel symbols, as the ksym iterator writes them for the symbolizer: text
 * symbols only, each an address and its NUL-terminated name, back to back.
 */
#define FT_KSYM_NAME_LEN 512	/* KSYM_NAME_LEN */

struct ft_ksym_rec {
	__u64 addr;
	char name[FT_KSYM_NAME_LEN];
};

struct ft_proc_event {
	__u32 type;
	__u32 tgid;
	__u64 ptag;
};

#endif
