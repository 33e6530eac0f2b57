// SPDX-License-Identifier: MIT
/* Text from outside, escaped for a terminal: the rule is in textsafe.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textsafe.h"

/*
 * Code points that steer a terminal or the order text is shown in, break a
 * line where none is seen, or are not seen at all (a name that looks like
 * another).
 */
static bool unsafe_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

uint32_t textsafe__next_cp(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	uint32_t cp, min;
	int more;

	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0)
		cp = s[0] & 0x1f, more = 1, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		cp = s[0] & 0x0f, more = 2, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		cp = s[0] & 0x07, more = 3, min = 0x10000;
	else
		goto bad;
	if (end - s <= more)
		goto bad;
	for (int i = 1; i <= more; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		goto bad;
	*p = s + more + 1;
	return cp;
bad:
	*p = s + 1;
	return 0xfffd;
}

/*
 * The next character of s[0, len) (len > 0): its length in bytes, and
 * whether it may be printed as it is.  A byte that starts no valid UTF-8
 * sequence is a character of one byte, unsafe.
 */
static size_t next_char(const unsigned char *s, size_t len, bool *safe)
{
	const unsigned char *q = s;
	uint32_t cp = textsafe__next_cp(&q, s + len);
	size_t n = (size_t)(q - s);

	if (cp < 0x80)
		*safe = cp >= 0x20 && cp != 0x7f;
	else	/* U+FFFD from one byte is a byte that is no UTF-8 */
		*safe = !(cp == 0xfffd && n == 1) && !unsafe_cp(cp);
	return n;
}

size_t textsafe__span(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (n < len) {
		bool safe;
		size_t k = next_char(p + n, len - n, &safe);

		if (!safe)
			break;
		n += k;
	}
	return n;
}

/* "\xNN" for each of the k bytes at s; returns 4 * k. */
static size_t escape_bytes(char *out, const unsigned char *s, size_t k)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < k; i++) {
		out[4 * i] = '\\';
		out[4 * i + 1] = 'x';
		out[4 * i + 2] = hex[s[i] >> 4];
		out[4 * i + 3] = hex[s[i] & 15];
	}
	return 4 * k;
}

char *textsafe__escape(char *buf, size_t size, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t in = 0, out = 0;

	while (in < len) {
		bool safe;
		size_t k = next_char(p + in, len - in, &safe);
		size_t need = safe ? k : 4 * k;

		if (out + need >= size)
			break;
		if (safe)
			memcpy(buf + out, p + in, k);
		else
			escape_bytes(buf + out, p + in, k);
		out += need;
		in += k;
	}
	buf[out] = '\0';
	return buf;
}

static int write_escaped(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n = textsafe__span(s + i, len - i);
		char esc[16];

		if (n && fwrite(s + i, 1, n, f) != n)
			return -EIO;
		i += n;
		if (i < len) {
			bool safe;
			size_t k = next_char(p + i, len - i, &safe);
			size_t e = escape_bytes(esc, p + i, k);

			if (fwrite(esc, 1, e, f) != e)
				return -EIO;
			i += k;
		}
	}
	return 0;
}

int textsafe__fputs(FILE *f, const char *s)
{
	return write_escaped(f, s, strlen(s));
}

int textsafe__vfprintf(FILE *f, const char *fmt, va_list ap)
{
	char small[512], *text = small;
	va_list again;
	int n, err;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0) {
		va_end(again);
		return -EINVAL;
	}
	if ((size_t)n >= sizeof(small)) {
		/* out of memory: the beginning is better than nothing */
		text = malloc((size_t)n + 1);
		if (text)
			vsnprintf(text, (size_t)n + 1, fmt, again);
		else
			text = small, n = (int)sizeof(small) - 1;
	}
	va_end(again);
	err = write_escaped(f, text, (size_t)n);
	if (text != small)
		free(text);
	return err;
}

int textsafe__fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = textsafe__vfprintf(f, fmt, ap);
	va_end(ap);
	return err;
}
