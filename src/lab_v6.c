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

#include "ir.h"
#include "ir_match.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#define LAB_V6_LINK ((ir_u128)0x20010db8ff000000ULL << 64)	/* 2001:db8:ff00::/64 */
#define LAB_V6_TEST ((ir_u128)0x20010db8fe000000ULL << 64)	/* 2001:db8:fe00::/64 + k */
#define LAB_V6_PORT 7

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

/* One IPv6 probe: its first packet judged by chain @id of the IR. */
static void lab_v6_probe(const struct lab *lab, struct lab_plan *plan, enum lab_kind kind,
			 enum ir_chain_id id, const char *from_ns, const char *iif, ir_u128 src,
			 const char *to_ns, const char *oif, ir_u128 dst, const char *what)
{
	struct lab_probe *c = VEC_PUSH(plan->v, plan->n, plan->cap);
	struct lab_pkt p = {.iif = iif, .oif = oif, .family = IR_F_IPV6, .saddr6 = src,
			    .daddr6 = dst, .proto = kind == LAB_K_PING ? IR_P_ICMPV6 : IR_P_TCP,
			    .dport = kind == LAB_K_PING ? 0 : LAB_V6_PORT,
			    .icmp_type = kind == LAB_K_PING ? 128 : -1};
	enum ir_verdict v = lab_verdict_gw(lab, id, &p);
	char s[40], d[40];

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->family = IR_F_IPV6;
	c->proto = p.proto;
	c->from_ns = from_ns;
	c->to_ns = to_ns;
	c->src6 = src;
	c->dst6 = dst;
	c->want_src6 = src;
	c->dport = c->lport = p.dport;
	if (id == IR_CH_FORWARD && !lab->v6_forwarding)
		v = IR_V_DROP;	/* apply leaves IPv6 forwarding off */
	c->expect = v == IR_V_ACCEPT ? (kind == LAB_K_PING ? LAB_EXP_REACH : LAB_EXP_SOURCE)
		    : v == IR_V_REJECT ? LAB_EXP_REFUSED : LAB_EXP_DROP;
	ir_ip6_str(src, s);
	ir_ip6_str(dst, d);
	snprintf(c->name, sizeof(c->name), "ipv6 %s %s", what,
		 kind == LAB_K_PING ? "icmpv6" : "tcp");
	/* explain knows neither the forwarding switch nor a test prefix's gateway address */
	if ((id == IR_CH_FORWARD && !lab->v6_forwarding) || (!oif && to_ns != lab->gw_ns))
		return;
	if (id == IR_CH_INPUT && dst != lab->gw_ext6 && !lab_v6_named(lab->ir, dst))
		return;
	if (kind == LAB_K_PING)
		snprintf(c->explain, sizeof(c->explain), "icmpv6 echo-request %s -> %s in %s%s%s",
			 s, d, iif, oif ? " out " : "", oif ? oif : "");
	else
		snprintf(c->explain, sizeof(c->explain), "tcp [%s]:40000 -> [%s]:%u in %s%s%s", s,
			 d, LAB_V6_PORT, iif, oif ? " out " : "", oif ? oif : "");
}

void lab_v6_probes(const struct lab *lab, struct lab_plan *plan)
{
	const struct lab_link *l0 = &lab->links[0];
	size_t i, j;
	char what[96];

	for (i = 0; i < lab->n_lan_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];
		const char *hif = lab->lans[h->lan].ifname;

		if (!h->addr6)
			continue;
		snprintf(what, sizeof(what), "%s -> internet", h->label);
		lab_v6_probe(lab, plan, LAB_K_CONN, IR_CH_FORWARD, h->ns, hif, h->addr6,
			     lab->inet_ns, l0->ifname, lab->inet6, what);
		lab_v6_probe(lab, plan, LAB_K_PING, IR_CH_FORWARD, h->ns, hif, h->addr6,
			     lab->inet_ns, l0->ifname, lab->inet6, what);
		snprintf(what, sizeof(what), "%s -> gateway", h->label);
		lab_v6_probe(lab, plan, LAB_K_PING, IR_CH_INPUT, h->ns, hif, h->addr6, lab->gw_ns,
			     NULL, lab->lans[h->lan].gw6, what);
		snprintf(what, sizeof(what), "internet -> %s (closed)", h->label);
		lab_v6_probe(lab, plan, LAB_K_CONN, IR_CH_FORWARD, lab->inet_ns, l0->ifname,
			     lab->inet6, h->ns, hif, h->addr6, what);
		for (j = 0; j < lab->n_lan_hosts; j++) {
			const struct lab_host *t = &lab->hosts[j];

			if (j == i || !t->addr6 || t->lan == h->lan)
				continue;
			snprintf(what, sizeof(what), "%s -> %s", h->label, t->label);
			lab_v6_probe(lab, plan, LAB_K_CONN, IR_CH_FORWARD, h->ns, hif, h->addr6,
				     t->ns, lab->lans[t->lan].ifname, t->addr6, what);
		}
	}
	lab_v6_probe(lab, plan, LAB_K_CONN, IR_CH_INPUT, lab->inet_ns, l0->ifname, lab->inet6,
		     lab->gw_ns, NULL, lab->gw_ext6, "internet -> gateway (listening)");
	lab_v6_probe(lab, plan, LAB_K_PING, IR_CH_INPUT, lab->inet_ns, l0->ifname, lab->inet6,
		     lab->gw_ns, NULL, lab->gw_ext6, "internet -> gateway");
}
