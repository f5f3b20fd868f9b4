// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_lower_filter.c - the IR's filter chains (raw anti-spoofing, input,
 * forward, output) as nft rules, for the ip and the ip6 table.
 *
 * An IR rule may become several nft rules: a rate-limited log rule before
 * its verdict (a limit on the verdict rule would stop accepting once the
 * limit is reached), one rule per protocol when its ports mix tcp and udp,
 * and, for `reject` of anything, one rule per reject kind. Drops and
 * rejects carry a counter (tests and admins count what the firewall
 * refuses); accepts do not (the established rule is the hot path).
 */
#include "ir.h"
#include "nft.h"
#include "nft_model.h"
#include "tables.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *rule_comment(const struct ir_rule *r)
{
	char *tag = xasprintf("built-in %s", ir_tag_name(r->tag));
	char *c = nft_comment(&r->loc, tag);

	free(tag);
	return c;
}

/* ICMP types as a match; false when none exists in this family. */
static bool match_icmp(struct nft_table *t, struct nft_rule *nr, const struct ir_rule *r,
		       enum nft_fam fam, char *set_name)
{
	bool v6 = fam == NFT_FAM_IP6;
	struct nft_elem *e;
	size_t i, idx;
	int type;

	idx = nft_set_new(t, NULL, v6 ? NFT_SK_ICMPV6 : NFT_SK_ICMP);
	for (i = 0; i < r->n_icmp; i++) {
		type = r->icmp_types[i];
		if (v6 && r->proto == IR_P_ICMP)
			type = tables_icmp_to_v6(r->icmp_types[i]);
		if (type < 0)
			continue;
		e = nft_elem_add(&t->sets[idx], nft_elem_comment(&r->icmp_locs[i]));
		e->k[0] = e->hi = (uint32_t)type;
	}
	if (t->sets[idx].n == 0) {
		nft_set_drop_last(t);
		free(set_name);
		return false;
	}
	nft_match_list(t, nr, v6 ? NFT_SEL_ICMPV6_TYPE : NFT_SEL_ICMP_TYPE, false, idx, set_name);
	return true;
}

static bool ports_have(const struct ir_ports *p, uint8_t proto)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->v[i].proto == proto)
			return true;
	return false;
}

/* @sel in live set @name's half of table @t (lower_live_sets() made it). */
static void match_live_set(struct nft_table *t, struct nft_rule *nr, enum nft_sel sel,
			   const char *name, bool neg, enum nft_fam fam)
{
	char *half = nft_live_set_name(name, fam);
	struct nft_match *m = nft_match_add(nr, sel, NFT_V_SET);

	m->set = nft_set_find(t, half);
	m->neg = neg;
	free(half);
}

/*
 * The matches of IR rule @r for protocol @proto (a port protocol when the
 * rule has ports, else r->proto). Returns false when the rule cannot match
 * anything in this family.
 */
static bool rule_matches(struct nft_lower *lc, enum nft_fam fam, struct nft_rule *nr,
			 const struct ir_rule *r, uint8_t proto, const char *base)
{
	struct nft_table *t = &lc->m->t[fam];
	bool v6 = fam == NFT_FAM_IP6;
	bool ports = r->dports.n || r->sports.n;

	if (r->iif)
		nft_match_ifname(nr, NFT_SEL_IIFNAME, r->iif);
	if (r->oif)
		nft_match_ifname(nr, NFT_SEL_OIFNAME, r->oif);
	if (r->v6_linklocal_src)
		nft_match_flag(nr, NFT_SEL_IP6_LINKLOCAL);
	if (r->rpf != IR_RPF_NONE)
		nft_match_flag(nr, r->rpf == IR_RPF_STRICT ? NFT_SEL_RPF_STRICT : NFT_SEL_RPF_LOOSE);
	nft_match_addrs(t, nr, NFT_SEL_SADDR, &r->saddr, r->saddr_neg,
			xasprintf("%s_saddr", base));
	nft_match_addrs(t, nr, NFT_SEL_DADDR, &r->daddr, r->daddr_neg,
			xasprintf("%s_daddr", base));
	if (r->sset)
		match_live_set(t, nr, v6 ? NFT_SEL_SADDR6 : NFT_SEL_SADDR, r->sset, r->saddr_neg,
			       fam);
	if (r->dset)
		match_live_set(t, nr, v6 ? NFT_SEL_DADDR6 : NFT_SEL_DADDR, r->dset, r->daddr_neg,
			       fam);
	if (ports) {
		bool tcp = proto == IR_P_TCP;

		nft_match_ports(t, nr, tcp ? NFT_SEL_TCP_SPORT : NFT_SEL_UDP_SPORT, &r->sports,
				proto, xasprintf("%s_%s_sport", base, nft_proto_name(proto)));
		nft_match_ports(t, nr, tcp ? NFT_SEL_TCP_DPORT : NFT_SEL_UDP_DPORT, &r->dports,
				proto, xasprintf("%s_%s_dport", base, nft_proto_name(proto)));
	} else if (r->n_icmp) {
		if (v6 ? r->proto != IR_P_ICMP && r->proto != IR_P_ICMPV6 : r->proto != IR_P_ICMP)
			return false;
		if (!match_icmp(t, nr, r, fam, xasprintf("%s_icmp", base)))
			return false;
	} else if (proto == IR_P_ICMP || proto == IR_P_ICMPV6) {
		if (!v6 && proto == IR_P_ICMPV6)
			return false;
		nft_match_eq(nr, NFT_SEL_L4PROTO, v6 ? IR_P_ICMPV6 : IR_P_ICMP);
	} else if (proto != IR_P_ANY) {
		nft_match_eq(nr, NFT_SEL_L4PROTO, proto);
	}
	if (r->ct_state)
		nft_match_eq(nr, NFT_SEL_CT_STATE, r->ct_state);
	return true;
}

static void add_verdict(struct nft_rule *nr, enum ir_verdict v, enum nft_reject how)
{
	if (v == IR_V_ACCEPT) {
		nft_stmt_add(nr, NFT_S_ACCEPT);
		return;
	}
	nft_stmt_add(nr, NFT_S_COUNTER);
	if (v == IR_V_DROP)
		nft_stmt_add(nr, NFT_S_DROP);
	else
		nft_stmt_add(nr, NFT_S_REJECT)->reject = how;
}

static void add_log(struct nft_lower *lc, struct nft_rule *nr, const char *prefix)
{
	static const struct {
		const char *name;
		unsigned level;
	} levels[] = {
		{"emerg", 0}, {"alert", 1}, {"crit", 2},   {"err", 3},	  {"error", 3},
		{"warn", 4},  {"warning", 4}, {"notice", 5}, {"info", 6}, {"debug", 7},
	};
	const struct ir_log *log = &lc->ir->log;
	struct nft_stmt *s;
	size_t i;

	s = nft_stmt_add(nr, NFT_S_LIMIT);
	s->a = log->rate ? log->rate : 5;
	s->unit = log->rate ? log->unit : IR_PER_MINUTE;
	s->burst = 5;	/* nft's default */
	s = nft_stmt_add(nr, NFT_S_LOG);
	s->str = prefix;
	s->level = 4;
	for (i = 0; log->level && i < ARRAY_SIZE(levels); i++)
		if (strcmp(levels[i].name, log->level) == 0)
			s->level = levels[i].level;
}

/*
 * The rate limit @l before a verdict in @nr: a limit statement, or with
 * per_source an update of the meter set named @set_name (taken), one per
 * IR rule: its tcp and udp rules share the budget of a source.
 */
static void add_limit(struct nft_table *t, struct nft_rule *nr, const struct ir_limit *l,
		      enum nft_fam fam, char *set_name)
{
	struct nft_stmt *s;
	size_t idx;

	if (!l->per_source) {
		free(set_name);
		s = nft_stmt_add(nr, NFT_S_LIMIT);
	} else {
		idx = nft_set_find(t, set_name);
		if (idx == SIZE_MAX) {
			idx = nft_set_new(t, set_name, fam == NFT_FAM_IP6 ? NFT_SK_ADDR6 : NFT_SK_ADDR);
			t->sets[idx].dynamic = true;
			t->sets[idx].interval = false;
			t->sets[idx].timeout = ir_limit_expiry(l);
		} else {
			free(set_name);
		}
		s = nft_stmt_add(nr, NFT_S_METER);
		s->set = idx;
	}
	s->a = l->rate;
	s->unit = l->unit;
	s->burst = l->burst;
}

/* One IR rule for one protocol: [log rule,] verdict rule(s)[, drop beyond the limit]. */
static void lower_variant(struct nft_lower *lc, enum nft_fam fam, struct nft_chain *c,
			  const struct ir_rule *r, uint8_t proto, const char *base)
{
	struct nft_table *t = &lc->m->t[fam];
	size_t first = c->n, nsets = t->n_sets;
	struct nft_rule *nr;
	size_t i, k;

	nr = nft_rule_add(c, rule_comment(r), &r->loc);
	if (!rule_matches(lc, fam, nr, r, proto, base)) {
		/* drop the rule and any set it made */
		while (t->n_sets > nsets)
			nft_set_drop_last(t);
		free(nr->m);
		free(nr->s);
		free(nr->comment);
		c->n--;
		return;
	}
	if (r->log) {
		add_log(lc, nr, r->log_prefix);
		/* a catch-all before an accept policy is only the log */
		if (r->tag == IR_T_CATCHALL && r->verdict == IR_V_ACCEPT)
			return;
		nr = nft_rule_clone_matches(c, first);
	} else if (r->tag == IR_T_CATCHALL && r->verdict == IR_V_ACCEPT) {
		free(nr->m);
		free(nr->comment);
		c->n--;
		return;
	}
	if (r->verdict != IR_V_REJECT || proto == IR_P_TCP || proto == IR_P_UDP) {
		if (r->limit.rate)
			add_limit(t, nr, &r->limit, fam, xasprintf("%s_limit", base));
		add_verdict(nr, r->verdict,
			    proto == IR_P_TCP ? NFT_REJ_TCP_RESET
			    : proto == IR_P_UDP ? NFT_REJ_PORT_UNREACH : NFT_REJ_ADMIN_PROHIB);
	} else if (proto != IR_P_ANY || r->n_icmp) {
		if (r->limit.rate)
			add_limit(t, nr, &r->limit, fam, xasprintf("%s_limit", base));
		add_verdict(nr, r->verdict, NFT_REJ_ADMIN_PROHIB);
	} else {
		/* reject of anything: a reset for tcp, port-unreachable for udp, else prohibited */
		i = c->n - 1;
		nft_rule_clone_matches(c, i);
		nft_rule_clone_matches(c, i);
		nft_match_eq(&c->v[i], NFT_SEL_L4PROTO, IR_P_TCP);
		nft_match_eq(&c->v[i + 1], NFT_SEL_L4PROTO, IR_P_UDP);
		for (k = 0; k < 3; k++) {
			if (r->limit.rate)
				add_limit(t, &c->v[i + k], &r->limit, fam,
					  xasprintf("%s_limit", base));
			add_verdict(&c->v[i + k], r->verdict,
				    k == 0 ? NFT_REJ_TCP_RESET
				    : k == 1 ? NFT_REJ_PORT_UNREACH : NFT_REJ_ADMIN_PROHIB);
		}
	}
	/* fail closed: what the limit lets not through is dropped here */
	if (r->limit.rate)
		add_verdict(nft_rule_clone_matches(c, first), IR_V_DROP, NFT_REJ_ADMIN_PROHIB);
}

/*
 * Translated connections to forward targets (IR_T_FORWARDED, accept): the
 * translated address and port together with the port the connection was
 * addressed to must be a forward's, so a 1:1 address or another forward
 * to the same host never opens a port this forward's public port does
 * not; a forward with `from` admits only its sources, in a rule of its own.
 */
static void lower_forwarded(struct nft_lower *lc, struct nft_chain *c, const struct ir_rule *r)
{
	static const enum nft_sel admit_sel[2] = {NFT_SEL_ADMIT_TCP, NFT_SEL_ADMIT_UDP};
	struct nft_table *t = &lc->m->t[NFT_FAM_IP];
	const struct ir *ir = lc->ir;
	struct nft_rule *nr;
	size_t i, k, idx;

	for (k = 0; k < ARRAY_SIZE(admit_sel) + 1; k++) {
		idx = k < ARRAY_SIZE(admit_sel) ? lc->admit[k] : lc->proto_targets;
		if (idx == SIZE_MAX)
			continue;
		nr = nft_rule_add(c, rule_comment(r), &r->loc);
		nft_match_flag(nr, NFT_SEL_CT_DNAT);
		nft_match_add(nr, k < ARRAY_SIZE(admit_sel) ? admit_sel[k] : NFT_SEL_PROTO_TARGET,
			      NFT_V_SET)->set = idx;
		nft_stmt_add(nr, NFT_S_ACCEPT);
	}
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];
		size_t first = c->n;

		if (!f->from.n && !f->limit.rate)
			continue;
		nr = nft_rule_add(c, nft_comment(&f->loc, "forward"), &f->loc);
		nft_match_flag(nr, NFT_SEL_CT_DNAT);
		nft_match_addrs(t, nr, NFT_SEL_SADDR, &f->from, false,
				xasprintf("forward_%zu_from", i + 1));
		if (f->proto == IR_P_TCP || f->proto == IR_P_UDP) {
			/* a named set: nft cannot list this concatenation back anonymous */
			idx = nft_set_new(t, xasprintf("forward_%zu_admit", i + 1), NFT_SK_ADMIT);
			nft_admit_elems(&t->sets[idx], f);
			nft_set_normalize(t, idx, false);
			nft_match_add(nr, admit_sel[f->proto == IR_P_UDP], NFT_V_SET)->set = idx;
		} else {
			nft_match_eq(nr, NFT_SEL_DADDR, f->host);
			nft_match_eq(nr, NFT_SEL_L4PROTO, f->proto);
		}
		/* only new connections reach the admission: the rest are established */
		if (f->limit.rate)
			add_limit(t, nr, &f->limit, NFT_FAM_IP, xasprintf("forward_%zu_limit", i + 1));
		nft_stmt_add(nr, NFT_S_ACCEPT);
		if (f->limit.rate)
			add_verdict(nft_rule_clone_matches(c, first), IR_V_DROP,
				    NFT_REJ_ADMIN_PROHIB);
	}
}

/*
 * Connections miniupnpd mapped (IR_T_UPNP): new, translated, and accepted
 * by miniupnpd's rule in the UPnP table, which left the mark bit set;
 * the connection keeps the bit (ctclean.c leaves such connections alone).
 */
static void lower_upnp_admit(struct nft_chain *c, const struct ir_rule *r)
{
	struct nft_rule *nr = nft_rule_add(c, rule_comment(r), &r->loc);

	nft_match_eq(nr, NFT_SEL_CT_STATE, r->ct_state);
	nft_match_flag(nr, NFT_SEL_CT_DNAT);
	nft_match_flag(nr, NFT_SEL_MARK_UPNP);
	nft_stmt_add(nr, NFT_S_CT_MARK_UPNP);
	nft_stmt_add(nr, NFT_S_ACCEPT);
}

static void lower_rule(struct nft_lower *lc, enum nft_fam fam, struct nft_chain *c,
		       const struct ir_rule *r, size_t ruleno)
{
	static const uint8_t port_protos[] = {IR_P_TCP, IR_P_UDP};
	bool v6 = fam == NFT_FAM_IP6;
	size_t i;
	char *base;

	if (!(r->family & (v6 ? IR_F_IPV6 : IR_F_IPV4)))
		return;
	if (v6 && (r->ct_dnat_forward || r->ct_dnat_upnp))
		return;
	if (!v6 && (r->v6_linklocal_src || r->rpf != IR_RPF_NONE))
		return;
	if (r->ct_dnat_forward) {
		lower_forwarded(lc, c, r);
		return;
	}
	if (r->ct_dnat_upnp) {
		lower_upnp_admit(c, r);
		return;
	}
	base = xasprintf("%s_%zu", c->name, ruleno);
	if (!r->dports.n && !r->sports.n)
		lower_variant(lc, fam, c, r, r->proto, base);
	for (i = 0; (r->dports.n || r->sports.n) && i < ARRAY_SIZE(port_protos); i++) {
		uint8_t p = port_protos[i];

		/* every port list the rule has must allow this protocol */
		if ((r->dports.n && !ports_have(&r->dports, p)) ||
		    (r->sports.n && !ports_have(&r->sports, p)))
			continue;
		lower_variant(lc, fam, c, r, p, base);
	}
	free(base);
}

/*
 * Does IR rule @r match one destination address and one TCP or UDP port
 * (`allow forward tcp 80 to 10.0.0.2`) in the table of @fam and nothing a
 * concatenated lookup of address, protocol and port could not hold?
 */
static bool pair_rule(const struct ir_rule *r, enum nft_fam fam)
{
	return r->family == (fam == NFT_FAM_IP6 ? IR_F_IPV6 : IR_F_IPV4) && r->daddr.n == 1 &&
	       !r->daddr_neg && !ir_addr_mask6(&r->daddr.v[0]) &&
	       ir_addr_lo(&r->daddr.v[0]) == ir_addr_hi(&r->daddr.v[0]) &&
	       r->dports.n == 1 && r->dports.v[0].lo == r->dports.v[0].hi && !r->sports.n &&
	       !r->n_icmp && !r->v6_linklocal_src && !r->ct_state && !r->ct_dnat_forward;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Can @b join @a's lookup: everything but the address, port and protocol the same? */
static bool pair_joins(const struct ir_rule *a, const struct ir_rule *b, enum nft_fam fam)
{
	size_t i;

	if (!pair_rule(b, fam) || a->tag != b->tag || a->verdict != b->verdict ||
	    a->log != b->log || !same_str(a->iif, b->iif) || !same_str(a->oif, b->oif) ||
	    !same_str(a->sset, b->sset) || !same_str(a->dset, b->dset) ||
	    a->saddr_neg != b->saddr_neg || a->saddr.n != b->saddr.n ||
	    /* a reject answers by protocol: one rule cannot answer both */
	    (a->verdict == IR_V_REJECT && a->proto != b->proto))
		return false;
	for (i = 0; i < a->saddr.n; i++)
		if (ir_addr_lo(&a->saddr.v[i]) != ir_addr_lo(&b->saddr.v[i]) ||
		    ir_addr_hi(&a->saddr.v[i]) != ir_addr_hi(&b->saddr.v[i]) ||
		    ir_addr_mask6(&a->saddr.v[i]) != ir_addr_mask6(&b->saddr.v[i]))
			return false;
	return true;
}

/* How many IR rules from @v[0] (of @n) lower as one lookup; below 2 they do not. */
static size_t pair_run(const struct ir_rule *v, size_t n, enum nft_fam fam)
{
	size_t k = 1;

	if (!pair_rule(&v[0], fam))
		return 0;
	while (k < n && pair_joins(&v[0], &v[k], fam))
		k++;
	return k;
}

/*
 * Rules @v[0..@n) (a pair_run) as one rule: their destination address,
 * protocol and port in a named set of `ip daddr . meta l4proto . th dport`
 * (ip6 daddr in the ip6 table), each element keeping its line.
 */
static void lower_pairs(struct nft_lower *lc, enum nft_fam fam, struct nft_chain *c,
			const struct ir_rule *v, size_t n, size_t ruleno)
{
	bool v6 = fam == NFT_FAM_IP6;
	struct nft_table *t = &lc->m->t[fam];
	struct nft_rule *nr;
	struct nft_match *m;
	struct nft_elem *e;
	size_t idx, i, first = c->n;

	idx = nft_set_new(t, xasprintf("%s_%zu_daddr_dport", c->name, ruleno),
			  v6 ? NFT_SK_TARGET6 : NFT_SK_TARGET);
	for (i = 0; i < n; i++) {
		e = nft_elem_add(&t->sets[idx], nft_elem_comment(&v[i].loc));
		e->k[0] = v[i].daddr.v[0].lo;
		e->k6 = v[i].daddr.v[0].lo6;
		e->k[1] = v[i].dports.v[0].proto;
		e->k[2] = v[i].dports.v[0].lo;
	}
	nft_set_normalize(t, idx, false);
	nr = nft_rule_add(c, rule_comment(&v[0]), &v[0].loc);
	if (v[0].iif)
		nft_match_ifname(nr, NFT_SEL_IIFNAME, v[0].iif);
	if (v[0].oif)
		nft_match_ifname(nr, NFT_SEL_OIFNAME, v[0].oif);
	nft_match_addrs(t, nr, NFT_SEL_SADDR, &v[0].saddr, v[0].saddr_neg,
			xasprintf("%s_%zu_saddr", c->name, ruleno));
	m = nft_match_add(nr, v6 ? NFT_SEL_TARGET6 : NFT_SEL_TARGET, NFT_V_SET);
	m->set = idx;
	if (v[0].log) {
		add_log(lc, nr, v[0].log_prefix);
		nr = nft_rule_clone_matches(c, first);
	}
	add_verdict(nr, v[0].verdict,
		    v[0].proto == IR_P_TCP ? NFT_REJ_TCP_RESET : NFT_REJ_PORT_UNREACH);
}

static void lower_clamp(struct nft_lower *lc, struct nft_chain *c)
{
	const struct ir_clamp *cl = &lc->ir->clamp;
	struct nft_rule *r;

	if (!cl->enabled)
		return;
	r = nft_rule_add(c, nft_comment(&cl->loc, "clamp-mss"), &cl->loc);
	nft_match_flag(r, NFT_SEL_TCP_SYN);
	nft_stmt_add(r, NFT_S_MSS)->port = cl->mss;
}

void nft_lower_filter(struct nft_lower *lc, enum nft_fam fam)
{
	static const struct {
		enum ir_chain_id id;
		const char *name;
		enum nft_hook hook;
		int prio;
	} chains[] = {
		{IR_CH_RAW, "raw", NFT_HOOK_PREROUTING, -300},
		{IR_CH_INPUT, "input", NFT_HOOK_INPUT, 0},
		{IR_CH_FORWARD, "forward", NFT_HOOK_FORWARD, 0},
		{IR_CH_OUTPUT, "output", NFT_HOOK_OUTPUT, 0},
	};
	struct nft_table *t = &lc->m->t[fam];
	const struct ir *ir = lc->ir;
	struct nft_chain *c;
	size_t i, j, run;

	if (fam == NFT_FAM_IP6 && ir->ipv6 == IR_IPV6_OPEN)
		return;
	for (i = 0; i < ARRAY_SIZE(chains); i++) {
		const struct ir_chain *ic = &ir->chain[chains[i].id];

		if (!ic->present)
			continue;
		c = nft_chain_begin(t, chains[i].name, false, chains[i].hook, chains[i].prio,
				    ic->policy == IR_V_DROP);
		if (chains[i].id == IR_CH_FORWARD)
			lower_clamp(lc, c);
		for (j = 0; j < ic->n; j += run ? run : 1) {
			run = pair_run(&ic->rules[j], ic->n - j, fam);
			if (run >= 2)
				lower_pairs(lc, fam, c, &ic->rules[j], run, j + 1);
			else
				lower_rule(lc, fam, c, &ic->rules[j], j + 1);
		}
		nft_chain_end(t);
	}
	if (t->n_chains)
		t->present = true;
}
