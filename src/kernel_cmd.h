/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel_cmd.h - what the commands that act on the running kernel (apply,
 * flush, show, diff) share: the lock that serializes them,
 * the path of the record of replaced kernel settings, and compiling a
 * policy for the nft backend.
 *
 * Files (state.h, one directory per network namespace): the lock under
 * /run/masqgen (MASQGEN_RUN_DIR), the record of replaced kernel settings
 * under /var/lib/masqgen (MASQGEN_STATE_DIR); the variables exist for
 * tests and containers.
 */
#ifndef MASQGEN_KERNEL_CMD_H
#define MASQGEN_KERNEL_CMD_H

#include <stdbool.h>

struct ir;
struct nft_model;

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
 * Compile @policy and, with @m, lower it for nft. Returns EXIT_OK, or the
 * exit code after reporting (then *@ir and *@m are NULL).
 */
int kernel_cmd_prepare(const char *policy, struct ir **ir, struct nft_model **m);

/*
 * What masqgen has loaded: its nftables tables into @d (nft_dump.h), and
 * with @ipt its iptables chains of either flavour into @il (ipt.h). Returns
 * 0 (free both), or -1 after reporting (nothing to free).
 */
struct nft_dump;
struct ipt_loaded;
int kernel_cmd_loaded(struct nft_dump *d, struct ipt_loaded *il, bool ipt);

#endif
