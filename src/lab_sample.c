// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_sample.c - `masqgen lab --sample N`: drawn packets instead of the
 * planned probes. Each is a tcp or udp packet from a LAN host or the
 * Internet host to an address the lab has (a host, the gateway, the
 * Internet host) on a port the policy names or not. explain's engine
 * follows it (destination NAT, routing), the lab's prediction gives the
 * verdict the gateway's filter must reach, and the probe watches where
 * the packet must arrive: the kernel must agree. The draw is seeded by the
 * policy's path as given, so a policy always gets the same packets.
 */
#include "lab.h"

#include "explain.h"
#include "ir_match.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a drawn packet comes from: a namespace, its address, the gateway's interface. */
struct lab_sample_from {
	const char *ns;
	uint32_t addr;
	const char *iif;
	const struct lab_host *host;	/* NULL: the Internet host */
};

struct lab_sample {
	const struct lab *lab;
	uint32_t seed;
	uint32_t *dst;
	size_t n_dst, cap_dst;
	uint16_t *port;
	size_t n_port, cap_port;
};

static uint32_t lab_sample_draw(struct lab_sample *s)
{
	s->seed ^= s->seed << 13;
	s->seed ^= s->seed >> 17;
	s->seed ^= s->seed << 5;
	return s->seed;
}

/* Addresses to send to and ports the policy names. */
static void lab_sample_pools(struct lab_sample *s)
{
	const struct lab *lab = s->lab;
	const struct ir *ir = lab->ir;
	static const uint16_t fixed[] = {22, 53, 80, 443, 8080};
	size_t i, j, c;

	for (i = 0; i < lab->n_hosts; i++)
		*VEC_PUSH(s->dst, s->n_dst, s->cap_dst) = lab->hosts[i].addr;
	*VEC_PUSH(s->dst, s->n_dst, s->cap_dst) = lab->links[0].gw_addr;
	*VEC_PUSH(s->dst, s->n_dst, s->cap_dst) = lab->links[0].inet_addr;
	/* the gateway's LAN addresses explain knows (the policy gave them) */
	for (i = 0; i < ir->n_ifaces; i++)
		for (j = 0; j < ir->ifaces[i].n_nets; j++)
			if (ir->ifaces[i].nets[j].gw)
				*VEC_PUSH(s->dst, s->n_dst, s->cap_dst) = ir->ifaces[i].nets[j].gw;
	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		*VEC_PUSH(s->port, s->n_port, s->cap_port) = fixed[i];
	for (i = 0; i < ir->n_forwards; i++)
		if (ir->forwards[i].lo)
			*VEC_PUSH(s->port, s->n_port, s->cap_port) = ir->forwards[i].lo;
	for (c = IR_CH_INPUT; c <= IR_CH_FORWARD; c++)
		for (i = 0; i < ir->chain[c].n; i++)
			for (j = 0; j < ir->chain[c].rules[i].dports.n; j++)
				*VEC_PUSH(s->port, s->n_port, s->cap_port) =
					ir->chain[c].rules[i].dports.v[j].lo;
}

static void lab_sample_source(struct lab_sample *s, struct lab_sample_from *f)
{
	const struct lab *lab = s->lab;
	size_t k = lab_sample_draw(s) % (lab->n_hosts + 1);

	if (k == lab->n_hosts) {
		*f = (struct lab_sample_from){.ns = lab->inet_ns, .addr = lab->far_addr,
					      .iif = lab->links[0].ifname};
		return;
	}
	*f = (struct lab_sample_from){.ns = lab->hosts[k].ns, .addr = lab->hosts[k].addr,
				      .iif = lab->lans[lab->hosts[k].lan].ifname,
				      .host = &lab->hosts[k]};
}

/* The namespace where @p (after explain's DNAT and routing) must arrive, or NULL. */
static const char *lab_sample_sink(const struct lab *lab, const struct explain_packet *p)
{
	const struct lab_host *h;

	if (!p->oif)
		return lab->gw_ns;
	h = lab_net_host(lab, p->daddr);
	if (h)
		return h->ns;
	return p->daddr == lab->links[0].inet_addr ? lab->inet_ns : NULL;
}

/*
 * Draw one packet into @plan, unless the draw is not one the lab can send
 * and watch (to its own network, to nobody).
 */
static void lab_sample_one(struct lab_sample *s, struct lab_plan *plan, size_t nth)
{
	const struct lab *lab = s->lab;
	const struct lab_link *l0 = &lab->links[0];
	const struct ir_iface *ext = ir_iface_of(lab->ir, l0->ifname);
	struct lab_sample_from f;
	struct explain_packet p = {.state = IR_CT_NEW, .sport = 40000}, sent;
	struct strbuf trace = {0};
	const struct loc *why;
	const struct lab_host *to;
	const char *sink;
	struct lab_probe *c;
	struct lab_pkt lp;
	char a[16], b[16];

	lab_sample_source(s, &f);
	p.proto = lab_sample_draw(s) % 2 ? IR_P_TCP : IR_P_UDP;
	p.saddr = f.addr;
	p.daddr = s->dst[lab_sample_draw(s) % s->n_dst];
	p.dport = lab_sample_draw(s) % 4 ? s->port[lab_sample_draw(s) % s->n_port]
					 : (uint16_t)(20000 + lab_sample_draw(s) % 10000);
	to = lab_net_host(lab, p.daddr);
	/* on its own LAN a packet never passes the gateway; the Internet host sends out */
	if (p.daddr == f.addr || (!f.host && p.daddr == l0->inet_addr) ||
	    (f.host && to && to->lan == f.host->lan))
		return;
	snprintf(p.iif_name, sizeof(p.iif_name), "%s", f.iif);
	p.iif = p.iif_name;
	/* the Internet host is on link 0: its connected route wins over any uplink's mark */
	if (f.host && p.daddr == l0->inet_addr && lab->n_links > 1)
		p.oif = l0->ifname;
	sent = p;
	explain_decide(lab->ir, &p, ext && ext->dynamic ? l0->ifname : NULL,
		       l0->gw_addr, &why, &trace);
	sb_free(&trace);
	sink = lab_sample_sink(lab, &p);
	if (!sink || strcmp(sink, f.ns) == 0)
		return;
	/* the filter sees the translated destination and the original source */
	lp = (struct lab_pkt){.iif = f.iif, .oif = p.oif, .saddr = f.addr, .daddr = p.daddr,
			      .proto = p.proto, .dport = p.dport, .icmp_type = -1,
			      .dnat_forward = p.dnat_forward};
	c = VEC_PUSH(plan->v, plan->n, plan->cap);
	memset(c, 0, sizeof(*c));
	c->kind = LAB_K_SNIFF;
	c->proto = p.proto;
	c->from_ns = f.ns;
	c->src = f.addr;
	c->dst = sent.daddr;
	c->dport = sent.dport;
	c->to_ns = sink;
	c->lport = p.dport;
	c->expect = lab_verdict_gw(lab, p.oif ? IR_CH_FORWARD : IR_CH_INPUT, &lp) == IR_V_ACCEPT
			    ? LAB_EXP_REACH
			    : LAB_EXP_DROP;
	snprintf(c->name, sizeof(c->name), "sample %zu %s %s -> %s:%u in %s", nth + 1,
		 ir_proto_name(c->proto), ir_ip_str(c->src, a), ir_ip_str(c->dst, b), c->dport,
		 f.iif);
	snprintf(c->explain, sizeof(c->explain), "%s %s:40000 -> %s:%u in %s%s%s",
		 ir_proto_name(c->proto), a, b, c->dport, f.iif, sent.oif ? " out " : "",
		 sent.oif ? sent.oif : "");
}

void lab_sample_build(const struct lab *lab, unsigned n, struct lab_plan *plan)
{
	struct lab_sample s = {.lab = lab, .seed = 2463534242u};
	const char *ch;
	size_t tries;

	for (ch = lab->policy; *ch; ch++)
		s.seed = s.seed * 31 + (unsigned char)*ch;
	lab_sample_pools(&s);
	for (tries = 0; plan->n < n && tries < 50 * (size_t)n; tries++)
		lab_sample_one(&s, plan, plan->n);
	free(s.dst);
	free(s.port);
}
