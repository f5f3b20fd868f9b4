/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * state.h - where masqgen keeps what outlives one run, apart per network
 * namespace: a gateway's record of kernel settings, lock and confirm
 * socket are never another namespace's.
 *
 * The namespace's key is "init" when it is the namespace of process 1,
 * its `ip netns` name when a file under /run/netns is bound to it, and
 * otherwise "netns-INODE". Below the run directory (/run/masqgen, or
 * MASQGEN_RUN_DIR) each key has a directory; below the state directory
 * (/var/lib/masqgen, or MASQGEN_STATE_DIR) only the lasting keys (init
 * and named namespaces) have one: an inode is reused once its namespace
 * is gone, so state kept by inode must not outlive a boot.
 */
#ifndef MASQGEN_STATE_H
#define MASQGEN_STATE_H

#include <stdbool.h>

/*
 * The path of @file in this namespace's directory, created (mode 0755) if
 * missing: below the state directory when @lasting and the namespace has a
 * lasting key, else below the run directory. Returns it (caller frees), or
 * NULL after reporting why.
 */
char *state_path(const char *file, bool lasting);

/* The directory state_path() puts files in (caller frees), or NULL after reporting. */
char *state_dir(bool lasting);

/* Does this network namespace have a lasting key (init, or an `ip netns` name)? */
bool state_lasting(void);

#endif
