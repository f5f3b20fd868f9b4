/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * legacy.h - what the Linux 2.2 (ipchains) and 2.0 (ipfwadm) backends share.
 *
 * Both eras filter with three built-in chains that differ from netfilter's
 * hooks: the input chain sees every packet that arrives (for the gateway
 * or to be forwarded, replies to masqueraded connections included, before
 * they are demasqueraded), the forward chain sees only forwarded packets
 * that are not demasqueraded replies or port-forwarded connections, and
 * its interface match is the OUTGOING interface. There is no connection
 * tracking. legacy.c lowers the IR onto that model once; each backend
 * supplies a struct legacy_era that prints its tool's syntax.
 */
#ifndef MASQGEN_LEGACY_H
#define MASQGEN_LEGACY_H

#include "util.h"

#include <stdbool.h>
#include <stdint.h>

struct ir;
struct ir_forward;
struct ir_timeouts;

enum legacy_chain {
	LEGACY_INPUT,
	LEGACY_FORWARD,
	LEGACY_OUTPUT,
};

enum legacy_target {
	LEGACY_ACCEPT,
	LEGACY_DENY,
	LEGACY_REJECT,
	LEGACY_MASQ,	/* forward chain only */
};

/*
 * One rule in the era's terms. Address and interface fields are complete
 * shell words ("\"$INTNET\"" or a quoted literal), empty for any. Ports
 * are inclusive ranges, 0 for none; icmp_type -1 for any type.
 */
struct legacy_rule {
	enum legacy_chain chain;
	char iface[48];
	uint8_t proto;			/* IR_P_*: 0 any */
	char src[48], dst[48];
	uint16_t sport_lo, sport_hi;
	uint16_t dport_lo, dport_hi;
	int icmp_type;
	bool not_syn;			/* tcp: only packets that do not open a connection */
	bool log;
	enum legacy_target target;
};

/* An era: names, limits, and printers for one tool's syntax. */
struct legacy_era {
	const char *target;		/* "ipchains": in messages and the script name */
	const char *kernel;		/* "2.2": the `uname -r` prefix the script requires */
	const char *portfw_tool;	/* "ipmasqadm portfw", "ipportfw" */
	uint16_t masq_lo, masq_hi;	/* the kernel's masquerading ports */
	bool wildcards;			/* interface names ending in '+' */
	bool conf_sysctls;		/* /proc/sys/net/ipv4/conf exists */
	bool other_protocols;		/* protocols beyond tcp, udp and icmp */
	/* the "PROG=/path" lines of the tools the script runs; @modules: helpers load */
	void (*tools)(struct strbuf *out, bool modules);
	void (*policy)(struct strbuf *out, enum legacy_chain chain, enum legacy_target t);
	void (*flush)(struct strbuf *out, enum legacy_chain chain);
	void (*rule)(struct strbuf *out, const struct legacy_rule *r);
	void (*timeouts)(struct strbuf *out, unsigned tcp, unsigned tcpfin, unsigned udp);
	/* @required: forwards follow, so a failing flush must be seen */
	void (*portfw_flush)(struct strbuf *out, bool required);
	void (*portfw)(struct strbuf *out, uint8_t proto, const char *extip, uint16_t port,
		       const char *host, uint16_t to_port);
};

/*
 * Lower @ir into a shell script for @era, appended to @out. Reports every
 * feature the era cannot express as an error at its policy line and every
 * approximation as a warning. Returns 0, or -1 after reporting.
 */
int legacy_emit(const struct ir *ir, const struct legacy_era *era, struct strbuf *out);

/* "a:b" or "a" for a port range, as both tools write it; buf >= 12 bytes. */
const char *legacy_ports(uint16_t lo, uint16_t hi, char *buf);

#endif
