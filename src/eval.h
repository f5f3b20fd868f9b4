/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eval.h - shared between the evaluator's files (eval.c: statements to IR
 * objects and their checks; eval_rules.c: user rules and lists;
 * eval_chains.c: the filter chains). Not a contract: only ir.h is.
 */
#ifndef MASQGEN_EVAL_H
#define MASQGEN_EVAL_H

#include "ast.h"
#include "ir.h"

/* A user rule being merged with the lines after it. */
struct eval_urule {
	struct ir_rule r;
	int varying;		/* the list field lines differ in (EVAL_F_*), or -1 */
};

enum {
	EVAL_F_PORTS,		/* dports or ICMP types */
	EVAL_F_SADDR,
	EVAL_F_DADDR,
	EVAL_F_COUNT
};

#define EVAL_OPTIONS 2

struct eval {
	struct ir *ir;
	unsigned fam_both;		/* IR_F_BOTH, or IR_F_IPV4 under ipv6 open */
	bool have_masquerade;		/* any `masquerade` statement */
	/*
	 * The IPv6 sources of `masquerade` lines, per external they go out
	 * of (untranslated: they are no part of ir->snats). A whole-range
	 * element (`any`) admits every internal interface's IPv6.
	 */
	struct eval_masq6 {
		const char *oif;
		struct ir_addr a;
	} *masq6;
	size_t n_masq6, cap_masq6;
	size_t n_external, n_internal;
	/* every internal network, sorted by address, and its interface */
	struct eval_net {
		const struct ir_net *net;
		const struct ir_iface *iface;
	} *nets, *nets6;		/* IPv4, IPv6 */
	size_t n_nets, n_nets6;
	/* user rules per chain, merged, in policy order */
	struct {
		struct eval_urule *v;
		size_t n, cap;
	} user[IR_CH_COUNT];
	/* `option` lines in policy order: which (rp_filter, log-martians) and value */
	struct {
		int which;
		bool on;
		struct loc loc;
	} option[EVAL_OPTIONS];
	size_t n_options;
	/* per chain: flat index of the last deny/reject, or -1 */
	long last_block[IR_CH_COUNT];
	/* per chain: the first deny/reject that matches everything, or NULL */
	const struct ast_stmt *drop_all[IR_CH_COUNT];
	/* the cluster statement's sync interface and peer, for errors found later */
	struct loc cluster_sync_loc, cluster_peer_loc;
	/* an internal `virtual` was written but is wrong: no guess at which one runs VRRP */
	bool cluster_bad_virt;
	/* the `upnp` line, or NULL */
	const struct ast_stmt *upnp;
};

/* The slot's single word, or NULL; a list there is an error at its second word. */
const struct ast_word *eval_one(const struct ast_stmt *st, enum ast_slot slot, const char *what);

/* A single host address (not 0, 127/8, multicast or broadcast). */
int eval_host_addr(const struct ast_word *w, uint32_t *addr);

const char *eval_role_name(enum ir_role role);

/*
 * The checks over all interfaces: an external and an internal exist, no
 * wildcard covers another role's interface, internal networks do not
 * overlap. Fills e->nets (sorted) for eval_net_of().
 */
void eval_check_roles(struct eval *e, const struct ast_file *f);

/* masquerade, forward, nat and allow/deny/reject lines, in policy order. */
void eval_statements(struct eval *e, const struct ast_file *f);

/* The `upnp` line into ir->upnp (eval_upnp.c), once the interfaces are known. */
void eval_upnp(struct eval *e, const struct ast_stmt *st);

/* A port forwarded twice on one interface; reflection on two externals. */
void eval_check_forwards(struct eval *e);

/* Two 1:1 entries with one public or one private address. */
void eval_check_nat1to1(struct eval *e);

/* Without `masquerade`: every internal network out of every external. */
void eval_default_snats(struct eval *e);

/* The `cluster` statement (before the interfaces: they read it). */
void eval_cluster(struct eval *e, const struct ast_file *f);

/*
 * An external's or internal's addresses in a cluster from @st: node_addr,
 * virt and, for an external, addr becomes the virtual address.
 */
void eval_iface_virtual(struct eval *e, struct ir_iface *ifc, const struct ast_stmt *st);

/* The interface VRRP runs on, the sync interface and the peer. */
void eval_check_cluster(struct eval *e);

/*
 * In a cluster, @addr (written as @w) is an address NAT translates to: it must
 * move with the active node, so this node's own external address is an error.
 */
int eval_cluster_public(struct eval *e, const struct ast_word *w, uint32_t addr);

/* Several externals: which `masquerade ... on IFACE` lines pin their sources (ir_snat.pin). */
void eval_pin_snats(struct eval *e);

/* The internal network holding @addr of @family and its interface, or NULL. */
const struct eval_net *eval_net_of(const struct eval *e, unsigned family, ir_u128 addr);

/* The index of @w's text among @n @names, or -1 after an error (did you mean). */
int eval_keyword(const struct ast_word *w, const char *const *names, size_t n, const char *what);

/* The declared interface interned as @name, or NULL. */
struct ir_iface *eval_iface(const struct eval *e, const char *name);

/*
 * Make a list a set: elements that overlap an earlier one are joined into
 * it or dropped, with a warning at the dropped element when @warn.
 */
void eval_set_addrs(struct ir_addrs *a, bool warn);
void eval_set_ports(struct ir_ports *p, bool warn);

/* Append a copy of @src's elements to @dst. */
void eval_addrs_append(struct ir_addrs *dst, const struct ir_addrs *src);

/*
 * Read an address list (from, to, sources) into @out; -1 after errors.
 * @families: those the slot takes (IR_F_*); `any` is the whole range of
 * each of them, and an IPv6 address where only IPv4 is taken is an error
 * saying @v6_why. An interface identifier match is an error unless
 * @families has EVAL_IFID (the caller checks where it stands).
 */
#define EVAL_IFID (1u << 8)
int eval_addr_list(const struct ast_list *l, unsigned families, const char *v6_why,
		   struct ir_addrs *out);

/* a `set` statement, into ir->sets (declarations pass). */
#define EVAL_SET_NAME_MAX 32
void eval_set_decl(struct eval *e, const struct ast_stmt *st);
/*
 * The live set that address list @l (of slot @slot, "from" or "to") names
 * as `@NAME`: 1 with *@set its interned name, 0 when @l names none, -1
 * after an error (unknown set, a set beside other addresses).
 */
int eval_set_ref(struct eval *e, const struct ast_list *l, const char *slot, const char **set);

/*
 * The `limit RATE [burst N] [per-source]` of @st into @l (rate 0 when the
 * statement has none); -1 after an error.
 */
int eval_limit(const struct ast_stmt *st, struct ir_limit *l);

/* An allow/deny/reject line at flat index @idx. */
void eval_user_rule(struct eval *e, const struct ast_stmt *st, size_t idx);

/* Make every user rule's lists sets (after merging; warns at redundant elements). */
void eval_user_sets(struct eval *e);

/*
 * Build ir->chain[] once every statement is evaluated; takes the user
 * rules (e->user is empty afterwards).
 */
void eval_chains(struct eval *e);

#endif
