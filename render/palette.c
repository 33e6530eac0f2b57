// SPDX-License-Identifier: MIT
/*
 * Colours: user frames in flamegraph.pl's warm "hot" family, kernel frames
 * in a cool family so the two never look alike, unknown frames grey.  The
 * shade comes from a hash of the name, so a name keeps its colour.
 */
#include <math.h>

#include "palette.h"

static const struct {
	uint8_t xterm, ansi;
} colours[PAL_COUNT] = {
	[PAL_DEFAULT] = { 0, 0 },
	[PAL_BLACK] = { 16, 0 },
	[PAL_WHITE] = { 231, 7 },
	[PAL_BAR] = { 24, 4 },
	[PAL_BAR_TEXT] = { 231, 7 },
	[PAL_ACCENT] = { 45, 6 },
	[PAL_MATCH] = { 170, 5 },
	[PAL_WARN] = { 196, 1 },
	/* user: red .. orange .. yellow */
	[PAL_USER + 0] = { 203, 1 }, [PAL_USER + 1] = { 209, 3 },
	[PAL_USER + 2] = { 215, 3 }, [PAL_USER + 3] = { 221, 3 },
	[PAL_USER + 4] = { 167, 1 }, [PAL_USER + 5] = { 173, 1 },
	[PAL_USER + 6] = { 179, 3 }, [PAL_USER + 7] = { 185, 3 },
	/* kernel: teal .. aqua .. green-blue */
	[PAL_KERNEL + 0] = { 37, 6 }, [PAL_KERNEL + 1] = { 43, 6 },
	[PAL_KERNEL + 2] = { 73, 6 }, [PAL_KERNEL + 3] = { 79, 2 },
	[PAL_KERNEL + 4] = { 80, 6 }, [PAL_KERNEL + 5] = { 72, 2 },
	[PAL_KERNEL + 6] = { 116, 6 }, [PAL_KERNEL + 7] = { 114, 2 },
	[PAL_UNKNOWN + 0] = { 248, 7 }, [PAL_UNKNOWN + 1] = { 250, 7 },
	/* diff: from barely changed to much changed */
	[PAL_GROW + 0] = { 224, 7 }, [PAL_GROW + 1] = { 217, 1 },
	[PAL_GROW + 2] = { 210, 1 }, [PAL_GROW + 3] = { 203, 1 },
	[PAL_GROW + 4] = { 196, 1 },
	[PAL_SHRINK + 0] = { 189, 7 }, [PAL_SHRINK + 1] = { 153, 4 },
	[PAL_SHRINK + 2] = { 111, 4 }, [PAL_SHRINK + 3] = { 69, 4 },
	[PAL_SHRINK + 4] = { 27, 4 },
	[PAL_SAME] = { 252, 7 },
};

uint8_t palette__frame(enum frame_kind kind, const char *name, uint32_t len)
{
	uint64_t h = strtab_hash(name, len);

	switch (kind) {
	case FRAME_KERNEL:
		return (uint8_t)(PAL_KERNEL + h % PAL_SHADES);
	case FRAME_UNKNOWN:
		return (uint8_t)(PAL_UNKNOWN + h % 2);
	default:
		return (uint8_t)(PAL_USER + h % PAL_SHADES);
	}
}

uint8_t palette__diff(double delta, double max_abs, int is_new)
{
	double mag = fabs(delta);
	int level;

	if (is_new)
		return PAL_GROW + PAL_DIFF_LEVELS - 1;
	if (mag < 0.05 || !(max_abs > 0))
		return PAL_SAME;
	/* intensity relative to the largest change shown, in five steps */
	level = (int)(mag / max_abs * PAL_DIFF_LEVELS);
	if (level >= PAL_DIFF_LEVELS)
		level = PAL_DIFF_LEVELS - 1;
	return (uint8_t)((delta > 0 ? PAL_GROW : PAL_SHRINK) + level);
}

uint8_t palette__xterm256(uint8_t id)
{
	return id < PAL_COUNT ? colours[id].xterm : 0;
}

uint8_t palette__ansi8(uint8_t id)
{
	return id < PAL_COUNT ? colours[id].ansi : 0;
}
