/* SPDX-License-Identifier: MIT */
/*
 * keymap: which key triggers which action.  Keymaps are text ("KEY ACTION"
 * per line), parsed by one parser whether they are built in (default, vim,
 * htop; embedded at build time) or the user's file.
 *
 * Keys are this module's own codes, not curses': a printable ASCII
 * character is itself, Ctrl-letter is 1..26, and the named keys below.
 * tui/ translates curses' codes into these.
 */
#ifndef FLAMETOP_KEYMAP_H
#define FLAMETOP_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "actions.h"

enum {
	KEY_CODE_TAB = 9,
	KEY_CODE_ENTER = 13,
	KEY_CODE_ESC = 27,
	KEY_CODE_SPACE = 32,
	KEY_CODE_BACKSPACE = 127,
	KEY_CODE_UP = 0x100,
	KEY_CODE_DOWN,
	KEY_CODE_LEFT,
	KEY_CODE_RIGHT,
	KEY_CODE_HOME,
	KEY_CODE_END,
	KEY_CODE_PGUP,
	KEY_CODE_PGDN,
	KEY_CODE_INSERT,
	KEY_CODE_DELETE,
	KEY_CODE_BACKTAB,
	KEY_CODE_F1,		/* F1..F12 follow */
	KEY_CODE_MAX = KEY_CODE_F1 + 12,
};
#define KEY_CODE_F(n) (KEY_CODE_F1 + (n) - 1)

/* The key called name ("q", "Enter", "C-l", "F10"...), or -1. */
int key__parse(const char *name);
/* Writes key's name into buf (at least 16 bytes); returns buf. */
const char *key__name(int key, char *buf, size_t size);

struct keymap;

/* Called once per bad line; origin is the file's name. */
typedef void (*keymap_error_fn)(void *ctx, const char *origin, unsigned line,
				const char *msg);

struct keymap *keymap__new(void);
void keymap__free(struct keymap *km);

/* Names of the built-in keymaps, NULL-terminated. */
const char *const *keymap__builtin_names(void);
/* Replaces every binding with the built-in keymap name; -ENOENT if none. */
int keymap__use_builtin(struct keymap *km, const char *name);
/* The built-in keymap the bindings last started from (a file's "keymap NAME" too). */
const char *keymap__base(const struct keymap *km);
/*
 * Applies text on top of the current bindings.  Each bad line is reported
 * through err and skipped; the rest still applies.  Returns the number of
 * bad lines.  "keymap NAME" starts over from a built-in keymap.
 */
unsigned keymap__parse(struct keymap *km, const char *text, size_t len, const char *origin,
		       keymap_error_fn err, void *ctx);
/* The largest keys file read, in bytes. */
#define KEYMAP_FILE_MAX (1u << 20)
/*
 * Reads and applies a file; -errno if it cannot be read (-EISDIR for a
 * directory, -EFBIG past KEYMAP_FILE_MAX bytes), else bad lines.
 */
int keymap__load_file(struct keymap *km, const char *path, keymap_error_fn err, void *ctx);

enum action keymap__action(const struct keymap *km, int key);
/* The keys bound to a, in a stable order; returns how many (may exceed max). */
size_t keymap__keys(const struct keymap *km, enum action a, int *keys, size_t max);

#endif
