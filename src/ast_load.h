/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ast_load.h - a policy's files read into one tree (ast_load.c): above
 * both parsers, which take text and know nothing of files or includes.
 */
#ifndef MASQGEN_AST_LOAD_H
#define MASQGEN_AST_LOAD_H

#include "ast.h"

/* At most this many files loaded for one policy, itself and its includes. */
#define AST_MAX_FILES 256u

/*
 * Load a policy: .yaml/.yml through libyaml, anything else as .masq.
 * Includes are loaded recursively (relative to the including file, cycles
 * and a depth over 16 are errors). Problems are reported through diag;
 * returns the tree even when it has errors (check diag_error_count()), or
 * NULL when @path cannot be read at all. The caller owns the result.
 */
struct ast_file *ast_load(const char *path);

#endif
