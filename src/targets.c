// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * targets.c - the table of targets (cli.h): what each backend serves and
 * the functions that do it. generate, apply, flush, show, diff, lab,
 * init-script, their --help and the completion all read it. Beside it,
 * each target's side of flush, show and diff: what masqgen loaded is read
 * for every target at once (kernel_cmd.h), so these few lines pick the
 * target's part of it.
 */
#include "apply.h"
#include "cli.h"
#include "diag.h"
#include "diff_model.h"
#include "escape.h"
#include "ha_conf.h"
#include "ipt.h"
#include "kernel_cmd.h"
#include "legacy.h"
#include "nft.h"

static bool target_nft_loaded(const struct kernel_loaded *k)
{
	return nft_dump_loaded(&k->d);
}

static void target_nft_show(const struct kernel_loaded *k, struct strbuf *out)
{
	size_t i;

	if (nft_dump_loaded(&k->d))
		nft_text_print(k->d.m, out);
	for (i = 0; i < k->d.n_foreign; i++)
		diag_warning(NULL, "not shown, masqgen does not make it: %s (see 'nft list ruleset')",
			     k->d.foreign[i]);
}

static int target_nft_unload(const struct kernel_loaded *k)
{
	return nft_dump_loaded(&k->d) ? nft_unload() : 0;
}

static long target_nft_diff(const struct kernel_loaded *k, const void *m, struct strbuf *out)
{
	long n = (long)diff_models(k->d.m, m, out);
	size_t i;

	/* what someone added to masqgen's tables: apply replaces it */
	for (i = 0; i < k->d.n_foreign; i++, n++) {
		sb_add(out, "- ");
		escape_comment(out, k->d.foreign[i]);
		sb_add(out, "\n");
	}
	return n;
}

static bool target_ipt_loaded(const struct kernel_loaded *k)
{
	return ipt_loaded_any(&k->il);
}

static void target_ipt_show(const struct kernel_loaded *k, struct strbuf *out)
{
	ipt_loaded_print(&k->il, out);
}

static int target_ipt_unload(const struct kernel_loaded *k)
{
	return ipt_loaded_flush(&k->il);
}

/* Against the iptables-nft chains when there are any, else the legacy ones. */
static long target_ipt_diff(const struct kernel_loaded *k, const void *m, struct strbuf *out)
{
	const struct ipt_loaded *il = &k->il;
	bool nft = il->present[IPT_NFT][IPT_V4] || il->present[IPT_NFT][IPT_V6];

	return (long)diff_ipt(il->m[nft ? IPT_NFT : IPT_LEGACY], m, out);
}

const struct cli_target cli_targets[] = {
    {
	.name = "nft",
	.summary = "an nft -f script for masqgen's tables (the default)",
	.uses = CLI_T_GENERATE | CLI_T_APPLY | CLI_T_LAB | CLI_T_INIT,
	.emit = nft_text_emit,
	.lower = nft_target_lower,
	.load = nft_target_load,
	.release = nft_target_release,
	.confirm = true,
	.keep = lastgood_begin,
	.kept = lastgood_end,
	.loaded = target_nft_loaded,
	.show = target_nft_show,
	.unload = target_nft_unload,
	.diff = target_nft_diff,
    },
    {
	.name = "iptables",
	.summary = "iptables-restore input, IPv4 (rules.v4); apply loads both families",
	.uses = CLI_T_GENERATE | CLI_T_APPLY | CLI_T_LAB | CLI_T_INIT,
	.emit = ipt_emit,
	.lower = ipt_target_lower,
	.sysctls = ipt_timeout_sysctls,
	.load = ipt_target_load,
	.release = ipt_target_release,
	.loaded = target_ipt_loaded,
	.show = target_ipt_show,
	.unload = target_ipt_unload,
	.diff = target_ipt_diff,
	.init_stop = ipt_init_stop,
	.init_status = ipt_init_status,
	.init_rc = ipt_init_rc,
    },
    {
	.name = "ip6tables",
	.summary = "ip6tables-restore input, IPv6 (rules.v6); generate only",
	.uses = CLI_T_GENERATE,
	.emit = ip6t_emit,
    },
    {
	.name = "ipchains",
	.summary = "a Linux 2.2 shell script (ipchains, ipmasqadm)",
	.uses = CLI_T_GENERATE | CLI_T_INIT,
	.emit = ipchains_emit,
	.init_stop = ipchains_init_stop,
	.init_status = ipchains_init_status,
    },
    {
	.name = "ipfwadm",
	.summary = "a Linux 2.0 shell script (ipfwadm, ipportfw)",
	.uses = CLI_T_GENERATE | CLI_T_INIT,
	.emit = ipfwadm_emit,
	.init_stop = ipfwadm_init_stop,
	.init_status = ipfwadm_init_status,
    },
    {
	.name = "miniupnpd",
	.summary = "miniupnpd.conf for the upnp line (miniupnpd-nftables 2.3)",
	.uses = CLI_T_GENERATE,
	.emit = miniupnpd_emit,
    },
    {
	.name = "keepalived",
	.summary = "keepalived.conf for a cluster node (VRRP on the LAN, conntrackd hooks)",
	.uses = CLI_T_GENERATE,
	.emit = ha_conf_keepalived,
    },
    {
	.name = "conntrackd",
	.summary = "conntrackd.conf for a cluster node (FTFW sync with the peer)",
	.uses = CLI_T_GENERATE,
	.emit = ha_conf_conntrackd,
    },
    {
	.name = "yaml",
	.summary = "the policy itself, includes and defines resolved, as YAML",
	.uses = CLI_T_GENERATE,
    },
};

const size_t cli_n_targets = ARRAY_SIZE(cli_targets);
