/* SPDX-License-Identifier: MIT */
/*
 * textsafe: text from outside (frame names, file names, words of a keys
 * file) made safe to print on a terminal or stderr.  One rule, used by
 * every place that prints such text to people:
 *
 *   each byte that is a C0 control (0x00-0x1f), DEL (0x7f), part of a C1
 *   control (U+0080-U+009F), part of a Unicode bidirectional control
 *   (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), of a line or
 *   paragraph separator (U+2028, U+2029), of an invisible one (U+200B-U+200D,
 *   U+FEFF) or not part of valid UTF-8 is written as \xNN (two lowercase hex digits); everything
 *   else, valid UTF-8 included, is written as it is.
 *
 * ESC is therefore "\x1b", a tab "\x09".  A backslash stays as it is, so
 * escaping twice changes nothing (the result is for people, not a format
 * to read back).  Data outputs (folded files) are never escaped.
 */
#ifndef FLAMETOP_TEXTSAFE_H
#define FLAMETOP_TEXTSAFE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Decodes the UTF-8 character at *p (p < end) and moves *p past it; a byte
 * that starts no valid sequence is U+FFFD and one byte.
 */
uint32_t textsafe__next_cp(const unsigned char **p, const unsigned char *end);
/* How many leading bytes of s[0, len) may be printed as they are. */
size_t textsafe__span(const char *s, size_t len);
/*
 * Writes s[0, len) escaped into buf (size > 0, always NUL-terminated); a
 * text that does not fit is cut before a whole character or escape.
 * Returns buf.
 */
char *textsafe__escape(char *buf, size_t size, const char *s, size_t len);
/* Writes the string s escaped to f; 0 or -EIO. */
int textsafe__fputs(FILE *f, const char *s);
/* printf to f, the whole formatted text escaped (so a newline in it too); 0 or -errno. */
int textsafe__vfprintf(FILE *f, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
int textsafe__fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
