/* SPDX-License-Identifier: MIT */
/* The built-in keymaps: keymaps/NAME.keys, embedded by the Makefile. */
#ifndef FLAMETOP_KEYMAP_BUILTIN_H
#define FLAMETOP_KEYMAP_BUILTIN_H

struct builtin_keymap {
	const char *name;
	const char *text;
};

/* Terminated by an entry whose name is NULL. */
extern const struct builtin_keymap builtin_keymaps[];

#endif
