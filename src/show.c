// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * show.c - `masqgen show`: what masqgen has loaded, whichever target
 * loaded it. Its nftables tables are read in process (nft_dump.h) and
 * printed by masqgen's own printer, as `generate -t nft` prints a policy;
 * its iptables chains of either flavour (ipt.h) as `generate -t iptables`
 * prints them.
 */
#include "cli.h"
#include "diag.h"
#include "ipt.h"
#include "kernel_cmd.h"
#include "nft.h"
#include "nft_dump.h"
#include "util.h"

#include <stdio.h>

static int show_run(const struct cli_args *a)
{
	struct strbuf out = {0};
	struct ipt_loaded il;
	struct nft_dump d;
	size_t i;
	int rc;

	if (kernel_cmd_loaded(&d, &il, true) < 0)
		return EXIT_SYSTEM;
	if (!nft_dump_loaded(&d) && !ipt_loaded_any(&il)) {
		diag_error(NULL, "nothing of masqgen's is loaded (see 'masqgen apply')");
		rc = EXIT_SYSTEM;
		goto out;
	}
	if (nft_dump_loaded(&d))
		nft_text_print(d.m, &out);
	for (i = 0; i < d.n_foreign; i++)
		diag_warning(NULL, "not shown, masqgen does not make it: %s (see 'nft list ruleset')",
			     d.foreign[i]);
	ipt_loaded_print(&il, &out);
	fwrite(out.buf, 1, out.len, stdout);
	rc = EXIT_OK;
out:
	sb_free(&out);
	ipt_loaded_free(&il);
	nft_dump_free(&d);
	return rc;
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
