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

int cmd_confirm(int argc, char **argv)
{
	(void)argc;
	return not_yet(argv[0]);
}
