// SPDX-License-Identifier: GPL-2.0-or-later
/* tables.c - sorted name tables for ports, helpers and ICMP types */
#include "tables.h"
#include "ir.h"
#include "suggest.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* LANGUAGE.md's port names; keep sorted by name (strcmp order). */
static const struct tables_port ports[] = {
	{"amanda", 10080},
	{"bootpc", 68},
	{"bootps", 67},
	{"domain", 53},
	{"ftp", 21},
	{"h323", 1720},
	{"http", 80},
	{"http-alt", 8080},
	{"https", 443},
	{"imap", 143},
	{"imaps", 993},
	{"ipsec-nat-t", 4500},
	{"irc", 6667},
	{"isakmp", 500},
	{"ldap", 389},
	{"mysql", 3306},
	{"ntp", 123},
	{"openvpn", 1194},
	{"pop3", 110},
	{"pop3s", 995},
	{"postgresql", 5432},
	{"pptp", 1723},
	{"quake", 27960},
	{"rdp", 3389},
	{"sip", 5060},
	{"smtp", 25},
	{"snmp", 161},
	{"snmp-trap", 162},
	{"ssh", 22},
	{"submission", 587},
	{"telnet", 23},
	{"tftp", 69},
	{"vnc", 5900},
	{"wireguard", 51820},
};

#define TCP(p) {IR_P_TCP, p}
#define UDP(p) {IR_P_UDP, p}

/* LANGUAGE.md's helper table; keep sorted by name. */
static const struct tables_helper helpers[] = {
	{"amanda", "nf_nat_amanda", NULL, true, false, 0, {{"amanda", {UDP(10080)}, 1, true}}, 1},
	{"cuseeme", NULL, "ip_masq_cuseeme", false, true, IR_P_UDP, {{0}}, 0},
	{"ftp", "nf_nat_ftp", "ip_masq_ftp", true, true, 0, {{"ftp", {TCP(21)}, 1, true}}, 1},
	{"h323", "nf_nat_h323", NULL, true, false, 0,
	 {{"RAS", {UDP(1719)}, 1, true}, {"Q.931", {TCP(1720)}, 1, true}}, 2},
	{"irc", "nf_nat_irc", "ip_masq_irc", true, true, 0, {{"irc", {TCP(6667)}, 1, false}}, 1},
	{"pptp", "nf_nat_pptp", NULL, true, false, 0, {{"pptp", {TCP(1723)}, 1, false}}, 1},
	{"quake", NULL, "ip_masq_quake", false, true, IR_P_UDP, {{0}}, 0},
	{"raudio", NULL, "ip_masq_raudio", false, true, IR_P_TCP, {{0}}, 0},
	{"sip", "nf_nat_sip", NULL, true, false, 0, {{"sip", {UDP(5060), TCP(5060)}, 2, true}}, 1},
	{"snmp", "nf_nat_snmp_basic", NULL, true, false, 0,
	 {{"snmp", {UDP(161)}, 1, false}, {"snmp_trap", {UDP(162)}, 1, false}}, 2},
	{"tftp", "nf_nat_tftp", NULL, true, false, 0, {{"tftp", {UDP(69)}, 1, true}}, 1},
	{"vdolive", NULL, "ip_masq_vdolive", false, true, IR_P_TCP, {{0}}, 0},
};

/* LANGUAGE.md's ICMP type names; keep sorted by name. */
static const struct tables_icmp icmp_types[] = {
	{"destination-unreachable", 3},
	{"echo-reply", 0},
	{"echo-request", 8},
	{"parameter-problem", 12},
	{"redirect", 5},
	{"source-quench", 4},
	{"time-exceeded", 11},
	{"timestamp-reply", 14},
	{"timestamp-request", 13},
};

/* The ICMPv6 types the IPv6 built-ins use, by number (nft's names). */
static const struct tables_icmp icmpv6_types[] = {
	{"destination-unreachable", TABLES_ICMPV6_DEST_UNREACH},
	{"packet-too-big", TABLES_ICMPV6_PACKET_TOO_BIG},
	{"time-exceeded", TABLES_ICMPV6_TIME_EXCEEDED},
	{"parameter-problem", TABLES_ICMPV6_PARAM_PROBLEM},
	{"echo-request", TABLES_ICMPV6_ECHO_REQUEST},
	{"echo-reply", TABLES_ICMPV6_ECHO_REPLY},
	{"mld-listener-query", TABLES_ICMPV6_MLD_QUERY},
	{"mld-listener-report", TABLES_ICMPV6_MLD_REPORT},
	{"mld-listener-done", TABLES_ICMPV6_MLD_DONE},
	{"nd-router-solicit", TABLES_ICMPV6_ROUTER_SOLICIT},
	{"nd-router-advert", TABLES_ICMPV6_ROUTER_ADVERT},
	{"nd-neighbor-solicit", TABLES_ICMPV6_NEIGH_SOLICIT},
	{"nd-neighbor-advert", TABLES_ICMPV6_NEIGH_ADVERT},
	{"mld2-listener-report", TABLES_ICMPV6_MLD2_REPORT},
};

/* Every table starts with its name field, so one comparison serves all. */
static int by_name(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

const struct tables_port *tables_port_find(const char *name)
{
	return bsearch(name, ports, ARRAY_SIZE(ports), sizeof(ports[0]), by_name);
}

const struct tables_helper *tables_helper_find(const char *name)
{
	return bsearch(name, helpers, ARRAY_SIZE(helpers), sizeof(helpers[0]), by_name);
}

const struct tables_icmp *tables_icmp_find(const char *name)
{
	return bsearch(name, icmp_types, ARRAY_SIZE(icmp_types), sizeof(icmp_types[0]), by_name);
}

const struct tables_icmp *tables_icmpv6_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(icmpv6_types); i++)
		if (strcmp(icmpv6_types[i].name, name) == 0)
			return &icmpv6_types[i];
	return NULL;
}

const char *tables_port_suggest(const char *name)
{
	return suggest(name, &ports[0].name, ARRAY_SIZE(ports), sizeof(ports[0]));
}

const char *tables_helper_suggest(const char *name)
{
	return suggest(name, &helpers[0].name, ARRAY_SIZE(helpers), sizeof(helpers[0]));
}

const char *tables_icmp_suggest(const char *name)
{
	return suggest(name, &icmp_types[0].name, ARRAY_SIZE(icmp_types), sizeof(icmp_types[0]));
}

static const char *icmp_name(const struct tables_icmp *t, size_t n, uint8_t type)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].type == type)
			return t[i].name;
	return NULL;
}

const char *tables_icmp_name(uint8_t type)
{
	return icmp_name(icmp_types, ARRAY_SIZE(icmp_types), type);
}

const char *tables_icmpv6_name(uint8_t type)
{
	return icmp_name(icmpv6_types, ARRAY_SIZE(icmpv6_types), type);
}

int tables_icmp_to_v6(uint8_t type)
{
	switch (type) {
	case 0:
		return 129;	/* echo-reply */
	case 3:
		return 1;	/* destination-unreachable */
	case 8:
		return 128;	/* echo-request */
	case 11:
		return 3;	/* time-exceeded */
	case 12:
		return 4;	/* parameter-problem */
	}
	return -1;
}

static bool names_sorted(const void *table, size_t n, size_t stride)
{
	const char *base = table;
	size_t i;

	for (i = 1; i < n; i++) {
		const char *a = *(const char *const *)(base + (i - 1) * stride);
		const char *b = *(const char *const *)(base + i * stride);

		if (strcmp(a, b) >= 0)
			return false;
	}
	return true;
}

bool tables_sorted(void)
{
	return names_sorted(ports, ARRAY_SIZE(ports), sizeof(ports[0])) &&
	       names_sorted(helpers, ARRAY_SIZE(helpers), sizeof(helpers[0])) &&
	       names_sorted(icmp_types, ARRAY_SIZE(icmp_types), sizeof(icmp_types[0]));
}
