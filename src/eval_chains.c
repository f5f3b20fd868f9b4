// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eval_chains.c - the explicit filter chains: the built-in rules of the
 * firewall level and the IPv6 mode, with the user rules at their place,
 * in exactly the order of LANGUAGE.md's table. ir.h documents the shape
 * of every built-in rule.
 */
#include "eval.h"
#include "tables.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define LOOPBACK_NET 0x7f000000u	/* 127.0.0.0/8 */

static struct ir_rule *add_rule(struct eval *e, enum ir_chain_id c, enum ir_rule_tag tag,
				unsigned family, const struct loc *loc)
{
	struct ir_chain *ch = &e->ir->chain[c];
	struct ir_rule *r = VEC_PUSH(ch->rules, ch->n, ch->cap);

	memset(r, 0, sizeof(*r));
	r->tag = tag;
	r->family = family & e->fam_both;
	r->verdict = IR_V_ACCEPT;
	if (loc)
		r->loc = *loc;
	return r;
}

static void add_addr(struct ir_addrs *a, uint32_t lo, uint32_t hi, const struct loc *loc)
{
	*VEC_PUSH(a->v, a->n, a->cap) = ir_addr_make(IR_F_IPV4, lo, hi, loc);
}

static void add_port(struct ir_ports *p, uint8_t proto, uint16_t port)
{
	*VEC_PUSH(p->v, p->n, p->cap) = (struct ir_port){proto, port, port, {0}};
}

static void add_net(struct ir_addrs *a, const struct ir_net *n)
{
	add_addr(a, (uint32_t)ir_net_lo(n), (uint32_t)ir_net_hi(n), &n->loc);
}

static const struct loc *level_loc(const struct eval *e)
{
	return e->ir->level_loc.src ? &e->ir->level_loc : NULL;
}

static void passthrough(struct eval *e, enum ir_chain_id c)
{
	size_t i;

	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *p = &e->ir->ifaces[i];
		struct ir_rule *r;

		if (p->role != IR_PASSTHROUGH)
			continue;
		if (c != IR_CH_OUTPUT) {
			r = add_rule(e, c, IR_T_PASSTHROUGH, IR_F_BOTH, &p->loc);
			r->iif = p->name;
		}
		if (c != IR_CH_INPUT) {
			r = add_rule(e, c, IR_T_PASSTHROUGH, IR_F_BOTH, &p->loc);
			r->oif = p->name;
		}
	}
}

static void conntrack_rules(struct eval *e, enum ir_chain_id c, bool invalid)
{
	struct ir_rule *r;

	if (invalid) {
		r = add_rule(e, c, IR_T_INVALID, IR_F_BOTH, level_loc(e));
		r->ct_state = IR_CT_INVALID;
		r->verdict = IR_V_DROP;
	}
	r = add_rule(e, c, IR_T_ESTABLISHED, IR_F_BOTH, level_loc(e));
	r->ct_state = IR_CT_ESTABLISHED | IR_CT_RELATED;
}

/* The user rules of @c, moved into the chain. */
static void user_rules(struct eval *e, enum ir_chain_id c)
{
	struct ir_chain *ch = &e->ir->chain[c];
	size_t i;

	for (i = 0; i < e->user[c].n; i++)
		*VEC_PUSH(ch->rules, ch->n, ch->cap) = e->user[c].v[i].r;
	free(e->user[c].v);
	e->user[c].v = NULL;
	e->user[c].n = e->user[c].cap = 0;
}

static void catchall(struct eval *e, enum ir_chain_id c)
{
	struct ir_rule *r;

	if (!e->ir->log.catchall)
		return;
	r = add_rule(e, c, IR_T_CATCHALL, IR_F_BOTH, e->ir->log.loc.src ? &e->ir->log.loc : NULL);
	r->log = true;
	r->verdict = IR_V_DROP;
}

static void icmpv6_rule(struct eval *e, enum ir_chain_id c, const uint8_t *types, size_t n)
{
	struct ir_rule *r = add_rule(e, c, IR_T_IPV6, IR_F_IPV6, level_loc(e));
	size_t i;

	r->proto = IR_P_ICMPV6;
	r->icmp_types = xcalloc(n, 1);
	r->icmp_locs = xcalloc(n, sizeof(*r->icmp_locs));
	r->n_icmp = r->cap_icmp = n;
	for (i = 0; i < n; i++)
		r->icmp_types[i] = types[i];
}

static const uint8_t icmpv6_errors[] = {
	TABLES_ICMPV6_DEST_UNREACH,
	TABLES_ICMPV6_PACKET_TOO_BIG,
	TABLES_ICMPV6_TIME_EXCEEDED,
	TABLES_ICMPV6_PARAM_PROBLEM,
};

/* RFC 4890 4.4: what a router must accept addressed to itself */
static const uint8_t icmpv6_input[] = {
	TABLES_ICMPV6_DEST_UNREACH,   TABLES_ICMPV6_PACKET_TOO_BIG,
	TABLES_ICMPV6_TIME_EXCEEDED,  TABLES_ICMPV6_PARAM_PROBLEM,
	TABLES_ICMPV6_ECHO_REQUEST,   TABLES_ICMPV6_ECHO_REPLY,
	TABLES_ICMPV6_MLD_QUERY,      TABLES_ICMPV6_MLD_REPORT,
	TABLES_ICMPV6_MLD_DONE,	      TABLES_ICMPV6_ROUTER_SOLICIT,
	TABLES_ICMPV6_ROUTER_ADVERT,  TABLES_ICMPV6_NEIGH_SOLICIT,
	TABLES_ICMPV6_NEIGH_ADVERT,   TABLES_ICMPV6_MLD2_REPORT,
};

/*
 * IPv6 anti-spoofing (strong): the source must be reachable back through
 * the interface it came in on (strict, on internal interfaces) or at all
 * (loose, on external ones: a second uplink may carry the answer). IPv6
 * has no rp_filter sysctl.
 */
static void raw_ipv6(struct eval *e)
{
	static const enum ir_role roles[] = {IR_INTERNAL, IR_EXTERNAL};
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(roles); k++) {
		for (i = 0; i < e->ir->n_ifaces; i++) {
			const struct ir_iface *x = &e->ir->ifaces[i];
			struct ir_rule *r;

			if (x->role != roles[k])
				continue;
			r = add_rule(e, IR_CH_RAW, IR_T_ANTISPOOF, IR_F_IPV6, &x->loc);
			r->iif = x->name;
			r->rpf = roles[k] == IR_INTERNAL ? IR_RPF_STRICT : IR_RPF_LOOSE;
			r->log = true;
			r->verdict = IR_V_DROP;
		}
	}
}

/* prerouting, raw: anti-spoofing (strong). */
static void chain_raw(struct eval *e)
{
	size_t i, j;

	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *x = &e->ir->ifaces[i];
		struct ir_rule *r;

		if (x->role != IR_EXTERNAL)
			continue;
		r = add_rule(e, IR_CH_RAW, IR_T_ANTISPOOF, IR_F_IPV4, &x->loc);
		r->iif = x->name;
		for (j = 0; j < e->n_nets; j++)
			add_net(&r->saddr, e->nets[j].net);
		add_addr(&r->saddr, LOOPBACK_NET, LOOPBACK_NET | 0xffffff, NULL);
		eval_set_addrs(&r->saddr, false);
		r->log = true;
		r->verdict = IR_V_DROP;
		r = add_rule(e, IR_CH_RAW, IR_T_ANTISPOOF, IR_F_IPV4, &x->loc);
		r->iif = x->name;
		add_addr(&r->daddr, LOOPBACK_NET, LOOPBACK_NET | 0xffffff, NULL);
		r->log = true;
		r->verdict = IR_V_DROP;
	}
	if (e->ir->ipv6 != IR_IPV6_OPEN)
		raw_ipv6(e);
}

/* VRRP and conntrackd's sync only where they belong (ir.h, IR_T_CLUSTER) */
static void cluster_rules(struct eval *e)
{
	const struct ir_cluster *cl = &e->ir->cluster;
	struct ir_rule *r;

	if (!cl->present)
		return;
	r = add_rule(e, IR_CH_INPUT, IR_T_CLUSTER, IR_F_IPV4, &cl->loc);
	r->iif = cl->sync;
	add_addr(&r->saddr, cl->peer, cl->peer, &cl->loc);
	r->proto = IR_P_UDP;
	add_port(&r->dports, IR_P_UDP, IR_CLUSTER_SYNC_PORT);
	r = add_rule(e, IR_CH_INPUT, IR_T_CLUSTER, IR_F_IPV4, &cl->loc);
	r->proto = IR_P_UDP;
	add_port(&r->dports, IR_P_UDP, IR_CLUSTER_SYNC_PORT);
	r->verdict = IR_V_DROP;
	r = add_rule(e, IR_CH_INPUT, IR_T_CLUSTER, IR_F_IPV4, &cl->loc);
	r->iif = cl->vrrp;
	add_addr(&r->daddr, IR_VRRP_GROUP, IR_VRRP_GROUP, &cl->loc);
	r->proto = IR_P_VRRP;
	r = add_rule(e, IR_CH_INPUT, IR_T_CLUSTER, IR_F_IPV4, &cl->loc);
	r->proto = IR_P_VRRP;
	r->verdict = IR_V_DROP;
}

static void chain_input(struct eval *e)
{
	bool strong = e->ir->level == IR_STRONG;
	/* `ipv6 block` blocks forwarding only: the gateway's own IPv6 follows the level */
	bool v6 = e->ir->ipv6 != IR_IPV6_OPEN;
	struct ir_rule *r;
	size_t i, j;

	passthrough(e, IR_CH_INPUT);
	r = add_rule(e, IR_CH_INPUT, IR_T_LOOPBACK, IR_F_BOTH, level_loc(e));
	r->iif = ir_intern(e->ir, "lo");
	conntrack_rules(e, IR_CH_INPUT, strong);
	cluster_rules(e);
	user_rules(e, IR_CH_INPUT);
	if (!strong)
		return;
	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *in = &e->ir->ifaces[i];

		if (in->role != IR_INTERNAL)
			continue;
		r = add_rule(e, IR_CH_INPUT, IR_T_LAN, IR_F_IPV4, &in->loc);
		r->iif = in->name;
		for (j = 0; j < in->n_nets; j++)
			add_net(&r->saddr, &in->nets[j]);
		if (v6) {
			r = add_rule(e, IR_CH_INPUT, IR_T_LAN, IR_F_IPV6, &in->loc);
			r->iif = in->name;
		}
	}
	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *in = &e->ir->ifaces[i];

		if (in->role != IR_INTERNAL)
			continue;
		r = add_rule(e, IR_CH_INPUT, IR_T_DHCP, IR_F_IPV4, &in->loc);
		r->iif = in->name;
		r->proto = IR_P_UDP;
		add_port(&r->sports, IR_P_UDP, 68);
		add_port(&r->dports, IR_P_UDP, 67);
	}
	if (v6) {
		icmpv6_rule(e, IR_CH_INPUT, icmpv6_input, ARRAY_SIZE(icmpv6_input));
		r = add_rule(e, IR_CH_INPUT, IR_T_IPV6, IR_F_IPV6, level_loc(e));
		r->proto = IR_P_UDP;
		r->v6_linklocal_src = true;
		add_port(&r->sports, IR_P_UDP, 547);
		add_port(&r->dports, IR_P_UDP, 546);
	}
	catchall(e, IR_CH_INPUT);
}

/* The part of @a inside the @n networks @nets (of @a's family), into @out. */
static void clip_to_nets(struct ir_addrs *out, const struct ir_addr *a, const struct ir_net *nets,
			 size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ir_u128 lo = ir_addr_lo(a) > ir_net_lo(&nets[i]) ? ir_addr_lo(a) : ir_net_lo(&nets[i]);
		ir_u128 hi = ir_addr_hi(a) < ir_net_hi(&nets[i]) ? ir_addr_hi(a) : ir_net_hi(&nets[i]);

		if (lo <= hi)
			*VEC_PUSH(out->v, out->n, out->cap) = ir_addr_make(a->family, lo, hi, &a->loc);
	}
}

/*
 * The IPv4 sources that may leave by @ext from internal @in: what is NATed
 * out of @ext, and only inside @in's own networks (an interface never
 * sends with another LAN's sources).
 */
static void lan_sources(struct eval *e, const struct ir_iface *in, const struct ir_iface *ext,
			struct ir_addrs *out)
{
	size_t i, j;

	if (!e->have_masquerade) {
		for (i = 0; i < in->n_nets; i++)
			add_net(out, &in->nets[i]);
		return;
	}
	for (i = 0; i < e->ir->n_snats; i++)
		for (j = 0; e->ir->snats[i].oif == ext->name && j < e->ir->snats[i].sources.n; j++)
			clip_to_nets(out, &e->ir->snats[i].sources.v[j], in->nets, in->n_nets);
	for (i = 0; i < e->ir->n_nat1to1; i++) {
		const struct ir_nat1to1 *n = &e->ir->nat1to1[i];
		struct ir_addr one = ir_addr_make(IR_F_IPV4, n->private_addr, n->private_addr,
						  &n->loc);

		if (n->iif == ext->name)
			clip_to_nets(out, &one, in->nets, in->n_nets);
	}
	eval_set_addrs(out, false);
}

/* Does @src, a set inside @in's IPv4 networks, hold all of them? */
static bool covers_iface(const struct ir_addrs *src, const struct ir_iface *in)
{
	ir_u128 have = 0, want = 0;
	size_t i;

	for (i = 0; i < in->n_nets; i++)
		want += ir_net_hi(&in->nets[i]) - ir_net_lo(&in->nets[i]) + 1;
	for (i = 0; i < src->n; i++)
		have += ir_addr_hi(&src->v[i]) - ir_addr_lo(&src->v[i]) + 1;
	return in->n_nets && have == want;
}

/*
 * Which IPv6 of internal @in may leave by @ext (LANGUAGE.md "No silent
 * widening"): all of it without `masquerade` lines, or when the IPv4
 * sources @src4 going out there are @in's whole networks, or when a line
 * lists IPv6 `any`; returns true then. Otherwise only the IPv6 sources
 * the lines list, inside @in's prefixes, into @out.
 */
static bool lan_sources6(struct eval *e, const struct ir_iface *in, const struct ir_iface *ext,
			 const struct ir_addrs *src4, struct ir_addrs *out)
{
	size_t i;

	if (!e->have_masquerade || covers_iface(src4, in))
		return true;
	for (i = 0; i < e->n_masq6; i++) {
		const struct ir_addr *a = &e->masq6[i].a;

		if (e->masq6[i].oif != ext->name)
			continue;
		if (ir_addr_lo(a) == 0 && ir_addr_hi(a) == ir_family_max(IR_F_IPV6)) {
			free(out->v);
			*out = (struct ir_addrs){0};
			return true;
		}
		clip_to_nets(out, a, in->nets6, in->n_nets6);
	}
	eval_set_addrs(out, false);
	return false;
}

/*
 * A narrower IPv4 masquerade source (@narrow) closed @in's IPv6 to the
 * Internet, and no line lists any of it: say so, naming its prefixes.
 */
static void warn_closed6(const struct ir_iface *in, const struct ir_addr *narrow)
{
	struct strbuf prefixes = {0};
	char buf[IR_ADDR_STRLEN], net[IR_ADDR_STRLEN];
	size_t i;

	for (i = 0; i < in->n_nets6; i++)
		sb_addf(&prefixes, "%s%s", i ? ", " : "", ir_net_str(&in->nets6[i], net));
	diag_widening(&narrow->loc,
		      "'%s' is only part of %s's IPv4 networks: no IPv6 from %s (%s) goes to the "
		      "Internet unless a 'masquerade' line lists IPv6 sources (its prefix, or "
		      "addresses set with 'ip token')",
		      ir_addr_str(narrow, buf), in->name, in->name,
		      prefixes.len ? prefixes.buf : "no IPv6 prefix declared");
	sb_free(&prefixes);
}

static void forward_lan(struct eval *e)
{
	bool v6 = e->ir->ipv6 == IR_IPV6_FIREWALL;
	size_t i, j;

	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *in = &e->ir->ifaces[i];
		bool warned = false;

		for (j = 0; in->role == IR_INTERNAL && j < e->ir->n_ifaces; j++) {
			const struct ir_iface *ext = &e->ir->ifaces[j];
			struct ir_addrs src = {0}, src6 = {0};
			struct ir_rule *r;
			bool whole6;

			if (ext->role != IR_EXTERNAL)
				continue;
			lan_sources(e, in, ext, &src);
			whole6 = v6 && lan_sources6(e, in, ext, &src, &src6);
			if (v6 && !whole6 && src.n && !src6.n && !warned) {
				warn_closed6(in, &src.v[0]);
				warned = true;
			}
			if (src.n) {
				r = add_rule(e, IR_CH_FORWARD, IR_T_LAN, IR_F_IPV4, &in->loc);
				r->iif = in->name;
				r->oif = ext->name;
				r->saddr = src;
			}
			if (whole6 || src6.n) {
				r = add_rule(e, IR_CH_FORWARD, IR_T_LAN, IR_F_IPV6, &in->loc);
				r->iif = in->name;
				r->oif = ext->name;
				r->saddr = src6;
			}
		}
	}
}

static void forward_internal(struct eval *e)
{
	unsigned family = e->ir->ipv6 == IR_IPV6_FIREWALL ? IR_F_BOTH : IR_F_IPV4;
	size_t i, j;

	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *a = &e->ir->ifaces[i];

		for (j = 0; a->role == IR_INTERNAL && j < e->ir->n_ifaces; j++) {
			const struct ir_iface *b = &e->ir->ifaces[j];
			struct ir_rule *r;

			if (j == i || b->role != IR_INTERNAL)
				continue;
			r = add_rule(e, IR_CH_FORWARD, IR_T_INTERNAL, family, &a->loc);
			r->iif = a->name;
			r->oif = b->name;
		}
	}
}

static void chain_forward(struct eval *e)
{
	struct ir_rule *r;

	passthrough(e, IR_CH_FORWARD);
	if (e->ir->ipv6 == IR_IPV6_BLOCK) {
		r = add_rule(e, IR_CH_FORWARD, IR_T_IPV6, IR_F_IPV6, level_loc(e));
		r->verdict = IR_V_DROP;
	}
	conntrack_rules(e, IR_CH_FORWARD, true);
	user_rules(e, IR_CH_FORWARD);
	forward_lan(e);
	forward_internal(e);
	if (e->ir->n_forwards) {
		r = add_rule(e, IR_CH_FORWARD, IR_T_FORWARDED, IR_F_IPV4, &e->ir->forwards[0].loc);
		r->ct_dnat_forward = true;
	}
	if (e->ir->upnp.iface) {
		r = add_rule(e, IR_CH_FORWARD, IR_T_UPNP, IR_F_IPV4, &e->ir->upnp.loc);
		r->ct_state = IR_CT_NEW;
		r->ct_dnat_upnp = true;
	}
	if (e->ir->ipv6 == IR_IPV6_FIREWALL)
		icmpv6_rule(e, IR_CH_FORWARD, icmpv6_errors, ARRAY_SIZE(icmpv6_errors));
	catchall(e, IR_CH_FORWARD);
}

/* A chain with an accept policy and only accepting, silent rules changes nothing. */
static void settle(struct ir_chain *ch)
{
	size_t i;

	ch->present = ch->policy != IR_V_ACCEPT;
	for (i = 0; i < ch->n && !ch->present; i++)
		ch->present = ch->rules[i].verdict != IR_V_ACCEPT || ch->rules[i].log ||
			      ch->rules[i].limit.rate;
	if (ch->present)
		return;
	for (i = 0; i < ch->n; i++)
		ir_rule_free(&ch->rules[i]);
	free(ch->rules);
	ch->rules = NULL;
	ch->n = ch->cap = 0;
}

/*
 * Every log rule's prefix: the catch-alls and anti-spoofing name their
 * place, so a log line says where a packet was dropped.
 */
static void log_prefixes(struct ir *ir)
{
	static const char *const places[IR_CH_COUNT] = {
		[IR_CH_RAW] = "spoof drop: ", [IR_CH_INPUT] = "input drop: ",
		[IR_CH_FORWARD] = "forward drop: ", [IR_CH_OUTPUT] = "output drop: ",
	};
	size_t c, i;

	for (c = 0; c < IR_CH_COUNT; c++) {
		for (i = 0; i < ir->chain[c].n; i++) {
			struct ir_rule *r = &ir->chain[c].rules[i];
			char *p;

			if (!r->log)
				continue;
			if (r->tag != IR_T_CATCHALL && r->tag != IR_T_ANTISPOOF) {
				r->log_prefix = ir->log.prefix;
				continue;
			}
			p = xasprintf("%s%s", ir->log.prefix, places[c]);
			r->log_prefix = ir_intern(ir, p);
			free(p);
		}
	}
}

void eval_chains(struct eval *e)
{
	struct ir *ir = e->ir;
	size_t c;

	eval_user_sets(e);
	ir->chain[IR_CH_RAW].policy = IR_V_ACCEPT;
	ir->chain[IR_CH_INPUT].policy = ir->level == IR_STRONG ? IR_V_DROP : IR_V_ACCEPT;
	ir->chain[IR_CH_FORWARD].policy = IR_V_DROP;
	ir->chain[IR_CH_OUTPUT].policy = IR_V_ACCEPT;
	if (ir->level == IR_STRONG)
		chain_raw(e);
	chain_input(e);
	chain_forward(e);
	passthrough(e, IR_CH_OUTPUT);
	user_rules(e, IR_CH_OUTPUT);
	for (c = 0; c < IR_CH_COUNT; c++)
		settle(&ir->chain[c]);
	log_prefixes(ir);
}
