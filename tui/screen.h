/* SPDX-License-Identifier: MIT */
/*
 * screen: the terminal.  The only module that includes <curses.h>: it
 * opens /dev/tty (so a profile can come from standard input), paints a grid
 * of cells in one pass, turns curses key codes and mouse reports into
 * keymap codes, and always restores the terminal — on exit, on Ctrl-C,
 * SIGTERM/SIGHUP, and on a fatal signal.
 */
#ifndef FLAMETOP_SCREEN_H
#define FLAMETOP_SCREEN_H

#include <signal.h>
#include <stdbool.h>

#include "../render/cells.h"

enum colour_mode { COLOUR_MONO, COLOUR_8, COLOUR_256 };

enum input_kind { INPUT_NONE, INPUT_KEY, INPUT_CHAR, INPUT_MOUSE, INPUT_RESIZE };
enum mouse_kind { MOUSE_CLICK, MOUSE_DOUBLE, MOUSE_WHEEL_UP, MOUSE_WHEEL_DOWN };

struct input {
	enum input_kind kind;
	int key;		/* INPUT_KEY: keymap code; INPUT_CHAR: code point */
	enum mouse_kind mouse;
	int x, y;
};

struct screen {
	struct grid grid;	/* what the next paint shows; resized with the terminal */
	enum colour_mode colours;
	bool mouse;
	int fd;			/* the terminal, for poll() */
	void *priv;
};

/* Set by SIGINT, SIGTERM and SIGHUP while the screen is open. */
extern volatile sig_atomic_t screen_quit_signal;

/*
 * Opens tty (NULL: /dev/tty, the controlling terminal, so that standard
 * input may carry the profile).  0, or -errno with msg saying why (no
 * terminal, unknown TERM...).
 */
int screen__open(struct screen *s, const char *tty, bool mouse, char *msg, size_t size);
void screen__close(struct screen *s);
/* Matches the grid to the terminal's size; 0 or -ENOMEM. */
int screen__resize(struct screen *s);
void screen__paint(struct screen *s);
/* The next input without blocking; false when there is none. */
bool screen__input(struct screen *s, struct input *in);
void screen__set_mouse(struct screen *s, bool on);
/*
 * Puts text on the terminal's clipboard (OSC 52, which tmux and modern
 * terminals take), base64-encoded so no byte of it reaches the terminal
 * as a control.  At most SCREEN_CLIP_MAX bytes; false when it is longer.
 */
#define SCREEN_CLIP_MAX 4096
bool screen__copy(struct screen *s, const char *text, size_t len);
/* Forgets what the terminal shows, so the next paint redraws all. */
void screen__invalidate(struct screen *s);

#endif
