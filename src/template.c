// SPDX-License-Identifier: GPL-2.0-or-later
/* template.c - fill the embedded templates/ texts (see template.h) */
#include "diag.h"
#include "template.h"
#include "escape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *template_find(const char *name)
{
	size_t i;

	for (i = 0; i < template_n_texts; i++)
		if (strcmp(template_texts[i].name, name) == 0)
			return template_texts[i].text;
	return NULL;
}

static const struct template_var *template_var_find(const struct template_var *vars, size_t n,
						    const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
			return &vars[i];
	return NULL;
}

static bool template_name_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int template_fill(const char *name, const struct template_var *vars, size_t n_vars,
		  struct strbuf *out)
{
	const char *p = template_find(name);
	const struct template_var *v;
	const char *at, *end;
	char *q;

	if (!p) {
		diag_error(NULL, "no template '%s' in this build", name);
		return -1;
	}
	while ((at = strchr(p, '@'))) {
		sb_addn(out, p, (size_t)(at - p));
		if (at[1] == '@') {
			sb_add(out, "@");
			p = at + 2;
			continue;
		}
		for (end = at + 1; template_name_char(*end); end++)
			;
		if (*end != '@' || end == at + 1) {
			/* not a variable: a lone '@' in the text */
			sb_add(out, "@");
			p = at + 1;
			continue;
		}
		v = template_var_find(vars, n_vars, at + 1, (size_t)(end - at - 1));
		if (!v) {
			diag_error(NULL, "template '%s': no value for '%.*s'", name,
				(int)(end - at + 1), at);
			return -1;
		}
		switch (v->quote) {
		case TEMPLATE_RAW:
			sb_add(out, v->value);
			break;
		case TEMPLATE_SHELL:
			q = escape_shell_word(v->value);
			sb_add(out, q);
			free(q);
			break;
		case TEMPLATE_UNIT:
			escape_unit_word(out, v->value);
			break;
		case TEMPLATE_COMMENT:
			escape_comment(out, v->value);
			break;
		}
		p = end + 1;
	}
	sb_add(out, p);
	return 0;
}
