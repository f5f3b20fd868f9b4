// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli.c - the helpers every command shares (cli.h), apart from main.c so
 * the unit tests, which link every object but main.o, link them too.
 */
#include "ast.h"
#include "cli.h"
#include "diag.h"
#include "ipt.h"
#include "ir.h"
#include "legacy.h"
#include "nft.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct cli_target targets[] = {
	{"nft", nft_text_emit},
	{"iptables", ipt_emit},
	{"ipchains", ipchains_emit},
	{"ipfwadm", ipfwadm_emit},
};

const struct cli_target *cli_target_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(targets); i++)
		if (strcmp(targets[i].name, name) == 0)
			return &targets[i];
	return NULL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "masqgen %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'masqgen %s --help'.\n", cmd);
	return EXIT_USAGE;
}

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
