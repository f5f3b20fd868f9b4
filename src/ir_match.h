/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ir_match.h - what a rule of the IR means: the one matcher that decides
 * whether a rule takes a packet. explain, the lab's prediction and
 * conntrack cleanup all ask it, so they cannot drift apart.
 *
 * A packet is IPv4 or IPv6. A rule's address lists are of the rule's
 * family (ir.h); an address of a packet of the other family is in no
 * list. An IPv6 packet also matches by its link-local source and the
 * reverse-path checks its source fails.
 *
 * A rate-limited rule (ir_rule.limit) takes the new connections its
 * matches take: whether its budget is left is the kernel's to know, so
 * its verdict holds up to the limit (explain says so) and the rest are
 * dropped in the same place.
 */
#ifndef MASQGEN_IR_MATCH_H
#define MASQGEN_IR_MATCH_H

#include "ir.h"

#include <stdbool.h>
#include <stdint.h>

/* An address of either family; the packet's family says which half holds. */
struct ir_pkt_addr {
	uint32_t v4;		/* IPv4, host byte order */
	uint8_t v6[16];		/* IPv6, network byte order */
};

/* A packet as a filter rule sees it. */
struct ir_pkt {
	unsigned family;		/* IR_F_IPV4 or IR_F_IPV6 */
	uint8_t proto;			/* enum ir_proto */
	struct ir_pkt_addr saddr, daddr;
	uint16_t sport, dport;		/* 0: none or not known (no port list holds it) */
	int icmp_type;			/* ICMP or ICMPv6 type; -1: none or not known */
	const char *iif, *oif;		/* NULL: none (sent by or to the gateway) */
	bool any_iface;			/* interfaces not known: interface matches hold */
	unsigned ct_state;		/* one enum ir_ct_state bit; 0: not known */
	bool dnat_forward;		/* translated by one of the policy's forwards */
	/*
	 * The reverse-path checks the source fails (IPv6): IR_RPF_NONE, a
	 * route back through iif (the usual case, and what a packet is
	 * unless a caller says otherwise); IR_RPF_STRICT, a route back by
	 * another interface only; IR_RPF_LOOSE, no route back at all (it
	 * fails the strict check too).
	 */
	enum ir_rpf rpf;
	/*
	 * Live sets (`@NAME`): who is in one is known only at run time. The
	 * packet's address is taken to be in a set when the set's initial
	 * elements in @sets hold it (NULL: every set is empty). *set_used,
	 * when given, becomes true once a rule's answer turned on a set
	 * lookup: that answer holds only for those members.
	 */
	const struct ir *sets;
	bool *set_used;
};

/*
 * An IPv4 packet of a new connection: no interfaces, no translation;
 * @icmp_type -1 when it is no ICMP packet. Callers set the rest.
 */
struct ir_pkt ir_pkt_ipv4(uint8_t proto, uint32_t saddr, uint32_t daddr, uint16_t sport,
			  uint16_t dport, int icmp_type);

/* An interface pattern of the policy against a name ("ppp+": every "ppp..."). */
bool ir_iface_match(const char *pattern, const char *name);

/* The first interface of @ir whose pattern matches @name, or NULL. */
const struct ir_iface *ir_iface_of(const struct ir *ir, const char *name);

/* The netmask of an IPv4 prefix of @len bits (0-32), host byte order. */
uint32_t ir_prefix_mask(unsigned len);

/* Is IPv4 @addr in @net/@len? */
bool ir_addr_in(uint32_t addr, uint32_t net, unsigned len);

/* Is IPv4 @addr in internal network @n? */
bool ir_net_has(const struct ir_net *n, uint32_t addr);

/* The internal interface (and *net, when given) holding @addr, or NULL. */
const struct ir_iface *ir_internal_of(const struct ir *ir, uint32_t addr,
				      const struct ir_net **net);

/* Is IPv4 @addr in list @l? *loc (when given) gets the element's place. */
bool ir_addrs_has(const struct ir_addrs *l, uint32_t addr, const struct loc **loc);

/* Is the address @a of @family (IR_F_IPV4 or IR_F_IPV6) in list @l? As ir_addrs_has(). */
bool ir_addrs_take(const struct ir_addrs *l, unsigned family, const struct ir_pkt_addr *a,
		   const struct loc **loc);

/* Is @port of @proto in list @l (each element has its protocol)? */
bool ir_ports_has(const struct ir_ports *l, uint8_t proto, uint16_t port,
		  const struct loc **loc);

/*
 * Does rule @r take @p? *why gets the place that explains the match: the
 * line of the element that matched for a user rule merged from several
 * lines, else the rule's own place.
 */
bool ir_rule_match(const struct ir_rule *r, const struct ir_pkt *p, const struct loc **why);

/*
 * The first rule of @ch that takes @p (*why as ir_rule_match()), or NULL.
 * A chain that is not present has no rules. The catch-all is returned
 * like any rule: its verdict is the chain's policy.
 */
const struct ir_rule *ir_chain_match(const struct ir_chain *ch, const struct ir_pkt *p,
				     const struct loc **why);

/*
 * Does @ir filter packets of @family at all? Not IPv6 under `ipv6 open`:
 * no IPv6 table exists, whatever the chains' policies say.
 */
bool ir_family_filtered(const struct ir *ir, unsigned family);

/* The verdict of @ch for @p (a chain that is not present accepts). */
enum ir_verdict ir_chain_verdict(const struct ir_chain *ch, const struct ir_pkt *p);

/*
 * Does forward @f translate the new connection @p arriving on its
 * interface: protocol, public port (tcp, udp) and `from`?
 */
bool ir_forward_takes(const struct ir_forward *f, const struct ir_pkt *p);

#endif
