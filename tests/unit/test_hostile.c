// SPDX-License-Identifier: MIT
/*
 * Attacks on a root tool, at the level where each is stopped (issue 11):
 * a chroot whose absolute symlink points at a host file, a file forging
 * another's build-id, a file that shrinks while read, and outputs planted
 * with symlinks, FIFOs and devices.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "helpers.h"
#include "spawn.h"
#include "../../util/atomic.h"
#include "../../profile/folded.h"
#include "../../sampler/debugfile.h"
#include "../../sampler/procmaps.h"
#include "../../sampler/symbolize.h"

#ifndef FIXTURES
#define FIXTURES "build/fixtures"
#endif

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	assert_int_equal(system(cmd), 0);
}

/*
 * /lib/evil.so inside a chroot is an absolute symlink to a host file (the
 * canary).  A mapping that cannot be opened through map_files (a racing
 * unmap) falls back to its path: resolved inside the process's root it
 * finds nothing; resolved through /proc/PID/root as a plain path it would
 * reach the canary.
 */
static void test_chroot_symlink_stays_inside(void **state)
{
	char dir[] = "/tmp/ft-chroot-XXXXXX", canary[PATH_MAX], path[PATH_MAX + 64];
	struct stat inside, got;
	bool same = true;
	pid_t pid;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_non_null(realpath(FIXTURES "/sym_plain", canary));
	sh("mkdir -p %s/lib && cp /bin/true %s/lib/real.so", dir, dir);
	snprintf(path, sizeof(path), "%s/lib/evil.so", dir);
	assert_int_equal(symlink(canary, path), 0);
	pid = chrooted_child(dir);
	usleep(100000);
	/* what the old fallback did: the link leaves the root */
	snprintf(path, sizeof(path), "/proc/%d/root/lib/evil.so", pid);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	close(fd);
	/* no such mapping (1-2): map_files fails, as after an unmap */
	assert_int_equal(procmaps__open_mapped(pid, 1, 2, "/lib/evil.so", 0, 0, 0, &same), -1);
	/* a path inside the root opens when it is still the file the maps line named */
	snprintf(path, sizeof(path), "%s/lib/real.so", dir);
	assert_int_equal(stat(path, &inside), 0);
	fd = procmaps__open_mapped(pid, 1, 2, "/lib/real.so", major(inside.st_dev),
				   minor(inside.st_dev), inside.st_ino, &same);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &got), 0);
	assert_int_equal(got.st_ino, inside.st_ino);
	assert_true(same);
	close(fd);
	/* ... and not when the path names another file by now (a swap after the unmap) */
	assert_int_equal(procmaps__open_mapped(pid, 1, 2, "/lib/real.so", major(inside.st_dev),
					       minor(inside.st_dev), inside.st_ino + 1, &same), -1);
	/* nothing but a regular file is opened: not a FIFO, not a device */
	sh("mkfifo %s/lib/fifo.so%s", dir, "");
	snprintf(path, sizeof(path), "%s/lib/fifo.so", dir);
	assert_int_equal(stat(path, &inside), 0);
	assert_int_equal(procmaps__open_mapped(pid, 1, 2, "/lib/fifo.so", major(inside.st_dev),
					       minor(inside.st_dev), inside.st_ino, &same), -1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	sh("rm -rf %s%s", dir, "");
}

/*
 * A mapped path is as long as its owner likes: a maps line cut at a fixed
 * length would leave a tail that reads as a line the process wrote itself.
 */
static void test_long_maps_line_is_not_two(void **state)
{
	static const char forged[] = "200000100000-200000102000 r-xp 00000000 fe:00 1 /etc/x";
	size_t n = 4399 - 74, cap = 0;
	struct map_entry e;
	char *line = NULL;
	int count = 0;
	FILE *f = tmpfile();

	(void)state;
	fputs("7f0000000000-7f0000001000 r-xp 00000000 08:01 42 /usr/lib/ok.so\n", f);
	fputs("7f0000001000-7f0000002000 r-xp 00000000 08:01 43 /", f);
	for (size_t i = 0; i < n + PATH_MAX; i++)
		fputc('a', f);
	fputs(forged, f);
	fputs("\n7f0000003000-7f0000004000 r-xp 00000000 08:01 44 /usr/lib/last.so\n", f);
	rewind(f);
	while (procmaps__next(f, &line, &cap, &e)) {
		assert_null(strstr(e.name, "/etc/x"));
		count++;
	}
	assert_int_equal(count, 2);	/* ok.so and last.so; the long line skipped whole */
	free(line);
	fclose(f);
}

/*
 * The debug file a binary's .gnu_debuglink names: never a path, never a
 * FIFO (the search would hang), never a file another user may change.
 */
static void test_debuglink_search(void **state)
{
	char dir[] = "/tmp/ft-dbg-XXXXXX", bin[128], p[128];
	uint32_t crc;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(bin, sizeof(bin), "%s/prog", dir);
	snprintf(p, sizeof(p), "%s/prog.fifo", dir);
	assert_int_equal(mkfifo(p, 0666), 0);
	assert_int_equal(debugfile__find(NULL, NULL, 0, bin, "prog.fifo", 0), -1);
	assert_int_equal(debugfile__find(NULL, NULL, 0, bin, "/dev/null", 0), -1);
	assert_int_equal(debugfile__find(NULL, NULL, 0, bin, "../../etc/passwd", 0), -1);
	/* a debug file with the right CRC: root's is taken, another user's is not */
	snprintf(p, sizeof(p), "%s/prog.debug", dir);
	sh("echo debug > %s%s", p, "");
	crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const unsigned char *)"debug\n", 6);
	fd = debugfile__find(NULL, NULL, 0, bin, "prog.debug", crc);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(debugfile__find(NULL, NULL, 0, bin, "prog.debug", crc + 1), -1);
	assert_int_equal(chown(p, 65534, 65534), 0);
	assert_int_equal(debugfile__find(NULL, NULL, 0, bin, "prog.debug", crc), -1);
	sh("rm -rf %s%s", dir, "");
}

static const char *name_at(struct symbolizer *s, struct strtab *st, struct target *t)
{
	uint32_t ids[8];

	assert_true(symbolizer__user_frames(s, t->pid, 1, t->addr[0], ids, 8) >= 1);
	return strtab__str(st, ids[0]);
}

/*
 * sym_forged is sym_plain's code under other names with sym_plain's
 * build-id.  Seen first, it must not name sym_plain's frames.
 */
static void test_forged_build_id_names_only_its_own(void **state)
{
	struct strtab *st = strtab__new();
	struct symbolizer *s = symbolizer__new(st, NULL);
	struct target forger, victim;

	(void)state;
	spawn(FIXTURES "/sym_forged", &forger);
	spawn(FIXTURES "/sym_plain", &victim);
	assert_string_equal(name_at(s, st, &forger), "forged_alpha");
	assert_string_equal(name_at(s, st, &victim), "exported_alpha");
	/* and the other way round: the forger does not get the victim's names either */
	assert_string_equal(name_at(s, st, &forger), "forged_alpha");
	reap(&forger);
	reap(&victim);
	symbolizer__free(s);
	strtab__free(st);
}

static void test_same_content(void **state)
{
	char a[] = "/tmp/ft-same-XXXXXX", b[] = "/tmp/ft-same-XXXXXX";
	int fa = mkstemp(a), fb = mkstemp(b);
	char big[100000];

	(void)state;
	memset(big, 'x', sizeof(big));
	assert_int_equal(write(fa, big, sizeof(big)), sizeof(big));
	assert_int_equal(write(fb, big, sizeof(big)), sizeof(big));
	assert_true(procmaps__same_content(fa, fb));
	/* one byte differs, past the first block */
	assert_int_equal(pwrite(fb, "y", 1, 70000), 1);
	assert_false(procmaps__same_content(fa, fb));
	assert_int_equal(ftruncate(fb, 5), 0);
	assert_false(procmaps__same_content(fa, fb));
	close(fa);
	close(fb);
	unlink(a);
	unlink(b);
}

/* The output rules of atomic.h, against what an attacker plants. */
static void test_outputs_never_through_plants(void **state)
{
	char dir[] = "/tmp/ft-out-XXXXXX", p[256], fifo[256], victim[256];
	struct atomic_file af;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	sh("echo keep > %s%s", victim, "");
	/* another user's symlink to a FIFO, even where devices are allowed: replaced */
	snprintf(p, sizeof(p), "%s/out.folded", dir);
	assert_int_equal(symlink(fifo, p), 0);
	assert_int_equal(lchown(p, 65534, 65534), 0);
	assert_int_equal(atomic__open(&af, p, ATOMIC_DIRECT_OK), 0);
	assert_false(af.direct);
	fputs("a 1\n", af.f);
	assert_int_equal(atomic__commit(&af), 0);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	/* a FIFO named directly, for a snapshot (ATOMIC_NEW): EEXIST, never blocks */
	assert_int_equal(atomic__open(&af, fifo, ATOMIC_NEW), 0);
	fputs("a 1\n", af.f);
	assert_int_equal(atomic__publish(&af, fifo), -EEXIST);
	snprintf(p, sizeof(p), "%s/link2", dir);
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(atomic__publish(&af, p), -EEXIST);
	snprintf(p, sizeof(p), "%s/new.folded", dir);
	assert_int_equal(atomic__publish(&af, p), 0);
	atomic__abort(&af);
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 5);
	/* our own link is refused, never followed nor replaced (as /dev/stdout) */
	snprintf(p, sizeof(p), "%s/own-link", dir);
	assert_int_equal(symlink(victim, p), 0);
	assert_int_equal(atomic__open(&af, p, ATOMIC_DIRECT_OK), -ELOOP);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	unlink(p);
	/* a directory is refused at open */
	assert_int_equal(atomic__open(&af, dir, ATOMIC_DIRECT_OK), -EISDIR);
	/* the mode of a replaced file is kept */
	assert_int_equal(chmod(victim, 0640), 0);
	assert_int_equal(atomic__open(&af, victim, ATOMIC_DIRECT_OK), 0);
	assert_int_equal(atomic__commit(&af), 0);
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	/* O_TMPFILE: nothing but the files above is left in the directory */
	sh("test $(ls -A %s | wc -l) = 5%s", dir, "");
	sh("rm -rf %s%s", dir, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chroot_symlink_stays_inside),
		cmocka_unit_test(test_long_maps_line_is_not_two),
		cmocka_unit_test(test_debuglink_search),
		cmocka_unit_test(test_forged_build_id_names_only_its_own),
		cmocka_unit_test(test_same_content),
		cmocka_unit_test(test_outputs_never_through_plants),
	};

	return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
