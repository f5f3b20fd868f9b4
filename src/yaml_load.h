/* SPDX-License-Identifier: GPL-2.0-or-later */
/* yaml_load.h - the YAML parser (yaml_load.c): YAML text into the AST. */
#ifndef MASQGEN_YAML_LOAD_H
#define MASQGEN_YAML_LOAD_H

#include "ast.h"

/* Parse YAML text already registered as @src (no includes loaded). */
struct ast_file *ast_parse_yaml(const struct diag_source *src);

#endif
