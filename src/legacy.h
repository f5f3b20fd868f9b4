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

/*
 * Shared by legacy.c, legacy_check.c and legacy_chains.c only.
 */

/* ip_masq_* helper modules take at most this many ports (MAX_MASQ_APP_PORTS). */
#define LEGACY_APP_PORTS 12

struct ir_iface;
struct ir_net;
struct ir_rule;
struct ir_helper;

/* An internal network and its shell variables. */
struct legacy_net {
	const struct ir_net *net;
	char netvar[24];		/* INTNET, INTNET2, ... */
	char ipvar[24];			/* INTIP, INTIP2, ... ("" without gw) */
};

/* One emission: what legacy_emit() knows while it writes the script. */
struct legacy_ctx {
	const struct ir *ir;
	const struct legacy_era *era;
	struct strbuf *out;
	char (*ifvar)[24];		/* per ir->ifaces: EXTIF, INTIF2, ... */
	char (*ipvar)[24];		/* per ir->ifaces (externals): EXTIP, EXTIP2 */
	bool *uses_ip;			/* per ir->ifaces: the script uses its address */
	bool uses_gw;			/* ... and the gateway's addresses on the LANs */
	struct legacy_net *nets;	/* every internal network, in interface order */
	size_t n_nets;
};

/* legacy_lookup.c. Index of interface @name in ir->ifaces, or (size_t)-1. */
size_t legacy_iface_index(const struct legacy_ctx *g, const char *name);
/* The interface that holds internal network @n. */
const struct ir_iface *legacy_net_iface(const struct legacy_ctx *g, const struct ir_net *n);
/* An IPv4 allow/deny/reject line of the policy. */
bool legacy_is_user_rule(const struct ir_rule *r);
/* Does the script read the address of interface @i when it runs? */
bool legacy_reads_ip(const struct legacy_ctx *g, size_t i);
/*
 * The module ports of helper @h: its own, and the public ports forwarded to
 * them (HOWTO 6.7.3: ip_masq_ftp ports=21,2121). More than @max: @max + 1.
 */
size_t legacy_helper_ports(const struct legacy_ctx *g, const struct ir_helper *h,
			   uint16_t *ports, size_t max);

/* legacy_check.c: errors for what the era cannot express; marks uses_ip, uses_gw. */
void legacy_check_policy(struct legacy_ctx *g);
/* legacy_check.c: one warning per approximation the script makes. */
void legacy_check_warn(struct legacy_ctx *g);

/* legacy_chains.c: the input and forward chains, and the port forwards. */
void legacy_chains_input(struct legacy_ctx *g);
void legacy_chains_forward(struct legacy_ctx *g);
void legacy_chains_portfw(struct legacy_ctx *g);

/* ipchains.c, ipfwadm.c: each era's script for @ir (the targets of generate). */
int ipchains_emit(const struct ir *ir, struct strbuf *out);
int ipfwadm_emit(const struct ir *ir, struct strbuf *out);

/* ipchains.c, ipfwadm.c: init-script: the shell lines of the wrapper's stop and status. */
extern const char ipchains_init_stop[], ipchains_init_status[];
extern const char ipfwadm_init_stop[], ipfwadm_init_status[];

#endif
