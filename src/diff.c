// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diff.c - `masqgen diff POLICY`: what masqgen has loaded, read from the
 * kernel, against what the policy compiles to, by meaning (diff_model.h),
 * as the target that loaded it (or -t's) compares them (the target
 * table's diff, cli.h): masqgen's nftables tables against the nft model,
 * its iptables chains against the iptables model; then the kernel
 * settings apply would write.
 */
#include "apply.h"
#include "cli.h"
#include "diag.h"
#include "escape.h"
#include "ir.h"
#include "kernel_cmd.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>

static const struct cli_opt diff_opts[] = {
	{'t', "target", "TARGET",
	 "compare as that target (masqgen's nftables tables or\n"
	 "its iptables chains); by default the target that loaded\n"
	 "what is there, nft when nothing is",
	 CLI_OPT_TARGET, NULL},
	{0},
};

/* -t, or the first target (of those apply serves) that loaded what is there, or -t's default. */
static const struct cli_target *diff_target(const struct cli_args *a, const struct kernel_loaded *k)
{
	size_t i;

	if (cli_arg(a, 't'))
		return a->target;
	for (i = 0; i < cli_n_targets; i++)
		if ((cli_targets[i].uses & CLI_T_APPLY) && cli_targets[i].loaded(k))
			return &cli_targets[i];
	return a->target;
}

/*
 * Append to @out what applying @ir as @t would change against what is
 * loaded (@k): its rules, then the kernel settings and the routing rules.
 * Returns the number of lines, or -1 after reporting what @t cannot
 * express.
 */
static long diff_compare(const struct cli_target *t, struct ir *ir, const struct kernel_loaded *k,
			 struct strbuf *out)
{
	void *ruleset = t->lower(ir);
	char *state, *routes;
	long n;

	if (!ruleset)
		return -1;
	if (t->sysctls)
		t->sysctls(ir);
	n = t->diff(k, ruleset, out);
	t->release(ruleset);
	state = kernel_cmd_state_path();
	n += (long)sysctls_diff(ir, state, out);
	free(state);
	routes = kernel_cmd_routes_path();
	n += (long)routes_diff(ir, routes, out);
	free(routes);
	return n;
}

static int diff_run(const struct cli_args *a)
{
	const char *policy = a->ops[0];
	const struct cli_target *t;
	struct strbuf out = {0};
	struct kernel_loaded k;
	struct ir *ir;
	size_t i;
	long n;
	int rc;

	if (kernel_cmd_loaded(&k) < 0)
		return EXIT_SYSTEM;
	t = diff_target(a, &k);
	for (i = 0; i < cli_n_targets; i++) {
		const struct cli_target *u = &cli_targets[i];

		if (u != t && (u->uses & CLI_T_APPLY) && u->loaded(&k))
			diag_note(NULL, "what 'apply -t %s' loads is there as well ('masqgen show'; "
					"'masqgen diff -t %s' compares it)", u->name, u->name);
	}
	rc = EXIT_POLICY;
	ir = cli_compile(policy);
	if (!ir)
		goto out;
	n = diff_compare(t, ir, &k, &out);
	rc = n < 0 ? EXIT_POLICY : n ? EXIT_NO : EXIT_OK;
	if (n > 0) {
		struct strbuf head = {0};

		/* a newline in the path would start a line of its own */
		sb_add(&head, "--- loaded\n+++ ");
		escape_comment(&head, policy);
		printf("%s\n%.*s", head.buf, (int)out.len, out.buf);
		sb_free(&head);
	}
	ir_free(ir);
out:
	sb_free(&out);
	kernel_cmd_loaded_free(&k);
	return rc;
}

const struct cli_command cli_diff = {
	.name = "diff",
	.summary = "what apply would change",
	.operands = "POLICY",
	.min_ops = 1,
	.max_ops = 1,
	.missing = "a POLICY file is required",
	.help = "Show what 'masqgen apply POLICY' would change: what masqgen has loaded (read\n"
		"from the kernel) against what POLICY compiles to, compared by meaning: rules\n"
		"in order, set and map elements, chains and objects, and the kernel settings\n"
		"apply writes. Where a rule came from in the policy (its line, the path it was\n"
		"given by) does not count. One line per change, in the policy's words where\n"
		"it has them:\n\n"
		"  + forward tcp 8081 to 192.168.0.10:80  (gw.masq:12)\n",
	.trailer = "Exit status: 0 same meaning, 5 different, 1 policy errors, 2 usage, 3 the\n"
		   "system refused.\n",
	.opts = diff_opts,
	.target_use = CLI_T_APPLY,
	.run = diff_run,
};
