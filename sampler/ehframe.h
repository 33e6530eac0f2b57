/* SPDX-License-Identifier: MIT */
/*
 * ehframe: the functions a file's .eh_frame describes, for naming code
 * without symbols ("[module+0xSTART]").  The .eh_frame_hdr's sorted table
 * is read once; an FDE's range (and its CIE's pointer encoding) is read with
 * pread when an address needs it, a few dozen bytes.  Nothing of .eh_frame
 * stays in memory: a whole copy (libdw's CFI) cost the symbolizer tens of
 * megabytes on a host running big stripped binaries.
 *
 * The file is anybody's and may change or shrink meanwhile: every read is
 * bounded by its section, a short read or a value that does not add up is
 * "no function here", never a crash.
 */
#ifndef FLAMETOP_EHFRAME_H
#define FLAMETOP_EHFRAME_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eh_fde {
	uint64_t start;			/* initial location */
	uint64_t addr;			/* the FDE's own address */
};

struct ehframe {
	int fd;				/* the file's (not owned) */
	uint64_t frame_off, frame_size;	/* .eh_frame in the file */
	uint64_t frame_addr;		/* and its address */
	struct eh_fde *fdes;		/* by initial location */
	size_t n;
	uint64_t cie;			/* the last CIE read (offset + 1; 0: none) */
	uint8_t cie_enc;		/* its FDEs' pointer encoding */
};

/* .eh_frame and the index of .eh_frame_hdr (read from fd); false if none usable. */
bool ehframe__open(struct ehframe *x, Elf *elf, int fd);

/*
 * The sorted table of an .eh_frame_hdr's bytes at address addr: version 1,
 * entries as datarel sdata4 pairs (what linkers write); how many (0: none
 * usable).  *fdes is malloc'ed.  The unwinder's reader uses it too.
 */
#define EH_INDEX_MAX	(64ul << 20)	/* .eh_frame_hdr bytes read, at most */
size_t ehframe__parse_index(const unsigned char *b, size_t size, uint64_t addr,
			    struct eh_fde **fdes);

/* The same from the two sections' places in fd (the fuzz target's way in). */
struct eh_section {
	uint64_t off, size, addr;
};
bool ehframe__open_sections(struct ehframe *x, int fd, const struct eh_section *hdr,
			    const struct eh_section *frame);
/*
 * The range [lo, hi) of the FDE covering vaddr: the function holding it.
 * false when no FDE covers vaddr (code between functions, a JIT's), or its
 * entry cannot be read.
 */
bool ehframe__range(struct ehframe *x, uint64_t vaddr, uint64_t *lo, uint64_t *hi);
void ehframe__free(struct ehframe *x);

#endif
