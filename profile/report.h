/* SPDX-License-Identifier: MIT */
/*
 * report: the top-N table of `flametop report` (SPEC.md):
 * a '#' header, then "self%  total%  self  total  [change]  name" rows.
 */
#ifndef FLAMETOP_REPORT_H
#define FLAMETOP_REPORT_H

#include <stdio.h>

#include "calltree.h"
#include "units.h"

enum report_sort { REPORT_SELF, REPORT_TOTAL, REPORT_DELTA };

struct report_opts {
	long limit;		/* rows; 0 = all */
	enum report_sort sort;
	/*
	 * Shares are of this many samples: the profile's before transforms
	 * left some out (pprof's percentages, of all samples); 0: the tree's.
	 */
	uint64_t of_samples;
	struct value_type vt;	/* what the values count: samples unless a file says */
};

/* before may be NULL (no change column).  0 or -errno. */
int report__print(FILE *out, const struct calltree *t, const struct calltree *before,
		  const struct report_opts *opts);

#endif
