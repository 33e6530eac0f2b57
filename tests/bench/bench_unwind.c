// SPDX-License-Identifier: MIT
/*
 * Unwind tables (issue 6): for each file given, the time and memory to
 * build its rows from .eh_frame, and the size the rows take in the BPF map.
 * Prints the figures; asserts nothing.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "../../sampler/unwind_rows.h"

static long peak_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	elf_version(EV_CURRENT);
	for (int i = 1; i < argc; i++) {
		struct ft_unwind_row *rows = NULL;
		struct stat st;
		long before = peak_kb(), n;
		double t0 = now(), t;
		int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
		Elf *elf;

		if (fd < 0 || fstat(fd, &st)) {
			printf("%s: cannot open\n", argv[i]);
			continue;
		}
		elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		n = elf ? unwind__build_rows(elf, &rows) : -1;
		t = now() - t0;
		printf("%-48s %7.1f MB file: %8ld rows (%6.2f MB in the map), built in %7.1f ms, "
		       "peak RSS +%ld MB\n", argv[i], st.st_size / 1048576.0, n,
		       n > 0 ? n * (double)sizeof(*rows) / 1048576.0 : 0.0, t * 1e3,
		       (peak_kb() - before) / 1024);
		free(rows);
		if (elf)
			elf_end(elf);
		close(fd);
	}
	return 0;
}
