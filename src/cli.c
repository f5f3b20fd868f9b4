// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli.c - what every command shares apart from its command line: compiling
 * a policy (apart from main.c, so the unit tests, which link every object
 * but main.o, link it too).
 */
#include "ast.h"
#include "cli.h"
#include "diag.h"
#include "ir.h"

struct ir *cli_compile(const char *path)
{
	struct ast_file *f = ast_load(path);
	struct ir *ir = NULL;

	if (!f)
		return NULL;
	/* the statements that parsed are checked too, unless they depend on one lost */
	if (!f->lost_decl)
		ir = ir_eval(f);
	ast_file_free(f);
	if (ir && diag_error_count()) {
		ir_free(ir);
		ir = NULL;
	}
	return ir;
}
