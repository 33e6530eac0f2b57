// SPDX-License-Identifier: MIT
/*
 * flametop: the entry point; reads the options and runs one command.
 */
#include <stdio.h>

#include "commands.h"
#include "options.h"

int main(int argc, char **argv)
{
	struct options opts;
	int ret = options__parse(&opts, argc, argv);

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
