// SPDX-License-Identifier: MIT
/*
 * flametop: the entry point; reads the options and runs one command.
 */
#include <malloc.h>
#include <stdio.h>
#include <sys/resource.h>

#include "commands.h"
#include "options.h"

/*
 * The symbolizer keeps a descriptor per ELF file it reads (files are read,
 * never mapped): a whole host has more than the usual soft limit of 1024.
 */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	struct options opts;
	int ret;

	/*
	 * Big buffers (a table's rows, a debug section) are mapped and given
	 * back when freed: glibc's threshold otherwise rises to the largest
	 * freed, and later ones stay in the heap as RSS.
	 */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	ret = options__parse(&opts, argc, argv);
	raise_nofile();
	if (ret)
		return ret == 1 ? 0 : 2;
	switch (opts.cmd) {
	case CMD_REPORT:
		return cmd_report(&opts);
	case CMD_FOLD:
		return cmd_fold(&opts);
	case CMD_RECORD:
		return cmd_record(&opts);
	case CMD_VIEW:
	case CMD_DIFF:
	case CMD_LIVE:
		return cmd_explore(&opts);
	}
	return 2;
}
