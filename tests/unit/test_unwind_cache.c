// SPDX-License-Identifier: MIT
/*
 * The unwind-table cache on real ELF files (the build's workloads, the
 * system's libc) in a directory of the test's own: keys follow content,
 * entries round-trip, and every bad directory or entry is refused whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "helpers.h"
#include "../../sampler/unwind_cache.h"
#include "../../sampler/unwind_rows.h"

#ifndef WORKLOADS
#define WORKLOADS "build/workloads"
#endif

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

/* The key of a file and its rows (built through the same Elf, as the unwinder does). */
static long key_and_rows(const char *path, unsigned char key[UNWIND_KEY_LEN],
			 struct ft_unwind_row **rows)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;
	long n;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	assert_int_equal(unwind_cache__key(elf, key), 0);
	n = rows ? unwind__build_rows(elf, rows) : 0;
	elf_end(elf);
	close(fd);
	return n;
}

static void copy_file(const char *from, const char *to)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

/* Flips a byte inside the named section of an ELF file. */
static void flip_in_section(const char *path, const char *section)
{
	int fd = open(path, O_RDWR);
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	off_t at = -1;
	unsigned char b;

	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		GElf_Shdr sh;

		gelf_getshdr(scn, &sh);
		if (!strcmp(elf_strptr(elf, shstrndx, sh.sh_name), section))
			at = (off_t)(sh.sh_offset + sh.sh_size / 2);
	}
	elf_end(elf);
	assert_true(at > 0);
	assert_int_equal(pread(fd, &b, 1, at), 1);
	b ^= 0x5a;
	assert_int_equal(pwrite(fd, &b, 1, at), 1);
	close(fd);
}

static void test_keys_follow_content(void **state)
{
	unsigned char a[UNWIND_KEY_LEN], b[UNWIND_KEY_LEN], c[UNWIND_KEY_LEN];
	char tmp[] = "/tmp/ft-ucache-XXXXXX", copy[64];

	(void)state;
	key_and_rows(LIBC, a, NULL);
	key_and_rows(LIBC, b, NULL);
	assert_memory_equal(a, b, UNWIND_KEY_LEN);
	/* the same bytes elsewhere: the same key; other code: another */
	assert_non_null(mkdtemp(tmp));
	snprintf(copy, sizeof(copy), "%s/split-nofp", tmp);
	copy_file(WORKLOADS "/split-nofp", copy);
	key_and_rows(WORKLOADS "/split-nofp", a, NULL);
	key_and_rows(copy, b, NULL);
	assert_memory_equal(a, b, UNWIND_KEY_LEN);
	key_and_rows(WORKLOADS "/split", c, NULL);
	assert_memory_not_equal(a, c, UNWIND_KEY_LEN);
	/* one byte of .eh_frame changed (the build-id is not): another key */
	flip_in_section(copy, ".eh_frame");
	key_and_rows(copy, c, NULL);
	assert_memory_not_equal(a, c, UNWIND_KEY_LEN);
	/* a byte of code changed: the same key (the table does not depend on it) */
	copy_file(WORKLOADS "/split-nofp", copy);
	flip_in_section(copy, ".text");
	key_and_rows(copy, c, NULL);
	assert_memory_equal(a, c, UNWIND_KEY_LEN);
	unlink(copy);
	rmdir(tmp);
}

/* A file whose headers name a second .eh_frame_hdr: not keyed (what would be read is not bounded). */
static void test_duplicate_cfi_not_keyed(void **state)
{
	char tmp[] = "/tmp/ft-ucache-XXXXXX", copy[64], cmd[256];
	unsigned char key[UNWIND_KEY_LEN];
	Elf *elf;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(copy, sizeof(copy), "%s/split-nofp", tmp);
	snprintf(cmd, sizeof(cmd), "objcopy --rename-section .comment=.eh_frame_hdr " WORKLOADS
		 "/split-nofp '%s'", copy);
	assert_int_equal(system(cmd), 0);
	fd = open(copy, O_RDONLY);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	assert_int_equal(unwind_cache__key(elf, key), -EFBIG);
	elf_end(elf);
	close(fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	assert_int_equal(system(cmd), 0);
}

struct cachedir {
	char dir[64], sub[96];
	struct unwind_cache *c;
};

static struct cachedir *open_cachedir(size_t max_bytes)
{
	struct cachedir *f = calloc(1, sizeof(*f));
	char why[200];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ft-ucache-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sub, sizeof(f->sub), "%s/unwind", f->dir);
	f->c = unwind_cache__open(f->dir, max_bytes, why, sizeof(why));
	assert_non_null(f->c);
	assert_string_equal(why, "");
	return f;
}

static void close_cachedir(struct cachedir *f)
{
	char cmd[128];

	unwind_cache__close(f->c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
}

/* The entry file of key in the fixture's cache. */
static void entry_path(const struct cachedir *f, const unsigned char key[UNWIND_KEY_LEN],
		       char *out, size_t len)
{
	int n = snprintf(out, len, "%s/", f->sub);

	for (size_t i = 0; i < UNWIND_KEY_LEN; i++)
		n += snprintf(out + n, len - (size_t)n, "%02x", key[i]);
}

static void test_round_trip_and_bad_entries(void **state)
{
	struct cachedir *f = open_cachedir(0);
	unsigned char key[UNWIND_KEY_LEN], other[UNWIND_KEY_LEN];
	struct ft_unwind_row *rows, *got;
	struct unwind_cache_stats st;
	char path[256], opath[256];
	long n = key_and_rows(LIBC, key, &rows);
	int fd;

	(void)state;
	assert_true(n > 1000);
	assert_int_equal(unwind_cache__get(f->c, key, 1u << 21, &got), -ENOENT);
	assert_int_equal(unwind_cache__put(f->c, key, rows, (__u32)n), 0);
	assert_int_equal(unwind_cache__get(f->c, key, 1u << 21, &got), n);
	assert_memory_equal(got, rows, (size_t)n * sizeof(*rows));
	free(got);
	entry_path(f, key, path, sizeof(path));

	/* more rows than the maps hold: refused */
	assert_true(unwind_cache__get(f->c, key, (__u32)n - 1, &got) < 0);
	/* one byte of the rows changed: the checksum says so */
	fd = open(path, O_RDWR);
	assert_int_equal(pwrite(fd, "\x7f", 1, 200), 1);
	close(fd);
	assert_int_equal(unwind_cache__get(f->c, key, 1u << 21, &got), -EBADMSG);
	assert_null(got);
	/* a put replaces the bad entry */
	assert_int_equal(unwind_cache__put(f->c, key, rows, (__u32)n), 0);
	assert_int_equal(unwind_cache__get(f->c, key, 1u << 21, &got), n);
	free(got);
	/* cut short */
	assert_int_equal(truncate(path, 1000), 0);
	assert_int_equal(unwind_cache__get(f->c, key, 1u << 21, &got), -EINVAL);
	/* another key's entry under this name */
	key_and_rows(WORKLOADS "/split-nofp", other, NULL);
	assert_int_equal(unwind_cache__put(f->c, other, rows, (__u32)n), 0);
	entry_path(f, other, opath, sizeof(opath));
	assert_int_equal(rename(opath, path), 0);
	assert_int_equal(unwind_cache__get(f->c, key, 1u << 21, &got), -ESTALE);
	/* writable by others: not trusted */
	assert_int_equal(unwind_cache__put(f->c, key, rows, (__u32)n), 0);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(unwind_cache__get(f->c, key, 1u << 21, &got), -EPERM);
	/* a symlink to a good entry is not followed */
	assert_int_equal(unwind_cache__put(f->c, other, rows, (__u32)n), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(opath, path), 0);
	assert_int_equal(unwind_cache__get(f->c, key, 1u << 21, &got), -ELOOP);
	/* nor a FIFO read (it would block) */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(unwind_cache__get(f->c, key, 1u << 21, &got), -EPERM);
	/* and the put after it replaces the name, not what it pointed to */
	assert_int_equal(unwind_cache__put(f->c, key, rows, (__u32)n), 0);
	assert_int_equal(unwind_cache__get(f->c, key, 1u << 21, &got), n);
	free(got);
	unwind_cache__stats(f->c, &st);
	assert_int_equal(st.refused, 7);
	assert_int_equal(st.loaded, 3);
	free(rows);
	close_cachedir(f);
}

static void test_rows_out_of_order_refused(void **state)
{
	unsigned char key[UNWIND_KEY_LEN] = { 1, 2, 3 };
	struct ft_unwind_row rows[3] = { { .pc = 10 }, { .pc = 30 }, { .pc = 20 } }, *got;
	size_t len;
	void *buf = unwind_cache__encode(key, rows, 3, &len);

	(void)state;
	assert_int_equal(unwind_cache__parse(buf, len, key, 100, &got), -EINVAL);
	free(buf);
	rows[2].pc = 40;
	rows[1].type = FT_CFA_UNKNOWN + 1;	/* a kind the walker does not know */
	buf = unwind_cache__encode(key, rows, 3, &len);
	assert_int_equal(unwind_cache__parse(buf, len, key, 100, &got), -EINVAL);
	free(buf);
	rows[1].type = FT_CFA_RSP;
	buf = unwind_cache__encode(key, rows, 3, &len);
	assert_int_equal(unwind_cache__parse(buf, len, key, 100, &got), 3);
	free(got);
	assert_int_equal(unwind_cache__parse(buf, len, key, 2, &got), -ERANGE);
	free(buf);
}

static void test_bad_directories(void **state)
{
	char tmp[] = "/tmp/ft-ucache-XXXXXX", path[96], why[200];
	struct unwind_cache *c;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	/* the directory a symlink: not used (an attacker's redirect) */
	snprintf(path, sizeof(path), "%s/link", tmp);
	assert_int_equal(symlink("/tmp", path), 0);
	assert_null(c = unwind_cache__open(path, 0, why, sizeof(why)));
	assert_non_null(strstr(why, "symlink"));
	/* writable by others */
	snprintf(path, sizeof(path), "%s/open", tmp);
	assert_int_equal(mkdir(path, 0777), 0);
	assert_int_equal(chmod(path, 0777), 0);
	assert_null(c = unwind_cache__open(path, 0, why, sizeof(why)));
	assert_non_null(strstr(why, "not ours alone"));
	/* another user's */
	snprintf(path, sizeof(path), "%s/theirs", tmp);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_null(c = unwind_cache__open(path, 0, why, sizeof(why)));
	assert_non_null(strstr(why, "owned by uid 65534"));
	/* a planted symlink at DIR/unwind */
	snprintf(path, sizeof(path), "%s/mine", tmp);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/mine/unwind", tmp);
	assert_int_equal(symlink("/tmp", path), 0);
	snprintf(path, sizeof(path), "%s/mine", tmp);
	assert_null(c = unwind_cache__open(path, 0, why, sizeof(why)));
	/* off */
	assert_null(c = unwind_cache__open("off", 0, why, sizeof(why)));
	assert_string_equal(why, "");
	snprintf(path, sizeof(path), "rm -rf '%s'", tmp);
	assert_int_equal(system(path), 0);
}

/* Sets an entry's last use back by secs. */
static void age(const struct cachedir *f, const unsigned char key[UNWIND_KEY_LEN], int secs)
{
	char path[256];
	struct timeval tv[2];

	entry_path(f, key, path, sizeof(path));
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= secs;
	tv[1] = tv[0];
	assert_int_equal(utimes(path, tv), 0);
}

static void test_bounded_least_recent_first(void **state)
{
	struct ft_unwind_row rows[4096] = { { 0 } }, *got;
	size_t entry = sizeof(rows) + 80;	/* the header */
	struct cachedir *f = open_cachedir(3 * entry + entry / 2);	/* room for three */
	unsigned char keys[5][UNWIND_KEY_LEN] = { { 0 } };
	struct unwind_cache_stats st;
	char path[256];
	int fd;

	(void)state;
	for (int i = 0; i < 4096; i++)
		rows[i].pc = (__u32)i * 16;
	/* a temporary left by a killed run, long ago */
	snprintf(path, sizeof(path), "%s/.tmp-1-1", f->sub);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	close(fd);
	assert_int_equal(utimes(path, (struct timeval[2]){ { 1000, 0 }, { 1000, 0 } }), 0);
	for (int i = 0; i < 3; i++) {
		keys[i][0] = (unsigned char)(i + 1);
		assert_int_equal(unwind_cache__put(f->c, keys[i], rows, 4096), 0);
		age(f, keys[i], 100 - i);	/* 0 the oldest */
	}
	assert_int_equal(access(path, F_OK), -1);
	/* 0 used now: 1 is the least recent */
	assert_int_equal(unwind_cache__get(f->c, keys[0], 1u << 21, &got), 4096);
	free(got);
	keys[3][0] = 4;
	assert_int_equal(unwind_cache__put(f->c, keys[3], rows, 4096), 0);
	assert_int_equal(unwind_cache__get(f->c, keys[1], 1u << 21, &got), -ENOENT);
	assert_int_equal(unwind_cache__get(f->c, keys[0], 1u << 21, &got), 4096);
	free(got);
	assert_int_equal(unwind_cache__get(f->c, keys[2], 1u << 21, &got), 4096);
	free(got);
	unwind_cache__stats(f->c, &st);
	assert_int_equal(st.evicted, 1);
	/* an entry larger than the whole bound is not kept */
	close_cachedir(f);
	f = open_cachedir(sizeof(rows) / 2);
	keys[4][0] = 5;
	assert_int_equal(unwind_cache__put(f->c, keys[4], rows, 4096), -EFBIG);
	close_cachedir(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_follow_content),
		cmocka_unit_test(test_duplicate_cfi_not_keyed),
		cmocka_unit_test(test_round_trip_and_bad_entries),
		cmocka_unit_test(test_rows_out_of_order_refused),
		cmocka_unit_test(test_bad_directories),
		cmocka_unit_test(test_bounded_least_recent_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
