// SPDX-License-Identifier: MIT
/* .eh_frame -> unwind rows, on ELF files the build makes and on the system's libc. */
#include <bpf/bpf.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "../../sampler/procmaps.h"
#include "../../sampler/unwind.h"
#include "../../sampler/unwind_rows.h"

#ifndef WORKLOADS
#define WORKLOADS "build/workloads"
#endif

static long rows_of(const char *path, struct ft_unwind_row **rows)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	long n;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	assert_non_null(elf);
	n = unwind__build_rows(elf, rows);
	elf_end(elf);
	close(fd);
	return n;
}

/* The address of a symbol in an ELF file, from nm. */
static unsigned long long symbol(const char *path, const char *name)
{
	char cmd[512], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "nm '%s' | awk '$3 == \"%s\" { print $1 }'", path, name);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, sizeof(out), p));
	pclose(p);
	return strtoull(out, NULL, 16);
}

static void test_rows_of_a_binary_without_frame_pointers(void **state)
{
	const char *path = WORKLOADS "/split-nofp";
	struct ft_unwind_row *rows;
	long n = rows_of(path, &rows);
	unsigned long long leaf = symbol(path, "leaf_sixty"), via = symbol(path, "via_alpha");
	unsigned long long work = symbol(path, "round_of_work");
	const struct ft_unwind_row *r;

	(void)state;
	assert_true(n > 10);
	for (long i = 1; i < n; i++)
		assert_true(rows[i - 1].pc < rows[i].pc);	/* sorted, no duplicates */
	/* a frameless leaf: CFA = rsp + 8 from its first instruction */
	r = unwind__find(rows, (size_t)n, leaf);
	assert_non_null(r);
	assert_int_equal(r->type, FT_CFA_RSP);
	assert_int_equal(r->cfa_off, 8);
	/* a function that moves rsp: its rows follow it (rsp + 16 or more inside) */
	bool moved = false;

	for (unsigned long long pc = work; pc < work + 64; pc++) {
		r = unwind__find(rows, (size_t)n, pc);
		moved |= r && r->type == FT_CFA_RSP && r->cfa_off >= 16;
	}
	assert_true(moved);
	/* and a plain call; ret keeps CFA = rsp + 8 */
	r = unwind__find(rows, (size_t)n, via);
	assert_non_null(r);
	assert_int_equal(r->cfa_off, 8);
	/* below the first row there is nothing */
	assert_null(unwind__find(rows, (size_t)n, 0));
	free(rows);
}

/* libc has a PLT (its CFA is an expression) and the signal trampoline. */
static void test_plt_and_signal_frame(void **state)
{
	struct ft_unwind_row *rows;
	long n = rows_of("/lib/x86_64-linux-gnu/libc.so.6", &rows);
	bool plt = false, sig = false, rbp = false;

	(void)state;
	assert_true(n > 1000);
	for (long i = 0; i < n; i++) {
		plt |= rows[i].type == FT_CFA_PLT && rows[i].cfa_off == 8 && rows[i].rbp_off >= 10;
		sig |= rows[i].type == FT_CFA_SIGNAL;
		rbp |= rows[i].type == FT_CFA_RBP && rows[i].rbp_off == -16;
	}
	assert_true(plt);
	assert_true(sig);
	assert_true(rbp);
	free(rows);
}

/* Without .eh_frame, .debug_frame (from -g) gives the same kind of rows. */
static void test_debug_frame(void **state)
{
	const char *path = WORKLOADS "/split-debugframe";
	struct ft_unwind_row *rows;
	long n = rows_of(path, &rows);
	const struct ft_unwind_row *r;

	(void)state;
	assert_true(n > 10);
	r = unwind__find(rows, (size_t)n, symbol(path, "leaf_sixty"));
	assert_non_null(r);
	assert_int_equal(r->type, FT_CFA_RSP);
	assert_int_equal(r->cfa_off, 8);
	free(rows);
}

static void test_missing_and_broken_tables(void **state)
{
	struct ft_unwind_row *rows = (void *)1;

	(void)state;
	/* no .eh_frame: no rows, no error */
	assert_int_equal(rows_of(WORKLOADS "/split-noeh", &rows), 0);
	assert_null(rows);
	/* garbage in .eh_frame: whatever libdw makes of it, nothing breaks */
	long n = rows_of(WORKLOADS "/split-badeh", &rows);

	assert_true(n >= 0 || n == -E2BIG || n == -EINVAL);
	for (long i = 1; i < n; i++)
		assert_true(rows[i - 1].pc < rows[i].pc);
	free(rows);
}

/*
 * A process with more code regions than a process entry holds (a JIT's):
 * neighbouring regions without tables share one entry, so the libraries
 * mapped after them keep theirs.
 */
static void test_many_code_mappings(void **state)
{
	LIBBPF_OPTS(bpf_map_create_opts, no_prealloc, .map_flags = BPF_F_NO_PREALLOC);
	int rows = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_rows", 4, sizeof(struct ft_unwind_row),
				  1 << 20, NULL);
	int pages = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t_pages", 4, 4, 1 << 18, NULL);
	int procs = bpf_map_create(BPF_MAP_TYPE_HASH, "t_procs", 4, sizeof(struct ft_proc_maps),
				   16, &no_prealloc);
	uint64_t fn = (uint64_t)(uintptr_t)dlsym(RTLD_DEFAULT, "fopen"), lo = 0, hi = 0;
	size_t i, npages = 4 * FT_MAX_MAPS, psz = (size_t)sysconf(_SC_PAGESIZE);
	struct ft_proc_maps *pm = calloc(1, sizeof(*pm));
	const struct ft_map *libc = NULL, *jit = NULL;
	struct procmaps maps;
	struct unwinder *u;
	int ready[2];
	__u32 key;
	pid_t pid;

	(void)state;
	assert_true(rows >= 0 && pages >= 0 && procs >= 0);
	assert_non_null(pm);
	assert_true(fn != 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* one region, every page its own mapping: alternating permissions */
		char *r = mmap(NULL, npages * psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* a failed assertion must not leave it */
		if (r == MAP_FAILED)
			_exit(1);
		for (i = 0; i < npages; i++)
			mprotect(r + i * psz, psz, PROT_READ | PROT_EXEC | (i & 1 ? PROT_WRITE : 0));
		lo = (uint64_t)(uintptr_t)r;
		if (write(ready[1], &lo, sizeof(lo)) != sizeof(lo))
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(ready[0], &lo, sizeof(lo)), sizeof(lo));
	hi = lo + npages * psz;
	u = unwinder__new(rows, 1 << 20, pages, 1 << 18, procs, -1);
	assert_non_null(u);
	assert_int_equal(procmaps__read(pid, &maps), 0);
	assert_true(maps.n > 4 * FT_MAX_MAPS);	/* every region, each its own entry */
	assert_int_equal(unwinder__add_process(u, pid, &maps), 0);
	assert_int_equal(maps.n, 0);	/* taken */
	unwinder__wait(u);
	key = (__u32)pid;
	assert_int_equal(bpf_map_lookup_elem(procs, &key, pm), 0);
	for (i = 0; i < pm->n; i++) {
		if (pm->m[i].start <= fn && fn < pm->m[i].end)
			libc = &pm->m[i];
		if (pm->m[i].start <= lo && lo < pm->m[i].end)
			jit = &pm->m[i];
	}
	assert_non_null(jit);
	assert_true(jit->start == lo && jit->end == hi);	/* 4 x FT_MAX_MAPS mappings, one entry */
	assert_int_equal(jit->row_count, 0);
	assert_non_null(libc);
	assert_true(libc->row_count > 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unwinder__free(u);
	free(pm);
	close(ready[0]);
	close(ready[1]);
	close(rows);
	close(pages);
	close(procs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_of_a_binary_without_frame_pointers),
		cmocka_unit_test(test_plt_and_signal_frame),
		cmocka_unit_test(test_debug_frame),
		cmocka_unit_test(test_missing_and_broken_tables),
		cmocka_unit_test(test_many_code_mappings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
