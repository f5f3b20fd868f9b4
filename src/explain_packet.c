// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * explain_packet.c - the PACKET of `masqgen explain`: strict parsing with
 * a clear message for every mistake, and printing (explain.h).
 */
#include "cli.h"
#include "explain.h"
#include "ir.h"
#include "tables.h"
#include "value.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	unsigned bit;
} explain_packet_states[] = {
	{"new", IR_CT_NEW},
	{"established", IR_CT_ESTABLISHED},
	{"related", IR_CT_RELATED},
	{"invalid", IR_CT_INVALID},
};

static const char *explain_packet_state_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(explain_packet_states); i++)
		if (explain_packet_states[i].bit == bit)
			return explain_packet_states[i].name;
	return "?";
}

/* An address of @p's family into @buf (>= 48 bytes), bracketed where a port follows. */
static const char *explain_packet_ip_str(const struct explain_packet *p, uint32_t addr,
					 ir_u128 addr6, char *buf)
{
	char a[40];

	if (p->family != IR_F_IPV6)
		return ir_ip_str(addr, buf);
	ir_ip6_str(addr6, a);
	snprintf(buf, 48, p->proto == IR_P_TCP || p->proto == IR_P_UDP ? "[%s]" : "%s", a);
	return buf;
}

void explain_packet_print(struct strbuf *out, const char *label, const struct explain_packet *p)
{
	char s[48], d[48];

	/* masqueraded to an address explain does not know: its words */
	if (p->masq_src[0])
		snprintf(s, sizeof(s), "(%s)", p->masq_src);
	else
		explain_packet_ip_str(p, p->saddr, p->saddr6, s);
	explain_packet_ip_str(p, p->daddr, p->daddr6, d);
	sb_addf(out, "%-9s%s ", label, ir_proto_name(p->proto));
	if (p->proto == IR_P_ICMP)
		sb_addf(out, "%s ", tables_icmp_name(p->icmp_type));
	if (p->proto == IR_P_ICMPV6)
		sb_addf(out, "%s ", tables_icmpv6_name(p->icmp_type));
	if (p->proto == IR_P_TCP || p->proto == IR_P_UDP)
		sb_addf(out, "%s:%u -> %s:%u", s, p->sport, d, p->dport);
	else
		sb_addf(out, "%s -> %s", s, d);
	if (p->iif)
		sb_addf(out, " in %s", p->iif);
	if (p->oif)
		sb_addf(out, " out %s", p->oif);
	sb_addf(out, ", %s\n", explain_packet_state_name(p->state));
}

/*
 * The packet: PROTO [ICMPTYPE] SRC[:PORT] -> DST[:PORT] (in IFACE [out
 * IFACE] | out IFACE) [state STATE]. Words may come as separate arguments
 * or in one; "->" may touch its neighbours.
 */
struct explain_packet_words {
	char **v;
	size_t n, cap;
};

static void explain_packet_split(int argc, char **argv, struct explain_packet_words *w)
{
	int i;

	for (i = 0; i < argc; i++) {
		char *s = xstrdup(argv[i]), *save = NULL, *tok, *arrow;

		for (tok = strtok_r(s, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			while ((arrow = strstr(tok, "->"))) {
				if (arrow > tok)
					*VEC_PUSH(w->v, w->n, w->cap) = xstrndup(tok, (size_t)(arrow - tok));
				*VEC_PUSH(w->v, w->n, w->cap) = xstrdup("->");
				tok = arrow + 2;
			}
			if (*tok)
				*VEC_PUSH(w->v, w->n, w->cap) = xstrdup(tok);
		}
		free(s);
	}
}

static bool explain_packet_iface_ok(const char *s)
{
	size_t n = strlen(s), i;
	bool digits = true;

	if (n == 0 || n > 15)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-'))
			return false;
		if (ch < '0' || ch > '9')
			digits = false;
	}
	return !digits;
}

static int explain_packet_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int explain_packet_bad(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cli_usage_error("explain", "bad packet: %s", msg);
	free(msg);
	return -1;
}

/* One address of a packet: IPv4 or IPv6, as the word's form says. */
struct explain_packet_addr {
	unsigned family;
	uint32_t v4;
	ir_u128 v6;
};

static int explain_packet_ip(const char *s, struct explain_packet_addr *a)
{
	struct in6_addr in6;
	struct in_addr in;

	if (strchr(s, ':')) {
		if (inet_pton(AF_INET6, s, &in6) != 1)
			return explain_packet_bad("'%s' is not an IPv6 address", s);
		a->family = IR_F_IPV6;
		a->v6 = ir_ip6_of_bytes(in6.s6_addr);
		return 0;
	}
	if (inet_pton(AF_INET, s, &in) != 1)
		return explain_packet_bad("'%s' is not an IPv4 address", s);
	a->family = IR_F_IPV4;
	a->v4 = ntohl(in.s_addr);
	return 0;
}

/* The port after an address's ':'. */
static int explain_packet_port(const char *s, uint16_t *port)
{
	const struct tables_port *named = tables_port_find(s);
	unsigned long n;
	char *end;

	if (named) {
		*port = named->port;
		return 0;
	}
	n = strtoul(s, &end, 10);
	if (!*s || *end || *s == '-' || *s == '+' || n < 1 || n > 65535)
		return explain_packet_bad("'%s': the port must be a number 1-65535 or a name of "
				   "masqgen's port table", s);
	*port = (uint16_t)n;
	return 0;
}

/*
 * ADDR or ADDR:PORT, as @proto needs: IPv4 a.b.c.d[:PORT], IPv6 bare
 * (without a port) or [ADDR6][:PORT].
 */
static int explain_packet_end(const char *word, uint8_t proto, struct explain_packet_addr *a,
			      uint16_t *port)
{
	bool ports = proto == IR_P_TCP || proto == IR_P_UDP;
	const char *colon, *rest = NULL;
	char *ip;
	int rc;

	if (word[0] == '[') {
		const char *close = strchr(word, ']');

		if (!close || close == word + 1 || (close[1] && close[1] != ':') ||
		    !strchr(word, ':') || strchr(word, ':') > close)
			return explain_packet_bad("'%s' is not [IPV6ADDR] or [IPV6ADDR]:PORT", word);
		ip = xstrndup(word + 1, (size_t)(close - word - 1));
		if (close[1] == ':')
			rest = close + 2;
	} else if ((colon = strchr(word, ':')) && strchr(colon + 1, ':')) {
		if (ports)
			return explain_packet_bad("'%s': an IPv6 address with a port is written "
					   "[ADDR]:PORT", word);
		ip = xstrdup(word);
	} else if (colon) {
		ip = xstrndup(word, (size_t)(colon - word));
		rest = colon + 1;
	} else {
		ip = xstrdup(word);
	}
	rc = explain_packet_ip(ip, a);
	free(ip);
	if (rc < 0)
		return -1;
	if (!ports) {
		if (rest)
			return explain_packet_bad("'%s': only tcp and udp packets have ports", word);
		return 0;
	}
	if (!rest)
		return explain_packet_bad("'%s' needs a port: %s", word,
				   a->family == IR_F_IPV6 ? "[ADDR]:PORT" : "ADDR:PORT");
	return explain_packet_port(rest, port);
}

/* Both ends of one family: the packet's. */
static int explain_packet_family(struct explain_packet *p, const struct explain_packet_addr *src,
				 const struct explain_packet_addr *dst)
{
	if (src->family != dst->family)
		return explain_packet_bad("the source and the destination must be of one family "
				   "(both IPv4 or both IPv6)");
	p->family = src->family;
	p->saddr = src->v4;
	p->daddr = dst->v4;
	p->saddr6 = src->v6;
	p->daddr6 = dst->v6;
	if (p->proto == IR_P_ICMPV6 && p->family != IR_F_IPV6)
		return explain_packet_bad("icmpv6 packets have IPv6 addresses");
	return 0;
}

/* @word is no ICMP type. */
static int explain_packet_icmp_unknown(const char *word)
{
	if (tables_icmp_suggest(word))
		return explain_packet_bad("'%s' is not an icmp type; did you mean '%s'?", word,
				   tables_icmp_suggest(word));
	return explain_packet_bad("'%s' is not an icmp type (echo-request, echo-reply, "
			   "destination-unreachable, time-exceeded, ...)", word);
}

/*
 * The ICMP type @word, once the family is known: an IPv6 `icmp` packet is
 * ICMPv6, its type the ICMPv6 one of the same meaning (as in a policy);
 * `icmpv6` also takes the ICMPv6 names the built-ins use.
 */
static int explain_packet_icmp(struct explain_packet *p, const char *word)
{
	const struct tables_icmp *icmp = tables_icmp_find(word);
	int v6;

	if (p->family == IR_F_IPV6) {
		const struct tables_icmp *own = tables_icmpv6_find(word);

		p->proto = IR_P_ICMPV6;
		if (own) {
			p->icmp_type = own->type;
			return 0;
		}
		v6 = icmp ? tables_icmp_to_v6(icmp->type) : -1;
		if (icmp && v6 < 0)
			return explain_packet_bad("'%s' has no ICMPv6 counterpart", word);
		if (icmp) {
			p->icmp_type = (uint8_t)v6;
			return 0;
		}
	} else if (icmp) {
		p->icmp_type = icmp->type;
		return 0;
	}
	return explain_packet_icmp_unknown(word);
}

static int explain_packet_words_parse(struct explain_packet_words *w, struct explain_packet *p,
				      char **out_iface)
{
	static const struct {
		const char *name;
		uint8_t proto;
	} protos[] = {
		{"tcp", IR_P_TCP}, {"udp", IR_P_UDP}, {"icmp", IR_P_ICMP},
		{"gre", IR_P_GRE}, {"esp", IR_P_ESP}, {"ah", IR_P_AH},
		{"icmpv6", IR_P_ICMPV6}, {"ipv6-icmp", IR_P_ICMPV6},
	};
	struct explain_packet_addr src = {0}, dst = {0};
	bool have_in = false, have_out = false, have_state = false;
	const char *icmp_word = NULL;
	size_t i = 0, k;
	unsigned long num;

	memset(p, 0, sizeof(*p));
	p->state = IR_CT_NEW;
	if (w->n == 0)
		return explain_packet_bad("a PACKET is required, e.g. 'tcp 198.51.100.7:40000 -> "
				   "203.0.113.1:80 in ppp0'");
	for (k = 0; k < ARRAY_SIZE(protos); k++)
		if (strcmp(w->v[0], protos[k].name) == 0)
			p->proto = protos[k].proto;
	if (!p->proto && value_parse_uint(w->v[0], strlen(w->v[0]), 1, 254, &num))
		p->proto = (uint8_t)num;
	if (!p->proto)
		return explain_packet_bad("'%s' is not a protocol (tcp, udp, icmp, icmpv6, gre, esp, "
				   "ah, or a number 1-254)", w->v[0]);
	i = 1;
	if (p->proto == IR_P_ICMP || p->proto == IR_P_ICMPV6) {
		if (i >= w->n)
			return explain_packet_bad("%s needs a type, e.g. '%s echo-request'", w->v[0],
					   w->v[0]);
		icmp_word = w->v[i++];
		if (!tables_icmp_find(icmp_word) && !tables_icmpv6_find(icmp_word))
			return explain_packet_icmp_unknown(icmp_word);
	}
	if (i >= w->n)
		return explain_packet_bad("the source address is missing");
	if (explain_packet_end(w->v[i++], p->proto, &src, &p->sport) < 0)
		return -1;
	if (i >= w->n || strcmp(w->v[i], "->") != 0)
		return explain_packet_bad("expected '->' after the source, not '%s'",
				   i < w->n ? w->v[i] : "the end");
	if (++i >= w->n)
		return explain_packet_bad("the destination address is missing");
	if (explain_packet_end(w->v[i++], p->proto, &dst, &p->dport) < 0)
		return -1;
	if (explain_packet_family(p, &src, &dst) < 0 ||
	    (icmp_word && explain_packet_icmp(p, icmp_word) < 0))
		return -1;
	while (i < w->n) {
		const char *kw = w->v[i++];
		const char *arg = i < w->n ? w->v[i++] : NULL;

		if (strcmp(kw, "in") != 0 && strcmp(kw, "out") != 0 && strcmp(kw, "state") != 0)
			return explain_packet_bad("expected 'in IFACE', 'out IFACE' or 'state STATE', "
					   "not '%s'", kw);
		if (!arg)
			return explain_packet_bad("'%s' needs a value", kw);
		if (strcmp(kw, "state") == 0) {
			if (have_state)
				return explain_packet_bad("'%s' is given twice", kw);
			have_state = true;
			for (k = 0; k < ARRAY_SIZE(explain_packet_states); k++)
				if (strcmp(arg, explain_packet_states[k].name) == 0)
					p->state = explain_packet_states[k].bit;
			if (strcmp(arg, explain_packet_state_name(p->state)) != 0)
				return explain_packet_bad("'%s' is not a connection state (new, established, "
						   "related, invalid)", arg);
			continue;
		}
		if (strchr(arg, ':'))
			return explain_packet_bad("'%s' is an address label, not an interface: netfilter "
					   "matches the interface itself", arg);
		if (!explain_packet_iface_ok(arg))
			return explain_packet_bad("'%s' is not an interface name", arg);
		if ((strcmp(kw, "in") == 0 && have_in) || (strcmp(kw, "out") == 0 && have_out))
			return explain_packet_bad("'%s' is given twice", kw);
		if (strcmp(kw, "in") == 0) {
			have_in = true;
			snprintf(p->iif_name, sizeof(p->iif_name), "%s", arg);
			p->iif = p->iif_name;
		} else {
			have_out = true;
			*out_iface = xstrdup(arg);
		}
	}
	if (!have_in && !have_out)
		return explain_packet_bad("say where the packet comes from: 'in IFACE' (arriving) or "
				   "'out IFACE' (sent by the gateway)");
	return 0;
}

int explain_packet_parse(int argc, char **argv, struct explain_packet *p, char **out_iface)
{
	struct explain_packet_words w = {0};
	size_t i;
	int rc;

	explain_packet_split(argc, argv, &w);
	rc = explain_packet_words_parse(&w, p, out_iface);
	for (i = 0; i < w.n; i++)
		free(w.v[i]);
	free(w.v);
	return rc;
}

int explain_packet_address(const char *arg, char **iface, unsigned *family, uint32_t *addr,
			   ir_u128 *addr6)
{
	const char *eq = strchr(arg, '=');
	struct in6_addr in6;
	struct in_addr in;
	char *name;

	if (!eq || eq == arg)
		return cli_usage_error("explain", "--address takes IFACE=ADDR, not '%s'", arg);
	name = xstrndup(arg, (size_t)(eq - arg));
	*family = strchr(eq + 1, ':') ? IR_F_IPV6 : IR_F_IPV4;
	if (!explain_packet_iface_ok(name) ||
	    (*family == IR_F_IPV4 ? inet_pton(AF_INET, eq + 1, &in)
				  : inet_pton(AF_INET6, eq + 1, &in6)) != 1) {
		free(name);
		return cli_usage_error("explain", "--address takes IFACE=ADDR (an IPv4 or IPv6 "
				       "address), not '%s'", arg);
	}
	*iface = name;
	*addr = *family == IR_F_IPV4 ? ntohl(in.s_addr) : 0;
	*addr6 = *family == IR_F_IPV6 ? ir_ip6_of_bytes(in6.s6_addr) : 0;
	return 0;
}
