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

/* Prints "flametop: " + the message to stderr; returns 1. */
int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
