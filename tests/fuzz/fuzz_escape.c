// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_escape.c - libFuzzer target for the escaping functions (escape.h).
 * The bytes up to the first NUL are one string from outside masqgen. For
 * each language the oracle checks that the output holds only printable
 * characters (no control character, nothing outside valid UTF-8), and that
 * reading it back as that language does gives the input with each
 * unprintable byte replaced ('?', or '_' in nft strings).
 */
#include "escape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @s with each unprintable byte as @bad, and each byte of @also as @bad too. */
static char *expected(const char *s, char bad, const char *also)
{
	struct strbuf sb = {0};
	size_t n;

	sb_add(&sb, "");
	while (*s) {
		n = escape_char_len(s);
		if (!n || (n == 1 && strchr(also, *s))) {
			sb_addn(&sb, &bad, 1);
			s++;
		} else {
			sb_addn(&sb, s, n);
			s += n;
		}
	}
	return sb.buf;
}

static void all_printable(const char *s)
{
	size_t n;

	for (; *s; s += n)
		if (!(n = escape_char_len(s)))
			abort();
}

static void same(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		abort();
}

/* The inside of "..." read back, '\' escaping the next character. */
static char *unbackslash(const char *s, size_t len)
{
	struct strbuf sb = {0};
	size_t i;

	sb_add(&sb, "");
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			abort(); /* an unescaped quote would end the word early */
		if (s[i] == '\\') {
			if (++i == len)
				abort();
		}
		sb_addn(&sb, &s[i], 1);
	}
	return sb.buf;
}

/* A double-quoted word, or a bare one made only of @plain. */
static char *unquote(const char *s, const char *plain)
{
	size_t len = strlen(s);

	if (s[0] != '"') {
		if (!len || strspn(s, plain) != len)
			abort();
		return strdup(s);
	}
	if (len < 2 || s[len - 1] != '"')
		abort();
	return unbackslash(s + 1, len - 2);
}

/* A POSIX shell word made of '...' parts and \' between them. */
static char *unshell(const char *s)
{
	struct strbuf sb = {0};
	const char *end;

	sb_add(&sb, "");
	while (*s) {
		if (s[0] == '\\' && s[1] == '\'') {
			sb_add(&sb, "'");
			s += 2;
			continue;
		}
		if (*s != '\'' || !(end = strchr(s + 1, '\'')))
			abort();
		sb_addn(&sb, s + 1, (size_t)(end - s - 1));
		s = end + 1;
	}
	return sb.buf;
}

/* A systemd word: bare, or "..." where '\' escapes, and '%%' and '$$' are one '%' and '$'. */
static char *ununit(const char *s)
{
	static const char plain[] = "/._+-@:,=0123456789abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	struct strbuf sb = {0};
	size_t i, len = strlen(s);
	char c;

	if (s[0] != '"')
		return unquote(s, plain);
	if (len < 2 || s[len - 1] != '"')
		abort();
	sb_add(&sb, "");
	for (i = 1; i < len - 1; i++) {
		c = s[i];
		if (c == '"')
			abort();
		if (c == '\\' || c == '%' || c == '$') {
			/* a lone '%' or '$' would expand */
			if (i + 2 > len - 1 || (c != '\\' && s[i + 1] != c))
				abort();
			c = s[++i];
		}
		sb_addn(&sb, &c, 1);
	}
	return sb.buf;
}

static const char ipt_plain[] = "_-0123456789abcdefghijklmnopqrstuvwxyz"
				"ABCDEFGHIJKLMNOPQRSTUVWXYZ";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = strndup((const char *)data, size), *want, *want_nft, *back, *q;
	struct strbuf sb = {0};

	if (!in)
		return 0;
	want = expected(in, '?', "");
	want_nft = expected(in, '_', "\"\\");

	escape_comment(&sb, in);
	all_printable(sb.buf ? sb.buf : "");
	same(sb.buf ? sb.buf : "", want);
	sb_free(&sb);

	escape_nft_string(&sb, in);
	all_printable(sb.buf ? sb.buf : "");
	same(sb.buf ? sb.buf : "", want_nft);
	sb_free(&sb);

	escape_ipt_word(&sb, in);
	all_printable(sb.buf);
	back = unquote(sb.buf, ipt_plain);
	same(back, sb.buf[0] == '"' ? want : in);
	free(back);
	sb_free(&sb);

	q = escape_shell_word(in);
	all_printable(q);
	back = unshell(q);
	same(back, want);
	free(back);
	free(q);

	escape_unit_word(&sb, in);
	all_printable(sb.buf);
	back = ununit(sb.buf);
	same(back, want);
	free(back);
	sb_free(&sb);

	escape_masq_string(&sb, in);
	all_printable(sb.buf ? sb.buf : "");
	back = unbackslash(sb.buf ? sb.buf : "", sb.len);
	same(back, want);
	free(back);
	sb_free(&sb);

	free(want);
	free(want_nft);
	free(in);
	return 0;
}
