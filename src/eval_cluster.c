// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eval_cluster.c - one node of an active/backup pair (LANGUAGE.md,
 * "Cluster"): the `cluster` statement, the virtual addresses of the
 * interfaces, and the checks that keep the pair able to move: every
 * external static with a virtual address, VRRP on an internal interface,
 * the sync never over the Internet.
 */
#include "ast_syntax.h"
#include "eval.h"
#include "util.h"
#include "value.h"

#include <string.h>

#define PRIORITY_MAX 254	/* 255 is the address owner's, 0 means "release" */
#define VRID_MAX 255

static void cluster_stmt(struct eval *e, const struct ast_stmt *st)
{
	struct ir_cluster *cl = &e->ir->cluster;
	const struct ast_word *name = eval_one(st, AST_S_NAME, "name");
	const struct ast_word *prio = eval_one(st, AST_S_PRIORITY, "priority");
	const struct ast_word *peer = eval_one(st, AST_S_PEER, "address");
	const struct ast_word *sync = eval_one(st, AST_S_SYNC, "interface");
	const struct ast_word *id = eval_one(st, AST_S_ID, "number");
	unsigned long n;

	cl->present = true;
	cl->loc = st->loc;
	cl->vrid = IR_VRRP_DEFAULT_ID;
	if (name && !ast_is_name(name->text))
		diag_error(&name->loc, "'%s' is not a valid cluster name: use letters, digits, "
			   "'_' and '-', starting with a letter or '_'", name->text);
	else if (name)
		cl->name = ir_intern(e->ir, name->text);
	if (prio && value_number(prio, 1, PRIORITY_MAX, "VRRP priority", &n) == 0)
		cl->priority = (unsigned)n;
	if (id && value_number(id, 1, VRID_MAX, "VRRP router id", &n) == 0)
		cl->vrid = (unsigned)n;
	if (peer && eval_host_addr(peer, &cl->peer) < 0)
		cl->peer = 0;
	if (sync && value_iface(sync) == 0) {
		if (sync->text[strlen(sync->text) - 1] == '+')
			diag_error(&sync->loc, "'sync' names one interface, not the wildcard '%s'",
				   sync->text);
		else
			cl->sync = ir_intern(e->ir, sync->text);
	}
	e->cluster_sync_loc = sync ? sync->loc : st->loc;
	e->cluster_peer_loc = peer ? peer->loc : st->loc;
}

void eval_cluster(struct eval *e, const struct ast_file *f)
{
	const struct ast_stmt *first = NULL;
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct ast_stmt *st = &f->stmts[i];

		if (st->kind != AST_CLUSTER)
			continue;
		if (first) {
			diag_error(&st->loc, "'cluster' is already set; a policy is one node of "
					     "one pair");
			diag_note(&first->loc, "first set here");
			continue;
		}
		first = st;
		cluster_stmt(e, st);
	}
}

/* An external's `address`/`virtual` in a cluster; @addr is already in ifc->addr. */
static void external_virtual(struct eval *e, struct ir_iface *ifc, const struct ast_stmt *st,
			     const struct ast_word *addr, const struct ast_word *virt)
{
	uint32_t v;

	if (!addr) {
		diag_error(&st->loc, "external '%s' is dynamic, but a cluster moves a static "
			   "address between its nodes: write 'address A virtual V'", ifc->name);
		return;
	}
	if (!virt) {
		diag_error(&addr->loc, "in a cluster, external '%s' needs 'virtual V': the "
			   "address that moves with the active node (outgoing traffic is "
			   "SNATed to it)", ifc->name);
		return;
	}
	if (eval_host_addr(virt, &v) < 0 || !ifc->addr)
		return;
	if (v == ifc->addr) {
		diag_error(&virt->loc, "the virtual address of '%s' must differ from this "
			   "node's own address %s", ifc->name, addr->text);
		return;
	}
	ifc->node_addr = ifc->addr;
	ifc->addr = ifc->virt = v;
	ifc->virt_len = 32;
}

/* An internal's `virtual`: a host of one of its IPv4 networks, not the node's own. */
static void internal_virtual(struct eval *e, struct ir_iface *ifc, const struct ast_word *virt)
{
	bool was_bad = e->cluster_bad_virt;
	char buf[IR_ADDR_STRLEN];
	uint32_t v;
	size_t i;

	e->cluster_bad_virt = true;
	if (ifc->virt) {
		diag_error(&virt->loc, "internal '%s' already has a virtual address", ifc->name);
		return;
	}
	if (eval_host_addr(virt, &v) < 0)
		return;
	for (i = 0; i < ifc->n_nets; i++) {
		const struct ir_net *n = &ifc->nets[i];
		uint32_t lo = (uint32_t)ir_net_lo(n), hi = (uint32_t)ir_net_hi(n);

		if (v < lo || v > hi)
			continue;
		if (n->len < 31 && (v == lo || v == hi)) {
			diag_error(&virt->loc, "virtual address %s is the network or broadcast "
				   "address of %s", virt->text, ir_net_str(n, buf));
			return;
		}
		if (v == n->gw) {
			diag_error(&virt->loc, "virtual address %s is this node's own address on "
				   "'%s'; the virtual one moves between the nodes and must differ",
				   virt->text, ifc->name);
			return;
		}
		ifc->virt = v;
		ifc->virt_len = n->len;
		ifc->node_addr = n->gw;
		e->cluster_bad_virt = was_bad;
		return;
	}
	diag_error(&virt->loc, "virtual address %s is outside the networks of internal '%s'",
		   virt->text, ifc->name);
	for (i = 0; i < ifc->n_nets; i++)
		diag_note(&ifc->nets[i].loc, "network %s", ir_net_str(&ifc->nets[i], buf));
}

void eval_iface_virtual(struct eval *e, struct ir_iface *ifc, const struct ast_stmt *st)
{
	const struct ast_word *virt = eval_one(st, AST_S_VIRTUAL, "address");

	if (!e->ir->cluster.present) {
		if (virt)
			diag_error(&virt->loc, "'virtual' belongs to a cluster: the policy has no "
				   "'cluster' statement");
		return;
	}
	if (ifc->name[strlen(ifc->name) - 1] == '+' && (virt || ifc->role == IR_EXTERNAL)) {
		diag_error(virt ? &virt->loc : &st->loc, "'%s' is a wildcard: keepalived moves a "
			   "cluster's virtual address onto one interface, so name it", ifc->name);
		/* an internal's `virtual` was written, just not usable */
		if (ifc->role == IR_INTERNAL)
			e->cluster_bad_virt = true;
		return;
	}
	if (ifc->role == IR_EXTERNAL)
		external_virtual(e, ifc, st, eval_one(st, AST_S_ADDRESS, "address"), virt);
	else if (virt)
		internal_virtual(e, ifc, virt);
}

/* The interface holding  as this node's own address (or, with , as a virtual one). */
static const struct ir_iface *holder(const struct ir *ir, uint32_t a, bool virt)
{
	size_t i;

	for (i = 0; a && i < ir->n_ifaces; i++) {
		const struct ir_iface *x = &ir->ifaces[i];

		if (x->node_addr == a || (virt && x->virt == a))
			return x;
	}
	return NULL;
}

int eval_cluster_public(struct eval *e, const struct ast_word *w, uint32_t addr)
{
	const struct ir_iface *x = holder(e->ir, addr, false);
	char ip[16];

	if (!e->ir->cluster.present || !x)
		return 0;
	diag_error(&w->loc, "'%s' is this node's own address on '%s', which stays behind "
		   "when the other node takes over: use its virtual address %s",
		   w->text, x->name, ir_ip_str(x->virt, ip));
	return -1;
}

/* The peer is none of this node's addresses. */
static void check_peer(struct eval *e)
{
	const struct ir_cluster *cl = &e->ir->cluster;
	const struct ir_iface *x = holder(e->ir, cl->peer, true);
	char ip[16];

	if (x)
		diag_error(&e->cluster_peer_loc, "peer %s is an address of this node ('%s'): "
			   "name the other node's address on the sync interface",
			   ir_ip_str(cl->peer, ip), x->name);
}

void eval_check_cluster(struct eval *e)
{
	struct ir_cluster *cl = &e->ir->cluster;
	const struct ir_iface *sync;
	size_t i;

	if (!cl->present)
		return;
	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *x = &e->ir->ifaces[i];

		if (x->role != IR_INTERNAL)
			continue;
		if (x->virt && !cl->vrrp)
			cl->vrrp = x->name;
		else if (!x->virt && !e->cluster_bad_virt)
			diag_warning(&x->loc, "internal '%s' has no 'virtual' address: its hosts "
				     "lose their gateway when the other node takes over", x->name);
	}
	if (!cl->vrrp && e->n_internal && !e->cluster_bad_virt)
		diag_error(&cl->loc, "a cluster needs an internal interface with a 'virtual' "
				     "address: VRRP runs there (never on the Internet side)");
	sync = cl->sync ? eval_iface(e, cl->sync) : NULL;
	if (sync && sync->role == IR_EXTERNAL) {
		diag_error(&e->cluster_sync_loc, "'sync' names external '%s': the connection "
			   "state must not cross the Internet; use a link between the nodes or "
			   "an internal interface", sync->name);
		diag_note(&sync->loc, "'%s' declared here", sync->name);
	}
	check_peer(e);
}
