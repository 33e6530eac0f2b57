// SPDX-License-Identifier: MIT
/*
 * Cgroups by name (issue 13), on real cgroups made under the cgroup2 mount
 * the way the runtimes name theirs, and on a plain tree planted with what
 * cgroupfs cannot hold (links); a container's /etc/hostname read through
 * its root; and -p's process tree from /proc, with process names chosen to
 * mislead a parser.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "spawn.h"
#include "../../sampler/cgroups.h"
#include "../../sampler/ptree.h"
#include "../../sampler/sampler.h"

static char mnt[PATH_MAX], top[64], base[PATH_MAX + 64];	/* base: mnt/top */
static char pfx[9], id_a[65], id_b[65], id_c[65], id_k[65], id_e[65], uid[37];
static char unit[64], many[64], pod_dir[256], evil[] = "evil;x y\x1b[31m";

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[2 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	assert_int_equal(system(cmd), 0);
}

/* mkdir base/rel (or root/rel) */
static void mk(const char *root, const char *rel)
{
	char p[2 * PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (mkdir(p, 0755))
		fail_msg("mkdir %s: %s", p, strerror(errno));
}

static uint64_t ino_of(const char *root, const char *rel)
{
	char p[2 * PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(stat(p, &st), 0);
	return st.st_ino;
}

static void make_id(char id[65], const char *mid, char fill)
{
	snprintf(id, 65, "%s%s", pfx, mid);
	memset(id + strlen(id), fill, 64 - strlen(id));
	id[64] = '\0';
}

/* The tree the runtimes would make, under mnt/flametop-test-PID. */
static int setup(void **state)
{
	char rel[512], uid_[37];

	(void)state;
	if (!sampler__cgroup2_mount(mnt, sizeof(mnt)))
		return 0;
	snprintf(pfx, sizeof(pfx), "%08x", (unsigned)getpid());
	make_id(id_a, "0a", '1');
	make_id(id_b, "0b0b", '2');
	make_id(id_c, "0b0b", '3');	/* shares 12 digits with b */
	make_id(id_k, "0c", '4');
	make_id(id_e, "0d", '5');
	snprintf(uid, sizeof(uid), "%s-0e0e-4e0e-8e0e-0e0e0e0e0e0e", pfx);
	snprintf(uid_, sizeof(uid_), "%s", uid);
	for (char *p = uid_; *p; p++)
		*p = *p == '-' ? '_' : *p;
	snprintf(top, sizeof(top), "flametop-test-%d", (int)getpid());
	snprintf(base, sizeof(base), "%s/%s", mnt, top);
	snprintf(unit, sizeof(unit), "ft%d-web", (int)getpid());
	snprintf(many, sizeof(many), "ft%d-many", (int)getpid());
	mk(mnt, top);
	snprintf(rel, sizeof(rel), "libpod-%s", id_a), mk(base, rel);
	snprintf(rel, sizeof(rel), "libpod-%s/crio-%s", id_a, id_e), mk(base, rel);
	snprintf(rel, sizeof(rel), "docker-%s.scope", id_b), mk(base, rel);
	snprintf(rel, sizeof(rel), "libpod-%s", id_c), mk(base, rel);
	mk(base, "kubepods.slice");
	mk(base, "kubepods.slice/kubepods-besteffort.slice");
	snprintf(pod_dir, sizeof(pod_dir),
		 "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod%s.slice", uid_);
	mk(base, pod_dir);
	snprintf(rel, sizeof(rel), "%s/cri-containerd-%s.scope", pod_dir, id_k), mk(base, rel);
	snprintf(rel, sizeof(rel), "%s.service", unit), mk(base, rel);
	mk(base, "plain");
	mk(base, "grp.slice");
	mk(base, "grp.slice/inner");
	snprintf(rel, sizeof(rel), "%s.service/sub", unit), mk(base, rel);
	mk(base, evil);
	for (int i = 0; i < 12; i++) {
		snprintf(rel, sizeof(rel), "m%d", i), mk(base, rel);
		snprintf(rel, sizeof(rel), "m%d/%s.service", i, many), mk(base, rel);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (base[0])
		sh("find '%s' -depth -type d -exec rmdir {} +%s", base, "");
	return 0;
}

static void need_cgroup2(void)
{
	if (!base[0])
		skip();
}

static void check_name(struct cgroup_names *cn, const char *rel, const char *want)
{
	const char *got = cgroup_names__name(cn, ino_of(base, rel));

	if (strcmp(got, want))
		fail_msg("%s is named \"%s\", not \"%s\"", rel, got, want);
}

static void test_names(void **state)
{
	struct cgroup_names *cn = cgroup_names__new();
	char rel[512], want[128];

	(void)state;
	need_cgroup2();
	assert_non_null(cn);
	snprintf(rel, sizeof(rel), "libpod-%s", id_a);
	snprintf(want, sizeof(want), "podman:%.12s", id_a);
	check_name(cn, rel, want);
	/* a container's cgroup holds what it likes: the container names it */
	snprintf(rel, sizeof(rel), "libpod-%s/crio-%s", id_a, id_e);
	check_name(cn, rel, want);
	snprintf(rel, sizeof(rel), "docker-%s.scope", id_b);
	snprintf(want, sizeof(want), "docker:%.12s", id_b);
	check_name(cn, rel, want);
	snprintf(want, sizeof(want), "pod:%s", uid);
	check_name(cn, pod_dir, want);
	snprintf(rel, sizeof(rel), "%s/cri-containerd-%s.scope", pod_dir, id_k);
	snprintf(want, sizeof(want), "containerd:%.12s", id_k);
	check_name(cn, rel, want);
	snprintf(rel, sizeof(rel), "%s.service", unit);
	check_name(cn, rel, rel);
	snprintf(want, sizeof(want), "/%s/plain", top);
	check_name(cn, "plain", want);
	/* below a service is the service; a slice only groups: below it, a path */
	snprintf(rel, sizeof(rel), "%s.service/sub", unit);
	snprintf(want, sizeof(want), "%s.service", unit);
	check_name(cn, rel, want);
	snprintf(want, sizeof(want), "/%s/grp.slice/inner", top);
	check_name(cn, "grp.slice/inner", want);
	/* no ';', control character or space in a frame */
	snprintf(want, sizeof(want), "/%s/evil:x_y?[31m", top);
	check_name(cn, evil, want);
	assert_string_equal(cgroup_names__name(cn, ino_of(mnt, ".")), "/");
	assert_string_equal(cgroup_names__name(cn, 12345), "?");
	cgroup_names__free(cn);
}

/* A new cgroup is found by the next scan (at most one a second); a removed one keeps its name. */
static void test_names_rescan(void **state)
{
	struct cgroup_names *cn = cgroup_names__new();
	char rel[128], path[PATH_MAX + 256];
	uint64_t id;

	(void)state;
	need_cgroup2();
	assert_string_equal(cgroup_names__name(cn, ino_of(base, "plain")) + 1 + strlen(top),
			    "/plain");
	snprintf(rel, sizeof(rel), "ft%d-late.service", (int)getpid());
	mk(base, rel);
	id = ino_of(base, rel);
	assert_string_equal(cgroup_names__name(cn, id), "?");	/* scanned under a second ago */
	usleep(1100000);
	assert_string_equal(cgroup_names__name(cn, id), rel);
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	assert_int_equal(rmdir(path), 0);
	usleep(1100000);
	assert_string_equal(cgroup_names__name(cn, 12345), "?");	/* a scan without it */
	assert_string_equal(cgroup_names__name(cn, id), rel);
	cgroup_names__free(cn);
}

/* resolve arg: its path relative to base ("" for none) */
static void check_resolve(const char *arg, const char *want_rel)
{
	char path[PATH_MAX], err[4096] = "", want[2 * PATH_MAX];
	int ret = cgroups__resolve(arg, path, sizeof(path), err, sizeof(err));

	if (ret)
		fail_msg("-c %s: %s", arg, err);
	snprintf(want, sizeof(want), "%s%s%s", base, *want_rel ? "/" : "", want_rel);
	assert_string_equal(path, want);
}

static const char *resolve_err(const char *arg, char *err, size_t size)
{
	char path[PATH_MAX];

	if (cgroups__resolve(arg, path, sizeof(path), err, size) != 1)
		fail_msg("-c %s found %s", arg, path);
	assert_null(strchr(err, '\n'));
	return err;
}

static void test_resolve(void **state)
{
	char arg[256], rel[512], want[512], err[4096], up[13];

	(void)state;
	need_cgroup2();
	snprintf(arg, sizeof(arg), "%.12s", id_a);
	snprintf(rel, sizeof(rel), "libpod-%s", id_a);
	check_resolve(arg, rel);
	check_resolve(id_a, rel);
	for (int i = 0; i < 12; i++)
		up[i] = (char)(id_a[i] >= 'a' ? id_a[i] - 'a' + 'A' : id_a[i]);
	up[12] = '\0';
	check_resolve(up, rel);
	snprintf(arg, sizeof(arg), "podman:%.12s", id_a);	/* as the names show it */
	check_resolve(arg, rel);
	snprintf(arg, sizeof(arg), "%.12s", id_k);
	snprintf(rel, sizeof(rel), "%s/cri-containerd-%s.scope", pod_dir, id_k);
	check_resolve(arg, rel);
	check_resolve(uid, pod_dir);
	for (char *p = strcpy(arg, uid); *p; p++)
		*p = *p == '-' ? '_' : *p;
	check_resolve(arg, pod_dir);
	snprintf(arg, sizeof(arg), "pod:%.13s", uid);
	check_resolve(arg, pod_dir);
	snprintf(rel, sizeof(rel), "%s.service", unit);
	check_resolve(unit, rel);
	check_resolve(rel, rel);
	/* paths: relative, as /proc/PID/cgroup writes them, absolute */
	snprintf(arg, sizeof(arg), "%s/plain", top);
	check_resolve(arg, "plain");
	snprintf(arg, sizeof(arg), "/%s/plain", top);
	check_resolve(arg, "plain");
	check_resolve(base, "");
	/* ambiguous: both listed with their paths */
	snprintf(arg, sizeof(arg), "%.12s", id_b);
	resolve_err(arg, err, sizeof(err));
	assert_non_null(strstr(err, "matches 2 cgroups"));
	snprintf(want, sizeof(want), "docker:%.12s (/%s/docker-%s.scope)", id_b, top, id_b);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "podman:%.12s (/%s/libpod-%s)", id_c, top, id_c);
	assert_non_null(strstr(err, want));
	snprintf(arg, sizeof(arg), "docker:%.12s", id_b);
	snprintf(rel, sizeof(rel), "docker-%s.scope", id_b);
	check_resolve(arg, rel);
	/* not found: nothing inside a container's cgroup passes for another; too short */
	snprintf(arg, sizeof(arg), "%.12s", id_e);
	assert_non_null(strstr(resolve_err(arg, err, sizeof(err)), "no cgroup matches"));
	snprintf(arg, sizeof(arg), "%.3s", id_a);
	assert_non_null(strstr(resolve_err(arg, err, sizeof(err)), "no cgroup matches"));
	/* a name that starts with hex digits is a name, not the prefix they make */
	snprintf(arg, sizeof(arg), "%.5sxyz", id_a);
	assert_non_null(strstr(resolve_err(arg, err, sizeof(err)), "no cgroup matches"));
	assert_non_null(strstr(resolve_err("/tmp", err, sizeof(err)),
			       "/tmp is not a cgroup v2 directory"));
	assert_non_null(strstr(resolve_err("no/such/dir", err, sizeof(err)),
			       "not a cgroup v2 directory"));
}

/* Twelve matches: ten listed, the rest counted; a small buffer still gets one whole line. */
static void test_resolve_many(void **state)
{
	char err[4096], small[200], *p;
	int listed = 0;

	(void)state;
	need_cgroup2();
	resolve_err(many, err, sizeof(err));
	assert_non_null(strstr(err, "matches 12 cgroups"));
	for (p = err; (p = strstr(p, ".service (/")); p++)
		listed++;
	assert_int_equal(listed, 10);
	assert_non_null(strstr(err, ", and 2 more; give more of the id, or the path"));
	resolve_err(many, small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
	assert_non_null(strstr(small, "more; give more of the id, or the path"));
}

/* A plain tree: links are never followed, and the walk stops deep down. */
static void test_walk_links_and_depth(void **state)
{
	char t[] = "/tmp/ft-cgt-XXXXXX", out[] = "/tmp/ft-cgo-XXXXXX";
	char rel[PATH_MAX], link[PATH_MAX], path[PATH_MAX], err[1024], x[65], y[65], z[65];
	struct cgroup_names *cn;

	(void)state;
	assert_non_null(mkdtemp(t));
	assert_non_null(mkdtemp(out));
	snprintf(pfx, sizeof(pfx), "%08x", (unsigned)getpid());
	make_id(x, "1a", '6');
	make_id(y, "1b", '7');
	make_id(z, "1c", '8');
	mk(t, "real");
	snprintf(rel, sizeof(rel), "real/libpod-%s", x), mk(t, rel);
	snprintf(rel, sizeof(rel), "libpod-%s", y), mk(out, rel);
	snprintf(rel, sizeof(rel), "docker-%s.scope", z), mk(out, rel);
	snprintf(link, sizeof(link), "%s/link", t);
	assert_int_equal(symlink(out, link), 0);
	snprintf(link, sizeof(link), "%s/docker-%s.scope", t, z);
	snprintf(path, sizeof(path), "%s/docker-%s.scope", out, z);
	assert_int_equal(symlink(path, link), 0);
	snprintf(rel, sizeof(rel), "%.12s", x);
	assert_int_equal(cgroups__resolve_at(t, rel, path, sizeof(path), err, sizeof(err)), 0);
	snprintf(link, sizeof(link), "%s/real/libpod-%s", t, x);
	assert_string_equal(path, link);
	snprintf(rel, sizeof(rel), "%.12s", y);
	assert_int_equal(cgroups__resolve_at(t, rel, path, sizeof(path), err, sizeof(err)), 1);
	snprintf(rel, sizeof(rel), "%.12s", z);
	assert_int_equal(cgroups__resolve_at(t, rel, path, sizeof(path), err, sizeof(err)), 1);
	cn = cgroup_names__new_at(t);
	snprintf(rel, sizeof(rel), "libpod-%s", y);
	assert_string_equal(cgroup_names__name(cn, ino_of(out, rel)), "?");
	cgroup_names__free(cn);
	/* 40 levels: a unit at the 10th is found, one at the 40th is past the bound */
	strcpy(rel, "d");
	for (int i = 1; i < 40; i++) {
		mk(t, rel);
		if (i == 10)
			mk(t, strcat(strcpy(path, rel), "/shallow.service"));
		strcat(rel, i < 39 ? "/d" : "/deep.service");
	}
	mk(t, rel);
	assert_int_equal(cgroups__resolve_at(t, "shallow", path, sizeof(path), err, sizeof(err)), 0);
	assert_int_equal(cgroups__resolve_at(t, "deep", path, sizeof(path), err, sizeof(err)), 1);
	sh("rm -rf %s %s", t, out);
}

/* A container with thousands of cgroups of its own: only so many are walked. */
static void test_walk_inside_a_container_is_bounded(void **state)
{
	char t[] = "/tmp/ft-cgb-XXXXXX", x[65], ctr[128], rel[256], want[64];
	struct cgroup_names *cn;
	int named = 0, unknown = 0;

	(void)state;
	assert_non_null(mkdtemp(t));
	snprintf(pfx, sizeof(pfx), "%08x", (unsigned)getpid());
	make_id(x, "2a", '9');
	snprintf(ctr, sizeof(ctr), "libpod-%s", x);
	mk(t, ctr);
	for (int i = 0; i < 4100; i++) {
		snprintf(rel, sizeof(rel), "%s/s%d", ctr, i);
		mk(t, rel);
	}
	cn = cgroup_names__new_at(t);
	snprintf(want, sizeof(want), "podman:%.12s", x);
	assert_string_equal(cgroup_names__name(cn, ino_of(t, ctr)), want);
	for (int i = 0; i < 4100; i++) {
		const char *name;

		snprintf(rel, sizeof(rel), "%s/s%d", ctr, i);
		name = cgroup_names__name(cn, ino_of(t, rel));
		named += !strcmp(name, want);
		unknown += !strcmp(name, "?");
	}
	assert_int_equal(named, 4096);
	assert_int_equal(unknown, 4);
	cgroup_names__free(cn);
	sh("rm -rf %s%s", t, "");
}

static void put(const char *dir, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/etc/hostname", dir);
	unlink(p);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* /etc/hostname strictly inside the root: a regular file's first line, made safe. */
static void test_hostname(void **state)
{
	char dir[] = "/tmp/ft-host-XXXXXX", canary[] = "/tmp/ft-canary-XXXXXX", p[PATH_MAX];
	char buf[64], longline[400];
	pid_t pid;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fd = mkstemp(canary);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "host-canary\n", 12), 12);
	close(fd);
	sh("mkdir %s/etc%s", dir, "");
	pid = chrooted_child(dir);
	put(dir, "web-7f9c\nsecond\n");
	assert_true(cgroup_names__hostname(pid, buf, sizeof(buf)));
	assert_string_equal(buf, "web-7f9c");
	put(dir, "evil\x1b]0;x\a y;z\r\n");
	assert_true(cgroup_names__hostname(pid, buf, sizeof(buf)));
	assert_string_equal(buf, "evil__0_x__y_z");
	memset(longline, 'h', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	put(dir, longline);
	assert_false(cgroup_names__hostname(pid, buf, sizeof(buf)));
	put(dir, "\n");
	assert_false(cgroup_names__hostname(pid, buf, sizeof(buf)));
	/* an absolute link resolves inside the root: not to the host's file */
	snprintf(p, sizeof(p), "%s/etc/hostname", dir);
	unlink(p);
	assert_int_equal(symlink(canary, p), 0);
	assert_false(cgroup_names__hostname(pid, buf, sizeof(buf)));
	/* a FIFO is not opened (it would block), nor a directory */
	unlink(p);
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_false(cgroup_names__hostname(pid, buf, sizeof(buf)));
	unlink(p);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_false(cgroup_names__hostname(pid, buf, sizeof(buf)));
	assert_false(cgroup_names__hostname(999999999, buf, sizeof(buf)));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	unlink(canary);
	sh("rm -rf %s%s", dir, "");
}

static bool ppid_of(const char *text, size_t len, pid_t *ppid)
{
	char *copy = malloc(len ? len : 1);	/* no NUL after it: the parser must not need one */
	bool ok;

	assert_non_null(copy);
	memcpy(copy, text, len);
	ok = ptree__parse_stat(copy, len, ppid);
	free(copy);
	return ok;
}

#define PPID(s, want) do { pid_t p_ = -2; assert_true(ppid_of(s, strlen(s), &p_)); \
			   assert_int_equal(p_, want); } while (0)
#define NOT_STAT(s) do { pid_t p_; assert_false(ppid_of(s, strlen(s), &p_)); } while (0)

/* The name ends at the last ')': a process names itself ") R 1 (" or a line break. */
static void test_stat_parsing(void **state)
{
	(void)state;
	PPID("123 (sh) S 45 123 123 0 -1 4194560 0 0\n", 45);
	PPID("123 (a) R 1 (b) S 77 5 5 0\n", 77);
	PPID("9 (x\n) S 3 9 9\n", 3);
	PPID("9 ()) ) S 8 1 1\n", 8);
	PPID("9 (() T 0 0\n", 0);
	PPID("9 (x) Z 42", 42);	/* the end of what was read */
	NOT_STAT("");
	NOT_STAT("123 sh S 45 1");
	NOT_STAT("123 (sh) S");
	NOT_STAT("123 (sh) S ");
	NOT_STAT("123 (sh) S x 1");
	NOT_STAT("123 (sh) S -1 1");
	NOT_STAT("123 (sh)  S 1 1");
	NOT_STAT("123 (sh) S 12345678901 1");
	NOT_STAT("123 (sh) S 45x 1");
	NOT_STAT("123 (a) S 1 (b)");	/* the last ')' has nothing after it */
}

/* A child named to mislead, and its own child: both found, each once. */
static void test_descendants(void **state)
{
	int fds[2];
	pid_t child, grandchild = 0, *out, roots[2], ppid;
	char path[64], buf[512];
	bool full;
	long n;
	int fd;
	ssize_t len;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "a) R 1 (\nb");
		if (fork() == 0) {
			pid_t me = getpid();

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			prctl(PR_SET_NAME, "x) S 1 (y");
			if (write(fds[1], &me, sizeof(me)) != sizeof(me))
				_exit(1);
			pause();
			_exit(0);
		}
		pause();
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &grandchild, sizeof(grandchild)), sizeof(grandchild));
	close(fds[0]);
	snprintf(path, sizeof(path), "/proc/%d/stat", grandchild);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	len = read(fd, buf, sizeof(buf));
	close(fd);
	assert_true(ptree__parse_stat(buf, (size_t)len, &ppid));
	assert_int_equal(ppid, child);

	n = ptree__descendants(&child, 1, 100, &out, &full);
	assert_int_equal(n, 2);
	assert_false(full);
	assert_int_equal(out[0], child);
	assert_int_equal(out[1], grandchild);
	free(out);
	roots[0] = grandchild, roots[1] = child;	/* a root is not listed again as a child */
	n = ptree__descendants(roots, 2, 100, &out, &full);
	assert_int_equal(n, 2);
	free(out);
	roots[0] = child, roots[1] = child;
	assert_int_equal(ptree__descendants(roots, 2, 100, &out, &full), 2);
	free(out);
	assert_int_equal(ptree__descendants(&child, 1, 1, &out, &full), 1);
	assert_true(full);
	free(out);
	kill(grandchild, SIGKILL);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_names_rescan),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_many),
		cmocka_unit_test(test_walk_links_and_depth),
		cmocka_unit_test(test_walk_inside_a_container_is_bounded),
		cmocka_unit_test(test_hostname),
		cmocka_unit_test(test_stat_parsing),
		cmocka_unit_test(test_descendants),
	};

	return cmocka_run_group_tests_name("cgroups", tests, setup, teardown);
}
