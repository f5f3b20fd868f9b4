// SPDX-License-Identifier: GPL-2.0-or-later
/* diag.c - the source registry and compiler-style messages */
#include "diag.h"
#include "escape.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct diag_source {
	struct diag_source *next;
	char *path;
	char *text;
	size_t len;
	/* where each line starts, built at the first message that echoes one */
	size_t *line_off;
	size_t n_lines;
};

static struct diag_source *sources;
static unsigned error_count, warning_count, warnings_hidden, widening_count;
static bool warnings_quiet, widening_strict;

/* Longest source line echoed under a message; longer ones are cut. */
#define DIAG_MAX_ECHO 200

/*
 * Warnings shown before the rest are only counted: a generated policy can
 * repeat one warning thousands of times. diag_reset() says how many.
 */
#define DIAG_MAX_WARNINGS 100

const struct diag_source *diag_add_source(const char *path, const char *text, size_t len)
{
	struct diag_source *s = xcalloc(1, sizeof(*s));

	s->path = xstrdup(path);
	s->text = xstrndup(text, len);
	s->len = len;
	s->next = sources;
	sources = s;
	return s;
}

const char *diag_source_path(const struct diag_source *src)
{
	return src ? src->path : "<built-in>";
}

const char *diag_source_text(const struct diag_source *src, size_t *len)
{
	*len = src->len;
	return src->text;
}

/* Without printf: the nft backend asks for one per set element. */
char *diag_loc_str(const struct loc *loc)
{
	char digits[16], *s;
	size_t plen, dlen = 0;
	unsigned n;

	if (!loc || !loc->src)
		return xstrdup("built-in");
	n = loc->line;
	do
		digits[sizeof(digits) - ++dlen] = (char)('0' + n % 10);
	while ((n /= 10));
	plen = strlen(loc->src->path);
	s = xmalloc(plen + 1 + dlen + 1);
	memcpy(s, loc->src->path, plen);
	s[plen] = ':';
	memcpy(s + plen + 1, digits + sizeof(digits) - dlen, dlen);
	s[plen + 1 + dlen] = '\0';
	return s;
}

/*
 * Find line @line (1-based) of @src; sets *len to its length. The first
 * lookup indexes the lines, so thousands of messages cost one pass.
 */
static const char *find_line(struct diag_source *src, unsigned line, size_t *len)
{
	const char *p, *end = src->text + src->len, *nl;
	size_t cap = 0;

	if (!src->line_off) {
		*VEC_PUSH(src->line_off, src->n_lines, cap) = 0;
		for (p = src->text; (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1)
			*VEC_PUSH(src->line_off, src->n_lines, cap) = (size_t)(nl + 1 - src->text);
	}
	if (!line || line > src->n_lines)
		return NULL;
	p = src->text + src->line_off[line - 1];
	nl = memchr(p, '\n', (size_t)(end - p));
	*len = (size_t)((nl ? nl : end) - p);
	return p;
}

const char *diag_loc_line(const struct loc *loc, size_t *len)
{
	if (!loc || !loc->src)
		return NULL;
	return find_line((struct diag_source *)loc->src, loc->line, len);
}

/* @loc's source line and a caret under it; control characters become '?'. */
static void echo_source(struct strbuf *sb, const struct loc *loc)
{
	const char *text;
	size_t len, i, n, start = 0, col;

	text = find_line((struct diag_source *)loc->src, loc->line, &len);
	if (!text)
		return;
	col = loc->col ? loc->col - 1 : 0;
	if (col > len)
		col = len;
	/* keep the caret on screen for very long lines */
	if (len > DIAG_MAX_ECHO && col > DIAG_MAX_ECHO / 2)
		start = col - DIAG_MAX_ECHO / 2;
	if (len - start > DIAG_MAX_ECHO)
		len = start + DIAG_MAX_ECHO;
	for (i = start; i < len; i += n) {
		n = escape_char_len(text + i);
		if (n && i + n <= len) {
			sb_addn(sb, text + i, n);
		} else {
			sb_add(sb, text[i] == '\t' ? "\t" : "?");
			n = 1;
		}
	}
	sb_add(sb, "\n");
	for (i = start; i < col; i++)
		sb_add(sb, text[i] == '\t' ? "\t" : " ");
	sb_add(sb, "^");
	for (i = 1; i < loc->len && col + i < len; i++)
		sb_add(sb, "~");
	sb_add(sb, "\n");
}

/*
 * One message, built whole and written with one call (stderr is not
 * buffered); the file name and the message pass through escape_comment(),
 * so no control character from a path or a value reaches the terminal.
 */
__attribute__((format(printf, 3, 0)))
static void vreport(const struct loc *loc, const char *kind, const char *fmt, va_list ap)
{
	struct strbuf sb = {0};
	char *msg = xvasprintf(fmt, ap);

	fflush(stdout);
	if (loc && loc->src) {
		escape_comment(&sb, loc->src->path);
		sb_addf(&sb, ":%u:%u: %s: ", loc->line, loc->col, kind);
	} else if (kind) {
		sb_addf(&sb, "masqgen: %s: ", kind);
	} else {
		sb_add(&sb, "masqgen: ");
	}
	escape_comment(&sb, msg);
	sb_add(&sb, "\n");
	if (loc && loc->src && loc->line)
		echo_source(&sb, loc);
	fwrite(sb.buf, 1, sb.len, stderr);
	sb_free(&sb);
	free(msg);
}

void diag_error(const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	error_count++;
	va_start(ap, fmt);
	vreport(loc, "error", fmt, ap);
	va_end(ap);
}

void diag_warning(const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	if (warnings_quiet)
		return;
	if (warning_count == DIAG_MAX_WARNINGS) {
		warnings_hidden++;
		return;
	}
	warning_count++;
	va_start(ap, fmt);
	vreport(loc, "warning", fmt, ap);
	va_end(ap);
}

void diag_widening(const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	widening_count++;
	if (!widening_strict && warnings_quiet)
		return;
	if (!widening_strict && warning_count == DIAG_MAX_WARNINGS) {
		warnings_hidden++;
		return;
	}
	if (widening_strict)
		error_count++;
	else
		warning_count++;
	va_start(ap, fmt);
	vreport(loc, widening_strict ? "error" : "warning", fmt, ap);
	va_end(ap);
}

void diag_strict_widening(bool strict)
{
	widening_strict = strict;
}

void diag_note(const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(loc, "note", fmt, ap);
	va_end(ap);
}

void diag_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, NULL, fmt, ap);
	va_end(ap);
}

unsigned diag_error_count(void)
{
	return error_count;
}

unsigned diag_widening_count(void)
{
	return widening_count;
}

void diag_quiet_warnings(bool quiet)
{
	warnings_quiet = quiet;
}

void diag_reset(void)
{
	if (warnings_hidden)
		diag_note(NULL, "%u more %s not shown", warnings_hidden,
			  warnings_hidden == 1 ? "warning" : "warnings");
	while (sources) {
		struct diag_source *s = sources;

		sources = s->next;
		free(s->path);
		free(s->text);
		free(s->line_off);
		free(s);
	}
	error_count = warning_count = warnings_hidden = widening_count = 0;
}
