// SPDX-License-Identifier: MIT
/*
 * The unwind-table cache (unwind_cache.h): one file per table, named by the
 * hex of its key, holding a header and the rows.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/readall.h"
#include "../util/vec.h"
#include "filecache.h"
#include "unwind_cache.h"
#include "unwind_rows.h"

/* The version of the rows' making: a change to unwind_rows.c's output bumps it. */
static const char key_salt[] = "flametop unwind rows 1";
static const char entry_magic[8] = "FTUNWND1";

struct entry_hdr {
	char magic[8];
	__u32 row_size;		/* sizeof(struct ft_unwind_row) */
	__u32 nrows;
	unsigned char key[UNWIND_KEY_LEN];
	unsigned char sum[UNWIND_KEY_LEN];	/* SHA-256 of the rows */
};

struct unwind_cache {
	struct filecache *fc;
};

struct unwind_cache *unwind_cache__open(const char *dir, size_t max_bytes, char *why,
					size_t whylen)
{
	struct filecache *fc = filecache__open(dir, "unwind", max_bytes, why, whylen);
	struct unwind_cache *c = fc ? calloc(1, sizeof(*c)) : NULL;

	if (fc && !c) {
		snprintf(why, whylen, "%s", strerror(ENOMEM));
		filecache__close(fc);
	}
	if (c)
		c->fc = fc;
	return c;
}

void unwind_cache__close(struct unwind_cache *c)
{
	if (!c)
		return;
	filecache__close(c->fc);
	free(c);
}

static const char *const cfi_names[] = { ".eh_frame", ".eh_frame_hdr", ".debug_frame",
					  ".zdebug_frame" };
#define NCFI (sizeof(cfi_names) / sizeof(cfi_names[0]))
#define CFI_HASH_MAX (128ul << 20)	/* CFI bytes hashed, at most: a table's worth */

/* Which CFI section name is name: its index, or -1. */
static int cfi_section(const char *name)
{
	for (size_t i = 0; i < NCFI; i++)
		if (!strcmp(name, cfi_names[i]))
			return (int)i;
	return -1;
}

/*
 * The CFI sections as the headers say, before anything is read: each name
 * at most once, their sizes together bounded (a sparse file's headers may
 * claim anything), and one that holds rules (.eh_frame or .debug_frame).
 */
static int check_cfi(Elf *elf, size_t shstrndx)
{
	bool seen[NCFI] = { false };
	Elf_Scn *scn = NULL;
	size_t total = 0;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;
		GElf_Shdr sh;
		int k;

		if (!gelf_getshdr(scn, &sh))
			return -EINVAL;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || (k = cfi_section(name)) < 0 || sh.sh_type == SHT_NOBITS)
			continue;
		if (seen[k] || sh.sh_size > CFI_HASH_MAX - total)
			return -EFBIG;
		seen[k] = true;
		total += sh.sh_size;
	}
	return seen[0] || seen[2] || seen[3] ? 0 : -ENOENT;
}

/* Hashes the headers as libelf holds them and the CFI sections' raw bytes (read once, kept). */
static int hash_elf(EVP_MD_CTX *md, Elf *elf)
{
	__u32 row_size = sizeof(struct ft_unwind_row);
	size_t phnum, shstrndx;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	bool ok;
	int err;

	if (!gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &phnum) ||
	    elf_getshdrstrndx(elf, &shstrndx) || !shstrndx)
		return -EINVAL;
	if ((err = check_cfi(elf, shstrndx)))
		return err;
	ok = EVP_DigestUpdate(md, key_salt, sizeof(key_salt)) &&
	     EVP_DigestUpdate(md, &row_size, sizeof(row_size)) &&
	     EVP_DigestUpdate(md, &eh, sizeof(eh));
	for (size_t i = 0; ok && i < phnum; i++) {
		GElf_Phdr ph;

		ok = gelf_getphdr(elf, (int)i, &ph) && EVP_DigestUpdate(md, &ph, sizeof(ph));
	}
	while (ok && (scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;
		Elf_Data *d;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return -EINVAL;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		name = name ? name : "";
		ok = EVP_DigestUpdate(md, &sh, sizeof(sh)) &&
		     EVP_DigestUpdate(md, name, strlen(name) + 1);
		if (cfi_section(name) < 0 || sh.sh_type == SHT_NOBITS || !sh.sh_size)
			continue;
		/*
		 * What dwarf_getcfi_elf and dwarf_begin_elf read later is this same
		 * buffer; one that cannot be read now is not keyed (libelf would
		 * try again for the build, which might then see other bytes).
		 */
		if (!(d = elf_rawdata(scn, NULL)))
			return -EIO;
		for (; ok && d; d = elf_rawdata(scn, d))
			ok = !d->d_size || EVP_DigestUpdate(md, d->d_buf, d->d_size);
	}
	return ok ? 0 : -EIO;
}

int unwind_cache__key(Elf *elf, unsigned char key[UNWIND_KEY_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned len = 0;
	int err;

	if (!md)
		return -ENOMEM;
	err = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? hash_elf(md, elf) : -EIO;
	if (!err && (EVP_DigestFinal_ex(md, key, &len) != 1 || len != UNWIND_KEY_LEN))
		err = -EIO;
	EVP_MD_CTX_free(md);
	return err;
}

long unwind_cache__parse(const void *buf, size_t len, const unsigned char key[UNWIND_KEY_LEN],
			 __u32 max_rows, struct ft_unwind_row **rows)
{
	const unsigned char *body = (const unsigned char *)buf + sizeof(struct entry_hdr);
	unsigned char sum[UNWIND_KEY_LEN];
	struct ft_unwind_row *v;
	struct entry_hdr h;

	*rows = NULL;
	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (memcmp(h.magic, entry_magic, sizeof(h.magic)) || h.row_size != sizeof(*v) || !h.nrows)
		return -EINVAL;
	if (h.nrows > max_rows)
		return -ERANGE;
	if (len - sizeof(h) != (size_t)h.nrows * sizeof(*v))
		return -EINVAL;
	if (memcmp(h.key, key, UNWIND_KEY_LEN))
		return -ESTALE;
	if (filecache__sha256(body, len - sizeof(h), sum) || memcmp(sum, h.sum, sizeof(sum)))
		return -EBADMSG;
	v = malloc((size_t)h.nrows * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, body, (size_t)h.nrows * sizeof(*v));
	/* what a lookup relies on: rows in pc order, of kinds the walker knows */
	for (__u32 i = 0; i < h.nrows; i++) {
		if (v[i].type > FT_CFA_UNKNOWN || v[i].pad || (i && v[i].pc < v[i - 1].pc)) {
			free(v);
			return -EINVAL;
		}
	}
	*rows = v;
	return (long)h.nrows;
}

void *unwind_cache__encode(const unsigned char key[UNWIND_KEY_LEN],
			   const struct ft_unwind_row *rows, __u32 n, size_t *len)
{
	struct entry_hdr h = { .row_size = sizeof(*rows), .nrows = n };
	size_t body = (size_t)n * sizeof(*rows);
	unsigned char *buf = malloc(sizeof(h) + body);

	if (!buf)
		return NULL;
	memcpy(h.magic, entry_magic, sizeof(h.magic));
	memcpy(h.key, key, UNWIND_KEY_LEN);
	if (filecache__sha256(rows, body, h.sum)) {
		free(buf);
		return NULL;
	}
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), rows, body);
	*len = sizeof(h) + body;
	return buf;
}

long unwind_cache__get(struct unwind_cache *c, const unsigned char key[UNWIND_KEY_LEN],
		       __u32 max_rows, struct ft_unwind_row **rows)
{
	size_t most = sizeof(struct entry_hdr) + (size_t)max_rows * sizeof(**rows), len;
	void *buf;
	long n = filecache__read(c->fc, key, most, &buf, &len);

	*rows = NULL;
	if (n == -ENOENT)
		return n;
	if (!n)
		n = unwind_cache__parse(buf, len, key, max_rows, rows);
	filecache__verdict(c->fc, n > 0);
	free(buf);
	return n;
}

int unwind_cache__put(struct unwind_cache *c, const unsigned char key[UNWIND_KEY_LEN],
		      const struct ft_unwind_row *rows, __u32 n)
{
	size_t len = 0;
	void *buf = unwind_cache__encode(key, rows, n, &len);
	int err = buf ? filecache__put(c->fc, key, buf, len) : -ENOMEM;

	free(buf);
	return err;
}

void unwind_cache__stats(const struct unwind_cache *c, struct unwind_cache_stats *st)
{
	struct filecache_stats f;

	filecache__stats(c ? c->fc : NULL, &f);
	*st = (struct unwind_cache_stats){ f.loaded, f.stored, f.refused, f.evicted };
}

long unwind_cache__rows(struct unwind_cache *c, Elf *elf, __u32 max_rows,
			struct ft_unwind_row **rows, bool *built)
{
	unsigned char key[UNWIND_KEY_LEN];
	bool keyed = c && !unwind_cache__key(elf, key);
	long n = keyed ? unwind_cache__get(c, key, max_rows, rows) : -ENOENT;

	*built = n <= 0;
	if (n > 0)
		return n;
	n = unwind__build_rows(elf, rows);
	if (keyed && n > 0 && (__u32)n <= max_rows)
		unwind_cache__put(c, key, *rows, (__u32)n);	/* best effort */
	return n;
}
