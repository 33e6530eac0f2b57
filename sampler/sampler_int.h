/* SPDX-License-Identifier: MIT */
/*
 * The sampler's state, shared by sampler.c (set-up, notices of new
 * processes, stats) and drain.c (the kernel's counts into frames).  Private
 * to sampler/.
 */
#ifndef FLAMETOP_SAMPLER_INT_H
#define FLAMETOP_SAMPLER_INT_H

#include <bpf/libbpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "profile.skel.h"
#include "../bpf/profile.h"
#include "ksyms.h"
#include "sampler.h"

/* DWARF unwinding: 2M rows (24 MB) hold libc, python3 and a few hundred more binaries */
#define UNWIND_ROWS (2u << 20)
#define UNWIND_PROCS 8192
#define UNWIND_FILES	4096	/* tables findable by file identity */
#define UNWIND_PAGES (1u << 20)	/* 4 MB: 4 GB of text */

#define BATCH 256	/* map entries per batched lookup */

struct stored_stack {
	uint64_t hash;
	struct ft_stack st;
};

#define TRIM_DRAINS 10	/* malloc_trim every this many drains */

struct sampler {
	unsigned long drains;
	struct profile_bpf *skel;
	struct bpf_link **links;
	size_t nlinks;
	struct ring_buffer *rb;
	struct symbolizer *sym;
	struct unwinder *unw;	/* NULL with --unwind fp */
	struct strtab *names;
	bool pids_mode, kernel;
	bool offcpu;		/* off-CPU time counted too (--event offcpu) */
	struct ksyms kcache;	/* the cached table, until handed to the symbolizer; n 0: none */
	int stats_fd;
	char cgroup_path[8192];	/* -c: the directory, to notice it is removed */
	dev_t cgroup_dev;
	ino_t cgroup_ino;
	uint32_t id_truncated, id_ktruncated, id_lost, id_klost, id_error, id_partial;
	/* drain buffers, reused */
	struct stored_stack *stacks;
	size_t nstacks, stacks_cap;
	uint64_t stacks_torn;	/* stacks read that did not match their key, left out */
	uint32_t *frames;
	size_t frames_cap;
	struct cgroup_names *cgnames;	/* made at the first drain */
};

/* Whether st hashes to key as the program hashes a stack (drain.c). */
bool sampler_stack_matches(const struct ft_stack *st, __u64 key);
/* Moves the stacks of stack map fd into s->stacks, those that match their key. */
int sampler_take_stacks(struct sampler *s, int fd);
/* Opens, sets and loads the BPF program for o (load.c): 0, or -1 with the reason in err. */
int sampler_load(struct sampler *s, const struct sampler_opts *o, bool dwarf, char *err,
		 size_t errlen);
/* Which CPUs are online: (*online)[0..*n) for every possible CPU, malloc'ed.  0 or -errno. */
int sampler_online_cpus(bool **online, int *n);
/* Formats the reason into err; returns -1. */
int sampler_fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* --event offcpu: the switch program's settings and map sizes (before load), its links (offcpu.c). */
void sampler_set_offcpu(struct sampler *s, const struct sampler_opts *o);
int sampler_attach_offcpu(struct sampler *s, char *err, size_t errlen);

#endif
