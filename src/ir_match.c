// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ir_match.c - the meaning of the IR's rules for one packet (ir_match.h):
 * interface, address, port and ICMP-type predicates and the rule and
 * chain matchers built from them, for IPv4 and IPv6 packets.
 */
#include "ir_match.h"

#include <string.h>

struct ir_pkt ir_pkt_ipv4(uint8_t proto, uint32_t saddr, uint32_t daddr, uint16_t sport,
			  uint16_t dport, int icmp_type)
{
	return (struct ir_pkt){
		.family = IR_F_IPV4, .proto = proto, .saddr.v4 = saddr, .daddr.v4 = daddr,
		.sport = sport, .dport = dport, .icmp_type = icmp_type, .ct_state = IR_CT_NEW,
	};
}

bool ir_iface_match(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (!name)
		return false;
	if (n && pattern[n - 1] == '+')
		return strncmp(pattern, name, n - 1) == 0;
	return strcmp(pattern, name) == 0;
}

const struct ir_iface *ir_iface_of(const struct ir *ir, const char *name)
{
	size_t i;

	for (i = 0; i < ir->n_ifaces; i++)
		if (ir_iface_match(ir->ifaces[i].name, name))
			return &ir->ifaces[i];
	return NULL;
}

uint32_t ir_prefix_mask(unsigned len)
{
	return len ? ~(uint32_t)0 << (32 - len) : 0;
}

bool ir_addr_in(uint32_t addr, uint32_t net, unsigned len)
{
	return ((addr ^ net) & ir_prefix_mask(len)) == 0;
}

bool ir_net_has(const struct ir_net *n, uint32_t addr)
{
	return ir_addr_in(addr, n->net, n->len);
}

const struct ir_iface *ir_internal_of(const struct ir *ir, uint32_t addr,
				      const struct ir_net **net)
{
	size_t i, j;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];

		if (f->role != IR_INTERNAL)
			continue;
		for (j = 0; j < f->n_nets; j++) {
			if (ir_net_has(&f->nets[j], addr)) {
				if (net)
					*net = &f->nets[j];
				return f;
			}
		}
	}
	return NULL;
}

bool ir_addrs_has(const struct ir_addrs *l, uint32_t addr, const struct loc **loc)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].family != IR_F_IPV6 && addr >= l->v[i].lo && addr <= l->v[i].hi) {
			if (loc)
				*loc = &l->v[i].loc;
			return true;
		}
	}
	return false;
}

bool ir_addrs_take(const struct ir_addrs *l, unsigned family, const struct ir_pkt_addr *a,
		   const struct loc **loc)
{
	ir_u128 v6;
	size_t i;

	if (family != IR_F_IPV6)
		return ir_addrs_has(l, a->v4, loc);
	v6 = ir_ip6_of_bytes(a->v6);
	for (i = 0; i < l->n; i++) {
		const struct ir_addr *e = &l->v[i];

		if (e->family == IR_F_IPV6 &&
		    (e->mask6 ? (v6 & e->mask6) == e->lo6 : v6 >= e->lo6 && v6 <= e->hi6)) {
			if (loc)
				*loc = &e->loc;
			return true;
		}
	}
	return false;
}

bool ir_ports_has(const struct ir_ports *l, uint8_t proto, uint16_t port,
		  const struct loc **loc)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (l->v[i].proto == proto && port >= l->v[i].lo && port <= l->v[i].hi) {
			if (loc)
				*loc = &l->v[i].loc;
			return true;
		}
	}
	return false;
}

/* fe80::/10, where DHCPv6 servers answer from. */
static bool ir_match_linklocal(const struct ir_pkt *p)
{
	return p->family == IR_F_IPV6 && p->saddr.v6[0] == 0xfe && (p->saddr.v6[1] & 0xc0) == 0x80;
}

/*
 * Does @p's source fail reverse-path check @rpf? The unspecified source
 * :: never does (duplicate address detection sends from it).
 */
static bool ir_match_rpf(enum ir_rpf rpf, const struct ir_pkt *p)
{
	static const uint8_t unspecified[16];

	if (p->family != IR_F_IPV6 || !memcmp(p->saddr.v6, unspecified, sizeof(unspecified)))
		return false;
	return rpf == IR_RPF_STRICT ? p->rpf != IR_RPF_NONE : p->rpf == IR_RPF_LOOSE;
}

/*
 * An address list of @r against the packet's @addr of @family: with @neg,
 * a packet matches when @addr is in none of it. *el gets the matching
 * element (not with @neg).
 */
static bool ir_match_addrs(const struct ir_addrs *l, bool neg, unsigned family,
			   const struct ir_pkt_addr *addr, const struct loc **el)
{
	*el = NULL;
	if (!l->n)
		return true;
	return ir_addrs_take(l, family, addr, neg ? NULL : el) != neg;
}

/* Is @addr in live set @name, as @p assumes (struct ir_pkt)? */
static bool ir_match_set(const char *name, const struct ir_pkt *p, const struct ir_pkt_addr *addr)
{
	const struct ir_set *s = p->sets ? ir_set_find(p->sets, name) : NULL;

	if (p->set_used)
		*p->set_used = true;
	return s && ir_addrs_take(&s->elems, p->family, addr, NULL);
}

/* The matches of @r on the packet's headers beyond family and interfaces. */
static bool ir_match_fields(const struct ir_rule *r, const struct ir_pkt *p,
			    const struct loc **best)
{
	const struct loc *el;
	size_t i;

	if (!ir_match_addrs(&r->saddr, r->saddr_neg, p->family, &p->saddr, &el))
		return false;
	if (el && el->line != r->loc.line)
		*best = el;
	if (!ir_match_addrs(&r->daddr, r->daddr_neg, p->family, &p->daddr, &el))
		return false;
	if (el && el->line != r->loc.line && !*best)
		*best = el;
	if (r->dports.n) {
		if (!ir_ports_has(&r->dports, p->proto, p->dport, &el))
			return false;
		if (el->line != r->loc.line && !*best)
			*best = el;
	}
	if (r->sports.n && !ir_ports_has(&r->sports, p->proto, p->sport, NULL))
		return false;
	if (r->n_icmp) {
		for (i = 0; i < r->n_icmp; i++)
			if (p->icmp_type >= 0 && r->icmp_types[i] == p->icmp_type)
				break;
		if (i == r->n_icmp)
			return false;
		if (r->icmp_locs[i].line != r->loc.line && !*best)
			*best = &r->icmp_locs[i];
	}
	return true;
}

bool ir_rule_match(const struct ir_rule *r, const struct ir_pkt *p, const struct loc **why)
{
	const struct loc *best = NULL;

	*why = &r->loc;
	if (!(r->family & p->family))
		return false;
	if (r->v6_linklocal_src && !ir_match_linklocal(p))
		return false;
	if (r->rpf != IR_RPF_NONE && !ir_match_rpf(r->rpf, p))
		return false;
	if (!p->any_iface && ((r->iif && !ir_iface_match(r->iif, p->iif)) ||
			      (r->oif && !ir_iface_match(r->oif, p->oif))))
		return false;
	if (r->proto != IR_P_ANY && r->proto != p->proto)
		return false;
	if (r->ct_state && !(r->ct_state & p->ct_state))
		return false;
	if (r->ct_dnat_forward && !p->dnat_forward)
		return false;
	/* miniupnpd's mappings are not in the policy: no packet masqgen models is one */
	if (r->ct_dnat_upnp)
		return false;
	if (!ir_match_fields(r, p, &best))
		return false;
	/* last: a set lookup then alone decides (struct ir_pkt, set_used) */
	if (r->sset && ir_match_set(r->sset, p, &p->saddr) == r->saddr_neg)
		return false;
	if (r->dset && ir_match_set(r->dset, p, &p->daddr) == r->daddr_neg)
		return false;
	if (r->tag == IR_T_USER && best && best->src)
		*why = best;
	return true;
}

const struct ir_rule *ir_chain_match(const struct ir_chain *ch, const struct ir_pkt *p,
				     const struct loc **why)
{
	size_t i;

	for (i = 0; i < ch->n; i++)
		if (ir_rule_match(&ch->rules[i], p, why))
			return &ch->rules[i];
	return NULL;
}

enum ir_verdict ir_chain_verdict(const struct ir_chain *ch, const struct ir_pkt *p)
{
	const struct ir_rule *r;
	const struct loc *why;

	if (!ch->present)
		return IR_V_ACCEPT;
	r = ir_chain_match(ch, p, &why);
	if (!r || r->tag == IR_T_CATCHALL)
		return ch->policy;
	return r->verdict;
}

bool ir_forward_takes(const struct ir_forward *f, const struct ir_pkt *p)
{
	if (p->family != IR_F_IPV4 || f->proto != p->proto)
		return false;
	if ((p->proto == IR_P_TCP || p->proto == IR_P_UDP) && (p->dport < f->lo || p->dport > f->hi))
		return false;
	return !f->from.n || ir_addrs_has(&f->from, p->saddr.v4, NULL);
}

bool ir_family_filtered(const struct ir *ir, unsigned family)
{
	return family != IR_F_IPV6 || ir->ipv6 != IR_IPV6_OPEN;
}
