/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * value.h - the typed meaning of a policy word in the slot it stands in.
 *
 * The parser keeps every value as a word; these functions read a word as
 * an address, a port, an interface name... Each returns 0, or reports one
 * error at the word's location (quoting it) and returns -1, so a caller
 * only counts failures. Numbers are in host byte order.
 */
#ifndef MASQGEN_VALUE_H
#define MASQGEN_VALUE_H

#include "ast.h"
#include "ir.h"

#include <stdbool.h>
#include <stdint.h>

/* The protocol words of allow/deny/reject and forward. */
enum value_proto {
	VALUE_P_ANY,
	VALUE_P_TCP,
	VALUE_P_UDP,
	VALUE_P_TCPUDP,
	VALUE_P_ICMP,
	VALUE_P_ESP,
	VALUE_P_AH,
	VALUE_P_GRE,
	VALUE_P_NUMBER,	/* another protocol, by number */
};

/*
 * Parse @len bytes of @s as a decimal number in [@min, @max] without
 * overflow. Returns false when it is not all digits or out of range; it
 * reports nothing.
 */
bool value_parse_uint(const char *s, size_t len, unsigned long min, unsigned long max,
		      unsigned long *out);

/* A number in [@min, @max]; @what names it in the error ("MSS"). */
int value_number(const struct ast_word *w, unsigned long min, unsigned long max,
		 const char *what, unsigned long *out);

/* A single IPv4 address a.b.c.d. */
int value_ipv4(const struct ast_word *w, uint32_t *addr);

/*
 * An internal network a.b.c.d/n or IPv6 PREFIX/n into @n (family, net,
 * len, gw; loc untouched). Host bits are allowed: gw gets the address as
 * written when they are set (the gateway's own address on that network),
 * else 0.
 */
int value_network(const struct ast_word *w, struct ir_net *n);

/*
 * An address of either family, an aligned prefix (a.b.c.d/n, 2001:db8::/n;
 * host bits are an error naming the network meant) or a range lo-hi of
 * one family. loc is set from @w.
 */
int value_addr(const struct ast_word *w, struct ir_addr *a);

/* A port: a number 1-65535, lo-hi, or a name from masqgen's table. */
int value_ports(const struct ast_word *w, uint16_t *lo, uint16_t *hi);

/*
 * HOST[:PORT[-PORT]] of a forward's `to`. *has_port says whether a port
 * was given; *lo and *hi are then the target ports.
 */
int value_hostport(const struct ast_word *w, uint32_t *host, bool *has_port, uint16_t *lo,
		   uint16_t *hi);

/* N/second, N/minute, N/hour with 1 <= N <= 10000. */
int value_rate(const struct ast_word *w, unsigned *rate, enum ir_rate_unit *unit);

/* 30s, 10m, 2h or bare seconds; 1 second to 30 days. */
int value_duration(const struct ast_word *w, unsigned *seconds);

/*
 * An interface name: 1-15 characters of [A-Za-z0-9_.-], not all digits,
 * optionally ending in '+'. A ':' is an address label (HOWTO FAQ 7.28).
 */
int value_iface(const struct ast_word *w);

/*
 * tcp, udp, tcp/udp, icmp, esp, ah, gre, any, or a protocol number 1-254;
 * *number gets the IP protocol number (0 for any and tcp/udp). The number
 * of a named protocol gives that name (6 is tcp), others VALUE_P_NUMBER.
 */
int value_proto(const struct ast_word *w, enum value_proto *p, uint8_t *number);

/* An ICMP type name from masqgen's table. */
int value_icmp_type(const struct ast_word *w, uint8_t *type);

/* A syslog level name; *level points to a static canonical name. */
int value_log_level(const struct ast_word *w, const char **level);

/* on/off (also true/false, yes/no as YAML writes them). */
int value_bool(const struct ast_word *w, bool *on);

/* The text of a log prefix: at most IR_LOG_PREFIX_MAX printable characters, no " or \. */
int value_log_prefix(const struct ast_word *w);

/* IPv4 address of "a.b.c.d" with exactly @len bytes; false if not one. */
bool value_parse_ipv4(const char *s, size_t len, uint32_t *addr);

/*
 * IPv6 address in @len bytes of @s (2001:db8::1, ::ffff:192.0.2.1); false
 * if not one, with *why saying what is wrong ("'::' may stand only once").
 */
bool value_parse_ipv6(const char *s, size_t len, ir_u128 *addr, const char **why);

#endif
