// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_verdict.c - what the compiled policy (the IR) says about a probe's
 * first packet (a new connection): its filter chains as the IR's matcher
 * (ir_match.c) walks them. lab_plan.c turns these verdicts into the
 * outcome each probe must observe. The lab names its interfaces as the
 * policy does (a wildcard "ppp+" becomes "ppp0", which the pattern takes).
 */
#include "lab.h"

#include "ir.h"
#include "ir_match.h"

/* @p as the IR's matcher takes it. */
static void lab_verdict_pkt(const struct lab_pkt *p, struct ir_pkt *out)
{
	*out = ir_pkt_ipv4(p->proto, p->saddr, p->daddr, p->sport, p->dport, p->icmp_type);
	out->iif = p->iif;
	out->oif = p->oif;
	out->dnat_forward = p->dnat_forward;
	if (p->family == IR_F_IPV6) {
		out->family = IR_F_IPV6;
		ir_ip6_bytes(p->saddr6, out->saddr.v6);
		ir_ip6_bytes(p->daddr6, out->daddr.v6);
	}
}

enum ir_verdict lab_verdict_chain(const struct lab *lab, enum ir_chain_id id,
				  const struct lab_pkt *p)
{
	struct ir_pkt pkt;

	lab_verdict_pkt(p, &pkt);
	pkt.sets = lab->ir;	/* the lab loads the sets with their initial elements */
	if (!ir_family_filtered(lab->ir, pkt.family))
		return IR_V_ACCEPT;
	return ir_chain_verdict(&lab->ir->chain[id], &pkt);
}

enum ir_verdict lab_verdict_gw(const struct lab *lab, enum ir_chain_id id, const struct lab_pkt *p)
{
	if (p->iif && lab_verdict_chain(lab, IR_CH_RAW, p) != IR_V_ACCEPT)
		return IR_V_DROP;
	return lab_verdict_chain(lab, id, p);
}
