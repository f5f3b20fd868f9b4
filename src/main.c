// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c - find the command in the table (cli.h) and run it */
#include "cli.h"
#include "diag.h"

#include <stdio.h>
#include <string.h>

#ifndef MASQGEN_VERSION
#define MASQGEN_VERSION "0.0-dev"
#endif

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	int rc;

	if (argc < 2) {
		cli_print_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_print_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("masqgen %s\n", MASQGEN_VERSION);
		return EXIT_OK;
	}
	cmd = cli_command_find(argv[1]);
	if (!cmd)
		return cli_unknown_command(argv[1]);
	rc = cli_run(cmd, argc - 1, argv + 1);
	diag_reset();
	return rc;
}
