/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The user stack walker with unwind tables (sampler/unwind.c loads them):
 * from the user registers, per frame find the pc's rule (in a per-CPU
 * cache, else the mapping and the row, through a per-page index), compute
 * the CFA, read the return address and saved rbp (from a copy of the stack
 * taken 512 bytes at a time).  bpf_loop over the frames, bounded loops for
 * the searches, whose state lives in the per-CPU scratch map value so that
 * the verifier converges.  No kfunc: with none, libbpf need not read the
 * kernel's BTF when it is given a small one (sampler/kbtf.c).
 *
 * Included once by profile.bpf.c (one program, one skeleton), after what it
 * uses from there: the fp_fallback rodata, the events ring buffer,
 * stat_inc(), ft_hash_mix(), ft_hash_end() and FT_HASH_SEED.
 */
#ifndef FLAMETOP_UNWIND_BPF_H
#define FLAMETOP_UNWIND_BPF_H

/* the bytes of user stack one read copies: a few frames' worth */
#define FT_WIN 512

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
	__u32 vma_ok;		/* vma_map holds the kernel's mapping of the last lookup */
	struct ft_map vma_map;	/* a mapping found by bpf_find_vma, with its file's table */
	__u64 hash;		/* of the frames so far, as hash_stack() would make it */
	__u64 win_lo;		/* the user address of win[0] */
	__u32 win_len;		/* the bytes of stack win holds: 0 (none yet) to FT_WIN */
	__u32 pad;
	__u64 win[FT_WIN / 8 + 1];	/* a copy of the stack; a word of slack for the verifier */
};

/*
 * DWARF unwinding: sized by user space before load (1 entry when off);
 * mmapable, so that user space copies a table in rather than update the
 * map entry by entry.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ft_unwind_row);
} unwind_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
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

/* files' tables by identity: user space adds them as it builds them */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);		/* sized by user space */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ft_file_key);
	__type(value, struct ft_file_table);
} unwind_files SEC(".maps");

/* the frames' rules (FT_RULE_SLOTS), one value per CPU: sized by user space */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ft_rule_cache);
} rule_cache SEC(".maps");

/* when each process last reported an address outside its known mappings */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} unknown_reported SEC(".maps");

struct ft_unwind_state {
	struct ft_unwind_regs *r;
	struct ft_stack *st;
	struct ft_proc_maps *pm;	/* the process's entry, or no_maps' (generation 0) */
	struct ft_rule_cache *rc;	/* this CPU's, or NULL */
};

/* An entry with no mappings, for processes without one: all from bpf_find_vma */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ft_proc_maps);
} no_maps SEC(".maps");

struct vma_ctx {
	struct ft_map m;
	__u32 found;
};

/* bpf_find_vma's callback: the mapping, and its file's table if there is one. */
static long vma_found(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_ctx *c = data;
	struct ft_file_key key = {};
	struct ft_file_table *t;
	struct file *f = vma->vm_file;

	if (!(vma->vm_flags & 0x4))	/* VM_EXEC: a return address into data is no frame */
		return 0;
	c->m.start = vma->vm_start;
	c->m.end = vma->vm_end;
	c->found = 1;
	if (!f)
		return 0;	/* anonymous: a JIT's code, frame pointers */
	key.ino = BPF_CORE_READ(f, f_inode, i_ino);
	key.dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	t = bpf_map_lookup_elem(&unwind_files, &key);
	if (!t)
		return 0;
	/* address - vaddr = start - file offset of start + (offset - vaddr) */
	c->m.bias = c->m.start - (vma->vm_pgoff << 12) + t->adj;
	c->m.row_start = t->row_start;
	c->m.row_count = t->row_count;
	c->m.page_start = t->page_start;
	c->m.page_base = t->page_base;
	c->m.npages = t->npages;
	return 0;
}

/*
 * The kernel's mapping of pc into *m, with its file's table; 0 when there
 * is none.  A global function: the verifier checks it (and the callback
 * inside) once, on its own, not inside the frame loop's callback.
 */
__noinline int ft_vma_map(struct ft_map *m, __u64 pc)
{
	struct vma_ctx c = {};

	if (!m || bpf_find_vma(bpf_get_current_task_btf(), pc, vma_found, &c, 0) || !c.found)
		return 0;
	*m = c.m;
	return 1;
}

/*
 * The kernel's mapping of pc, for a process without an entry of its own
 * (or code past its entry's mappings); NULL when there is none.
 */
static __always_inline struct ft_map *find_vma_map(struct ft_unwind_regs *r, __u64 pc)
{
	if (r->vma_ok && r->vma_map.start <= pc && pc < r->vma_map.end)
		return &r->vma_map;
	r->vma_ok = ft_vma_map(&r->vma_map, pc);
	return r->vma_ok ? &r->vma_map : NULL;
}

/* The mapping holding pc: binary search of the process's sorted mappings. */
static __always_inline struct ft_map *find_map(struct ft_unwind_regs *r,
					       struct ft_proc_maps *pm, __u64 pc)
{
	__u32 i, mid, lo = r->last_map;

	/* most frames of a stack are in the same file as the one before */
	if (lo < FT_MAX_MAPS) {
		lo &= FT_MAX_MAPS - 1;
		if (pm->m[lo].start <= pc && pc < pm->m[lo].end)
			return &pm->m[lo];
	}
	r->lo = 0;
	r->hi = pm->n;
#pragma clang loop unroll(disable)
	for (i = 0; i < 10 && r->lo < r->hi; i++) {	/* 10 > log2(FT_MAX_MAPS + 1) */
		mid = (r->lo + r->hi) / 2;
		/* FT_MAX_MAPS is a power of two: the mask shows the verifier the bound */
		if (pm->m[mid & (FT_MAX_MAPS - 1)].end <= pc)
			r->lo = mid + 1;
		else
			r->hi = mid;
	}
	lo = r->lo;
	if (lo >= FT_MAX_MAPS || lo >= pm->n)
		return NULL;
	barrier_var(lo);	/* keeps the mask, which the verifier needs on the register used */
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
	__u32 start = m->row_start, end = m->row_start + m->row_count, mid, k, i;
	struct ft_unwind_row *row;
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
#pragma clang loop unroll(disable)
	for (i = 0; i < 24 && r->lo < r->hi; i++) {	/* 24 > log2(UNWIND_ROWS) */
		mid = r->lo + (r->hi - r->lo) / 2;
		row = bpf_map_lookup_elem(&unwind_rows, &mid);
		if (!row)
			break;
		if (row->pc <= vaddr)
			r->lo = mid + 1;
		else
			r->hi = mid;
	}
	if (r->lo <= start)
		return NULL;
	mid = r->lo - 1;
	return bpf_map_lookup_elem(&unwind_rows, &mid);
}

/* Stops the walk: status 1 at the stack's end, 2 where it could not go on. */
static __always_inline long walk_stop(struct ft_unwind_regs *r, __u32 status)
{
	r->status = status;
	return 1;
}

/* Goes on to the caller, whose registers these are. */
static __always_inline long walk_on(struct ft_unwind_regs *r, __u64 ip, __u64 sp, __u64 bp,
				    bool exact)
{
	r->ip = ip;
	r->sp = sp;
	r->bp = bp;
	r->exact = exact;
	return 0;
}

/*
 * size (8 or 16) bytes of the user stack at addr into dst, from the copy
 * in r->win: a frame's words are mostly a few hundred bytes above the
 * last, so one helper call serves several frames.  A copy starts at the
 * frame's sp when addr is near it; where FT_WIN bytes cannot be read (the
 * stack's end is near), what is left of the page; where not even that
 * holds addr's words, they are read alone, as is a word not aligned (no
 * compiler's).
 */
static __always_inline int read_stack(struct ft_unwind_regs *r, __u64 *dst, __u64 addr,
				      __u32 size)
{
	__u64 off = addr - r->win_lo, base;
	__u32 len = FT_WIN;

	if (addr & 7)
		return bpf_probe_read_user(dst, size, (const void *)addr);
	if (off >= r->win_len || r->win_len - off < size) {
		base = r->sp <= addr && addr + size - r->sp <= FT_WIN ? r->sp & ~7ull : addr;
		r->win_len = 0;
		if (bpf_probe_read_user(r->win, FT_WIN, (const void *)base)) {
			len = 4096 - (base & 4095);
			if (len > FT_WIN)
				len = FT_WIN;
			if (addr + size - base > len ||
			    bpf_probe_read_user(r->win, len, (const void *)base))
				return bpf_probe_read_user(dst, size, (const void *)addr);
		}
		r->win_lo = base;
		r->win_len = len;
		off = addr - base;
	}
	off >>= 3;
	barrier_var(off);	/* off <= (FT_WIN - size) / 8 holds; the mask is for the verifier */
	off &= FT_WIN / 8 - 1;
	dst[0] = r->win[off];
	if (size == 16)
		dst[1] = r->win[off + 1];
	return 0;
}

/* No unwind table: frame pointers for this frame (auto), or the end (dwarf). */
static __always_inline long step_frame_pointer(struct ft_unwind_regs *r)
{
	__u64 pair[2];	/* the caller's rbp, the return address */

	if (!fp_fallback || !r->bp || read_stack(r, pair, r->bp, 16))
		return walk_stop(r, 2);
	return walk_on(r, pair[1], r->bp + 16, pair[0], false);
}

/* rt_sigframe: the interrupted registers are in the ucontext at sp. */
static __always_inline long step_signal_frame(struct ft_unwind_regs *r)
{
	__u64 bp, sp_ip[2];	/* rbp; rsp and rip, next to each other */

	if (read_stack(r, &bp, r->sp + 120, 8) || read_stack(r, sp_ip, r->sp + 160, 16))
		return walk_stop(r, 2);
	return walk_on(r, sp_ip[1], sp_ip[0], bp, true);
}

/* A row's rule: the CFA from rsp or rbp, the return address below it, rbp saved near it. */
static __always_inline long step_row(struct ft_unwind_regs *r, const struct ft_unwind_row *row)
{
	__u64 cfa, ra, bp = r->bp;

	if (row->type == FT_CFA_RBP)
		cfa = r->bp + row->cfa_off;
	else
		cfa = r->sp + row->cfa_off;
	if (row->type == FT_CFA_PLT && (r->ip & 15) >= (__u64)row->rbp_off)
		cfa += 8;
	if (row->type != FT_CFA_PLT && row->rbp_off == -16) {
		/* push %rbp right after the call, the usual case: one read for both */
		__u64 pair[2];

		if (read_stack(r, pair, cfa - 16, 16))
			return walk_stop(r, 2);
		bp = pair[0];
		ra = pair[1];
	} else {
		if (read_stack(r, &ra, cfa - 8, 8))
			return walk_stop(r, 2);
		if (row->type != FT_CFA_PLT && row->rbp_off &&
		    read_stack(r, &bp, cfa + row->rbp_off, 8))
			return walk_stop(r, 2);
	}
	return walk_on(r, ra, cfa, bp, false);
}

/* The slot of this CPU's rule cache for pc in the entry of generation gen. */
static __always_inline struct ft_rule_slot *rule_slot(struct ft_rule_cache *rc, __u32 gen,
						      __u64 pc)
{
	__u64 h = (pc ^ ((__u64)gen << 32)) * 0x9e3779b97f4a7c15ull;

	return &rc->s[(h >> 52) & (FT_RULE_SLOTS - 1)];
}

/*
 * pc's rule into *rule, searched in the process's entry pm (or, past it or
 * for a process without one — no_maps', generation 0 —, the kernel's
 * mappings), and kept in this CPU's cache rc (may be NULL) when the entry
 * has it; the caller looked there first.
 * No table or no FDE for pc: type FT_CFA_NOFDE.  0 when pc is in no
 * mapping.  A global function: the verifier checks its paths (the
 * searches' loops) once, on their own; the frame loop goes on from one
 * state whatever the path.
 */
__noinline int ft_find_rule(struct ft_unwind_regs *r, struct ft_proc_maps *pm,
			    struct ft_rule_cache *rc, __u64 pc, struct ft_unwind_row *rule)
{
	struct ft_rule_slot *slot = NULL;
	struct ft_unwind_row *row = NULL;
	struct ft_map *m;
	__u32 gen;

	if (!r || !pm || !rule)
		return 0;
	gen = pm->gen;		/* read once: the entry may be replaced meanwhile */
	if (rc && gen)
		slot = rule_slot(rc, gen, pc);
	m = find_map(r, pm, pc);
	if (!m) {
		m = find_vma_map(r, pc);
		/* code the kernel maps and we do not know of (a dlopen since): ask again */
		r->unknown_map |= m && gen;
		if (!m)
			return 0;
		slot = NULL;	/* the kernel's mapping, not the entry's: not cached */
	}
	if (m->row_count)	/* else JIT code, a file without tables */
		row = find_row(r, m, pc - m->bias);
	if (row)
		*rule = *row;
	else
		*rule = (struct ft_unwind_row){ .type = FT_CFA_NOFDE };
	/* the entry searched is the one whose generation was read, whole */
	asm volatile("" ::: "memory");
	if (slot && pm->gen == gen && pm->gen_end == gen) {
		/* a program interrupting this write finds no half-written slot */
		slot->gen = 0;
		asm volatile("" ::: "memory");
		slot->pc = pc;
		slot->row = *rule;
		asm volatile("" ::: "memory");
		slot->gen = gen;
	}
	return 1;
}

/* One frame: record ip, then find the caller's ip, sp and bp. */
static long unwind_step(__u32 i, void *data)
{
	struct ft_unwind_state *u = data;
	struct ft_rule_slot *slot;
	struct ft_unwind_row rule;
	__u64 pc;
	__u32 gen;

	__u32 idx = i;

	if (idx >= MAX_STACK_DEPTH || !u->r->ip)
		return walk_stop(u->r, 1);
	/* the mask is what the verifier can see bounded; idx < 127 is what holds */
	barrier_var(idx);
	((__u64 *)u->st)[idx & 127] = u->r->ip;
	u->r->n = idx + 1;
	u->r->hash = ft_hash_mix(u->r->hash, u->r->ip);
	pc = u->r->exact ? u->r->ip : u->r->ip - 1;
	/* return addresses repeat: most frames' rules are in the cache, no call */
	gen = u->pm->gen;
	slot = u->rc && gen ? rule_slot(u->rc, gen, pc) : NULL;
	if (slot && slot->pc == pc && slot->gen == gen)
		rule = slot->row;
	else if (!ft_find_rule(u->r, u->pm, u->rc, pc, &rule))
		return walk_stop(u->r, 2);
	if (rule.type == FT_CFA_NOFDE)
		return step_frame_pointer(u->r);	/* code no FDE covers */
	if (rule.type == FT_CFA_UNDEF)
		return walk_stop(u->r, 1);	/* _start and the like: the root */
	if (rule.type == FT_CFA_UNKNOWN)
		return walk_stop(u->r, 2);
	if (rule.type == FT_CFA_SIGNAL)
		return step_signal_frame(u->r);
	return step_row(u->r, &rule);
}

/* Asks user space, at most once a second per process, to read its mappings again. */
static __always_inline void report_unknown_mapping(__u32 tgid, __u64 ptag)
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
	ev->ptag = ptag;	/* the image whose mappings to read again, no other */
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
 * Walks the user stack with the unwind tables into ust (in a map value, with
 * 8 bytes after it: struct scratch's slack); r is scratch too: through the
 * process's entry, or while it has none, the kernel's mappings and the
 * files' tables.  ctx is a perf event's registers when regs_ctx (else the
 * thread is in the kernel: its user registers are those saved at entry).
 * Returns the stack's hash, or 0 when the user registers cannot be read
 * (the caller uses frame pointers).
 */
static __always_inline __u64 dwarf_stack(void *ctx, bool regs_ctx, __u32 tgid, __u64 ptag,
					 struct ft_unwind_regs *r,
					 struct ft_stack *ust, __u32 *flags)
{
	struct ft_unwind_state u = { .r = r, .st = ust };
	struct ft_regs *cr = ctx;	/* bpf_perf_event_data starts with the registers */
	struct task_struct *task;
	struct ft_regs *regs;
	__u32 end, zero = 0, cpu = bpf_get_smp_processor_id();

	/* none yet (a new or short-lived process): the kernel's mappings, per frame */
	u.pm = bpf_map_lookup_elem(&unwind_procs, &tgid);
	if (!u.pm) {
		u.pm = bpf_map_lookup_elem(&no_maps, &zero);
		if (!u.pm)
			return 0;
	}
	u.rc = bpf_map_lookup_elem(&rule_cache, &cpu);
	if (regs_ctx && (cr->cs & 3)) {	/* user mode; ctx fields are read whole */
		r->ip = cr->ip;
		r->sp = cr->sp;
		r->bp = cr->bp;
		/* keeps clang from merging these loads with the other branch's: the
		 * verifier refuses a ctx pointer moved by an offset */
		asm volatile("" ::: "memory");
	} else {
		/* in the kernel: the user registers saved at entry */
		task = bpf_get_current_task_btf();
		regs = (struct ft_regs *)bpf_task_pt_regs(task);
		/* one read up to sp, into the window (empty from here on) */
		if (!regs || bpf_probe_read_kernel(r->win, offsetof(struct ft_regs, ss), regs))
			return 0;
		r->bp = r->win[offsetof(struct ft_regs, bp) / 8];
		r->ip = r->win[offsetof(struct ft_regs, ip) / 8];
		r->sp = r->win[offsetof(struct ft_regs, sp) / 8];
	}
	r->n = 0;
	r->status = 0;
	r->exact = 1;
	r->unknown_map = 0;
	r->last_map = FT_MAX_MAPS;
	r->vma_ok = 0;
	r->hash = FT_HASH_SEED;
	r->win_len = 0;
	bpf_loop(MAX_STACK_DEPTH, unwind_step, &u, 0);
	if (r->unknown_map)
		report_unknown_mapping(tgid, ptag);
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
		((__u64 *)ust)[end & 127] = 0;	/* user space reads up to the first 0 */
	}
	return ft_hash_end(r->hash, end);
}

#endif
