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

void explain_packet_print(struct strbuf *out, const char *label, const struct explain_packet *p)
{
	char s[40], d[16];

	/* masqueraded to an address explain does not know: its words */
	if (p->masq_src[0])
		snprintf(s, sizeof(s), "(%s)", p->masq_src);
	else
		ir_ip_str(p->saddr, s);
	ir_ip_str(p->daddr, d);
	sb_addf(out, "%-9s%s ", label, ir_proto_name(p->proto));
	if (p->proto == IR_P_ICMP)
		sb_addf(out, "%s ", tables_icmp_name(p->icmp_type));
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

static int explain_packet_ipv4(const char *s, uint32_t *addr)
{
	struct in_addr in;

	if (strchr(s, ':') || strchr(s, '['))
		return explain_packet_bad("'%s' is not IPv4: packets are IPv4 in v1 (IPv6 is "
				   "filtered, never translated, and explain does not follow it)", s);
	if (inet_pton(AF_INET, s, &in) != 1)
		return explain_packet_bad("'%s' is not an IPv4 address", s);
	*addr = ntohl(in.s_addr);
	return 0;
}

/* ADDR or ADDR:PORT, as @proto needs. */
static int explain_packet_end(const char *word, uint8_t proto, uint32_t *addr, uint16_t *port)
{
	bool ports = proto == IR_P_TCP || proto == IR_P_UDP;
	const char *colon = strchr(word, ':');
	const struct tables_port *named;
	char *a, *end;
	unsigned long n;
	int rc;

	if (colon && strchr(colon + 1, ':'))
		return explain_packet_ipv4(word, addr);
	if (!ports) {
		if (colon)
			return explain_packet_bad("'%s': only tcp and udp packets have ports", word);
		return explain_packet_ipv4(word, addr);
	}
	if (!colon)
		return explain_packet_bad("'%s' needs a port: ADDR:PORT", word);
	a = xstrndup(word, (size_t)(colon - word));
	rc = explain_packet_ipv4(a, addr);
	free(a);
	if (rc < 0)
		return -1;
	named = tables_port_find(colon + 1);
	if (named) {
		*port = named->port;
		return 0;
	}
	n = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || colon[1] == '-' || colon[1] == '+' || n < 1 || n > 65535)
		return explain_packet_bad("'%s': the port must be a number 1-65535 or a name of "
				   "masqgen's port table", colon + 1);
	*port = (uint16_t)n;
	return 0;
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
	};
	bool have_in = false, have_out = false, have_state = false;
	const struct tables_icmp *icmp;
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
	if (!p->proto) {
		if (strcmp(w->v[0], "icmpv6") == 0 || strcmp(w->v[0], "ipv6-icmp") == 0)
			return explain_packet_bad("'%s': packets are IPv4 in v1", w->v[0]);
		return explain_packet_bad("'%s' is not a protocol (tcp, udp, icmp, gre, esp, ah, "
					  "or a number 1-254)", w->v[0]);
	}
	i = 1;
	if (p->proto == IR_P_ICMP) {
		if (i >= w->n)
			return explain_packet_bad("icmp needs a type, e.g. 'icmp echo-request'");
		icmp = tables_icmp_find(w->v[i]);
		if (!icmp) {
			const char *near = tables_icmp_suggest(w->v[i]);

			if (near)
				return explain_packet_bad("'%s' is not an icmp type; did you mean '%s'?",
						   w->v[i], near);
			return explain_packet_bad("'%s' is not an icmp type (echo-request, echo-reply, "
					   "destination-unreachable, time-exceeded, ...)", w->v[i]);
		}
		p->icmp_type = icmp->type;
		i++;
	}
	if (i >= w->n)
		return explain_packet_bad("the source address is missing");
	if (explain_packet_end(w->v[i++], p->proto, &p->saddr, &p->sport) < 0)
		return -1;
	if (i >= w->n || strcmp(w->v[i], "->") != 0)
		return explain_packet_bad("expected '->' after the source, not '%s'",
				   i < w->n ? w->v[i] : "the end");
	if (++i >= w->n)
		return explain_packet_bad("the destination address is missing");
	if (explain_packet_end(w->v[i++], p->proto, &p->daddr, &p->dport) < 0)
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

int explain_packet_address(const char *arg, char **iface, uint32_t *addr)
{
	const char *eq = strchr(arg, '=');
	struct in_addr in;
	char *name;

	if (!eq || eq == arg)
		return cli_usage_error("explain", "--address takes IFACE=ADDR, not '%s'", arg);
	name = xstrndup(arg, (size_t)(eq - arg));
	if (!explain_packet_iface_ok(name) || inet_pton(AF_INET, eq + 1, &in) != 1) {
		free(name);
		return cli_usage_error("explain", "--address takes IFACE=ADDR (an IPv4 address), "
				       "not '%s'", arg);
	}
	*iface = name;
	*addr = ntohl(in.s_addr);
	return 0;
}
