/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tables.h - masqgen's own name tables: ports, protocol helpers, ICMP and
 * ICMPv6 types. Each is sorted by name and searched with bsearch; the same
 * tables feed suggest() for "did you mean". Output never depends on the
 * machine (no /etc/services).
 */
#ifndef MASQGEN_TABLES_H
#define MASQGEN_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tables_port {
	const char *name;
	uint16_t port;
};

/* One kernel helper of a policy helper name, with its default ports. */
struct tables_khelper {
	const char *kname;		/* "ftp", "RAS", "Q.931" */
	struct {
		uint8_t proto;		/* IR_P_TCP or IR_P_UDP */
		uint16_t port;
	} ports[2];
	size_t n_ports;
	bool ipv6;			/* the kernel has it for IPv6 too (not irc, pptp, snmp) */
};

struct tables_helper {
	const char *name;		/* the policy's name */
	const char *nat_module;		/* NULL: none */
	const char *legacy_module;	/* 2.2/2.0 module; NULL: none */
	bool modern, legacy;
	/* legacy only: the protocol `ports` applies to */
	uint8_t legacy_proto;
	struct tables_khelper parts[2];
	size_t n_parts;
};

struct tables_icmp {
	const char *name;
	uint8_t type;
};

/* Lookups by name: the entry, or NULL. */
const struct tables_port *tables_port_find(const char *name);
const struct tables_helper *tables_helper_find(const char *name);
const struct tables_icmp *tables_icmp_find(const char *name);
/* An ICMPv6 type by the name nft gives it ("nd-neighbor-solicit"), or NULL. */
const struct tables_icmp *tables_icmpv6_find(const char *name);

/* The closest name for "did you mean", or NULL. */
const char *tables_port_suggest(const char *name);
const char *tables_helper_suggest(const char *name);
const char *tables_icmp_suggest(const char *name);

/* Names by number (NULL if none): for backends printing ICMP types. */
const char *tables_icmp_name(uint8_t type);
const char *tables_icmpv6_name(uint8_t type);

/* The ICMPv6 type that means the same as ICMP @type (echo-request: 128), or -1. */
int tables_icmp_to_v6(uint8_t type);

/* ICMPv6 type numbers the IPv6 built-ins use. */
enum {
	TABLES_ICMPV6_DEST_UNREACH = 1,
	TABLES_ICMPV6_PACKET_TOO_BIG = 2,
	TABLES_ICMPV6_TIME_EXCEEDED = 3,
	TABLES_ICMPV6_PARAM_PROBLEM = 4,
	TABLES_ICMPV6_ECHO_REQUEST = 128,
	TABLES_ICMPV6_ECHO_REPLY = 129,
	TABLES_ICMPV6_MLD_QUERY = 130,
	TABLES_ICMPV6_MLD_REPORT = 131,
	TABLES_ICMPV6_MLD_DONE = 132,
	TABLES_ICMPV6_ROUTER_SOLICIT = 133,
	TABLES_ICMPV6_ROUTER_ADVERT = 134,
	TABLES_ICMPV6_NEIGH_SOLICIT = 135,
	TABLES_ICMPV6_NEIGH_ADVERT = 136,
	TABLES_ICMPV6_MLD2_REPORT = 143,
};

/* For tests: whether each table is strictly sorted by name. */
bool tables_sorted(void);

#endif
