// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/search.h"
#include "ehframe.h"

#define CIE_READ	256		/* a CIE's bytes read: its augmentation fits */
#define FDE_READ	40		/* an FDE's: lengths, CIE pointer, two pointers */

/* DWARF pointer encodings (DW_EH_PE_*) */
#define PE_OMIT		0xff
#define PE_FORMAT	0x0f
#define PE_APPLY	0x70
#define PE_PCREL	0x10

static int fde_cmp(const void *pa, const void *pb)
{
	const struct eh_fde *a = pa, *b = pb;

	return (a->start > b->start) - (a->start < b->start);
}

/* A section's header by name; false if there is none. */
static bool section(Elf *elf, size_t shstrndx, const char *want, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;

		if (gelf_getshdr(scn, sh) && sh->sh_type != SHT_NOBITS &&
		    (name = elf_strptr(elf, shstrndx, sh->sh_name)) && !strcmp(name, want))
			return true;
	}
	return false;
}

/* len bytes at off of the file, all of them or false */
static bool read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t r = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

size_t ehframe__parse_index(const unsigned char *b, size_t size, uint64_t addr,
			    struct eh_fde **fdes)
{
	uint32_t count;

	*fdes = NULL;
	if (size < 12 || b[0] != 1 || (b[1] & 0x0f) % 8 != 3 || b[2] != 0x03 || b[3] != 0x3b)
		return 0;
	memcpy(&count, b + 8, 4);
	if (!count || count > (size - 12) / 8 || !(*fdes = malloc((size_t)count * sizeof(**fdes))))
		return 0;
	for (uint32_t i = 0; i < count; i++) {
		int32_t loc, fde;

		memcpy(&loc, b + 12 + 8 * (size_t)i, 4);
		memcpy(&fde, b + 16 + 8 * (size_t)i, 4);
		(*fdes)[i] = (struct eh_fde){ addr + (uint64_t)(int64_t)loc,
					      addr + (uint64_t)(int64_t)fde };
	}
	qsort(*fdes, count, sizeof(**fdes), fde_cmp);
	return count;
}

/* The table of .eh_frame_hdr, read from the file. */
static bool read_index(struct ehframe *x, const struct eh_section *hdr)
{
	unsigned char *b;

	if (hdr->size < 12 || hdr->size > EH_INDEX_MAX || !(b = malloc(hdr->size)))
		return false;
	if (read_at(x->fd, b, hdr->size, hdr->off))
		x->n = ehframe__parse_index(b, hdr->size, hdr->addr, &x->fdes);
	free(b);
	return x->n > 0;
}

bool ehframe__open_sections(struct ehframe *x, int fd, const struct eh_section *hdr,
			    const struct eh_section *frame)
{
	memset(x, 0, sizeof(*x));
	x->fd = fd;
	if (frame->size < 8)
		return false;
	x->frame_off = frame->off;
	x->frame_size = frame->size;
	x->frame_addr = frame->addr;
	if (!read_index(x, hdr)) {
		ehframe__free(x);
		return false;
	}
	return true;
}

bool ehframe__open(struct ehframe *x, Elf *elf, int fd)
{
	GElf_Shdr hdr, frame;
	size_t shstrndx;

	memset(x, 0, sizeof(*x));
	if (elf_getshdrstrndx(elf, &shstrndx) || !section(elf, shstrndx, ".eh_frame_hdr", &hdr) ||
	    !section(elf, shstrndx, ".eh_frame", &frame))
		return false;
	return ehframe__open_sections(x, fd,
				      &(struct eh_section){ hdr.sh_offset, hdr.sh_size, hdr.sh_addr },
				      &(struct eh_section){ frame.sh_offset, frame.sh_size,
							    frame.sh_addr });
}

void ehframe__free(struct ehframe *x)
{
	free(x->fdes);
	x->fdes = NULL;
	x->n = 0;
}

/* A cursor over bytes read: every read checks what is left. */
struct cur {
	const unsigned char *p, *end;
	uint64_t addr;		/* the address of p */
};

static bool get(struct cur *c, void *v, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return false;
	memcpy(v, c->p, n);
	c->p += n;
	c->addr += n;
	return true;
}

static bool leb(struct cur *c, uint64_t *v, bool sign)
{
	unsigned shift = 0;
	unsigned char b;

	*v = 0;
	do {
		if (c->p == c->end || shift > 63)
			return false;
		b = *c->p++;
		c->addr++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (sign && shift < 64 && (b & 0x40))
		*v |= ~0ull << shift;
	return true;
}

/* A pointer of encoding enc (its format; pcrel applied when apply); false if unsupported. */
static bool pointer(struct cur *c, uint8_t enc, bool apply, uint64_t *v)
{
	uint64_t at = c->addr;
	union { uint16_t u16; uint32_t u32; uint64_t u64; int16_t s16; int32_t s32; } u = { 0 };
	bool ok;

	switch (enc & PE_FORMAT) {
	case 0x00: case 0x04: case 0x0c: ok = get(c, &u.u64, 8); *v = u.u64; break;
	case 0x01: ok = leb(c, v, false); break;
	case 0x02: ok = get(c, &u.u16, 2); *v = u.u16; break;
	case 0x03: ok = get(c, &u.u32, 4); *v = u.u32; break;
	case 0x09: ok = leb(c, v, true); break;
	case 0x0a: ok = get(c, &u.s16, 2); *v = (uint64_t)(int64_t)u.s16; break;
	case 0x0b: ok = get(c, &u.s32, 4); *v = (uint64_t)(int64_t)u.s32; break;
	default: return false;
	}
	if (!ok)
		return false;
	if (!apply || !(enc & PE_APPLY))
		return true;
	if ((enc & PE_APPLY) != PE_PCREL)
		return false;	/* datarel, textrel, funcrel, aligned: no linker writes them here */
	*v += at;
	return true;
}

/* The pointer encoding of the FDEs of the CIE at section offset off. */
static bool cie_encoding(struct ehframe *x, uint64_t off, uint8_t *enc)
{
	unsigned char b[CIE_READ];
	uint64_t len = x->frame_size - off, v;
	struct cur c;
	uint32_t l32, id;
	uint8_t version;
	const char *aug;

	if (x->cie == off + 1) {
		*enc = x->cie_enc;
		return true;
	}
	if (len > sizeof(b))
		len = sizeof(b);
	if (off >= x->frame_size || !read_at(x->fd, b, len, x->frame_off + off))
		return false;
	c = (struct cur){ b, b + len, x->frame_addr + off };
	if (!get(&c, &l32, 4) || l32 == 0xffffffffu || !get(&c, &id, 4) || id ||
	    !get(&c, &version, 1) || (version != 1 && version != 3))
		return false;
	aug = (const char *)c.p;
	if (!memchr(aug, '\0', (size_t)(c.end - c.p)))
		return false;
	c.addr += strlen(aug) + 1;
	c.p += strlen(aug) + 1;
	*enc = 0;	/* absptr, without 'R' */
	if (!leb(&c, &v, false) || !leb(&c, &v, true))	/* code and data alignment */
		return false;
	if (version == 1 ? !get(&c, &version, 1) : !leb(&c, &v, false))	/* return register */
		return false;
	if (*aug == 'z') {
		if (!leb(&c, &v, false))	/* augmentation data's length */
			return false;
		for (const char *a = aug + 1; *a && *a != 'R'; a++) {
			uint8_t penc;

			if (*a == 'L') {
				if (!get(&c, &penc, 1))
					return false;
			} else if (*a == 'P') {
				if (!get(&c, &penc, 1) || penc == PE_OMIT || !pointer(&c, penc, false, &v))
					return false;
			} else if (*a != 'S' && *a != 'B') {
				return false;
			}
		}
		if (strchr(aug, 'R') && !get(&c, enc, 1))
			return false;
	} else if (*aug) {
		return false;	/* augmentation of unknown layout */
	}
	x->cie = off + 1;
	x->cie_enc = *enc;
	return true;
}

/* The range of the FDE at address addr, which the index says starts at start. */
static bool fde_range(struct ehframe *x, uint64_t addr, uint64_t start, uint64_t *lo, uint64_t *hi)
{
	unsigned char b[FDE_READ];
	uint64_t off = addr - x->frame_addr, len, cie_field, begin, range;
	uint32_t l32, cie_ptr;
	uint8_t enc;
	struct cur c;

	if (addr < x->frame_addr || off >= x->frame_size)
		return false;
	len = x->frame_size - off < sizeof(b) ? x->frame_size - off : sizeof(b);
	if (!read_at(x->fd, b, len, x->frame_off + off))
		return false;
	c = (struct cur){ b, b + len, addr };
	if (!get(&c, &l32, 4) || l32 == 0xffffffffu || l32 < 8)
		return false;	/* 64-bit entries: no x86-64 linker writes them */
	cie_field = off + 4;
	if (!get(&c, &cie_ptr, 4) || !cie_ptr || cie_ptr > cie_field ||
	    !cie_encoding(x, cie_field - cie_ptr, &enc) ||
	    !pointer(&c, enc, true, &begin) || !pointer(&c, enc & PE_FORMAT, false, &range))
		return false;
	/* the index and the entry must agree, and the range be sane */
	if (begin != start || !range || begin + range < begin)
		return false;
	*lo = begin;
	*hi = begin + range;
	return true;
}

bool ehframe__range(struct ehframe *x, uint64_t vaddr, uint64_t *lo, uint64_t *hi)
{
	size_t a = upper_bound_by(x->fdes, x->n, start, vaddr);

	if (!a || !fde_range(x, x->fdes[a - 1].addr, x->fdes[a - 1].start, lo, hi))
		return false;
	return vaddr < *hi;
}
