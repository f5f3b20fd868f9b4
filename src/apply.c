// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * apply.c - `masqgen apply`: compile, lower for the target, take the lock,
 * replace masqgen's ruleset (the target's load: one transaction for nft),
 * warn of other software's drops at the forward hook (fwdcheck.h), then
 * load the helpers' NAT modules, write the routing rules of several
 * externals (routes.c) and the kernel settings, and delete the
 * conntrack entries the new ruleset treats differently. With --confirm,
 * the whole is rolled back unless confirmed (confirm.h); the routing rules
 * stay (they route only what the ruleset marks). The records of kernel
 * settings and routing rules are written before the ruleset is committed. With
 * --fallback-last-good, a policy that cannot be applied gives way to the
 * last good ruleset (lastgood.c), else to forwarding off.
 */
#include "apply.h"
#include "cli.h"
#include "confirm.h"
#include "diag.h"
#include "fwdcheck.h"
#include "ir.h"
#include "kernel_cmd.h"
#include "kmod.h"
#include "selfcheck.h"
#include "state.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Load each helper's NAT module; a failure is a warning (containers, monolithic kernels). */
static void apply_modules(const struct ir *ir)
{
	size_t i, j;

	for (i = 0; i < ir->n_helpers; i++) {
		const struct ir_helper *h = &ir->helpers[i];
		char *argv[] = {"modprobe", "-q", (char *)h->nat_module, NULL};
		bool seen = false;
		int rc;

		if (!h->nat_module)
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = ir->helpers[j].nat_module &&
			       strcmp(ir->helpers[j].nat_module, h->nat_module) == 0;
		/* loaded or built in: nothing to load */
		if (!seen && !kmod_present("", "/proc", h->nat_module)) {
			rc = util_run(argv, NULL, 0, NULL);
			if (rc != 0)
				diag_warning(&h->loc,
					     "cannot load kernel module '%s' (modprobe %s): "
					     "helper '%s' may not rewrite addresses behind NAT",
					     h->nat_module, rc == 127 ? "not found" : "failed",
					     h->name);
		}
	}
}

enum {
	OPT_TARGET = 't',
	OPT_CONFIRM = 'c',
	OPT_FORCE = 'f',
	OPT_FALLBACK = CLI_LONG,
};

static const struct cli_opt apply_opts[] = {
	{OPT_TARGET, "target", "TARGET",
	 "nft (the default), or iptables: masqgen's own chains\n"
	 "of both families with iptables-restore and\n"
	 "ip6tables-restore --noflush, table by table",
	 CLI_OPT_TARGET, NULL},
	{OPT_CONFIRM, "confirm", "SECS",
	 "keep the new ruleset only if confirmed within SECS\n"
	 "seconds (Enter here, or 'masqgen confirm' from a new\n"
	 "login); else, or on any signal that would end apply,\n"
	 "put back masqgen's previous tables and kernel settings\n"
	 "(nft only; a watchdog process does it if apply is killed)",
	 0, NULL},
	{OPT_FORCE, "force", NULL, "apply even if the new ruleset would cut your session", 0, NULL},
	{OPT_FALLBACK, "fallback-last-good", NULL,
	 "when POLICY has errors or the kernel refuses it, load\n"
	 "the last good ruleset (what the last successful apply\n"
	 "loaded), and exit 6; without one, turn IPv4 and IPv6\n"
	 "forwarding off and exit 3 (for boot scripts; nft only)",
	 0, NULL},
	CLI_STRICT_OPT,
	{0},
};

/*
 * The boot's fallback when @policy could not be applied: the last good
 * ruleset, else forwarding off, so the gateway never routes unfiltered.
 */
static int apply_fallback(const char *policy)
{
	int lock, rc = EXIT_FALLBACK;

	diag_error(NULL, "'%s' was not applied: loading the last good ruleset instead", policy);
	lock = kernel_cmd_lock();
	if (lock < 0 || lastgood_restore() < 0) {
		rc = EXIT_SYSTEM;
		if (sysctls_forwarding_off() == 0)
			diag_error(NULL, "no ruleset could be loaded: IPv4 and IPv6 forwarding are "
					 "off");
	} else {
		diag_note(NULL, "fix '%s' and apply it: until then the last good ruleset stays",
			  policy);
	}
	if (lock >= 0)
		close(lock);
	return rc;
}

static int apply_policy(const struct cli_args *a, unsigned secs)
{
	const struct cli_target *t = a->target;
	const char *policy = a->ops[0];
	void *ruleset = NULL;
	char *state = NULL, *routes = NULL, *run_dir = NULL;
	struct confirm *cf = NULL;
	void *keeping = NULL;
	struct sysctls_plan *plan;
	struct routes_plan *rplan;
	struct ir *ir;
	long removed;
	int lock, rc;

	ir = cli_compile(policy);
	if (!ir)
		return EXIT_POLICY;
	rc = EXIT_POLICY;
	ruleset = t->lower(ir);
	if (!ruleset || selfcheck_run(ir, cli_arg(a, OPT_FORCE) != NULL) < 0)
		goto out;
	rc = EXIT_SYSTEM;
	lock = kernel_cmd_lock();
	if (lock < 0)
		goto out;
	state = kernel_cmd_state_path();
	routes = kernel_cmd_routes_path();
	run_dir = state_dir(false);
	if (!state || !routes || !run_dir || (secs && !(cf = confirm_save(state, routes))))
		goto out_unlock;
	if (t->sysctls)
		t->sysctls(ir);
	/* the last good text is written meanwhile (kept only on success): ir is complete */
	if (t->keep && !secs)
		keeping = t->keep(ruleset, ir);
	/* the record first: what cannot be recorded is not applied */
	plan = sysctls_plan(ir, state);
	if (!plan)
		goto out_unlock;
	rplan = routes_plan(ir, routes);
	if (!rplan) {
		sysctls_cancel(plan);
		goto out_unlock;
	}
	if (t->load(ruleset, ir, run_dir) < 0) {
		routes_cancel(rplan);
		sysctls_cancel(plan);
		goto out_unlock;
	}
	printf("applied %s\n", policy);
	fwdcheck_warn(ir);
	apply_modules(ir);
	if (routes_apply(rplan) < 0) {
		sysctls_cancel(plan);
		diag_note(NULL, "the ruleset is loaded, the routing rules above and the kernel "
				"settings are not");
		goto out_unlock;
	}
	if (sysctls_apply(plan) < 0) {
		diag_note(NULL, "the ruleset is loaded, the kernel settings above are not");
		goto out_unlock;
	}
	sysctls_check_cluster(ir);
	removed = ctclean_run(ir);
	if (removed < 0) {
		diag_note(NULL, "the ruleset and kernel settings are in place");
		goto out_unlock;
	}
	printf("removed %ld connection tracking %s the new ruleset treats differently\n", removed,
	       removed == 1 ? "entry" : "entries");
	rc = EXIT_OK;
out_unlock:
	if (cf)
		rc = confirm_finish(cf, rc, secs);
	if (t->keep && secs && rc == EXIT_OK)
		keeping = t->keep(ruleset, ir);
	if (keeping)
		t->kept(keeping, rc == EXIT_OK);
	close(lock);
out:
	free(state);
	free(routes);
	free(run_dir);
	if (ruleset)
		t->release(ruleset);
	ir_free(ir);
	return rc;
}

static int apply_run(const struct cli_args *a)
{
	const char *secs_arg = cli_arg(a, OPT_CONFIRM);
	bool fallback = cli_arg(a, OPT_FALLBACK) != NULL;
	unsigned secs = 0;
	int rc;

	if (secs_arg && confirm_parse_secs(secs_arg, &secs) < 0)
		return EXIT_USAGE;
	if (secs && !a->target->confirm)
		return cli_usage_error(a->cmd->name, "--confirm works with the nft target only");
	if (fallback && (secs || !a->target->keep))
		return cli_usage_error(a->cmd->name, "--fallback-last-good works with the nft "
						     "target and without --confirm only");
	rc = apply_policy(a, secs);
	if (fallback && (rc == EXIT_POLICY || rc == EXIT_SYSTEM))
		rc = apply_fallback(a->ops[0]);
	return rc;
}

const struct cli_command cli_apply = {
	.name = "apply",
	.summary = "apply atomically and set kernel settings",
	.operands = "POLICY",
	.min_ops = 1,
	.max_ops = 1,
	.missing = "a POLICY file is required",
	.help = "Compile POLICY and replace masqgen's nftables tables (ip masqgen, ip6 masqgen)\n"
		"in one transaction: the kernel takes all of it or none, and no other table is\n"
		"touched. When only forwards and other set elements changed since the last\n"
		"apply, the transaction changes just those elements, and when rules changed,\n"
		"it refills just the chains that hold them (other counters stay). Then load\n"
		"the helpers' NAT modules; with several external interfaces, write the routing\n"
		"rules and tables that send replies back out of the interface a connection came\n"
		"in on (see 'masqgen routes'); set the kernel settings the policy needs\n"
		"(recording each replaced value for 'masqgen flush'), and delete the\n"
		"connection tracking entries the new ruleset treats differently.\n\n"
		"Before anything changes, the session you are logged in by (SSH_CONNECTION, or\n"
		"the connection of the sshd you came through) is checked against the new\n"
		"ruleset: apply refuses a policy that would drop it, naming the policy line.\n",
	.trailer = "Exit status: 0 applied, 1 policy errors or your session would be cut, 2 usage,\n"
		   "3 the kernel or system refused (the ruleset is unchanged unless a message\n"
		   "says otherwise), 4 not confirmed: the previous ruleset is back, 6 the last\n"
		   "good ruleset was loaded instead of POLICY.\n",
	.opts = apply_opts,
	.target_use = CLI_T_APPLY,
	.run = apply_run,
};
