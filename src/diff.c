// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diff.c - `masqgen diff POLICY`: what masqgen has loaded, read from the
 * kernel, against what the policy compiles to, by meaning (diff_model.h):
 * masqgen's nftables tables against the nft model, or, when only its
 * iptables chains are loaded (or with -t iptables), those against the
 * iptables model; then the kernel settings apply would write.
 */
#include "apply.h"
#include "cli.h"
#include "diag.h"
#include "diff_model.h"
#include "escape.h"
#include "ipt.h"
#include "ir.h"
#include "kernel_cmd.h"
#include "nft.h"
#include "nft_dump.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Append to @out what applying @ir as @target would change against what
 * is loaded (@d, @il); @m is @ir lowered for nft. Returns the number of
 * lines, or -1 after reporting.
 */
static long diff_cmd_compare(struct ir *ir, const struct nft_model *m, const char *target,
			     const struct nft_dump *d, const struct ipt_loaded *il,
			     struct strbuf *out)
{
	char *state = kernel_cmd_state_path();
	const struct ipt_model *have;
	struct ipt_model *want;
	long n = -1;
	size_t i;

	if (strcmp(target, "nft") == 0) {
		n = (long)diff_models(d->m, m, out);
		/* what someone added to masqgen's tables: apply replaces it */
		for (i = 0; i < d->n_foreign; i++, n++) {
			sb_add(out, "- ");
			escape_comment(out, d->foreign[i]);
			sb_add(out, "\n");
		}
	} else {
		ipt_timeout_sysctls(ir);
		want = ipt_lower(ir);
		have = il->present[IPT_NFT][IPT_V4] || il->present[IPT_NFT][IPT_V6]
			   ? il->m[IPT_NFT]
			   : il->m[IPT_LEGACY];
		if (want)
			n = (long)diff_ipt(have, want, out);
		ipt_model_free(want);
	}
	if (n >= 0)
		n += (long)sysctls_diff(ir, state, out);
	free(state);
	return n;
}

static const struct cli_opt diff_opts[] = {
	{'t', "target", "TARGET",
	 "compare as that target (masqgen's nftables tables or\n"
	 "its iptables chains); by default the target that loaded\n"
	 "what is there, nft when nothing is",
	 CLI_OPT_TARGET, NULL},
	{0},
};

static int diff_run(const struct cli_args *a)
{
	const char *policy = a->ops[0];
	struct nft_model *m = NULL;
	struct strbuf out = {0};
	struct ipt_loaded il;
	struct nft_dump d;
	const char *target;
	struct ir *ir;
	long n;
	int rc;

	if (kernel_cmd_loaded(&d, &il, true) < 0)
		return EXIT_SYSTEM;
	target = cli_arg(a, 't');
	if (!target)
		target = !nft_dump_loaded(&d) && ipt_loaded_any(&il) ? "iptables" : "nft";
	if (strcmp(target, "nft") == 0 && ipt_loaded_any(&il))
		diag_note(NULL, "masqgen's iptables chains are loaded as well ('masqgen show'; "
				"'masqgen diff -t iptables' compares them)");
	rc = kernel_cmd_prepare(policy, &ir, strcmp(target, "nft") == 0 ? &m : NULL);
	if (rc != EXIT_OK)
		goto out;
	n = diff_cmd_compare(ir, m, target, &d, &il, &out);
	rc = n < 0 ? EXIT_POLICY : n ? EXIT_NO : EXIT_OK;
	if (n > 0) {
		struct strbuf head = {0};

		/* a newline in the path would start a line of its own */
		sb_add(&head, "--- loaded\n+++ ");
		escape_comment(&head, policy);
		printf("%s\n%.*s", head.buf, (int)out.len, out.buf);
		sb_free(&head);
	}
	nft_model_free(m);
	ir_free(ir);
out:
	sb_free(&out);
	ipt_loaded_free(&il);
	nft_dump_free(&d);
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
