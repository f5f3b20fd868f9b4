// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipfwadm.c - the Linux 2.0 target: ipfwadm 2.3.0 syntax, port forwarding
 * with ipportfw (HOWTO 3.4.3, 6.4.3, 6.7.3).
 */
#include "ir.h"
#include "legacy.h"

static const char *const chain_flags[] = {
	[LEGACY_INPUT] = "-I",
	[LEGACY_FORWARD] = "-F",
	[LEGACY_OUTPUT] = "-O",
};

static const char *const policy_names[] = {
	[LEGACY_ACCEPT] = "accept",
	[LEGACY_DENY] = "deny",
	[LEGACY_REJECT] = "reject",
	[LEGACY_MASQ] = "m",
};

static void ipfwadm_tools(struct strbuf *out, bool modules)
{
	sb_add(out, "IPFWADM=/sbin/ipfwadm\nIPPORTFW=/usr/local/sbin/ipportfw\n");
	if (modules)
		sb_add(out, "DEPMOD=/sbin/depmod\nMODPROBE=/sbin/modprobe\n");
}

static void ipfwadm_policy(struct strbuf *out, enum legacy_chain chain, enum legacy_target t)
{
	sb_addf(out, "\"$IPFWADM\" %s -p %s\n", chain_flags[chain], policy_names[t]);
}

static void ipfwadm_flush(struct strbuf *out, enum legacy_chain chain)
{
	sb_addf(out, "\"$IPFWADM\" %s -f\n", chain_flags[chain]);
}

/* "-S ADDR [PORTS]"; an ICMP type is written as the source port */
static void address(struct strbuf *out, const char *opt, const char *addr, uint16_t lo,
		    uint16_t hi, int icmp_type)
{
	char ports[12];

	if (!addr[0] && !lo && icmp_type < 0)
		return;
	sb_addf(out, " %s %s", opt, addr[0] ? addr : "0.0.0.0/0");
	if (icmp_type >= 0)
		sb_addf(out, " %d", icmp_type);
	else if (lo)
		sb_addf(out, " %s", legacy_ports(lo, hi, ports));
}

static void ipfwadm_rule(struct strbuf *out, const struct legacy_rule *r)
{
	sb_addf(out, "\"$IPFWADM\" %s -a %s", chain_flags[r->chain], policy_names[r->target]);
	if (r->iface[0])
		sb_addf(out, " -W %s", r->iface);
	if (r->proto)
		sb_addf(out, " -P %s", ir_proto_name(r->proto));
	address(out, "-S", r->src, r->sport_lo, r->sport_hi, r->icmp_type);
	address(out, "-D", r->dst, r->dport_lo, r->dport_hi, -1);
	if (r->not_syn)
		sb_add(out, " -k");
	if (r->log)
		sb_add(out, " -o");
	sb_add(out, "\n");
}

static void ipfwadm_timeouts(struct strbuf *out, unsigned tcp, unsigned tcpfin, unsigned udp)
{
	sb_addf(out, "\"$IPFWADM\" -M -s %u %u %u\n", tcp, tcpfin, udp);
}

static void ipfwadm_portfw_flush(struct strbuf *out, bool required)
{
	if (required)
		sb_add(out, "\"$IPPORTFW\" -C\n");
	else
		sb_add(out, "\"$IPPORTFW\" -C 2>/dev/null || :\n");
}

static void ipfwadm_portfw(struct strbuf *out, uint8_t proto, const char *extip, uint16_t port,
			   const char *host, uint16_t to_port)
{
	sb_addf(out, "\"$IPPORTFW\" -A -%c %s/%u -R %s/%u\n", proto == IR_P_TCP ? 't' : 'u', extip,
		port, host, to_port);
}

static const struct legacy_era ipfwadm_era = {
	.target = "ipfwadm",
	.kernel = "2.0",
	.portfw_tool = "ipportfw",
	.masq_lo = 60000,
	.masq_hi = 64095,
	.wildcards = false,
	.conf_sysctls = false,
	.other_protocols = false,
	.tools = ipfwadm_tools,
	.policy = ipfwadm_policy,
	.flush = ipfwadm_flush,
	.rule = ipfwadm_rule,
	.timeouts = ipfwadm_timeouts,
	.portfw_flush = ipfwadm_portfw_flush,
	.portfw = ipfwadm_portfw,
};

int ipfwadm_emit(const struct ir *ir, struct strbuf *out)
{
	return legacy_emit(ir, &ipfwadm_era, out);
}

/* init-script -t ipfwadm: the wrapper's stop (forwarding is already off) and status. */
const char ipfwadm_init_stop[] = "\tipfwadm -F -p deny\n"
				 "\tipfwadm -F -f\n"
				 "\tipfwadm -I -f\n"
				 "\tipfwadm -O -f\n"
				 "\tipfwadm -I -p accept\n"
				 "\tipfwadm -O -p accept\n"
				 "\tif command -v ipportfw >/dev/null; then ipportfw -C; fi";

const char ipfwadm_init_status[] = "\tipfwadm -I -l -n\n"
				   "\tipfwadm -F -l -n\n"
				   "\tipfwadm -O -l -n";
