// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_lower.c - the IR as a model of masqgen's nftables tables: tables,
 * conntrack objects, the NAT chains and the forward maps. The filter
 * chains are in nft_lower_filter.c.
 *
 * Forwards cost one map lookup per external interface, whatever their
 * number: a map keyed by `meta l4proto . th dport` (exact match, a port
 * range expanded port by port) gives `ip daddr . th dport`. Only forwards
 * with `from` and forwards of gre/esp/ah get rules of their own.
 */
#include "ir.h"
#include "nft.h"
#include "nft_model.h"
#include "util.h"

#include <linux/netfilter.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool is_port_forward(const struct ir_forward *f)
{
	return f->proto == IR_P_TCP || f->proto == IR_P_UDP;
}

/* @prefix and the interface name as an nft identifier ('+' becomes "_all"). */
static char *iface_ident(const char *prefix, const char *iface)
{
	struct strbuf sb = {0};
	const char *p;

	sb_add(&sb, prefix);
	for (p = iface; *p; p++) {
		if (*p == '+')
			sb_add(&sb, "_all");
		else
			sb_addn(&sb, p, 1);
	}
	return sb.buf;
}

/* @base, or @base_N when a set has that name ("ppp+" and "ppp_all", "fwd_reflect"). */
static char *unique_name(const struct nft_table *t, char *base)
{
	char *name;
	unsigned n;

	if (nft_set_find(t, base) == SIZE_MAX)
		return base;
	for (n = 2;; n++) {
		name = xasprintf("%s_%u", base, n);
		if (nft_set_find(t, name) == SIZE_MAX)
			break;
		free(name);
	}
	free(base);
	return name;
}

/* The port-by-port map elements of forward @f. */
static void forward_elems(struct nft_set *s, const struct ir_forward *f)
{
	struct nft_elem *e;
	uint32_t p;

	for (p = f->lo; p <= f->hi; p++) {
		e = nft_elem_add(s, nft_elem_comment(&f->loc));
		e->k[0] = f->proto;
		e->k[1] = p;
		e->d[0] = f->host;
		e->d[1] = f->to_lo + (p - f->lo);
	}
}

/*
 * The named sets that recognize connections masqgen's forwards translated:
 * fwd_admit_tcp and fwd_admit_udp for the forward chain's admission of
 * port forwards without `from` (a forward with `from` gets a rule and set
 * of its own there), fwd_proto_targets (`ip daddr . meta l4proto`) for
 * gre/esp/ah forwards without `from`, and fwd_targets (`ip daddr . meta
 * l4proto . th dport`, after DNAT) for helper assignment.
 */
static void lower_targets(struct nft_lower *lc)
{
	static const char *const admit_names[2] = {"fwd_admit_tcp", "fwd_admit_udp"};
	struct nft_table *t = &lc->m->t[NFT_FAM_IP];
	const struct ir *ir = lc->ir;
	struct nft_elem *e;
	size_t i, k, tg = SIZE_MAX, ptg = SIZE_MAX;
	uint32_t p;

	lc->admit[0] = lc->admit[1] = SIZE_MAX;
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];

		if (!is_port_forward(f)) {
			if (f->from.n || f->limit.rate)
				continue;
			if (ptg == SIZE_MAX)
				ptg = nft_set_new(t, xstrdup("fwd_proto_targets"),
						  NFT_SK_PROTO_TARGET);
			e = nft_elem_add(&t->sets[ptg], nft_elem_comment(&f->loc));
			e->k[0] = f->host;
			e->k[1] = f->proto;
			continue;
		}
		k = f->proto == IR_P_UDP;
		if (!f->from.n && !f->limit.rate) {
			if (lc->admit[k] == SIZE_MAX) {
				lc->admit[k] = nft_set_new(t, xstrdup(admit_names[k]), NFT_SK_ADMIT);
				nft_set_reserve(&t->sets[lc->admit[k]], ir->n_forwards - i);
			}
			nft_admit_elems(&t->sets[lc->admit[k]], f);
		}
		if (!ir->n_helpers)
			continue;
		if (tg == SIZE_MAX)
			tg = nft_set_new(t, xstrdup("fwd_targets"), NFT_SK_TARGET);
		for (p = f->to_lo; p <= (uint32_t)f->to_lo + (f->hi - f->lo); p++) {
			e = nft_elem_add(&t->sets[tg], nft_elem_comment(&f->loc));
			e->k[0] = f->host;
			e->k[1] = f->proto;
			e->k[2] = p;
		}
	}
	for (k = 0; k < 2; k++)
		if (lc->admit[k] != SIZE_MAX)
			nft_set_normalize(t, lc->admit[k], false);
	if (tg != SIZE_MAX)
		nft_set_normalize(t, tg, false);
	if (ptg != SIZE_MAX)
		nft_set_normalize(t, ptg, false);
	lc->targets = tg;
	lc->proto_targets = ptg;
}

/* All internal networks as address ranges (for `ip daddr != ...`). */
static void internal_nets(const struct ir *ir, const struct ir_iface *only, struct ir_addrs *out)
{
	struct ir_addr *a;
	size_t i, j;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &ir->ifaces[i];

		if (ifc->role != IR_INTERNAL || (only && ifc != only))
			continue;
		for (j = 0; j < ifc->n_nets; j++) {
			const struct ir_net *n = &ifc->nets[j];

			a = VEC_PUSH(out->v, out->n, out->cap);
			*a = ir_addr_make(IR_F_IPV4, ir_net_lo(n), ir_net_hi(n), &n->loc);
		}
	}
}

/* The rule that DNATs forwarded traffic arriving on external @ifc. */
static struct nft_rule *fwd_rule(struct nft_lower *lc, struct nft_chain *c,
				 const struct ir_iface *ifc, char *comment, const struct loc *loc)
{
	struct nft_table *t = &lc->m->t[NFT_FAM_IP];
	struct nft_rule *r = nft_rule_add(c, comment, loc);
	struct ir_addrs pub = {0};
	struct ir_addr *a;
	size_t i;

	nft_match_ifname(r, NFT_SEL_IIFNAME, ifc->name);
	if (!ifc->dynamic && ifc->addr) {
		nft_match_eq(r, NFT_SEL_DADDR, ifc->addr);
		return r;
	}
	nft_match_flag(r, NFT_SEL_FIB_LOCAL_IIF);
	/* the 1:1 DNAT before already took these; say so in the rule as well */
	for (i = 0; i < lc->ir->n_nat1to1; i++) {
		a = VEC_PUSH(pub.v, pub.n, pub.cap);
		*a = ir_addr_make(IR_F_IPV4, lc->ir->nat1to1[i].public_addr,
				  lc->ir->nat1to1[i].public_addr, &lc->ir->nat1to1[i].loc);
	}
	nft_match_addrs(t, r, NFT_SEL_DADDR, &pub, true, xstrdup("onetoone_public"));
	free(pub.v);
	return r;
}

/* The rule that reflects forwards for LAN hosts on internal @ifc. */
static struct nft_rule *reflect_rule(struct nft_lower *lc, struct nft_chain *c,
				     const struct ir_iface *ifc, char *comment,
				     const struct loc *loc)
{
	struct nft_table *t = &lc->m->t[NFT_FAM_IP];
	struct nft_rule *r = nft_rule_add(c, comment, loc);
	struct ir_addrs nets = {0};
	struct ir_addr *a;

	nft_match_ifname(r, NFT_SEL_IIFNAME, ifc->name);
	/* static externals: exactly their addresses, never docker0's or a VPN's */
	if (ir_external_addrs(lc->ir, &nets)) {
		nft_match_addrs(t, r, NFT_SEL_DADDR, &nets, false, xstrdup("external_addrs"));
		free(nets.v);
		return r;
	}
	nft_match_flag(r, NFT_SEL_FIB_LOCAL);
	/* never the gateway's LAN addresses, nor loopback (a LAN host's 127.x) */
	internal_nets(lc->ir, NULL, &nets);
	a = VEC_PUSH(nets.v, nets.n, nets.cap);
	*a = ir_addr_make(IR_F_IPV4, 0x7f000000, 0x7fffffff, NULL);
	nft_match_addrs(t, r, NFT_SEL_DADDR, &nets, true, xstrdup("internal_nets"));
	free(nets.v);
	return r;
}

/*
 * A forward with `from` or of gre/esp/ah: its own rule after @r's
 * matches. Port forwards DNAT through an anonymous map of their ports.
 */
static void forward_own_rule(struct nft_table *t, struct nft_rule *r, const struct ir_forward *f,
			     char *from_set)
{
	struct nft_stmt *s;
	size_t idx;

	nft_match_addrs(t, r, NFT_SEL_SADDR, &f->from, false, from_set);
	if (!is_port_forward(f)) {
		nft_match_eq(r, NFT_SEL_L4PROTO, f->proto);
		s = nft_stmt_add(r, NFT_S_DNAT);
		s->a = f->host;
		return;
	}
	idx = nft_set_new(t, NULL, NFT_SK_FWD_MAP);
	forward_elems(&t->sets[idx], f);
	nft_set_normalize(t, idx, false);
	nft_stmt_add(r, NFT_S_DNAT_MAP)->set = idx;
}

static void lower_onetoone(struct nft_lower *lc, struct nft_chain *c)
{
	const struct ir *ir = lc->ir;
	struct nft_rule *r;
	size_t i;

	for (i = 0; i < ir->n_nat1to1; i++) {
		const struct ir_nat1to1 *n = &ir->nat1to1[i];

		/* no iifname: LAN hosts dialling PUBLIC are reflected too */
		r = nft_rule_add(c, nft_comment(&n->loc, "nat"), &n->loc);
		nft_match_eq(r, NFT_SEL_DADDR, n->public_addr);
		nft_stmt_add(r, NFT_S_DNAT)->a = n->private_addr;
	}
}

/*
 * The map reflection uses: an external interface's own map when it holds
 * exactly the reflected forwards (the usual single-uplink gateway), else
 * a map of its own.
 */
static size_t reflect_map(struct nft_lower *lc, const size_t *iface_map)
{
	struct nft_table *t = &lc->m->t[NFT_FAM_IP];
	const struct ir *ir = lc->ir;
	const char *iif = NULL;
	bool one_iface = true, any = false;
	size_t i, idx;

	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];

		if (!is_port_forward(f) || f->from.n)
			continue;
		if (!f->reflect) {
			one_iface = false;
			continue;
		}
		any = true;
		if (iif && strcmp(iif, f->iif) != 0)
			one_iface = false;
		iif = f->iif;
	}
	if (!any)
		return SIZE_MAX;
	if (one_iface) {
		for (i = 0; i < ir->n_ifaces; i++)
			if (strcmp(ir->ifaces[i].name, iif) == 0 &&
			    ir->ifaces[i].role == IR_EXTERNAL && iface_map[i] != SIZE_MAX)
				return iface_map[i];
	}
	idx = nft_set_new(t, unique_name(t, xstrdup("fwd_reflect")), NFT_SK_FWD_MAP);
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];

		if (is_port_forward(f) && !f->from.n && f->reflect)
			forward_elems(&t->sets[idx], f);
	}
	nft_set_normalize(t, idx, false);
	return idx;
}

/* Whether a forward's `from` admits hosts of internal @ifc (else it cannot reflect there). */
static bool from_has_lan(const struct ir *ir, const struct ir_iface *ifc,
			 const struct ir_addrs *from)
{
	struct ir_addrs nets = {0};
	bool hit = false;
	size_t i, j;

	internal_nets(ir, ifc, &nets);
	for (i = 0; i < from->n && !hit; i++)
		for (j = 0; j < nets.n && !hit; j++)
			hit = from->v[i].lo <= nets.v[j].hi && nets.v[j].lo <= from->v[i].hi;
	free(nets.v);
	return hit;
}

/* prerouting, dstnat (-100): 1:1 DNAT; forwards; reflection. */
static void lower_dstnat(struct nft_lower *lc)
{
	struct nft_table *t = &lc->m->t[NFT_FAM_IP];
	const struct ir *ir = lc->ir;
	size_t i, j, *iface_map, rmap;
	struct nft_chain *c;
	struct nft_rule *r;
	bool reflects = false;

	c = nft_chain_begin(t, "dstnat", true, NFT_HOOK_PREROUTING, -100, false);
	lower_onetoone(lc, c);
	iface_map = xmalloc((ir->n_ifaces + 1) * sizeof(*iface_map));
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &ir->ifaces[i];
		size_t map = SIZE_MAX;

		iface_map[i] = SIZE_MAX;
		if (ifc->role != IR_EXTERNAL)
			continue;
		for (j = 0; j < ir->n_forwards; j++) {
			const struct ir_forward *f = &ir->forwards[j];

			if (strcmp(f->iif, ifc->name) != 0)
				continue;
			reflects |= f->reflect;
			if (f->from.n || !is_port_forward(f)) {
				r = fwd_rule(lc, c, ifc, nft_comment(&f->loc, "forward"), &f->loc);
				forward_own_rule(t, r, f, xasprintf("forward_%zu_from", j + 1));
				continue;
			}
			if (map == SIZE_MAX) {
				map = nft_set_new(t, unique_name(t, iface_ident("fwd_", ifc->name)),
						  NFT_SK_FWD_MAP);
				nft_set_reserve(&t->sets[map], ir->n_forwards - j);
			}
			forward_elems(&t->sets[map], f);
		}
		if (map == SIZE_MAX)
			continue;
		nft_set_normalize(t, map, false);
		iface_map[i] = map;
		r = fwd_rule(lc, c, ifc, xasprintf("forwards on %s", ifc->name), NULL);
		nft_stmt_add(r, NFT_S_DNAT_MAP)->set = map;
	}

	/* reflection: LAN hosts reaching forwards through a public address */
	rmap = reflects ? reflect_map(lc, iface_map) : SIZE_MAX;
	for (i = 0; reflects && i < ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &ir->ifaces[i];

		if (ifc->role != IR_INTERNAL)
			continue;
		for (j = 0; j < ir->n_forwards; j++) {
			const struct ir_forward *f = &ir->forwards[j];

			if (!f->reflect || (!f->from.n && is_port_forward(f)) ||
			    (f->from.n && !from_has_lan(ir, ifc, &f->from)))
				continue;
			r = reflect_rule(lc, c, ifc, nft_comment(&f->loc, "forward"), &f->loc);
			forward_own_rule(t, r, f, xasprintf("forward_%zu_from", j + 1));
		}
		if (rmap == SIZE_MAX)
			continue;
		r = reflect_rule(lc, c, ifc, xasprintf("reflection on %s", ifc->name), NULL);
		nft_stmt_add(r, NFT_S_DNAT_MAP)->set = rmap;
	}
	free(iface_map);
	nft_chain_end(t);
}

/* postrouting, srcnat (100): reflection masquerade; 1:1 SNAT; masquerade/SNAT. */
static void lower_srcnat(struct nft_lower *lc)
{
	struct nft_table *t = &lc->m->t[NFT_FAM_IP];
	const struct ir *ir = lc->ir;
	bool reflects = ir->n_nat1to1 > 0;
	struct nft_chain *c;
	struct nft_rule *r;
	size_t i;

	for (i = 0; i < ir->n_forwards; i++)
		reflects |= ir->forwards[i].reflect;
	c = nft_chain_begin(t, "srcnat", true, NFT_HOOK_POSTROUTING, 100, false);
	for (i = 0; reflects && i < ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &ir->ifaces[i];
		struct ir_addrs nets = {0};

		if (ifc->role != IR_INTERNAL)
			continue;
		/* translated back into the LAN it came from: make replies return here */
		r = nft_rule_add(c, xasprintf("reflection on %s", ifc->name), NULL);
		nft_match_ifname(r, NFT_SEL_OIFNAME, ifc->name);
		internal_nets(ir, ifc, &nets);
		nft_match_addrs(t, r, NFT_SEL_SADDR, &nets, false,
				iface_ident("nets_", ifc->name));
		free(nets.v);
		nft_match_flag(r, NFT_SEL_CT_DNAT);
		nft_stmt_add(r, NFT_S_MASQ);
	}
	for (i = 0; i < ir->n_nat1to1; i++) {
		const struct ir_nat1to1 *n = &ir->nat1to1[i];

		r = nft_rule_add(c, nft_comment(&n->loc, "nat"), &n->loc);
		nft_match_ifname(r, NFT_SEL_OIFNAME, n->iif);
		nft_match_eq(r, NFT_SEL_SADDR, n->private_addr);
		nft_stmt_add(r, NFT_S_SNAT)->a = n->public_addr;
	}
	for (i = 0; i < ir->n_snats; i++) {
		const struct ir_snat *s = &ir->snats[i];

		r = nft_rule_add(c, nft_comment(&s->loc, "masquerade"), &s->loc);
		nft_match_ifname(r, NFT_SEL_OIFNAME, s->oif);
		nft_match_addrs(t, r, NFT_SEL_SADDR, &s->sources, false,
				xasprintf("masquerade_%zu_from", i + 1));
		if (s->to)
			nft_stmt_add(r, NFT_S_SNAT)->a = s->to;
		else
			nft_stmt_add(r, NFT_S_MASQ);
	}
	nft_chain_end(t);
}

/* "helper_" and the kernel name in lower case without punctuation: "Q.931" -> q931. */
static char *helper_obj_name(const char *kname, uint8_t proto, bool both)
{
	struct strbuf sb = {0};
	const char *p;

	sb_add(&sb, "helper_");
	for (p = kname; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			sb_addf(&sb, "%c", *p - 'A' + 'a');
		else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
			sb_addn(&sb, p, 1);
	}
	if (both)
		sb_addf(&sb, "_%s", nft_proto_name(proto));
	return sb.buf;
}

static bool helper_has_proto(const struct ir *ir, const char *kname, uint8_t proto)
{
	size_t i, j;

	for (i = 0; i < ir->n_helpers; i++)
		for (j = 0; j < ir->helpers[i].ports.n; j++)
			if (strcmp(ir->helpers[i].kname, kname) == 0 &&
			    ir->helpers[i].ports.v[j].proto == proto)
				return true;
	return false;
}

/* The ct helper object for (@kname, @proto), created on first use. */
static const char *helper_obj(struct nft_table *t, const struct ir *ir, const struct ir_helper *h,
			      uint8_t proto)
{
	bool both = helper_has_proto(ir, h->kname, IR_P_TCP) &&
		    helper_has_proto(ir, h->kname, IR_P_UDP);
	struct nft_helper_obj *o;
	char *name = helper_obj_name(h->kname, proto, both);
	size_t i;

	for (i = 0; i < t->n_helpers; i++) {
		if (strcmp(t->helpers[i].name, name) == 0) {
			free(name);
			return t->helpers[i].name;
		}
	}
	o = VEC_PUSH(t->helpers, t->n_helpers, t->cap_helpers);
	o->name = name;
	o->kname = h->kname;
	o->proto = proto;
	o->loc = h->loc;
	return name;
}

static void helper_stmt(struct nft_rule *r, const char *obj)
{
	nft_stmt_add(r, NFT_S_CT_HELPER)->str = obj;
}

/*
 * Helper assignment in table @fam: new connections to a helper's ports
 * that start on an internal network (IPv6: on an internal interface) or
 * that a forward brought in (IPv4: matched after DNAT, so the port is the
 * server's), in prerouting; and the gateway's own, in @out (the output
 * chain).
 */
static void lower_helpers(struct nft_lower *lc, enum nft_fam fam, struct nft_chain *pre,
			  struct nft_chain *out)
{
	static const uint8_t protos[] = {IR_P_TCP, IR_P_UDP};
	struct nft_table *t = &lc->m->t[fam];
	const struct ir *ir = lc->ir;
	struct nft_chain *c;
	struct nft_rule *r;
	size_t i, j, k;

	for (i = 0; i < ir->n_helpers; i++) {
		const struct ir_helper *h = &ir->helpers[i];

		if (fam == NFT_FAM_IP6 && !h->ipv6)
			continue;
		for (k = 0; k < ARRAY_SIZE(protos); k++) {
			enum nft_sel sel = protos[k] == IR_P_TCP ? NFT_SEL_TCP_DPORT
								 : NFT_SEL_UDP_DPORT;
			const char *obj;

			if (!helper_has_proto(ir, h->kname, protos[k]))
				continue;
			for (j = 0; j < h->ports.n && h->ports.v[j].proto != protos[k]; j++)
				;
			if (j == h->ports.n)
				continue;
			obj = helper_obj(t, ir, h, protos[k]);
			for (j = 0; pre && j < ir->n_ifaces; j++) {
				const struct ir_iface *ifc = &ir->ifaces[j];
				struct ir_addrs nets = {0};

				if (ifc->role != IR_INTERNAL)
					continue;
				r = nft_rule_add(pre, nft_comment(&h->loc, "helper"), &h->loc);
				nft_match_eq(r, NFT_SEL_CT_STATE, IR_CT_NEW);
				nft_match_ifname(r, NFT_SEL_IIFNAME, ifc->name);
				if (fam == NFT_FAM_IP) {
					internal_nets(ir, ifc, &nets);
					nft_match_addrs(t, r, NFT_SEL_SADDR, &nets, false,
							iface_ident("nets_", ifc->name));
					free(nets.v);
				}
				nft_match_ports(t, r, sel, &h->ports, protos[k], NULL);
				helper_stmt(r, obj);
			}
			if (pre && fam == NFT_FAM_IP && lc->targets != SIZE_MAX) {
				struct nft_match *m;

				r = nft_rule_add(pre, nft_comment(&h->loc, "helper"), &h->loc);
				nft_match_eq(r, NFT_SEL_CT_STATE, IR_CT_NEW);
				nft_match_flag(r, NFT_SEL_CT_DNAT);
				m = nft_match_add(r, NFT_SEL_TARGET, NFT_V_SET);
				m->set = lc->targets;
				nft_match_ports(t, r, sel, &h->ports, protos[k], NULL);
				helper_stmt(r, obj);
			}
			c = out;
			if (!c)
				continue;
			r = nft_rule_add(c, nft_comment(&h->loc, "helper"), &h->loc);
			nft_match_eq(r, NFT_SEL_CT_STATE, IR_CT_NEW);
			nft_match_ports(t, r, sel, &h->ports, protos[k], NULL);
			helper_stmt(r, obj);
		}
	}
}

/*
 * Not to or from a passthrough interface: neither arriving on one nor
 * routed to one (`fib daddr oifname`: after dstnat, so another tool's DNAT
 * to its own bridge counts too).
 */
static void match_not_passthrough(struct nft_rule *r, const struct ir *ir)
{
	static const enum nft_sel sels[] = {NFT_SEL_IIFNAME, NFT_SEL_FIB_OIFNAME};
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(sels); k++) {
		for (i = 0; i < ir->n_ifaces; i++) {
			if (ir->ifaces[i].role != IR_PASSTHROUGH)
				continue;
			nft_match_ifname(r, sels[k], ir->ifaces[i].name);
			r->m[r->n_m - 1].neg = true;
		}
	}
}

/*
 * ct timeout objects for `timeouts`, assigned in prerouting to new
 * connections masqgen handles: never a passthrough interface's.
 */
static void lower_timeouts(struct nft_lower *lc, enum nft_fam fam, struct nft_chain *pre)
{
	/* nft's defaults for the states a policy does not set (its ct.c) */
	static const uint32_t tcp_defaults[] = {120, 60, 432000, 120, 60, 30,
						120, 10, 120, 300, 300};
	static const uint32_t udp_defaults[] = {30, 120};
	struct nft_table *t = &lc->m->t[fam];
	const struct ir_timeouts *to = &lc->ir->timeouts;
	struct nft_timeout_obj *o;
	struct nft_rule *r;
	int i;

	for (i = 0; i < 2; i++) {
		uint8_t proto = i == 0 ? IR_P_TCP : IR_P_UDP;

		if (proto == IR_P_TCP ? !to->tcp && !to->tcpfin : !to->udp)
			continue;
		o = VEC_PUSH(t->timeouts, t->n_timeouts, t->cap_timeouts);
		memset(o, 0, sizeof(*o));
		o->name = xasprintf("timeout_%s", nft_proto_name(proto));
		o->proto = proto;
		o->loc = to->loc;
		/*
		 * every state, the unset ones at the kernel's built-in defaults
		 * (nft's table; an object cannot read the sysctls): text and batch
		 * say the same
		 */
		if (proto == IR_P_TCP) {
			memcpy(o->secs, tcp_defaults, sizeof(tcp_defaults));
			if (to->tcp)
				o->secs[NFT_TO_TCP_ESTABLISHED] = to->tcp;
			if (to->tcpfin) {
				o->secs[NFT_TO_TCP_FIN_WAIT] = to->tcpfin;
				o->secs[NFT_TO_TCP_CLOSE_WAIT] = to->tcpfin;
				o->secs[NFT_TO_TCP_LAST_ACK] = to->tcpfin;
				o->secs[NFT_TO_TCP_TIME_WAIT] = to->tcpfin;
			}
		} else {
			memcpy(o->secs, udp_defaults, sizeof(udp_defaults));
			o->secs[NFT_TO_UDP_REPLIED] = to->udp;
		}
		r = nft_rule_add(pre, nft_comment(&to->loc, "timeouts"), &to->loc);
		nft_match_eq(r, NFT_SEL_CT_STATE, IR_CT_NEW);
		nft_match_eq(r, NFT_SEL_L4PROTO, proto);
		match_not_passthrough(r, lc->ir);
		nft_stmt_add(r, NFT_S_CT_TIMEOUT)->str = o->name;
	}
}

/* Chains in packet order: by hook, then by priority (insertion sort, stable). */
static void sort_chains(struct nft_table *t)
{
	struct nft_chain tmp;
	size_t i, j;

	for (i = 1; i < t->n_chains; i++) {
		tmp = t->chains[i];
		for (j = i; j > 0 && (t->chains[j - 1].hook > tmp.hook ||
				      (t->chains[j - 1].hook == tmp.hook &&
				       t->chains[j - 1].prio > tmp.prio));
		     j--)
			t->chains[j] = t->chains[j - 1];
		t->chains[j] = tmp;
	}
}

/*
 * Helper and timeout assignment in table @fam: a prerouting chain between
 * dstnat and input, and the first rules of output.
 */
static void lower_conntrack(struct nft_lower *lc, enum nft_fam fam)
{
	struct nft_table *t = &lc->m->t[fam];
	struct nft_chain *pre, *out = NULL;
	size_t i;

	pre = nft_chain_begin(t, "prerouting", false, NFT_HOOK_PREROUTING, 0, false);
	lower_helpers(lc, fam, pre, NULL);
	lower_timeouts(lc, fam, pre);
	nft_chain_end(t);
	for (i = 0; i < t->n_chains; i++)
		if (strcmp(t->chains[i].name, "output") == 0)
			out = &t->chains[i];
	for (i = 0; i < lc->ir->n_helpers && !out; i++) {
		if (fam == NFT_FAM_IP6 && !lc->ir->helpers[i].ipv6)
			continue;
		nft_chain_begin(t, "output", false, NFT_HOOK_OUTPUT, 0, false);
		out = &t->chains[t->n_chains - 1];
	}
	if (out) {
		/* first: a user `allow output` must not skip the assignment */
		struct nft_chain tmp = *out;

		out->v = NULL;
		out->n = out->cap = 0;
		lower_helpers(lc, fam, NULL, out);
		for (i = 0; i < tmp.n; i++)
			*VEC_PUSH(out->v, out->n, out->cap) = tmp.v[i];
		free(tmp.v);
	}
}

/*
 * Several externals (LANGUAGE.md "Gateway features"): a new connection
 * keeps the number of the external it arrived on in its mark (or, from the
 * sources of a pinning `masquerade ... on IFACE`, that of IFACE), and each
 * of its packets, forwarded or the gateway's own, carries that number in
 * the packet mark, which the policy routing rules of apply (routes.c) send
 * to that external's table.
 */
static void lower_wan(struct nft_lower *lc)
{
	struct nft_table *t = &lc->m->t[NFT_FAM_IP];
	struct nft_rule *r;
	const char *hook;
	size_t i;
	int h;

	for (i = 0; i < lc->ir->n_ifaces && !lc->ir->ifaces[i].wan; i++)
		;
	if (i == lc->ir->n_ifaces)
		return;
	for (h = 0; h < 2; h++) {
		hook = h ? "wan_reply" : "wan_mark";
		nft_chain_begin(t, hook, false, h ? NFT_HOOK_OUTPUT : NFT_HOOK_PREROUTING, -150,
				false)->route = h;
		/* pinned sources first: an arrival on an external overrides them */
		for (i = 0; !h && i < lc->ir->n_snats; i++) {
			const struct ir_snat *s = &lc->ir->snats[i];

			if (!s->pin)
				continue;
			r = nft_rule_add(&t->chains[t->n_chains - 1],
					 nft_comment(&s->loc, "masquerade"), &s->loc);
			nft_match_addrs(t, r, NFT_SEL_SADDR, &s->sources, false,
					xasprintf("wan_pin_%zu_from", i + 1));
			nft_match_eq(r, NFT_SEL_CT_STATE, IR_CT_NEW);
			nft_stmt_add(r, NFT_S_CT_MARK_WAN)->a = s->pin << IR_WAN_SHIFT;
		}
		for (i = 0; !h && i < lc->ir->n_ifaces; i++) {
			const struct ir_iface *x = &lc->ir->ifaces[i];

			if (!x->wan)
				continue;
			r = nft_rule_add(&t->chains[t->n_chains - 1], nft_comment(&x->loc, "external"),
					 &x->loc);
			nft_match_ifname(r, NFT_SEL_IIFNAME, x->name);
			nft_match_eq(r, NFT_SEL_CT_STATE, IR_CT_NEW);
			nft_stmt_add(r, NFT_S_CT_MARK_WAN)->a = x->wan << IR_WAN_SHIFT;
		}
		r = nft_rule_add(&t->chains[t->n_chains - 1], nft_comment(NULL, "multi-wan"), NULL);
		nft_match_flag(r, NFT_SEL_CT_MARK_WAN);
		nft_stmt_add(r, NFT_S_MARK_WAN);
		nft_chain_end(t);
	}
}

/*
 * The halves of every live set in table @fam, first among its sets: NAME_v4
 * in ip masqgen, NAME_v6 in ip6 masqgen, with the initial elements of
 * that family.
 */
static void lower_live_sets(struct nft_lower *lc, enum nft_fam fam)
{
	struct nft_table *t = &lc->m->t[fam];
	bool v6 = fam == NFT_FAM_IP6;
	struct nft_set *s;
	struct nft_elem *e;
	size_t i, j, idx;

	for (i = 0; i < lc->ir->n_sets; i++) {
		const struct ir_set *is = &lc->ir->sets[i];

		idx = nft_set_new(t, nft_live_set_name(is->name, fam), v6 ? NFT_SK_ADDR6 : NFT_SK_ADDR);
		s = &t->sets[idx];
		s->live = true;
		s->timeout = is->timeout;
		for (j = 0; j < is->elems.n; j++) {
			const struct ir_addr *a = &is->elems.v[j];

			if ((a->family == IR_F_IPV6) != v6)
				continue;
			e = nft_elem_add(s, nft_elem_comment(&a->loc));
			e->k[0] = a->lo;
			e->hi = a->hi;
			e->k6 = a->lo6;
			e->hi6 = a->hi6;
		}
	}
}

struct nft_model *nft_lower(const struct ir *ir)
{
	struct nft_lower lc = {.ir = ir};
	struct nft_table *t;

	if (ir_check_modern(ir) < 0)
		return NULL;
	lc.m = xcalloc(1, sizeof(*lc.m));
	t = &lc.m->t[NFT_FAM_IP];
	t->present = true;
	lower_live_sets(&lc, NFT_FAM_IP);
	lower_targets(&lc);
	nft_lower_filter(&lc, NFT_FAM_IP);
	lower_dstnat(&lc);
	lower_conntrack(&lc, NFT_FAM_IP);
	lower_srcnat(&lc);
	lower_wan(&lc);
	if (ir->upnp.iface)
		nft_upnp_lower(&lc.m->upnp);
	sort_chains(t);
	if (ir->ipv6 != IR_IPV6_OPEN)
		lower_live_sets(&lc, NFT_FAM_IP6);
	nft_lower_filter(&lc, NFT_FAM_IP6);
	if (ir->ipv6 != IR_IPV6_OPEN) {
		t = &lc.m->t[NFT_FAM_IP6];
		lower_conntrack(&lc, NFT_FAM_IP6);
		sort_chains(t);
		t->present = t->n_chains > 0;
	}
	return lc.m;
}
