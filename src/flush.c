// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flush.c - `masqgen flush`, the reverse of apply: the kernel settings
 * apply replaced are written back first (so forwarding stops before the
 * filter goes), then masqgen's tables or chains go.
 */
#include "apply.h"
#include "cli.h"
#include "diag.h"
#include "kernel_cmd.h"

#include <stdlib.h>
#include <unistd.h>

static const struct cli_opt flush_opts[] = {
	{'t', "target", "TARGET",
	 "nft (the default), or iptables: unhook and delete\n"
	 "masqgen's own iptables and ip6tables chains instead",
	 CLI_OPT_TARGET, NULL},
	{0},
};

static int flush_run(const struct cli_args *a)
{
	int lock, rc = EXIT_SYSTEM;
	char *state;

	lock = kernel_cmd_lock();
	if (lock < 0)
		return rc;
	state = kernel_cmd_state_path();
	if (!state)
		goto out;
	if (sysctls_restore(state) < 0) {
		diag_note(NULL, "masqgen's rules stay loaded, so nothing is routed without them");
		goto out;
	}
	if (a->target->unload() == 0)
		rc = EXIT_OK;
out:
	free(state);
	close(lock);
	return rc;
}

const struct cli_command cli_flush = {
	.name = "flush",
	.summary = "remove masqgen's tables",
	.operands = "",
	.help = "Undo 'masqgen apply': first write back the kernel settings apply replaced\n"
		"(so forwarding stops before the filter goes), then delete masqgen's tables\n"
		"(ip masqgen, ip6 masqgen) in one transaction. No other table is touched.\n"
		"Nothing loaded is not an error.\n",
	.opts = flush_opts,
	.target_use = CLI_T_APPLY,
	.run = flush_run,
};
