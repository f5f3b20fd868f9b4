/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * confirm.h - `apply --confirm SECS`: keep a new ruleset only when the
 * admin confirms it in time, else put back exactly what was loaded.
 *
 *   apply:  lock, confirm_save(), send the batch, kernel settings, ...
 *           then confirm_finish() waits, and rolls back unless confirmed
 *   confirm (the command, in confirm_wait.c): tells the waiting apply over the
 *           unix socket under the run directory
 *
 * What is saved: masqgen's tables (`ip masqgen`, `ip6 masqgen`) as the
 * kernel holds them, dumped through netlink into libnftnl objects that
 * are replayed as NEW messages; the record of kernel settings and the
 * current value of every setting it names; the record of the routing
 * rules for several externals. Other tables are never read
 * into the snapshot nor touched by the rollback.
 */
#ifndef MASQGEN_CONFIRM_H
#define MASQGEN_CONFIRM_H

struct confirm;

/*
 * Save what is loaded, with the masqgen lock held, before apply changes
 * anything; @state_path is the record of kernel settings, @routes_path that
 * of routing rules (apply.h). The
 * kernel checks that the saved tables can be loaded again, then the
 * watchdog starts: a process of its own session with a copy of the
 * snapshot, which rolls back if apply dies. From here on every signal
 * that would end apply is held for confirm_finish(), so a signal during
 * the apply itself still leads to the rollback. Returns the snapshot
 * (owned by the caller until confirm_finish()), or NULL after reporting
 * why (then nothing was changed and no signal is held).
 */
struct confirm *confirm_save(const char *state_path, const char *routes_path);

/*
 * Finish an apply that ended with exit code @rc. EXIT_OK: the watchdog
 * waits up to @secs for Enter on the terminal (when masqgen runs in its
 * foreground) or `masqgen confirm`; confirmed returns EXIT_OK, otherwise
 * (time out, a signal, the terminal closed) it rolls back and this returns
 * EXIT_ROLLED_BACK. Another @rc: roll back whatever the failed apply
 * changed and return @rc. A rollback that fails returns EXIT_SYSTEM after
 * saying what stays loaded. Frees @cf.
 */
int confirm_finish(struct confirm *cf, int rc, unsigned secs);

/*
 * Parse the SECS of --confirm (1 to 86400). Returns 0, or -1 after a usage
 * error naming @arg.
 */
int confirm_parse_secs(const char *arg, unsigned *secs);

#endif
