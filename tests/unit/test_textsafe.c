// SPDX-License-Identifier: MIT
/* profile/textsafe: names from outside escaped for a terminal (one rule, textsafe.h). */
#include "helpers.h"
#include "../../profile/textsafe.h"

static const char *esc(const char *s, size_t len)
{
	static char buf[512];

	return textsafe__escape(buf, sizeof(buf), s, len);
}
#define ESC(lit) esc(lit, sizeof(lit) - 1)

static void test_plain_text_is_kept(void **state)
{
	(void)state;
	assert_string_equal(ESC(""), "");
	assert_string_equal(ESC("std::vector<int>::push_back(int const&) [clone .cold]"),
			    "std::vector<int>::push_back(int const&) [clone .cold]");
	/* a backslash stays: escaping twice changes nothing */
	assert_string_equal(ESC("C:\\x1b\\path"), "C:\\x1b\\path");
	/* valid UTF-8 of 2, 3 and 4 bytes */
	assert_string_equal(ESC("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5"),
			    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\xa5");
	assert_int_equal(textsafe__span("ab\xc3\xa9", 4), 4);
}

static void test_controls_are_escaped(void **state)
{
	(void)state;
	/* C0 controls, ESC sequences, DEL */
	assert_string_equal(ESC("main;\033[2J\033[Hclear"), "main;\\x1b[2J\\x1b[Hclear");
	assert_string_equal(ESC("\033kPWNED\033\\"), "\\x1bkPWNED\\x1b\\");
	assert_string_equal(ESC("a\tb\nc\rd\x7f"), "a\\x09b\\x0ac\\x0dd\\x7f");
	assert_string_equal(esc("a\0b", 3), "a\\x00b");
	assert_string_equal(ESC("\a\b"), "\\x07\\x08");
	/* C1 controls: as UTF-8 (U+009B CSI, U+0085 NEL) and as lone bytes */
	assert_string_equal(ESC("x\xc2\x9b" "2J"), "x\\xc2\\x9b2J");
	assert_string_equal(ESC("\xc2\x85"), "\\xc2\\x85");
	assert_string_equal(ESC("\x9b" "2J"), "\\x9b2J");
	/* bidirectional controls: U+202E, U+2066, U+200F */
	assert_string_equal(ESC("a\xe2\x80\xae" "b"), "a\\xe2\\x80\\xaeb");
	assert_string_equal(ESC("\xe2\x81\xa6\xe2\x80\x8f"), "\\xe2\\x81\\xa6\\xe2\\x80\\x8f");
	/* a line separator (U+2028), a zero-width space (U+200B), a BOM (U+FEFF); U+00A0 stays */
	assert_string_equal(ESC("a\xe2\x80\xa8" "b\xe2\x80\x8b\xef\xbb\xbf\xc2\xa0"),
			    "a\\xe2\\x80\\xa8b\\xe2\\x80\\x8b\\xef\\xbb\\xbf\xc2\xa0");
	assert_int_equal(textsafe__span("ab\033c", 4), 2);
	assert_int_equal(textsafe__span("\033", 1), 0);
}

static void test_invalid_utf8_is_escaped(void **state)
{
	(void)state;
	assert_string_equal(ESC("\xff\xfe"), "\\xff\\xfe");
	/* overlong '/', a surrogate, past U+10FFFF */
	assert_string_equal(ESC("\xc0\xaf"), "\\xc0\\xaf");
	assert_string_equal(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(ESC("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
	/* cut short at the end, and by a non-continuation byte */
	assert_string_equal(ESC("ok\xe2\x82"), "ok\\xe2\\x82");
	assert_string_equal(ESC("\xe2" "A"), "\\xe2A");
	/* the result is safe: escaping it again changes nothing */
	const char *once = ESC("\033]0;\xc2\x9b\xff\x07");

	assert_string_equal(esc(once, strlen(once)), once);
}

static void test_cut_at_whole_characters(void **state)
{
	char buf[8];

	(void)state;
	/* never half an escape or half a character */
	assert_string_equal(textsafe__escape(buf, 6, "\033\033", 2), "\\x1b");
	assert_string_equal(textsafe__escape(buf, 3, "a\xc3\xa9", 3), "a");
	assert_string_equal(textsafe__escape(buf, 4, "a\xc3\xa9", 3), "a\xc3\xa9");
	assert_string_equal(textsafe__escape(buf, 1, "abc", 3), "");
	assert_string_equal(textsafe__escape(buf, sizeof(buf), "abcdefghij", 10), "abcdefg");
}

static void test_stream_output(void **state)
{
	char *text = NULL, big[2000];
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	(void)state;
	assert_non_null(f);
	assert_int_equal(textsafe__fputs(f, "a\033b\xc3\xa9"), 0);
	assert_int_equal(textsafe__fprintf(f, "|%s:%d|", "x\ny", 7), 0);
	/* longer than the formatter's own buffer */
	memset(big, 'z', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\033';
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(textsafe__fprintf(f, "%s", big), 0);
	fclose(f);
	/* "a\x1bb" and e-acute, "|x\x0ay:7|", the z's and "\x1b" */
	assert_int_equal(size, 8 + 10 + sizeof(big) - 2 + 4);
	static const char head[] = "a\\x1bb\xc3\xa9|x\\x0ay:7|zz";
	assert_memory_equal(text, head, sizeof(head) - 1);
	assert_string_equal(text + size - 5, "z\\x1b");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_is_kept),
		cmocka_unit_test(test_controls_are_escaped),
		cmocka_unit_test(test_invalid_utf8_is_escaped),
		cmocka_unit_test(test_cut_at_whole_characters),
		cmocka_unit_test(test_stream_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
