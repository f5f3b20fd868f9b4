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
#include "kernel_cmd.h"

#include <stdlib.h>
#include <unistd.h>

static const struct cli_opt flush_opts[] = {
	{'t', "target", "TARGET", "remove only what that target loaded", CLI_OPT_TARGET, NULL},
	{0},
};

static int flush_run(const struct cli_args *a)
{
	/* -t: only what that target loaded; else every target's */
	const struct cli_target *only = cli_arg(a, 't') ? a->target : NULL;
	struct kernel_loaded k;
	char *state;
	int lock, rc;
	size_t i;

	rc = EXIT_SYSTEM;
	lock = kernel_cmd_lock();
	if (lock < 0)
		return rc;
	state = kernel_cmd_state_path();
	if (!state || kernel_cmd_loaded(&k) < 0)
		goto out;
	if (sysctls_restore(state) < 0) {
		diag_note(NULL, "masqgen's rules stay loaded, so nothing is routed without them");
		goto out_free;
	}
	rc = EXIT_OK;
	for (i = 0; i < cli_n_targets; i++) {
		const struct cli_target *t = &cli_targets[i];

		if ((t->uses & CLI_T_APPLY) && (!only || t == only) && t->unload(&k) < 0)
			rc = EXIT_SYSTEM;
	}
out_free:
	kernel_cmd_loaded_free(&k);
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
