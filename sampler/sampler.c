// SPDX-License-Identifier: MIT
/*
 * open -> set rodata -> load -> one perf event per CPU -> attach; new
 * processes' mappings read once for the symbolizer and the unwinder.
 * Draining is drain.c's.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroups.h"
#include "procmaps.h"
#include "ptree.h"
#include "sampler_int.h"
#include "symbolize.h"
#include "unwind.h"

int sampler_fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

const char *sampler__cgroup2_mount(char *buf, size_t len)
{
	FILE *f = fopen("/proc/mounts", "re");
	char dev[256], dir[4096], type[64];
	const char *ret = NULL;

	if (!f)
		return NULL;
	while (fscanf(f, "%255s %4095s %63s %*[^\n]\n", dev, dir, type) == 3) {
		if (strcmp(type, "cgroup2") == 0) {
			snprintf(buf, len, "%s", dir);
			ret = buf;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Opens -c's cgroup (a path, a container, a pod or a unit: cgroups.h); full gets its path. */
static int open_cgroup(const char *arg, char *full, size_t fullen, char *err, size_t errlen)
{
	int fd;

	if (cgroups__resolve(arg, full, fullen, err, errlen))
		return -1;
	fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return sampler_fail(err, errlen, "cannot open cgroup %s: %s", full, strerror(errno));
	return fd;
}

static int attach_cpus(struct sampler *s, unsigned freq, char *err, size_t errlen)
{
	bool *online = NULL;
	int ncpus, cpu, ret;

	ret = sampler_online_cpus(&online, &ncpus);
	if (ret) {
		free(online);
		return sampler_fail(err, errlen, "cannot list the online CPUs: %s", strerror(-ret));
	}
	s->links = calloc((size_t)ncpus + 2, sizeof(*s->links));
	if (!s->links) {
		free(online);
		return sampler_fail(err, errlen, "out of memory");
	}
	for (cpu = 0; cpu < ncpus; cpu++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.size = sizeof(attr),
			.config = PERF_COUNT_SW_CPU_CLOCK,
			.sample_freq = freq,
			.freq = 1,
		};
		struct bpf_link *link;
		int fd;

		if (!online[cpu])
			continue;
		fd = (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			ret = errno;
			free(online);
			return sampler_fail(err, errlen, "perf_event_open on CPU %d failed: %s%s", cpu,
				    strerror(ret), ret == EACCES || ret == EPERM ?
				    " (run as root, or lower kernel.perf_event_paranoid)" : "");
		}
		link = bpf_program__attach_perf_event(s->skel->progs.on_sample, fd);
		if (!link) {
			ret = errno;
			close(fd);
			free(online);
			return sampler_fail(err, errlen, "cannot attach the sampler to CPU %d: %s", cpu,
				    strerror(ret));
		}
		s->links[s->nlinks++] = link;	/* the link owns fd now */
	}
	free(online);
	return 0;
}

/*
 * Whether pid still runs the image ptag tags, as the BPF program last saw
 * it (at its exec, or its first sample): to be asked after reading its
 * maps, which are then that image's.  Yes when it does not know.
 */
static bool image_current(void *ctx, pid_t pid, uint64_t ptag)
{
	struct sampler *s = ctx;
	__u32 key = (__u32)pid;
	__u64 now;

	return bpf_map__lookup_elem(s->skel->maps.images, &key, sizeof(key), &now, sizeof(now),
				    0) || now == ptag;
}

/*
 * Feeds one reading of /proc/PID/maps to both the symbolizer and the
 * unwinder: a new process, or one with code outside every known mapping
 * (reread: a library loaded since).  Read after an exec, they are another
 * image's: the symbolizer does not take them (the unwinder does: the
 * process runs that image now).
 */
static void read_maps_once(struct sampler *s, pid_t pid, uint64_t ptag, bool reread)
{
	struct procmaps maps, none = { 0 };
	int err = procmaps__read(pid, &maps);	/* empty when it fails: the process is gone */
	const struct procmaps *mine = image_current(s, pid, ptag) ? &maps : &none;

	/* a re-read that found nothing (gone, or exec'd since) keeps what was taken */
	if (reread && mine->n)
		symbolizer__reread(s->sym, pid, ptag, mine);
	else if (!reread)
		symbolizer__add_process(s->sym, pid, ptag, mine);
	if (!err)
		unwinder__add_process(s->unw, pid, &maps);	/* takes them */
	procmaps__free(&maps);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct sampler *s = ctx;
	const struct ft_proc_event *ev = data;

	if (size < sizeof(*ev))
		return 0;
	if (ev->type == EVENT_NEW_PROCESS && !s->unw)
		/* the symbolizer alone: it reads them itself, and only when it lacks them */
		symbolizer__add_process(s->sym, (pid_t)ev->tgid, ev->ptag, NULL);
	else if (ev->type == EVENT_NEW_PROCESS)
		read_maps_once(s, (pid_t)ev->tgid, ev->ptag, false);
	else if (ev->type == EVENT_UNKNOWN_MAPPING && s->unw)
		read_maps_once(s, (pid_t)ev->tgid, ev->ptag, true);
	return 0;
}

/* Puts pids in the BPF filter; a full map (forks meanwhile) leaves the rest out. */
static int add_pids(struct sampler *s, const pid_t *pids, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		__u32 tgid = (__u32)pids[i];
		__u8 one = 1;

		if (!bpf_map__update_elem(s->skel->maps.pids, &tgid, sizeof(tgid), &one,
					  sizeof(one), 0))
			continue;
		if (errno != E2BIG)
			return sampler_fail(err, errlen, "cannot set the pid filter: %s", strerror(errno));
		fprintf(stderr, "flametop: more than %u processes under -p; the rest are not "
			"sampled\n", bpf_map__max_entries(s->skel->maps.pids));
		break;
	}
	return 0;
}

/*
 * -p's processes: each pid's thread group (the filter is keyed by process,
 * so a thread id stands for its whole process), then, with the fork
 * tracepoint attached so that no child forked meanwhile is missed, the
 * descendants each has already.  *pids gets them all; their count, or -1.
 */
static long target_pids(struct sampler *s, const struct sampler_opts *o, pid_t **pids,
			char *err, size_t errlen)
{
	pid_t *roots = calloc(o->npids ? o->npids : 1, sizeof(*roots));
	size_t max = bpf_map__max_entries(s->skel->maps.pids);
	long n = -1;
	bool full;

	if (!roots)
		return sampler_fail(err, errlen, "out of memory");
	for (size_t i = 0; i < o->npids; i++) {
		int r = ptree__tgid(o->pids[i], &roots[i]);

		if (r == -ECHILD)
			sampler_fail(err, errlen, "process %d is a zombie: it has exited and will never "
			     "run again (its parent has not reaped it)", o->pids[i]);
		else if (r)
			sampler_fail(err, errlen, "no process with pid %d (check the pid with ps)",
			     o->pids[i]);
		if (r)
			goto out;
	}
	if (add_pids(s, roots, o->npids, err, errlen))
		goto out;
	if (profile_bpf__attach(s->skel)) {
		sampler_fail(err, errlen, "cannot attach the fork/exit tracepoints: %s", strerror(errno));
		goto out;
	}
	n = ptree__descendants(roots, o->npids, max, pids, &full);
	if (n < 0)
		n = sampler_fail(err, errlen, "cannot list the processes in /proc: %s", strerror((int)-n));
	else if (full)
		fprintf(stderr, "flametop: more than %zu processes under -p; the rest are not "
			"sampled\n", max);
	if (n > 0 && add_pids(s, *pids, (size_t)n, err, errlen)) {
		free(*pids);
		*pids = NULL;
		n = -1;
	}
out:
	free(roots);
	return n;
}

static int intern_markers(struct sampler *s)
{
	static const struct {
		const char *name;
		size_t off;
	} marks[] = {
		{ "[truncated]", offsetof(struct sampler, id_truncated) },
		{ "[truncated]_[k]", offsetof(struct sampler, id_ktruncated) },
		{ "[stack lost]", offsetof(struct sampler, id_lost) },
		{ "[stack lost]_[k]", offsetof(struct sampler, id_klost) },
		{ "[stack error]", offsetof(struct sampler, id_error) },
		{ "[incomplete]", offsetof(struct sampler, id_partial) },
	};
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strtab__intern(s->names, marks[i].name, strlen(marks[i].name),
				   (uint32_t *)((char *)s + marks[i].off)))
			return -ENOMEM;
	return 0;
}

/*
 * A count map holds one epoch's distinct keys, at most the samples of that
 * epoch (about a second, freq per CPU): size it for twice that, so a slow
 * drain still fits, instead of preallocating the maximum at every start.
 * A sample adds at most two stacks.  The stack maps are preallocated: a map
 * that allocates as it goes fails now and then in the sampling interrupt
 * (its per-CPU free list runs dry before it is refilled).
 */
/*
 * A fresh table: the ksym iterator's records, or /proc/kallsyms where it does
 * not run (or was not loaded: the cache was good at the start).
 */
static int read_kernel_symbols(void *ctx, struct ksyms *out)
{
	struct sampler *s = ctx;
	struct bpf_link *link = NULL;
	int fd = -1, err = -1;

	if (bpf_program__fd(s->skel->progs.dump_ksyms) >= 0)
		link = bpf_program__attach_iter(s->skel->progs.dump_ksyms, NULL);
	if (link)
		fd = bpf_iter_create(bpf_link__fd(link));
	if (fd >= 0) {
		err = ksyms__read(out, fd);
		close(fd);
	}
	bpf_link__destroy(link);
	return err ? ksyms__read(out, -1) : 0;
}

/* This boot's table from the cache (s->kcache, read before loading), else a fresh one, cached. */
static int load_kernel_symbols(struct sampler *s)
{
	if (!s->kcache.n) {
		if (read_kernel_symbols(s, &s->kcache))
			return -1;
		ksyms__save_cache(&s->kcache, KSYMS_CACHE);	/* best effort: /run may be read-only */
	}
	return symbolizer__set_kernel(s->sym, &s->kcache, read_kernel_symbols, s);
}

static int can_sample(char *err, size_t errlen)
{
	if (geteuid() != 0)
		return sampler_fail(err, errlen, "sampling needs root (CAP_BPF and CAP_PERFMON): run "
			    "flametop with sudo");
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return sampler_fail(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux is "
			    "missing): flametop needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
	return 0;
}

/* The unwinder, with the targets' tables built before their first sample: sampling starts after. */
static int start_unwinder(struct sampler *s, const pid_t *pids, size_t n, char *err,
			  size_t errlen)
{
	s->unw = unwinder__new(bpf_map__fd(s->skel->maps.unwind_rows), UNWIND_ROWS,
			       bpf_map__fd(s->skel->maps.unwind_pages), UNWIND_PAGES,
			       bpf_map__fd(s->skel->maps.unwind_procs),
			       bpf_map__fd(s->skel->maps.unwind_files));
	if (!s->unw)
		return sampler_fail(err, errlen, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct procmaps maps;

		if (procmaps__read(pids[i], &maps) == 0)
			unwinder__add_process(s->unw, pids[i], &maps);
	}
	unwinder__wait(s->unw);
	return 0;
}

/* The filters (-p's processes, or -c's cgroup), then the unwinder with -p's tables. */
static int set_targets(struct sampler *s, const struct sampler_opts *o, int cgfd, bool dwarf,
		       char *err, size_t errlen)
{
	pid_t *pids = NULL;
	__u32 zero = 0;
	long n = 0;
	int ret = 0;

	if (s->pids_mode && (n = target_pids(s, o, &pids, err, errlen)) < 0)
		return -1;
	if (cgfd >= 0 && bpf_map__update_elem(s->skel->maps.cgroup, &zero, sizeof(zero), &cgfd,
					      sizeof(cgfd), 0))
		ret = sampler_fail(err, errlen, "cannot set the cgroup filter: %s", strerror(errno));
	else if (dwarf)
		ret = start_unwinder(s, pids, (size_t)n, err, errlen);
	/* -p attached it with the fork and exit tracepoints */
	if (!ret && dwarf && !s->skel->links.on_exec &&
	    !(s->skel->links.on_exec = bpf_program__attach(s->skel->progs.on_exec)))
		ret = sampler_fail(err, errlen, "cannot attach the exec tracepoint: %s", strerror(errno));
	free(pids);
	return ret;
}

struct sampler *sampler__new(const struct sampler_opts *o, struct strtab *names,
			     char *err, size_t errlen)
{
	/* --kernel-only: no user stacks to unwind */
	bool dwarf = o->unwind != UNWIND_FP && o->user;
	char cgpath[8192] = "";
	struct stat cgst;
	struct sampler *s;
	int cgfd = -1;

	if (can_sample(err, errlen))
		return NULL;
	if (o->target == SAMPLE_CGROUP) {
		cgfd = open_cgroup(o->cgroup, cgpath, sizeof(cgpath), err, errlen);
		if (cgfd < 0)
			return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		sampler_fail(err, errlen, "out of memory");
		goto err_close;
	}
	if (cgfd >= 0 && fstat(cgfd, &cgst) == 0) {
		snprintf(s->cgroup_path, sizeof(s->cgroup_path), "%s", cgpath);
		s->cgroup_dev = cgst.st_dev;
		s->cgroup_ino = cgst.st_ino;
	}
	s->names = names;
	s->stats_fd = -1;
	s->pids_mode = o->target == SAMPLE_PIDS;
	s->kernel = o->kernel;
	if (sampler_load(s, o, dwarf, err, errlen) || set_targets(s, o, cgfd, dwarf, err, errlen))
		goto err_free;
	s->sym = symbolizer__new(names, &(struct symbolizer_opts){ .no_inline = o->no_inline,
								 .current = image_current,
								 .current_ctx = s,
								 .debuginfod = !o->no_debuginfod,
								 .lines = o->lines });
	if (!s->sym || intern_markers(s)) {
		sampler_fail(err, errlen, "out of memory");
		goto err_free;
	}
	if (o->kernel && load_kernel_symbols(s))
		fprintf(stderr, "flametop: cannot read kernel symbols from /proc/kallsyms; "
			"kernel frames will show as [unknown]_[k]\n");
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_event, s, NULL);
	if (!s->rb) {
		sampler_fail(err, errlen, "cannot open the BPF ring buffer: %s", strerror(errno));
		goto err_free;
	}
	if (getenv("FLAMETOP_BPF_STATS"))
		s->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (o->cpu && attach_cpus(s, o->freq, err, errlen))
		goto err_free;
	if (o->offcpu && sampler_attach_offcpu(s, err, errlen))
		goto err_free;
	if (cgfd >= 0)
		close(cgfd);
	return s;
err_free:
	sampler__free(s);
err_close:
	if (cgfd >= 0)
		close(cgfd);
	return NULL;
}

void sampler__free(struct sampler *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nlinks; i++)
		bpf_link__destroy(s->links[i]);
	free(s->links);
	ring_buffer__free(s->rb);
	profile_bpf__destroy(s->skel);
	symbolizer__free(s->sym);
	ksyms__free(&s->kcache);
	unwinder__free(s->unw);
	if (s->stats_fd >= 0)
		close(s->stats_fd);
	free(s->stacks);
	free(s->frames);
	cgroup_names__free(s->cgnames);
	free(s);
}

void sampler__wait_names(struct sampler *s, int ms)
{
	symbolizer__wait_names(s->sym, ms);
}

bool sampler__where(const struct sampler *s, uint32_t name, const char **file, uint32_t *line)
{
	return symbolizer__where(s->sym, name, file, line);
}

bool sampler__module(const struct sampler *s, uint32_t name, const char **path,
		     const char **build_id)
{
	return s->sym && symbolizer__module(s->sym, name, path, build_id);
}

int sampler__fd(const struct sampler *s)
{
	return ring_buffer__epoll_fd(s->rb);
}

void sampler__poll(struct sampler *s)
{
	ring_buffer__consume(s->rb);
}

bool sampler__target_alive(const struct sampler *s)
{
	struct stat st;
	__u32 key;

	if (s->cgroup_path[0])
		return stat(s->cgroup_path, &st) == 0 && st.st_dev == s->cgroup_dev &&
		       st.st_ino == s->cgroup_ino;
	if (!s->pids_mode)
		return true;
	return bpf_map_get_next_key(bpf_map__fd(s->skel->maps.pids), NULL, &key) == 0;
}
