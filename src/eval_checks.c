// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eval_checks.c - checks over the declared interfaces: roles present,
 * wildcards that would catch another role's interface, and internal
 * networks that overlap (per family); the sorted networks answer
 * eval_net_of().
 */
#include "eval.h"
#include "ir_match.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *eval_role_name(enum ir_role role)
{
	return role == IR_EXTERNAL ? "external" : role == IR_INTERNAL ? "internal" : "passthrough";
}

static int net_cmp(const void *pa, const void *pb)
{
	const struct eval_net *a = pa, *b = pb;

	if (ir_net_lo(a->net) != ir_net_lo(b->net))
		return ir_net_lo(a->net) < ir_net_lo(b->net) ? -1 : 1;
	return a->net->len < b->net->len ? -1 : a->net->len > b->net->len;
}

static bool loc_before(const struct loc *a, const struct loc *b)
{
	if (a->src != b->src)
		return false;	/* an include: keep the order of the sweep */
	return a->line < b->line || (a->line == b->line && a->col < b->col);
}

/* The IPv4 (@v6 false) or IPv6 networks of every interface, sorted, into @out. */
static size_t sorted_networks(const struct eval *e, bool v6, struct eval_net **out)
{
	size_t i, j, n = 0, total = 0;

	for (i = 0; i < e->ir->n_ifaces; i++)
		total += v6 ? e->ir->ifaces[i].n_nets6 : e->ir->ifaces[i].n_nets;
	*out = xcalloc(total + 1, sizeof(**out));
	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &e->ir->ifaces[i];

		for (j = 0; j < (v6 ? ifc->n_nets6 : ifc->n_nets); j++) {
			(*out)[n].net = v6 ? &ifc->nets6[j] : &ifc->nets[j];
			(*out)[n].iface = ifc;
			n++;
		}
	}
	qsort(*out, n, sizeof(**out), net_cmp);
	return n;
}

/* Overlapping networks of one family (sorted) are errors naming both. */
static void check_overlaps(const struct eval_net *nets, size_t n)
{
	size_t i, reach = 0;
	char a[IR_ADDR_STRLEN], b[IR_ADDR_STRLEN];

	for (i = 1; i < n; i++) {
		const struct eval_net *r = &nets[reach], *x = &nets[i], *later, *first;

		if (ir_net_lo(x->net) > ir_net_hi(r->net)) {
			reach = i;
			continue;
		}
		later = loc_before(&r->net->loc, &x->net->loc) ? x : r;
		first = later == x ? r : x;
		diag_error(&later->net->loc, "internal network '%s' of '%s' overlaps '%s' of '%s'",
			   ir_net_str(later->net, a), later->iface->name, ir_net_str(first->net, b),
			   first->iface->name);
		diag_note(&first->net->loc, "'%s' declared here", ir_net_str(first->net, b));
	}
}

/* Sort the internal networks of each family; check that none overlap. */
static void check_networks(struct eval *e)
{
	e->n_nets = sorted_networks(e, false, &e->nets);
	e->n_nets6 = sorted_networks(e, true, &e->nets6);
	check_overlaps(e->nets, e->n_nets);
	check_overlaps(e->nets6, e->n_nets6);
}

const struct eval_net *eval_net_of(const struct eval *e, unsigned family, ir_u128 addr)
{
	const struct eval_net *nets = family == IR_F_IPV6 ? e->nets6 : e->nets;
	size_t lo = 0, hi = family == IR_F_IPV6 ? e->n_nets6 : e->n_nets;

	/* the last network starting at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ir_net_lo(nets[mid].net) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && addr <= ir_net_hi(nets[lo - 1].net))
		return &nets[lo - 1];
	return NULL;
}

/* A wildcard `ppp+` must not cover an interface of another role. */
static void check_wildcards(struct eval *e)
{
	size_t i, j;

	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *w = &e->ir->ifaces[i];
		size_t len = strlen(w->name) - 1;

		if (w->name[len] != '+')
			continue;
		for (j = 0; j < e->ir->n_ifaces; j++) {
			const struct ir_iface *x = &e->ir->ifaces[j];

			if (j == i || x->role == w->role || strncmp(x->name, w->name, len) != 0)
				continue;
			diag_error(&w->loc, "%s '%s' also matches %s interface '%s'", eval_role_name(w->role),
				   w->name, eval_role_name(x->role), x->name);
			diag_note(&x->loc, "'%s' declared here", x->name);
		}
	}
}

/* The first statement of @kind, for errors about what is missing. */
static const struct loc *first_loc(const struct ast_file *f, enum ast_kind kind)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->stmts[i].kind == kind)
			return &f->stmts[i].loc;
	return f->n ? &f->stmts[0].loc : NULL;
}

/* Whether a statement of @kind exists, even one with errors (no cascade). */
static bool has_kind(const struct ast_file *f, enum ast_kind kind)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->stmts[i].kind == kind)
			return true;
	return false;
}

void eval_check_roles(struct eval *e, const struct ast_file *f)
{
	size_t i;

	for (i = 0; i < e->ir->n_ifaces; i++)
		if (e->ir->ifaces[i].role == IR_INTERNAL)
			e->n_internal++;
	if (!e->n_external && !has_kind(f, AST_EXTERNAL))
		diag_error(first_loc(f, AST_INTERNAL),
			   "the policy has no 'external' interface (the one that faces the "
			   "Internet)");
	if (!e->n_internal && !has_kind(f, AST_INTERNAL))
		diag_error(first_loc(f, AST_EXTERNAL),
			   "the policy has no 'internal' interface (a LAN behind the gateway)");
	check_wildcards(e);
	check_networks(e);
	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *x = &e->ir->ifaces[i];
		const struct eval_net *n = x->addr ? eval_net_of(e, IR_F_IPV4, x->addr) : NULL;
		char ip[16], net[IR_ADDR_STRLEN];

		if (n)
			diag_error(&x->loc, "external '%s' has address %s inside internal network '%s'",
				   x->name, ir_ip_str(x->addr, ip), ir_net_str(n->net, net));
	}
}
