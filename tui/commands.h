/* SPDX-License-Identifier: MIT */
/*
 * The headless commands.  Each returns the process exit status (SPEC.md):
 * 0, or 1 after one line on stderr saying what failed and how to fix it.
 */
#ifndef FLAMETOP_COMMANDS_H
#define FLAMETOP_COMMANDS_H

#include "options.h"

int cmd_report(const struct options *o);
int cmd_fold(const struct options *o);
int cmd_record(const struct options *o);
/* The explorer: view FILE, diff BEFORE AFTER, or live (no command). */
int cmd_explore(const struct options *o);

struct calltree;
/* Reads a profile file into t; on failure prints the one line and returns 1. */
int load_profile(struct calltree *t, const char *path);
struct read_opts;
struct profile_info;
/* The same as ro says (NULL: defaults); info (may be NULL) gets what the file says of itself. */
int load_profile_info(struct calltree *t, const char *path, const struct read_opts *ro,
		      struct profile_info *info);
/* How the command line says files are read (--lines, --sample-type, --group). */
void options__read(const struct options *o, struct read_opts *ro);

struct keymap;
/* The keymap for the explorer: the built-in one, then the user's file. */
int load_keys(const struct options *o, struct keymap **out, char *origin, size_t osize,
	      char *warning, size_t wsize);

/* Prints "flametop: " + the message to stderr; returns 1. */
int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
