// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flush.c - `masqgen flush`, the reverse of apply, whichever target loaded
 * what is there: the kernel settings apply replaced are written back first
 * (so forwarding stops before the filter goes), then the routing rules and
 * routes of several externals, then masqgen's nftables tables and its
 * iptables chains of either flavour go. Beside it `masqgen routes`, which
 * refreshes those routing tables (routes.c).
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
	char *state, *routes = NULL;
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
	routes = kernel_cmd_routes_path();
	if (!routes || routes_restore(routes) < 0) {
		diag_note(NULL, "masqgen's rules stay loaded");
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
	free(routes);
	free(state);
	close(lock);
	return rc;
}

const struct cli_command cli_flush = {
	.name = "flush",
	.summary = "remove what masqgen loaded",
	.operands = "",
	.help = "Undo 'masqgen apply', whichever target loaded it: first write back the kernel\n"
		"settings apply replaced (so forwarding stops before the filter goes), then the\n"
		"routing rules and routes apply wrote for several external interfaces, then\n"
		"delete masqgen's nftables tables (ip masqgen, ip6 masqgen) in one transaction,\n"
		"and unhook and delete masqgen's iptables and ip6tables chains (iptables-nft\n"
		"and iptables-legacy). No other table, chain or rule is touched. Nothing\n"
		"loaded is not an error.\n",
	.opts = flush_opts,
	.target_use = CLI_T_APPLY,
	.run = flush_run,
};

static int routes_run(const struct cli_args *a)
{
	char *path;
	int lock, rc = EXIT_SYSTEM;

	lock = kernel_cmd_lock();
	if (lock < 0)
		return rc;
	path = kernel_cmd_routes_path();
	if (path && routes_refresh(path) == 0)
		rc = EXIT_OK;
	free(path);
	close(lock);
	return rc;
}

const struct cli_command cli_routes = {
	.name = "routes",
	.summary = "refresh the routing tables of the uplinks",
	.operands = "",
	.help = "With several external interfaces, 'masqgen apply' sends the replies to a\n"
		"connection back out of the external interface it came in on: the ruleset marks\n"
		"the connection with the interface's number N, a routing rule (preference\n"
		"1000+N, fwmark N<<16/0xf0000) looks up table 100+N, and that table holds the\n"
		"interface's default route, copied from the main table (where a DHCP client puts\n"
		"it, with any metric), or 'dev IFACE' for a point-to-point link such as PPP.\n\n"
		"Run 'masqgen routes' whenever an external link comes up or its gateway\n"
		"changes (from /etc/ppp/ip-up.d or a DHCP client's exit hook): it copies each\n"
		"applied external's default route into its table again and puts back missing\n"
		"rules. Without a multi-WAN policy applied it does nothing.\n",
	.trailer = "Exit status: 0 done, 2 usage, 3 the kernel or system refused.\n",
	.run = routes_run,
};
