/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_model.h - the one description of masqgen's nftables tables.
 *
 * nft_lower() builds it from the IR; nft_text.c prints it as an `nft -f`
 * script and nft_build.c turns it into netlink messages. Both walk the same
 * structures, so they describe the same ruleset: everything either printer
 * needs is decided here (element order, merged intervals, set names and
 * kinds, comments), never in a printer.
 *
 * A rule is its matches (all must hold) followed by its statements. The
 * vocabulary is deliberately small: each selector and statement is one
 * well-known nft construct with one bytecode shape.
 *
 * One owner: the model owns every string and array reachable from it
 * (nft_model_free()); interface names point into the IR, which must
 * outlive the model.
 */
#ifndef MASQGEN_NFT_MODEL_H
#define MASQGEN_NFT_MODEL_H

#include "diag.h"
#include "ir.h"
#include "nft.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nft_fam {
	NFT_FAM_IP,
	NFT_FAM_IP6,
	NFT_FAM_COUNT
};

/* What a match reads. */
enum nft_sel {
	NFT_SEL_IIFNAME,	/* meta iifname; value: name (ir form, '+' wildcard) */
	NFT_SEL_OIFNAME,
	NFT_SEL_FIB_OIFNAME,	/* fib daddr oifname: the route's interface; value: name */
	NFT_SEL_L4PROTO,	/* meta l4proto */
	NFT_SEL_SADDR,		/* ip saddr (IPv4 only) */
	NFT_SEL_DADDR,		/* ip daddr */
	NFT_SEL_SADDR6,		/* ip6 saddr; value: lo6, hi6 */
	NFT_SEL_DADDR6,		/* ip6 daddr */
	NFT_SEL_TCP_DPORT,
	NFT_SEL_UDP_DPORT,
	NFT_SEL_TCP_SPORT,
	NFT_SEL_UDP_SPORT,
	NFT_SEL_ICMP_TYPE,
	NFT_SEL_ICMPV6_TYPE,
	NFT_SEL_CT_STATE,	/* value: enum ir_ct_state bits, matches any of them */
	/* Flag-like selectors: no value. */
	NFT_SEL_CT_DNAT,	/* ct status dnat */
	NFT_SEL_FIB_LOCAL_IIF,	/* fib daddr . iif type local */
	NFT_SEL_FIB_LOCAL,	/* fib daddr type local */
	NFT_SEL_TCP_SYN,	/* tcp flags syn */
	NFT_SEL_IP6_LINKLOCAL,	/* ip6 saddr fe80::/10 */
	NFT_SEL_CT_MARK_WAN,	/* ct mark & 0x000f0000 != 0: a connection of a numbered external */
	NFT_SEL_MARK_UPNP,	/* meta mark & 0x00100000 != 0: miniupnpd admitted it (IR_UPNP_MARK) */
	/* ip6 saddr != :: fib saddr . iif oif missing: the strict reverse-path check fails */
	NFT_SEL_RPF_STRICT,
	NFT_SEL_RPF_LOOSE,	/* ip6 saddr != :: fib saddr oif missing */
	/* Set lookups on a concatenation (value: NFT_V_SET only). */
	NFT_SEL_TARGET,		/* ip daddr . meta l4proto . th dport */
	NFT_SEL_PROTO_TARGET,	/* ip daddr . meta l4proto */
	NFT_SEL_TARGET6,	/* ip6 daddr . meta l4proto . th dport */
	/* ip daddr . tcp|udp dport . ct original proto-dst: forward admission */
	NFT_SEL_ADMIT_TCP,
	NFT_SEL_ADMIT_UDP,
};

enum nft_val {
	NFT_V_NONE,		/* flag-like selector */
	NFT_V_EQ,		/* lo */
	NFT_V_RANGE,		/* lo-hi; an address range prints as a prefix when aligned */
	NFT_V_SET,		/* the table's set number `set` */
};

struct nft_match {
	enum nft_sel sel;
	enum nft_val val;
	bool neg;
	uint32_t lo, hi;
	ir_u128 lo6, hi6;	/* NFT_SEL_SADDR6, NFT_SEL_DADDR6 */
	/*
	 * NFT_SEL_SADDR6/DADDR6 with NFT_V_EQ: an interface identifier match
	 * `ip6 daddr & mask6 == lo6` (lo6 == hi6, inside mask6); 0: none
	 */
	ir_u128 mask6;
	const char *ifname;	/* NFT_SEL_IIFNAME/OIFNAME */
	size_t set;
};

enum nft_stmt_kind {
	NFT_S_COUNTER,
	NFT_S_LIMIT,		/* a (rate), unit, burst */
	NFT_S_LOG,		/* str (prefix), level */
	NFT_S_ACCEPT,
	NFT_S_DROP,
	NFT_S_REJECT,		/* reject */
	NFT_S_DNAT,		/* a (address), port (0: unchanged) */
	NFT_S_SNAT,		/* a */
	NFT_S_DNAT_MAP,		/* dnat ip to meta l4proto . th dport map `set` */
	NFT_S_MASQ,
	NFT_S_CT_HELPER,	/* str: the object's name */
	NFT_S_CT_TIMEOUT,	/* str */
	NFT_S_MSS,		/* port: the MSS, 0: rt mtu */
	NFT_S_CT_MARK_WAN,	/* ct mark set ct mark & 0xfff0ffff | a (a: IR_WAN_MASK bits) */
	NFT_S_MARK_WAN,		/* meta mark set ct mark & 0x000f0000 */
	/*
	 * update @set { ip saddr limit rate a/unit burst burst packets }; in
	 * the ip6 table the source's /64 (ip6 saddr & ffff:ffff:ffff:ffff::)
	 */
	NFT_S_METER,
	NFT_S_CT_MARK_UPNP,	/* ct mark set ct mark | 0x00100000 */
	NFT_S_MARK_UPNP_SET,	/* meta mark set meta mark | 0x00100000 */
	NFT_S_MARK_UPNP_CLEAR,	/* meta mark set meta mark & 0xffefffff */
	NFT_S_JUMP,		/* jump str (a regular chain of the same table) */
};

enum nft_reject {
	NFT_REJ_TCP_RESET,
	NFT_REJ_PORT_UNREACH,
	NFT_REJ_ADMIN_PROHIB,
};

/* Syslog levels as nft numbers them (LOG_EMERG..LOG_DEBUG). */
struct nft_stmt {
	enum nft_stmt_kind kind;
	uint32_t a;
	uint16_t port;
	enum ir_rate_unit unit;
	uint32_t burst;		/* NFT_S_LIMIT, NFT_S_METER: packets at once */
	unsigned level;
	enum nft_reject reject;
	const char *str;	/* points into the model or the IR */
	size_t set;
	uint64_t packets, bytes;	/* NFT_S_COUNTER of a loaded table (nft_dump.h) */
};

struct nft_rule {
	struct nft_match *m;
	size_t n_m, cap_m;
	struct nft_stmt *s;
	size_t n_s, cap_s;
	char *comment;		/* the policy place, "howto.masq:12" */
	struct loc loc;
};

enum nft_set_kind {
	NFT_SK_ADDR,		/* ipv4_addr, always an interval set */
	NFT_SK_ADDR6,		/* ipv6_addr, always an interval set (key: k6, hi6) */
	NFT_SK_PORT,		/* inet_service; interval when a range is present */
	NFT_SK_ICMP,		/* icmp_type */
	NFT_SK_ICMPV6,		/* icmpv6_type */
	NFT_SK_FWD_MAP,		/* inet_proto . inet_service : ipv4_addr . inet_service */
	NFT_SK_TARGET,		/* ipv4_addr . inet_proto . inet_service */
	NFT_SK_PROTO_TARGET,	/* ipv4_addr . inet_proto */
	NFT_SK_ADMIT,		/* ipv4_addr . inet_service . inet_service */
	NFT_SK_TARGET6,		/* ipv6_addr . inet_proto . inet_service (k6 . k[1] . k[2]); the last */
};

/*
 * A set element: key fields k[] (k[0] with hi for an interval), map data
 * d[] (address, port); an IPv6 address key is k6 (with hi6 for an
 * interval) in place of k[0]. Intervals of an interval set are sorted,
 * disjoint and, in anonymous sets, never adjacent (nft would merge them).
 */
struct nft_elem {
	uint32_t k[3];
	uint32_t hi;
	uint32_t d[2];
	char *comment;
	ir_u128 k6, hi6;
	/* a live set's element read from the kernel: its timeout and time left, ms (0: none) */
	uint64_t timeout, expires;
};

struct nft_set {
	char *name;		/* NULL: anonymous, printed inside its rule */
	enum nft_set_kind kind;
	enum nft_sel sel;	/* anonymous: what the rule looks up */
	bool interval;
	/* anonymous, looked up under an identifier mask: nft writes no typeof */
	bool masked;
	/*
	 * A live set (ir_set): its elements change at run time, apply keeps
	 * them (nft_delta.c); no size limit. A meter of NFT_S_METER (ADDR or
	 * ADDR6 key, dynamic): flags dynamic,timeout, size IR_LIMIT_SOURCES,
	 * its elements the kernel's own (never dumped or changed by apply).
	 * timeout: the default lifetime of its elements in seconds; 0, none
	 * (a live set then has no timeout flag).
	 */
	bool live;
	bool dynamic;
	uint32_t timeout;
	struct nft_elem *v;
	size_t n, cap;
};

static inline bool nft_set_v6(const struct nft_set *s)
{
	return s->kind == NFT_SK_ADDR6 || s->kind == NFT_SK_TARGET6;
}

/* An interval element's bounds whatever the set's key (k[0] or k6). */
static inline ir_u128 nft_elem_lo(const struct nft_set *s, const struct nft_elem *e)
{
	return nft_set_v6(s) ? e->k6 : e->k[0];
}

static inline ir_u128 nft_elem_hi(const struct nft_set *s, const struct nft_elem *e)
{
	return s->kind == NFT_SK_ADDR6 ? e->hi6 : e->hi;
}

/* Set the upper bound of interval element @e of @s. */
static inline void nft_elem_set_hi(const struct nft_set *s, struct nft_elem *e, ir_u128 hi)
{
	if (s->kind == NFT_SK_ADDR6)
		e->hi6 = hi;
	else
		e->hi = (uint32_t)hi;
}

/* The largest key of an interval set (no end element follows it). */
static inline ir_u128 nft_set_key_max(const struct nft_set *s)
{
	return s->kind == NFT_SK_ADDR6 ? ~(ir_u128)0 : s->kind == NFT_SK_PORT ? UINT16_MAX
										 : UINT32_MAX;
}

struct nft_helper_obj {
	char *name;
	const char *kname;	/* kernel helper name, points into the IR */
	uint8_t proto;
	struct loc loc;
};

/* ct timeout states masqgen sets, in the kernel's order per protocol. */
enum {
	NFT_TO_TCP_ESTABLISHED = 2,
	NFT_TO_TCP_FIN_WAIT = 3,
	NFT_TO_TCP_CLOSE_WAIT = 4,
	NFT_TO_TCP_LAST_ACK = 5,
	NFT_TO_TCP_TIME_WAIT = 6,
	NFT_TO_UDP_REPLIED = 1,
	NFT_TO_MAX = 11,
};

struct nft_timeout_obj {
	char *name;
	uint8_t proto;
	uint32_t secs[NFT_TO_MAX];	/* 0: left at the kernel's default */
	struct loc loc;
};

enum nft_hook {
	NFT_HOOK_PREROUTING,
	NFT_HOOK_INPUT,
	NFT_HOOK_FORWARD,
	NFT_HOOK_OUTPUT,
	NFT_HOOK_POSTROUTING,
	NFT_HOOK_COUNT
};

struct nft_chain {
	const char *name;
	bool regular;		/* no hook: entered by a jump (the UPnP table's own chains) */
	bool nat;		/* type nat, else type filter */
	bool route;		/* type route (output: a changed mark reroutes) */
	enum nft_hook hook;
	int prio;
	bool drop;		/* policy drop */
	struct nft_rule *v;
	size_t n, cap;
};

struct nft_table {
	bool present;
	bool loaded;			/* read from the kernel: counters print their values */
	char **strs;			/* strings a loaded table owns (names, prefixes) */
	size_t n_strs, cap_strs;
	struct nft_helper_obj *helpers;
	size_t n_helpers, cap_helpers;
	struct nft_timeout_obj *timeouts;
	size_t n_timeouts, cap_timeouts;
	struct nft_set *sets;		/* named and anonymous, in creation order */
	size_t n_sets, cap_sets;
	struct nft_chain *chains;
	size_t n_chains, cap_chains;
};

struct nft_model {
	struct nft_table t[NFT_FAM_COUNT];
	/* `table inet masqgen_upnp` (nft_upnp.c); present with a `upnp` line */
	struct nft_table upnp;
};

/* nft_model.c: building blocks for the lowering. */

/* A new rule at the end of @c with @comment (taken). */
struct nft_rule *nft_rule_add(struct nft_chain *c, char *comment, const struct loc *loc);
/* A copy of rule @idx's matches and comment in a new last rule of @c. */
struct nft_rule *nft_rule_clone_matches(struct nft_chain *c, size_t idx);
struct nft_match *nft_match_add(struct nft_rule *r, enum nft_sel sel, enum nft_val val);
void nft_match_flag(struct nft_rule *r, enum nft_sel sel);
void nft_match_eq(struct nft_rule *r, enum nft_sel sel, uint32_t v);
void nft_match_ifname(struct nft_rule *r, enum nft_sel sel, const char *name);
struct nft_stmt *nft_stmt_add(struct nft_rule *r, enum nft_stmt_kind kind);

/* A new set of @kind in @t; @name NULL for an anonymous one (taken). */
size_t nft_set_new(struct nft_table *t, char *name, enum nft_set_kind kind);
struct nft_elem *nft_elem_add(struct nft_set *s, char *comment);
/*
 * Room for @n more elements in @s, taken once (a set of thousands of
 * forwards is not copied as it grows; pages never filled cost nothing).
 */
void nft_set_reserve(struct nft_set *s, size_t n);
/* Forget the table's last set (a list that became something else). */
void nft_set_drop_last(struct nft_table *t);

/*
 * Normalize the elements of set @idx: sort, drop duplicates (the first
 * keeps its comment) and, for interval sets, merge overlapping intervals
 * and, when @merge_adjacent, touching ones.
 */
void nft_set_normalize(struct nft_table *t, size_t idx, bool merge_adjacent);

/* "FILE:LINE" of @loc, or @tag when it has no place; fit for an nft comment. */
char *nft_comment(const struct loc *loc, const char *tag);

/* An element's comment: its policy place, or NULL for a built-in one. */
char *nft_elem_comment(const struct loc *loc);

/* The name of live set @name's half in table @fam: "NAME_v4", "NAME_v6" (caller frees). */
char *nft_live_set_name(const char *name, enum nft_fam fam);

/* The first named set called @name, or SIZE_MAX. */
size_t nft_set_find(const struct nft_table *t, const char *name);

/*
 * The size a named set is declared with: room for its netlink elements
 * (an interval set sends a start and an end per interval) and half as
 * many again, rounded up to a power of two, at least 64. The kernel sizes
 * its hash table from it once instead of growing it element by element;
 * it is also the most elements the set can hold.
 */
uint32_t nft_set_size(const struct nft_set *s);

/* Protocol names as nft reads them ("tcp", "gre", "icmpv6"), or NULL. */
const char *nft_proto_name(uint8_t proto);

/*
 * nft_upnp.c: the UPnP table, miniupnpd's regular chains and masqgen's
 * base chains that enter them, into the empty @t.
 */
#define NFT_UPNP_FORWARD "upnp_forward"
#define NFT_UPNP_PREROUTING "upnp_prerouting"
#define NFT_UPNP_POSTROUTING "upnp_postrouting"
void nft_upnp_lower(struct nft_table *t);

/* nft_lower*.c: shared between the lowering files. */
struct nft_lower {
	const struct ir *ir;
	struct nft_model *m;
	size_t targets;		/* ip table set numbers, SIZE_MAX when absent */
	size_t proto_targets;
	size_t admit[2];	/* fwd_admit_tcp, fwd_admit_udp */
};

/* A copy of @s (NULL: "") that @t owns: a name or prefix of a loaded table. */
const char *nft_table_str(struct nft_table *t, const char *s);

/* Anonymous sets hold at most this many elements; larger lists get a named set. */
#define NFT_ANON_MAX 16

/* Open a base chain in @t; nft_chain_end() drops it again if it says nothing. */
struct nft_chain *nft_chain_begin(struct nft_table *t, const char *name, bool nat,
				  enum nft_hook hook, int prio, bool drop);
void nft_chain_end(struct nft_table *t);
/* The chain's type as nft names it: "nat", "route" or "filter". */
const char *nft_chain_type(const struct nft_chain *c);

/*
 * Match @sel against a list: nft_match_list() takes set @idx, the table's
 * last, holding at least one element; the others collect it from the IR
 * (nothing for an empty list). The result is a plain value for one element,
 * else an anonymous set, or a named set @set_name (taken; freed when
 * unused; reused when a set of that name exists) when it holds more than
 * NFT_ANON_MAX elements or touching intervals of different policy lines
 * (nft would merge them in an anonymous set, losing a line's comment).
 */
void nft_match_list(struct nft_table *t, struct nft_rule *r, enum nft_sel sel, bool neg,
		    size_t idx, char *set_name);
/* nft_match_addrs(): @sel is NFT_SEL_SADDR or DADDR; an IPv6 list makes it SADDR6/DADDR6. */
void nft_match_addrs(struct nft_table *t, struct nft_rule *r, enum nft_sel sel,
		     const struct ir_addrs *a, bool neg, char *set_name);
/* The same for the ports of protocol @proto in @p. */
void nft_match_ports(struct nft_table *t, struct nft_rule *r, enum nft_sel sel,
		     const struct ir_ports *p, uint8_t proto, char *set_name);

void nft_lower_filter(struct nft_lower *lc, enum nft_fam fam);
/* The admission elements of port forward @f, port by port (nft_model.c). */
void nft_admit_elems(struct nft_set *s, const struct ir_forward *f);

/*
 * nft_text.c: one rule of @t as nft text, matches and statements without
 * the comment; one element of @s (with its comment when @comment).
 */
struct strbuf;
void nft_text_rule(struct strbuf *sb, const struct nft_table *t, enum nft_fam fam,
		   const struct nft_rule *r);
void nft_text_elem(struct strbuf *sb, const struct nft_set *s, const struct nft_elem *e,
		   bool comment);
/* An IPv4 address; a protocol by its nft name, else its number. */
void nft_text_ip(struct strbuf *sb, uint32_t a);
/* An IPv6 address as nft prints it. */
void nft_text_ip6(struct strbuf *sb, ir_u128 a);
void nft_text_proto(struct strbuf *sb, uint32_t p);

#endif
