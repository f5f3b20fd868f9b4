// SPDX-License-Identifier: GPL-2.0-or-later
/* escape.c - one escaping function per language of generated text (see escape.h) */
#include "escape.h"

#include <string.h>

size_t escape_char_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t n, i;

	if (*p < 0x80)
		return *p >= 0x20 && *p != 0x7f;
	if (*p >= 0xc2 && *p <= 0xdf) {
		n = 2;
		cp = *p & 0x1f;
	} else if (*p >= 0xe0 && *p <= 0xef) {
		n = 3;
		cp = *p & 0x0f;
	} else if (*p >= 0xf0 && *p <= 0xf4) {
		n = 4;
		cp = *p & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, past U+10FFFF, and the C1 controls */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return n;
}

/* How a style writes a printable ASCII character. */
struct char_style {
	const char *changed;	/* the characters not written as they are */
	void (*put)(struct strbuf *sb, char c);	/* how one of @changed is written */
};

/* How many characters @s starts with that @st writes as they are. */
static size_t plain_run(const char *s, const struct char_style *st)
{
	const char *p = s, *c;

	for (; *p >= 0x20 && *p < 0x7f; p++) {
		for (c = st->changed; *c && *c != *p; c++)
			;
		if (*c)
			break;
	}
	return (size_t)(p - s);
}

/*
 * Append @s to @sb in style @st, each unprintable byte as @bad. A run of
 * characters written as they are goes at once: most text is plain
 * ASCII (file:line comments, one per rule or set element).
 */
static void escape_each(struct strbuf *sb, const char *s, const char *bad,
			const struct char_style *st)
{
	size_t n;

	while (*s) {
		n = plain_run(s, st);
		if (n) {
			sb_addn(sb, s, n);
			s += n;
			continue;
		}
		n = escape_char_len(s);
		if (!n) {
			sb_add(sb, bad);
			s++;
		} else if (n == 1) {
			/* plain_run() stopped at it: one of @st->changed */
			st->put(sb, *s++);
		} else {
			sb_addn(sb, s, n);
			s += n;
		}
	}
}

/* no character changed: put is never called */
static const struct char_style as_is = {"", NULL};

void escape_comment(struct strbuf *sb, const char *s)
{
	escape_each(sb, s, "?", &as_is);
}

static void nft_char(struct strbuf *sb, char c)
{
	sb_addn(sb, c == '"' || c == '\\' ? "_" : &c, 1);
}

static const struct char_style nft_style = {"\"\\", nft_char};

size_t escape_nft_plain_len(const char *s)
{
	return plain_run(s, &nft_style);
}

void escape_nft_string(struct strbuf *sb, const char *s)
{
	escape_each(sb, s, "_", &nft_style);
}

/* A backslash before each character a double-quoted word cannot hold as is. */
static void backslash_char(struct strbuf *sb, char c)
{
	if (c == '"' || c == '\\' || c == '\'')
		sb_add(sb, "\\");
	sb_addn(sb, &c, 1);
}

static const struct char_style backslash_style = {"\"\\'", backslash_char};

/* iptables-save writes a word without quotes only when it is made of these. */
static const char ipt_plain_chars[] =
	"_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/* @s bare when made only of @plain, else in double quotes in style @st. */
static void bare_or_quoted(struct strbuf *sb, const char *s, const char *plain,
			   const struct char_style *st)
{
	size_t n = strspn(s, plain);

	if (n > 0 && s[n] == '\0') {
		sb_add(sb, s);
		return;
	}
	sb_add(sb, "\"");
	escape_each(sb, s, "?", st);
	sb_add(sb, "\"");
}

void escape_ipt_word(struct strbuf *sb, const char *s)
{
	bare_or_quoted(sb, s, ipt_plain_chars, &backslash_style);
}

static void shell_char(struct strbuf *sb, char c)
{
	sb_add(sb, c == '\'' ? "'\\''" : (char[2]){c, '\0'});
}

static const struct char_style shell_style = {"'", shell_char};

char *escape_shell_word(const char *s)
{
	struct strbuf sb = {0};

	sb_add(&sb, "'");
	escape_each(&sb, s, "?", &shell_style);
	sb_add(&sb, "'");
	return sb.buf;
}

static const char unit_plain_chars[] = "/._+-@:,=0123456789"
				       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

static void unit_char(struct strbuf *sb, char c)
{
	if (c == '"' || c == '\\')
		sb_add(sb, "\\");
	else if (c == '%' || c == '$')
		sb_addn(sb, &c, 1);
	sb_addn(sb, &c, 1);
}

static const struct char_style unit_style = {"\"\\%$", unit_char};

void escape_unit_word(struct strbuf *sb, const char *s)
{
	bare_or_quoted(sb, s, unit_plain_chars, &unit_style);
}

static void masq_char(struct strbuf *sb, char c)
{
	if (c == '"' || c == '\\')
		sb_add(sb, "\\");
	sb_addn(sb, &c, 1);
}

static const struct char_style masq_style = {"\"\\", masq_char};

void escape_masq_string(struct strbuf *sb, const char *s)
{
	escape_each(sb, s, "?", &masq_style);
}
