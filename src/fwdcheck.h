/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fwdcheck.h - what else drops forwarded packets: chains of other software
 * at the forward hook (nftables tables, iptables-nft's, iptables-legacy's)
 * whose policy is drop or that hold drop rules. masqgen's accept does not
 * outvote another table's drop: Docker's FORWARD policy DROP silently
 * stops a LAN's routing. doctor reports them; apply warns.
 */
#ifndef MASQGEN_FWDCHECK_H
#define MASQGEN_FWDCHECK_H

#include <stdbool.h>
#include <stddef.h>

struct ir;
struct strbuf;

/* One chain at the forward hook that drops. */
struct fwdcheck_chain {
	char *family;		/* nftables: "ip", "ip6", "inet"; legacy: "ip" or "ip6" */
	char *table;		/* "filter" */
	char *chain;		/* "FORWARD" */
	bool legacy;		/* iptables-legacy (else nftables, iptables-nft included) */
	bool policy_drop;	/* the chain's policy is drop */
	unsigned drop_rules;	/* rules with a drop verdict */
	unsigned rules;		/* all its rules */
	bool docker;		/* its table has DOCKER-USER */
	unsigned docker_accepts;	/* accept rules in DOCKER-USER */
};

struct fwdcheck {
	struct fwdcheck_chain *v;
	size_t n, cap;
	char *error;		/* set when a source could not be read */
};

/*
 * Scan this network namespace: nftables (every table but masqgen's own),
 * and iptables-legacy when ip_tables is loaded (@proc: "/proc").
 * Returns 0; fc->error says what could not be read.
 */
int fwdcheck_scan(const char *proc, struct fwdcheck *fc);

/*
 * Is the LAN's forwarded traffic surely dropped at @c (a drop policy and
 * nothing that accepts it: only drop rules, or Docker's FORWARD with no
 * accept in DOCKER-USER), or only perhaps (drop rules, or a drop policy
 * behind other rules)?
 */
bool fwdcheck_surely(const struct fwdcheck_chain *c);

/*
 * One sentence into @what (what drops), one into @fix (how to let the
 * LAN through). With @ir, the advice names its internal and external
 * interfaces; else IFACE placeholders.
 */
void fwdcheck_describe(const struct fwdcheck_chain *c, const struct ir *ir, struct strbuf *what,
		       struct strbuf *fix);

/* apply: one warning per chain that drops (diag). */
void fwdcheck_warn(const struct ir *ir);

void fwdcheck_free(struct fwdcheck *fc);

#endif
