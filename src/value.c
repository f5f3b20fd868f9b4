// SPDX-License-Identifier: GPL-2.0-or-later
/* value.c - words read by the slot they stand in, with errors at the word */
#include "value.h"
#include "suggest.h"
#include "tables.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define IFACE_MAX 15
#define RATE_MAX 10000
#define DURATION_MAX (30u * 24 * 3600)

bool value_parse_uint(const char *s, size_t len, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v < min)
		return false;
	*out = v;
	return true;
}

static bool all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return len > 0;
}

int value_number(const struct ast_word *w, unsigned long min, unsigned long max,
		 const char *what, unsigned long *out)
{
	if (value_parse_uint(w->text, strlen(w->text), min, max, out))
		return 0;
	if (all_digits(w->text, strlen(w->text)))
		diag_error(&w->loc, "%s '%s' is out of range (%lu-%lu)", what, w->text, min, max);
	else
		diag_error(&w->loc, "%s '%s' is not a number", what, w->text);
	return -1;
}

bool value_parse_ipv4(const char *s, size_t len, uint32_t *addr)
{
	uint32_t a = 0;
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		size_t start = i;
		unsigned long octet;

		while (i < len && s[i] != '.')
			i++;
		/* no leading zeros: 010 reads as octal in some tools */
		if (i - start > 1 && s[start] == '0')
			return false;
		if (!value_parse_uint(s + start, i - start, 0, 255, &octet))
			return false;
		a = a << 8 | (uint32_t)octet;
		if (part < 3) {
			if (i >= len)
				return false;
			i++;
		}
	}
	if (i != len)
		return false;
	*addr = a;
	return true;
}

/* Meant as an IPv6 literal: brackets, or two colons before any '/' or '-'. */
static bool looks_ipv6(const char *s)
{
	size_t colons = 0;

	if (*s == '[')
		return true;
	for (; *s && *s != '/' && *s != '-'; s++)
		colons += *s == ':';
	return colons >= 2;
}

/* One group of up to four hex digits at @s (@n bytes); false when it is not. */
static bool parse_group(const char *s, size_t n, unsigned *group, const char **why)
{
	size_t i;

	*group = 0;
	if (n == 0 || n > 4) {
		*why = n ? "a group has more than 4 hex digits" : "a single ':' stands alone";
		return false;
	}
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i])) {
			*why = "a group holds a character that is no hex digit";
			return false;
		}
		*group = *group << 4 | (unsigned)(isdigit((unsigned char)s[i])
							   ? s[i] - '0'
							   : (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	return true;
}

/*
 * The groups of one side of '::' (or of a whole address) into @g, at most
 * @max of them; a dotted IPv4 address may end it as two groups.
 */
static bool parse_groups(const char *s, size_t len, unsigned *g, size_t max, size_t *n,
			 const char **why)
{
	size_t i = 0;

	*n = 0;
	while (len && i <= len) {
		size_t end = i;
		uint32_t v4;

		while (end < len && s[end] != ':')
			end++;
		if (end == len && memchr(s + i, '.', end - i)) {
			if (!value_parse_ipv4(s + i, end - i, &v4) || *n + 2 > max) {
				*why = *n + 2 > max ? "it has more than 8 groups"
						    : "its IPv4 part is not an IPv4 address";
				return false;
			}
			g[(*n)++] = v4 >> 16;
			g[(*n)++] = v4 & 0xffff;
			return true;
		}
		if (*n == max) {
			*why = "it has more than 8 groups";
			return false;
		}
		if (!parse_group(s + i, end - i, &g[(*n)++], why))
			return false;
		i = end + 1;
	}
	return true;
}

bool value_parse_ipv6(const char *s, size_t len, ir_u128 *addr, const char **why)
{
	const char *gap = NULL;
	unsigned g[8] = {0}, tail[8];
	size_t n = 0, n_tail = 0, i;

	for (i = 0; i + 1 < len; i++) {
		if (s[i] != ':' || s[i + 1] != ':')
			continue;
		if (gap) {
			*why = "'::' may stand only once";
			return false;
		}
		gap = s + i;
	}
	if (!gap) {
		if (!parse_groups(s, len, g, 8, &n, why))
			return false;
		if (n != 8) {
			*why = "it has fewer than 8 groups and no '::'";
			return false;
		}
	} else if (!parse_groups(s, (size_t)(gap - s), g, 7, &n, why) ||
		   !parse_groups(gap + 2, len - (size_t)(gap - s) - 2, tail, 7 - n, &n_tail, why)) {
		return false;
	}
	memcpy(g + 8 - n_tail, tail, n_tail * sizeof(*tail));
	*addr = 0;
	for (i = 0; i < 8; i++)
		*addr = *addr << 16 | g[i];
	return true;
}

static int ipv6_error(const struct ast_word *w, const char *expected)
{
	diag_error(&w->loc,
		   "'%s' is an IPv6 address: %s is needed here (IPv6 is never translated: no NAT66)",
		   w->text, expected);
	return -1;
}

/*
 * A malformed address in @len bytes of @s (part of @w): the reason when it
 * looks like IPv6, else "not an IPv4 @what" when it looks like IPv4 and
 * "not an address" otherwise.
 */
static int bad_address(const struct ast_word *w, const char *s, size_t len, const char *what)
{
	const char *why = NULL;
	ir_u128 dummy;

	if (looks_ipv6(s) && !value_parse_ipv6(s, len, &dummy, &why)) {
		char *part = xstrndup(s, len);

		diag_error(&w->loc, "'%s' is not an IPv6 address: %s", part, why);
		free(part);
		return -1;
	}
	if (strspn(w->text, "0123456789./-") == strlen(w->text))
		diag_error(&w->loc, "'%s' is not an IPv4 %s", w->text, what);
	else
		diag_error(&w->loc, "'%s' is not an IPv4 or IPv6 %s", w->text, what);
	return -1;
}

int value_ipv4(const struct ast_word *w, uint32_t *addr)
{
	ir_u128 a6;
	const char *why;

	if (value_parse_ipv4(w->text, strlen(w->text), addr))
		return 0;
	if (value_parse_ipv6(w->text, strlen(w->text), &a6, &why))
		return ipv6_error(w, "an IPv4 address");
	return bad_address(w, w->text, strlen(w->text), "address");
}

static uint32_t prefix_mask(unsigned len)
{
	return len ? ~(uint32_t)0 << (32 - len) : 0;
}

/* One address of either family in @len bytes of @s (no report). */
static bool parse_any(const char *s, size_t len, struct ir_addr *a)
{
	const char *why;

	if (value_parse_ipv4(s, len, &a->lo)) {
		a->family = IR_F_IPV4;
		a->hi = a->lo;
		return true;
	}
	if (!value_parse_ipv6(s, len, &a->lo6, &why))
		return false;
	a->family = IR_F_IPV6;
	a->hi6 = a->lo6;
	return true;
}

/*
 * The IPv6 MASK of `ADDR/MASK` (@mask, the text after '/') into a->mask6:
 * an interface identifier match. ADDR must lie inside MASK.
 */
static int parse_ifid(const struct ast_word *w, const char *mask, struct ir_addr *a)
{
	char buf[IR_ADDR_STRLEN];
	const char *why;

	if (!value_parse_ipv6(mask, strlen(mask), &a->mask6, &why)) {
		diag_error(&w->loc, "mask '%s' of '%s' is not an IPv6 address: %s", mask, w->text,
			   why);
		return -1;
	}
	if (!a->mask6) {
		diag_error(&w->loc, "mask '%s' of '%s' is empty: the match would take every "
				    "address; write 'any'",
			   mask, w->text);
		return -1;
	}
	if (a->lo6 & ~a->mask6) {
		diag_error(&w->loc, "'%s' has bits outside its mask: the identifier is '%s/%s'",
			   w->text, ir_ip6_str(a->lo6 & a->mask6, buf), mask);
		return -1;
	}
	return 2;
}

/*
 * ADDR/n of either family into @a (lo as written) and *len; returns 1
 * when @w has no '/', 2 for an interface identifier match ADDR/MASK (@a
 * complete, *len untouched), -1 after an error.
 */
static int parse_prefix(const struct ast_word *w, struct ir_addr *a, unsigned *len)
{
	const char *slash = strchr(w->text, '/');
	unsigned long n, bits;

	if (!slash)
		return 1;
	if (!parse_any(w->text, (size_t)(slash - w->text), a))
		return bad_address(w, w->text, (size_t)(slash - w->text), "prefix");
	bits = a->family == IR_F_IPV6 ? 128 : 32;
	if (a->family == IR_F_IPV6 && strchr(slash + 1, ':'))
		return parse_ifid(w, slash + 1, a);
	if (!value_parse_uint(slash + 1, strlen(slash + 1), 0, bits, &n)) {
		if (all_digits(slash + 1, strlen(slash + 1)))
			diag_error(&w->loc, "prefix length '/%s' of '%s' is out of range (0-%lu)",
				   slash + 1, w->text, bits);
		else
			diag_error(&w->loc, "'%s' is not an %s prefix", w->text,
				   a->family == IR_F_IPV6 ? "IPv6" : "IPv4");
		return -1;
	}
	*len = (unsigned)n;
	return 0;
}

/* The network of @a/@len (a->lo6 or lo as written) into @a's bounds. */
static void prefix_bounds(struct ir_addr *a, unsigned len)
{
	if (a->family == IR_F_IPV6) {
		a->lo6 &= ir_prefix_mask6(len);
		a->hi6 = a->lo6 | ~ir_prefix_mask6(len);
		return;
	}
	a->lo &= prefix_mask(len);
	a->hi = a->lo | ~prefix_mask(len);
}

static int network_v4(const struct ast_word *w, const struct ir_addr *a, struct ir_net *n)
{
	uint32_t mask = prefix_mask(n->len);

	n->net = a->lo & mask;
	n->gw = (a->lo & ~mask) ? a->lo : 0;
	if (n->gw && n->len < 31 && (a->lo | mask) == ~(uint32_t)0) {
		diag_error(&w->loc, "'%s' gives the broadcast address as the gateway's address",
			   w->text);
		return -1;
	}
	return 0;
}

int value_network(const struct ast_word *w, struct ir_net *n)
{
	struct ir_addr a = {0};
	unsigned len;
	int rc = parse_prefix(w, &a, &len);

	if (rc < 0)
		return -1;
	if (rc == 2) {
		diag_error(&w->loc, "network '%s' needs a prefix length, not a mask", w->text);
		return -1;
	}
	if (rc > 0) {
		if (parse_any(w->text, strlen(w->text), &a))
			diag_error(&w->loc,
				   "network '%s' needs a prefix length, e.g. '%s/%s' (the gateway's "
				   "address and its network)",
				   w->text, w->text, a.family == IR_F_IPV6 ? "64" : "24");
		else
			bad_address(w, w->text, strlen(w->text), "network");
		return -1;
	}
	if (len == 0) {
		diag_error(&w->loc, "internal network '%s' covers the whole Internet", w->text);
		return -1;
	}
	n->family = a.family;
	n->len = (uint8_t)len;
	if (a.family == IR_F_IPV4)
		return network_v4(w, &a, n);
	n->net6 = a.lo6 & ir_prefix_mask6(len);
	n->gw6 = (a.lo6 & ~ir_prefix_mask6(len)) ? a.lo6 : 0;
	return 0;
}

/* lo-hi of one family. */
static int parse_range(const struct ast_word *w, const char *dash, struct ir_addr *a)
{
	struct ir_addr hi = {0};

	if (!parse_any(w->text, (size_t)(dash - w->text), a) ||
	    !parse_any(dash + 1, strlen(dash + 1), &hi))
		return bad_address(w, w->text, strlen(w->text), "address range");
	if (a->family != hi.family) {
		diag_error(&w->loc, "address range '%s' mixes IPv4 and IPv6", w->text);
		return -1;
	}
	a->hi = hi.hi;
	a->hi6 = hi.hi6;
	if (ir_addr_lo(a) > ir_addr_hi(a)) {
		diag_error(&w->loc, "address range '%s' is backwards", w->text);
		return -1;
	}
	return 0;
}

int value_addr(const struct ast_word *w, struct ir_addr *a)
{
	const char *dash = strchr(w->text, '-');
	struct ir_addr net;
	char buf[IR_ADDR_STRLEN];
	unsigned n;
	int rc;

	memset(a, 0, sizeof(*a));
	a->loc = w->loc;
	if (dash)
		return parse_range(w, dash, a);
	rc = parse_prefix(w, a, &n);
	if (rc < 0)
		return -1;
	if (rc == 2)
		return 0;
	if (rc > 0) {
		if (!parse_any(w->text, strlen(w->text), a))
			return bad_address(w, w->text, strlen(w->text), "address");
		return 0;
	}
	net = *a;
	prefix_bounds(&net, n);
	if (ir_addr_lo(&net) != ir_addr_lo(a)) {
		net.hi = net.lo;
		net.hi6 = net.lo6;
		diag_error(&w->loc, "'%s' has host bits set: the network is '%s/%u'", w->text,
			   ir_addr_str(&net, buf), n);
		return -1;
	}
	*a = net;
	return 0;
}

/* One port: a number or a name; reports nothing. */
static bool parse_port(const char *s, size_t len, uint16_t *port)
{
	const struct tables_port *p;
	unsigned long n;
	char *name;

	if (value_parse_uint(s, len, 1, 65535, &n)) {
		*port = (uint16_t)n;
		return true;
	}
	name = xstrndup(s, len);
	p = tables_port_find(name);
	free(name);
	if (!p)
		return false;
	*port = p->port;
	return true;
}

static int bad_port(const struct ast_word *w, const char *s, size_t len)
{
	const char *hint;
	char *part;

	if (all_digits(s, len)) {
		part = xstrndup(s, len);
		diag_error(&w->loc, "port '%s' is out of range (1-65535)", part);
		free(part);
		return -1;
	}
	part = xstrndup(s, len);
	hint = tables_port_suggest(part);
	if (hint)
		diag_error(&w->loc, "unknown port name '%s' (did you mean '%s'?)", part, hint);
	else
		diag_error(&w->loc,
			   "unknown port name '%s' (masqgen knows its own names, see "
			   "masqgen.masq(5); write the number)",
			   part);
	free(part);
	return -1;
}

int value_ports(const struct ast_word *w, uint16_t *lo, uint16_t *hi)
{
	const char *s = w->text, *dash;
	size_t len = strlen(s);

	if (parse_port(s, len, lo)) {
		*hi = *lo;
		return 0;
	}
	/* names hold dashes too (snmp-trap): try every dash as the range's */
	for (dash = strchr(s, '-'); dash; dash = strchr(dash + 1, '-')) {
		if (parse_port(s, (size_t)(dash - s), lo) &&
		    parse_port(dash + 1, len - (size_t)(dash - s) - 1, hi)) {
			if (*lo > *hi) {
				diag_error(&w->loc, "port range '%s' is backwards", s);
				return -1;
			}
			return 0;
		}
	}
	dash = strchr(s, '-');
	if (dash && all_digits(s, (size_t)(dash - s))) {
		if (!parse_port(s, (size_t)(dash - s), lo))
			return bad_port(w, s, (size_t)(dash - s));
		return bad_port(w, dash + 1, len - (size_t)(dash - s) - 1);
	}
	return bad_port(w, s, len);
}

int value_hostport(const struct ast_word *w, uint32_t *host, bool *has_port, uint16_t *lo,
		   uint16_t *hi)
{
	const char *colon = strchr(w->text, ':');
	struct ast_word part;

	if (looks_ipv6(w->text)) {
		diag_error(&w->loc,
			   "'%s' is an IPv6 target: forward translates IPv4 only (no NAT66); open "
			   "an IPv6 server with 'allow forward PROTO PORTS to HOST'",
			   w->text);
		return -1;
	}
	*has_port = colon != NULL;
	if (!colon)
		return value_ipv4(w, host);
	if (!value_parse_ipv4(w->text, (size_t)(colon - w->text), host)) {
		diag_error(&w->loc, "'%s' is not HOST[:PORT[-PORT]] with an IPv4 HOST", w->text);
		return -1;
	}
	part = *w;
	part.text = colon + 1;
	return value_ports(&part, lo, hi);
}

int value_rate(const struct ast_word *w, unsigned *rate, enum ir_rate_unit *unit)
{
	static const struct {
		const char *name;
		enum ir_rate_unit unit;
	} units[] = {
		{"second", IR_PER_SECOND},
		{"minute", IR_PER_MINUTE},
		{"hour", IR_PER_HOUR},
	};
	const char *slash = strchr(w->text, '/');
	unsigned long n;
	size_t i;

	if (!slash) {
		diag_error(&w->loc, "rate '%s' needs a unit: N/second, N/minute or N/hour",
			   w->text);
		return -1;
	}
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (strcmp(slash + 1, units[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(units)) {
		const char *hint = suggest(slash + 1, &units[0].name, ARRAY_SIZE(units),
					   sizeof(units[0]));

		if (hint)
			diag_error(&w->loc, "unknown rate unit '%s' in '%s' (did you mean '%s'?)",
				   slash + 1, w->text, hint);
		else
			diag_error(&w->loc,
				   "unknown rate unit '%s' in '%s' (second, minute or hour)",
				   slash + 1, w->text);
		return -1;
	}
	if (!value_parse_uint(w->text, (size_t)(slash - w->text), 1, RATE_MAX, &n)) {
		diag_error(&w->loc, "rate '%s' is out of range (1 to %u per unit)", w->text,
			   RATE_MAX);
		return -1;
	}
	*rate = (unsigned)n;
	*unit = units[i].unit;
	return 0;
}

int value_duration(const struct ast_word *w, unsigned *seconds)
{
	const char *s = w->text;
	size_t len = strlen(s);
	unsigned long n, scale = 1;

	if (len && (s[len - 1] == 's' || s[len - 1] == 'm' || s[len - 1] == 'h')) {
		scale = s[len - 1] == 's' ? 1 : s[len - 1] == 'm' ? 60 : 3600;
		len--;
	}
	if (!all_digits(s, len)) {
		diag_error(&w->loc, "'%s' is not a duration (30s, 10m, 2h or seconds)", s);
		return -1;
	}
	if (!value_parse_uint(s, len, 1, DURATION_MAX / scale, &n)) {
		diag_error(&w->loc, "duration '%s' is out of range (1 second to 30 days)", s);
		return -1;
	}
	*seconds = (unsigned)(n * scale);
	return 0;
}

int value_iface(const struct ast_word *w)
{
	const char *s = w->text, *colon = strchr(s, ':');
	size_t len = strlen(s), i, base = len;

	if (colon) {
		char *dev = xstrndup(s, (size_t)(colon - s));

		diag_error(&w->loc,
			   "'%s' is an address label, not an interface: netfilter matches the "
			   "interface '%s' (HOWTO FAQ 7.28)",
			   s, dev);
		free(dev);
		return -1;
	}
	if (len && s[len - 1] == '+')
		base = len - 1;
	if (base == 0) {
		diag_error(&w->loc, "'%s' is not an interface name", s);
		return -1;
	}
	if (s[0] == '-') {
		diag_error(&w->loc,
			   "interface name '%s' starts with '-': ip and iptables would read it "
			   "as an option", s);
		return -1;
	}
	if (len > IFACE_MAX) {
		diag_error(&w->loc, "interface name '%s' is longer than %d characters", s,
			   IFACE_MAX);
		return -1;
	}
	for (i = 0; i < base; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '_' && c != '.' && c != '-') {
			diag_error(&w->loc,
				   "interface name '%s' has a character outside [A-Za-z0-9_.-]",
				   s);
			return -1;
		}
	}
	if (all_digits(s, base)) {
		diag_error(&w->loc, "interface name '%s' is all digits", s);
		return -1;
	}
	return 0;
}

int value_proto(const struct ast_word *w, enum value_proto *p, uint8_t *number)
{
	static const uint8_t numbers[] = {
		[VALUE_P_ANY] = IR_P_ANY, [VALUE_P_TCP] = IR_P_TCP,   [VALUE_P_UDP] = IR_P_UDP,
		[VALUE_P_TCPUDP] = IR_P_ANY, [VALUE_P_ICMP] = IR_P_ICMP, [VALUE_P_ESP] = IR_P_ESP,
		[VALUE_P_AH] = IR_P_AH,   [VALUE_P_GRE] = IR_P_GRE,
	};
	unsigned long n;
	static const struct {
		const char *name;
		enum value_proto proto;
	} protos[] = {
		{"ah", VALUE_P_AH},   {"any", VALUE_P_ANY},         {"esp", VALUE_P_ESP},
		{"gre", VALUE_P_GRE}, {"icmp", VALUE_P_ICMP},       {"tcp", VALUE_P_TCP},
		{"tcp/udp", VALUE_P_TCPUDP}, {"udp", VALUE_P_UDP},
	};
	const char *hint;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(protos); i++) {
		if (strcmp(w->text, protos[i].name) == 0) {
			*p = protos[i].proto;
			*number = numbers[*p];
			return 0;
		}
	}
	if (w->text[0] >= '0' && w->text[0] <= '9') {
		/* 0 is IPv6's hop-by-hop header, never a layer 4 protocol; 255 is reserved */
		if (value_number(w, 1, 254, "protocol number", &n) < 0)
			return -1;
		*number = (uint8_t)n;
		*p = VALUE_P_NUMBER;
		for (i = 0; i < ARRAY_SIZE(numbers); i++)
			if (numbers[i] == n && i != VALUE_P_TCPUDP)
				*p = (enum value_proto)i;
		return 0;
	}
	hint = suggest(w->text, &protos[0].name, ARRAY_SIZE(protos), sizeof(protos[0]));
	if (hint)
		diag_error(&w->loc, "unknown protocol '%s' (did you mean '%s'?)", w->text, hint);
	else
		diag_error(&w->loc,
			   "unknown protocol '%s' (tcp, udp, tcp/udp, icmp, esp, ah, gre, any or a "
			   "protocol number)",
			   w->text);
	return -1;
}

int value_icmp_type(const struct ast_word *w, uint8_t *type)
{
	const struct tables_icmp *t = tables_icmp_find(w->text);
	const char *hint;

	if (t) {
		*type = t->type;
		return 0;
	}
	hint = tables_icmp_suggest(w->text);
	if (hint)
		diag_error(&w->loc, "unknown ICMP type '%s' (did you mean '%s'?)", w->text, hint);
	else
		diag_error(&w->loc, "unknown ICMP type '%s'", w->text);
	return -1;
}

int value_log_level(const struct ast_word *w, const char **level)
{
	/* syslog's names, and the spellings iptables and nft also accept */
	static const struct {
		const char *name, *canonical;
	} levels[] = {
		{"emerg", "emerg"},	{"alert", "alert"}, {"crit", "crit"},
		{"err", "err"},		{"warning", "warning"}, {"notice", "notice"},
		{"info", "info"},	{"debug", "debug"}, {"error", "err"},
		{"warn", "warning"},	{"panic", "emerg"},
	};
	const char *hint;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(levels); i++) {
		if (strcmp(w->text, levels[i].name) == 0) {
			*level = levels[i].canonical;
			return 0;
		}
	}
	hint = suggest(w->text, &levels[0].name, ARRAY_SIZE(levels), sizeof(levels[0]));
	if (hint)
		diag_error(&w->loc, "unknown log level '%s' (did you mean '%s'?)", w->text, hint);
	else
		diag_error(&w->loc,
			   "unknown log level '%s' (emerg, alert, crit, err, warning, notice, "
			   "info or debug)",
			   w->text);
	return -1;
}

int value_bool(const struct ast_word *w, bool *on)
{
	static const char *const yes[] = {"on", "true", "yes"};
	static const char *const no[] = {"off", "false", "no"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(w->text, yes[i]) == 0 || strcmp(w->text, no[i]) == 0) {
			*on = strcmp(w->text, yes[i]) == 0;
			return 0;
		}
	}
	diag_error(&w->loc, "'%s' is not on or off", w->text);
	return -1;
}

int value_log_prefix(const struct ast_word *w)
{
	const char *s;

	if (strlen(w->text) > IR_LOG_PREFIX_MAX) {
		diag_error(&w->loc,
			   "log prefix \"%s\" is longer than %d characters (the kernel keeps %d, "
			   "and the catch-all adds its place, up to %d)",
			   w->text, IR_LOG_PREFIX_MAX, IR_LOG_PREFIX_MAX + IR_LOG_PLACE_MAX,
			   IR_LOG_PLACE_MAX);
		return -1;
	}
	for (s = w->text; *s; s++) {
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\') {
			diag_error(&w->loc,
				   "log prefix \"%s\" may hold only printable characters "
				   "without \" and \\",
				   w->text);
			return -1;
		}
	}
	return 0;
}
