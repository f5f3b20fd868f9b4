// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_plan.c - which probes a policy calls for, and what each must observe.
 *
 * The expectation comes from the IR, read the way LANGUAGE.md defines it:
 * the NAT entries say where a connection goes and which source it shows,
 * and the filter chains (walked rule by rule for the probe's first packet)
 * say whether it passes. A backend that lowers the IR wrongly then shows up
 * as a probe whose kernel behaviour differs from the expectation.
 */
#include "lab.h"

#include "diag.h"
#include "ir.h"
#include "ir_match.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAB_PORT_ECHO 7		/* the Internet host's echo service */
#define LAB_PORT_CLOSED 2323	/* a gateway port nothing opens */
#define LAB_MAX_USER_PROBES 24
#define LAB_MAX_FORWARDS 16	/* forwards probed: the first 15 and the last */

static enum lab_expect expect_of(enum ir_verdict v, enum lab_expect on_accept)
{
	switch (v) {
	case IR_V_ACCEPT:
		return on_accept;
	case IR_V_REJECT:
		return LAB_EXP_REFUSED;
	case IR_V_DROP:
		break;
	}
	return LAB_EXP_DROP;
}

/*
 * Whether the forward chain's admission (IR_T_FORWARDED) takes a
 * connection from @saddr that a DNAT sent to @host @port after it was
 * addressed to public port @orig: a forward must map @orig to exactly that
 * target and admit @saddr (a 1:1 DNAT keeps the port).
 */
static bool forward_admits(const struct ir *ir, uint32_t saddr, uint32_t host, uint8_t proto,
			   uint16_t port, uint16_t orig)
{
	size_t i;

	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];

		if (f->host == host && f->proto == proto && orig >= f->lo && orig <= f->hi &&
		    port == f->to_lo + (orig - f->lo) &&
		    (!f->from.n || ir_addrs_has(&f->from, saddr, NULL)))
			return true;
	}
	return false;
}

/* The source the Internet sees for @src leaving by @oif (policy name). */
static uint32_t snat_source(const struct lab *lab, uint32_t src, const char *oif)
{
	const struct lab_link *l = lab_net_link(lab, oif);
	const struct ir *ir = lab->ir;
	size_t i;

	for (i = 0; i < ir->n_nat1to1; i++)
		if (ir->nat1to1[i].private_addr == src && strcmp(ir->nat1to1[i].iif, oif) == 0)
			return ir->nat1to1[i].public_addr;
	for (i = 0; i < ir->n_snats; i++) {
		const struct ir_snat *s = &ir->snats[i];

		if (strcmp(s->oif, oif) == 0 && ir_addrs_has(&s->sources, src, NULL) &&
		    s->sources.n)
			return s->to ? s->to : l->gw_addr;
	}
	return src;	/* not translated: the LAN route on the Internet host answers */
}

static struct lab_probe *add(struct lab_plan *plan, enum lab_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static struct lab_probe *add(struct lab_plan *plan, enum lab_kind kind, const char *fmt, ...)
{
	struct lab_probe *p = VEC_PUSH(plan->v, plan->n, plan->cap);
	va_list ap;

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	va_start(ap, fmt);
	vsnprintf(p->name, sizeof(p->name), fmt, ap);
	va_end(ap);
	return p;
}

static void ping(struct lab_plan *plan, const char *from_ns, uint32_t dst, enum lab_expect e,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void ping(struct lab_plan *plan, const char *from_ns, uint32_t dst, enum lab_expect e,
		 const char *fmt, ...)
{
	struct lab_probe *p = add(plan, LAB_K_PING, "%s", "");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->name, sizeof(p->name), fmt, ap);
	va_end(ap);
	p->proto = IR_P_ICMP;
	p->from_ns = from_ns;
	p->dst = dst;
	p->expect = e;
}

static struct lab_probe *conn(struct lab_plan *plan, uint8_t proto, const char *from_ns,
			      uint32_t src, uint32_t dst, uint16_t dport, const char *to_ns,
			      uint16_t lport)
{
	struct lab_probe *p = add(plan, LAB_K_CONN, "%s", "");

	p->proto = proto;
	p->from_ns = from_ns;
	p->src = src;
	p->dst = dst;
	p->dport = dport;
	p->to_ns = to_ns;
	p->lport = lport;
	return p;
}

/*
 * The probe's first packet for `masqgen explain`: from @src, arriving on
 * @in, or (@in NULL) sent by the gateway out of @out. The source port of a
 * connection is the kernel's choice; no rule of a policy looks at it.
 */
static void explain_pkt(struct lab_probe *c, uint32_t src, const char *in, const char *out)
{
	char s[16], d[16];

	if (c->proto == IR_P_ICMP)
		snprintf(c->explain, sizeof(c->explain), "icmp echo-request %s -> %s %s %s",
			 ir_ip_str(src, s), ir_ip_str(c->dst, d), in ? "in" : "out", in ? in : out);
	else
		snprintf(c->explain, sizeof(c->explain), "%s %s:40000 -> %s:%u %s %s",
			 ir_proto_name(c->proto), ir_ip_str(src, s), ir_ip_str(c->dst, d), c->dport,
			 in ? "in" : "out", in ? in : out);
}

static void name_probe(struct lab_probe *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void name_probe(struct lab_probe *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->name, sizeof(p->name), fmt, ap);
	va_end(ap);
}

/* Which interface of the gateway a LAN host hangs off. */
static const char *host_if(const struct lab *lab, const struct lab_host *h)
{
	return lab->lans[h->lan].ifname;
}

/* LAN host @h to the Internet host's address on link @l: the source it shows. */
static void plan_out(const struct lab *lab, struct lab_plan *plan, const struct lab_host *h,
		     const struct lab_link *l, uint8_t proto)
{
	struct lab_pkt p = {.iif = host_if(lab, h), .oif = l->ifname, .saddr = h->addr,
			.daddr = l->inet_addr, .proto = proto, .dport = LAB_PORT_ECHO,
			.icmp_type = -1};
	struct lab_probe *c;
	char via[32] = "", b[16];

	if (l != &lab->links[0])
		snprintf(via, sizeof(via), " via %s", l->ifname);
	c = conn(plan, proto, h->ns, 0, l->inet_addr, LAB_PORT_ECHO, lab->inet_ns, LAB_PORT_ECHO);
	explain_pkt(c, h->addr, host_if(lab, h), NULL);
	c->expect = expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_SOURCE);
	c->want_src = snat_source(lab, h->addr, l->policy_name);
	if (c->expect == LAB_EXP_SOURCE)
		name_probe(c, "5.7 %s -> internet%s %s: source %s", h->label, via,
			   ir_proto_name(proto), ir_ip_str(c->want_src, b));
	else
		name_probe(c, "5.7 %s -> internet%s %s", h->label, via, ir_proto_name(proto));
}

/*
 * clamp-mss (FAQ 7.15): a LAN host's SYN leaves with its MSS cut to the
 * link's (a ppp link has the PPPoE MTU 1492 in the lab) or to BYTES.
 */
static void plan_clamp(const struct lab *lab, struct lab_plan *plan, const struct lab_host *h)
{
	const struct lab_link *l0 = &lab->links[0];
	struct lab_pkt p = {.iif = host_if(lab, h), .oif = l0->ifname, .saddr = h->addr,
			.daddr = l0->inet_addr, .proto = IR_P_TCP, .dport = LAB_PORT_ECHO,
			.icmp_type = -1};
	struct lab_probe *c;

	if (lab_verdict_gw(lab, IR_CH_FORWARD, &p) != IR_V_ACCEPT)
		return;
	c = conn(plan, IR_P_TCP, h->ns, 0, l0->inet_addr, LAB_PORT_ECHO, lab->inet_ns,
		 LAB_PORT_ECHO);
	c->expect = LAB_EXP_MSS;
	c->want_mss = (uint16_t)(lab->ir->clamp.mss ? lab->ir->clamp.mss : l0->mtu - 40);
	name_probe(c, "clamp-mss %s -> internet tcp: mss <= %u", h->label, c->want_mss);
}

/* The HOWTO's chapter 5 checks, and LAN to Internet over tcp and udp. */
static void plan_howto(const struct lab *lab, struct lab_plan *plan)
{
	const struct lab_link *l0 = &lab->links[0];
	char a[16];
	size_t i;

	for (i = 0; i < lab->n_lan_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];
		struct lab_pkt p = {.iif = host_if(lab, h), .saddr = h->addr, .proto = IR_P_ICMP,
				.icmp_type = 8};
		static const uint8_t protos[] = {IR_P_TCP, IR_P_UDP};
		size_t k;

		ping(plan, h->ns, h->addr, LAB_EXP_REACH, "5.2 %s -> itself %s icmp", h->label,
		     ir_ip_str(h->addr, a));
		p.daddr = h->router;
		ping(plan, h->ns, h->router, expect_of(lab_verdict_gw(lab, IR_CH_INPUT, &p),
						       LAB_EXP_REACH),
		     "5.3 %s -> gateway %s icmp", h->label, ir_ip_str(h->router, a));
		explain_pkt(&plan->v[plan->n - 1], h->addr, host_if(lab, h), NULL);
		p = (struct lab_pkt){.oif = host_if(lab, h), .saddr = h->router, .daddr = h->addr,
				 .proto = IR_P_ICMP, .icmp_type = 8};
		ping(plan, lab->gw_ns, h->addr,
		     expect_of(lab_verdict_chain(lab, IR_CH_OUTPUT, &p), LAB_EXP_REACH),
		     "5.5 gateway -> %s %s icmp", h->label, ir_ip_str(h->addr, a));
		plan->v[plan->n - 1].from_gateway = true;
		explain_pkt(&plan->v[plan->n - 1], h->router, NULL, host_if(lab, h));
		p = (struct lab_pkt){.iif = host_if(lab, h), .saddr = h->addr, .daddr = l0->gw_addr,
				 .proto = IR_P_ICMP, .icmp_type = 8};
		ping(plan, h->ns, l0->gw_addr,
		     expect_of(lab_verdict_gw(lab, IR_CH_INPUT, &p), LAB_EXP_REACH),
		     "5.7 %s -> gateway external %s icmp", h->label, ir_ip_str(l0->gw_addr, a));
		explain_pkt(&plan->v[plan->n - 1], h->addr, host_if(lab, h), NULL);
		p.oif = l0->ifname;
		p.daddr = l0->inet_addr;
		ping(plan, h->ns, l0->inet_addr,
		     expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_REACH),
		     "5.8 %s -> internet %s icmp", h->label, ir_ip_str(l0->inet_addr, a));
		explain_pkt(&plan->v[plan->n - 1], h->addr, host_if(lab, h), NULL);
		for (k = 0; k < ARRAY_SIZE(protos); k++)
			plan_out(lab, plan, h, l0, protos[k]);
		if (lab->ir->clamp.enabled)
			plan_clamp(lab, plan, h);
		/* every other external: its link address is routed out of it */
		for (k = 1; k < lab->n_links; k++)
			plan_out(lab, plan, h, &lab->links[k], IR_P_TCP);
	}
	ping(plan, lab->gw_ns, lab->lans[0].gw_addrs[0], LAB_EXP_REACH,
	     "5.4 gateway -> own lan address %s icmp", ir_ip_str(lab->lans[0].gw_addrs[0], a));
	ping(plan, lab->gw_ns, l0->gw_addr, LAB_EXP_REACH,
	     "5.6 gateway -> own external address %s icmp", ir_ip_str(l0->gw_addr, a));
	{
		struct lab_pkt p = {.oif = l0->ifname, .saddr = l0->gw_addr, .daddr = l0->inet_addr,
				.proto = IR_P_ICMP, .icmp_type = 8};

		ping(plan, lab->gw_ns, l0->inet_addr,
		     expect_of(lab_verdict_chain(lab, IR_CH_OUTPUT, &p), LAB_EXP_REACH),
		     "5.6 gateway -> internet %s icmp", ir_ip_str(l0->inet_addr, a));
		plan->v[plan->n - 1].from_gateway = true;
		explain_pkt(&plan->v[plan->n - 1], l0->gw_addr, NULL, l0->ifname);
	}
}

static bool port_forwarded(const struct ir *ir, const char *iif, uint8_t proto, uint16_t port)
{
	size_t i;

	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];

		if (f->proto == proto && port >= f->lo && port <= f->hi &&
		    (!iif || strcmp(f->iif, iif) == 0))
			return true;
	}
	return false;
}

static uint16_t closed_port(const struct ir *ir, const char *iif)
{
	uint16_t q = LAB_PORT_CLOSED;

	while (port_forwarded(ir, iif, IR_P_TCP, q))
		q++;
	return q;
}

/* The firewall, not a missing listener, decides: a listener in the gateway. */
static void plan_firewall(const struct lab *lab, struct lab_plan *plan)
{
	const struct lab_link *l0 = &lab->links[0];
	const struct lab_host *h = &lab->hosts[0];
	uint16_t q = closed_port(lab->ir, l0->policy_name);
	struct lab_pkt p = {.iif = l0->ifname, .saddr = lab->far_addr, .daddr = l0->gw_addr,
			.proto = IR_P_TCP, .dport = q, .icmp_type = -1};
	struct lab_probe *c;
	char a[16], b[16];

	c = conn(plan, IR_P_TCP, lab->inet_ns, lab->far_addr, l0->gw_addr, q, lab->gw_ns, q);
	explain_pkt(c, lab->far_addr, l0->ifname, NULL);
	c->expect = expect_of(lab_verdict_gw(lab, IR_CH_INPUT, &p), LAB_EXP_REACH);
	name_probe(c, "internet -> gateway %s tcp %u (listening)", ir_ip_str(l0->gw_addr, a), q);

	p.oif = host_if(lab, h);
	p.daddr = h->addr;
	p.dport = LAB_PORT_ECHO;
	c = conn(plan, IR_P_TCP, lab->inet_ns, lab->far_addr, h->addr, LAB_PORT_ECHO, h->ns,
		 LAB_PORT_ECHO);
	explain_pkt(c, lab->far_addr, l0->ifname, NULL);
	c->expect = expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_REACH);
	name_probe(c, "internet -> %s %s tcp %u directly", h->label, ir_ip_str(h->addr, a),
		   LAB_PORT_ECHO);
	if (lab->ir->level == IR_STRONG && lab->spoof_addr) {
		const struct ir_forward *f = NULL;
		size_t i;

		for (i = 0; i < lab->ir->n_forwards && !f; i++)
			if (lab->ir->forwards[i].proto == IR_P_TCP ||
			    lab->ir->forwards[i].proto == IR_P_UDP)
				f = &lab->ir->forwards[i];
		c = add(plan, LAB_K_SNIFF, "%s", "");
		c->from_ns = lab->inet_ns;
		c->src = lab->spoof_addr;
		p.saddr = lab->spoof_addr;
		if (f) {
			const struct lab_link *l = lab_net_link(lab, f->iif);

			c->proto = f->proto;
			c->dst = l->gw_addr;
			c->dport = f->lo;
			c->lport = f->to_lo;
			c->to_ns = lab_net_host(lab, f->host)->ns;
			p = (struct lab_pkt){.iif = l->ifname, .saddr = lab->spoof_addr,
					 .daddr = f->host, .proto = f->proto, .dport = f->to_lo,
					 .icmp_type = -1, .dnat_forward = true,
					 .oif = host_if(lab, lab_net_host(lab, f->host))};
		} else {
			c->proto = IR_P_UDP;
			c->dst = h->addr;
			c->dport = LAB_PORT_ECHO;
			c->lport = LAB_PORT_ECHO;
			c->to_ns = h->ns;
			p.proto = IR_P_UDP;
		}
		c->expect = expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_REACH);
		explain_pkt(c, lab->spoof_addr, p.iif, NULL);
		name_probe(c, "internet spoofing lan source %s -> %s %s %u",
			   ir_ip_str(lab->spoof_addr, a), ir_ip_str(c->dst, b),
			   ir_proto_name(c->proto), c->dport);
	}
}

/* The forward that answers a reflected connection to (@proto, @port), or NULL. */
static const struct ir_forward *reflector(const struct ir *ir, uint8_t proto, uint16_t port)
{
	size_t i;

	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];

		if (f->reflect && f->proto == proto && port >= f->lo && port <= f->hi)
			return f;
	}
	return NULL;
}

/* The LAN host on the same network as @addr, else the first one. */
static const struct lab_host *lan_host_near(const struct lab *lab, uint32_t addr)
{
	size_t i;

	for (i = 0; i < lab->n_lan_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];
		if (ir_addr_in(addr, h->addr, h->len))
			return h;
	}
	return &lab->hosts[0];
}

static void plan_forward_port(const struct lab *lab, struct lab_plan *plan,
			      const struct ir_forward *f, uint16_t port)
{
	const struct lab_link *l = lab_net_link(lab, f->iif);
	const struct lab_host *srv = lab_net_host(lab, f->host);
	uint16_t to = (uint16_t)(f->to_lo + (port - f->lo));
	uint32_t src = lab_net_source(lab, &f->from);
	const char *proto = ir_proto_name(f->proto);
	struct lab_probe *c;
	char a[16], b[16], s[16];

	if (!l || !srv)
		return;
	if (src) {
		struct lab_pkt p = {.iif = l->ifname, .oif = host_if(lab, srv), .saddr = src,
				.daddr = f->host, .proto = f->proto, .dport = to,
				.icmp_type = -1, .dnat_forward = true};

		c = conn(plan, f->proto, lab->inet_ns, src, l->gw_addr, port, srv->ns, to);
		explain_pkt(c, src, l->ifname, NULL);
		c->expect = expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_SOURCE);
		c->want_src = src;
		name_probe(c, "forward %s %s:%u -> %s:%u from %s", proto,
			   ir_ip_str(l->gw_addr, a), port, ir_ip_str(f->host, b), to,
			   ir_ip_str(src, s));
	}
	if (src != lab->far_addr) {
		c = conn(plan, f->proto, lab->inet_ns, lab->far_addr, l->gw_addr, port, srv->ns,
			 to);
		c->expect = LAB_EXP_NOT_REACH;
		name_probe(c, "forward %s %s:%u from %s (not in from): not forwarded", proto,
			   ir_ip_str(l->gw_addr, a), port, ir_ip_str(lab->far_addr, s));
	}
}

static void plan_reflection(const struct lab *lab, struct lab_plan *plan,
			    const struct ir_forward *f)
{
	const struct lab_link *l = lab_net_link(lab, f->iif);
	const struct ir_forward *r = reflector(lab->ir, f->proto, f->lo);
	const struct lab_host *h = lan_host_near(lab, f->host);
	const struct lab_host *srv;
	struct lab_probe *c;
	char a[16], b[16];

	if (!l || (f->from.n && !ir_addrs_has(&f->from, h->addr, NULL)))
		return;
	srv = lab_net_host(lab, r ? r->host : f->host);
	if (!srv)
		return;
	c = conn(plan, f->proto, h->ns, 0, l->gw_addr, f->lo, srv->ns,
		 r ? r->to_lo + (f->lo - r->lo) : f->to_lo);
	if (r) {
		struct lab_pkt p = {.iif = host_if(lab, h), .oif = host_if(lab, srv),
				.saddr = h->addr, .daddr = r->host, .proto = f->proto,
				.dport = c->lport, .icmp_type = -1, .dnat_forward = true};

		c->expect = expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_REACH);
		explain_pkt(c, h->addr, host_if(lab, h), NULL);
		name_probe(c, "reflection %s -> %s %s %u: reaches %s", h->label,
			   ir_ip_str(l->gw_addr, a), ir_proto_name(f->proto), f->lo,
			   ir_ip_str(r->host, b));
	} else {
		c->expect = LAB_EXP_NOT_REACH;
		name_probe(c, "noreflect %s -> %s %s %u: not translated", h->label,
			   ir_ip_str(l->gw_addr, a), ir_proto_name(f->proto), f->lo);
	}
}

static void plan_forwards(const struct lab *lab, struct lab_plan *plan)
{
	const struct ir *ir = lab->ir;
	bool direct = false;
	size_t i;

	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];
		const struct lab_host *srv = lab_net_host(lab, f->host);

		if (f->proto != IR_P_TCP && f->proto != IR_P_UDP)
			continue;
		/* bounded in time: the first forwards and the last one */
		if (i >= LAB_MAX_FORWARDS - 1 && i != ir->n_forwards - 1)
			continue;
		plan_forward_port(lab, plan, f, f->lo);
		if (f->hi != f->lo)
			plan_forward_port(lab, plan, f, f->hi);
		plan_reflection(lab, plan, f);
		if (!direct && srv) {
			const struct lab_link *l0 = &lab->links[0];
			struct lab_pkt p = {.iif = l0->ifname, .oif = host_if(lab, srv),
					.saddr = lab->far_addr, .daddr = f->host,
					.proto = f->proto, .dport = f->to_lo, .icmp_type = -1};
			struct lab_probe *c;
			char a[16];

			direct = true;
			c = conn(plan, f->proto, lab->inet_ns, lab->far_addr, f->host, f->to_lo,
				 srv->ns, f->to_lo);
			explain_pkt(c, lab->far_addr, l0->ifname, NULL);
			c->expect = expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_REACH);
			name_probe(c, "internet -> forward target %s %s %u directly",
				   ir_ip_str(f->host, a), ir_proto_name(f->proto), f->to_lo);
		}
	}
}

/* From the Internet to a 1:1 PUBLIC address: reaches PRIVATE only where allowed. */
static void plan_1to1_in(const struct lab *lab, struct lab_plan *plan,
			 const struct ir_nat1to1 *n, const struct lab_link *l,
			 const struct lab_host *h, uint8_t proto, uint16_t port)
{
	struct lab_pkt p = {.iif = l->ifname, .oif = host_if(lab, h), .saddr = lab->far_addr,
			.daddr = h->addr, .proto = proto, .dport = port, .icmp_type = -1,
			.dnat_forward = forward_admits(lab->ir, lab->far_addr, h->addr, proto,
						       port, port)};
	struct lab_probe *c;
	char a[16], b[16];

	c = conn(plan, proto, lab->inet_ns, lab->far_addr, n->public_addr, port, h->ns, port);
	explain_pkt(c, lab->far_addr, l->ifname, NULL);
	c->expect = expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_SOURCE);
	c->want_src = lab->far_addr;
	name_probe(c, "1:1 internet -> %s %s %u -> %s", ir_ip_str(n->public_addr, a),
		   ir_proto_name(proto), port, ir_ip_str(h->addr, b));
}

static void plan_nat1to1(const struct lab *lab, struct lab_plan *plan)
{
	const struct ir *ir = lab->ir;
	const struct ir_chain *fw = &ir->chain[IR_CH_FORWARD];
	size_t i, j;

	for (i = 0; i < ir->n_nat1to1; i++) {
		const struct ir_nat1to1 *n = &ir->nat1to1[i];
		const struct lab_link *l0 = &lab->links[0], *l = lab_net_link(lab, n->iif);
		const struct lab_host *h = lab_net_host(lab, n->private_addr);
		const struct lab_host *lan;
		struct lab_pkt p = {.iif = NULL, .icmp_type = -1};
		struct lab_probe *c;
		uint16_t open_port = 0;
		uint8_t open_proto = 0;
		char a[16], b[16];

		if (!h || !l)
			continue;
		p = (struct lab_pkt){.iif = host_if(lab, h), .oif = l0->ifname, .saddr = h->addr,
				 .daddr = l0->inet_addr, .proto = IR_P_TCP, .dport = LAB_PORT_ECHO,
				 .icmp_type = -1};
		c = conn(plan, IR_P_TCP, h->ns, 0, l0->inet_addr, LAB_PORT_ECHO, lab->inet_ns,
			 LAB_PORT_ECHO);
		explain_pkt(c, h->addr, host_if(lab, h), NULL);
		c->expect = expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_SOURCE);
		c->want_src = snat_source(lab, h->addr, l0->policy_name);
		name_probe(c, "1:1 %s -> internet tcp: source %s", ir_ip_str(h->addr, a),
			   ir_ip_str(c->want_src, b));
		/* incoming: each port an `allow forward ... to PRIVATE` opens, and one closed */
		for (j = 0; j <= fw->n; j++) {
			const struct ir_rule *r = j < fw->n ? &fw->rules[j] : NULL;
			uint8_t proto = IR_P_TCP;
			uint16_t port;

			if (r) {
				if (r->tag != IR_T_USER || r->verdict != IR_V_ACCEPT ||
				    !r->daddr.n || r->daddr_neg ||
				    !ir_addrs_has(&r->daddr, h->addr, NULL) || !r->dports.n)
					continue;
				proto = r->dports.v[0].proto;
				port = r->dports.v[0].lo;
				if (!open_port) {
					open_port = port;
					open_proto = proto;
				}
			} else {
				port = closed_port(ir, NULL);
			}
			plan_1to1_in(lab, plan, n, l, h, proto, port);
		}
		/* a forward's target port on PRIVATE is not opened on PUBLIC by the forward */
		for (j = 0; j < ir->n_forwards; j++) {
			const struct ir_forward *f = &ir->forwards[j];

			if (f->host == h->addr && (f->proto == IR_P_TCP || f->proto == IR_P_UDP)) {
				plan_1to1_in(lab, plan, n, l, h, f->proto, f->to_lo);
				break;
			}
		}
		/* reflection: a LAN host dialling PUBLIC, on a port the Internet may use */
		lan = lan_host_near(lab, h->addr);
		if (!open_port) {
			open_port = LAB_PORT_CLOSED;
			open_proto = IR_P_TCP;
		}
		p = (struct lab_pkt){.iif = host_if(lab, lan), .oif = host_if(lab, h),
				 .saddr = lan->addr, .daddr = h->addr, .proto = open_proto,
				 .dport = open_port, .icmp_type = -1};
		c = conn(plan, open_proto, lan->ns, 0, n->public_addr, open_port, h->ns, open_port);
		explain_pkt(c, lan->addr, host_if(lab, lan), NULL);
		c->expect = expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_REACH);
		name_probe(c, "1:1 reflection %s -> %s %s %u -> %s", lan->label,
			   ir_ip_str(n->public_addr, a), ir_proto_name(open_proto), open_port,
			   ir_ip_str(h->addr, b));
	}
}

/* A host of the lab inside @a (or NULL). */
static const struct lab_host *host_in(const struct lab *lab, const struct ir_addrs *a)
{
	size_t i;

	for (i = 0; i < lab->n_hosts; i++)
		if (a->n && ir_addrs_has(a, lab->hosts[i].addr, NULL))
			return &lab->hosts[i];
	return NULL;
}

/* A LAN host behind @oif (a policy pattern) other than @not, or NULL. */
static const struct lab_host *host_behind(const struct lab *lab, const char *oif,
					  const struct lab_host *not)
{
	size_t i;

	for (i = 0; i < lab->n_lan_hosts; i++)
		if (&lab->hosts[i] != not && ir_iface_match(oif, host_if(lab, &lab->hosts[i])))
			return &lab->hosts[i];
	return NULL;
}

/* A forward a user rule of the forward chain applies to, to probe it through. */
static const struct ir_forward *forward_for(const struct lab *lab, const struct ir_rule *r,
					    uint32_t src)
{
	size_t i, j;

	for (i = 0; i < lab->ir->n_forwards; i++) {
		const struct ir_forward *f = &lab->ir->forwards[i];
		const struct lab_link *l = lab_net_link(lab, f->iif);
		bool port_ok = r->dports.n == 0;

		if ((f->proto != IR_P_TCP && f->proto != IR_P_UDP) || !l ||
		    !lab_net_host(lab, f->host) ||
		    (r->proto != IR_P_ANY && r->proto != f->proto) ||
		    (r->iif && !ir_iface_match(r->iif, l->ifname)) ||
		    (r->oif && !ir_iface_match(r->oif, host_if(lab, lab_net_host(lab, f->host)))) ||
		    (f->from.n && !ir_addrs_has(&f->from, src, NULL)))
			continue;
		for (j = 0; j < r->dports.n; j++)
			port_ok |= r->dports.v[j].proto == f->proto &&
				   f->to_lo >= r->dports.v[j].lo && f->to_lo <= r->dports.v[j].hi;
		if (port_ok)
			return f;
	}
	return NULL;
}

/* Where a probe of a user rule goes, and the packet the gateway filters. */
struct rule_probe {
	const char *from_ns, *to_ns;
	const struct lab_host *from_lan;
	uint32_t src, dst;
	uint16_t dport, lport;
	struct lab_pkt p;
};

/* The source of a probe for @r: a LAN host when the rule names one, else the Internet. */
static int rule_source(const struct lab *lab, const struct ir_rule *r, struct rule_probe *rp)
{
	const struct lab_link *l = r->iif ? lab_net_link(lab, r->iif) : &lab->links[0];
	size_t i;

	if (r->saddr.n && host_in(lab, &r->saddr))
		rp->from_lan = host_in(lab, &r->saddr);
	for (i = 0; r->iif && !l && !rp->from_lan && i < lab->n_lan_hosts; i++)
		if (ir_iface_match(r->iif, host_if(lab, &lab->hosts[i])))
			rp->from_lan = &lab->hosts[i];
	if (rp->from_lan) {
		if (r->iif && !ir_iface_match(r->iif, host_if(lab, rp->from_lan)))
			return -1;
		rp->from_ns = rp->from_lan->ns;
		rp->src = rp->from_lan->addr;
		rp->p.iif = host_if(lab, rp->from_lan);
		return 0;
	}
	if (!l)
		return -1;
	rp->from_ns = lab->inet_ns;
	rp->src = lab_net_source(lab, &r->saddr);
	rp->p.iif = l->ifname;
	return rp->src ? 0 : -1;
}

/* The target of a probe for @r in the forward chain. */
static int rule_target_forward(const struct lab *lab, const struct ir_rule *r,
			       struct rule_probe *rp)
{
	const struct lab_link *l0 = &lab->links[0];
	const struct lab_host *to = r->daddr.n ? host_in(lab, &r->daddr) : NULL;
	const struct ir_forward *f;

	if (r->daddr.n && !to)
		return -1;
	if (!to && r->oif && !ir_iface_match(r->oif, l0->ifname)) {
		/* out a LAN: to a host behind it, so the probe passes the rule */
		to = host_behind(lab, r->oif, rp->from_lan);
		if (!to)
			return -1;
	}
	if (!to && rp->from_lan) {
		rp->to_ns = lab->inet_ns;
		rp->dst = l0->inet_addr;
		rp->p.oif = l0->ifname;
		return 0;
	}
	if (!to && !rp->from_lan && (f = forward_for(lab, r, rp->src))) {
		/* through a forward: proves the rule decides, not the missing DNAT */
		const struct lab_link *l = lab_net_link(lab, f->iif);

		to = lab_net_host(lab, f->host);
		rp->to_ns = to->ns;
		rp->dst = l->gw_addr;
		rp->dport = f->lo;
		rp->lport = f->to_lo;
		rp->p.proto = f->proto;
		rp->p.iif = l->ifname;
		rp->p.oif = host_if(lab, to);
		rp->p.daddr = f->host;
		rp->p.dport = f->to_lo;
		rp->p.dnat_forward = true;
		return 0;
	}
	if (!to)
		to = &lab->hosts[0];
	if (rp->from_lan == to || (r->oif && !ir_iface_match(r->oif, host_if(lab, to))))
		return -1;
	rp->to_ns = to->ns;
	rp->dst = to->addr;
	rp->p.oif = host_if(lab, to);
	return 0;
}

/* One probe per user rule of input and forward: it does what it says. */
static void plan_user_rule(const struct lab *lab, struct lab_plan *plan, enum ir_chain_id id,
			   const struct ir_rule *r)
{
	static const char *const verbs[] = {"allow", "deny", "reject"};
	struct rule_probe rp = {.p = {.icmp_type = -1}};
	struct lab_probe *c;
	char a[16], from[40], *where;

	if (r->saddr_neg || r->daddr_neg || !(r->family & IR_F_IPV4) || r->ct_state ||
	    (r->proto != IR_P_TCP && r->proto != IR_P_UDP && r->proto != IR_P_ICMP &&
	     r->proto != IR_P_ANY) ||
	    (r->proto == IR_P_ICMP && r->n_icmp && !memchr(r->icmp_types, 8, r->n_icmp)))
		return;
	if (rule_source(lab, r, &rp) < 0)
		return;
	rp.p.proto = r->proto == IR_P_ICMP ? IR_P_ICMP
		     : r->dports.n	   ? r->dports.v[0].proto
		     : r->proto == IR_P_UDP ? IR_P_UDP : IR_P_TCP;
	rp.dport = rp.lport = r->dports.n ? r->dports.v[0].lo : LAB_PORT_CLOSED;
	if (id == IR_CH_INPUT) {
		rp.to_ns = lab->gw_ns;
		rp.dst = rp.from_lan ? rp.from_lan->router
				     : (r->iif ? lab_net_link(lab, r->iif) : &lab->links[0])->gw_addr;
	} else if (rule_target_forward(lab, r, &rp) < 0) {
		return;
	}
	rp.p.saddr = rp.src;
	if (!rp.p.daddr)
		rp.p.daddr = rp.dst;
	if (!rp.p.dport)
		rp.p.dport = rp.lport;
	where = diag_loc_str(&r->loc);
	if (rp.from_lan)
		snprintf(from, sizeof(from), "%s", rp.from_lan->label);
	else if (rp.src == lab->far_addr)
		snprintf(from, sizeof(from), "internet");
	else
		snprintf(from, sizeof(from), "internet %s", ir_ip_str(rp.src, a));
	if (rp.p.proto == IR_P_ICMP) {
		rp.p.icmp_type = 8;
		ping(plan, rp.from_ns, rp.dst, LAB_EXP_REACH, "%s %s %s icmp -> %s (%s)",
		     verbs[r->verdict], id == IR_CH_INPUT ? "input" : "forward", from,
		     ir_ip_str(rp.dst, a), where);
		c = &plan->v[plan->n - 1];
		c->src = rp.from_lan ? 0 : rp.src;
	} else {
		c = conn(plan, rp.p.proto, rp.from_ns, rp.from_lan ? 0 : rp.src, rp.dst, rp.dport,
			 rp.to_ns, rp.lport);
		name_probe(c, "%s %s %s -> %s %s %u (%s)", verbs[r->verdict],
			   id == IR_CH_INPUT ? "input" : "forward", from, ir_ip_str(rp.dst, a),
			   ir_proto_name(rp.p.proto), rp.dport, where);
	}
	free(where);
	explain_pkt(c, rp.src, rp.p.iif, NULL);
	c->expect = expect_of(lab_verdict_gw(lab, id, &rp.p), LAB_EXP_REACH);
}

static void plan_user_rules(const struct lab *lab, struct lab_plan *plan)
{
	static const enum ir_chain_id ids[] = {IR_CH_INPUT, IR_CH_FORWARD};
	size_t i, j, before = plan->n;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		const struct ir_chain *c = &lab->ir->chain[ids[i]];

		for (j = 0; j < c->n && plan->n - before < LAB_MAX_USER_PROBES; j++)
			if (c->rules[j].tag == IR_T_USER)
				plan_user_rule(lab, plan, ids[i], &c->rules[j]);
	}
}

/* FTP through the helper: a LAN client to the Internet, and forwarded servers. */
static void plan_ftp(const struct lab *lab, struct lab_plan *plan)
{
	const struct lab_link *l0 = &lab->links[0];
	const struct lab_host *h = &lab->hosts[0];
	const struct ir *ir = lab->ir;
	const struct ir_helper *ftp = NULL;
	size_t i, k;
	char a[16];

	for (i = 0; i < ir->n_helpers && !ftp; i++)
		if (strcmp(ir->helpers[i].name, "ftp") == 0 && ir->helpers[i].ports.n)
			ftp = &ir->helpers[i];
	if (!ftp)
		return;
	for (k = 0; k < 2; k++) {
		struct lab_pkt p = {.iif = host_if(lab, h), .oif = l0->ifname, .saddr = h->addr,
				.daddr = l0->inet_addr, .proto = IR_P_TCP,
				.dport = ftp->ports.v[0].lo, .icmp_type = -1};
		struct lab_probe *c = add(plan, k ? LAB_K_FTP_PASSIVE : LAB_K_FTP_ACTIVE,
					  "ftp %s %s -> internet %s:%u: RETR", k ? "passive" : "active",
					  h->label, ir_ip_str(l0->inet_addr, a), p.dport);

		c->proto = IR_P_TCP;
		c->from_ns = h->ns;
		c->dst = l0->inet_addr;
		c->dport = p.dport;
		c->to_ns = lab->inet_ns;
		c->lport = p.dport;
		c->expect = expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_REACH);
	}
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];
		const struct lab_link *l = lab_net_link(lab, f->iif);
		const struct lab_host *srv = lab_net_host(lab, f->host);
		uint32_t src = lab_net_source(lab, &f->from);

		if (f->proto != IR_P_TCP || f->lo != f->hi || f->to_lo != ftp->ports.v[0].lo ||
		    !l || !srv || !src)
			continue;
		for (k = 0; k < 2; k++) {
			struct lab_pkt p = {.iif = l->ifname, .oif = host_if(lab, srv), .saddr = src,
					.daddr = f->host, .proto = IR_P_TCP, .dport = f->to_lo,
					.icmp_type = -1, .dnat_forward = true};
			struct lab_probe *c = add(plan, k ? LAB_K_FTP_PASSIVE : LAB_K_FTP_ACTIVE,
						  "ftp %s internet -> forward %s:%u: RETR",
						  k ? "passive" : "active", ir_ip_str(l->gw_addr, a),
						  f->lo);

			c->proto = IR_P_TCP;
			c->from_ns = lab->inet_ns;
			c->src = src;
			c->dst = l->gw_addr;
			c->dport = f->lo;
			c->to_ns = srv->ns;
			c->lport = f->to_lo;
			c->expect = expect_of(lab_verdict_gw(lab, IR_CH_FORWARD, &p), LAB_EXP_REACH);
		}
	}
}

void lab_plan_build(const struct lab *lab, struct lab_plan *plan)
{
	plan_howto(lab, plan);
	plan_firewall(lab, plan);
	plan_forwards(lab, plan);
	plan_nat1to1(lab, plan);
	plan_user_rules(lab, plan);
	plan_ftp(lab, plan);
	lab_v6_probes(lab, plan);
}
