/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel_cmd.h - what the commands that act on the running kernel (apply,
 * flush, show, diff) share: the lock that serializes them and the path of
 * the record of replaced kernel settings.
 *
 * Files: the lock under /run/masqgen (MASQGEN_RUN_DIR), the record of
 * replaced kernel settings under /var/lib/masqgen (MASQGEN_STATE_DIR);
 * the variables exist for tests and containers.
 */
#ifndef MASQGEN_KERNEL_CMD_H
#define MASQGEN_KERNEL_CMD_H

/* The value of environment variable @env when set and not empty, else @fallback. */
const char *kernel_cmd_dir(const char *env, const char *fallback);

/*
 * Serialize masqgen runs that change the kernel: an exclusive flock on
 * the lock file, held until exit. Returns the descriptor, or -1 after
 * reporting.
 */
int kernel_cmd_lock(void);

/* The path of the kernel settings record (apply.h; caller frees), or NULL after reporting. */
char *kernel_cmd_state_path(void);

#endif
