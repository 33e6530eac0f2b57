// SPDX-License-Identifier: MIT
/*
 * DWARF indexes kept across runs (dwindex.h): a symbolizer that reads them
 * from the cache names every address of a real binary (this test's own,
 * built with -g -O2, and libc where its debug file is installed) exactly as
 * one that reads the DWARF, and one without a cache; a bad entry is refused
 * whole; a file others may write is never cached; a DWARF refused for the
 * budget of all open DWARF is asked for again, any other refusal is final.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <elfutils/libdw.h>
#include <gelf.h>

#include "helpers.h"
#include "ownelf.h"
#include "../../sampler/dwarfinfo.h"
#include "../../sampler/dwindex.h"
#include "../../sampler/symbolize.h"

#define STEP 3			/* every third byte of the text (at most MAX_ADDRS / 2 a file) */
#define MAX_ADDRS 200000

struct text {
	pid_t pid;
	uint64_t *addr;
	size_t n;
};

/* The executable mappings of pid whose path ends in one of ends (NULL-ended), every STEP bytes. */
static void text_of(pid_t pid, const char *const *ends, struct text *t)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	t->pid = pid;
	t->addr = malloc(MAX_ADDRS * sizeof(*t->addr));
	assert_non_null(t->addr);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		char perm[8], file[400] = "";

		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %399s", &lo, &hi, perm, file) < 3 ||
		    perm[2] != 'x')
			continue;
		for (const char *const *e = ends; *e; e++) {
			size_t fl = strlen(file), el = strlen(*e);

			if (fl < el || strcmp(file + fl - el, *e))
				continue;
			/* spread over the whole text (ASan's runtime fills the start of make asan's) */
			uint64_t step = (hi - lo) / (MAX_ADDRS / 2) + 1;

			step = step < STEP ? STEP : step;
			for (uint64_t a = lo; a < hi && t->n < MAX_ADDRS; a += step)
				t->addr[t->n++] = a;
		}
	}
	fclose(f);
}

/*
 * Every address's frames as one string each ("f;inl_[i];..." with where
 * each is declared).  idle: three times, the DWARF is let go (as 10 idle
 * drains do), and opened again after.
 */
static char **name_all_idle(const char *cache, bool lines, const struct text *t,
			    struct symbolizer_stats *st, bool idle)
{
	struct strtab *names = strtab__new();
	struct symbolizer *s;
	struct procmaps maps;
	char **out = calloc(t->n, sizeof(*out));

	assert_non_null(out);
	assert_int_equal(setenv("FLAMETOP_CACHE_DIR", cache, 1), 0);
	s = symbolizer__new(names, &(struct symbolizer_opts){ .lines = lines });
	assert_non_null(s);
	assert_int_equal(procmaps__read(t->pid, &maps), 0);
	symbolizer__add_process(s, t->pid, 1, &maps);
	procmaps__free(&maps);
	for (size_t i = 0; i < t->n; i++) {
		uint32_t ids[16];
		size_t n = symbolizer__user_frames(s, t->pid, 1, t->addr[i], ids, 16);
		char buf[4096] = "";
		size_t len = 0;

		/* at a quarter, half and three quarters: in each file's text (the start
		 * of make asan's binary is ASan's runtime, with no DWARF to open again) */
		bool let_go = idle && (i == t->n / 4 || i == t->n / 2 || i == 3 * t->n / 4);

		for (int k = 0; let_go && k < 12; k++)
			symbolizer__tick(s);
		for (size_t k = 0; k < n && len < sizeof(buf) - 600; k++) {
			const char *file = NULL;
			uint32_t line = 0;

			symbolizer__where(s, ids[k], &file, &line);
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s@%s:%u;",
						strtab__str(names, ids[k]), file ? file : "", line);
		}
		out[i] = strdup(buf);
	}
	symbolizer__stats(s, st);
	symbolizer__free(s);	/* keeps the indexes it grew */
	strtab__free(names);
	unsetenv("FLAMETOP_CACHE_DIR");
	return out;
}

static char **name_all(const char *cache, bool lines, const struct text *t,
		       struct symbolizer_stats *st)
{
	return name_all_idle(cache, lines, t, st, false);
}

static void free_all(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static size_t count_inlined(char **v, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += strstr(v[i], "_[i]") != NULL;
	return k;
}

static void make_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/ft-dwidx-XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void remove_dir(const char *dir)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void same_frames(bool lines)
{
	static const char *const ends[] = { "/test_dwindex", "/libc.so.6", NULL };
	struct symbolizer_stats cold, warm, off;
	struct text t = { 0 };
	char dir[64];
	char **a, **b, **c;

	make_dir(dir, sizeof(dir));
	text_of(getpid(), ends, &t);
	assert_true(t.n > 10000);
	a = name_all("off", lines, &t, &off);
	b = name_all(dir, lines, &t, &cold);
	c = name_all(dir, lines, &t, &warm);
	for (size_t i = 0; i < t.n; i++) {
		if (strcmp(a[i], b[i]) || strcmp(a[i], c[i]))
			fail_msg("%#llx: no cache '%s', cold '%s', warm '%s'",
				 (unsigned long long)t.addr[i], a[i], b[i], c[i]);
	}
	/* this test is built -O2 -g (gcc, or clang for make asan): it inlines some of its functions */
	assert_true(count_inlined(a, t.n) > 10);
	assert_int_equal(off.dwarf_cached, 0);
	assert_true(cold.dwarf_opened >= 1);
	assert_int_equal(cold.dwarf_cached, 0);
	assert_int_equal(warm.dwarf_cached, cold.dwarf_opened);
	/* every CU the cold run walked is there: without lines, libdw is not opened again */
	if (!lines)
		assert_int_equal(warm.dwarf_opened, 0);
	free_all(a, t.n);
	free_all(b, t.n);
	free_all(c, t.n);
	free(t.addr);
	remove_dir(dir);
}

static void test_same_frames_from_the_cache(void **state)
{
	(void)state;
	same_frames(false);
}

static void test_same_lines_from_the_cache(void **state)
{
	(void)state;
	same_frames(true);
}

/*
 * The DWARF let go and opened again: its strings are at other addresses,
 * perhaps the old ones' (nothing interned by address may outlive them).
 */
static void test_same_frames_after_idle(void **state)
{
	static const char *const ends[] = { "/test_dwindex", "/libc.so.6", NULL };
	struct symbolizer_stats st, ref;
	struct text t = { 0 };
	char dir[64];
	char **a, **b, **c;

	(void)state;
	make_dir(dir, sizeof(dir));
	text_of(getpid(), ends, &t);
	a = name_all("off", true, &t, &ref);
	b = name_all_idle(dir, true, &t, &st, true);
	assert_true(st.dwarf_opened > ref.dwarf_opened);	/* some opened twice */
	c = name_all(dir, true, &t, &st);	/* what the idle run kept */
	for (size_t i = 0; i < t.n; i++) {
		if (strcmp(a[i], b[i]) || strcmp(a[i], c[i]))
			fail_msg("%#llx: '%s', after idle '%s', kept '%s'",
				 (unsigned long long)t.addr[i], a[i], b[i], c[i]);
	}
	free_all(a, t.n);
	free_all(b, t.n);
	free_all(c, t.n);
	free(t.addr);
	remove_dir(dir);
}

/* The entries in dir/inline: how many, and the largest's bytes (malloc'ed) with its key. */
static size_t entries(const char *dir, void **big, size_t *len, unsigned char key[32])
{
	char cmd[300], name[128];
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ls -S '%s/inline' 2>/dev/null", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (fscanf(p, "%127s", name) == 1) {
		char path[300];
		struct stat st;
		int fd;

		if (n++ || !big)
			continue;
		snprintf(path, sizeof(path), "%s/inline/%s", dir, name);
		fd = open(path, O_RDONLY);
		assert_true(fd >= 0 && !fstat(fd, &st));
		*len = (size_t)st.st_size;
		*big = malloc(*len);
		assert_int_equal(read(fd, *big, *len), (ssize_t)*len);
		close(fd);
		for (size_t i = 0; i < 32; i++)
			assert_int_equal(sscanf(name + 2 * i, "%2hhx", &key[i]), 1);
	}
	pclose(p);
	return n;
}

/* x's arrays changed by fix, signed again (a good checksum), then parsed: refused. */
static void refused_when(const void *buf, size_t len, const unsigned char key[32],
			 void (*fix)(struct dwarf_index *))
{
	struct dwarf_index *x = dwindex__new(NULL, key), *y = dwindex__new(NULL, key);
	size_t elen;
	void *e;

	assert_int_equal(dwindex__parse(x, buf, len), 0);
	fix(x);
	e = dwindex__encode(x, &elen);
	assert_non_null(e);
	assert_int_equal(dwindex__parse(y, e, elen), -EINVAL);
	free(e);
	dwindex__free(x);
	dwindex__free(y);
}

static void spans_out_of_order(struct dwarf_index *x)
{
	struct dw_span t = x->spans[0];

	x->spans[0] = x->spans[x->nspans - 1];
	x->spans[x->nspans - 1] = t;
}

static void span_of_no_cu(struct dwarf_index *x)
{
	x->spans[0].cu = (uint32_t)x->ncus;
}

static void name_past_strings(struct dwarf_index *x)
{
	x->ranges[0].name = (uint32_t)x->nstrs;
}

static void cu_past_ranges(struct dwarf_index *x)
{
	x->cus[0].walked = 1;
	x->cus[0].first = (uint32_t)x->nranges;
	x->cus[0].n = 1;
}

static void unwalked_with_ranges(struct dwarf_index *x)
{
	x->cus[0].walked = 0;
	x->cus[0].n = 1;
	x->cus[0].first = 0;
}

/* A walked CU's first two ranges swapped: not in the order its search needs. */
static void ranges_out_of_order(struct dwarf_index *x)
{
	for (size_t i = 0; i < x->ncus; i++) {
		struct dw_range *r = x->ranges + x->cus[i].first, t;

		if (!x->cus[i].walked || x->cus[i].n < 2 || dwindex__range_cmp(&r[0], &r[1]) == 0)
			continue;
		t = r[0];
		r[0] = r[1];
		r[1] = t;
		return;
	}
	fail_msg("no CU of two ranges to swap");
}

static void too_deep(struct dwarf_index *x)
{
	x->ranges[0].depth = DWINDEX_DEPTH_MAX + 1;
}

static void strings_unended(struct dwarf_index *x)
{
	x->strs[x->nstrs - 1] = 'x';
}

static void test_bad_entries_refused(void **state)
{
	static const char *const ends[] = { "/test_dwindex", NULL };
	struct symbolizer_stats st;
	unsigned char key[32], other[32];
	struct text t = { 0 };
	size_t len, n;
	char dir[64];
	void *buf = NULL;
	char **a, **b;

	(void)state;
	make_dir(dir, sizeof(dir));
	text_of(getpid(), ends, &t);
	a = name_all(dir, false, &t, &st);
	n = entries(dir, &buf, &len, key);
	assert_true(n >= 1);
	{
		struct dwarf_index *x = dwindex__new(NULL, key);

		assert_int_equal(dwindex__parse(x, buf, len), 0);
		assert_true(x->nspans >= 1 && x->nranges > 10);
		dwindex__free(x);
		x = dwindex__new(NULL, key);
		assert_int_equal(dwindex__parse(x, buf, len - 1), -EINVAL);
		assert_int_equal(dwindex__parse(x, buf, 10), -EINVAL);
		dwindex__free(x);
	}
	memcpy(other, key, 32);
	other[0] ^= 1;
	{
		struct dwarf_index *x = dwindex__new(NULL, other);
		unsigned char *flip = malloc(len);

		assert_int_equal(dwindex__parse(x, buf, len), -ESTALE);
		memcpy(flip, buf, len);
		flip[len - 2] ^= 0x40;
		dwindex__free(x);
		x = dwindex__new(NULL, key);
		assert_int_equal(dwindex__parse(x, flip, len), -EBADMSG);
		assert_int_equal(x->nranges, 0);
		dwindex__free(x);
		free(flip);
	}
	refused_when(buf, len, key, spans_out_of_order);
	refused_when(buf, len, key, span_of_no_cu);
	refused_when(buf, len, key, name_past_strings);
	refused_when(buf, len, key, cu_past_ranges);
	refused_when(buf, len, key, unwalked_with_ranges);
	refused_when(buf, len, key, ranges_out_of_order);
	refused_when(buf, len, key, too_deep);
	refused_when(buf, len, key, strings_unended);
	free(buf);

	/* every entry on disk damaged: refused, the frames the same, then replaced */
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd),
			 "for f in '%s'/inline/*; do printf x | dd of=\"$f\" bs=1 seek=200 "
			 "conv=notrunc status=none; done", dir);
		assert_int_equal(system(cmd), 0);
	}
	b = name_all(dir, false, &t, &st);
	assert_int_equal(st.dwarf_refused, n);
	assert_int_equal(st.dwarf_cached, 0);
	for (size_t i = 0; i < t.n; i++)
		assert_string_equal(a[i], b[i]);
	free_all(b, t.n);
	b = name_all(dir, false, &t, &st);
	assert_int_equal(st.dwarf_refused, 0);
	assert_int_equal(st.dwarf_cached, n);
	assert_int_equal(st.dwarf_opened, 0);
	free_all(a, t.n);
	free_all(b, t.n);
	free(t.addr);
	remove_dir(dir);
}

/* A copy of this test's binary, of mode mode, running (sleeping): its pid. */
static pid_t run_copy(const char *dir, mode_t mode, char *path, size_t len)
{
	char cmd[400];
	pid_t pid;

	snprintf(path, len, "%s/copy-%o", dir, (unsigned)mode);
	/* by argv[0]: under valgrind, /proc/self/exe is valgrind's */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && chmod %o '%s'", program_invocation_name, path,
		 (unsigned)mode, path);
	assert_int_equal(system(cmd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		/* a failed assertion skips the kill: die with the test, never outlive it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(path, path, "--sleep", (char *)NULL);
		_exit(127);
	}
	usleep(200 * 1000);	/* mapped by then */
	return pid;
}

static void test_file_others_may_write_not_cached(void **state)
{
	struct symbolizer_stats st;
	char dir[64], path[128], cache[96];
	const char *ends[] = { path, NULL };
	struct text t = { 0 };
	pid_t pid;
	char **a;

	(void)state;
	make_dir(dir, sizeof(dir));
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	/* writable by others: its bytes could change under the same identity */
	pid = run_copy(dir, 0757, path, sizeof(path));
	text_of(pid, ends, &t);
	assert_true(t.n > 10000);
	a = name_all(cache, false, &t, &st);
	assert_true(count_inlined(a, t.n) > 10);
	assert_int_equal(entries(cache, NULL, NULL, NULL), 0);
	free_all(a, t.n);
	free(t.addr);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* the same file, root's alone: kept */
	pid = run_copy(dir, 0755, path, sizeof(path));
	t = (struct text){ 0 };
	text_of(pid, ends, &t);
	a = name_all(cache, false, &t, &st);
	assert_int_equal(entries(cache, NULL, NULL, NULL), 1);
	free_all(a, t.n);
	free(t.addr);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	remove_dir(dir);
}

/* An opener of this test's own DWARF that first answers refusal (its errno), then opens. */
struct test_opener {
	int refuse;	/* 0: open */
	int calls;
};

static int open_own_dwarf(void *ctx, struct dwarf_index *x)
{
	struct test_opener *t = ctx;

	t->calls++;
	x->wanted = 1000;	/* as the symbolizer's opener says what the budget lacked room for */
	return t->refuse ? t->refuse : own_dwarf(x);
}

/* An ELF address of this test's text where functions are inlined. */
static uint64_t inlined_pc(void)
{
	struct test_opener t = { 0 };
	struct dwarf_opener o = { open_own_dwarf, &t };
	struct dwarf_index *x = dwindex__new(NULL, NULL);
	struct dwarf_frame fr[8];
	uint64_t lo, hi, pc = 0;

	assert_non_null(x);
	own_text(&lo, &hi);
	for (uint64_t a = lo; a < hi && !pc; a++)
		if (dwarfinfo__frames(x, &o, a, true, false, fr, 8) >= 2)
			pc = a;
	assert_true(pc);
	dwindex__free(x);
	return pc;
}

/*
 * All open DWARF past its budget (-ENOSPC): named without inlined frames
 * now, not asked again until the budget has room for it, then opened.
 * Over a bound of its own (-EFBIG): never asked again.
 */
static void test_budget_refusal_deferred(void **state)
{
	uint64_t pc = inlined_pc();
	struct test_opener t = { .refuse = -ENOSPC };
	struct dwarf_opener o = { open_own_dwarf, &t };
	struct dwarf_index *x = dwindex__new(NULL, NULL);
	struct dwarf_frame fr[8];

	(void)state;
	assert_int_equal(dwarfinfo__frames(x, &o, pc, true, false, fr, 8), 0);
	assert_true(x->open_deferred && !x->open_failed);
	assert_int_equal(dwarfinfo__frames(x, &o, pc, true, false, fr, 8), 0);
	assert_int_equal(t.calls, 1);	/* deferred: not asked again at each address */
	t.refuse = 0;
	dwindex__retry(x, 999);		/* the symbolizer's tick: room for less than it wants */
	assert_int_equal(dwarfinfo__frames(x, &o, pc, true, false, fr, 8), 0);
	assert_int_equal(t.calls, 1);
	dwindex__retry(x, 1000);
	assert_true(dwarfinfo__frames(x, &o, pc, true, false, fr, 8) >= 2);
	assert_int_equal(t.calls, 2);
	dwindex__free(x);

	t = (struct test_opener){ .refuse = -EFBIG };
	x = dwindex__new(NULL, NULL);
	assert_int_equal(dwarfinfo__frames(x, &o, pc, true, false, fr, 8), 0);
	assert_true(x->open_failed && !x->open_deferred);
	t.refuse = 0;
	dwindex__retry(x, SIZE_MAX);
	assert_int_equal(dwarfinfo__frames(x, &o, pc, true, false, fr, 8), 0);
	assert_int_equal(t.calls, 1);
	dwindex__free(x);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_frames_from_the_cache),
		cmocka_unit_test(test_same_lines_from_the_cache),
		cmocka_unit_test(test_same_frames_after_idle),
		cmocka_unit_test(test_bad_entries_refused),
		cmocka_unit_test(test_file_others_may_write_not_cached),
		cmocka_unit_test(test_budget_refusal_deferred),
	};

	if (argc > 1 && !strcmp(argv[1], "--sleep")) {
		pause();
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
