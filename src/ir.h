/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ir.h - the compiled policy every backend lowers.
 *
 * Backend neutral and explicit: eval.c resolves defaults (which networks are
 * masqueraded, SNAT or masquerade, which helper ports, the firewall level's
 * built-in rules) so a backend only translates. NAT is kept declarative
 * (forwards, 1:1, source NAT): each backend knows its idiom (nft maps,
 * iptables rules, portfw). The filter chains are explicit ordered rules in
 * exactly the order of LANGUAGE.md's table, built-in rules included.
 *
 * Addresses and ports are in host byte order (an IPv6 address is a 128-bit
 * number whose most significant byte is the address's first). Every object carries the
 * policy location it came from; built-in rules carry the location of the
 * statement that caused them (the `firewall` line, or the `internal` line
 * for a LAN accept) or no location, plus a short tag naming the rule.
 *
 * One owner: the struct ir owns everything reachable from it (ir_free()).
 * Strings for interface names are owned by the ir (ir->strings) and
 * interned: two equal names are the same pointer.
 *
 * Lists (struct ir_addrs, struct ir_ports, ICMP types) never hold two
 * overlapping or equal elements: eval widens or drops a redundant element
 * with a warning, so a backend can put any list into an nft set as is.
 * Elements keep policy order otherwise.
 */
#ifndef MASQGEN_IR_H
#define MASQGEN_IR_H

#include "diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ast_file;
struct ir_intern;

/* IP protocol numbers. */
enum ir_proto {
	IR_P_ANY = 0,
	IR_P_ICMP = 1,
	IR_P_TCP = 6,
	IR_P_UDP = 17,
	IR_P_GRE = 47,
	IR_P_ESP = 50,
	IR_P_AH = 51,
	IR_P_ICMPV6 = 58,
	IR_P_VRRP = 112,
};

/* An IPv6 address as a number: 2001:db8::1 is 0x20010db8000000000000000000000001. */
typedef unsigned __int128 ir_u128;

/*
 * An inclusive range of one family; a prefix when it is aligned
 * (ir_addr_prefix()). IPv4 uses lo and hi, IPv6 lo6 and hi6; the other
 * pair is 0. `any` in a policy is the whole range of each family it
 * applies to. An interface identifier match (IPv6 `ADDR/MASK`, LANGUAGE.md
 * "IPv6 (dual stack)") has mask6 != 0 and lo6 == hi6 == ADDR, with ADDR
 * inside MASK: it takes every address whose bits under mask6 equal ADDR, so
 * it is no range. Eval lets the IPv6 part of a list hold identifier matches
 * only, all under one mask (nft: one set lookup under that mask).
 */
struct ir_addr {
	uint8_t family;		/* IR_F_IPV6, else IPv4 (0 too: built field by field) */
	uint32_t lo, hi;
	ir_u128 lo6, hi6;
	ir_u128 mask6;		/* an interface identifier match; 0: none */
	struct loc loc;
};

struct ir_addrs {
	struct ir_addr *v;
	size_t n, cap;
};

/* An inclusive port range of one protocol (tcp or udp). */
struct ir_port {
	uint8_t proto;
	uint16_t lo, hi;
	struct loc loc;
};

struct ir_ports {
	struct ir_port *v;
	size_t n, cap;
};

/*
 * An internal network; gw is the gateway's own address on it, or 0. IPv4
 * uses net and gw, IPv6 net6 and gw6 (len is up to 128 there).
 */
struct ir_net {
	uint8_t family;		/* IR_F_IPV4 or IR_F_IPV6 */
	uint32_t net;
	uint8_t len;
	uint32_t gw;
	ir_u128 net6, gw6;
	struct loc loc;
};

enum ir_role {
	IR_EXTERNAL,
	IR_INTERNAL,
	IR_PASSTHROUGH,
};

/*
 * Interfaces in policy order, one entry per name (two `internal` lines for
 * one interface add to the same entry's nets). The roles never share a
 * name. nets (IPv4) and nets6 (IPv6) are in policy order and never
 * overlap, across all internal interfaces. The families have arrays of
 * their own so that code about IPv4 networks never meets an IPv6 one; an
 * internal interface without nets6 is still internal for IPv6 (its IPv6
 * is judged by interface).
 */
struct ir_iface {
	const char *name;	/* may end in '+' (wildcard) */
	enum ir_role role;
	bool dynamic;		/* external without `address` */
	/*
	 * external with `address`: the address NAT, forwards and reflection
	 * use (in a cluster the virtual one, which moves with the active
	 * node); else 0
	 */
	uint32_t addr;
	/*
	 * In a cluster (ir->cluster.present): this node's own address on the
	 * interface (an external's `address`, an internal's first IPv4
	 * gateway address; 0 if none) and the virtual address that moves
	 * with the active node (an external's equals addr; 0: none). Else 0.
	 */
	uint32_t node_addr, virt;
	uint8_t virt_len;	/* prefix length keepalived gives virt (32 on an external) */
	/*
	 * Several externals (multi-WAN replies, LANGUAGE.md "Gateway
	 * features"): this external's number 1..IR_WAN_MAX, kept in mark bits
	 * 16-19 of the connections that arrive on it and naming its routing
	 * table IR_WAN_TABLE_BASE + wan; 0: none (a single external, a
	 * wildcard, an internal interface).
	 */
	unsigned wan;
	struct ir_net *nets;	/* internal: its IPv4 networks */
	size_t n_nets, cap_nets;
	struct ir_net *nets6;	/* internal: its IPv6 prefixes */
	size_t n_nets6, cap_nets6;
	struct loc loc;
};

/* The mark bits of the arrival external, and the routing tables and rule preferences apply writes. */
#define IR_WAN_MAX 15
#define IR_WAN_SHIFT 16
#define IR_WAN_MASK 0x000f0000u
#define IR_WAN_TABLE_BASE 100
#define IR_WAN_RULE_PREF 1000

/*
 * The mark bit of a connection miniupnpd admitted (the UPnP table sets it
 * in the packet mark, masqgen's forward chain keeps it in the connection
 * mark); bits 16-19 are IR_WAN_MASK.
 */
#define IR_UPNP_MARK 0x00100000u

/*
 * Source NAT out of one external interface: masquerade (to == 0) or SNAT
 * to an address. Without `masquerade` statements eval makes one per
 * (external, internal network) pair: masquerade for a dynamic external,
 * SNAT to its address for a static one. With `masquerade` statements, one
 * per statement and external it applies to (`on IFACE`, else every
 * external), in policy order; `to` absent means masquerade on a dynamic
 * external and SNAT to its address on a static one. 1:1 NAT is not here:
 * its SNAT comes from ir->nat1to1 (postrouting order: reflection, 1:1,
 * then these).
 */
struct ir_snat {
	const char *oif;
	struct ir_addrs sources;
	uint32_t to;
	/*
	 * Several externals: the wan number of oif when this line pins its
	 * sources' new connections to oif's routing table (no line for
	 * another external masquerades any of them); 0: the main table.
	 */
	unsigned pin;
	struct loc loc;
};

enum ir_rate_unit {
	IR_PER_SECOND,
	IR_PER_MINUTE,
	IR_PER_HOUR,
};

/*
 * A rate limit on new connections (`limit RATE [burst N] [per-source]`,
 * LANGUAGE.md "Gateway features"): at most rate per unit, burst at once
 * (the rate's count unless given); per_source keeps one budget per source
 * address (an IPv6 source by its /64) in a dynamic set of IR_LIMIT_SOURCES
 * entries that each expire after burst/rate (ir_limit_expiry()). rate 0:
 * no limit.
 */
struct ir_limit {
	unsigned rate;
	enum ir_rate_unit unit;
	unsigned burst;
	bool per_source;
	struct loc loc;
};

#define IR_LIMIT_SOURCES 65535

/* Seconds a per-source entry of @l lives: burst/rate, rounded up, at least 1. */
unsigned ir_limit_expiry(const struct ir_limit *l);

/*
 * A port forward (HOWTO PORTFW). tcp/udp forwards are split into one per
 * protocol. For tcp and udp, [lo, hi] are the public ports and to_lo the
 * first target port (to_lo == lo when the port does not change; a range
 * maps port by port). For other protocols (gre, esp, ah) all ports are 0.
 * iif is the external interface (given with `on`, or the only external).
 * from: allowed sources; empty means any. A `forward` line with several
 * ports gives one entry per protocol and port element, each with the loc
 * of its port word (of the proto word for gre/esp/ah). No two entries
 * overlap on the same iif, proto and port; at most one entry with reflect
 * covers a given proto and port across all externals.
 */
struct ir_forward {
	const char *iif;
	uint8_t proto;
	bool reflect;
	uint16_t lo, hi;
	uint16_t to_lo;
	uint32_t host;
	struct ir_addrs from;
	/* admitted at this rate in the forward chain (IR_T_FORWARDED) */
	struct ir_limit limit;
	struct loc loc;
};

/*
 * UPnP IGD and NAT-PMP through miniupnpd (`upnp`): iface is the internal
 * interface it serves (NULL: no upnp line), ext the external interface
 * mapped ports arrive on, [lo, hi] the external ports clients may map,
 * allow the IPv4 sources that may map (aligned prefixes, the interface's
 * IPv4 networks unless `allow` says otherwise).
 */
struct ir_upnp {
	const char *iface, *ext;
	uint16_t lo, hi;
	struct ir_addrs allow;
	struct loc loc;
};

/* 1:1 NAT (FAQ 7.33): public lives on iif, private on an internal network. */
struct ir_nat1to1 {
	const char *iif;
	uint32_t public_addr, private_addr;
	struct loc loc;
};

/*
 * A conntrack helper on one protocol and port range; a policy `helper`
 * line expands to one entry per kernel helper and port set. kname is the
 * kernel's helper name ("ftp", "RAS", "Q.931"); nat_module the module that
 * rewrites payloads ("nf_nat_ftp", NULL if none); legacy_module the 2.2/2.0
 * module ("ip_masq_ftp", NULL if that era has none). modern false: the
 * helper exists only for 2.2/2.0 (raudio, ...): kname and nat_module are
 * NULL and ports are empty unless the policy gave `ports`; the modern
 * backends (and `check`) reject it through ir_check_modern(). legacy
 * false: the 2.2/2.0 backends reject it themselves. ports: the policy's
 * `ports` (with the protocols of the kernel helper) or the table's.
 */
struct ir_helper {
	const char *name;	/* the policy's name: "ftp" */
	const char *kname;
	const char *nat_module;
	const char *legacy_module;
	bool modern, legacy;
	bool ipv6;		/* the kernel helper exists for IPv6 too (not irc, pptp, snmp) */
	struct ir_ports ports;
	struct loc loc;
};

enum ir_chain_id {
	IR_CH_RAW,	/* prerouting, raw (-300): anti-spoofing */
	IR_CH_INPUT,
	IR_CH_FORWARD,
	IR_CH_OUTPUT,
	IR_CH_COUNT
};

enum ir_verdict {
	IR_V_ACCEPT,
	IR_V_DROP,
	IR_V_REJECT,	/* tcp reset for tcp, port-unreachable for udp, admin-prohibited else */
};

enum ir_family {
	IR_F_IPV4 = 1 << 0,
	IR_F_IPV6 = 1 << 1,
	IR_F_BOTH = IR_F_IPV4 | IR_F_IPV6,
};

/*
 * The reverse-path check of IPv6 anti-spoofing: the source fails it when
 * the route back to it does not leave by the interface the packet came in
 * on (strict) or when there is no route back at all (loose). The
 * unspecified source :: never fails it (duplicate address detection).
 */
enum ir_rpf {
	IR_RPF_NONE,
	IR_RPF_STRICT,
	IR_RPF_LOOSE,
};

enum ir_ct_state {
	IR_CT_NEW = 1 << 0,
	IR_CT_ESTABLISHED = 1 << 1,
	IR_CT_RELATED = 1 << 2,
	IR_CT_INVALID = 1 << 3,
};

/* What a rule is, for comments and `explain` ("lo", "anti-spoofing", ...). */
enum ir_rule_tag {
	IR_T_USER,		/* an allow/deny/reject line */
	IR_T_LOOPBACK,		/* iif lo accept */
	IR_T_INVALID,		/* ct state invalid drop */
	IR_T_ESTABLISHED,	/* ct state established,related accept */
	IR_T_LAN,		/* LAN accept (input), LAN to external (forward) */
	IR_T_INTERNAL,		/* internal to internal (forward) */
	IR_T_DHCP,		/* DHCP udp 68 -> 67 on internal interfaces */
	IR_T_FORWARDED,		/* translated connections to forward targets */
	IR_T_PASSTHROUGH,	/* passthrough interface accept */
	IR_T_ANTISPOOF,		/* raw: spoofed source (reverse path, internal prefixes) */
	IR_T_IPV6,		/* IPv6 built-ins (ICMPv6, DHCPv6, block) */
	IR_T_CLUSTER,		/* a cluster's VRRP and conntrackd sync traffic */
	IR_T_CATCHALL,		/* the log before the chain policy */
	IR_T_UPNP,		/* connections miniupnpd mapped (forward) */
};

/*
 * One filter rule: all present matches must hold. Lists are sets (a packet
 * matches when it matches any element); an empty list is no match on that
 * field. Consecutive user rules of the same shape are merged by eval into
 * one rule whose list holds every line's elements, each element keeping
 * its own location.
 *
 * Conventions eval follows (backends may rely on them):
 * - family: a rule's addresses decide it. A rule with saddr or daddr is
 *   IR_F_IPV4 or IR_F_IPV6, and every element of both lists is of that
 *   family (a user line naming both families became one rule per family,
 *   the IPv4 one first). Without addresses, a rule with proto ICMP is
 *   IR_F_IPV4; one with proto ICMPV6, v6_linklocal_src or rpf is
 *   IR_F_IPV6; any other rule is IR_F_BOTH. An IPv6 user rule written
 *   with `icmp` has proto ICMPV6 and ICMPv6 types. With ir->ipv6 ==
 *   IR_IPV6_OPEN every rule is IR_F_IPV4 (the IPv6 part of a line is
 *   dropped with a warning) and no IPv6 table is emitted at all. A
 *   chain's policy holds for both tables.
 * - log: the backend emits a rule of its own with the same matches, rate
 *   limited by ir->log (rate, unit, prefix, level), right before the
 *   verdict rule. Rules with log: user rules with `log`, anti-spoofing, and
 *   the catch-all.
 * - IR_T_CATCHALL: no matches, log true, verdict the chain's policy
 *   (IR_V_DROP), family IR_F_BOTH; the last rule of a drop chain, present
 *   only while ir->log.catchall. A backend may leave out its verdict rule
 *   since the policy drops anyway.
 * - IR_V_REJECT: tcp reset for tcp, ICMP port-unreachable for udp,
 *   admin-prohibited for anything else (ICMPv6 equivalents in IPv6).
 * - user rules: proto tcp/udp without ports becomes two rules (tcp, then
 *   udp); with ports, one rule whose dports hold both protocols. iif is
 *   the `on` interface in input and forward, oif in output. A user rule's
 *   `on` may name any interface, declared or not.
 * - IR_T_ANTISPOOF (raw, strong): per external, {iif EXT, saddr internal
 *   networks and 127.0.0.0/8, log, drop} then {iif EXT, daddr
 *   127.0.0.0/8, log, drop}; IPv4. Then, with ipv6 firewall or block,
 *   per internal interface in policy order {iif INT, rpf strict, log,
 *   drop} and per external {iif EXT, rpf loose, log, drop}; IPv6 (never a
 *   passthrough interface: these rules name their interface). rpf is set
 *   on no other rule.
 * - IR_T_LOOPBACK: iif "lo". IR_T_INVALID: ct_state INVALID, drop.
 *   IR_T_ESTABLISHED: ct_state ESTABLISHED|RELATED, accept. All IR_F_BOTH.
 * - IR_T_LAN in input (strong only, as are input's IR_T_INVALID,
 *   IR_T_DHCP, IPv6 rules and catch-all): per internal interface {iif
 *   INT, saddr its networks} (IPv4) and, with ipv6 firewall or block,
 *   {iif INT} (IPv6). In
 *   forward: per (internal, external) pair {iif INT, oif EXT, saddr the
 *   sources NATed out of EXT: its networks without `masquerade`
 *   statements, else the masquerade sources for EXT plus the 1:1 private
 *   addresses on EXT, each cut to INT's own networks (no rule when nothing
 *   is left)} (IPv4), and {iif INT, oif EXT} (IPv6, ipv6 firewall).
 * - IR_T_INTERNAL: per ordered pair of distinct internal interfaces {iif
 *   A, oif B}, IR_F_BOTH (IPv4 only under ipv6 block/open).
 * - IR_T_DHCP: {iif INT, proto udp, sports udp 68, dports udp 67}, IPv4.
 * - IR_T_FORWARDED: only ct_dnat_forward (and accept), IPv4, no iif (so
 *   reflected connections, LAN to LAN, pass too); present when there are
 *   forwards. It admits a connection that one of ir->forwards translated:
 *   `ct status dnat`, the translated destination address and port being
 *   that forward's target for the public port the connection was
 *   originally addressed to (nft `ct original proto-dst`, iptables
 *   --ctorigdstport; gre/esp/ah: the target address and protocol), and,
 *   for a forward with `from`, the source in it. So a 1:1 DNAT (which
 *   keeps the port) or another forward to the same host never opens a
 *   port that a forward's own public port and `from` do not: a model of a
 *   packet (explain, lab) sets its "translated by a forward" flag only
 *   when a forward's DNAT took it, never for 1:1.
 * - IR_T_UPNP: {ct_state NEW, ct_dnat_upnp, accept}, IPv4, right after
 *   IR_T_FORWARDED, present with ir->upnp: a new connection that some
 *   DNAT translated and that miniupnpd's own forward rule accepted (the
 *   UPnP table marked it with IR_UPNP_MARK); the connection keeps the bit
 *   in its mark. Another tool's DNAT is never admitted by it.
 * - IR_T_PASSTHROUGH: {iif P} and, in forward, {oif P} (oif P in output),
 *   accept, IR_F_BOTH; the first rules of input, forward and output (the
 *   clamp-mss rule, from ir->clamp, stays before them in forward).
 * - IR_T_IPV6: under ipv6 block, {family IPv6, drop} first in forward after
 *   passthrough. Under ipv6 firewall: in forward, ICMPv6 errors
 *   (destination-unreachable, packet-too-big, time-exceeded,
 *   parameter-problem) accept. Under ipv6 firewall or block (the gateway's
 *   own IPv6 follows the level): in strong input, one ICMPv6 rule (errors,
 *   echo-request, echo-reply, router and neighbour solicitation and
 *   advertisement, multicast listener query, report, done and MLDv2
 *   report: RFC 4890) and DHCPv6 replies {udp sports 547 dports 546,
 *   v6_linklocal_src}, accept.
 * - IR_T_CLUSTER (with ir->cluster, both levels), in input right after
 *   the conntrack rules, IPv4: {iif SYNC, saddr PEER, udp dport
 *   IR_CLUSTER_SYNC_PORT, accept}, {udp dport IR_CLUSTER_SYNC_PORT,
 *   drop}, {iif VRRP, daddr IR_VRRP_GROUP, proto IR_P_VRRP, accept},
 *   {proto IR_P_VRRP, drop}: family IR_F_IPV4 although the drops name no
 *   address (VRRP and the sync run over IPv4).
 */
struct ir_rule {
	enum ir_rule_tag tag;
	struct loc loc;
	unsigned family;		/* enum ir_family */
	const char *iif, *oif;		/* NULL: any */
	struct ir_addrs saddr, daddr;	/* all of the rule's family (see above) */
	/*
	 * A live set the source or destination must be in (its name, interned;
	 * NULL: none); the address list of that side is then empty. Both
	 * families: the set has a half in each.
	 */
	const char *sset, *dset;
	bool saddr_neg, daddr_neg;	/* "not in" the list */
	uint8_t proto;			/* IR_P_ANY: any */
	/*
	 * Destination ports; each element has its own proto (tcp or udp).
	 * When the list is non-empty, proto is IR_P_TCP or IR_P_UDP if all
	 * elements share it, else IR_P_ANY (tcp/udp).
	 */
	struct ir_ports dports;
	struct ir_ports sports;		/* DHCP: source port 68 */
	/*
	 * ICMP types (ICMPv6 types for an IPv6-only rule) by number; names in
	 * tables.h (tables_icmp_name(), tables_icmpv6_name()). Empty: any type.
	 */
	uint8_t *icmp_types;
	struct loc *icmp_locs;
	size_t n_icmp, cap_icmp;
	bool v6_linklocal_src;		/* source in fe80::/10 (DHCPv6 replies) */
	enum ir_rpf rpf;		/* the source fails this reverse-path check (IPv6) */
	unsigned ct_state;		/* enum ir_ct_state; 0: no match */
	bool ct_dnat_forward;		/* translated by a forward: see IR_T_FORWARDED */
	bool ct_dnat_upnp;		/* translated and admitted by miniupnpd: see IR_T_UPNP */
	bool log;			/* a rate-limited log rule before the verdict */
	/*
	 * With log: its prefix, ir->log.prefix followed, for the catch-all and
	 * anti-spoofing, by the place: "input drop: ", "forward drop: ",
	 * "spoof drop: " (interned).
	 */
	const char *log_prefix;
	/*
	 * A user rule with `limit` (accept or reject): ct_state is
	 * IR_CT_NEW, and the backend emits the verdict rule rate-limited
	 * followed, in the same place, by a drop of the rest with the same
	 * matches (fail closed). Such a rule never merges with another line.
	 */
	struct ir_limit limit;
	enum ir_verdict verdict;
};

/*
 * present false: the chain would change nothing (accept policy, only
 * accepting rules); it has no rules then and is not emitted. The raw chain
 * is present only with firewall strong.
 */
struct ir_chain {
	bool present;			/* false: not emitted (only its accept policy) */
	enum ir_verdict policy;		/* IR_V_ACCEPT or IR_V_DROP */
	struct ir_rule *rules;
	size_t n, cap;
};

enum ir_level {
	IR_SIMPLE,
	IR_STRONG,
};

enum ir_ipv6_mode {
	IR_IPV6_FIREWALL,
	IR_IPV6_BLOCK,
	IR_IPV6_OPEN,
};

/*
 * Log prefixes: the kernel's nf_log keeps 127 bytes, iptables' LOG 29; the
 * catch-all appends its place, IR_LOG_PLACE_MAX bytes at most
 * ("forward drop: "), to the policy's prefix.
 */
#define IR_LOG_PLACE_MAX 14
#define IR_LOG_PREFIX_MAX (127 - IR_LOG_PLACE_MAX)
#define IR_LOG_PREFIX_MAX_IPT (29 - IR_LOG_PLACE_MAX)

struct ir_log {
	bool catchall;			/* false after `log off` */
	unsigned rate;			/* default 5 */
	enum ir_rate_unit unit;		/* default per minute */
	/*
	 * Default "masqgen: "; at most IR_LOG_PREFIX_MAX printable characters
	 * without " and \. The iptables backend allows IR_LOG_PREFIX_MAX_IPT.
	 */
	const char *prefix;
	struct loc prefix_loc;		/* the prefix's word; no src: the default */
	/* emerg alert crit err warning notice info debug; default "warning" */
	const char *level;
	struct loc loc;
};

/*
 * A live set (`set NAME`): an address set the policy declares and rules
 * look up by name (ir_rule.sset, dset); its elements change at run time
 * (`masqgen set add`, fail2ban), so the policy gives only the first ones.
 * elems: the initial elements, both families, a set (no overlaps).
 * timeout: seconds an element lives by default, 0: for ever.
 */
struct ir_set {
	const char *name;		/* interned */
	unsigned timeout;
	struct ir_addrs elems;
	struct loc loc;
};

struct ir_clamp {
	bool enabled;
	uint16_t mss;			/* 0: the route MTU (pmtu) */
	struct loc loc;
};

/* Conntrack timeouts in seconds; 0 leaves that one alone. */
struct ir_timeouts {
	unsigned tcp, tcpfin, udp;
	struct loc loc;
};

/*
 * A kernel setting written after the ruleset commits. key is the sysctl
 * below /proc/sys/ with dots ("net.ipv4.ip_forward",
 * "net.ipv4.conf.ppp0.rp_filter"); iface is set for per-interface ones
 * (build the /proc path from iface: a VLAN name holds a dot). Order:
 * net.ipv4.ip_forward=1; net.ipv4.ip_dynaddr=1 when an external is
 * dynamic; net.ipv4.conf.all.src_valid_mark=1 when an external has a wan
 * number (the reverse-path filter looks the source up with the mark that
 * routes the replies); then per `option` in policy order: conf.all, conf.default,
 * then conf.IFACE for every external and internal interface that is not a
 * wildcard. value is "1" or "0". Then, with IPv6 forwarding
 * (ir_ipv6_forwarding()): net.ipv6.conf.EXT.accept_ra "2" only_from "1"
 * for every external (forwarding=1 while it is 1 would delete the default
 * route learned from router advertisements; a wildcard's cannot be
 * written: apply warns);
 * net.ipv6.conf.default.forwarding and conf.IFACE.forwarding of every
 * interface that is not a wildcard, recorded only (value NULL,
 * changed_by "net.ipv6.conf.all.forwarding": writing all writes them);
 * net.ipv6.conf.all.forwarding=1. Settings are written in this order and
 * put back (flush, rollback) in the reverse one: forwarding before
 * accept_ra. Timeouts are not here: the iptables backend derives its
 * conntrack sysctls from ir->timeouts itself.
 */
struct ir_sysctl {
	const char *key;
	const char *value;	/* NULL: recorded only, never written */
	const char *iface;
	/* written only while the current value is this one (else a note); NULL: always */
	const char *only_from;
	/*
	 * With value NULL: the key of the setting whose write changes this
	 * one. Recorded only while masqgen has not yet changed that one (after
	 * that its present value is masqgen's doing).
	 */
	const char *changed_by;
	struct loc loc;
};

/*
 * The path of sysctl @key below /proc/sys: dots become slashes, except
 * those of @iface (NULL: none), a name that may hold dots ("eth0.10")
 * and sits right before the last component. The caller frees it.
 */
char *ir_sysctl_path(const char *key, const char *iface);

/*
 * An active/backup pair (LANGUAGE.md "Cluster"): this node's side of it.
 * keepalived runs VRRP (IR_P_VRRP to IR_VRRP_GROUP) on the internal
 * interface vrrp, the first with a virtual address; conntrackd syncs with
 * the peer over UDP IR_CLUSTER_SYNC_PORT on interface sync (never an
 * external). The interfaces' node_addr and virt hold the addresses.
 */
struct ir_cluster {
	bool present;
	const char *name;	/* interned */
	unsigned priority;	/* 1-254 */
	unsigned vrid;		/* 1-255; IR_VRRP_DEFAULT_ID when not given */
	uint32_t peer;
	const char *sync;	/* interned interface name */
	const char *vrrp;	/* interned internal interface name */
	struct loc loc;
};

#define IR_CLUSTER_SYNC_PORT 3780
#define IR_VRRP_GROUP 0xe0000012u	/* 224.0.0.18 */
#define IR_VRRP_DEFAULT_ID 51

struct ir {
	const char *policy_path;
	enum ir_level level;
	struct loc level_loc;
	enum ir_ipv6_mode ipv6;
	struct loc ipv6_loc;		/* the `ipv6` statement; no src: not written */

	struct ir_iface *ifaces;
	size_t n_ifaces, cap_ifaces;

	struct ir_snat *snats;
	size_t n_snats, cap_snats;

	struct ir_forward *forwards;	/* in policy order */
	size_t n_forwards, cap_forwards;

	struct ir_nat1to1 *nat1to1;
	size_t n_nat1to1, cap_nat1to1;

	struct ir_helper *helpers;
	size_t n_helpers, cap_helpers;

	struct ir_set *sets;		/* in policy order */
	size_t n_sets, cap_sets;

	struct ir_upnp upnp;

	struct ir_chain chain[IR_CH_COUNT];

	struct ir_log log;
	struct ir_clamp clamp;
	struct ir_timeouts timeouts;
	struct ir_cluster cluster;

	struct ir_sysctl *sysctls;	/* ip_forward first */
	size_t n_sysctls, cap_sysctls;

	char **strings;			/* interned names, owned */
	size_t n_strings, cap_strings;
	struct ir_intern *intern;	/* ir_intern()'s index over strings */
};

/*
 * Evaluate a loaded policy into a new IR. Every problem is reported
 * through diag (errors and warnings, all of them, not just the first);
 * returns NULL if there was any error. The caller owns the result.
 */
struct ir *ir_eval(const struct ast_file *f);

void ir_free(struct ir *ir);

/*
 * Does apply turn IPv6 forwarding on for @ir? When an internal interface
 * names an IPv6 prefix, or the policy writes `ipv6 firewall` or `ipv6
 * open` explicitly (users of prefix delegation cannot name a prefix);
 * never under `ipv6 block`, which forwards no IPv6 (the gateway stays an
 * IPv6 host that takes router advertisements). Returns the place that
 * asks for it (the `ipv6` line, else the first internal IPv6 prefix), or
 * NULL.
 */
const struct loc *ir_ipv6_forwarding(const struct ir *ir);

/* Free the lists @r owns (not @r itself). */
void ir_rule_free(struct ir_rule *r);

/* Interface lookups: the first interface of that name and role, or NULL. */
const struct ir_iface *ir_iface_find(const struct ir *ir, const char *name);
/* The live set called @name (no '@'), or NULL. */
const struct ir_set *ir_set_find(const struct ir *ir, const char *name);

/*
 * The addresses reflection captures, every external's static address, into
 * @out; false (and @out untouched) when an external is dynamic, because
 * nft and iptables cannot tell in prerouting which interface holds a local
 * address (the backends then capture every local address outside the
 * internal networks and 127/8).
 */
bool ir_external_addrs(const struct ir *ir, struct ir_addrs *out);

/* True when @a is an aligned prefix of its family; *len gets its length. */
bool ir_addr_prefix(const struct ir_addr *a, unsigned *len);

/* Room for any ir_addr_str() or ir_net_str(), NUL included. */
#define IR_ADDR_STRLEN 96

/*
 * "192.168.0.0/24", "10.0.0.1", "10.0.0.0-10.0.0.9", "2001:db8::/64",
 * "2001:db8::1-2001:db8::9", an identifier match "::10/::ffff:ffff:ffff:ffff";
 * buf >= IR_ADDR_STRLEN bytes.
 */
const char *ir_addr_str(const struct ir_addr *a, char *buf);
/* dotted quad of @addr; buf >= 16 bytes. */
const char *ir_ip_str(uint32_t addr, char *buf);
/* IPv6 @addr as its 16 bytes in network order, and back. */
void ir_ip6_bytes(ir_u128 addr, uint8_t *out);
ir_u128 ir_ip6_of_bytes(const uint8_t *in);
/* IPv6 @addr in RFC 5952 form (2001:db8::1); buf >= 40 bytes. */
const char *ir_ip6_str(ir_u128 addr, char *buf);
/* "192.168.0.0/24", "2001:db8:1::/64"; buf >= IR_ADDR_STRLEN bytes. */
const char *ir_net_str(const struct ir_net *n, char *buf);

/* The netmask of an IPv6 prefix of @len bits (0-128). */
ir_u128 ir_prefix_mask6(unsigned len);

/*
 * The bounds of @a and of @n as numbers of their family (an IPv4 address
 * widened), for code that treats both families alike.
 */
ir_u128 ir_addr_lo(const struct ir_addr *a);
/* @a's identifier mask: mask6 for an IPv6 identifier match, else 0. */
ir_u128 ir_addr_mask6(const struct ir_addr *a);
ir_u128 ir_addr_hi(const struct ir_addr *a);
ir_u128 ir_net_lo(const struct ir_net *n);
ir_u128 ir_net_hi(const struct ir_net *n);
/* The largest address of @family (IR_F_IPV4 or IR_F_IPV6). */
ir_u128 ir_family_max(unsigned family);
/* @a with bounds [@lo, @hi] of @family (the other pair 0) and place @loc. */
struct ir_addr ir_addr_make(unsigned family, ir_u128 lo, ir_u128 hi, const struct loc *loc);

/* "tcp", "udp", "icmp", "gre", "esp", "ah", "icmpv6", "any", else the number ("41"). */
const char *ir_proto_name(uint8_t proto);

/*
 * The short name of a rule tag for rule comments: "loopback",
 * "anti-spoofing", "catch-all", ...; "rule" for IR_T_USER.
 */
const char *ir_tag_name(enum ir_rule_tag tag);

/* @s interned in @ir: equal strings give the same pointer, owned by @ir. */
const char *ir_intern(struct ir *ir, const char *s);

/*
 * Report, as errors at their policy lines, what a modern target (nft,
 * iptables) cannot express: helpers that exist only for 2.2/2.0 kernels
 * (HOWTO 2.6). `check` without -t judges against nft and calls it too.
 * Returns 0, or -1 after reporting.
 */
int ir_check_modern(const struct ir *ir);

/* Report each live set as an error at its line: @target has no sets. -1 when any. */
int ir_check_no_sets(const struct ir *ir, const char *target);

#endif
