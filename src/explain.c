// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * explain.c - `masqgen explain POLICY PACKET`: follow one IPv4 or IPv6
 * packet through the IR, hook by hook, in the order the kernel would (raw
 * prerouting, dstnat, the routing decision, the filter chain, srcnat), and
 * say which rule decided it and where that rule came from in the policy.
 *
 * It never asks the kernel: it evaluates the IR, so it answers for the
 * policy as written, on any machine. What the policy cannot know (the
 * address a dynamic external interface has today, an external's IPv6
 * address) is an option (--address IFACE=ADDR) or a stated assumption.
 */
#include "cli.h"
#include "diag.h"
#include "explain.h"
#include "ir.h"
#include "ir_match.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct explain_address {
	const char *iface;
	unsigned family;	/* IR_F_IPV4 (addr) or IR_F_IPV6 (addr6) */
	uint32_t addr;
	ir_u128 addr6;
};

struct explain_ctx {
	const struct ir *ir;
	struct explain_address *addrs;	/* --address */
	size_t n_addrs, cap_addrs;
	const char *out_iface;		/* `out IFACE` given with `in IFACE` */
	const struct loc **decided;	/* explain_decide(): the deciding place */
	struct strbuf *out;		/* the trace */
};

static const char *explain_tag_names[] = {
	[IR_T_USER] = "user rule",
	[IR_T_LOOPBACK] = "loopback",
	[IR_T_INVALID] = "invalid state",
	[IR_T_ESTABLISHED] = "established,related",
	[IR_T_LAN] = "LAN",
	[IR_T_INTERNAL] = "internal to internal",
	[IR_T_DHCP] = "DHCP on internal interfaces",
	[IR_T_FORWARDED] = "translated connection to a forward target",
	[IR_T_PASSTHROUGH] = "passthrough interface",
	[IR_T_ANTISPOOF] = "anti-spoofing",
	[IR_T_IPV6] = "IPv6 built-in",
	[IR_T_CLUSTER] = "cluster VRRP and sync traffic",
	[IR_T_CATCHALL] = "catch-all log",
	[IR_T_UPNP] = "connection miniupnpd mapped",
};

static const char *explain_chain_names[] = {
	[IR_CH_RAW] = "raw",
	[IR_CH_INPUT] = "input",
	[IR_CH_FORWARD] = "forward",
	[IR_CH_OUTPUT] = "output",
};


static bool explain_role(const struct ir *ir, const char *name, enum ir_role role)
{
	const struct ir_iface *f = ir_iface_of(ir, name);

	return f && f->role == role;
}

/* The --address of @family given for @iface, or NULL. */
static const struct explain_address *explain_given(const struct explain_ctx *c, const char *iface,
						  unsigned family)
{
	size_t i;

	for (i = 0; i < c->n_addrs; i++)
		if (iface && c->addrs[i].family == family && strcmp(c->addrs[i].iface, iface) == 0)
			return &c->addrs[i];
	return NULL;
}

/* The IPv4 address --address gave for @iface, or 0. */
static uint32_t explain_given_addr(const struct explain_ctx *c, const char *iface)
{
	const struct explain_address *a = explain_given(c, iface, IR_F_IPV4);

	return a ? a->addr : 0;
}

/*
 * Is @addr an address of external interface @iface (as the packet names
 * it)? A static address or --address decides; a dynamic interface without
 * --address is assumed to own any destination outside the internal
 * networks and 127/8 of a packet that arrives on it.
 */
static bool explain_external_owns(const struct explain_ctx *c, const char *iface, uint32_t addr,
				  bool *assumed)
{
	const struct ir_iface *f = ir_iface_of(c->ir, iface);
	uint32_t given = explain_given_addr(c, iface);

	*assumed = false;
	if (!f || f->role != IR_EXTERNAL)
		return false;
	if (given)
		return addr == given;
	if (f->addr)
		return addr == f->addr;
	if ((addr >> 24) == 127 || ir_internal_of(c->ir, addr, NULL))
		return false;
	*assumed = true;
	return true;
}

/*
 * A gateway address outside every internal network that the policy or
 * --address names (not the dynamic assumption): what reflection captures.
 */
static bool explain_known_external_addr(const struct explain_ctx *c, uint32_t addr)
{
	const struct ir *ir = c->ir;
	size_t i;

	if (ir_internal_of(ir, addr, NULL))
		return false;
	for (i = 0; i < c->n_addrs; i++)
		if (c->addrs[i].family == IR_F_IPV4 && c->addrs[i].addr == addr)
			return true;
	for (i = 0; i < ir->n_ifaces; i++)
		if (ir->ifaces[i].role == IR_EXTERNAL && ir->ifaces[i].addr && ir->ifaces[i].addr == addr)
			return true;
	for (i = 0; i < ir->n_nat1to1; i++)
		if (ir->nat1to1[i].public_addr == addr)
			return true;
	return false;
}

static bool explain_has_unknown_dynamic(const struct explain_ctx *c)
{
	size_t i;

	for (i = 0; i < c->ir->n_ifaces; i++) {
		const struct ir_iface *f = &c->ir->ifaces[i];

		if (f->role == IR_EXTERNAL && !f->addr && !explain_given_addr(c, f->name))
			return true;
	}
	return false;
}


/* "         at FILE:LINE: source line" for a policy place. */
static void explain_print_loc(struct strbuf *out, const struct loc *loc)
{
	const char *text;
	size_t len;
	char *where;

	if (!loc || !loc->src)
		return;
	where = diag_loc_str(loc);
	text = diag_loc_line(loc, &len);
	while (text && len && (*text == ' ' || *text == '\t')) {
		text++;
		len--;
	}
	if (text)
		sb_addf(out, "%9sat %s: %.*s\n", "", where, (int)len, text);
	else
		sb_addf(out, "%9sat %s\n", "", where);
	free(where);
}

static const char *explain_verdict_name(enum ir_verdict v, const struct explain_packet *p)
{
	switch (v) {
	case IR_V_ACCEPT:
		return "accept";
	case IR_V_DROP:
		return "drop";
	case IR_V_REJECT:
		if (p->proto == IR_P_TCP)
			return "reject (tcp reset)";
		if (p->proto == IR_P_UDP)
			return "reject (icmp port-unreachable)";
		return "reject (icmp admin-prohibited)";
	}
	return "?";
}

static void explain_print_log(struct strbuf *out, const struct ir *ir, const struct ir_rule *r)
{
	static const char *units[] = {"second", "minute", "hour"};

	sb_addf(out, "%9slogged (at most %u/%s, prefix \"%s\")\n", "", ir->log.rate,
	       units[ir->log.unit], r->log_prefix ? r->log_prefix : "");
}

/* A rate-limited accept or reject: what it lets through, and the rest. */
static void explain_print_limit(struct strbuf *out, const struct ir_limit *l)
{
	static const char *units[] = {"second", "minute", "hour"};

	if (!l || !l->rate)
		return;
	sb_addf(out, "%9srate-limited to %u/%s new connections (%u at once)%s; beyond that: drop\n",
		"", l->rate, units[l->unit], l->burst, l->per_source ? " per source" : "");
}

/* @p as the IR's matcher takes it. */
static void explain_ir_pkt(const struct explain_packet *p, struct ir_pkt *out)
{
	*out = ir_pkt_ipv4(p->proto, p->saddr, p->daddr, p->sport, p->dport,
			   p->proto == IR_P_ICMP || p->proto == IR_P_ICMPV6 ? p->icmp_type : -1);
	if (p->family == IR_F_IPV6) {
		out->family = IR_F_IPV6;
		ir_ip6_bytes(p->saddr6, out->saddr.v6);
		ir_ip6_bytes(p->daddr6, out->daddr.v6);
	}
	out->iif = p->iif;
	out->oif = p->oif;
	out->ct_state = p->state;
	out->dnat_forward = p->dnat_forward;
}

/* Run @p through filter chain @id; writes the deciding rule. */
static enum ir_verdict explain_chain(const struct explain_ctx *c, enum ir_chain_id id,
				     const struct explain_packet *p)
{
	const struct ir *ir = c->ir;
	const struct ir_chain *ch = &ir->chain[id];
	const char *name = explain_chain_names[id];
	const struct ir_rule *r;
	const struct loc *why;
	bool set_used = false;
	struct ir_pkt pkt;

	if (!ch->present) {
		sb_addf(c->out, "%-9saccept: masqgen has no %s chain here (nothing to filter)\n", name,
		       name);
		return IR_V_ACCEPT;
	}
	if (p->family == IR_F_IPV6 && !ir_family_filtered(ir, IR_F_IPV6)) {
		sb_addf(c->out, "%-9saccept: `ipv6 open`, masqgen has no IPv6 table\n", name);
		return IR_V_ACCEPT;
	}
	explain_ir_pkt(p, &pkt);
	pkt.sets = ir;
	pkt.set_used = &set_used;
	r = ir_chain_match(ch, &pkt, &why);
	if (set_used)
		sb_addf(c->out, "%-9sthe verdict depends on live set membership: this assumes the "
			"sets hold their initial elements only (see 'masqgen set list')\n", name);
	if (r) {
		/* the translated connection's reason is the forward that translated it */
		if (r->ct_dnat_forward && p->forward_loc)
			why = p->forward_loc;
		if (c->decided)
			*c->decided = r->tag == IR_T_CATCHALL ? &ir->level_loc : why;
		if (r->tag == IR_T_CATCHALL) {
			/* the log before the policy: the policy decides */
			sb_addf(c->out, "%-9s%s by the chain policy (no rule matched)\n", name,
			       explain_verdict_name(ch->policy, p));
			if (r->log)
				explain_print_log(c->out, ir, r);
			return ch->policy;
		}
		sb_addf(c->out, "%-9s%s by rule [%s]%s\n", name, explain_verdict_name(r->verdict, p),
		       explain_tag_names[r->tag], why->src ? "" : " (built-in)");
		explain_print_loc(c->out, why);
		explain_print_limit(c->out, r->ct_dnat_forward ? p->forward_limit : &r->limit);
		if (r->log)
			explain_print_log(c->out, ir, r);
		return r->verdict;
	}
	sb_addf(c->out, "%-9s%s by the chain policy (no rule matched)\n", name,
	       explain_verdict_name(ch->policy, p));
	if (c->decided)
		*c->decided = &ir->level_loc;
	return ch->policy;
}

static void explain_dnat_to(struct strbuf *out, struct explain_packet *p, uint32_t host, int port)
{
	char a[16];

	p->daddr = host;
	if (port >= 0)
		p->dport = (uint16_t)port;
	if (port >= 0 && (p->proto == IR_P_TCP || p->proto == IR_P_UDP))
		sb_addf(out, "%9sdestination becomes %s:%u\n", "", ir_ip_str(host, a), p->dport);
	else
		sb_addf(out, "%9sdestination becomes %s\n", "", ir_ip_str(host, a));
}

/* prerouting, dstnat (-100): 1:1 first, then forwards, then reflection. */
static void explain_dstnat(const struct explain_ctx *c, struct explain_packet *p)
{
	const struct ir *ir = c->ir;
	bool internal = explain_role(ir, p->iif, IR_INTERNAL);
	bool assumed, known;
	struct ir_pkt pkt;
	char a[16];
	size_t i;

	for (i = 0; i < ir->n_nat1to1; i++) {
		const struct ir_nat1to1 *n = &ir->nat1to1[i];

		if (n->public_addr != p->daddr)
			continue;
		if (internal) {
			sb_addf(c->out, "%-9s1:1 NAT, reflected (arrived on internal %s)\n", "dstnat", p->iif);
			p->reflected = true;
		} else if (ir_iface_match(n->iif, p->iif)) {
			sb_addf(c->out, "%-9s1:1 NAT\n", "dstnat");
		} else {
			continue;
		}
		explain_print_loc(c->out, &n->loc);
		explain_dnat_to(c->out, p, n->private_addr, -1);
		return;
	}
	known = internal && explain_known_external_addr(c, p->daddr);
	explain_ir_pkt(p, &pkt);
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];
		int port = -1;

		if (!ir_forward_takes(f, &pkt))
			continue;
		if (internal) {
			if (!f->reflect || !known)
				continue;
			sb_addf(c->out, "%-9sforward, reflected (%s is the gateway's, arrived on internal %s)\n",
			       "dstnat", ir_ip_str(p->daddr, a), p->iif);
			p->reflected = true;
		} else {
			if (!ir_iface_match(f->iif, p->iif) ||
			    !explain_external_owns(c, p->iif, p->daddr, &assumed))
				continue;
			sb_addf(c->out, "%-9sforward on %s%s\n", "dstnat", f->iif,
			       assumed ? " (destination taken as the interface's own address)"
				       : "");
		}
		explain_print_loc(c->out, &f->loc);
		if (p->proto == IR_P_TCP || p->proto == IR_P_UDP)
			port = f->to_lo + (p->dport - f->lo);
		p->dnat_forward = true;
		p->forward_loc = &f->loc;
		p->forward_limit = &f->limit;
		explain_dnat_to(c->out, p, f->host, port);
		return;
	}
	sb_addf(c->out, "%-9snone\n", "dstnat");
	if (internal && !known && explain_has_unknown_dynamic(c) &&
	    !ir_internal_of(ir, p->daddr, NULL)) {
		for (i = 0; i < ir->n_forwards; i++) {
			if (ir->forwards[i].reflect && ir_forward_takes(&ir->forwards[i], &pkt)) {
				sb_addf(c->out, "%9sif %s is the address of a dynamic external interface, "
				       "say so with --address IFACE=%s: reflection would apply\n",
				       "", ir_ip_str(p->daddr, a), a);
				break;
			}
		}
	}
}

/* prerouting, filter (0) and output: helper assignment of new connections. */
static void explain_helpers(const struct explain_ctx *c, const struct explain_packet *p)
{
	const struct ir *ir = c->ir;
	size_t i;

	if (p->iif && !explain_role(ir, p->iif, IR_INTERNAL) && !p->dnat_forward)
		return;
	for (i = 0; i < ir->n_helpers; i++) {
		const struct ir_helper *h = &ir->helpers[i];

		if (!h->modern || (p->family == IR_F_IPV6 && !h->ipv6) ||
		    !ir_ports_has(&h->ports, p->proto, p->dport, NULL))
			continue;
		sb_addf(c->out, "%-9s%s (kernel helper \"%s\") is assigned\n", "helper", h->name, h->kname);
		explain_print_loc(c->out, &h->loc);
		return;
	}
}

/* The route to the Internet side (@a: the destination as text): the first external. */
static bool explain_route_internet(const struct explain_ctx *c, struct explain_packet *p,
				   const char *a)
{
	const struct ir *ir = c->ir;
	size_t i;

	for (i = 0; i < ir->n_ifaces; i++) {
		if (ir->ifaces[i].role != IR_EXTERNAL)
			continue;
		if (!p->oif) {
			p->oif = ir->ifaces[i].name;
			sb_addf(c->out, "%-9sforward out %s (%s is on the Internet side)\n", "route",
				p->oif, a);
		} else {
			sb_addf(c->out, "%9swith several external interfaces the main routing table "
			       "decides: add `out IFACE` to the packet to choose\n", "");
			break;
		}
	}
	return false;
}

/* The routing decision; returns true when the packet is for the gateway. */
static bool explain_route(const struct explain_ctx *c, struct explain_packet *p)
{
	const struct ir *ir = c->ir;
	const struct ir_iface *f;
	const struct ir_net *net;
	const char *why = NULL;
	bool assumed = false;
	char a[16], b[IR_ADDR_STRLEN];
	struct ir_addr r;
	size_t i;

	ir_ip_str(p->daddr, a);
	if (c->out_iface) {
		p->oif = c->out_iface;
		sb_addf(c->out, "%-9sforward out %s (as given)\n", "route", p->oif);
		return false;
	}
	if ((p->daddr >> 24) == 127)
		why = "a loopback address";
	if (p->daddr == 0xffffffff)
		why = "the limited broadcast address";
	f = ir_internal_of(ir, p->daddr, &net);
	if (!why && f && ir_iface_match(f->name, p->iif) && net->len < 31 &&
	    (p->daddr | ~ir_prefix_mask(net->len)) == 0xffffffff)
		why = "the broadcast address of its network";
	for (i = 0; !why && i < ir->n_ifaces; i++) {
		f = &ir->ifaces[i];
		if (f->role == IR_EXTERNAL && f->addr && f->addr == p->daddr)
			why = f->name;
		for (size_t j = 0; !why && j < f->n_nets; j++)
			if (f->nets[j].gw && f->nets[j].gw == p->daddr)
				why = f->name;
	}
	for (i = 0; !why && i < c->n_addrs; i++)
		if (c->addrs[i].family == IR_F_IPV4 && c->addrs[i].addr == p->daddr)
			why = c->addrs[i].iface;
	for (i = 0; !why && i < ir->n_nat1to1; i++)
		if (ir->nat1to1[i].public_addr == p->daddr)
			why = ir->nat1to1[i].iif;
	if (!why && explain_external_owns(c, p->iif, p->daddr, &assumed) && assumed)
		why = p->iif;
	if (why) {
		if (assumed)
			sb_addf(c->out, "%-9sinput: %s is taken as %s's address (dynamic; give --address "
			       "%s=ADDR to say otherwise)\n", "route", a, why, why);
		else if (!ir_iface_of(ir, why))
			sb_addf(c->out, "%-9sinput: %s is %s\n", "route", a, why);
		else
			sb_addf(c->out, "%-9sinput: %s is the gateway's address on %s\n", "route", a, why);
		return true;
	}
	f = ir_internal_of(ir, p->daddr, &net);
	if (f) {
		r = ir_addr_make(IR_F_IPV4, ir_net_lo(net), ir_net_hi(net), NULL);
		p->oif = f->name;
		sb_addf(c->out, "%-9sforward out %s (%s is in internal network %s)\n", "route", f->name, a,
		       ir_addr_str(&r, b));
		return false;
	}
	for (i = 0; i < ir->n_snats && !explain_role(ir, p->iif, IR_EXTERNAL); i++) {
		const struct ir_snat *s = &ir->snats[i];

		if (!s->pin || !ir_addrs_has(&s->sources, p->saddr, NULL))
			continue;
		p->oif = s->oif;
		sb_addf(c->out, "%-9sforward out %s (its masquerade line pins the source there)\n",
			"route", p->oif);
		explain_print_loc(c->out, &s->loc);
		return false;
	}
	return explain_route_internet(c, p, a);
}

/* The internal interface (and *net) whose IPv6 prefixes hold @addr, or NULL. */
static const struct ir_iface *explain_internal_of6(const struct ir *ir, ir_u128 addr,
						   const struct ir_net **net)
{
	size_t i, j;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];

		for (j = 0; f->role == IR_INTERNAL && j < f->n_nets6; j++) {
			if (addr >= ir_net_lo(&f->nets6[j]) && addr <= ir_net_hi(&f->nets6[j])) {
				*net = &f->nets6[j];
				return f;
			}
		}
	}
	return NULL;
}

/*
 * The routing decision for an IPv6 packet; true when it is for the
 * gateway. The policy knows the gateway's IPv6 addresses on its internal
 * prefixes only: an external's comes from --address, else a destination
 * outside the internal prefixes of a packet arriving on an external is
 * taken as the gateway's (as for a dynamic IPv4 address).
 */
static bool explain_route6(const struct explain_ctx *c, struct explain_packet *p)
{
	const struct ir *ir = c->ir;
	const struct explain_address *given = explain_given(c, p->iif, IR_F_IPV6);
	const struct ir_iface *f;
	const struct ir_net *net;
	const char *why = NULL;
	char a[40], b[IR_ADDR_STRLEN];
	size_t i, j;

	ir_ip6_str(p->daddr6, a);
	if (c->out_iface) {
		p->oif = c->out_iface;
		sb_addf(c->out, "%-9sforward out %s (as given)\n", "route", p->oif);
		return false;
	}
	if (p->daddr6 == 1)
		why = "the loopback address";
	else if (p->daddr6 >> 120 == 0xff)
		why = "a multicast address";
	else if (p->daddr6 >> 118 == 0xfe80 >> 6)
		why = "a link-local address";
	for (i = 0; !why && i < ir->n_ifaces; i++)
		for (j = 0; !why && j < ir->ifaces[i].n_nets6; j++)
			if (ir->ifaces[i].nets6[j].gw6 && ir->ifaces[i].nets6[j].gw6 == p->daddr6)
				why = ir->ifaces[i].name;
	for (i = 0; !why && i < c->n_addrs; i++)
		if (c->addrs[i].family == IR_F_IPV6 && c->addrs[i].addr6 == p->daddr6)
			why = c->addrs[i].iface;
	if (why) {
		if (!ir_iface_of(ir, why))
			sb_addf(c->out, "%-9sinput: %s is %s\n", "route", a, why);
		else
			sb_addf(c->out, "%-9sinput: %s is the gateway's address on %s\n", "route", a,
				why);
		return true;
	}
	f = explain_internal_of6(ir, p->daddr6, &net);
	if (f) {
		p->oif = f->name;
		sb_addf(c->out, "%-9sforward out %s (%s is in internal prefix %s)\n", "route", f->name,
			a, ir_net_str(net, b));
		return false;
	}
	if (explain_role(ir, p->iif, IR_EXTERNAL) && !given) {
		sb_addf(c->out, "%-9sinput: %s is taken as %s's address (outside every internal "
			"prefix; give --address %s=ADDR or 'out IFACE' to say otherwise)\n", "route",
			a, p->iif, p->iif);
		return true;
	}
	return explain_route_internet(c, p, a);
}

/*
 * Masquerade @p out of @oif: its source becomes the address the policy
 * or --address knows for @oif, else the words "OIF's address".
 */
static void explain_masquerade(const struct explain_ctx *c, struct explain_packet *p)
{
	const struct ir_iface *f = ir_iface_of(c->ir, p->oif);
	const struct ir_net *net;
	uint32_t addr = explain_given_addr(c, p->oif);
	char a[16];

	if (!addr && f && f->role == IR_EXTERNAL)
		addr = f->addr;
	if (!addr && f && f->role == IR_INTERNAL && ir_internal_of(c->ir, p->daddr, &net))
		addr = net->gw;
	if (addr) {
		p->saddr = addr;
		sb_addf(c->out, "source becomes %s", ir_ip_str(addr, a));
	} else {
		snprintf(p->masq_src, sizeof(p->masq_src), "%s's address", p->oif);
		sb_addf(c->out, "source becomes %s", p->masq_src);
	}
}

/* postrouting, srcnat (100): reflection masquerade, 1:1 SNAT, masquerade/SNAT. */
static void explain_srcnat(const struct explain_ctx *c, struct explain_packet *p)
{
	const struct ir *ir = c->ir;
	char a[16];
	size_t i;

	if (p->reflected && explain_role(ir, p->oif, IR_INTERNAL)) {
		sb_addf(c->out, "%-9sreflection masquerade: ", "srcnat");
		explain_masquerade(c, p);
		sb_addf(c->out, " (replies come back through the gateway)\n");
		return;
	}
	for (i = 0; i < ir->n_nat1to1; i++) {
		const struct ir_nat1to1 *n = &ir->nat1to1[i];

		if (n->private_addr != p->saddr || !ir_iface_match(n->iif, p->oif))
			continue;
		p->saddr = n->public_addr;
		sb_addf(c->out, "%-9s1:1 NAT: source becomes %s\n", "srcnat", ir_ip_str(p->saddr, a));
		explain_print_loc(c->out, &n->loc);
		return;
	}
	for (i = 0; i < ir->n_snats; i++) {
		const struct ir_snat *s = &ir->snats[i];

		if (!ir_iface_match(s->oif, p->oif))
			continue;
		if (s->sources.n && !ir_addrs_has(&s->sources, p->saddr, NULL))
			continue;
		if (s->to) {
			p->saddr = s->to;
			sb_addf(c->out, "%-9sSNAT: source becomes %s\n", "srcnat", ir_ip_str(s->to, a));
		} else {
			sb_addf(c->out, "%-9smasquerade: ", "srcnat");
			explain_masquerade(c, p);
			sb_add(c->out, "\n");
		}
		explain_print_loc(c->out, &s->loc);
		return;
	}
	sb_addf(c->out, "%-9snone\n", "srcnat");
}

static int explain_check_addresses(const struct explain_ctx *c)
{
	size_t i;

	for (i = 0; i < c->n_addrs; i++)
		if (!explain_role(c->ir, c->addrs[i].iface, IR_EXTERNAL))
			return cli_usage_error("explain", "--address: '%s' is not an external "
					       "interface of the policy", c->addrs[i].iface);
	return 0;
}

/* Follow @p through every hook; returns the final verdict. */
static enum ir_verdict explain_run(const struct explain_ctx *c, struct explain_packet *p)
{
	const struct ir *ir = c->ir;
	enum ir_verdict v;
	bool local;

	explain_packet_print(c->out, "packet", p);
	if (p->iif) {
		v = explain_chain(c, IR_CH_RAW, p);
		if (v != IR_V_ACCEPT)
			return v;
		if (p->family == IR_F_IPV6)
			sb_addf(c->out, "%-9snone: IPv6 is never translated (no NAT66)\n", "dstnat");
		else if (p->state == IR_CT_NEW)
			explain_dstnat(c, p);
		else
			sb_addf(c->out, "%-9snot consulted: only a new connection is translated; later "
			       "packets reuse its translation\n", "dstnat");
		local = p->family == IR_F_IPV6 ? explain_route6(c, p) : explain_route(c, p);
		if (p->state == IR_CT_NEW)
			explain_helpers(c, p);
		if (p->state == IR_CT_NEW && !local && p->proto == IR_P_TCP && ir->clamp.enabled)
			sb_addf(c->out, "%-9sa SYN gets its MSS clamped (clamp-mss)\n", "mangle");
		v = explain_chain(c, local ? IR_CH_INPUT : IR_CH_FORWARD, p);
		if (v != IR_V_ACCEPT || local) {
			if (v == IR_V_ACCEPT)
				sb_addf(c->out, "%-9saccept\n%-9sdelivered to the gateway itself\n", "verdict",
				       "leaves");
			return v;
		}
	} else {
		p->oif = c->out_iface;
		sb_addf(c->out, "%-9soutput out %s (sent by the gateway itself)\n", "route", p->oif);
		if (p->state == IR_CT_NEW)
			explain_helpers(c, p);
		v = explain_chain(c, IR_CH_OUTPUT, p);
		if (v != IR_V_ACCEPT)
			return v;
	}
	if (p->family == IR_F_IPV6)
		sb_addf(c->out, "%-9snone: IPv6 is never translated (no NAT66)\n", "srcnat");
	else if (p->state == IR_CT_NEW)
		explain_srcnat(c, p);
	else
		sb_addf(c->out, "%-9snot consulted: only a new connection is translated\n", "srcnat");
	sb_addf(c->out, "%-9saccept\n", "verdict");
	explain_packet_print(c->out, "leaves", p);
	return IR_V_ACCEPT;
}

int explain_decide(const struct ir *ir, struct explain_packet *p, const char *iface,
		   uint32_t addr, const struct loc **why, struct strbuf *trace)
{
	struct explain_address a = {.iface = iface, .family = IR_F_IPV4, .addr = addr};
	struct explain_ctx c = {
		.ir = ir, .addrs = &a, .n_addrs = iface ? 1 : 0, .decided = why, .out = trace,
		.out_iface = p->oif,
	};

	*why = NULL;
	return (int)explain_run(&c, p);
}

enum {
	OPT_ADDRESS = 'a',
};

static const struct cli_opt explain_opts[] = {
	{OPT_ADDRESS, "address", "IFACE=ADDR",
	 "the current address (IPv4 or IPv6) of an external\n"
	 "interface; without it, a destination outside the internal\n"
	 "networks of a packet arriving on a dynamic interface (any\n"
	 "interface, for IPv6) is taken as its address",
	 CLI_OPT_MANY, NULL},
	{0},
};

static int explain_cmd_run(const struct cli_args *args)
{
	struct strbuf trace = {0};
	struct explain_ctx c = {.out = &trace};
	struct ir *ir = NULL;
	struct explain_address *a;
	char *name, *out_iface = NULL;
	struct explain_packet p;
	int rc = EXIT_USAGE;
	enum ir_verdict v;
	size_t i;

	for (i = 0; i < args->n_given; i++) {
		if (args->given[i].key != OPT_ADDRESS)
			continue;
		a = VEC_PUSH(c.addrs, c.n_addrs, c.cap_addrs);
		a->iface = NULL;
		if (explain_packet_address(args->given[i].value, &name, &a->family, &a->addr,
					   &a->addr6) != 0) {
			c.n_addrs--;
			goto out;
		}
		a->iface = name;
	}
	if (explain_packet_parse(args->n_ops - 1, args->ops + 1, &p, &out_iface) < 0)
		goto out;
	c.out_iface = out_iface;
	diag_quiet_warnings(true);
	ir = cli_compile(args->ops[0]);
	c.ir = ir;
	if (!ir) {
		rc = EXIT_POLICY;
		goto out;
	}
	if (explain_check_addresses(&c) != 0)
		goto out_ir;
	if (p.iif && !ir_iface_of(c.ir, p.iif) && strcmp(p.iif, "lo") != 0)
		printf("note     %s is not an interface of the policy\n", p.iif);
	v = explain_run(&c, &p);
	fputs(trace.buf, stdout);
	if (v != IR_V_ACCEPT)
		printf("%-9s%s\n", "verdict", explain_verdict_name(v, &p));
	rc = v == IR_V_ACCEPT ? EXIT_OK : EXIT_NO;
out_ir:
	ir_free(ir);
out:
	for (i = 0; i < c.n_addrs; i++)
		free((char *)c.addrs[i].iface);
	free(c.addrs);
	free(out_iface);
	sb_free(&trace);
	return rc;
}

const struct cli_command cli_explain = {
	.name = "explain",
	.summary = "which rule decides a packet",
	.operands = "POLICY PACKET",
	.min_ops = 1,
	.max_ops = -1,
	.missing = "a POLICY file and a PACKET are required",
	.help = "Follow one IPv4 or IPv6 packet through POLICY (not the kernel): anti-spoofing,\n"
		"destination NAT, the routing decision, the filter chain, source NAT.\n"
		"Print the rule that decided it, with its policy line, and the packet\n"
		"as it leaves. Exit 0 when it is accepted, 5 when it is dropped or\n"
		"rejected, 1 when POLICY has errors, 2 on a bad PACKET.\n\n"
		"PACKET:  PROTO [ICMPTYPE] SRC[:PORT] -> DST[:PORT] WHERE [state STATE]\n"
		"  PROTO     tcp, udp (both need ports), icmp, icmpv6 (need a type), gre, esp, ah\n"
		"  WHERE     in IFACE [out IFACE]   arriving on IFACE (out: choose the route)\n"
		"            out IFACE              sent by the gateway itself\n"
		"  STATE     new (the default), established, related, invalid\n"
		"  e.g.      tcp 198.51.100.7:40000 -> 203.0.113.1:80 in ppp0\n"
		"            icmp echo-request 192.168.0.10 -> 198.51.100.7 in eth1\n"
		"            tcp [2001:db8:ff::2]:5555 -> [2001:db8:1::10]:443 in eth0\n"
		"  IPv6 is never translated; it is routed by the internal IPv6 prefixes.\n",
	.opts = explain_opts,
	.run = explain_cmd_run,
};
