/* SPDX-License-Identifier: MIT */
/*
 * The transforms pane: the transforms on (profile/transform.h) as a line of
 * chips above the status line, the prompt where a transform's regex is
 * typed, and the trees they make.  It owns the transformed profile and the
 * diff's transformed before side; the app shows them in place of the
 * profile, so the graph, top-N, search, diff and snapshots all see what the
 * chips say.
 */
#ifndef FLAMETOP_VIEW_SHAPE_H
#define FLAMETOP_VIEW_SHAPE_H

#include <stdbool.h>
#include <stdint.h>

#include "../profile/transform.h"
#include "../render/cells.h"
#include "pane.h"
#include "prompt.h"
#include "screen.h"

struct shape_view {
	struct xforms xf;
	struct calltree *after;		/* owned: the profile transformed; NULL with none */
	struct calltree *before;	/* owned: the diff's before side transformed */
	uint64_t all, kept;		/* the profile's samples before and after */
	struct prompt line;		/* a transform's regex being typed */
	enum xform_kind asking;
	uint32_t chip_end[XFORMS_MAX];	/* the column after each chip, as painted */
};

void shape_view__free(struct shape_view *v);
/*
 * The profile to show for raw: raw itself with no transform, else raw
 * transformed again (v->after).  Out of memory: raw, after a note.
 */
const struct calltree *shape_view__apply(struct shape_view *v, const struct calltree *raw,
					 struct note *note);
/* The same for the diff's before side (v->before). */
const struct calltree *shape_view__apply_before(struct shape_view *v, const struct calltree *raw,
						struct note *note);

/* Opens the prompt for a transform of kind (focus, hide, drop), holding text. */
void shape_view__ask(struct shape_view *v, enum xform_kind kind, const char *text);
/* "Focus on (regex)" ... for the status line while the prompt is open. */
const char *shape_view__asking(const struct shape_view *v);
/* One input while the prompt is open: Enter adds the transform, Esc drops it; DO_* flags. */
int shape_view__type(struct shape_view *v, const struct input *in, struct note *note);
/* Adds a transform of kind without a regex, or removes the one on; DO_* flags. */
int shape_view__toggle(struct shape_view *v, enum xform_kind kind, uint32_t levels,
		       struct note *note);
/* Removes transform i (-1: the last one); DO_* flags. */
int shape_view__remove(struct shape_view *v, int i, struct note *note);
/* The transform whose chip is at column x of the chips line, or -1. */
int shape_view__chip_at(const struct shape_view *v, uint32_t x);
/* "^name$" with the regex's special characters escaped: the name, and only it. */
void shape__literal(const char *name, size_t len, char *buf, size_t size);

/* The chips line (p is one row, or none). */
void shape_view__paint(struct shape_view *v, bool mono, struct grid *g, const struct pane *p);

#endif
