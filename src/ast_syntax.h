/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ast_syntax.h - the front end's own shared parts: how each statement kind
 * is written, in .masq and in YAML. One table serves the .masq printer, the
 * YAML loader and the YAML printer (firewall3's option tables are the model:
 * name, where the value goes, what shape it has).
 */
#ifndef MASQGEN_AST_SYNTAX_H
#define MASQGEN_AST_SYNTAX_H

#include "ast.h"

#include <stdbool.h>

enum ast_part_opt {
	AST_P_FLAG = 1 << 0,	 /* a flag word (ast_part.flag), not a slot */
	AST_P_LIST = 1 << 1,	 /* the slot holds a list */
	AST_P_REQUIRED = 1 << 2, /* the statement needs it */
	AST_P_INVERT = 1 << 3,	 /* YAML: the flag is set by "false" (reflect: false) */
	AST_P_ONOFF = 1 << 4,	 /* YAML: a boolean is the word on / off */
	/* a flag written as "!" right after the keyword of the part before it */
	AST_P_NEGATES = 1 << 5,
};

/* One part of a statement, in the order the printers write it. */
struct ast_part {
	enum ast_slot slot;
	unsigned flag;		/* enum ast_flag, with AST_P_FLAG */
	const char *kw;		/* .masq: the keyword before the value; NULL: positional */
	const char *key;	/* YAML key; NULL: the statement's whole YAML value */
	const char *accepts;	/* keywords the grammar takes bare at this place */
	unsigned opts;		/* enum ast_part_opt */
};

#define AST_MAX_PARTS 13

struct ast_syntax {
	const char *name;
	struct ast_part part[AST_MAX_PARTS];
	unsigned n;
};

/* Indexed by enum ast_kind. */
extern const struct ast_syntax ast_syntax[AST_KIND_COUNT];

/* The kind whose statement keyword is @name, or -1. */
int ast_kind_find(const char *name);

/*
 * Report (through diag) every required part @st lacks, and a define name
 * that is no name. Returns true when the statement is whole.
 */
bool ast_check_stmt(const struct ast_stmt *st);

/* A define name: a letter or '_', then letters, digits, '_' and '-'. */
bool ast_is_name(const char *s);

/* A new, empty file for @src. The caller owns it. */
struct ast_file *ast_file_new(const struct diag_source *src);

/* How the YAML loader reads a plain scalar: null, or a boolean (1, 0; -1 neither). */
bool ast_yaml_null(const char *s);
int ast_yaml_bool(const char *s);

/* Is @word a .masq keyword (scanner.l's table)? */
bool masq_is_keyword(const char *word);

/* May @word stand bare in .masq (every byte a word character)? */
bool masq_is_bare_word(const char *word);

#endif
