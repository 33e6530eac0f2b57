/* SPDX-License-Identifier: MIT */
/*
 * prompt: a line typed on the status bar (a search, a transform's regex).
 * It takes whole UTF-8 code points and takes them back one at a time.
 */
#ifndef FLAMETOP_PROMPT_H
#define FLAMETOP_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "screen.h"

struct prompt {
	bool on;
	char text[256];
	size_t len;
};

/* Opens the prompt holding text (cut to fit). */
void prompt__open(struct prompt *p, const char *text);
/* A typed character or Backspace changes the text: true; other input: false. */
bool prompt__edit(struct prompt *p, const struct input *in);

#endif
