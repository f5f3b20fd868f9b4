// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_verdict.c - what the compiled policy (the IR) says about one packet:
 * its filter chains walked rule by rule, the way LANGUAGE.md defines them,
 * for a probe's first packet (a new connection). lab_plan.c turns these
 * verdicts into the outcome each probe must observe.
 */
#include "lab.h"

#include "ir.h"

#include <string.h>

bool lab_verdict_ifname(const struct lab *lab, const char *policy_name, const char *lab_name)
{
	size_t n = strlen(policy_name);

	if (!lab_name)
		return false;
	if (n && policy_name[n - 1] == '+')
		return strncmp(policy_name, lab_name, n - 1) == 0;
	return strcmp(policy_name, lab_name) == 0 ||
	       (lab_net_ifname(lab, policy_name) &&
		strcmp(lab_net_ifname(lab, policy_name), lab_name) == 0);
}

bool lab_verdict_addrs(const struct ir_addrs *a, bool neg, uint32_t addr)
{
	size_t i;

	if (a->n == 0)
		return true;
	for (i = 0; i < a->n; i++)
		if (addr >= a->v[i].lo && addr <= a->v[i].hi)
			return !neg;
	return neg;
}

static bool rule_match(const struct lab *lab, const struct ir_rule *r, const struct lab_pkt *p)
{
	size_t i;

	if (!(r->family & IR_F_IPV4) || r->sports.n || r->v6_linklocal_src)
		return false;
	if (r->ct_state && !(r->ct_state & IR_CT_NEW))
		return false;
	if (r->ct_dnat_forward && !p->dnat_forward)
		return false;
	if ((r->iif && !lab_verdict_ifname(lab, r->iif, p->iif)) ||
	    (r->oif && !lab_verdict_ifname(lab, r->oif, p->oif)))
		return false;
	if (!lab_verdict_addrs(&r->saddr, r->saddr_neg, p->saddr) ||
	    !lab_verdict_addrs(&r->daddr, r->daddr_neg, p->daddr))
		return false;
	if (r->proto != IR_P_ANY && r->proto != p->proto)
		return false;
	if (r->dports.n) {
		bool hit = false;

		for (i = 0; i < r->dports.n; i++)
			hit |= r->dports.v[i].proto == p->proto && p->dport >= r->dports.v[i].lo &&
			       p->dport <= r->dports.v[i].hi;
		if (!hit)
			return false;
	}
	if (r->n_icmp) {
		bool hit = false;

		for (i = 0; i < r->n_icmp; i++)
			hit |= p->icmp_type == r->icmp_types[i];
		if (!hit || p->proto != IR_P_ICMP)
			return false;
	}
	return true;
}

enum ir_verdict lab_verdict_chain(const struct lab *lab, enum ir_chain_id id,
				  const struct lab_pkt *p)
{
	const struct ir_chain *c = &lab->ir->chain[id];
	size_t i;

	if (!c->present)
		return IR_V_ACCEPT;
	for (i = 0; i < c->n; i++) {
		if (c->rules[i].tag == IR_T_CATCHALL)
			continue;	/* a log; the policy decides */
		if (rule_match(lab, &c->rules[i], p))
			return c->rules[i].verdict;
	}
	return c->policy;
}

enum ir_verdict lab_verdict_gw(const struct lab *lab, enum ir_chain_id id, const struct lab_pkt *p)
{
	const struct ir_chain *raw = &lab->ir->chain[IR_CH_RAW];

	if (raw->present && p->iif && lab_verdict_chain(lab, IR_CH_RAW, p) != IR_V_ACCEPT)
		return IR_V_DROP;
	return lab_verdict_chain(lab, id, p);
}

