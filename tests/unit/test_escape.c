// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_escape.c - the escaping function of each language of generated
 * text (escape.h): what each makes of quotes, '$', '%', a newline and
 * bytes that are not UTF-8.
 */
#include "escape.h"
#include "unit.h"

#include <stdlib.h>

typedef void (*escaper)(struct strbuf *sb, const char *s);

/* @fn's output for @s, checked against @want. */
static void check_one(escaper fn, const char *s, const char *want)
{
	struct strbuf sb = {0};

	fn(&sb, s);
	CHECK_STR(sb.buf ? sb.buf : "", want);
	sb_free(&sb);
}

static void test_char_len(void)
{
	CHECK(escape_char_len("a") == 1);
	CHECK(escape_char_len("~") == 1);
	CHECK(escape_char_len("") == 0);
	CHECK(escape_char_len("\n") == 0);
	CHECK(escape_char_len("\x7f") == 0);
	CHECK(escape_char_len("\xc3\xa9") == 2);		/* é */
	CHECK(escape_char_len("\xe2\x82\xac") == 3);		/* € */
	CHECK(escape_char_len("\xf0\x9f\x98\x80") == 4);	/* an emoji */
	CHECK(escape_char_len("\xc2\x9b") == 0);		/* C1 CSI */
	CHECK(escape_char_len("\xc0\xaf") == 0);		/* overlong '/' */
	CHECK(escape_char_len("\xed\xa0\x80") == 0);		/* a surrogate */
	CHECK(escape_char_len("\xc3") == 0);			/* cut short */
	CHECK(escape_char_len("\xff") == 0);
}

static void test_comment(void)
{
	check_one(escape_comment, "/etc/a b.masq", "/etc/a b.masq");
	check_one(escape_comment, "a\nflush ruleset\r\x1b[2J", "a?flush ruleset??[2J");
	check_one(escape_comment, "caf\xc3\xa9 \xff", "caf\xc3\xa9 ?");
}

static void test_nft(void)
{
	check_one(escape_nft_string, "x$y 'q'", "x$y 'q'");
	check_one(escape_nft_string, "a\"b\\c\nd", "a_b_c_d");
	/* the part copied as is: up to the first byte it changes or may change */
	CHECK(escape_nft_plain_len("lan.masq:12") == 11);
	CHECK(escape_nft_plain_len("") == 0);
	CHECK(escape_nft_plain_len("a\"b") == 1);
	CHECK(escape_nft_plain_len("ab\\") == 2);
	CHECK(escape_nft_plain_len("x\ty") == 1);
	CHECK(escape_nft_plain_len("caf\xc3\xa9") == 3);
}

static void test_ipt(void)
{
	check_one(escape_ipt_word, "masqgen", "masqgen");
	check_one(escape_ipt_word, "it's \"x\"", "\"it\\'s \\\"x\\\"\"");
	check_one(escape_ipt_word, "a b\\", "\"a b\\\\\"");
	check_one(escape_ipt_word, "a\n-I INPUT -j ACCEPT", "\"a?-I INPUT -j ACCEPT\"");
	check_one(escape_ipt_word, "", "\"\"");
}

static void test_shell(void)
{
	char *q;

	q = escape_shell_word("it's $(id) `id`\n");
	CHECK_STR(q, "'it'\\''s $(id) `id`?'");
	free(q);
	q = escape_shell_word("");
	CHECK_STR(q, "''");
	free(q);
}

static void test_unit(void)
{
	check_one(escape_unit_word, "/usr/sbin/masqgen", "/usr/sbin/masqgen");
	check_one(escape_unit_word, "/etc/my gw/%n $HOME \"q\" \\",
		  "\"/etc/my gw/%%n $$HOME \\\"q\\\" \\\\\"");
	check_one(escape_unit_word, "/a\nExecStartPre=/bin/sh", "\"/a?ExecStartPre=/bin/sh\"");
}

static void test_masq(void)
{
	check_one(escape_masq_string, "say \"hi\" \\ \t", "say \\\"hi\\\" \\\\ ?");
}

int main(void)
{
	RUN(test_char_len);
	RUN(test_comment);
	RUN(test_nft);
	RUN(test_ipt);
	RUN(test_shell);
	RUN(test_unit);
	RUN(test_masq);
	UNIT_EXIT();
}
