/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * explain.h - the packet `masqgen explain` follows through the IR
 * (explain.c), and its parser and printer (explain_packet.c).
 */
#ifndef MASQGEN_EXPLAIN_H
#define MASQGEN_EXPLAIN_H

#include "diag.h"
#include "ir.h"

#include <stdbool.h>
#include <stdint.h>

struct ir_limit;
struct strbuf;

/*
 * The packet as it travels: addresses host order, ports 0 when none. An
 * IPv4 packet (family IR_F_IPV4, or 0) uses saddr and daddr, an IPv6 one
 * saddr6 and daddr6; IPv6 is never translated (no NAT66).
 */
struct explain_packet {
	unsigned family;
	uint8_t proto;			/* IR_P_ICMPV6 for ICMPv6 */
	uint32_t saddr, daddr;
	ir_u128 saddr6, daddr6;
	uint16_t sport, dport;
	uint8_t icmp_type;
	const char *iif;		/* NULL: sent by the gateway itself */
	char iif_name[16];		/* iif points here after parsing */
	const char *oif;		/* set by the routing decision */
	unsigned state;			/* one enum ir_ct_state bit */
	bool dnat_forward;		/* translated by a forward (ct status dnat) */
	const struct loc *forward_loc;	/* that forward's policy place */
	const struct ir_limit *forward_limit;	/* that forward's limit (rate 0: none) */
	char masq_src[24];		/* "ppp0's address": masqueraded, address unknown */
	bool reflected;			/* translated while arriving on an internal interface */
};

/*
 * Parse the PACKET words (argv[0..argc), each may hold several words):
 *   PROTO [ICMPTYPE] SRC[:PORT] -> DST[:PORT] (in IFACE [out IFACE] | out IFACE)
 *   [state STATE]
 * with IPv6 addresses bracketed where a port follows ([2001:db8::1]:443);
 * `icmp` with IPv6 addresses (or `icmpv6`) is ICMPv6.
 * *out_iface gets a copy of `out IFACE` (caller frees), else stays NULL.
 * Returns 0, or -1 after a usage error naming the bad word.
 */
int explain_packet_parse(int argc, char **argv, struct explain_packet *p, char **out_iface);

/*
 * Parse --address IFACE=ADDR (IPv4 into *addr or IPv6 into *addr6, *family
 * says which); *iface is the caller's. 0, or EXIT_USAGE after the message.
 */
int explain_packet_address(const char *arg, char **iface, unsigned *family, uint32_t *addr,
			   ir_u128 *addr6);

/* One line into @out: LABEL, then the packet as `explain` prints it. */
void explain_packet_print(struct strbuf *out, const char *label, const struct explain_packet *p);

/*
 * explain.c: follow the arriving new connection @p through @ir as
 * `explain` does, writing the same trace into @trace, with @iface taken to
 * hold @addr (as --address; @iface NULL: no such knowledge) and p->oif,
 * when set, as the outgoing interface (as `out IFACE`). Returns the
 * verdict (enum ir_verdict). *why gets the place that decided: the
 * deciding rule's, or the `firewall` line's when a chain policy did (NULL
 * when no filter chain was consulted). p->oif stays NULL when the packet is
 * for the gateway itself; p->dnat_forward says a forward translated it.
 */
int explain_decide(const struct ir *ir, struct explain_packet *p, const char *iface,
		   uint32_t addr, const struct loc **why, struct strbuf *trace);

#endif
