// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_v6.c - the lab's IPv6: every internal interface gets a /64 (its
 * first IPv6 prefix in the policy when that is a /64, else a test prefix),
 * the gateway its address there, the interface's first LAN host one too;
 * the first external link gets 2001:db8:ff00::/64 or the next /64 no
 * policy prefix overlaps (gateway ::1, Internet host ::2), and the
 * Internet host routes every LAN prefix through the gateway. No
 * NAT66: a probe's target sees the sender's own address. Whether the
 * gateway forwards IPv6 at all is apply's choice (the IR's sysctls); the
 * lab sets it to 0 before apply, so a policy that leaves forwarding off
 * must drop every forwarded probe.
 */
#include "lab.h"

#include "diag.h"
#include "ir.h"
#include "ir_match.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAB_V6_LINK ((ir_u128)0x20010db8ff000000ULL << 64)	/* 2001:db8:ff00::/64 */
#define LAB_V6_TEST ((ir_u128)0x20010db8fe000000ULL << 64)	/* 2001:db8:fe00::/64 + k */
#define LAB_V6_PORT 7
#define LAB_V6_CLOSED 2323	/* a port nothing opens unless a rule names it */
#define LAB_V6_EXTRA_MAX 8	/* pinhole addresses given to LAN hosts */
#define LAB_V6_RULE_PROBES 24

/* Does @net/64 overlap an internal IPv6 prefix of the policy? */
static bool lab_v6_taken(const struct ir *ir, ir_u128 net)
{
	size_t i, j;

	for (i = 0; i < ir->n_ifaces; i++)
		for (j = 0; j < ir->ifaces[i].n_nets6; j++)
			if (net <= ir_net_hi(&ir->ifaces[i].nets6[j]) &&
			    net + ~ir_prefix_mask6(64) >= ir_net_lo(&ir->ifaces[i].nets6[j]))
				return true;
	return false;
}

/* Is @a in list @l (IPv6 elements only)? */
static bool lab_v6_in(const struct ir_addrs *l, ir_u128 a)
{
	struct ir_pkt_addr p = {0};

	ir_ip6_bytes(a, p.v6);
	return ir_addrs_take(l, IR_F_IPV6, &p, NULL);
}

/* Is @a one of the Internet host's extra sources? */
static bool lab_v6_in_list(const struct lab *lab, ir_u128 a)
{
	size_t i;

	for (i = 0; i < lab->n_inet6_extra; i++)
		if (lab->inet6_extra[i] == a)
			return true;
	return false;
}

/* The LAN host holding @a (its own address or an extra one), or NULL. */
static const struct lab_host *lab_v6_host(const struct lab *lab, ir_u128 a)
{
	size_t i;

	for (i = 0; i < lab->n_lan_hosts; i++)
		if (lab->hosts[i].addr6 && lab->hosts[i].addr6 == a)
			return &lab->hosts[i];
	for (i = 0; i < lab->n_v6_extra; i++)
		if (lab->v6_extra[i].addr == a)
			return &lab->hosts[lab->v6_extra[i].host];
	return NULL;
}

/*
 * The LAN host (on an interface @iface takes; NULL: any) a probe of the
 * IPv6 addresses @l goes to or comes from, and its address there (*a): a
 * host whose address is in @l, else for the first single address (or the
 * ::10 of a prefix) in a LAN's /64, or an interface identifier under that
 * /64, that LAN's first host, which must take it as an extra address
 * (*extra set). NULL when no LAN of the lab holds any of @l.
 */
static const struct lab_host *lab_v6_target(const struct lab *lab, const struct ir_addrs *l,
					    const char *iface, ir_u128 *a, bool *extra)
{
	const struct lab_host *h, *held;
	size_t i, j;

	*extra = false;
	for (i = 0; i < lab->n_lan_hosts; i++) {
		h = &lab->hosts[i];
		if (h->addr6 && (!iface || ir_iface_match(iface, lab->lans[h->lan].ifname)) &&
		    lab_v6_in(l, h->addr6)) {
			*a = h->addr6;
			return h;
		}
	}
	for (i = 0; i < l->n; i++) {
		const struct ir_addr *e = &l->v[i];
		ir_u128 mask = ir_addr_mask6(e);

		if (e->family != IR_F_IPV6)
			continue;
		for (j = 0; j < lab->n_lan_hosts; j++) {
			h = &lab->hosts[j];
			if (!h->addr6 || (iface && !ir_iface_match(iface, lab->lans[h->lan].ifname)))
				continue;
			/* an identifier: under this LAN's prefix */
			*a = mask ? (lab->lans[h->lan].net6 & ~mask) | (e->lo6 & mask)
			     : e->lo6 == e->hi6 ? e->lo6 : e->lo6 | 0x10;
			if (!mask && *a > e->hi6)
				break;
			held = lab_v6_host(lab, *a);
			if (held)
				return held;
			if ((*a & ir_prefix_mask6(64)) == lab->lans[h->lan].net6) {
				*extra = true;
				return h;
			}
		}
	}
	return NULL;
}

/* An address of the IPv6 sources @l off every LAN the Internet host can send from, or 0. */
static ir_u128 lab_v6_outside(const struct lab *lab, const struct ir_addrs *l)
{
	size_t i, j;

	if (lab_v6_in(l, lab->inet6))
		return lab->inet6;
	for (i = 0; i < lab->n_inet6_extra; i++)
		if (lab_v6_in(l, lab->inet6_extra[i]))
			return lab->inet6_extra[i];
	for (i = 0; i < l->n; i++) {
		const struct ir_addr *e = &l->v[i];
		ir_u128 a = e->lo6 == e->hi6 ? e->lo6 : e->lo6 | 0x10;

		if (e->family != IR_F_IPV6 || a > e->hi6 || a == lab->gw_ext6)
			continue;
		for (j = 0; j < lab->n_lans; j++)
			if ((a & ir_prefix_mask6(64)) == lab->lans[j].net6)
				break;
		if (j == lab->n_lans)
			return a;
	}
	return 0;
}

/* Give LAN host @h the extra address @a (at most LAB_V6_EXTRA_MAX). */
static void lab_v6_add_extra(struct lab *lab, const struct lab_host *h, ir_u128 a)
{
	struct lab_v6_extra *x;

	if (lab->n_v6_extra >= LAB_V6_EXTRA_MAX || lab_v6_host(lab, a))
		return;
	x = VEC_PUSH(lab->v6_extra, lab->n_v6_extra, lab->cap_v6_extra);
	x->host = (size_t)(h - lab->hosts);
	x->addr = a;
}

/*
 * How many probes list @l asks for: one per interface identifier (several
 * under one mask are several hosts), else one.
 */
static size_t lab_v6_parts(const struct ir_addrs *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += ir_addr_mask6(&l->v[i]) != 0;
	return n ? n : 1;
}

/* Part @k of @l (lab_v6_parts()): its @k-th identifier alone, else all of @l. */
static struct ir_addrs lab_v6_part(const struct ir_addrs *l, size_t k)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (ir_addr_mask6(&l->v[i]) && k-- == 0)
			return (struct ir_addrs){.v = &l->v[i], .n = 1};
	return *l;
}

/*
 * The extra addresses: the LAN addresses IPv6 user rules send a probe to
 * or from (a LAN host takes it), and the Internet sources they name (the
 * Internet host takes it).
 */
static void lab_v6_plan_extra(struct lab *lab)
{
	static const enum ir_chain_id ids[] = {IR_CH_INPUT, IR_CH_FORWARD};
	const struct lab_host *h;
	struct ir_addrs part;
	bool extra;
	ir_u128 a;
	size_t i, k, p;

	for (k = 0; k < ARRAY_SIZE(ids); k++) {
		const struct ir_chain *c = &lab->ir->chain[ids[k]];

		for (i = 0; i < c->n; i++) {
			const struct ir_rule *r = &c->rules[i];

			if (r->tag != IR_T_USER || (r->family & IR_F_IPV4))
				continue;
			for (p = 0; r->saddr.n && p < lab_v6_parts(&r->saddr); p++) {
				part = lab_v6_part(&r->saddr, p);
				h = lab_v6_target(lab, &part, r->iif, &a, &extra);
				if (h && extra)
					lab_v6_add_extra(lab, h, a);
				if (h || lab->n_inet6_extra >= LAB_V6_EXTRA_MAX)
					continue;
				a = lab_v6_outside(lab, &part);
				if (a && a != lab->inet6 && !lab_v6_in_list(lab, a))
					*VEC_PUSH(lab->inet6_extra, lab->n_inet6_extra,
						  lab->cap_inet6_extra) = a;
			}
			for (p = 0; ids[k] == IR_CH_FORWARD && r->daddr.n && p < lab_v6_parts(&r->daddr);
			     p++) {
				part = lab_v6_part(&r->daddr, p);
				h = lab_v6_target(lab, &part, r->oif, &a, &extra);
				if (h && extra)
					lab_v6_add_extra(lab, h, a);
			}
		}
	}
}

void lab_v6_plan(struct lab *lab)
{
	const struct ir *ir = lab->ir;
	ir_u128 test = LAB_V6_TEST, link;
	size_t i, k = 0;

	for (i = 0; i < ir->n_sysctls; i++)
		if (strcmp(ir->sysctls[i].key, "net.ipv6.conf.all.forwarding") == 0 &&
		    ir->sysctls[i].value && strcmp(ir->sysctls[i].value, "1") == 0)
			lab->v6_forwarding = true;
	link = LAB_V6_LINK;
	while (lab_v6_taken(ir, link))
		link += (ir_u128)1 << 64;
	lab->gw_ext6 = link | 1;
	lab->inet6 = link | 2;
	for (i = 0; i < ir->n_ifaces && k < lab->n_lans; i++) {
		const struct ir_iface *f = &ir->ifaces[i];
		struct lab_lan *lan;

		if (f->role != IR_INTERNAL)
			continue;
		lan = &lab->lans[k++];
		if (f->n_nets6 && f->nets6[0].len == 64) {
			lan->net6 = f->nets6[0].net6;
			lan->gw6 = f->nets6[0].gw6 ? f->nets6[0].gw6 : lan->net6 | 1;
		} else {
			while (lab_v6_taken(ir, test))
				test += (ir_u128)1 << 64;
			lan->net6 = test;
			lan->gw6 = test | 1;
			test += (ir_u128)1 << 64;
		}
	}
	/* the first LAN host of each interface: the lowest free address after the gateway's */
	for (i = 0; i < lab->n_lan_hosts; i++) {
		struct lab_host *h = &lab->hosts[i];
		struct lab_lan *lan = &lab->lans[h->lan];
		size_t j;

		for (j = 0; j < i; j++)
			if (lab->hosts[j].lan == h->lan)
				break;
		if (j < i)
			continue;
		h->addr6 = lan->net6 | 0x100;
		if (h->addr6 == lan->gw6)
			h->addr6++;
	}
	lab_v6_plan_extra(lab);
}

static int lab_v6_addr(const char *ns, ir_u128 a, unsigned len, const char *dev)
{
	char b[40];

	return lab_net_ip("-n %s addr add %s/%u dev %s nodad", ns, ir_ip6_str(a, b), len, dev);
}

int lab_v6_build(struct lab *lab)
{
	char a[40], b[40];
	size_t i;
	int rc;

	rc = lab_v6_addr(lab->gw_ns, lab->gw_ext6, 64, lab->links[0].ifname);
	rc = rc ?: lab_v6_addr(lab->inet_ns, lab->inet6, 64, "ext0");
	rc = rc ?: lab_net_ip("-n %s -6 route add default via %s dev %s", lab->gw_ns,
			      ir_ip6_str(lab->inet6, a), lab->links[0].ifname);
	for (i = 0; rc == 0 && i < lab->n_lans; i++) {
		const struct lab_lan *lan = &lab->lans[i];

		rc = lab_v6_addr(lab->gw_ns, lan->gw6, 64, lan->ifname);
		rc = rc ?: lab_net_ip("-n %s -6 route replace %s/64 via %s", lab->inet_ns,
				      ir_ip6_str(lan->net6, a), ir_ip6_str(lab->gw_ext6, b));
	}
	for (i = 0; rc == 0 && i < lab->n_lan_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		if (!h->addr6)
			continue;
		rc = lab_v6_addr(h->ns, h->addr6, 64, "eth0");
		rc = rc ?: lab_net_ip("-n %s -6 route add default via %s", h->ns,
				      ir_ip6_str(lab->lans[h->lan].gw6, a));
	}
	for (i = 0; rc == 0 && i < lab->n_v6_extra; i++)
		rc = lab_v6_addr(lab->hosts[lab->v6_extra[i].host].ns, lab->v6_extra[i].addr, 64,
				 "eth0");
	for (i = 0; rc == 0 && i < lab->n_inet6_extra; i++)
		rc = lab_v6_addr(lab->inet_ns, lab->inet6_extra[i], 128, "lo");
	return rc ? -1 : 0;
}

/* Is @gw6 the gateway's address on a prefix the policy names? */
static bool lab_v6_named(const struct ir *ir, ir_u128 gw6)
{
	size_t i, j;

	for (i = 0; i < ir->n_ifaces; i++)
		for (j = 0; j < ir->ifaces[i].n_nets6; j++)
			if (ir->ifaces[i].nets6[j].gw6 == gw6)
				return true;
	return false;
}

/* One end of an IPv6 probe: its namespace, the gateway's interface toward it, its address. */
struct lab_v6_end {
	const char *ns, *ifname;
	ir_u128 addr;
};

/*
 * One IPv6 probe from @from to @to (@proto, port @port; a ping has
 * neither), named "ipv6 WHAT PROTO[ PORT (PLACE)]": its first packet
 * judged by chain @id of the IR.
 */
static void lab_v6_probe(const struct lab *lab, struct lab_plan *plan, enum ir_chain_id id,
			 const struct lab_v6_end *from, const struct lab_v6_end *to, uint8_t proto,
			 uint16_t port, const char *what, const char *place)
{
	struct lab_probe *c = VEC_PUSH(plan->v, plan->n, plan->cap);
	bool ping = proto == IR_P_ICMPV6;
	struct lab_pkt p = {.iif = from->ifname, .oif = to->ifname, .family = IR_F_IPV6,
			    .saddr6 = from->addr, .daddr6 = to->addr, .proto = proto,
			    .dport = port, .icmp_type = ping ? 128 : -1};
	enum ir_verdict v = lab_verdict_gw(lab, id, &p);
	char s[40], d[40];

	memset(c, 0, sizeof(*c));
	c->kind = ping ? LAB_K_PING : LAB_K_CONN;
	c->family = IR_F_IPV6;
	c->proto = proto;
	c->from_ns = from->ns;
	c->to_ns = to->ns;
	c->src6 = from->addr;
	c->dst6 = to->addr;
	c->want_src6 = from->addr;
	c->dport = c->lport = port;
	if (id == IR_CH_FORWARD && !lab->v6_forwarding)
		v = IR_V_DROP;	/* apply leaves IPv6 forwarding off */
	c->expect = v == IR_V_ACCEPT ? (ping ? LAB_EXP_REACH : LAB_EXP_SOURCE)
		    : v == IR_V_REJECT ? LAB_EXP_REFUSED : LAB_EXP_DROP;
	ir_ip6_str(from->addr, s);
	ir_ip6_str(to->addr, d);
	if (place)
		snprintf(c->name, sizeof(c->name), "ipv6 %s %s %u (%s)", what,
			 ir_proto_name(proto), port, place);
	else
		snprintf(c->name, sizeof(c->name), "ipv6 %s %s", what, ir_proto_name(proto));
	/* explain knows neither the forwarding switch nor a test prefix's gateway address */
	if ((id == IR_CH_FORWARD && !lab->v6_forwarding) || (!to->ifname && to->ns != lab->gw_ns))
		return;
	if (id == IR_CH_INPUT && to->addr != lab->gw_ext6 && !lab_v6_named(lab->ir, to->addr))
		return;
	if (ping)
		snprintf(c->explain, sizeof(c->explain), "icmpv6 echo-request %s -> %s in %s%s%s",
			 s, d, from->ifname, to->ifname ? " out " : "", to->ifname ? to->ifname : "");
	else
		snprintf(c->explain, sizeof(c->explain), "%s [%s]:40000 -> [%s]:%u in %s%s%s",
			 ir_proto_name(proto), s, d, port, from->ifname, to->ifname ? " out " : "",
			 to->ifname ? to->ifname : "");
}

/* @h as one end of a probe. */
static struct lab_v6_end lab_v6_lan_end(const struct lab *lab, const struct lab_host *h,
					ir_u128 addr)
{
	return (struct lab_v6_end){h->ns, lab->lans[h->lan].ifname, addr};
}

/* The first LAN host with an IPv6 address on an interface @iface takes (NULL: any), or NULL. */
static const struct lab_host *lab_v6_lan_on(const struct lab *lab, const char *iface)
{
	size_t i;

	for (i = 0; i < lab->n_lan_hosts; i++)
		if (lab->hosts[i].addr6 &&
		    (!iface || ir_iface_match(iface, lab->lans[lab->hosts[i].lan].ifname)))
			return &lab->hosts[i];
	return NULL;
}

/* The LAN host with an IPv6 address whose IPv4 address is in @l, or NULL. */
static const struct lab_host *lab_v6_twin(const struct lab *lab, const struct ir_addrs *l)
{
	size_t i;

	for (i = 0; i < lab->n_lan_hosts; i++)
		if (lab->hosts[i].addr6 && ir_addrs_has(l, lab->hosts[i].addr, NULL))
			return &lab->hosts[i];
	return NULL;
}

/*
 * Where an IPv6 probe of user rule @r comes from: for an IPv6 rule a
 * source it names, for an IPv4 one the IPv6 side of the host it names
 * (the pair of the restriction); without sources, a LAN host on its
 * interface or the Internet host. Returns false when the lab has none.
 */
static bool lab_v6_rule_from(const struct lab *lab, const struct ir_rule *r,
			     struct lab_v6_end *from)
{
	const struct lab_link *l0 = &lab->links[0];
	bool v6 = !(r->family & IR_F_IPV4);
	const struct lab_host *h = NULL;
	ir_u128 a;
	bool extra;

	extra = false;
	a = 0;
	if (r->saddr.n)
		h = v6 ? lab_v6_target(lab, &r->saddr, r->iif, &a, &extra)
		       : lab_v6_twin(lab, &r->saddr);
	else if (r->iif && !ir_iface_match(r->iif, l0->ifname))
		h = lab_v6_lan_on(lab, r->iif);
	if (h) {
		if ((extra && !lab_v6_host(lab, a)) ||
		    (r->iif && !ir_iface_match(r->iif, lab->lans[h->lan].ifname)))
			return false;
		*from = lab_v6_lan_end(lab, h, v6 && a ? a : h->addr6);
		return true;
	}
	a = v6 && r->saddr.n ? lab_v6_outside(lab, &r->saddr) : lab->inet6;
	if ((r->iif && !ir_iface_match(r->iif, l0->ifname)) || !a ||
	    (a != lab->inet6 && !lab_v6_in_list(lab, a)))
		return false;
	*from = (struct lab_v6_end){lab->inet_ns, l0->ifname, a};
	return true;
}

/* Where an IPv6 probe of user rule @r of the forward chain goes; false: nowhere. */
static bool lab_v6_rule_to(const struct lab *lab, const struct ir_rule *r,
			   const struct lab_v6_end *from, struct lab_v6_end *to)
{
	const struct lab_link *l0 = &lab->links[0];
	const struct lab_host *h = NULL;
	bool extra = false;
	ir_u128 a = 0;

	if (r->daddr.n && !(r->family & IR_F_IPV4))
		h = lab_v6_target(lab, &r->daddr, r->oif, &a, &extra);
	else if (r->daddr.n)
		h = lab_v6_twin(lab, &r->daddr);
	else if (from->ns == lab->inet_ns || (r->oif && !ir_iface_match(r->oif, l0->ifname)))
		h = lab_v6_lan_on(lab, r->oif);
	if (r->daddr.n && (!h || (extra && !lab_v6_host(lab, a))))
		return false;
	if (h)
		*to = lab_v6_lan_end(lab, h, a ? a : h->addr6);
	else
		*to = (struct lab_v6_end){lab->inet_ns, l0->ifname, lab->inet6};
	return to->ns != from->ns && (!r->oif || ir_iface_match(r->oif, to->ifname));
}

/*
 * The IPv6 probe of user rule @r of chain @id (tcp, udp or any, no
 * negation, no ct state); false when the lab has no ends for it.
 */
static bool lab_v6_rule_probe(const struct lab *lab, struct lab_plan *plan, enum ir_chain_id id,
			      const struct ir_rule *r)
{
	static const char *const verbs[] = {"allow", "deny", "reject"};
	struct lab_v6_end from, to;
	char what[160], src[64], d[40], *where;
	uint8_t proto;

	if (!lab_v6_rule_from(lab, r, &from))
		return false;
	if (id == IR_CH_INPUT) {
		const struct lab_host *h = from.ns == lab->inet_ns ? NULL
					   : lab_v6_lan_on(lab, from.ifname);

		to = (struct lab_v6_end){lab->gw_ns, NULL, h ? lab->lans[h->lan].gw6 : lab->gw_ext6};
	} else if (!lab_v6_rule_to(lab, r, &from, &to)) {
		return false;
	}
	proto = r->dports.n ? r->dports.v[0].proto : r->proto == IR_P_UDP ? IR_P_UDP : IR_P_TCP;
	if (from.ns != lab->inet_ns)
		snprintf(src, sizeof(src), "%s", lab_v6_lan_on(lab, from.ifname)->label);
	else if (from.addr == lab->inet6)
		snprintf(src, sizeof(src), "internet");
	else
		snprintf(src, sizeof(src), "internet %s", ir_ip6_str(from.addr, d));
	snprintf(what, sizeof(what), "%s %s %s -> %s", verbs[r->verdict],
		 id == IR_CH_INPUT ? "input" : "forward", src, ir_ip6_str(to.addr, d));
	where = diag_loc_str(&r->loc);
	lab_v6_probe(lab, plan, id, &from, &to, proto,
		     r->dports.n ? r->dports.v[0].lo : LAB_V6_CLOSED, what, where);
	free(where);
	return true;
}

/*
 * IPv6 probes of the user rules of input and forward, one per rule and
 * per interface identifier it names (each its own host): an IPv6 rule
 * does what it says (a pinhole opens its host), an IPv4 one is paired
 * with the same hosts over IPv6, which the kernel must treat as the IR
 * does.
 */
static void lab_v6_rules(const struct lab *lab, struct lab_plan *plan)
{
	static const enum ir_chain_id ids[] = {IR_CH_INPUT, IR_CH_FORWARD};
	size_t i, j, ps, pd, n = 0;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		const struct ir_chain *c = &lab->ir->chain[ids[i]];

		for (j = 0; j < c->n && n < LAB_V6_RULE_PROBES; j++) {
			const struct ir_rule *r = &c->rules[j];
			struct ir_rule one = *r;

			if (r->tag != IR_T_USER || r->saddr_neg || r->daddr_neg || r->ct_state ||
			    (r->proto != IR_P_TCP && r->proto != IR_P_UDP && r->proto != IR_P_ANY))
				continue;
			for (ps = 0; ps < lab_v6_parts(&r->saddr); ps++) {
				for (pd = 0; pd < lab_v6_parts(&r->daddr) && n < LAB_V6_RULE_PROBES;
				     pd++) {
					one.saddr = lab_v6_part(&r->saddr, ps);
					one.daddr = lab_v6_part(&r->daddr, pd);
					n += lab_v6_rule_probe(lab, plan, ids[i], &one);
				}
			}
		}
	}
}

/*
 * FTP over IPv6 (EPRT, EPSV) from the first LAN host to the Internet: the
 * active transfer's data connection comes in from the Internet, so only
 * the ftp helper of the ip6 table admits it.
 */
static void lab_v6_ftp(const struct lab *lab, struct lab_plan *plan)
{
	const struct lab_host *h = lab_v6_lan_on(lab, NULL);
	const struct ir_helper *ftp = NULL;
	struct lab_v6_end me, inet;
	struct lab_pkt p;
	enum ir_verdict v;
	char d[40];
	size_t i, k;

	for (i = 0; i < lab->ir->n_helpers && !ftp; i++)
		if (strcmp(lab->ir->helpers[i].name, "ftp") == 0 && lab->ir->helpers[i].ports.n &&
		    lab->ir->helpers[i].ipv6)
			ftp = &lab->ir->helpers[i];
	if (!ftp || !h)
		return;
	me = lab_v6_lan_end(lab, h, h->addr6);
	inet = (struct lab_v6_end){lab->inet_ns, lab->links[0].ifname, lab->inet6};
	p = (struct lab_pkt){.iif = me.ifname, .oif = inet.ifname, .family = IR_F_IPV6,
			     .saddr6 = me.addr, .daddr6 = inet.addr, .proto = IR_P_TCP,
			     .dport = ftp->ports.v[0].lo, .icmp_type = -1};
	v = lab->v6_forwarding ? lab_verdict_gw(lab, IR_CH_FORWARD, &p) : IR_V_DROP;
	for (k = 0; k < 2; k++) {
		struct lab_probe *c = VEC_PUSH(plan->v, plan->n, plan->cap);

		memset(c, 0, sizeof(*c));
		c->kind = k ? LAB_K_FTP_PASSIVE : LAB_K_FTP_ACTIVE;
		c->family = IR_F_IPV6;
		c->proto = IR_P_TCP;
		c->from_ns = me.ns;
		c->to_ns = inet.ns;
		c->src6 = me.addr;
		c->dst6 = inet.addr;
		c->dport = c->lport = p.dport;
		c->expect = v == IR_V_ACCEPT ? LAB_EXP_REACH
			    : v == IR_V_REJECT ? LAB_EXP_REFUSED : LAB_EXP_DROP;
		snprintf(c->name, sizeof(c->name), "ipv6 ftp %s %s -> internet [%s]:%u: RETR",
			 k ? "passive" : "active", h->label, ir_ip6_str(inet.addr, d), p.dport);
	}
}

void lab_v6_probes(const struct lab *lab, struct lab_plan *plan)
{
	const struct lab_link *l0 = &lab->links[0];
	const struct lab_v6_end inet = {lab->inet_ns, l0->ifname, lab->inet6},
				gw_ext = {lab->gw_ns, NULL, lab->gw_ext6};
	size_t i, j;
	char what[96];

	for (i = 0; i < lab->n_lan_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];
		struct lab_v6_end me, gw;

		if (!h->addr6)
			continue;
		me = lab_v6_lan_end(lab, h, h->addr6);
		gw = (struct lab_v6_end){lab->gw_ns, NULL, lab->lans[h->lan].gw6};
		snprintf(what, sizeof(what), "%s -> internet", h->label);
		lab_v6_probe(lab, plan, IR_CH_FORWARD, &me, &inet, IR_P_TCP, LAB_V6_PORT, what,
			     NULL);
		lab_v6_probe(lab, plan, IR_CH_FORWARD, &me, &inet, IR_P_ICMPV6, 0, what, NULL);
		snprintf(what, sizeof(what), "%s -> gateway", h->label);
		lab_v6_probe(lab, plan, IR_CH_INPUT, &me, &gw, IR_P_ICMPV6, 0, what, NULL);
		snprintf(what, sizeof(what), "internet -> %s (closed)", h->label);
		lab_v6_probe(lab, plan, IR_CH_FORWARD, &inet, &me, IR_P_TCP, LAB_V6_PORT, what,
			     NULL);
		for (j = 0; j < lab->n_lan_hosts; j++) {
			const struct lab_host *t = &lab->hosts[j];
			struct lab_v6_end them;

			if (j == i || !t->addr6 || t->lan == h->lan)
				continue;
			them = lab_v6_lan_end(lab, t, t->addr6);
			snprintf(what, sizeof(what), "%s -> %s", h->label, t->label);
			lab_v6_probe(lab, plan, IR_CH_FORWARD, &me, &them, IR_P_TCP, LAB_V6_PORT,
				     what, NULL);
		}
	}
	lab_v6_probe(lab, plan, IR_CH_INPUT, &inet, &gw_ext, IR_P_TCP, LAB_V6_PORT,
		     "internet -> gateway (listening)", NULL);
	lab_v6_probe(lab, plan, IR_CH_INPUT, &inet, &gw_ext, IR_P_ICMPV6, 0, "internet -> gateway",
		     NULL);
	lab_v6_rules(lab, plan);
	lab_v6_ftp(lab, plan);
}
