// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>

#include "pane.h"

void note__set(struct note *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
}
