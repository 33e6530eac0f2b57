/* SPDX-License-Identifier: MIT */
/*
 * speedscope's JSON file format (its file-format-schema.json): the subtree
 * at node (full root paths) as one sampled profile.
 */
#ifndef FLAMETOP_SPEEDSCOPE_H
#define FLAMETOP_SPEEDSCOPE_H

#include <stdio.h>

#include "calltree.h"
#include "units.h"

/* name: the profile's; exporter: who wrote it.  0 or -errno. */
int speedscope__write(FILE *out, const struct calltree *t, uint32_t node, enum value_unit unit,
		      const char *name, const char *exporter);
/* s[0, len) as a JSON string (quoted; valid UTF-8, bad bytes U+FFFD).  0 or -EIO. */
int json__string(FILE *out, const char *s, size_t len);

#endif
