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

struct eval {
	struct ir *ir;
	unsigned fam_both;		/* IR_F_BOTH, or IR_F_IPV4 under ipv6 open */
	bool have_masquerade;		/* any `masquerade` statement */
	size_t n_external, n_internal;
	/* every internal network, sorted by address, and its interface */
	struct eval_net {
		const struct ir_net *net;
		const struct ir_iface *iface;
	} *nets;
	size_t n_nets;
	/* user rules per chain, merged, in policy order */
	struct {
		struct eval_urule *v;
		size_t n, cap;
	} user[IR_CH_COUNT];
	/* per chain: flat index of the last deny/reject, or -1 */
	long last_block[IR_CH_COUNT];
};

/* The internal network holding @addr and its interface, or NULL. */
const struct eval_net *eval_net_of(const struct eval *e, uint32_t addr);

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

/* Read an address list (from, to, sources) into @out; -1 after errors. */
int eval_addr_list(const struct ast_list *l, struct ir_addrs *out);

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
