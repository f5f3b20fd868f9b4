/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply.h - what `apply` and `flush` do besides loading the ruleset: the
 * kernel settings and their record (sysctls.c), and the conntrack entries
 * a new ruleset treats differently (ctclean.c).
 */
#ifndef MASQGEN_APPLY_H
#define MASQGEN_APPLY_H

#include <stddef.h>

struct ir;

/*
 * Kernel settings. The record at @state_path holds, per setting masqgen
 * wrote, the value it had before masqgen first wrote it
 * ("net/ipv4/ip_forward=0", one a line, written atomically).
 *
 * sysctls_apply(): restore the recorded settings @ir no longer names,
 * record the current value of each new one, save the record, then write
 * @ir's values. A per-interface setting of a missing interface is a
 * warning. Returns 0, or -1 after reporting the settings it could not write.
 *
 * sysctls_restore(): write every recorded value back, then remove the
 * record. Returns 0 (also when there is no record), or -1 after reporting.
 */
int sysctls_apply(const struct ir *ir, const char *state_path);
int sysctls_restore(const char *state_path);

/*
 * sysctls_diff(): append to @out a line for each kernel setting an apply of
 * @ir would change ("~ setting net.ipv4.ip_forward: 0 -> 1  (gw.masq:3)"),
 * and for each one the record at @state_path (NULL: none) holds that @ir
 * no longer names (apply writes it back). Returns the number of lines.
 */
struct strbuf;
size_t sysctls_diff(const struct ir *ir, const char *state_path, struct strbuf *out);

/*
 * Delete the conntrack entries the ruleset of @ir treats differently from
 * what they were set up with: connections to a forwarded port of the
 * gateway that are not translated to that forward's target, connections
 * translated to an internal host that no forward or 1:1 of @ir leads to,
 * and connections a `deny` or `reject` of @ir matches. Returns how many
 * were deleted, or -1 after reporting.
 */
long ctclean_run(const struct ir *ir);

#endif
