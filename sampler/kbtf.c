// SPDX-License-Identifier: MIT
/*
 * The small kernel BTF (kbtf.h): found in the file cache, or made by
 * bpftool into a memfd and kept there.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../util/readall.h"
#include "kbtf.h"

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"
#define KERNEL_NOTES "/sys/kernel/notes"
#define KBTF_MAX (1u << 20)		/* a small BTF is a few KB */
#define BPFTOOL_WAIT_MS 10000

/* Bumped when what an entry holds changes meaning. */
static const char key_salt[24] = "flametop kernel btf 1";
static const char entry_magic[8] = "FTKBTF1";

struct entry_hdr {
	char magic[8];
	uint64_t len;		/* of the BTF that follows; 0: a tombstone (it failed a load) */
	unsigned char sum[FILECACHE_KEY_LEN];	/* SHA-256 of the BTF */
};
_Static_assert(sizeof(struct entry_hdr) == KBTF_HDR_LEN, "fuzz_kbtf.c knows the header");

int kbtf__kernel_build_id(unsigned char id[64])
{
	int fd = open(KERNEL_NOTES, O_RDONLY | O_CLOEXEC);
	unsigned char buf[4096];
	size_t off = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return -errno;
	/* ELF notes: namesz, descsz, type, then name and desc, each 4-aligned */
	while (off + 12 <= (size_t)n) {
		uint32_t namesz, descsz, type;
		size_t name_at = off + 12, desc_at, next;

		memcpy(&namesz, buf + off, 4);
		memcpy(&descsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		if (namesz > sizeof(buf) || descsz > sizeof(buf))
			break;
		desc_at = name_at + ((namesz + 3u) & ~3u);
		next = desc_at + ((descsz + 3u) & ~3u);
		if (next > (size_t)n)
			break;
		if (type == 3 && namesz == 4 && !memcmp(buf + name_at, "GNU", 4) && descsz &&
		    descsz <= 64) {
			memcpy(id, buf + desc_at, descsz);
			return (int)descsz;
		}
		off = next;
	}
	return -ENOENT;
}

/* The key: the kernel (build ID, size of its BTF) and the object. */
static int make_key(struct kbtf *k, const void *obj, size_t len)
{
	struct {
		char salt[sizeof(key_salt)];
		uint64_t id_len, btf_size;
		unsigned char id[64];
		unsigned char obj_sum[FILECACHE_KEY_LEN];
	} in;
	struct stat st;
	int n;

	memset(&in, 0, sizeof(in));
	memcpy(in.salt, key_salt, sizeof(in.salt));
	if ((n = kbtf__kernel_build_id(in.id)) < 0)
		return n;
	if (stat(KERNEL_BTF, &st))
		return -errno;
	in.id_len = (uint64_t)n;
	in.btf_size = (uint64_t)st.st_size;
	if (filecache__sha256(obj, len, in.obj_sum) || filecache__sha256(&in, sizeof(in), k->key))
		return -EIO;
	k->keyed = true;
	return 0;
}

/* A memfd holding p[0..n), at fd 5 or above (bpftool gets its own at 3 and 4). */
static int memfd_with(const char *name, const void *p, size_t n)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd >= 0 && fd < 5) {
		int high = fcntl(fd, F_DUPFD_CLOEXEC, 5);

		close(fd);
		fd = high;
	}

	if (fd >= 0 && write_all(fd, p, n)) {
		close(fd);
		return -EIO;
	}
	return fd < 0 ? -errno : fd;
}

int kbtf__check_entry(const void *buf, size_t len, const void **btf, size_t *btf_len)
{
	struct entry_hdr h;
	unsigned char sum[FILECACHE_KEY_LEN];
	struct btf *b;

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, entry_magic, sizeof(h.magic)))
		return -EINVAL;
	if (!h.len)
		return -ESTALE;		/* a tombstone */
	if (h.len != len - sizeof(h) || h.len > KBTF_MAX)
		return -EINVAL;
	*btf = (const char *)buf + sizeof(h);
	*btf_len = (size_t)h.len;
	if (filecache__sha256(*btf, *btf_len, sum) || memcmp(sum, h.sum, sizeof(sum)))
		return -EINVAL;
	b = btf__new(*btf, (__u32)*btf_len);
	if (!b)
		return -EINVAL;
	btf__free(b);
	return 0;
}

int kbtf__find(struct kbtf *k, const void *obj, size_t len)
{
	const void *btf = NULL;
	size_t n = 0, btf_len = 0;
	char why[256];
	void *buf;
	int err;

	memset(k, 0, sizeof(*k));
	k->fd = -1;
	k->cache = filecache__open(NULL, "btf", 0, why, sizeof(why));
	if (!k->cache)
		return -ENOENT;
	if ((err = make_key(k, obj, len)))
		return err;
	if ((err = filecache__read(k->cache, k->key, KBTF_MAX + sizeof(struct entry_hdr), &buf, &n)))
		return err;
	err = kbtf__check_entry(buf, n, &btf, &btf_len);
	if (err == -ESTALE)
		k->keyed = false;	/* failed a load once: neither use nor make it again */
	if (!err && (k->fd = memfd_with("flametop-btf", btf, btf_len)) < 0)
		err = k->fd;
	if (!err)
		snprintf(k->path, sizeof(k->path), "/proc/self/fd/%d", k->fd);
	filecache__verdict(k->cache, err != -EINVAL);
	free(buf);
	return err;
}

static const char *const bpftools[] = { "/usr/sbin/bpftool", "/usr/bin/bpftool", "/sbin/bpftool" };

/* bpftool, where root installed it and nobody else may change it. */
static const char *find_bpftool(void)
{
	struct stat st;

	for (size_t i = 0; i < sizeof(bpftools) / sizeof(*bpftools); i++)
		if (!stat(bpftools[i], &st) && S_ISREG(st.st_mode) && st.st_uid == 0 &&
		    !(st.st_mode & 022) && (st.st_mode & 0100))
			return bpftools[i];
	return NULL;
}

/* Waits for pid at most ms, then kills it: its exit status, or -1. */
static int wait_at_most(pid_t pid, int ms)
{
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	int status;

	for (int waited = 0; waited < ms; waited += 5) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r < 0 && errno != EINTR)
			return -1;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

/*
 * bpftool gen min_core_btf of the kernel's BTF for the object in memfd
 * objfd, into memfd outfd (both handed to it as fds 3 and 4): 0 or -1.
 */
static int run_bpftool(const char *tool, int objfd, int outfd)
{
	char *const argv[] = { (char *)tool, "gen", "min_core_btf", KERNEL_BTF,
			       "/proc/self/fd/4", "/proc/self/fd/3", NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
	posix_spawn_file_actions_t fa;
	int rc = -1;
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa))
		return -1;
	if (!posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) &&
	    !posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) &&
	    !posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) &&
	    !posix_spawn_file_actions_adddup2(&fa, objfd, 3) &&
	    !posix_spawn_file_actions_adddup2(&fa, outfd, 4) &&
	    !posix_spawn(&pid, tool, &fa, NULL, argv, envp))
		rc = wait_at_most(pid, BPFTOOL_WAIT_MS) == 0 ? 0 : -1;
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* What bpftool wrote to fd, checked as an entry would be, kept under k's key. */
static void keep_output(struct kbtf *k, int fd)
{
	struct entry_hdr h = { .len = 0 };
	const void *btf;
	size_t n, btf_len;
	char *out = NULL, *entry;

	if (lseek(fd, 0, SEEK_SET) || read_all_max(fd, 4096, KBTF_MAX, &out, &n) || !n)
		goto out;
	memcpy(h.magic, entry_magic, sizeof(h.magic));
	h.len = n;
	if (filecache__sha256(out, n, h.sum) || !(entry = malloc(sizeof(h) + n)))
		goto out;
	memcpy(entry, &h, sizeof(h));
	memcpy(entry + sizeof(h), out, n);
	if (!kbtf__check_entry(entry, sizeof(h) + n, &btf, &btf_len))
		filecache__put(k->cache, k->key, entry, sizeof(h) + n);
	free(entry);
out:
	free(out);
}

void kbtf__make(struct kbtf *k, const void *obj, size_t len)
{
	const char *tool = k->cache && k->keyed && k->fd < 0 ? find_bpftool() : NULL;
	int objfd, outfd;

	if (!tool)
		return;
	objfd = memfd_with("flametop-bpf", obj, len);
	outfd = memfd_with("flametop-btf", "", 0);
	if (objfd >= 0 && outfd >= 0 && !run_bpftool(tool, objfd, outfd))
		keep_output(k, outfd);
	if (objfd >= 0)
		close(objfd);
	if (outfd >= 0)
		close(outfd);
}

void kbtf__drop(struct kbtf *k)
{
	struct entry_hdr h = { .len = 0 };

	memcpy(h.magic, entry_magic, sizeof(h.magic));
	if (k->cache && k->fd >= 0)
		filecache__put(k->cache, k->key, &h, sizeof(h));
	k->keyed = false;
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	k->path[0] = '\0';
}

void kbtf__close(struct kbtf *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	k->path[0] = '\0';
	filecache__close(k->cache);
	k->cache = NULL;
}
