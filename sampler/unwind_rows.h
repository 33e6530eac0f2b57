/* SPDX-License-Identifier: MIT */
/*
 * unwind_rows: the rows the BPF program unwinds user stacks with, built
 * from one ELF file's .eh_frame (or .debug_frame) with libdw's CFI API (see
 * bpf/profile.h for the row format).  Per file; the unwinder (unwind.h)
 * loads them into the BPF maps.
 */
#ifndef FLAMETOP_UNWIND_ROWS_H
#define FLAMETOP_UNWIND_ROWS_H

#include <libelf.h>
#include <linux/types.h>
#include <stddef.h>

#include "../bpf/profile.h"

/*
 * The rows for the executable sections of elf, sorted by pc, identical
 * neighbours merged.  *rows is malloc'ed.  Returns the number of rows, 0
 * when the file has no .eh_frame, or -errno (-ERANGE: addresses above 4 GiB).
 */
long unwind__build_rows(Elf *elf, struct ft_unwind_row **rows);
/* The row for vaddr (the last with pc <= vaddr), or NULL. */
const struct ft_unwind_row *unwind__find(const struct ft_unwind_row *rows, size_t n,
					 __u64 vaddr);

/*
 * The page index of n rows (n > 0): per 4 KiB page from the first row's to
 * the last's, the row in effect where it starts, and one more entry (so
 * *npages + 1 in all, malloc'ed); NULL without memory.
 */
__u32 *unwind__page_index(const struct ft_unwind_row *rows, __u32 n, __u32 *npages);

#endif
