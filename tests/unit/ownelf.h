/* SPDX-License-Identifier: MIT */
/* The test binary's own ELF file: its text's addresses, its DWARF for an index. */
#ifndef FLAMETOP_TEST_OWNELF_H
#define FLAMETOP_TEST_OWNELF_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <elfutils/libdw.h>
#include <gelf.h>

#include "../../sampler/dwindex.h"

/* This binary's .text as ELF addresses: [*lo, *hi). */
static inline void own_text(uint64_t *lo, uint64_t *hi)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;

	*lo = *hi = 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_true(elf && !elf_getshdrstrndx(elf, &shstrndx));
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (gelf_getshdr(scn, &sh) && (name = elf_strptr(elf, shstrndx, sh.sh_name)) &&
		    !strcmp(name, ".text")) {
			*lo = sh.sh_addr;
			*hi = sh.sh_addr + sh.sh_size;
		}
	}
	assert_true(*lo < *hi);
	elf_end(elf);
	close(fd);
}

/* This binary's DWARF opened into x, as the symbolizer's opener does: 0 or -ENOENT. */
static inline int own_dwarf(struct dwarf_index *x)
{
	x->fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (x->fd < 0 || !(x->elf = elf_begin(x->fd, ELF_C_READ, NULL)))
		return -ENOENT;
	x->dw = dwarf_begin_elf(x->elf, DWARF_C_READ, NULL);
	return x->dw ? 0 : -ENOENT;
}

#endif
