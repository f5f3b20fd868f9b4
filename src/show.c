// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * show.c - `masqgen show`: what masqgen has loaded, whichever target
 * loaded it, each target's part as that target's generate prints a
 * policy (the target table's show, cli.h): its nftables tables by
 * masqgen's own printer, its iptables chains of either flavour as
 * iptables-restore input.
 */
#include "cli.h"
#include "diag.h"
#include "kernel_cmd.h"
#include "util.h"

#include <stdio.h>

static int show_run(const struct cli_args *a)
{
	struct strbuf out = {0};
	struct kernel_loaded k;
	bool any = false;
	size_t i;

	if (kernel_cmd_loaded(&k) < 0)
		return EXIT_SYSTEM;
	for (i = 0; i < cli_n_targets; i++)
		if (cli_targets[i].uses & CLI_T_APPLY)
			any |= cli_targets[i].loaded(&k);
	if (!any)
		diag_error(NULL, "nothing of masqgen's is loaded (see 'masqgen apply')");
	for (i = 0; any && i < cli_n_targets; i++)
		if (cli_targets[i].uses & CLI_T_APPLY)
			cli_targets[i].show(&k, &out);
	if (out.len)
		fwrite(out.buf, 1, out.len, stdout);
	sb_free(&out);
	kernel_cmd_loaded_free(&k);
	return any ? EXIT_OK : EXIT_SYSTEM;
}

const struct cli_command cli_show = {
	.name = "show",
	.summary = "print what masqgen has loaded",
	.operands = "",
	.help = "Print what masqgen has loaded, read from the kernel: its nftables tables (ip\n"
		"masqgen, ip6 masqgen) with counters, as 'masqgen generate -t nft' prints a\n"
		"policy, and the iptables and ip6tables chains 'apply -t iptables' loaded\n"
		"(iptables-nft or iptables-legacy), as 'generate -t iptables' prints them.\n"
		"Exit status 3 when nothing is loaded.\n",
	.run = show_run,
};
