// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipchains.c - the Linux 2.2 target: ipchains 1.3.10 syntax, port
 * forwarding with `ipmasqadm portfw` (HOWTO 3.4.2, 6.4.2, 6.7.2).
 */
#include "ir.h"
#include "legacy.h"
#include "tables.h"

static const char *const chain_names[] = {
	[LEGACY_INPUT] = "input",
	[LEGACY_FORWARD] = "forward",
	[LEGACY_OUTPUT] = "output",
};

static const char *const target_names[] = {
	[LEGACY_ACCEPT] = "ACCEPT",
	[LEGACY_DENY] = "DENY",
	[LEGACY_REJECT] = "REJECT",
	[LEGACY_MASQ] = "MASQ",
};

static void ipchains_tools(struct strbuf *out, bool modules)
{
	sb_add(out, "IPCHAINS=/sbin/ipchains\nIPMASQADM=/usr/sbin/ipmasqadm\n");
	if (modules)
		sb_add(out, "DEPMOD=/sbin/depmod\nMODPROBE=/sbin/modprobe\n");
}

static void ipchains_policy(struct strbuf *out, enum legacy_chain chain, enum legacy_target t)
{
	sb_addf(out, "\"$IPCHAINS\" -P %s %s\n", chain_names[chain], target_names[t]);
}

static void ipchains_flush(struct strbuf *out, enum legacy_chain chain)
{
	sb_addf(out, "\"$IPCHAINS\" -F %s\n", chain_names[chain]);
}

/* "-s ADDR [PORTS]": ipchains wants an address before the ports */
static void address(struct strbuf *out, const char *opt, const char *addr, uint16_t lo,
		    uint16_t hi)
{
	char ports[12];

	if (!addr[0] && !lo)
		return;
	sb_addf(out, " %s %s", opt, addr[0] ? addr : "0.0.0.0/0");
	if (lo)
		sb_addf(out, " %s", legacy_ports(lo, hi, ports));
}

static void ipchains_rule(struct strbuf *out, const struct legacy_rule *r)
{
	sb_addf(out, "\"$IPCHAINS\" -A %s", chain_names[r->chain]);
	if (r->iface[0])
		sb_addf(out, " -i %s", r->iface);
	if (r->proto) {
		const char *name = ir_proto_name(r->proto);

		if (r->proto == IR_P_TCP || r->proto == IR_P_UDP || r->proto == IR_P_ICMP)
			sb_addf(out, " -p %s", name);
		else
			sb_addf(out, " -p %u", r->proto);
	}
	address(out, "-s", r->src, r->sport_lo, r->sport_hi);
	address(out, "-d", r->dst, r->dport_lo, r->dport_hi);
	if (r->icmp_type >= 0)
		sb_addf(out, " --icmp-type %s", tables_icmp_name((uint8_t)r->icmp_type));
	if (r->not_syn)
		sb_add(out, " ! -y");
	if (r->log)
		sb_add(out, " -l");
	sb_addf(out, " -j %s\n", target_names[r->target]);
}

static void ipchains_timeouts(struct strbuf *out, unsigned tcp, unsigned tcpfin, unsigned udp)
{
	sb_addf(out, "\"$IPCHAINS\" -M -S %u %u %u\n", tcp, tcpfin, udp);
}

static void ipchains_portfw_flush(struct strbuf *out, bool required)
{
	if (required)
		sb_add(out, "\"$IPMASQADM\" portfw -f\n");
	else
		sb_add(out, "\"$IPMASQADM\" portfw -f 2>/dev/null || :\n");
}

static void ipchains_portfw(struct strbuf *out, uint8_t proto, const char *extip, uint16_t port,
			    const char *host, uint16_t to_port)
{
	sb_addf(out, "\"$IPMASQADM\" portfw -a -P %s -L %s %u -R %s %u\n", ir_proto_name(proto),
		extip, port, host, to_port);
}

static const struct legacy_era ipchains_era = {
	.target = "ipchains",
	.kernel = "2.2",
	.portfw_tool = "ipmasqadm portfw",
	.masq_lo = 61000,
	.masq_hi = 65095,
	.wildcards = true,
	.conf_sysctls = true,
	.other_protocols = true,
	.tools = ipchains_tools,
	.policy = ipchains_policy,
	.flush = ipchains_flush,
	.rule = ipchains_rule,
	.timeouts = ipchains_timeouts,
	.portfw_flush = ipchains_portfw_flush,
	.portfw = ipchains_portfw,
};

int ipchains_emit(const struct ir *ir, struct strbuf *out)
{
	return legacy_emit(ir, &ipchains_era, out);
}

/* init-script -t ipchains: the wrapper's stop (forwarding is already off) and status. */
const char ipchains_init_stop[] = "\tipchains -P forward DENY\n"
				  "\tipchains -F forward\n"
				  "\tipchains -F input\n"
				  "\tipchains -F output\n"
				  "\tipchains -X\n"
				  "\tipchains -P input ACCEPT\n"
				  "\tipchains -P output ACCEPT\n"
				  "\tif command -v ipmasqadm >/dev/null; then ipmasqadm portfw -f; fi";

const char ipchains_init_status[] = "\tipchains -L -n";
