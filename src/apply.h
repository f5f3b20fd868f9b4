/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apply.h - what `apply` and `flush` do besides loading the ruleset: the
 * kernel settings and their record (sysctls.c), the policy routing of
 * several externals (routes.c), and the conntrack entries
 * a new ruleset treats differently (ctclean.c).
 */
#ifndef MASQGEN_APPLY_H
#define MASQGEN_APPLY_H

#include <stdbool.h>
#include <stddef.h>

struct ir;
struct strbuf;

/*
 * Kernel settings. The record at @state_path holds, per setting masqgen
 * wrote, the value it had before masqgen first wrote it
 * ("net/ipv4/ip_forward=0", one a line, written atomically).
 *
 * sysctls_plan(), before the ruleset is committed: read the record and
 * the current value of each setting of @ir that it lacks, and save the
 * record with them (still holding the settings @ir no longer names).
 * Returns the plan (borrowing @ir), or NULL after reporting why: then the
 * record is unchanged and nothing must be applied. A per-interface setting
 * of a missing interface is a warning.
 *
 * sysctls_apply(), after the commit: restore the recorded settings @ir no
 * longer names, write @ir's values, and save the record of @ir's settings
 * only. sysctls_cancel(), when the commit failed: save the record as it
 * was. Both free the plan; sysctls_apply() returns 0, or -1 after
 * reporting the settings it could not write.
 *
 * sysctls_restore(): write every recorded value back, then remove the
 * record. Returns 0 (also when there is no record), or -1 after reporting.
 */
struct sysctls_plan;
struct sysctls_plan *sysctls_plan(const struct ir *ir, const char *state_path);
int sysctls_apply(struct sysctls_plan *p);
void sysctls_cancel(struct sysctls_plan *p);
int sysctls_restore(const char *state_path);

/*
 * Policy routing for several externals (routes.c): a rule per external
 * sends its marked connections to a table of its own holding its default
 * route. The record at @path names each rule and route masqgen wrote.
 *
 * routes_plan(), before the ruleset is committed: read the record, find
 * each numbered external's default route in the main table (a missing
 * one is a warning), and save the record with both the old and the new
 * entries. Returns the plan, or NULL after reporting (nothing to apply).
 * routes_apply(), after the commit: delete what the record held that
 * @ir no longer needs, write @ir's rules and routes, save their record;
 * routes_cancel(): save the record as it was. Both free the plan;
 * routes_apply() returns 0, or -1 after reporting.
 *
 * routes_restore(): delete every recorded rule and route, then the
 * record. routes_refresh() (`masqgen routes`): copy each recorded
 * external's default route from the main table into its table again (a
 * DHCP lease or PPP link came up) and put back missing rules. Both return
 * 0 (also without a record), or -1 after reporting.
 */
struct routes_plan;
struct routes_plan *routes_plan(const struct ir *ir, const char *path);
int routes_apply(struct routes_plan *p);
void routes_cancel(struct routes_plan *p);
int routes_restore(const char *path);
int routes_refresh(const char *path);
/*
 * routes_rollback() (the --confirm rollback): make the rules and routes
 * again those of the record text @saved (@len bytes; NULL: there was no
 * record), deleting what the record at @path has beyond it, and save it
 * as the record. Returns 0, or -1 after reporting.
 */
int routes_rollback(const char *path, const char *saved, size_t len);
/*
 * routes_diff() (`masqgen diff`): append a line to @out for each routing
 * rule @ir needs that the kernel lacks ('+', with the external's line)
 * and each rule the record at @path names that @ir no longer needs and
 * the kernel still holds ('-'). Returns the number of lines; a kernel
 * that cannot be read is a warning and no line.
 */
size_t routes_diff(const struct ir *ir, const char *path, struct strbuf *out);

/* Write 0 to IPv4 and IPv6 forwarding (IPv6 may be missing). Returns 0, or -1 after reporting. */
int sysctls_forwarding_off(void);

/* A cluster node: warn when conntrack does not pick up TCP connections in mid-stream. */
void sysctls_check_cluster(const struct ir *ir);

/*
 * The last good ruleset (lastgood.c), kept for the nft target in init and
 * named network namespaces: lastgood_begin() starts writing @ruleset (the
 * nft target's model, cli.h) with the settings of @ir beside the last good
 * one, in a thread (NULL in a namespace that keeps none; @ruleset and @ir
 * must stay unchanged until lastgood_end()); lastgood_end() waits for it
 * and, when @keep (the apply succeeded), makes it the last good one (a
 * failure is a warning), else removes it. lastgood_restore()
 * loads it with `nft -f` and writes its settings through the record, as
 * apply does. lastgood_restore() returns 0, or -1 after reporting.
 */
void *lastgood_begin(const void *ruleset, const struct ir *ir);
void lastgood_end(void *keeping, bool keep);
int lastgood_restore(void);

/*
 * sysctls_diff(): append to @out a line for each kernel setting an apply of
 * @ir would change ("~ setting net.ipv4.ip_forward: 0 -> 1  (gw.masq:3)"),
 * and for each one the record at @state_path (NULL: none) holds that @ir
 * no longer names (apply writes it back). Returns the number of lines.
 */
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
