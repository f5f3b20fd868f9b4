/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * template.h - the text around generated scripts (the files templates/NAME.in), built
 * into the binary, and a small @VAR@ substitution to fill it.
 *
 * A template names a variable as @NAME@ (capitals, digits, underscore);
 * "@@" is a literal "@". Every value from outside masqgen goes through
 * the escaping function of the place it lands in (escape.h); TEMPLATE_RAW
 * is only for text masqgen generated itself.
 */
#ifndef MASQGEN_TEMPLATE_H
#define MASQGEN_TEMPLATE_H

#include "util.h"

#include <stddef.h>

/* One file of templates/, embedded by the build (build/.../templates.c). */
struct template_text {
	const char *name;	/* "sysv.in" */
	const char *text;
};

extern const struct template_text template_texts[];
extern const size_t template_n_texts;

enum template_quote {
	TEMPLATE_RAW,		/* inserted as is: text masqgen generated */
	TEMPLATE_SHELL,		/* one shell word: escape_shell_word() */
	TEMPLATE_UNIT,		/* one systemd command-line word: escape_unit_word() */
	TEMPLATE_COMMENT,	/* inside a comment line: escape_comment() */
};

struct template_var {
	const char *name;	/* without the @ signs */
	const char *value;
	enum template_quote quote;
};

/*
 * Append template @name with every @VAR@ replaced to @out. Returns 0, or
 * -1 after printing which template or variable is unknown (a build bug).
 */
int template_fill(const char *name, const struct template_var *vars, size_t n_vars,
		  struct strbuf *out);

#endif
