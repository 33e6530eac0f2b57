/* SPDX-License-Identifier: MIT */
/*
 * svg: a flame graph as a self-contained SVG file, for a browser or a
 * ticket — frames with titles (name, value, share) in the explorer's
 * colours, click to zoom, search (Ctrl-F) with the share matched.
 */
#ifndef FLAMETOP_SVG_H
#define FLAMETOP_SVG_H

#include <stdio.h>

#include "../profile/calltree.h"
#include "../profile/units.h"

struct svg_opts {
	const char *title;
	const char *subtitle;	/* NULL: none */
	enum value_unit unit;	/* how values are named in titles */
};

/* The subtree at node (its ancestors full width below it).  0 or -errno. */
int svg__write(FILE *out, const struct calltree *t, uint32_t node, const struct svg_opts *o);

extern const char svg__script[];

#endif
