/* SPDX-License-Identifier: MIT */
/*
 * kbtf: the kernel's types that the BPF program's CO-RE relocations use,
 * and nothing else, kept across runs.
 *
 * libbpf reads the kernel's whole BTF (5.5 MB, 126,000 types on 6.18) and
 * searches it for every type the program relocates, at every start: about a
 * tenth of a warm 10 s capture's CPU.  Given a small BTF instead
 * (btf_custom_path), it reads neither, as long as no program it loads
 * needs the kernel's BTF to attach (tp_btf, iterators) and the program
 * calls no kfunc.  The small BTF is what `bpftool gen min_core_btf` makes
 * of the kernel's for our object; it is kept in the file cache (filecache.h,
 * kind "btf"), keyed by the kernel's build ID, the size of its BTF and the
 * SHA-256 of the object, and checked whole (a sum over it, then libbpf's own
 * parse) before use.  Without bpftool, a build ID or a cache, libbpf reads
 * the kernel's BTF as before.
 *
 * Used by one thread.
 */
#ifndef FLAMETOP_KBTF_H
#define FLAMETOP_KBTF_H

#include <stdbool.h>
#include <stddef.h>

#include "filecache.h"

struct kbtf {
	struct filecache *cache;	/* NULL: none (off, or not ours alone) */
	unsigned char key[FILECACHE_KEY_LEN];
	bool keyed;		/* the kernel has a build ID and the key was made */
	int fd;			/* a memfd holding the small BTF; -1: none */
	char path[40];		/* "/proc/self/fd/N" for libbpf, "" when there is none */
};

/*
 * Looks for the small BTF of the running kernel for the object obj[0..len):
 * 0 with k->path set, else -errno (-ENOENT: none kept).  k is ready for
 * kbtf__make and kbtf__close either way.
 */
int kbtf__find(struct kbtf *k, const void *obj, size_t len);
/*
 * Makes the small BTF with bpftool and keeps it (best effort, at most a few
 * seconds): after a load that read the kernel's, so that the next need not.
 */
void kbtf__make(struct kbtf *k, const void *obj, size_t len);
/* Forgets the small BTF found (a load failed with it, not without): no find uses it again. */
void kbtf__drop(struct kbtf *k);
void kbtf__close(struct kbtf *k);

/*
 * An entry's BTF (*btf, *btf_len: inside buf), checked: its header, a
 * SHA-256 over it, then libbpf's parse of it.  0; -ESTALE for a tombstone
 * (a BTF that failed a load); -EINVAL when anything does not add up.
 */
int kbtf__check_entry(const void *buf, size_t len, const void **btf, size_t *btf_len);
#define KBTF_HDR_LEN 48		/* magic[8], len (u64), sum[32] */

/* The kernel's build ID from /sys/kernel/notes into id[64]: its length, or -errno. */
int kbtf__kernel_build_id(unsigned char id[64]);

#endif
