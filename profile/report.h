/* SPDX-License-Identifier: MIT */
/*
 * report: the top-N table of `flametop report` (SPEC.md):
 * a '#' header, then "self%  total%  self  total  [change]  name" rows.
 */
#ifndef FLAMETOP_REPORT_H
#define FLAMETOP_REPORT_H

#include <stdio.h>

#include "calltree.h"

enum report_sort { REPORT_SELF, REPORT_TOTAL, REPORT_DELTA };

struct report_opts {
	long limit;		/* rows; 0 = all */
	enum report_sort sort;
};

/* before may be NULL (no change column).  0 or -errno. */
int report__print(FILE *out, const struct calltree *t, const struct calltree *before,
		  const struct report_opts *opts);

#endif
