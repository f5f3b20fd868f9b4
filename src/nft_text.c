// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_text.c - the model as an `nft -f` script (`generate -t nft`).
 *
 * Each table is replaced atomically whether or not it exists: `table`
 * creates it if missing, `delete table` removes it with everything in it,
 * and the full definition follows, all in the one transaction nft -f
 * makes of a file. A family masqgen no longer uses is only deleted.
 */
#include "escape.h"
#include "ir.h"
#include "nft.h"
#include "nft_model.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const family_names[NFT_FAM_COUNT] = {"ip", "ip6"};

void nft_text_ip(struct strbuf *sb, uint32_t a)
{
	char text[16], *p = text + sizeof(text);
	int i;

	/* from the last octet back, each at most three digits */
	for (i = 0; i < 4; i++, a >>= 8) {
		unsigned octet = a & 0xff;

		if (i)
			*--p = '.';
		do
			*--p = (char)('0' + octet % 10);
		while ((octet /= 10));
	}
	sb_addn(sb, p, (size_t)(text + sizeof(text) - p));
}

void nft_text_ip6(struct strbuf *sb, ir_u128 a)
{
	char buf[IR_ADDR_STRLEN];

	sb_add(sb, ir_ip6_str(a, buf));
}

/* An IPv6 interval as nft prints it: an address, a prefix, or a range. */
static void print_addr6_range(struct strbuf *sb, ir_u128 lo, ir_u128 hi)
{
	struct ir_addr a = ir_addr_make(IR_F_IPV6, lo, hi, NULL);
	char buf[IR_ADDR_STRLEN];

	sb_add(sb, ir_addr_str(&a, buf));
}

/* @s as an nft double-quoted string. */
static void print_string(struct strbuf *sb, const char *s)
{
	sb_add(sb, "\"");
	escape_nft_string(sb, s);
	sb_add(sb, "\"");
}

/*
 * nft reads "$name" inside a log prefix as a variable and has no escape
 * for '$', but takes a define's value as it is: a prefix holding '$' is
 * the define named after its bytes. @define: the define line, else the
 * reference.
 */
static void print_prefix_define(struct strbuf *sb, const char *prefix, bool define)
{
	const unsigned char *p;

	sb_add(sb, define ? "define masqgen_log_" : "\"$masqgen_log_");
	for (p = (const unsigned char *)prefix; *p; p++)
		sb_addf(sb, "%02x", *p);
	if (define) {
		sb_add(sb, " = ");
		print_string(sb, prefix);
		sb_add(sb, "\n");
	} else {
		sb_add(sb, "\"");
	}
}

/* An address interval as nft prints it: an address, a prefix, or a range. */
static void print_addr_range(struct strbuf *sb, uint32_t lo, uint32_t hi)
{
	unsigned len;

	nft_text_ip(sb, lo);
	if (lo == hi)
		return;
	for (len = 1; len < 32; len++) {
		uint32_t host = ~0u >> len;

		if ((lo & host) == 0 && hi == (lo | host)) {
			sb_add(sb, "/");
			sb_addu(sb, len);
			return;
		}
	}
	sb_add(sb, "-");
	nft_text_ip(sb, hi);
}

void nft_text_proto(struct strbuf *sb, uint32_t p)
{
	const char *name = nft_proto_name((uint8_t)p);

	if (name)
		sb_add(sb, name);
	else
		sb_addu(sb, p);
}

static const char *icmp_name(uint32_t type, bool v6)
{
	static const char *const v4[] = {
		[0] = "echo-reply",	   [3] = "destination-unreachable",
		[4] = "source-quench",	   [5] = "redirect",
		[8] = "echo-request",	   [9] = "router-advertisement",
		[10] = "router-solicitation", [11] = "time-exceeded",
		[12] = "parameter-problem", [13] = "timestamp-request",
		[14] = "timestamp-reply",
	};
	static const char *const v6low[] = {
		[1] = "destination-unreachable", [2] = "packet-too-big",
		[3] = "time-exceeded",		 [4] = "parameter-problem",
	};
	static const char *const v6high[] = {
		[0] = "echo-request",	     [1] = "echo-reply",
		[2] = "mld-listener-query",  [3] = "mld-listener-report",
		[4] = "mld-listener-done",   [5] = "nd-router-solicit",
		[6] = "nd-router-advert",    [7] = "nd-neighbor-solicit",
		[8] = "nd-neighbor-advert",  [9] = "nd-redirect",
		[15] = "mld2-listener-report",
	};

	if (!v6)
		return type < ARRAY_SIZE(v4) ? v4[type] : NULL;
	if (type < ARRAY_SIZE(v6low))
		return v6low[type];
	if (type >= 128 && type - 128 < ARRAY_SIZE(v6high))
		return v6high[type - 128];
	return NULL;
}

/* A single value of selector @sel. */
static void print_value(struct strbuf *sb, enum nft_sel sel, uint32_t lo, uint32_t hi)
{
	const char *name;

	switch (sel) {
	case NFT_SEL_SADDR:
	case NFT_SEL_DADDR:
		print_addr_range(sb, lo, hi);
		return;
	case NFT_SEL_L4PROTO:
		nft_text_proto(sb, lo);
		return;
	case NFT_SEL_ICMP_TYPE:
	case NFT_SEL_ICMPV6_TYPE:
		name = icmp_name(lo, sel == NFT_SEL_ICMPV6_TYPE);
		if (name)
			sb_add(sb, name);
		else
			sb_addf(sb, "%u", lo);
		return;
	case NFT_SEL_CT_STATE: {
		static const char *const states[] = {"invalid", "established", "related", "new"};
		static const unsigned bits[] = {IR_CT_INVALID, IR_CT_ESTABLISHED, IR_CT_RELATED,
						IR_CT_NEW};
		const char *sep = "";
		size_t i;

		for (i = 0; i < ARRAY_SIZE(bits); i++) {
			if (lo & bits[i]) {
				sb_addf(sb, "%s%s", sep, states[i]);
				sep = ",";
			}
		}
		return;
	}
	default:
		sb_addu(sb, lo);
		if (hi != lo) {
			sb_add(sb, "-");
			sb_addu(sb, hi);
		}
		return;
	}
}

void nft_text_elem(struct strbuf *sb, const struct nft_set *s, const struct nft_elem *e,
		   bool comment)
{
	switch (s->kind) {
	case NFT_SK_ADDR:
		print_addr_range(sb, e->k[0], e->hi);
		break;
	case NFT_SK_ADDR6:
		print_addr6_range(sb, e->k6, e->hi6);
		break;
	case NFT_SK_PORT:
		print_value(sb, NFT_SEL_TCP_DPORT, e->k[0], s->interval ? e->hi : e->k[0]);
		break;
	case NFT_SK_ICMP:
	case NFT_SK_ICMPV6:
		print_value(sb, s->kind == NFT_SK_ICMP ? NFT_SEL_ICMP_TYPE : NFT_SEL_ICMPV6_TYPE,
			    e->k[0], e->k[0]);
		break;
	case NFT_SK_FWD_MAP:
		nft_text_proto(sb, e->k[0]);
		sb_add(sb, " . ");
		sb_addu(sb, e->k[1]);
		break;
	case NFT_SK_TARGET:
	case NFT_SK_PROTO_TARGET:
		nft_text_ip(sb, e->k[0]);
		sb_add(sb, " . ");
		nft_text_proto(sb, e->k[1]);
		if (s->kind == NFT_SK_TARGET) {
			sb_add(sb, " . ");
			sb_addu(sb, e->k[2]);
		}
		break;
	case NFT_SK_ADMIT:
		nft_text_ip(sb, e->k[0]);
		sb_add(sb, " . ");
		sb_addu(sb, e->k[1]);
		sb_add(sb, " . ");
		sb_addu(sb, e->k[2]);
		break;
	case NFT_SK_TARGET6:
		nft_text_ip6(sb, e->k6);
		sb_add(sb, " . ");
		nft_text_proto(sb, e->k[1]);
		sb_add(sb, " . ");
		sb_addu(sb, e->k[2]);
		break;
	}
	if (e->timeout && e->timeout != (uint64_t)s->timeout * 1000)
		sb_addf(sb, " timeout %llus", (unsigned long long)(e->timeout / 1000));
	if (e->expires)
		sb_addf(sb, " expires %llus", (unsigned long long)((e->expires + 999) / 1000));
	if (comment && e->comment) {
		sb_add(sb, " comment ");
		print_string(sb, e->comment);
	}
	if (s->kind == NFT_SK_FWD_MAP) {
		sb_add(sb, " : ");
		nft_text_ip(sb, e->d[0]);
		sb_add(sb, " . ");
		sb_addu(sb, e->d[1]);
	}
}

/* Elements inline (anonymous sets) or one a line (named sets). */
static void print_elems(struct strbuf *sb, const struct nft_set *s, const char *indent)
{
	size_t i;

	sb_add(sb, "{");
	for (i = 0; i < s->n; i++) {
		if (indent) {
			sb_add(sb, "\n");
			sb_add(sb, indent);
			sb_add(sb, "\t");
		}
		else
			sb_add(sb, " ");
		nft_text_elem(sb, s, &s->v[i], true);
		if (i + 1 < s->n)
			sb_add(sb, ",");
		sb_spill(sb);
	}
	if (indent)
		sb_addf(sb, "\n%s}", indent);
	else
		sb_add(sb, " }");
}

static void print_set_ref(struct strbuf *sb, const struct nft_table *t, size_t idx)
{
	const struct nft_set *s = &t->sets[idx];

	if (s->name)
		sb_addf(sb, "@%s", s->name);
	else
		print_elems(sb, s, NULL);
}

static const char *const sel_text[] = {
	[NFT_SEL_IIFNAME] = "iifname",
	[NFT_SEL_OIFNAME] = "oifname",
	[NFT_SEL_FIB_OIFNAME] = "fib daddr oifname",
	[NFT_SEL_L4PROTO] = "meta l4proto",
	[NFT_SEL_SADDR] = "ip saddr",
	[NFT_SEL_DADDR] = "ip daddr",
	[NFT_SEL_SADDR6] = "ip6 saddr",
	[NFT_SEL_DADDR6] = "ip6 daddr",
	[NFT_SEL_TCP_DPORT] = "tcp dport",
	[NFT_SEL_UDP_DPORT] = "udp dport",
	[NFT_SEL_TCP_SPORT] = "tcp sport",
	[NFT_SEL_UDP_SPORT] = "udp sport",
	[NFT_SEL_ICMP_TYPE] = "icmp type",
	[NFT_SEL_ICMPV6_TYPE] = "icmpv6 type",
	[NFT_SEL_CT_STATE] = "ct state",
	[NFT_SEL_CT_DNAT] = "ct status dnat",
	[NFT_SEL_FIB_LOCAL_IIF] = "fib daddr . iif type local",
	[NFT_SEL_FIB_LOCAL] = "fib daddr type local",
	[NFT_SEL_TCP_SYN] = "tcp flags syn",
	[NFT_SEL_IP6_LINKLOCAL] = "ip6 saddr fe80::/10",
	[NFT_SEL_CT_MARK_WAN] = "ct mark & 0x000f0000 != 0",
	[NFT_SEL_MARK_UPNP] = "meta mark & 0x00100000 != 0",
	[NFT_SEL_RPF_STRICT] = "ip6 saddr != :: fib saddr . iif oif missing",
	[NFT_SEL_RPF_LOOSE] = "ip6 saddr != :: fib saddr oif missing",
	[NFT_SEL_TARGET] = "ip daddr . meta l4proto . th dport",
	[NFT_SEL_PROTO_TARGET] = "ip daddr . meta l4proto",
	[NFT_SEL_TARGET6] = "ip6 daddr . meta l4proto . th dport",
	[NFT_SEL_ADMIT_TCP] = "ip daddr . tcp dport . ct original proto-dst",
	[NFT_SEL_ADMIT_UDP] = "ip daddr . udp dport . ct original proto-dst",
};

/* An interface name; a trailing '+' (any suffix) is nft's '*'. */
static void print_ifname(struct strbuf *sb, const char *name)
{
	size_t len = strlen(name);

	bool any = len && name[len - 1] == '+';
	char *base = xstrndup(name, any ? len - 1 : len);

	sb_add(sb, "\"");
	escape_nft_string(sb, base);
	sb_add(sb, any ? "*\"" : "\"");
	free(base);
}

static void print_match(struct strbuf *sb, const struct nft_table *t, const struct nft_match *m)
{
	sb_add(sb, sel_text[m->sel]);
	if (m->val == NFT_V_NONE)
		return;
	if (m->mask6) {
		/* nft 1.0.6 takes no ADDR/MASK: the bitwise form nft itself lists */
		sb_add(sb, " & ");
		nft_text_ip6(sb, m->mask6);
		if (m->val == NFT_V_SET) {
			/* several identifiers: LANGUAGE.md's `& MASK { ::10, ::20 }` */
			sb_add(sb, m->neg ? " != " : " ");
			print_set_ref(sb, t, m->set);
			return;
		}
		sb_add(sb, m->neg ? " != " : " == ");
		nft_text_ip6(sb, m->lo6);
		return;
	}
	sb_add(sb, m->neg ? " != " : " ");
	if (m->val == NFT_V_SET)
		print_set_ref(sb, t, m->set);
	else if (m->ifname)
		print_ifname(sb, m->ifname);
	else if (m->sel == NFT_SEL_SADDR6 || m->sel == NFT_SEL_DADDR6)
		print_addr6_range(sb, m->lo6, m->val == NFT_V_RANGE ? m->hi6 : m->lo6);
	else
		print_value(sb, m->sel, m->lo, m->val == NFT_V_RANGE ? m->hi : m->lo);
}

static const char *const log_levels[] = {"emerg", "alert", "crit", "err",
					 "warn",  "notice", "info", "debug"};

static void print_stmt(struct strbuf *sb, const struct nft_table *t, enum nft_fam fam,
		       const struct nft_stmt *s)
{
	static const char *const units[] = {
		[IR_PER_SECOND] = "second", [IR_PER_MINUTE] = "minute", [IR_PER_HOUR] = "hour"};

	switch (s->kind) {
	case NFT_S_COUNTER:
		sb_add(sb, "counter");
		if (t->loaded)
			sb_addf(sb, " packets %llu bytes %llu", (unsigned long long)s->packets,
				(unsigned long long)s->bytes);
		break;
	case NFT_S_LIMIT:
		sb_addf(sb, "limit rate %u/%s", s->a, units[s->unit]);
		if (s->burst != 5)	/* nft's default */
			sb_addf(sb, " burst %u packets", s->burst);
		break;
	case NFT_S_METER:
		sb_addf(sb, "update @%s { %s limit rate %u/%s burst %u packets }",
			t->sets[s->set].name,
			fam == NFT_FAM_IP6 ? "ip6 saddr & ffff:ffff:ffff:ffff::" : "ip saddr", s->a,
			units[s->unit], s->burst);
		break;
	case NFT_S_LOG:
		sb_add(sb, "log prefix ");
		if (strchr(s->str, '$'))
			print_prefix_define(sb, s->str, false);
		else
			print_string(sb, s->str);
		sb_addf(sb, " level %s", log_levels[s->level]);
		break;
	case NFT_S_ACCEPT:
		sb_add(sb, "accept");
		break;
	case NFT_S_DROP:
		sb_add(sb, "drop");
		break;
	case NFT_S_REJECT:
		if (s->reject == NFT_REJ_TCP_RESET)
			sb_add(sb, "reject with tcp reset");
		else
			sb_addf(sb, "reject with %s type %s",
				fam == NFT_FAM_IP6 ? "icmpv6" : "icmp",
				s->reject == NFT_REJ_PORT_UNREACH ? "port-unreachable"
								  : "admin-prohibited");
		break;
	case NFT_S_DNAT:
	case NFT_S_SNAT:
		sb_add(sb, s->kind == NFT_S_DNAT ? "dnat to " : "snat to ");
		nft_text_ip(sb, s->a);
		if (s->port)
			sb_addf(sb, ":%u", s->port);
		break;
	case NFT_S_DNAT_MAP:
		sb_add(sb, "dnat ip to meta l4proto . th dport map ");
		print_set_ref(sb, t, s->set);
		break;
	case NFT_S_MASQ:
		sb_add(sb, "masquerade");
		break;
	case NFT_S_CT_HELPER:
		sb_add(sb, "ct helper set ");
		print_string(sb, s->str);
		break;
	case NFT_S_CT_TIMEOUT:
		sb_add(sb, "ct timeout set ");
		print_string(sb, s->str);
		break;
	case NFT_S_MSS:
		if (s->port)
			sb_addf(sb, "tcp option maxseg size set %u", s->port);
		else
			sb_add(sb, "tcp option maxseg size set rt mtu");
		break;
	case NFT_S_CT_MARK_WAN:
		sb_addf(sb, "ct mark set ct mark & 0x%08x | 0x%08x", ~IR_WAN_MASK, s->a);
		break;
	case NFT_S_MARK_WAN:
		sb_addf(sb, "meta mark set ct mark & 0x%08x", IR_WAN_MASK);
		break;
	case NFT_S_CT_MARK_UPNP:
		sb_addf(sb, "ct mark set ct mark | 0x%08x", IR_UPNP_MARK);
		break;
	case NFT_S_MARK_UPNP_SET:
		sb_addf(sb, "meta mark set meta mark | 0x%08x", IR_UPNP_MARK);
		break;
	case NFT_S_MARK_UPNP_CLEAR:
		sb_addf(sb, "meta mark set meta mark & 0x%08x", ~IR_UPNP_MARK);
		break;
	case NFT_S_JUMP:
		sb_addf(sb, "jump %s", s->str);
		break;
	}
}

void nft_text_rule(struct strbuf *sb, const struct nft_table *t, enum nft_fam fam,
		   const struct nft_rule *r)
{
	const char *sep = "";
	size_t i;

	for (i = 0; i < r->n_m; i++) {
		sb_add(sb, sep);
		print_match(sb, t, &r->m[i]);
		sep = " ";
	}
	for (i = 0; i < r->n_s; i++) {
		sb_add(sb, sep);
		print_stmt(sb, t, fam, &r->s[i]);
		sep = " ";
	}
}

static void print_rule(struct strbuf *sb, const struct nft_table *t, enum nft_fam fam,
		       const struct nft_rule *r)
{
	sb_add(sb, "\t\t");
	nft_text_rule(sb, t, fam, r);
	if (r->comment) {
		sb_add(sb, " comment ");
		print_string(sb, r->comment);
	}
	sb_add(sb, "\n");
}

static const char *const set_types[] = {
	[NFT_SK_ADDR] = "ipv4_addr",
	[NFT_SK_ADDR6] = "ipv6_addr",
	[NFT_SK_PORT] = "inet_service",
	[NFT_SK_ICMP] = "icmp_type",
	[NFT_SK_ICMPV6] = "icmpv6_type",
	[NFT_SK_FWD_MAP] = "inet_proto . inet_service : ipv4_addr . inet_service",
	[NFT_SK_TARGET] = "ipv4_addr . inet_proto . inet_service",
	[NFT_SK_PROTO_TARGET] = "ipv4_addr . inet_proto",
	[NFT_SK_ADMIT] = "ipv4_addr . inet_service . inet_service",
	[NFT_SK_TARGET6] = "ipv6_addr . inet_proto . inet_service",
};

static void print_set(struct strbuf *sb, const struct nft_set *s)
{
	sb_addf(sb, "\t%s %s {\n\t\ttype %s\n", s->kind == NFT_SK_FWD_MAP ? "map" : "set", s->name,
		set_types[s->kind]);
	if (!s->live)
		sb_addf(sb, "\t\tsize %u\n", nft_set_size(s));
	if (s->interval)
		sb_addf(sb, "\t\tflags interval%s\n", s->live && s->timeout ? ", timeout" : "");
	if (s->live && s->timeout)
		sb_addf(sb, "\t\ttimeout %us\n", s->timeout);
	if (s->dynamic)
		sb_addf(sb, "\t\tflags dynamic,timeout\n\t\ttimeout %us\n", s->timeout);
	if (s->n) {
		sb_add(sb, "\t\telements = ");
		print_elems(sb, s, "\t\t");
		sb_add(sb, "\n");
	}
	sb_add(sb, "\t}\n\n");
}

static void print_objects(struct strbuf *sb, const struct nft_table *t, const char *fam)
{
	static const char *const tcp_states[] = {
		"syn_sent",   "syn_recv",  "established", "fin_wait",	"close_wait",
		"last_ack",   "time_wait", "close",	  "syn_sent2",	"retrans",
		"unack"};
	static const char *const udp_states[] = {"unreplied", "replied"};
	size_t i, j;

	for (i = 0; i < t->n_helpers; i++)
		sb_addf(sb,
			"\tct helper %s {\n\t\ttype \"%s\" protocol %s\n\t\tl3proto %s\n\t}\n\n",
			t->helpers[i].name, t->helpers[i].kname,
			nft_proto_name(t->helpers[i].proto), fam);
	for (i = 0; i < t->n_timeouts; i++) {
		const struct nft_timeout_obj *o = &t->timeouts[i];
		bool tcp = o->proto == IR_P_TCP;
		size_t n = tcp ? ARRAY_SIZE(tcp_states) : ARRAY_SIZE(udp_states);
		sb_addf(sb, "\tct timeout %s {\n\t\tprotocol %s\n\t\tl3proto %s\n\t\tpolicy = {",
			o->name, nft_proto_name(o->proto), fam);
		for (j = 0; j < n; j++)
			sb_addf(sb, "%s%s : %u", j ? ", " : " ",
				tcp ? tcp_states[j] : udp_states[j], o->secs[j]);
		sb_add(sb, " }\n\t}\n\n");
	}
}

static const char *const hook_names[] = {
	[NFT_HOOK_PREROUTING] = "prerouting", [NFT_HOOK_INPUT] = "input",
	[NFT_HOOK_FORWARD] = "forward",	      [NFT_HOOK_OUTPUT] = "output",
	[NFT_HOOK_POSTROUTING] = "postrouting",
};

/* A priority as nft lists it: the nearest standard name, and an offset from it. */
static void print_prio(struct strbuf *sb, const struct nft_chain *c)
{
	static const struct {
		const char *name;
		int prio;
	} names[] = {
		{"raw", -300}, {"mangle", -150}, {"dstnat", -100}, {"filter", 0}, {"srcnat", 100},
	};
	size_t i, best = 0;

	for (i = 1; i < ARRAY_SIZE(names); i++)
		if (abs(c->prio - names[i].prio) < abs(c->prio - names[best].prio))
			best = i;
	sb_add(sb, names[best].name);
	if (c->prio != names[best].prio)
		sb_addf(sb, " %c %d", c->prio > names[best].prio ? '+' : '-',
			abs(c->prio - names[best].prio));
}

/*
 * Chain @c of @t (after a blank line unless @first): its type, hook and
 * priority when @head and it has any, its rules when @rules.
 */
static void print_chain(struct strbuf *sb, const struct nft_table *t, enum nft_fam fam,
			const struct nft_chain *c, bool first, bool head, bool rules)
{
	size_t j;

	sb_addf(sb, "%s\tchain %s {\n", first ? "" : "\n", c->name);
	if (head && !c->regular) {
		sb_addf(sb, "\t\ttype %s hook %s priority ", nft_chain_type(c),
			hook_names[c->hook]);
		print_prio(sb, c);
		sb_addf(sb, "; policy %s;\n", c->drop ? "drop" : "accept");
	}
	for (j = 0; rules && j < c->n; j++)
		print_rule(sb, t, fam, &c->v[j]);
	sb_add(sb, "\t}\n");
}

static void print_table(struct strbuf *sb, const struct nft_table *t, enum nft_fam fam)
{
	const char *fname = family_names[fam];
	size_t i;

	/* a loaded table is shown as it is, not as a script that replaces it */
	if (!t->loaded)
		sb_addf(sb, "table %s masqgen\ndelete table %s masqgen\n", fname, fname);
	if (!t->present)
		return;
	sb_addf(sb, "table %s masqgen {\n", fname);
	print_objects(sb, t, fname);
	for (i = 0; i < t->n_sets; i++)
		if (t->sets[i].name)
			print_set(sb, &t->sets[i]);
	for (i = 0; i < t->n_chains; i++)
		print_chain(sb, t, fam, &t->chains[i], i == 0, true, true);
	sb_add(sb, "}\n");
}

/*
 * The UPnP table (nft_upnp.c) is created when it is missing and never
 * replaced: declaring a table or chain that exists changes nothing, so
 * only the base chains, masqgen's own, are emptied and filled again, and
 * miniupnpd's mappings in its regular chains stay. A loaded table is
 * shown as it is.
 */
static void print_upnp(struct strbuf *sb, const struct nft_table *t)
{
	size_t i;
	bool first = true;

	if (!t->present)
		return;
	sb_add(sb, "table inet " NFT_UPNP_TABLE " {\n");
	for (i = 0; i < t->n_chains; i++)
		print_chain(sb, t, NFT_FAM_IP, &t->chains[i], i == 0, true, t->loaded);
	sb_add(sb, "}\n");
	if (t->loaded)
		return;
	for (i = 0; i < t->n_chains; i++)
		if (!t->chains[i].regular)
			sb_addf(sb, "flush chain inet " NFT_UPNP_TABLE " %s\n", t->chains[i].name);
	sb_add(sb, "table inet " NFT_UPNP_TABLE " {\n");
	for (i = 0; i < t->n_chains; i++) {
		if (t->chains[i].regular)
			continue;
		print_chain(sb, t, NFT_FAM_IP, &t->chains[i], first, false, true);
		first = false;
	}
	sb_add(sb, "}\n");
}

/* The defines of the log prefixes that hold '$' (print_prefix_define), each once. */
static void print_prefix_defines(struct strbuf *sb, const struct nft_model *m)
{
	struct strbuf defs = {0}, line = {0};
	size_t f, i, j, k;

	for (f = 0; f < NFT_FAM_COUNT; f++) {
		const struct nft_table *t = &m->t[f];

		for (i = 0; t->present && i < t->n_chains; i++) {
			for (j = 0; j < t->chains[i].n; j++) {
				const struct nft_rule *r = &t->chains[i].v[j];

				for (k = 0; k < r->n_s; k++) {
					if (r->s[k].kind != NFT_S_LOG || !strchr(r->s[k].str, '$'))
						continue;
					line.len = 0;
					print_prefix_define(&line, r->s[k].str, true);
					if (!defs.buf || !strstr(defs.buf, line.buf))
						sb_add(&defs, line.buf);
				}
			}
		}
	}
	if (defs.len)
		sb_add(sb, defs.buf);
	sb_free(&defs);
	sb_free(&line);
}

void nft_text_print(const struct nft_model *m, struct strbuf *out)
{
	size_t elems = 0, i;
	int f;

	/*
	 * elements are most of the text, a line each (rarely past 64 bytes):
	 * grow once, unless it spills as it goes
	 */
	for (f = 0; f < NFT_FAM_COUNT; f++)
		for (i = 0; i < m->t[f].n_sets; i++)
			elems += m->t[f].sets[i].n;
	if (!out->spill)
		util_grow(&out->buf, &out->cap, out->len + elems * 64 + 1, 1);
	print_prefix_defines(out, m);
	for (f = 0; f < NFT_FAM_COUNT; f++)
		print_table(out, &m->t[f], (enum nft_fam)f);
	print_upnp(out, &m->upnp);
}

int nft_text_emit(const struct ir *ir, struct strbuf *out)
{
	struct nft_model *m = nft_lower(ir);

	if (!m)
		return -1;
	sb_add(out, "#!/usr/sbin/nft -f\n");
	sb_add(out, "# generated by masqgen from ");
	escape_comment(out, ir->policy_path ? ir->policy_path : "a policy");
	sb_add(out, ": `nft -f` replaces masqgen's tables\n");
	nft_text_print(m, out);
	nft_model_free(m);
	return 0;
}
