/* SPDX-License-Identifier: MIT */
/*
 * sampler: the eBPF on-CPU sampler.  Opens and loads bpf/profile.bpf.c with
 * its filters, attaches one cpu-clock perf event per online CPU, notices new
 * processes as they are first sampled (so their mappings are read while
 * they live), and drains the kernel's counts once per time slice.
 */
#ifndef FLAMETOP_SAMPLER_H
#define FLAMETOP_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../profile/strtab.h"
#include "symbolize.h"
#include "unwind_cache.h"

enum sampler_target { SAMPLE_ALL, SAMPLE_PIDS, SAMPLE_CGROUP };
/* auto: unwind tables where a binary has them, frame pointers elsewhere */
enum sampler_unwind { UNWIND_AUTO, UNWIND_FP, UNWIND_DWARF };

struct sampler_opts {
	enum sampler_target target;
	const pid_t *pids;
	size_t npids;
	const char *cgroup;	/* what -c names: a path, container id or unit (cgroups.h) */
	unsigned freq;
	bool user, kernel;	/* which frames to take */
	enum sampler_unwind unwind;
	bool no_inline;		/* no frames for inlined functions */
	bool no_debuginfod;	/* no debug info from DEBUGINFOD_URLS (symbolize.h) */
	bool lines;		/* frames as "func:file.c:42" */
	/* what is counted: on-CPU samples, off-CPU blocked time (--event), or both */
	bool cpu, offcpu;
	uint64_t min_block_us;	/* off-CPU: shorter blocks are left out */
	unsigned offcpu_states;	/* FT_STATE_* bits counted; 0: interruptible and uninterruptible */
	unsigned offcpu_sample;	/* one switch-out in N (0 or 1: all) */
};

struct sampler_stats {
	uint64_t samples;	/* taken (passed the filter) */
	uint64_t lost;		/* not counted: count map full */
	uint64_t stacks_lost;	/* counted, stack missing: stack map full, or torn */
	uint64_t truncated;	/* stacks deeper than the limit */
	uint64_t stack_errors;
	uint64_t events_lost;
	uint64_t offcpu_blocks;		/* blocks taken (switch-outs that passed the filters) */
	uint64_t offcpu_lost;		/* not counted: too many threads blocked at once */
	uint64_t offcpu_stacks_lost;	/* counted, stack gone from the off-CPU stack map */
	uint64_t bpf_run_ns;	/* the program's run time, if bpf stats are on */
	uint64_t bpf_run_cnt;
	uint64_t offcpu_bpf_run_ns, offcpu_bpf_run_cnt;	/* the switch program's */
	/* DWARF unwinding */
	size_t unwind_tables, unwind_rows, unwind_rows_cap;	/* rows_cap 0: fp only */
	double unwind_build_seconds;	/* building and loading tables */
	size_t unwind_built;		/* tables built; the others came from the cache */
	struct unwind_cache_stats unwind_cache;
	char unwind_cache_off[160];	/* why there is no cache ("" when off by choice) */
	/* ELF files changed while read or over the bounds, debuginfod, renamed frames */
	struct symbolizer_stats sym;
};

/* What a count counts: on-CPU samples, or off-CPU nanoseconds blocked. */
enum sample_event { EVENT_CPU = 0, EVENT_OFFCPU = 1 };

struct who;
/*
 * Called once per distinct stack at each drain: what it counts (event),
 * who ran it (process, thread, container: profile/who.h), and frames,
 * strtab ids root first (markers, user frames, kernel frames; no process
 * frame: who's grouping gives it).  Both are borrowed for the call only.
 * A non-zero return stops the drain and is returned.
 */
typedef int (*sampler_stack_fn)(void *ctx, enum sample_event event, const struct who *who,
				const uint32_t *frames, size_t n, uint64_t count);

struct sampler;

/*
 * Sets everything up.  On failure returns NULL with a one-line reason (what
 * failed and how to fix it) in err.
 */
struct sampler *sampler__new(const struct sampler_opts *o, struct strtab *names,
			     char *err, size_t errlen);
void sampler__free(struct sampler *s);

/* An fd to poll(): readable when new processes were noticed. */
/*
 * Waits for the names debuginfod is still fetching, at most ms, and takes
 * them (renaming frames: strtab__rename); the next drain's stacks have them.
 */
void sampler__wait_names(struct sampler *s, int ms);
/* Where a function is declared, once seen with debug info (symbolizer__where). */
bool sampler__where(const struct sampler *s, uint32_t name, const char **file, uint32_t *line);
/* The file a function was found in (symbolizer__module). */
bool sampler__module(const struct sampler *s, uint32_t name, const char **path,
		     const char **build_id);
int sampler__fd(const struct sampler *s);
/* Handles pending notices (snapshots new processes' mappings); never blocks. */
void sampler__poll(struct sampler *s);
/* Hands every stack counted since the last drain to fn (NULL: drops them); 0 or -errno. */
int sampler__drain(struct sampler *s, sampler_stack_fn fn, void *ctx);
/*
 * With unwind tables and no pid list, the processes to build tables for are
 * known only from their samples, and until their tables are built those
 * samples fall back to frame pointers.  A first look of ms milliseconds:
 * notices who runs, waits for their tables, and drops what was sampled
 * meanwhile.  Does nothing with --unwind fp or -p (whose tables are built
 * before sampling starts).  0 or -errno.
 */
int sampler__settle(struct sampler *s, int ms);
void sampler__stats(const struct sampler *s, struct sampler_stats *st);
/* false once every target process has exited (-p), or the cgroup was removed (-c). */
bool sampler__target_alive(const struct sampler *s);

/* The cgroup2 mount point from /proc/mounts, or NULL. */
const char *sampler__cgroup2_mount(char *buf, size_t len);

#endif
