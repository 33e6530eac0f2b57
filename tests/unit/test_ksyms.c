// SPDX-License-Identifier: MIT
/*
 * The kernel symbol table and its per-boot cache: a round trip through the
 * cache file, cache files broken every way we could think of (each must be
 * refused, never read past), and a BPF program loaded after the cache was
 * written, which the symbolizer must still name.
 */
#include <bpf/bpf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "../../sampler/ksyms.h"
#include "../../sampler/symbolize.h"

struct paths {
	char dir[64];
	char cache[96];
	unsigned char *good;	/* a valid cache file's bytes */
	size_t good_len;
};

static unsigned char *slurp_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void write_file(const char *path, const void *p, size_t n, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	fchmod(fd, mode);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	close(fd);
}

static int setup(void **state)
{
	struct paths *p = calloc(1, sizeof(*p));
	struct ksyms k;

	assert_non_null(p);
	snprintf(p->dir, sizeof(p->dir), "/tmp/flametop-ksyms-XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	/* in a directory that does not exist yet: save makes it */
	snprintf(p->cache, sizeof(p->cache), "%s/sub/ksyms", p->dir);
	assert_int_equal(ksyms__read(&k, -1), 0);
	assert_int_equal(ksyms__save_cache(&k, p->cache), 0);
	ksyms__free(&k);
	p->good = slurp_file(p->cache, &p->good_len);
	*state = p;
	return 0;
}

static int teardown(void **state)
{
	struct paths *p = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", p->dir);
	assert_int_equal(system(cmd), 0);
	free(p->good);
	free(p);
	return 0;
}

/* the address of a text symbol, from /proc/kallsyms as the kernel prints it */
static uint64_t kallsyms_addr(const char *want)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	unsigned long long addr;
	char type, name[512], line[1024];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %511s", &addr, &type, name) == 3 && !strcmp(name, want)) {
			fclose(f);
			return addr;
		}
	fclose(f);
	return 0;
}

static void test_cache_round_trip(void **state)
{
	struct paths *p = *state;
	struct ksyms fresh, cached;
	uint64_t sched = kallsyms_addr("schedule");
	size_t i, j;

	assert_int_equal(ksyms__read(&fresh, -1), 0);
	assert_int_equal(ksyms__load_cache(&cached, p->cache), 0);
	assert_true(cached.cached);
	assert_false(fresh.cached);
	assert_int_equal(cached.n, fresh.n);
	for (i = 0; i < fresh.n; i += 997)
		assert_int_equal(cached.addr[i], fresh.addr[i]);
	assert_true(sched != 0);
	i = ksyms__find(&cached, sched + 1);
	j = ksyms__find(&fresh, sched + 1);
	assert_true(i > 0 && j > 0);
	assert_string_equal(cached.names + cached.name[i - 1], "schedule");
	assert_string_equal(fresh.names + fresh.name[j - 1], "schedule");
	/* schedule is kernel text; an address below the kernel is not covered */
	assert_true(ksyms__covers(&cached, sched));
	assert_false(ksyms__covers(&cached, 4096));
	assert_int_equal(ksyms__find(&cached, 1), 0);
	ksyms__free(&fresh);
	ksyms__free(&cached);
}

static void expect_refused(struct paths *p, const void *bytes, size_t len, mode_t mode)
{
	char path[128];
	struct ksyms k;

	snprintf(path, sizeof(path), "%s/bad", p->dir);
	write_file(path, bytes, len, mode);
	assert_true(ksyms__load_cache(&k, path) < 0);
	assert_int_equal(k.n, 0);
	assert_null(k.mem);
}

/* the header, as sampler/ksyms.c lays it out */
#define OFF_BOOT_ID	8
#define OFF_HASH	48
#define OFF_N		56
#define OFF_NAMES_LEN	64
#define HDR_LEN		104

static void test_hostile_cache_files(void **state)
{
	struct paths *p = *state;
	unsigned char *b = malloc(p->good_len);
	uint64_t n, v;
	size_t cut[] = { 0, 1, 7, HDR_LEN - 1, HDR_LEN, HDR_LEN + 8, p->good_len / 2,
			 p->good_len - 1 };
	size_t i;

	assert_non_null(b);
	memcpy(&n, p->good + OFF_N, sizeof(n));
	/* cut anywhere */
	for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
		expect_refused(p, p->good, cut[i], 0600);
	/* one byte too many */
	memcpy(b, p->good, p->good_len);
	{
		unsigned char *longer = malloc(p->good_len + 1);

		assert_non_null(longer);
		memcpy(longer, p->good, p->good_len);
		longer[p->good_len] = 0;
		expect_refused(p, longer, p->good_len + 1, 0600);
		free(longer);
	}
	/* another magic, another boot, other modules */
	b[0] ^= 1;
	expect_refused(p, b, p->good_len, 0600);
	memcpy(b, p->good, p->good_len);
	b[OFF_BOOT_ID] ^= 1;
	expect_refused(p, b, p->good_len, 0600);
	memcpy(b, p->good, p->good_len);
	b[OFF_HASH] ^= 1;
	expect_refused(p, b, p->good_len, 0600);
	/* counts that overflow or do not add up */
	memcpy(b, p->good, p->good_len);
	v = UINT64_MAX / 4;
	memcpy(b + OFF_N, &v, sizeof(v));
	expect_refused(p, b, p->good_len, 0600);
	memcpy(b, p->good, p->good_len);
	v = n + 1;
	memcpy(b + OFF_N, &v, sizeof(v));
	expect_refused(p, b, p->good_len, 0600);
	memcpy(b, p->good, p->good_len);
	v = UINT64_MAX;
	memcpy(b + OFF_NAMES_LEN, &v, sizeof(v));
	expect_refused(p, b, p->good_len, 0600);
	/* a name offset past the names */
	memcpy(b, p->good, p->good_len);
	memset(b + HDR_LEN + n * 8 + 4 * (n / 2), 0xff, 4);
	expect_refused(p, b, p->good_len, 0600);
	/* addresses out of order */
	memcpy(b, p->good, p->good_len);
	memset(b + HDR_LEN + 8 * (n / 2), 0xff, 8);
	expect_refused(p, b, p->good_len, 0600);
	/* names not terminated */
	memcpy(b, p->good, p->good_len);
	b[p->good_len - 1] = 'x';
	expect_refused(p, b, p->good_len, 0600);
	/* a good file that others may write is not trusted */
	expect_refused(p, p->good, p->good_len, 0666);
	free(b);
}

static void test_symlink_refused(void **state)
{
	struct paths *p = *state;
	char link[128];
	struct ksyms k;

	snprintf(link, sizeof(link), "%s/link", p->dir);
	assert_int_equal(symlink(p->cache, link), 0);
	assert_true(ksyms__load_cache(&k, link) < 0);
}

static int reloads;

static int reload(void *ctx, struct ksyms *out)
{
	(void)ctx;
	reloads++;
	return ksyms__read(out, -1);
}

/* A BPF program loaded after the cache was written: the symbolizer names it. */
static void test_stale_cache_reloads(void **state)
{
	struct paths *p = *state;
	struct bpf_insn prog[] = {
		{ .code = 0xb7, .dst_reg = 0, .imm = 0 },	/* r0 = 0 */
		{ .code = 0x95 },				/* exit */
	};
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, NULL);
	char want[600], line[1024], name[512], type;
	unsigned long long addr, bpf_addr = 0;
	struct ksyms k;
	FILE *f;
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "ft_stale_test", "GPL", prog, 2, NULL);
	if (fd < 0)
		skip();
	f = fopen("/proc/kallsyms", "r");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx %c %511s", &addr, &type, name) == 3 &&
		    strstr(name, "_ft_stale_test")) {
			bpf_addr = addr;
			snprintf(want, sizeof(want), "%s_[k]", name);
		}
	fclose(f);
	if (!bpf_addr) {	/* net.core.bpf_jit_kallsyms off */
		close(fd);
		skip();
	}
	assert_int_equal(ksyms__load_cache(&k, p->cache), 0);
	assert_false(ksyms__covers(&k, bpf_addr));
	assert_int_equal(symbolizer__set_kernel(s, &k, reload, NULL), 0);
	reloads = 0;
	/* kernel text: the cached table is whole there */
	symbolizer__kernel(s, kallsyms_addr("schedule") + 1);
	assert_int_equal(reloads, 0);
	assert_string_equal(strtab__str(st, symbolizer__kernel(s, bpf_addr + 1)), want);
	assert_int_equal(reloads, 1);
	/* a table this process read is not read again for every such address */
	symbolizer__kernel(s, bpf_addr + 2);
	assert_int_equal(reloads, 1);
	close(fd);
	symbolizer__free(s);
	strtab__free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cache_round_trip),
		cmocka_unit_test(test_hostile_cache_files),
		cmocka_unit_test(test_symlink_refused),
		cmocka_unit_test(test_stale_cache_reloads),
	};

	return cmocka_run_group_tests_name("ksyms", tests, setup, teardown);
}
