// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flush.c - `masqgen flush`, the reverse of apply, whichever target loaded
 * what is there: the kernel settings apply replaced are written back first
 * (so forwarding stops before the filter goes), then masqgen's nftables
 * tables and its iptables chains of either flavour go.
 */
#include "apply.h"
#include "cli.h"
#include "diag.h"
#include "ipt.h"
#include "kernel_cmd.h"
#include "nft.h"
#include "nft_dump.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct cli_opt flush_opts[] = {
	{'t', "target", "TARGET", "remove only what that target loaded", CLI_OPT_TARGET, NULL},
	{0},
};

static int flush_run(const struct cli_args *a)
{
	const char *target = cli_arg(a, 't');
	struct ipt_loaded il;
	struct nft_dump d;
	char *state;
	bool nft = !target || strcmp(target, "nft") == 0;
	bool ipt = !target || strcmp(target, "iptables") == 0;
	int lock, rc;

	rc = EXIT_SYSTEM;
	lock = kernel_cmd_lock();
	if (lock < 0)
		return rc;
	state = kernel_cmd_state_path();
	if (!state || kernel_cmd_loaded(&d, &il, ipt) < 0)
		goto out;
	if (sysctls_restore(state) < 0) {
		diag_note(NULL, "masqgen's rules stay loaded, so nothing is routed without them");
		goto out_free;
	}
	rc = EXIT_OK;
	if (nft && nft_dump_loaded(&d) && nft_unload() < 0)
		rc = EXIT_SYSTEM;
	if (ipt_loaded_flush(&il) < 0)
		rc = EXIT_SYSTEM;
out_free:
	ipt_loaded_free(&il);
	nft_dump_free(&d);
out:
	free(state);
	close(lock);
	return rc;
}

const struct cli_command cli_flush = {
	.name = "flush",
	.summary = "remove what masqgen loaded",
	.operands = "",
	.help = "Undo 'masqgen apply', whichever target loaded it: first write back the kernel\n"
		"settings apply replaced (so forwarding stops before the filter goes), then\n"
		"delete masqgen's nftables tables (ip masqgen, ip6 masqgen) in one transaction,\n"
		"and unhook and delete masqgen's iptables and ip6tables chains (iptables-nft\n"
		"and iptables-legacy). No other table, chain or rule is touched. Nothing\n"
		"loaded is not an error.\n",
	.opts = flush_opts,
	.target_use = CLI_T_APPLY,
	.run = flush_run,
};
