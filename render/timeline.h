/* SPDX-License-Identifier: MIT */
/*
 * timeline: samples per second over the retained history as a one-line
 * sparkline, the newest second at the right edge, the shown window marked.
 */
#ifndef FLAMETOP_TIMELINE_H
#define FLAMETOP_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "cells.h"

/*
 * rates[i] is the sample count of second first + i (n seconds, n >= 1);
 * the window is [w0, w1) in the same seconds.  When there are more seconds
 * than columns, each column shows the mean of the seconds it covers.
 */
void timeline__paint(struct grid *g, uint32_t row, const uint64_t *rates, uint32_t n,
		     int64_t first, int64_t w0, int64_t w1, bool mono);

#endif
