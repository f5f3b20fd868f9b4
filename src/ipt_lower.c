// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipt_lower.c - the IR as iptables rules in masqgen's own chains.
 *
 * raw:    masqgen-raw-prerouting  anti-spoofing (IPv6: -m rpfilter); helpers
 *                                 for new connections from internal networks
 *                                 (IPv6: interfaces), reflected ones
 *                                 (masqgen-raw-reflect) and forwarded ones
 *         masqgen-raw-output      helpers for the gateway's own connections
 * mangle: masqgen-mangle-forward  MSS clamping
 * nat:    masqgen-prerouting      1:1 DNAT, forwards, reflection (masqgen-reflect)
 *         masqgen-postrouting     reflection masquerade, 1:1 SNAT, masquerade/SNAT
 * filter: masqgen-input, masqgen-forward, masqgen-output: the IR's chains
 *
 * The raw table runs before DNAT, so a helper for a forward matches the
 * public port on the forwarded interface, not the server's port.
 */
#include "ipt.h"
#include "ir.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool iface_static(const struct ir *ir, const char *name)
{
	const struct ir_iface *i = ir_iface_find(ir, name);
	size_t len = strlen(name);

	return i && !i->dynamic && i->addr && name[len - 1] != '+';
}

/* " -p tcp -m tcp --dport 80" or " -p tcp -m tcp --dport 27960:27963", " -p gre". */
static void proto_ports(struct strbuf *sb, uint8_t proto, unsigned lo, unsigned hi)
{
	const char *name = ir_proto_name(proto);

	sb_addf(sb, " -p %s", name);
	if (proto != IR_P_TCP && proto != IR_P_UDP)
		return;
	if (lo == hi)
		sb_addf(sb, " -m %s --dport %u", name, lo);
	else
		sb_addf(sb, " -m %s --dport %u:%u", name, lo, hi);
}

static unsigned forward_to_hi(const struct ir_forward *f)
{
	return (unsigned)f->to_lo + (f->hi - f->lo);
}

/* " -j DNAT --to-destination H[:P[-Q/BASE]]": a range maps port by port. */
static char *dnat_target(const struct ir_forward *f)
{
	char buf[16];

	ir_ip_str(f->host, buf);
	if (f->to_lo == f->lo || (f->proto != IR_P_TCP && f->proto != IR_P_UDP))
		return xasprintf(" -j DNAT --to-destination %s", buf);
	if (f->lo == f->hi)
		return xasprintf(" -j DNAT --to-destination %s:%u", buf, f->to_lo);
	return xasprintf(" -j DNAT --to-destination %s:%u-%u/%u", buf, f->to_lo, forward_to_hi(f),
			 f->lo);
}

/*
 * Add one rule for each `from` element of @f (one rule when it has none):
 * @pre goes after the source address, @post after the protocol.
 */
static void per_source(struct ipt_chain *ch, const struct ir_addrs *from, const char *pre,
		       const char *proto, const char *post, const struct loc *loc,
		       const char *target)
{
	size_t i;

	for (i = 0; i < (from->n ? from->n : 1); i++) {
		struct ipt_addr_part s = {.addr = "", .range = ""};
		struct strbuf spec = {0};

		if (from->n)
			ipt_addr_part(&s, &from->v[i], false, 's');
		/* a rule per forward: no format to parse */
		sb_add(&spec, s.addr);
		sb_add(&spec, pre);
		sb_add(&spec, proto);
		sb_add(&spec, post);
		if (s.range[0]) {
			sb_add(&spec, " -m iprange");
			sb_add(&spec, s.range);
		}
		ipt_rule_add(ch, spec.buf, loc, NULL, target);
		sb_free(&spec);
	}
}

/*
 * A sub-chain @name for connections from internal interfaces to the
 * external interfaces' addresses (reflection): @parent jumps to it for each
 * internal interface and static external address, then it holds @rules
 * (built in a chain of the same name outside the model). With a dynamic
 * external the jump takes every local address (addrtype LOCAL cannot name
 * an interface in prerouting) and the sub-chain first returns for the
 * internal networks and 127/8. Nothing when @rules is empty.
 */
static void reflect_chain(struct ipt_table_model *tm, const char *parent, const struct ir *ir,
			  struct ipt_chain *rules)
{
	struct ir_addrs pub = {0};
	struct ipt_chain *sub, *ch;
	bool fixed;
	size_t i, j;
	char *jump;

	if (!rules->n_rules)
		return;
	fixed = ir_external_addrs(ir, &pub);
	jump = xasprintf(" -j %s", rules->name);
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &ir->ifaces[i];
		char buf[16], *spec;

		if (ifc->role != IR_INTERNAL)
			continue;
		ch = ipt_chain_get(tm, parent, NULL);
		for (j = 0; j < (fixed ? pub.n : 1); j++) {
			if (fixed)
				spec = xasprintf(" -d %s/32 -i %s", ir_ip_str(pub.v[j].lo, buf),
						 ifc->name);
			else
				spec = xasprintf(" -i %s -m addrtype --dst-type LOCAL", ifc->name);
			ipt_rule_add(ch, spec, &ifc->loc, "reflection", jump);
			free(spec);
		}
	}
	free(jump);
	free(pub.v);
	sub = ipt_chain_get(tm, rules->name, NULL);
	if (!fixed)
		ipt_rule_add(sub, " -d 127.0.0.0/8", NULL, "reflection", " -j RETURN");
	for (i = 0; !fixed && i < ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &ir->ifaces[i];

		for (j = 0; ifc->role == IR_INTERNAL && j < ifc->n_nets; j++) {
			char buf[16], *spec;

			spec = xasprintf(" -d %s/%u", ir_ip_str(ifc->nets[j].net, buf),
					 ifc->nets[j].len);
			ipt_rule_add(sub, spec, &ifc->nets[j].loc, "reflection", " -j RETURN");
			free(spec);
		}
	}
	sb_add(&sub->rules, rules->rules.buf);
	sub->n_rules += rules->n_rules;
}

static void chain_dispose(struct ipt_chain *ch)
{
	free((char *)ch->name);
	sb_free(&ch->rules);
}

/* The public ports of @f whose target ports fall in @hp, or false. */
static bool helper_public_ports(const struct ir_forward *f, const struct ir_port *hp,
				unsigned *lo, unsigned *hi)
{
	unsigned tlo = f->to_lo, thi = forward_to_hi(f);
	unsigned a = hp->lo > tlo ? hp->lo : tlo, b = hp->hi < thi ? hp->hi : thi;

	if (f->proto != hp->proto || a > b)
		return false;
	*lo = f->lo + (a - tlo);
	*hi = f->lo + (b - tlo);
	return true;
}

/*
 * IPv6 helper assignment, for the helpers the kernel has for IPv6: new
 * connections from internal interfaces (no NAT66: no forwards) and the
 * gateway's own.
 */
static void lower_helpers_v6(struct ipt_table_model *raw, const struct ir *ir)
{
	size_t h, p, i;

	/* declared in this order; a chain added later may move the others */
	ipt_chain_get(raw, "masqgen-raw-prerouting", "PREROUTING");
	ipt_chain_get(raw, "masqgen-raw-output", "OUTPUT");

	for (h = 0; h < ir->n_helpers; h++) {
		const struct ir_helper *hl = &ir->helpers[h];
		char *target;

		if (!hl->ipv6)
			continue;
		target = xasprintf(" -j CT --helper %s", hl->kname);
		for (p = 0; p < hl->ports.n; p++) {
			struct strbuf l4 = {0};

			proto_ports(&l4, hl->ports.v[p].proto, hl->ports.v[p].lo,
				    hl->ports.v[p].hi);
			for (i = 0; i < ir->n_ifaces; i++) {
				char *spec;

				if (ir->ifaces[i].role != IR_INTERNAL)
					continue;
				spec = xasprintf(" -i %s%s", ir->ifaces[i].name, l4.buf);
				ipt_rule_add(ipt_chain_get(raw, "masqgen-raw-prerouting", NULL),
					     spec, &hl->loc, NULL, target);
				free(spec);
			}
			ipt_rule_add(ipt_chain_get(raw, "masqgen-raw-output", NULL), l4.buf,
				     &hl->loc, NULL, target);
			sb_free(&l4);
		}
		free(target);
	}
}

static void lower_helpers(struct ipt_table_model *raw, const struct ir *ir)
{
	struct ipt_chain refl = {.name = "masqgen-raw-reflect"};
	struct ipt_chain fwd = {.name = "masqgen-raw-prerouting"};
	struct ipt_chain *pre = ipt_chain_get(raw, "masqgen-raw-prerouting", "PREROUTING");
	struct ipt_chain *out;
	size_t h, p, i, j;

	/* new connections from internal networks */
	for (h = 0; h < ir->n_helpers; h++) {
		const struct ir_helper *hl = &ir->helpers[h];
		char *target = xasprintf(" -j CT --helper %s", hl->kname);

		for (p = 0; p < hl->ports.n; p++) {
			const struct ir_port *hp = &hl->ports.v[p];
			struct strbuf l4 = {0};

			proto_ports(&l4, hp->proto, hp->lo, hp->hi);
			for (i = 0; i < ir->n_ifaces; i++) {
				const struct ir_iface *ifc = &ir->ifaces[i];

				for (j = 0; ifc->role == IR_INTERNAL && j < ifc->n_nets; j++) {
					char buf[16], *spec;

					spec = xasprintf(" -s %s/%u -i %s%s",
							 ir_ip_str(ifc->nets[j].net, buf),
							 ifc->nets[j].len, ifc->name, l4.buf);
					ipt_rule_add(pre, spec, &hl->loc, NULL, target);
					free(spec);
				}
			}
			/* forwarded and reflected connections, by their public port */
			for (i = 0; i < ir->n_forwards; i++) {
				const struct ir_forward *f = &ir->forwards[i];
				struct strbuf pub = {0};
				char buf[16], *pre_spec;
				unsigned lo, hi;

				if (!helper_public_ports(f, hp, &lo, &hi))
					continue;
				proto_ports(&pub, f->proto, lo, hi);
				if (f->reflect)
					per_source(&refl, &f->from, "", pub.buf, "", &hl->loc, target);
				if (iface_static(ir, f->iif))
					pre_spec = xasprintf(" -d %s/32 -i %s",
							     ir_ip_str(ir_iface_find(ir, f->iif)->addr,
								       buf),
							     f->iif);
				else
					pre_spec = xasprintf(" -i %s", f->iif);
				per_source(&fwd, &f->from, pre_spec, pub.buf,
					   iface_static(ir, f->iif)
						   ? ""
						   : " -m addrtype --dst-type LOCAL --limit-iface-in",
					   &hl->loc, target);
				free(pre_spec);
				sb_free(&pub);
			}
			sb_free(&l4);
		}
		free(target);
	}
	reflect_chain(raw, "masqgen-raw-prerouting", ir, &refl);
	if (fwd.n_rules) {
		/* a 1:1 public address is not a forward's, even though it is local */
		pre = ipt_chain_get(raw, "masqgen-raw-prerouting", NULL);
		for (i = 0; i < ir->n_nat1to1; i++) {
			const struct ir_nat1to1 *n = &ir->nat1to1[i];
			char buf[16], *spec;

			spec = xasprintf(" -d %s/32 -i %s", ir_ip_str(n->public_addr, buf), n->iif);
			ipt_rule_add(pre, spec, &n->loc, NULL, " -j RETURN");
			free(spec);
		}
		sb_add(&pre->rules, fwd.rules.buf);
		pre->n_rules += fwd.n_rules;
	}
	/* the gateway's own connections */
	out = ipt_chain_get(raw, "masqgen-raw-output", "OUTPUT");
	for (h = 0; h < ir->n_helpers; h++) {
		const struct ir_helper *hl = &ir->helpers[h];
		char *target = xasprintf(" -j CT --helper %s", hl->kname);

		for (p = 0; p < hl->ports.n; p++) {
			struct strbuf l4 = {0};

			proto_ports(&l4, hl->ports.v[p].proto, hl->ports.v[p].lo,
				    hl->ports.v[p].hi);
			ipt_rule_add(out, l4.buf, &hl->loc, NULL, target);
			sb_free(&l4);
		}
		free(target);
	}
	sb_free(&refl.rules);
	sb_free(&fwd.rules);
}

/* raw: anti-spoofing, then helper assignment, in table @fam. */
static void lower_raw(struct ipt_model *m, const struct ir *ir, enum ipt_family fam)
{
	struct ipt_table_model *raw = &m->t[fam][IPT_RAW];
	const struct ir_chain *c = &ir->chain[IR_CH_RAW];
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->rules[i].family & (fam == IPT_V4 ? IR_F_IPV4 : IR_F_IPV6))
			ipt_rule_lower(raw, ipt_chain_get(raw, "masqgen-raw-prerouting",
							  "PREROUTING"),
				       ir, &c->rules[i], fam);
	if (fam == IPT_V4)
		lower_helpers(raw, ir);
	else
		lower_helpers_v6(raw, ir);
}

/* The internal interface and network that hold @host, or false. */
static bool host_lan(const struct ir *ir, uint32_t host, const struct ir_iface **ifc,
		     const struct ir_net **net)
{
	size_t i, j;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *x = &ir->ifaces[i];

		for (j = 0; x->role == IR_INTERNAL && j < x->n_nets; j++) {
			uint32_t mask = x->nets[j].len ? ~0u << (32 - x->nets[j].len) : 0;

			if ((host & mask) == (x->nets[j].net & mask)) {
				*ifc = x;
				*net = &x->nets[j];
				return true;
			}
		}
	}
	return false;
}

/*
 * A reflected connection leaves on the LAN its client came from: masquerade
 * it so the reply comes back through the gateway to be translated.
 */
static void reflect_masquerade(struct ipt_chain *post, const struct ir *ir, uint32_t host,
			       const char *l4, const struct loc *loc)
{
	const struct ir_iface *ifc;
	const struct ir_net *net;
	char a[16], b[16], *spec;

	if (!host_lan(ir, host, &ifc, &net))
		return;
	spec = xasprintf(" -s %s/%u -d %s/32 -o %s%s -m conntrack --ctstate DNAT",
			 ir_ip_str(net->net, a), net->len, ir_ip_str(host, b), ifc->name, l4);
	ipt_rule_add(post, spec, loc, "reflection", " -j MASQUERADE");
	free(spec);
}

static void lower_nat(struct ipt_model *m, const struct ir *ir)
{
	struct ipt_table_model *nat = &m->t[IPT_V4][IPT_NAT];
	struct ipt_chain refl = {.name = "masqgen-reflect"};
	struct ipt_chain *pre = ipt_chain_get(nat, "masqgen-prerouting", "PREROUTING");
	struct ipt_chain *post;
	char a[16], b[16], *spec, *target;
	size_t i, j;

	for (i = 0; i < ir->n_nat1to1; i++) {
		const struct ir_nat1to1 *n = &ir->nat1to1[i];

		spec = xasprintf(" -d %s/32", ir_ip_str(n->public_addr, a));
		target = xasprintf(" -j DNAT --to-destination %s", ir_ip_str(n->private_addr, b));
		ipt_rule_add(pre, spec, &n->loc, NULL, target);
		free(spec);
		free(target);
	}
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];
		bool fixed = iface_static(ir, f->iif);
		struct strbuf l4 = {0};

		proto_ports(&l4, f->proto, f->lo, f->hi);
		target = dnat_target(f);
		if (fixed)
			spec = xasprintf(" -d %s/32 -i %s",
					 ir_ip_str(ir_iface_find(ir, f->iif)->addr, a), f->iif);
		else
			spec = xasprintf(" -i %s", f->iif);
		per_source(pre, &f->from, spec, l4.buf,
			   fixed ? "" : " -m addrtype --dst-type LOCAL --limit-iface-in", &f->loc,
			   target);
		if (f->reflect)
			per_source(&refl, &f->from, "", l4.buf, "", &f->loc, target);
		free(spec);
		free(target);
		sb_free(&l4);
	}
	reflect_chain(nat, "masqgen-prerouting", ir, &refl);
	sb_free(&refl.rules);

	post = ipt_chain_get(nat, "masqgen-postrouting", "POSTROUTING");
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];
		struct strbuf l4 = {0};

		if (!f->reflect)
			continue;
		proto_ports(&l4, f->proto, f->to_lo, forward_to_hi(f));
		reflect_masquerade(post, ir, f->host, l4.buf, &f->loc);
		sb_free(&l4);
	}
	for (i = 0; i < ir->n_nat1to1; i++)
		reflect_masquerade(post, ir, ir->nat1to1[i].private_addr, "", &ir->nat1to1[i].loc);
	for (i = 0; i < ir->n_nat1to1; i++) {
		const struct ir_nat1to1 *n = &ir->nat1to1[i];

		spec = xasprintf(" -s %s/32 -o %s", ir_ip_str(n->private_addr, a), n->iif);
		target = xasprintf(" -j SNAT --to-source %s", ir_ip_str(n->public_addr, b));
		ipt_rule_add(post, spec, &n->loc, NULL, target);
		free(spec);
		free(target);
	}
	for (i = 0; i < ir->n_snats; i++) {
		const struct ir_snat *s = &ir->snats[i];

		if (s->to)
			target = xasprintf(" -j SNAT --to-source %s", ir_ip_str(s->to, a));
		else
			target = xstrdup(" -j MASQUERADE");
		for (j = 0; j < (s->sources.n ? s->sources.n : 1); j++) {
			struct ipt_addr_part p = {.addr = "", .range = ""};
			const struct loc *loc = &s->loc;

			if (s->sources.n) {
				ipt_addr_part(&p, &s->sources.v[j], false, 's');
				if (s->sources.v[j].loc.src)
					loc = &s->sources.v[j].loc;
			}
			spec = xasprintf("%s -o %s%s%s", p.addr, s->oif,
					 p.range[0] ? " -m iprange" : "", p.range);
			ipt_rule_add(post, spec, loc, NULL, target);
			free(spec);
		}
		free(target);
	}
}

static void lower_clamp(struct ipt_table_model *mangle, const struct ir *ir)
{
	char *target;

	if (!ir->clamp.enabled)
		return;
	if (ir->clamp.mss)
		target = xasprintf(" -j TCPMSS --set-mss %u", ir->clamp.mss);
	else
		target = xstrdup(" -j TCPMSS --clamp-mss-to-pmtu");
	ipt_rule_add(ipt_chain_get(mangle, "masqgen-mangle-forward", "FORWARD"),
		     " -p tcp -m tcp --tcp-flags SYN,RST SYN", &ir->clamp.loc, NULL, target);
	free(target);
}

/*
 * Several externals: as nft_lower.c's lower_wan() (pinned sources, then
 * arrivals), with CONNMARK, which copies only masqgen's bits into the
 * packet mark. In mangle OUTPUT a
 * changed mark reroutes the gateway's own replies.
 */
static void lower_wan(struct ipt_table_model *mangle, const struct ir *ir)
{
	static const char restore[] = " -j CONNMARK --restore-mark --nfmask 0xf0000 --ctmask 0xf0000";
	static const char has_wan[] = " -m connmark ! --mark 0x0/0xf0000";
	const struct loc *first = NULL;
	char *spec, *target;
	size_t i;

	for (i = 0; i < ir->n_snats; i++) {
		const struct ir_snat *s = &ir->snats[i];

		if (!s->pin)
			continue;
		target = xasprintf(" -j CONNMARK --set-xmark 0x%x/0xf0000", s->pin << IR_WAN_SHIFT);
		per_source(ipt_chain_get(mangle, "masqgen-mangle-prerouting", "PREROUTING"),
			   &s->sources, " -m conntrack --ctstate NEW", "", "", &s->loc, target);
		free(target);
	}
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *x = &ir->ifaces[i];

		if (!x->wan)
			continue;
		if (!first)
			first = &x->loc;
		spec = xasprintf(" -i %s -m conntrack --ctstate NEW", x->name);
		target = xasprintf(" -j CONNMARK --set-xmark 0x%x/0xf0000", x->wan << IR_WAN_SHIFT);
		ipt_rule_add(ipt_chain_get(mangle, "masqgen-mangle-prerouting", "PREROUTING"), spec,
			     &x->loc, NULL, target);
		free(spec);
		free(target);
	}
	if (!first)
		return;
	ipt_rule_add(ipt_chain_get(mangle, "masqgen-mangle-prerouting", "PREROUTING"), has_wan,
		     first, "multi-wan", restore);
	ipt_rule_add(ipt_chain_get(mangle, "masqgen-mangle-output", "OUTPUT"), has_wan, first,
		     "multi-wan", restore);
}

static bool unconditional_drop(const struct ir_rule *r)
{
	return r->verdict == IR_V_DROP && !r->iif && !r->oif && !r->saddr.n && !r->daddr.n &&
	       r->proto == IR_P_ANY && !r->dports.n && !r->sports.n && !r->n_icmp &&
	       !r->v6_linklocal_src && !r->ct_state && !r->ct_dnat_forward;
}

static void lower_filter(struct ipt_model *m, const struct ir *ir, enum ipt_family fam)
{
	static const struct {
		enum ir_chain_id id;
		const char *name, *hook;
	} chains[] = {
		{IR_CH_INPUT, "masqgen-input", "INPUT"},
		{IR_CH_FORWARD, "masqgen-forward", "FORWARD"},
		{IR_CH_OUTPUT, "masqgen-output", "OUTPUT"},
	};
	struct ipt_table_model *tm = &m->t[fam][IPT_FILTER];
	unsigned fbit = fam == IPT_V4 ? IR_F_IPV4 : IR_F_IPV6;
	size_t k, i;

	for (k = 0; k < ARRAY_SIZE(chains); k++) {
		const struct ir_chain *c = &ir->chain[chains[k].id];
		bool dropped = false;

		if (!c->present)
			continue;
		ipt_chain_get(tm, chains[k].name, chains[k].hook);
		for (i = 0; i < c->n && !dropped; i++) {
			if (!(c->rules[i].family & fbit))
				continue;
			ipt_rule_lower(tm, ipt_chain_get(tm, chains[k].name, NULL), ir,
				       &c->rules[i], fam);
			/* nothing after an unconditional drop (ipv6 block, catch-all) matches */
			dropped = unconditional_drop(&c->rules[i]);
		}
		/* the chain's drop policy is its last rule: built-in policies are not ours */
		if (c->policy == IR_V_DROP && !dropped)
			ipt_rule_add(ipt_chain_get(tm, chains[k].name, NULL), "", &ir->level_loc,
				     "policy", " -j DROP");
	}
}

/*
 * iptables has no per-connection timeout objects: the global sysctls stand
 * in (tcp: established; tcpfin: the closing states; udp: replied streams).
 */
static const struct {
	const char *key;
	size_t field;
} ipt_timeout_keys[] = {
	{"net.netfilter.nf_conntrack_tcp_timeout_established", offsetof(struct ir_timeouts, tcp)},
	{"net.netfilter.nf_conntrack_tcp_timeout_fin_wait", offsetof(struct ir_timeouts, tcpfin)},
	{"net.netfilter.nf_conntrack_tcp_timeout_close_wait", offsetof(struct ir_timeouts, tcpfin)},
	{"net.netfilter.nf_conntrack_tcp_timeout_last_ack", offsetof(struct ir_timeouts, tcpfin)},
	{"net.netfilter.nf_conntrack_tcp_timeout_time_wait", offsetof(struct ir_timeouts, tcpfin)},
	{"net.netfilter.nf_conntrack_udp_timeout_stream", offsetof(struct ir_timeouts, udp)},
};

static unsigned timeout_value(const struct ir_timeouts *t, size_t k)
{
	return *(const unsigned *)((const char *)t + ipt_timeout_keys[k].field);
}

static void lower_timeouts(struct ipt_model *m, const struct ir *ir)
{
	const struct ir_timeouts *t = &ir->timeouts;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(ipt_timeout_keys); k++) {
		struct ipt_sysctl *s;

		if (!timeout_value(t, k))
			continue;
		s = VEC_PUSH(m->sysctls, m->n_sysctls, m->cap_sysctls);
		s->key = ipt_timeout_keys[k].key;
		s->value = timeout_value(t, k);
	}
	if (m->n_sysctls)
		diag_warning(&t->loc, "iptables has no per-connection timeouts: 'timeouts' sets the "
				      "global conntrack sysctls, which affect every connection of "
				      "this host");
}

void ipt_timeout_sysctls(struct ir *ir)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(ipt_timeout_keys); k++) {
		struct ir_sysctl *s;
		char value[16];

		if (!timeout_value(&ir->timeouts, k))
			continue;
		snprintf(value, sizeof(value), "%u", timeout_value(&ir->timeouts, k));
		s = VEC_PUSH(ir->sysctls, ir->n_sysctls, ir->cap_sysctls);
		memset(s, 0, sizeof(*s));
		s->key = ipt_timeout_keys[k].key;
		s->value = ir_intern(ir, value);
		s->loc = ir->timeouts.loc;
	}
}

/*
 * What iptables cannot hold: a log prefix that leaves no room for the
 * catch-all's place in LOG's 29 bytes (iptables-legacy would cut it
 * silently). Returns 0, or -1 after reporting.
 */
static int check_ipt(const struct ir *ir)
{
	size_t len = strlen(ir->log.prefix);

	if (len <= IR_LOG_PREFIX_MAX_IPT)
		return 0;
	diag_error(&ir->log.prefix_loc,
		   "log prefix \"%s\" is %zu bytes: iptables keeps %d bytes of a log prefix and "
		   "the catch-all adds its place (up to %d), so at most %d are left",
		   ir->log.prefix, len, IR_LOG_PREFIX_MAX_IPT + IR_LOG_PLACE_MAX, IR_LOG_PLACE_MAX,
		   IR_LOG_PREFIX_MAX_IPT);
	return -1;
}

struct ipt_model *ipt_lower(const struct ir *ir)
{
	struct ipt_model *m;
	int f, t;

	if (ir_check_modern(ir) < 0 || check_ipt(ir) < 0 || ir_check_no_sets(ir, "iptables") < 0)
		return NULL;
	if (ir->upnp.iface) {
		diag_error(&ir->upnp.loc, "upnp: miniupnpd's table and the mark that admits its "
					  "mappings exist for nftables only; use the nft target");
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	m->policy_path = ir->policy_path;
	m->ipv6 = ir->ipv6 != IR_IPV6_OPEN;
	lower_raw(m, ir, IPT_V4);
	lower_clamp(&m->t[IPT_V4][IPT_MANGLE], ir);
	lower_wan(&m->t[IPT_V4][IPT_MANGLE], ir);
	lower_nat(m, ir);
	lower_filter(m, ir, IPT_V4);
	if (m->ipv6) {
		lower_raw(m, ir, IPT_V6);
		lower_clamp(&m->t[IPT_V6][IPT_MANGLE], ir);
		lower_filter(m, ir, IPT_V6);
	}
	lower_timeouts(m, ir);
	for (f = 0; f < IPT_FAMILY_COUNT; f++)
		for (t = 0; t < IPT_TABLE_COUNT; t++)
			ipt_tree(&m->t[f][t]);
	return m;
}

void ipt_model_free(struct ipt_model *m)
{
	size_t f, t, i;

	if (!m)
		return;
	for (f = 0; f < IPT_FAMILY_COUNT; f++) {
		for (t = 0; t < IPT_TABLE_COUNT; t++) {
			struct ipt_table_model *tm = &m->t[f][t];

			for (i = 0; i < tm->n; i++)
				chain_dispose(&tm->chains[i]);
			free(tm->chains);
			free(tm->index);
		}
	}
	free(m->sysctls);
	free(m);
}
