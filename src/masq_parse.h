/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * masq_parse.h - what grammar/scanner.l and grammar/parser.y share: the
 * state of one parse and the keyword table.
 */
#ifndef MASQGEN_MASQ_PARSE_H
#define MASQGEN_MASQ_PARSE_H

#include "ast.h"

#include <stdbool.h>
#include <stddef.h>

/* Longest bare word and quoted string, in bytes. */
#define MASQ_MAX_WORD 256
#define MASQ_MAX_STRING 1024

/* A parse stops after this many errors in one file. */
#define MASQ_MAX_ERRORS 50

/* Kept of a token for messages ("missing value after 'on'"). */
#define MASQ_TOKEN_ECHO 40

struct masq_token {
	char text[MASQ_TOKEN_ECHO + 4];
	struct loc loc;
};

struct masq_parse {
	const struct diag_source *src;
	struct ast_file *file;
	struct ast_build pending;	/* the statement being built */
	unsigned errors;
	bool line_error;		/* an error was reported on this line */
	bool at_eol;			/* the last token returned ended a line */
	int last_token;			/* the last token returned */
	unsigned line, col;		/* where the scanner stands */
	struct masq_token cur, prev;	/* the last two tokens returned */
	struct masq_token first;	/* the first token of the current line */
};

/* The keyword table, sorted by name (the unit test checks it). */
struct masq_keyword {
	const char *name;
	int token;
};

extern const struct masq_keyword masq_keywords[];
extern const size_t masq_n_keywords;

/* The token of keyword @word, or 0 when it is not one. */
int masq_keyword_token(const char *word);

/* Count an error of this parse; reported by the caller through diag. */
void masq_count_error(struct masq_parse *ps);

#endif
