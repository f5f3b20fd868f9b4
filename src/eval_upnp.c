// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eval_upnp.c - the `upnp` line: which internal interface miniupnpd
 * serves, the external interface its mappings arrive on, the ports and
 * the sources that may map (LANGUAGE.md "Gateway features"). miniupnpd
 * reads one interface name for each side and IPv4 ADDR/MASK permission
 * lines, so wildcards and IPv6 have no place here.
 */
#include "eval.h"
#include "util.h"
#include "value.h"

#include <string.h>

#define UPNP_PORT_LO 1024
#define UPNP_PORT_HI 65535

/* The interface @w names, when it is declared with @role and is no wildcard. */
static const struct ir_iface *upnp_iface(struct eval *e, const struct ast_word *w,
					 enum ir_role role, const char *kw)
{
	const struct ir_iface *ifc;

	if (value_iface(w) < 0)
		return NULL;
	ifc = eval_iface(e, ir_intern(e->ir, w->text));
	if (!ifc) {
		diag_error(&w->loc, "'%s %s' must name %s interface; '%s' is not declared", kw,
			   w->text, role == IR_INTERNAL ? "an internal" : "an external", w->text);
		return NULL;
	}
	if (ifc->role != role) {
		diag_error(&w->loc, "'%s %s' must name %s interface, not %s %s one%s", kw,
			   w->text, role == IR_INTERNAL ? "an internal" : "an external",
			   ifc->role == IR_PASSTHROUGH ? "a" : "an", eval_role_name(ifc->role),
			   role == IR_INTERNAL && ifc->role == IR_EXTERNAL
				   ? " (UPnP on the Internet side would let anyone open ports)"
				   : "");
		return NULL;
	}
	if (ifc->name[strlen(ifc->name) - 1] == '+') {
		diag_error(&w->loc, "'%s %s' is a wildcard: miniupnpd needs one interface name",
			   kw, w->text);
		return NULL;
	}
	return ifc;
}

/* `ext IFACE`, or the only external interface. */
static const struct ir_iface *upnp_ext(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *w = eval_one(st, AST_S_EXT, "interface");
	const struct ir_iface *ifc = NULL;
	size_t i;

	if (w)
		return upnp_iface(e, w, IR_EXTERNAL, "ext");
	if (e->n_external > 1) {
		diag_error(&st->loc, "with several external interfaces, 'upnp' must say 'ext "
				     "IFACE' (miniupnpd maps ports on one)");
		return NULL;
	}
	for (i = 0; i < e->ir->n_ifaces && !ifc; i++)
		if (e->ir->ifaces[i].role == IR_EXTERNAL)
			ifc = &e->ir->ifaces[i];
	if (ifc && ifc->name[strlen(ifc->name) - 1] == '+') {
		diag_error(&st->loc, "external '%s' is a wildcard: 'upnp' needs 'ext IFACE' "
				     "naming one interface", ifc->name);
		return NULL;
	}
	return ifc;
}

/* Is IPv4 @a inside one of @ifc's networks? */
static bool upnp_in_lan(const struct ir_iface *ifc, const struct ir_addr *a)
{
	size_t i;

	for (i = 0; i < ifc->n_nets; i++)
		if (ir_net_lo(&ifc->nets[i]) <= a->lo && a->hi <= ir_net_hi(&ifc->nets[i]))
			return true;
	return false;
}

/* `allow SOURCES`, each inside the served interface's networks; else those networks. */
static int upnp_allow(struct eval *e, const struct ast_stmt *st, const struct ir_iface *lan)
{
	const struct ast_list *l = ast_get(st, AST_S_SOURCES);
	struct ir_addrs *out = &e->ir->upnp.allow;
	int rc = 0;
	size_t i;

	if (!l) {
		for (i = 0; i < lan->n_nets; i++)
			*VEC_PUSH(out->v, out->n, out->cap) =
			    ir_addr_make(IR_F_IPV4, ir_net_lo(&lan->nets[i]),
					 ir_net_hi(&lan->nets[i]), &lan->nets[i].loc);
		return 0;
	}
	if (eval_addr_list(l, IR_F_IPV4, "miniupnpd maps IPv4 only", out) < 0)
		return -1;
	for (i = 0; i < out->n; i++) {
		if (upnp_in_lan(lan, &out->v[i]))
			continue;
		diag_error(&out->v[i].loc, "'allow' source is not inside a network of '%s': "
					   "miniupnpd answers only that LAN", lan->name);
		rc = -1;
	}
	eval_set_addrs(out, true);
	return rc;
}

void eval_upnp(struct eval *e, const struct ast_stmt *st)
{
	struct ir_upnp *u = &e->ir->upnp;
	const struct ast_word *on = eval_one(st, AST_S_ON, "interface");
	const struct ast_word *ports = eval_one(st, AST_S_PORTS, "port range");
	const struct ir_iface *lan = on ? upnp_iface(e, on, IR_INTERNAL, "upnp on") : NULL;
	const struct ir_iface *ext = upnp_ext(e, st);
	bool ok = ext != NULL;

	u->lo = UPNP_PORT_LO;
	u->hi = UPNP_PORT_HI;
	if (ports && value_ports(ports, &u->lo, &u->hi) < 0)
		ok = false;
	if (!lan)
		return;
	if (!lan->n_nets) {
		diag_error(&on->loc, "'%s' has no IPv4 network: miniupnpd maps IPv4 only",
			   lan->name);
		return;
	}
	if (upnp_allow(e, st, lan) < 0 || !ok)
		return;
	u->iface = lan->name;
	u->ext = ext->name;
	u->loc = st->loc;
}
