/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ir_dump.h - a plain text picture of an IR for the evaluator's tests:
 * one line per object and rule, every field that is set.
 */
#ifndef MASQGEN_IR_DUMP_H
#define MASQGEN_IR_DUMP_H

#include "ir.h"
#include "util.h"

static void dump_addrs(struct strbuf *sb, const char *what, const struct ir_addrs *a, bool neg)
{
	char buf[IR_ADDR_STRLEN];
	size_t i;

	if (!a->n)
		return;
	sb_addf(sb, " %s%s {", what, neg ? " !=" : "");
	for (i = 0; i < a->n; i++)
		sb_addf(sb, "%s%s", i ? ", " : "", ir_addr_str(&a->v[i], buf));
	sb_add(sb, "}");
}

static void dump_ports(struct strbuf *sb, const char *what, const struct ir_ports *p)
{
	size_t i;

	if (!p->n)
		return;
	sb_addf(sb, " %s {", what);
	for (i = 0; i < p->n; i++) {
		sb_addf(sb, "%s%s %u", i ? ", " : "", ir_proto_name(p->v[i].proto), p->v[i].lo);
		if (p->v[i].hi != p->v[i].lo)
			sb_addf(sb, "-%u", p->v[i].hi);
	}
	sb_add(sb, "}");
}

/* " limit 3/1 burst 3 per-source": rate per unit (enum ir_rate_unit), nothing without one. */
static void dump_limit(struct strbuf *sb, const struct ir_limit *l)
{
	if (l->rate)
		sb_addf(sb, " limit %u/%d burst %u%s", l->rate, l->unit, l->burst,
			l->per_source ? " per-source" : "");
}

static void dump_rule(struct strbuf *sb, const struct ir_rule *r)
{
	static const char *const tags[] = {
		"user", "loopback", "invalid", "established", "lan", "internal", "dhcp",
		"forwarded", "passthrough", "antispoof", "ipv6", "cluster", "catchall", "upnp",
	};
	static const char *const verdicts[] = {"accept", "drop", "reject"};
	size_t i;

	sb_addf(sb, "  %s %s line %u:", tags[r->tag],
		r->family == IR_F_BOTH ? "both" : r->family == IR_F_IPV4 ? "ip" : "ip6",
		r->loc.line);
	if (r->iif)
		sb_addf(sb, " iif %s", r->iif);
	if (r->oif)
		sb_addf(sb, " oif %s", r->oif);
	dump_addrs(sb, "saddr", &r->saddr, r->saddr_neg);
	dump_addrs(sb, "daddr", &r->daddr, r->daddr_neg);
	if (r->sset)
		sb_addf(sb, " saddr%s @%s", r->saddr_neg ? " !=" : "", r->sset);
	if (r->dset)
		sb_addf(sb, " daddr%s @%s", r->daddr_neg ? " !=" : "", r->dset);
	if (r->proto)
		sb_addf(sb, " proto %s", ir_proto_name(r->proto));
	dump_ports(sb, "sport", &r->sports);
	dump_ports(sb, "dport", &r->dports);
	if (r->n_icmp) {
		sb_add(sb, " types {");
		for (i = 0; i < r->n_icmp; i++)
			sb_addf(sb, "%s%u", i ? ", " : "", r->icmp_types[i]);
		sb_add(sb, "}");
	}
	if (r->v6_linklocal_src)
		sb_add(sb, " fe80::/10");
	if (r->rpf != IR_RPF_NONE)
		sb_add(sb, r->rpf == IR_RPF_STRICT ? " rpf strict" : " rpf loose");
	if (r->ct_state)
		sb_addf(sb, " ct %#x", r->ct_state);
	if (r->ct_dnat_forward)
		sb_add(sb, " ct-dnat-forward");
	if (r->ct_dnat_upnp)
		sb_add(sb, " ct-dnat-upnp");
	if (r->log)
		sb_add(sb, " log");
	dump_limit(sb, &r->limit);
	sb_addf(sb, " %s\n", verdicts[r->verdict]);
}

static void dump_ir(struct strbuf *sb, const struct ir *ir)
{
	static const char *const chains[] = {"raw", "input", "forward", "output"};
	static const char *const roles[] = {"external", "internal", "passthrough"};
	char a[40], b[IR_ADDR_STRLEN], n6[IR_ADDR_STRLEN];
	size_t i, j;

	sb_addf(sb, "level %s ipv6 %d\n", ir->level == IR_STRONG ? "strong" : "simple", ir->ipv6);
	if (ir->cluster.present)
		sb_addf(sb, "cluster %s priority %u id %u peer %s sync %s vrrp %s\n",
			ir->cluster.name, ir->cluster.priority, ir->cluster.vrid,
			ir_ip_str(ir->cluster.peer, a), ir->cluster.sync, ir->cluster.vrrp);
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];

		sb_addf(sb, "iface %s %s%s", f->name, roles[f->role], f->dynamic ? " dynamic" : "");
		if (f->addr)
			sb_addf(sb, " addr %s", ir_ip_str(f->addr, a));
		if (f->wan)
			sb_addf(sb, " wan %u", f->wan);
		if (f->virt)
			sb_addf(sb, " node %s virtual %s/%u", ir_ip_str(f->node_addr, a),
				ir_ip_str(f->virt, b), f->virt_len);
		for (j = 0; j < f->n_nets; j++)
			sb_addf(sb, " net %s/%u gw %s", ir_ip_str(f->nets[j].net, a), f->nets[j].len,
				ir_ip_str(f->nets[j].gw, b));
		for (j = 0; j < f->n_nets6; j++)
			sb_addf(sb, " net6 %s gw %s", ir_net_str(&f->nets6[j], n6),
				ir_ip6_str(f->nets6[j].gw6, b));
		sb_add(sb, "\n");
	}
	for (i = 0; i < ir->n_snats; i++) {
		sb_addf(sb, "snat oif %s to %s", ir->snats[i].oif, ir_ip_str(ir->snats[i].to, a));
		if (ir->snats[i].pin)
			sb_addf(sb, " pin %u", ir->snats[i].pin);
		dump_addrs(sb, "from", &ir->snats[i].sources, false);
		sb_add(sb, "\n");
	}
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];

		sb_addf(sb, "forward %s %s %u-%u to %s:%u%s", f->iif, ir_proto_name(f->proto), f->lo,
			f->hi, ir_ip_str(f->host, a), f->to_lo, f->reflect ? " reflect" : "");
		dump_addrs(sb, "from", &f->from, false);
		dump_limit(sb, &f->limit);
		sb_add(sb, "\n");
	}
	for (i = 0; i < ir->n_nat1to1; i++)
		sb_addf(sb, "nat %s %s <-> %s\n", ir->nat1to1[i].iif,
			ir_ip_str(ir->nat1to1[i].public_addr, a),
			ir_ip_str(ir->nat1to1[i].private_addr, b));
	if (ir->upnp.iface) {
		sb_addf(sb, "upnp on %s ext %s ports %u-%u", ir->upnp.iface, ir->upnp.ext, ir->upnp.lo,
			ir->upnp.hi);
		dump_addrs(sb, "allow", &ir->upnp.allow, false);
		sb_add(sb, "\n");
	}
	for (i = 0; i < ir->n_helpers; i++) {
		const struct ir_helper *h = &ir->helpers[i];

		sb_addf(sb, "helper %s %s nat %s legacy %s%s%s%s", h->name, h->kname ? h->kname : "-",
			h->nat_module ? h->nat_module : "-",
			h->legacy_module ? h->legacy_module : "-", h->modern ? " modern" : "",
			h->legacy ? " legacy" : "", h->ipv6 ? " ipv6" : "");
		dump_ports(sb, "ports", &h->ports);
		sb_add(sb, "\n");
	}
	for (i = 0; i < ir->n_sets; i++) {
		sb_addf(sb, "set %s timeout %u", ir->sets[i].name, ir->sets[i].timeout);
		dump_addrs(sb, "elements", &ir->sets[i].elems, false);
		sb_add(sb, "\n");
	}
	for (i = 0; i < IR_CH_COUNT; i++) {
		const struct ir_chain *c = &ir->chain[i];

		if (!c->present)
			continue;
		sb_addf(sb, "chain %s policy %s\n", chains[i],
			c->policy == IR_V_DROP ? "drop" : "accept");
		for (j = 0; j < c->n; j++)
			dump_rule(sb, &c->rules[j]);
	}
	sb_addf(sb, "log %s %u/%d \"%s\" %s\n", ir->log.catchall ? "on" : "off", ir->log.rate,
		ir->log.unit, ir->log.prefix, ir->log.level);
	if (ir->clamp.enabled)
		sb_addf(sb, "clamp-mss %u\n", ir->clamp.mss);
	if (ir->timeouts.tcp || ir->timeouts.tcpfin || ir->timeouts.udp)
		sb_addf(sb, "timeouts %u %u %u\n", ir->timeouts.tcp, ir->timeouts.tcpfin,
			ir->timeouts.udp);
	for (i = 0; i < ir->n_sysctls; i++)
		sb_addf(sb, "sysctl %s=%s%s%s\n", ir->sysctls[i].key,
			ir->sysctls[i].value ? ir->sysctls[i].value : "(recorded)",
			ir->sysctls[i].only_from ? " from " : "",
			ir->sysctls[i].only_from ? ir->sysctls[i].only_from : "");
}

#endif
