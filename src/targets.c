// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * targets.c - the table of targets (cli.h): what each backend serves and
 * the functions that do it. generate, apply, flush, lab, init-script,
 * their --help and the completion all read it.
 */
#include "apply.h"
#include "cli.h"
#include "ipt.h"
#include "legacy.h"
#include "nft.h"

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
	.keep = lastgood_save,
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
	.name = "yaml",
	.summary = "the policy itself, includes and defines resolved, as YAML",
	.uses = CLI_T_GENERATE,
    },
};

const size_t cli_n_targets = ARRAY_SIZE(cli_targets);
