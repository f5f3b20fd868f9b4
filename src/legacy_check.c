// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * legacy_check.c - what Linux 2.2 and 2.0 cannot express (errors at the
 * policy line) and what they only approximate (one warning each).
 */
#include "legacy.h"

#include "diag.h"
#include "ir.h"

#include <stdio.h>
#include <string.h>

/* Masquerading timeouts are kept in jiffies (HZ 100) in an int. */
#define LEGACY_TIMEOUT_MAX 21474836u

static bool is_wildcard(const char *name)
{
	return name[strlen(name) - 1] == '+';
}

static const char *verb_name(enum ir_verdict v)
{
	return v == IR_V_ACCEPT ? "allow" : v == IR_V_DROP ? "deny" : "reject";
}

/* A user rule that names IPv6 addresses (its line's IPv4 part is a rule of its own). */
static bool legacy_is_v6_rule(const struct ir_rule *r)
{
	return r->tag == IR_T_USER && r->family == IR_F_IPV6 && (r->saddr.n || r->daddr.n);
}

/* Does an internal network lack the gateway's own address? Sets *which. */
static bool internal_without_gw(const struct legacy_ctx *g, const struct legacy_net **which)
{
	size_t i;

	for (i = 0; i < g->n_nets; i++) {
		if (!g->nets[i].net->gw) {
			*which = &g->nets[i];
			return true;
		}
	}
	return false;
}

/*
 * The checks: everything the era cannot express is an error at its line.
 * Also marks which dynamic external addresses the script must read.
 */
static void check_user_rule(struct legacy_ctx *g, const struct ir_rule *r, enum ir_chain_id ch)
{
	const char *t = g->era->target;
	const struct legacy_net *n;
	size_t i;

	if (r->proto != IR_P_ANY && r->proto != IR_P_TCP && r->proto != IR_P_UDP &&
	    r->proto != IR_P_ICMP && !g->era->other_protocols)
		diag_error(&r->loc, "%s matches only tcp, udp and icmp: '%s' cannot be expressed",
			   t, ir_proto_name(r->proto));
	if (r->saddr_neg || r->daddr_neg)
		diag_error(&r->loc, "%s cannot express this rule's negated address list", t);
	if (r->limit.rate)
		diag_error(&r->limit.loc, "%s cannot rate-limit connections ('limit')", t);
	if (ch == IR_CH_FORWARD && r->iif)
		diag_error(&r->loc,
			   "%s cannot match the incoming interface of a forwarded packet "
			   "('on %s'): use 'from' with that interface's networks instead",
			   t, r->iif);
	if (ch == IR_CH_OUTPUT && r->verdict != IR_V_ACCEPT)
		diag_error(&r->loc,
			   "the %s output chain also sees forwarded packets, after "
			   "masquerading: a '%s output' rule cannot be limited to the gateway's "
			   "own traffic",
			   t, verb_name(r->verdict));
	if (ch != IR_CH_INPUT || r->verdict == IR_V_ACCEPT || r->daddr.n)
		return;
	/* limited to the gateway's own addresses: they must be known */
	if (internal_without_gw(g, &n)) {
		char ip[16];

		diag_error(&r->loc,
			   "with %s a '%s input' rule needs the gateway's own address on '%s' "
			   "(the input chain also sees forwarded packets): write the network as "
			   "that address, e.g. '%s/%u'",
			   t, verb_name(r->verdict), legacy_net_iface(g, n->net)->name,
			   ir_ip_str(n->net->net + 1, ip), n->net->len);
	}
	g->uses_gw = true;
	for (i = 0; i < g->ir->n_ifaces; i++) {
		const struct ir_iface *f = &g->ir->ifaces[i];

		if (f->role != IR_EXTERNAL)
			continue;
		if (f->dynamic && is_wildcard(f->name))
			diag_error(&r->loc,
				   "with %s a '%s input' rule needs the address of every external "
				   "interface, and '%s' is a wildcard",
				   t, verb_name(r->verdict), f->name);
		g->uses_ip[i] = true;
	}
}

static void check_sysctls(struct legacy_ctx *g)
{
	const struct ir_sysctl *last = NULL;
	size_t i;

	if (g->era->conf_sysctls)
		return;
	for (i = 0; i < g->ir->n_sysctls; i++) {
		const struct ir_sysctl *s = &g->ir->sysctls[i];
		const char *name;

		if (strncmp(s->key, "net.ipv4.conf.", 14) != 0)
			continue;
		if (last && last->loc.src == s->loc.src && last->loc.line == s->loc.line)
			continue;
		last = s;
		name = strrchr(s->key, '.') + 1;
		diag_error(&s->loc, "Linux %s has no '%s' setting (no /proc/sys/net/ipv4/conf)",
			   g->era->kernel, name);
	}
}

void legacy_check_policy(struct legacy_ctx *g)
{
	const struct ir *ir = g->ir;
	const char *t = g->era->target;
	uint16_t ports[LEGACY_APP_PORTS];
	size_t i, j;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];

		if (f->role == IR_PASSTHROUGH)
			diag_error(&f->loc, "%s cannot pass '%s' through: its forward chain cannot "
					    "match the incoming interface",
				   t, f->name);
		else if (is_wildcard(f->name) && !g->era->wildcards)
			diag_error(&f->loc, "%s cannot match a wildcard interface ('%s')", t,
				   f->name);
	}
	/* eval keeps no line for `ipv6`: the message names the statement */
	if (ir->ipv6 == IR_IPV6_BLOCK)
		diag_error(NULL, "%s has no IPv6 filter: 'ipv6 block' cannot be expressed (write "
				 "'ipv6 open' and keep IPv6 forwarding off in the kernel)",
			   t);
	if (ir->cluster.present)
		diag_error(&ir->cluster.loc,
			   "%s cannot run a cluster: conntrackd replicates the connection "
			   "tracking of Linux 2.6.14 and later; generate -t nft or -t iptables",
			   t);
	for (i = 0; i < ir->n_nat1to1; i++)
		diag_error(&ir->nat1to1[i].loc,
			   "%s cannot do 1:1 NAT: IP masquerading is a one-to-many translation "
			   "(HOWTO FAQ 7.32); generate -t nft or -t iptables",
			   t);
	for (i = 0; i < ir->n_helpers; i++) {
		const struct ir_helper *h = &ir->helpers[i];
		size_t n;

		if (i && strcmp(ir->helpers[i - 1].name, h->name) == 0)
			continue;
		if (!h->legacy) {
			diag_error(&h->loc, "helper '%s' has no Linux %s module (ip_masq_*): %s "
					    "cannot masquerade it",
				   h->name, g->era->kernel, t);
			continue;
		}
		n = legacy_helper_ports(g, h, ports, ARRAY_SIZE(ports));
		if (n > LEGACY_APP_PORTS)
			diag_error(&h->loc, "helper '%s' needs more than %d ports, the most an %s "
					    "module takes",
				   h->name, LEGACY_APP_PORTS, h->legacy_module);
	}
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];
		size_t k = legacy_iface_index(g, f->iif);

		/* one error per line, not per port */
		if (f->limit.rate && (i == 0 || f->limit.loc.line != ir->forwards[i - 1].limit.loc.line ||
				      f->limit.loc.src != ir->forwards[i - 1].limit.loc.src))
			diag_error(&f->limit.loc, "%s cannot rate-limit connections ('limit')", t);
		if (f->proto != IR_P_TCP && f->proto != IR_P_UDP) {
			diag_error(&f->loc, "%s forwards only tcp and udp: 'forward %s' cannot be "
					    "expressed",
				   g->era->portfw_tool, ir_proto_name(f->proto));
			continue;
		}
		if (k == (size_t)-1)
			continue;
		g->uses_ip[k] = true;
		if (ir->ifaces[k].dynamic && is_wildcard(f->iif))
			diag_error(&f->loc, "%s needs the address of the external interface, and "
					    "'%s' is a wildcard",
				   g->era->portfw_tool, f->iif);
	}
	for (i = 0; i < ir->n_snats; i++) {
		const struct ir_snat *s = &ir->snats[i];
		const struct ir_iface *f = ir_iface_find(ir, s->oif);
		char ip[16];

		if (s->to && !(f && !f->dynamic && f->addr == s->to))
			diag_error(&s->loc, "%s masquerades to the address of the outgoing "
					    "interface: 'to %s' cannot be expressed",
				   t, ir_ip_str(s->to, ip));
	}
	for (i = IR_CH_INPUT; i < IR_CH_COUNT; i++) {
		for (j = 0; j < ir->chain[i].n; j++) {
			const struct ir_rule *r = &ir->chain[i].rules[j];

			if (legacy_is_v6_rule(r))
				diag_error(&r->loc, "%s filters IPv4 only: this rule's IPv6 addresses "
						    "cannot be expressed",
					   t);
			else if (legacy_is_user_rule(r))
				check_user_rule(g, r, i);
		}
	}
	for (i = 0; i < ir->n_ifaces; i++) {
		if (ir->ifaces[i].wan > 1) {
			diag_error(&ir->ifaces[i].loc,
				   "several external interfaces: %s cannot send replies back out "
				   "of the interface a connection came in on (that takes connection "
				   "marks and policy routing); generate -t nft or -t iptables",
				   t);
			break;
		}
	}
	if (ir->upnp.iface)
		diag_error(&ir->upnp.loc, "upnp needs nftables (miniupnpd's table, connection "
					  "marks): %s cannot express it",
			   t);
	if (ir->clamp.enabled)
		diag_error(&ir->clamp.loc,
			   "clamp-mss needs Linux 2.4 or later: with %s lower the MTU of the external "
			   "interface instead (HOWTO FAQ 7.15)",
			   t);
	ir_check_no_sets(ir, t);
	check_sysctls(g);
	if (ir->timeouts.tcp > LEGACY_TIMEOUT_MAX || ir->timeouts.tcpfin > LEGACY_TIMEOUT_MAX ||
	    ir->timeouts.udp > LEGACY_TIMEOUT_MAX)
		diag_error(&ir->timeouts.loc, "Linux %s keeps timeouts of at most %us", g->era->kernel,
			   LEGACY_TIMEOUT_MAX);
}

/* The approximations: one warning each, at the first line they concern. */
void legacy_check_warn(struct legacy_ctx *g)
{
	const struct ir *ir = g->ir;
	const char *t = g->era->target;
	bool reject = false, dyn = false, logs = false, state = false;
	size_t i, j;

	for (i = 0; i < ir->n_forwards; i++) {
		if (ir->forwards[i].reflect) {
			diag_warning(&ir->forwards[i].loc,
				     "%s cannot reflect a forwarded port back into the LAN: LAN hosts "
				     "must use the server's internal address, best through split DNS "
				     "(HOWTO FAQ 7.19); 'noreflect' silences this",
				     t);
			break;
		}
	}
	for (i = 0; i < ir->n_ifaces && !dyn; i++) {
		if (!legacy_reads_ip(g, i))
			continue;
		dyn = true;
		diag_warning(&ir->ifaces[i].loc,
			     "the script reads the address of '%s' when it runs: run it again "
			     "whenever that address changes, e.g. from /etc/ppp/ip-up (HOWTO FAQ 7.8)",
			     ir->ifaces[i].name);
	}
	for (i = 0; i < IR_CH_COUNT; i++) {
		for (j = 0; j < ir->chain[i].n; j++) {
			const struct ir_rule *r = &ir->chain[i].rules[j];

			if (!(r->family & IR_F_IPV4))
				continue;
			logs |= r->log;
			state |= r->tag == IR_T_ESTABLISHED || r->tag == IR_T_INVALID;
			if (legacy_is_user_rule(r) && r->verdict == IR_V_REJECT && !reject) {
				reject = true;
				diag_warning(&r->loc, "%s rejects with an ICMP port-unreachable only: "
						      "no TCP reset, no admin-prohibited",
					     t);
			}
		}
	}
	if (state)
		diag_warning(&ir->level_loc,
			     "%s has no connection tracking: replies are recognized by the "
			     "masquerading ports (%u-%u), by TCP flags, as ICMP errors and as DNS "
			     "answers, and invalid packets are not dropped",
			     t, g->era->masq_lo, g->era->masq_hi);
	if (logs)
		diag_warning(ir->log.loc.src ? &ir->log.loc : &ir->level_loc,
			     "%s logs every packet a logging rule matches: no rate limit, and its "
			     "own format instead of the log prefix and level",
			     t);
	if (ir->ipv6 == IR_IPV6_FIREWALL)
		diag_warning(NULL, "%s has no IPv6: the script leaves IPv6 unfiltered ('ipv6 open' "
				   "says so and silences this)",
			     t);
}
