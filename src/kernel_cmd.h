/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel_cmd.h - what the commands that act on the running kernel (apply,
 * flush, show, diff) share: the lock that serializes them, the path of
 * the record of replaced kernel settings, and what masqgen has loaded.
 *
 * Files (state.h, one directory per network namespace): the lock under
 * /run/masqgen (MASQGEN_RUN_DIR), the record of replaced kernel settings
 * under /var/lib/masqgen (MASQGEN_STATE_DIR); the variables exist for
 * tests and containers.
 */
#ifndef MASQGEN_KERNEL_CMD_H
#define MASQGEN_KERNEL_CMD_H

#include "ipt.h"
#include "nft_dump.h"

/*
 * Serialize masqgen runs that change the kernel: an exclusive flock on
 * the lock file, held until exit. Returns the descriptor, or -1 after
 * reporting.
 */
int kernel_cmd_lock(void);

/* The path of the kernel settings record (apply.h; caller frees), or NULL after reporting. */
char *kernel_cmd_state_path(void);

/* The path of the record of routing rules and routes (apply.h), the same way. */
char *kernel_cmd_routes_path(void);

/*
 * What masqgen has loaded, whichever target loaded it, read in one go: the
 * nftables dump also finds the chains iptables-nft keeps there. Each
 * target of the table (cli.h) answers flush, show and diff from it.
 */
struct kernel_loaded {
	struct nft_dump d;	/* masqgen's nftables tables (nft_dump.h) */
	struct ipt_loaded il;	/* its iptables chains of either flavour (ipt.h) */
};

/* Read @k. Returns 0 (then kernel_cmd_loaded_free()), or -1 after reporting. */
int kernel_cmd_loaded(struct kernel_loaded *k);
void kernel_cmd_loaded_free(struct kernel_loaded *k);

#endif
