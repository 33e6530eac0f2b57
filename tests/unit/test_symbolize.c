// SPDX-License-Identifier: MIT
/*
 * The symbolizer against real processes running ELF files the build made:
 * each prints the runtime addresses of its functions, and we resolve them.
 */
#include <dlfcn.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "spawn.h"
#include "../../sampler/symbolize.h"

/* The function at addr (without the frames inlined there). */
static uint32_t function_at(struct symbolizer *s, pid_t pid, uint64_t ptag, uint64_t addr)
{
	uint32_t ids[8];

	assert_true(symbolizer__user_frames(s, pid, ptag, addr, ids, 8) >= 1);
	return ids[0];
}

#ifndef FIXTURES
#define FIXTURES "build/fixtures"
#endif

static const char *resolve(struct symbolizer *s, struct strtab *st, struct target *t, size_t i)
{
	return strtab__str(st, function_at(s, t->pid, 1, t->addr[i]));
}

/* Every printed function must resolve to its own name, except those in skip. */
static void check(const char *file, const char *debuginfo_path, const char *unresolved,
		  const char *as)
{
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, &(struct symbolizer_opts){
						       .debuginfo_path = debuginfo_path });
	char why[512] = "";
	struct procmaps maps;
	struct target t;
	size_t i;

	spawn(file, &t);
	/* as the sampler does: the mappings read once, handed over */
	assert_int_equal(procmaps__read(t.pid, &maps), 0);
	symbolizer__add_process(s, t.pid, 1, &maps);
	procmaps__free(&maps);
	for (i = 0; i < t.n && !why[0]; i++) {
		const char *got = resolve(s, st, &t, i);
		const char *want = unresolved && !strcmp(t.name[i], unresolved) ? as : t.name[i];

		if (want && strcmp(got, want))
			snprintf(why, sizeof(why), "%s: %s resolved as '%s', expected '%s'", file,
				 t.name[i], got, want);
	}
	reap(&t);	/* before failing: no process left behind */
	symbolizer__free(s);
	strtab__free(st);
	if (why[0])
		fail_msg("%s", why);
}

static void test_symtab(void **state)
{
	(void)state;
	check(FIXTURES "/sym_plain", NULL, NULL, NULL);
}

/* The ELF address of a runtime address of pid's main executable (mapped from offset 0). */
static unsigned long long elf_address(pid_t pid, unsigned long long addr)
{
	char path[64], line[512];
	unsigned long long start = 0, end, off, base = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx %*s %llx", &start, &end, &off) == 3 && !off &&
		    strstr(line, "sym_dynsym")) {
			base = start;
			break;
		}
	fclose(f);
	assert_true(base && addr > base);
	return addr - base;
}

static void test_dynsym_only(void **state)
{
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, NULL);
	char want[64] = "";
	struct target t;

	(void)state;
	/* stripped: exported functions from .dynsym */
	check(FIXTURES "/sym_dynsym", NULL, "local_gamma", NULL);
	/* the static one (one byte long) by its start, from .eh_frame */
	spawn(FIXTURES "/sym_dynsym", &t);
	symbolizer__add_process(s, t.pid, 1, NULL);
	for (size_t i = 0; i < t.n; i++)
		if (!strcmp(t.name[i], "local_gamma")) {
			snprintf(want, sizeof(want), "[sym_dynsym+0x%llx]",
				 elf_address(t.pid, t.addr[i]));
			assert_string_equal(resolve(s, st, &t, i), want);
		}
	reap(&t);
	symbolizer__free(s);
	strtab__free(st);
	assert_true(want[0]);
}

static void test_debuginfo_by_build_id(void **state)
{
	(void)state;
	char dir[4096];

	/* libdw looks for .build-id only under absolute directories */
	assert_non_null(realpath(FIXTURES "/debug", dir));
	check(FIXTURES "/sym_buildid", dir, NULL, NULL);
}

static void test_debuglink(void **state)
{
	(void)state;
	check(FIXTURES "/sym_debuglink", NULL, NULL, NULL);
}

static void test_cpp_demangled(void **state)
{
	(void)state;
	check(FIXTURES "/sym_cpp", NULL, NULL, NULL);
}

static void test_exited_process_still_resolves(void **state)
{
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, NULL);
	struct target t;

	(void)state;
	spawn(FIXTURES "/sym_plain", &t);
	symbolizer__add_process(s, t.pid, 7, NULL);	/* it reads them itself */
	reap(&t);	/* gone before the drain */
	assert_string_equal(strtab__str(st, function_at(s, t.pid, 7, t.addr[0])), t.name[0]);
	/* the same pid with another image tag is another process: not confused */
	assert_string_equal(strtab__str(st, function_at(s, t.pid, 8, t.addr[0])),
			    "[unknown]");
	symbolizer__free(s);
	strtab__free(st);
}

static size_t processes(struct symbolizer *s)
{
	struct symbolizer_stats st;

	symbolizer__stats(s, &st);
	return st.processes;
}

static void ticks(struct symbolizer *s, int n)
{
	while (n-- > 0)
		symbolizer__tick(s);
}

/*
 * A process no longer sampled is forgotten 10 drains on if it has exited,
 * 60 if it runs on: one that waits a while and then works (a parent)
 * keeps its names after it exits.
 */
static void test_idle_processes_forgotten(void **state)
{
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, NULL);
	struct target dead, waiting;

	(void)state;
	spawn(FIXTURES "/sym_plain", &dead);
	spawn(FIXTURES "/sym_plain", &waiting);
	symbolizer__add_process(s, dead.pid, 1, NULL);
	symbolizer__add_process(s, waiting.pid, 1, NULL);
	reap(&dead);
	ticks(s, 12);
	assert_int_equal(processes(s), 1);	/* the exited one went */
	/* the waiting one exits now, past the first mark: its names stay */
	reap(&waiting);
	ticks(s, 30);
	assert_int_equal(processes(s), 1);
	assert_string_equal(strtab__str(st, function_at(s, waiting.pid, 1, waiting.addr[0])),
			    waiting.name[0]);
	ticks(s, 61);
	assert_int_equal(processes(s), 0);
	symbolizer__free(s);
	strtab__free(st);
}

static void test_kernel_symbols(void **state)
{
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, NULL);
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long addr = 0;
	char type, name[256], line[512];

	(void)state;
	struct ksyms k;

	assert_int_equal(ksyms__read(&k, -1), 0);
	assert_int_equal(symbolizer__set_kernel(s, &k, NULL, NULL), 0);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %255s", &addr, &type, name) == 3 &&
		    !strcmp(name, "schedule"))
			break;
	fclose(f);
	assert_string_equal(strtab__str(st, symbolizer__kernel(s, addr + 1)), "schedule_[k]");
	assert_string_equal(strtab__str(st, symbolizer__kernel(s, 1)), "[unknown]_[k]");
	symbolizer__free(s);
	strtab__free(st);
}

/* The same binary at two paths (two containers): one file, found by build-id. */
static void test_same_build_id_shared(void **state)
{
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, NULL);
	char copy[] = "/tmp/flametop-symcopy-XXXXXX", cmd[256];
	struct symbolizer_stats before, after;
	struct target a, b;
	int fd = mkstemp(copy);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "cp %s/sym_plain %s && chmod +x %s", FIXTURES, copy, copy);
	assert_int_equal(system(cmd), 0);
	spawn(FIXTURES "/sym_plain", &a);
	spawn(copy, &b);
	assert_string_equal(resolve(s, st, &a, 0), a.name[0]);
	symbolizer__stats(s, &before);
	assert_string_equal(resolve(s, st, &b, 0), b.name[0]);
	symbolizer__stats(s, &after);
	assert_int_equal(after.files, before.files);
	reap(&a);
	reap(&b);
	unlink(copy);
	symbolizer__free(s);
	strtab__free(st);
}

/* A function inlined into another shows as its own frame after it, marked _[i]; every level. */
static void test_inlined_frames(void **state)
{
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, NULL);
	uint32_t ids[8];
	struct target t;
	size_t n;

	(void)state;
	spawn(FIXTURES "/sym_inline", &t);
	n = symbolizer__user_frames(s, t.pid, 1, t.addr[0], ids, 8);
	assert_int_equal(n, 3);
	assert_string_equal(strtab__str(st, ids[0]), "caller_outer");
	assert_string_equal(strtab__str(st, ids[1]), "helper_inlined_[i]");
	assert_string_equal(strtab__str(st, ids[2]), "deeper_inlined_[i]");
	/* a short buffer gets the function first */
	assert_int_equal(symbolizer__user_frames(s, t.pid, 1, t.addr[0], ids, 1), 1);
	assert_string_equal(strtab__str(st, ids[0]), "caller_outer");
	reap(&t);
	symbolizer__free(s);
	strtab__free(st);
}

/* [vdso] frames resolve through our own copy of the vDSO (the same kernel's). */
static void test_vdso(void **state)
{
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, NULL);
	void *h = dlopen("linux-vdso.so.1", RTLD_LAZY | RTLD_NOLOAD);
	void *fn = h ? dlsym(h, "__vdso_clock_gettime") : NULL;
	const char *name;

	(void)state;
	if (!fn)
		skip();
	name = strtab__str(st, function_at(s, getpid(), 1, (uint64_t)(uintptr_t)fn + 4));
	assert_non_null(strstr(name, "clock_gettime"));
	dlclose(h);
	symbolizer__free(s);
	strtab__free(st);
}

/* hello::main as rustc's v0 mangling names it: C takes the name as it is */
__attribute__((noinline, used)) void _RNvCs1234abcd_5hello4main(void)
{
	__asm__ volatile("");
}

/* a ';' in a symbol's name: GNU as takes it quoted; clang quotes it itself */
#ifdef __clang__
#define ODD_NAME "odd;name"
#else
#define ODD_NAME "\"odd;name\""
#endif
__attribute__((noinline, used)) void odd_name(void) __asm__(ODD_NAME);
void odd_name(void)
{
	__asm__ volatile("");
}

/* Rust names demangled; a name that would split a folded line made safe. */
static void test_rust_and_unsafe_names(void **state)
{
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, NULL);
	char comm[] = "a;b c\nd";

	(void)state;
	assert_string_equal(strtab__str(st, function_at(s, getpid(), 3,
				(uint64_t)(uintptr_t)_RNvCs1234abcd_5hello4main)), "hello::main");
	assert_string_equal(strtab__str(st, function_at(s, getpid(), 3,
				(uint64_t)(uintptr_t)odd_name)), "odd:name");
	assert_int_equal(symbolizer__clean_frame(comm, strlen(comm), true), 3);
	assert_string_equal(comm, "a:b_c?d");
	/* a process named "#x" must not turn its stacks into comment lines */
	char hash[] = "#x";

	assert_int_equal(symbolizer__clean_frame(hash, 2, true), 1);
	assert_string_equal(hash, "_x");
	/* C1 controls (the 8-bit CSI, U+009B) become "??"; other UTF-8 stays */
	char csi[] = "\xc2\x9b" "31m\xc3\xa9";

	assert_int_equal(symbolizer__clean_frame(csi, strlen(csi), true), 1);
	assert_string_equal(csi, "??31m\xc3\xa9");
	/* bytes of no valid UTF-8 sequence too */
	char bad[] = "a\xff\xfe\x80z";

	assert_int_equal(symbolizer__clean_frame(bad, strlen(bad), false), 3);
	assert_string_equal(bad, "a???z");
	symbolizer__free(s);
	strtab__free(st);
}

/* A JIT's names from its perf map, made safe as every name is: C1 controls and bad bytes '?'. */
static void test_jit_map_names(void **state)
{
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, NULL);
	char path[64];
	struct target t;
	FILE *f;

	(void)state;
	spawn(FIXTURES "/sym_plain", &t);
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)t.pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "1000 100 JS:*hot a.js:1\n2000 100 evil\xc2\x9b" "31mx\xff\n");
	fclose(f);
	symbolizer__add_process(s, t.pid, 1, NULL);
	assert_string_equal(strtab__str(st, function_at(s, t.pid, 1, 0x1010)), "JS:*hot a.js:1");
	assert_string_equal(strtab__str(st, function_at(s, t.pid, 1, 0x2010)), "evil??31mx?");
	unlink(path);
	reap(&t);
	symbolizer__free(s);
	strtab__free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jit_map_names),
		cmocka_unit_test(test_symtab),
		cmocka_unit_test(test_dynsym_only),
		cmocka_unit_test(test_debuginfo_by_build_id),
		cmocka_unit_test(test_debuglink),
		cmocka_unit_test(test_cpp_demangled),
		cmocka_unit_test(test_exited_process_still_resolves),
		cmocka_unit_test(test_idle_processes_forgotten),
		cmocka_unit_test(test_kernel_symbols),
		cmocka_unit_test(test_vdso),
		cmocka_unit_test(test_inlined_frames),
		cmocka_unit_test(test_same_build_id_shared),
		cmocka_unit_test(test_rust_and_unsafe_names),
	};

	return cmocka_run_group_tests_name("symbolize", tests, NULL, NULL);
}
