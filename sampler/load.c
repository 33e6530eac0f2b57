// SPDX-License-Identifier: MIT
/*
 * Loading the BPF program: its rodata, map sizes and programs set for the
 * options, with the small kernel BTF when one is kept (kbtf.h).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbtf.h"
#include "sampler_int.h"

int sampler_online_cpus(bool **online, int *n)
{
	int err = libbpf_num_possible_cpus();
	FILE *f;
	int a, b;
	char sep;

	if (err < 0)
		return err;
	*n = err;
	*online = calloc((size_t)*n, sizeof(**online));
	if (!*online)
		return -ENOMEM;
	f = fopen("/sys/devices/system/cpu/online", "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-') {
			if (fscanf(f, "%d", &b) != 1)
				break;
			if (fscanf(f, "%c", &sep) != 1)
				sep = '\n';
		}
		for (; a <= b && a < *n; a++)
			(*online)[a] = true;
		if (sep != ',')
			break;
	}
	fclose(f);
	return 0;
}

static int silent_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	const char *debug = getenv("FLAMETOP_DEBUG");	/* 1: libbpf's warnings; 2: all it says */

	if (debug && (lvl == LIBBPF_WARN || !strcmp(debug, "2")))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static void size_maps(struct profile_bpf *skel, unsigned freq)
{
	long ncpus = libbpf_num_possible_cpus();
	unsigned long n = 2ul * freq * (unsigned long)(ncpus > 0 ? ncpus : 1);
	unsigned long counts = n < 4096 ? 4096 : n > 65536 ? 65536 : n;
	unsigned long stacks = 2 * n < 2048 ? 2048 : 2 * n > 32768 ? 32768 : 2 * n;

	bpf_map__set_max_entries(skel->maps.counts0, (__u32)counts);
	bpf_map__set_max_entries(skel->maps.counts1, (__u32)counts);
	bpf_map__set_max_entries(skel->maps.stacks0, (__u32)stacks);
	bpf_map__set_max_entries(skel->maps.stacks1, (__u32)stacks);
}

/* The number of the highest CPU online, 0 if it cannot be told. */
static __u32 highest_online_cpu(void)
{
	bool *online = NULL;
	int n = 0, top = 0;

	if (!sampler_online_cpus(&online, &n))
		for (int i = 0; i < n; i++)
			if (online[i])
				top = i;
	free(online);
	return (__u32)top;
}

/*
 * Opens the skeleton (with the small kernel BTF at btf_path, if any: kbtf.h),
 * sets its rodata, map sizes and programs, and loads it: 0 or libbpf's error.
 */
static int open_and_load(struct sampler *s, const struct sampler_opts *o, bool dwarf,
			 const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);

	s->skel = profile_bpf__open_opts(&opts);
	if (!s->skel)
		return -errno;
	s->skel->rodata->filter_pids = s->pids_mode;
	s->skel->rodata->filter_cgroup = o->target == SAMPLE_CGROUP;
	s->skel->rodata->user_stacks = o->user;
	s->skel->rodata->kernel_stacks = o->kernel;
	/* make bench's per-step costs: the sample program stops after step N */
	if (getenv("FLAMETOP_BPF_STATS") && getenv("FLAMETOP_BPF_CUT"))
		s->skel->rodata->bench_cut = (__u32)strtoul(getenv("FLAMETOP_BPF_CUT"), NULL, 10);
	size_maps(s->skel, o->freq);
	if (dwarf) {
		s->skel->rodata->dwarf_unwind = true;
		s->skel->rodata->fp_fallback = o->unwind == UNWIND_AUTO;
		bpf_map__set_max_entries(s->skel->maps.unwind_rows, UNWIND_ROWS);
		bpf_map__set_max_entries(s->skel->maps.unwind_pages, UNWIND_PAGES);
		bpf_map__set_max_entries(s->skel->maps.unwind_procs, UNWIND_PROCS);
		bpf_map__set_max_entries(s->skel->maps.unwind_files, UNWIND_FILES);
		/* one rule cache per CPU online now, by the CPU's number (not per
		 * possible CPU: a VM may claim hundreds); one added later goes without */
		bpf_map__set_max_entries(s->skel->maps.rule_cache, highest_online_cpu() + 1);
	}
	sampler_set_offcpu(s, o);
	bpf_program__set_autoload(s->skel->progs.on_fork, s->pids_mode);
	bpf_program__set_autoload(s->skel->progs.on_exit, s->pids_mode || o->offcpu);
	bpf_program__set_autoload(s->skel->progs.on_exec, dwarf);
	bpf_program__set_autoload(s->skel->progs.dump_ksyms, o->kernel && !s->kcache.n);
	return profile_bpf__load(s->skel);
}

/* The program loaded, with the small kernel BTF when one is kept (made for next time if not). */
int sampler_load(struct sampler *s, const struct sampler_opts *o, bool dwarf,
			char *err, size_t errlen)
{
	size_t len;
	const void *obj = profile_bpf__elf_bytes(&len);
	struct kbtf kb;
	int ret;

	libbpf_set_print(silent_print);
	/* the cached kernel symbols first: with them, the iterator need not be loaded */
	if (o->kernel)
		ksyms__load_cache(&s->kcache, KSYMS_CACHE);	/* fails empty */
	kbtf__find(&kb, obj, len);
	ret = open_and_load(s, o, dwarf, kb.path[0] ? kb.path : NULL);
	if (ret && kb.path[0]) {	/* again with the kernel's BTF */
		profile_bpf__destroy(s->skel);
		s->skel = NULL;
		ret = open_and_load(s, o, dwarf, NULL);
		if (!ret)	/* the kept one was what failed: never used again */
			kbtf__drop(&kb);
	}
	if (!ret && !kb.path[0])
		kbtf__make(&kb, obj, len);
	kbtf__close(&kb);
	if (ret && !s->skel)
		return sampler_fail(err, errlen, "cannot open the BPF program: %s", strerror(-ret));
	if (ret)
		return sampler_fail(err, errlen, "the kernel refused the BPF program (%s)%s; run with "
			    "FLAMETOP_DEBUG=1 for the verifier's log", strerror(-ret),
			    o->offcpu ? " (off-CPU time needs Linux 5.18 or later)" : "");
	return 0;
}

