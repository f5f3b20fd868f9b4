// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stubs.c - commands and targets whose issues have not landed yet. Each
 * says so and exits 2; each goes away when its real implementation lands.
 */
#include "cli.h"
#include "diag.h"
#include "ir.h"

#include <stdio.h>

static int not_yet(const char *what)
{
	fprintf(stderr, "masqgen: %s: not implemented yet\n", what);
	return EXIT_USAGE;
}

int cmd_apply(int argc, char **argv)
{
	(void)argc;
	return not_yet(argv[0]);
}

int cmd_confirm(int argc, char **argv)
{
	(void)argc;
	return not_yet(argv[0]);
}

int cmd_show(int argc, char **argv)
{
	(void)argc;
	return not_yet(argv[0]);
}

int cmd_diff(int argc, char **argv)
{
	(void)argc;
	return not_yet(argv[0]);
}

int cmd_flush(int argc, char **argv)
{
	(void)argc;
	return not_yet(argv[0]);
}

int nft_check_kernel(const struct ir *ir)
{
	(void)ir;
	return not_yet("check --kernel") ? -1 : -1;
}

static int target_not_yet(const char *name, struct strbuf *out)
{
	(void)out;
	diag_error(NULL, "target '%s' is not implemented yet", name);
	return -1;
}

int ipchains_emit(const struct ir *ir, struct strbuf *out)
{
	(void)ir;
	return target_not_yet("ipchains", out);
}

int ipfwadm_emit(const struct ir *ir, struct strbuf *out)
{
	(void)ir;
	return target_not_yet("ipfwadm", out);
}
