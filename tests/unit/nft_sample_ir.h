/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_sample_ir.h - hand-built IRs for the nft backend's unit tests: the
 * HOWTO's Masq-Gate (LANGUAGE.md's example) at the strong level, with
 * forwards, a 1:1 NAT, helpers and timeouts. Everything is static, so
 * the tests need no ir_free().
 */
#ifndef MASQGEN_NFT_SAMPLE_IR_H
#define MASQGEN_NFT_SAMPLE_IR_H

#include "ir.h"
#include "util.h"

#include <string.h>

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define ADDRS(arr) {.v = (arr), .n = ARRAY_SIZE(arr), .cap = ARRAY_SIZE(arr)}

static struct ir_net sample_lan[] = {{.net = IP4(192, 168, 0, 0), .len = 24,
				      .gw = IP4(192, 168, 0, 1)}};
static struct ir_addr sample_lan_addr[] = {
	{.lo = IP4(192, 168, 0, 0), .hi = IP4(192, 168, 0, 255)}};
static struct ir_addr sample_spoof[] = {
	{.lo = IP4(192, 168, 0, 0), .hi = IP4(192, 168, 0, 255)},
	{.lo = IP4(127, 0, 0, 0), .hi = IP4(127, 255, 255, 255)},
};
static struct ir_addr sample_lo_net[] = {{.lo = IP4(127, 0, 0, 0), .hi = IP4(127, 255, 255, 255)}};
static struct ir_addr sample_ssh_from[] = {
	{.lo = IP4(198, 51, 100, 0), .hi = IP4(198, 51, 100, 255)}};
static struct ir_port sample_ssh[] = {{.proto = 6, .lo = 22, .hi = 22}};
static struct ir_port sample_dhcp_s[] = {{.proto = 17, .lo = 68, .hi = 68}};
static struct ir_port sample_dhcp_d[] = {{.proto = 17, .lo = 67, .hi = 67}};
static struct ir_port sample_mixed[] = {
	{.proto = 6, .lo = 113, .hi = 113}, {.proto = 17, .lo = 113, .hi = 113},
	{.proto = 6, .lo = 6000, .hi = 6010}};
static uint8_t sample_echo[] = {8};
static struct loc sample_echo_loc[1];
static struct ir_port sample_ftp_ports[] = {{.proto = 6, .lo = 21, .hi = 21}};
static struct ir_port sample_irc_ports[] = {{.proto = 6, .lo = 6667, .hi = 6667}};
static struct ir_port sample_sip_ports[] = {{.proto = 17, .lo = 5060, .hi = 5060},
					    {.proto = 6, .lo = 5060, .hi = 5060}};

static struct ir_iface sample_ifaces[] = {
	{.name = "ppp0", .role = IR_EXTERNAL, .dynamic = true},
	{.name = "eth1", .role = IR_INTERNAL, .nets = sample_lan, .n_nets = 1},
};

static struct ir_snat sample_snats[] = {
	{.oif = "ppp0", .sources = ADDRS(sample_lan_addr)},
};

static struct ir_forward sample_forwards[] = {
	{.iif = "ppp0", .proto = 6, .lo = 80, .hi = 80, .to_lo = 80,
	 .host = IP4(192, 168, 0, 10), .reflect = true},
	{.iif = "ppp0", .proto = 6, .lo = 2222, .hi = 2222, .to_lo = 22,
	 .host = IP4(192, 168, 0, 3), .reflect = true},
	{.iif = "ppp0", .proto = 17, .lo = 27960, .hi = 27963, .to_lo = 27960,
	 .host = IP4(192, 168, 0, 4), .reflect = true},
	{.iif = "ppp0", .proto = 6, .lo = 8022, .hi = 8022, .to_lo = 22,
	 .host = IP4(192, 168, 0, 5), .from = ADDRS(sample_ssh_from), .reflect = true},
	{.iif = "ppp0", .proto = 47, .host = IP4(192, 168, 0, 6), .reflect = false},
};

static struct ir_nat1to1 sample_nat[] = {
	{.iif = "ppp0", .public_addr = IP4(203, 0, 113, 7), .private_addr = IP4(192, 168, 0, 7)},
};

static struct ir_helper sample_helpers[] = {
	{.name = "ftp", .kname = "ftp", .modern = true, .legacy = true,
	 .ports = {.v = sample_ftp_ports, .n = 1}},
	{.name = "irc", .kname = "irc", .modern = true, .legacy = true,
	 .ports = {.v = sample_irc_ports, .n = 1}},
	{.name = "sip", .kname = "sip", .modern = true,
	 .ports = {.v = sample_sip_ports, .n = 2}},
};

static struct ir_rule sample_raw[] = {
	{.tag = IR_T_ANTISPOOF, .family = IR_F_IPV4, .iif = "ppp0", .saddr = ADDRS(sample_spoof),
	 .log = true, .log_prefix = "masqgen: spoof drop: ", .verdict = IR_V_DROP},
	{.tag = IR_T_ANTISPOOF, .family = IR_F_IPV4, .iif = "ppp0", .daddr = ADDRS(sample_lo_net),
	 .log = true, .log_prefix = "masqgen: spoof drop: ", .verdict = IR_V_DROP},
};

static struct ir_rule sample_input[] = {
	{.tag = IR_T_LOOPBACK, .family = IR_F_BOTH, .iif = "lo", .verdict = IR_V_ACCEPT},
	{.tag = IR_T_INVALID, .family = IR_F_BOTH, .ct_state = IR_CT_INVALID, .verdict = IR_V_DROP},
	{.tag = IR_T_ESTABLISHED, .family = IR_F_BOTH,
	 .ct_state = IR_CT_ESTABLISHED | IR_CT_RELATED, .verdict = IR_V_ACCEPT},
	{.tag = IR_T_USER, .family = IR_F_IPV4, .saddr = ADDRS(sample_ssh_from), .proto = 6,
	 .dports = {.v = sample_ssh, .n = 1}, .verdict = IR_V_ACCEPT},
	{.tag = IR_T_USER, .family = IR_F_BOTH, .proto = IR_P_ICMP, .icmp_types = sample_echo,
	 .icmp_locs = sample_echo_loc, .n_icmp = 1, .verdict = IR_V_ACCEPT},
	{.tag = IR_T_USER, .family = IR_F_BOTH, .proto = IR_P_ANY,
	 .dports = {.v = sample_mixed, .n = 3}, .log = true, .log_prefix = "masqgen: ",
	 .verdict = IR_V_REJECT},
	{.tag = IR_T_USER, .family = IR_F_BOTH, .iif = "ppp+", .verdict = IR_V_REJECT},
	{.tag = IR_T_LAN, .family = IR_F_IPV4, .iif = "eth1", .saddr = ADDRS(sample_lan_addr),
	 .verdict = IR_V_ACCEPT},
	{.tag = IR_T_LAN, .family = IR_F_IPV6, .iif = "eth1", .verdict = IR_V_ACCEPT},
	{.tag = IR_T_DHCP, .family = IR_F_IPV4, .iif = "eth1", .proto = 17,
	 .sports = {.v = sample_dhcp_s, .n = 1}, .dports = {.v = sample_dhcp_d, .n = 1},
	 .verdict = IR_V_ACCEPT},
	{.tag = IR_T_CATCHALL, .family = IR_F_BOTH, .log = true,
	 .log_prefix = "masqgen: input drop: ", .verdict = IR_V_DROP},
};

static struct ir_rule sample_forward[] = {
	{.tag = IR_T_INVALID, .family = IR_F_BOTH, .ct_state = IR_CT_INVALID, .verdict = IR_V_DROP},
	{.tag = IR_T_ESTABLISHED, .family = IR_F_BOTH,
	 .ct_state = IR_CT_ESTABLISHED | IR_CT_RELATED, .verdict = IR_V_ACCEPT},
	{.tag = IR_T_LAN, .family = IR_F_IPV4, .iif = "eth1", .oif = "ppp0",
	 .saddr = ADDRS(sample_lan_addr), .verdict = IR_V_ACCEPT},
	{.tag = IR_T_LAN, .family = IR_F_IPV6, .iif = "eth1", .oif = "ppp0",
	 .verdict = IR_V_ACCEPT},
	{.tag = IR_T_FORWARDED, .family = IR_F_IPV4, .ct_dnat_forward = true,
	 .verdict = IR_V_ACCEPT},
	{.tag = IR_T_CATCHALL, .family = IR_F_BOTH, .log = true,
	 .log_prefix = "masqgen: forward drop: ", .verdict = IR_V_DROP},
};

/* The Masq-Gate at the strong level; @src gives every object a place. */
static inline void sample_ir(struct ir *ir)
{
	memset(ir, 0, sizeof(*ir));
	ir->policy_path = "sample.masq";
	ir->level = IR_STRONG;
	ir->ipv6 = IR_IPV6_FIREWALL;
	ir->ifaces = sample_ifaces;
	ir->n_ifaces = ARRAY_SIZE(sample_ifaces);
	ir->snats = sample_snats;
	ir->n_snats = 1;
	ir->forwards = sample_forwards;
	ir->n_forwards = ARRAY_SIZE(sample_forwards);
	ir->nat1to1 = sample_nat;
	ir->n_nat1to1 = 1;
	ir->helpers = sample_helpers;
	ir->n_helpers = ARRAY_SIZE(sample_helpers);
	ir->chain[IR_CH_RAW] = (struct ir_chain){.present = true, .policy = IR_V_ACCEPT,
						 .rules = sample_raw, .n = 2};
	ir->chain[IR_CH_INPUT] = (struct ir_chain){.present = true, .policy = IR_V_DROP,
						   .rules = sample_input,
						   .n = ARRAY_SIZE(sample_input)};
	ir->chain[IR_CH_FORWARD] = (struct ir_chain){.present = true, .policy = IR_V_DROP,
						     .rules = sample_forward,
						     .n = ARRAY_SIZE(sample_forward)};
	ir->log = (struct ir_log){.catchall = true, .rate = 5, .unit = IR_PER_MINUTE,
				  .prefix = "masqgen: ", .level = "warning"};
	ir->clamp = (struct ir_clamp){.enabled = true};
	ir->timeouts = (struct ir_timeouts){.tcp = 7200, .tcpfin = 120, .udp = 180};
}

#endif
