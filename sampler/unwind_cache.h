/* SPDX-License-Identifier: MIT */
/*
 * unwind_cache: built unwind tables kept across runs, so that a file's
 * .eh_frame is turned into rows once and not on every run.
 *
 * An entry is named by the SHA-256 of everything unwind__build_rows reads
 * (the ELF, program and section headers with the sections' names, and the
 * CFI sections' bytes: .eh_frame, .eh_frame_hdr, .debug_frame), hashed from
 * the very data the build then reads.  So a file without a build-id is
 * cached too, and a file that claims another's build-id (or changes while
 * it is read) cannot put its rows under another's name.
 *
 * The directory (FLAMETOP_CACHE_DIR, else /var/cache/flametop; "unwind" in
 * it) must be ours and writable by nobody else, and so must each entry:
 * otherwise it is not used.  An entry is read whole (never mapped) and
 * refused whole if anything does not add up (size, magic, key, checksum,
 * rows in order, kinds known); it is then rebuilt and replaced.  Entries
 * appear atomically; their total size is bounded (FLAMETOP_CACHE_MB,
 * default 256), the least recently used going first.
 *
 * Used by one thread (the unwinder's worker).
 */
#ifndef FLAMETOP_UNWIND_CACHE_H
#define FLAMETOP_UNWIND_CACHE_H

#include <libelf.h>
#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "../bpf/profile.h"



#define UNWIND_KEY_LEN 32

struct unwind_cache;

struct unwind_cache_stats {
	size_t loaded;		/* tables read from the cache */
	size_t stored;		/* tables written to it */
	size_t refused;		/* entries found bad (and replaced) */
	size_t evicted;		/* entries removed to stay within the bound */
};

/*
 * The cache in dir (NULL: FLAMETOP_CACHE_DIR or FILECACHE_DIR; "" or
 * "off": none), made if missing; max_bytes 0: FLAMETOP_CACHE_MB or the
 * default.  NULL when there is none, with a reason in why[whylen] ("" when
 * it is simply off).
 */
struct unwind_cache *unwind_cache__open(const char *dir, size_t max_bytes, char *why,
					size_t whylen);
void unwind_cache__close(struct unwind_cache *c);

/*
 * The key of elf's table: 0, or -errno when the file's headers cannot be
 * read (then it is built and not cached).  Reads the CFI sections through
 * libelf, which keeps them for the build that may follow.
 */
int unwind_cache__key(Elf *elf, unsigned char key[UNWIND_KEY_LEN]);

/*
 * The rows kept under key (at most max_rows; *rows malloc'ed): how many,
 * -ENOENT when there are none, another -errno when the entry is bad (it
 * is counted as refused and the next put replaces it).
 */
long unwind_cache__get(struct unwind_cache *c, const unsigned char key[UNWIND_KEY_LEN],
		       __u32 max_rows, struct ft_unwind_row **rows);
/* Keeps n rows under key, then evicts down to the bound.  0 or -errno. */
int unwind_cache__put(struct unwind_cache *c, const unsigned char key[UNWIND_KEY_LEN],
		      const struct ft_unwind_row *rows, __u32 n);
void unwind_cache__stats(const struct unwind_cache *c, struct unwind_cache_stats *st);

/*
 * elf's rows (*rows malloc'ed): the cache's when it has them, else built
 * (unwind_rows.h) and kept there; c NULL: built.  The key hashes the bytes
 * libelf then hands the build.  *built says which.  As unwind__build_rows.
 */
long unwind_cache__rows(struct unwind_cache *c, Elf *elf, __u32 max_rows,
			struct ft_unwind_row **rows, bool *built);

/*
 * An entry's bytes checked whole: its rows (malloc'ed) and how many, or
 * -EINVAL (not an entry), -ESTALE (another key), -EBADMSG (checksum),
 * -ERANGE (more than max_rows).  What get uses; the fuzz target's entry.
 */
long unwind_cache__parse(const void *buf, size_t len, const unsigned char key[UNWIND_KEY_LEN],
			 __u32 max_rows, struct ft_unwind_row **rows);
/* An entry's bytes for n rows under key (malloc'ed, *len set): NULL without memory. */
void *unwind_cache__encode(const unsigned char key[UNWIND_KEY_LEN],
			   const struct ft_unwind_row *rows, __u32 n, size_t *len);

#endif
