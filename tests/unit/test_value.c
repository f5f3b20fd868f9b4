// SPDX-License-Identifier: GPL-2.0-or-later
/* test_value.c - words read by slot: addresses, ports, rates, names */
#include "diag.h"
#include "unit.h"
#include "util.h"
#include "value.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A word for @text; errors go to the count (stderr is closed in main). */
static struct ast_word word(const char *text)
{
	struct ast_word w = {AST_WORD, (char *)text, {NULL, 1, 1, 1}};

	return w;
}

/* Whether reading @text failed with exactly one error. */
#define FAILS(call)                                                            \
	do {                                                                   \
		unsigned before_ = diag_error_count();                         \
		CHECK((call) == -1);                                           \
		CHECK(diag_error_count() == before_ + 1);                      \
	} while (0)

static void test_numbers(void)
{
	unsigned long n;
	struct ast_word w;

	CHECK(value_parse_uint("65535", 5, 1, 65535, &n) && n == 65535);
	CHECK(!value_parse_uint("65536", 5, 1, 65535, &n));
	CHECK(!value_parse_uint("0", 1, 1, 65535, &n));
	CHECK(!value_parse_uint("", 0, 0, 10, &n));
	CHECK(!value_parse_uint("1x", 2, 0, 10, &n));
	CHECK(!value_parse_uint("18446744073709551616", 20, 0, ULONG_MAX, &n));
	CHECK(value_parse_uint("18446744073709551615", 20, 0, ULONG_MAX, &n) && n == ULONG_MAX);
	w = word("1400");
	CHECK(value_number(&w, 536, 65495, "MSS", &n) == 0 && n == 1400);
	w = word("99999999999999999999999");
	FAILS(value_number(&w, 536, 65495, "MSS", &n));
	w = word("12a");
	FAILS(value_number(&w, 536, 65495, "MSS", &n));
}

/* ir_ip_str() against printf and back through value_ipv4(), every byte value in every place. */
static void test_ip_str(void)
{
	char buf[16], want[16];
	struct ast_word w;
	uint32_t a, back;
	unsigned b, k;

	for (k = 0; k < 4; k++)
		for (b = 0; b < 256; b++) {
			a = b << (8 * k) | (k ? 0x0a000001u : 0xc0000000u);
			snprintf(want, sizeof(want), "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
				 (a >> 8) & 0xff, a & 0xff);
			CHECK_STR(ir_ip_str(a, buf), want);
			w = word(buf);
			CHECK(value_ipv4(&w, &back) == 0 && back == a);
		}
	CHECK_STR(ir_ip_str(0, buf), "0.0.0.0");
	CHECK_STR(ir_ip_str(0xffffffff, buf), "255.255.255.255");
	CHECK_STR(ir_ip_str(0x0a640a09, buf), "10.100.10.9");
}

static void test_ipv4(void)
{
	static const char *const bad[] = {
		"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "", "1..2.3", "a.b.c.d", "1.2.3.4 ",
	};
	struct ast_word w = word("192.168.0.1");
	uint32_t a;
	size_t i;

	CHECK(value_ipv4(&w, &a) == 0 && a == 0xc0a80001);
	w = word("0.0.0.0");
	CHECK(value_ipv4(&w, &a) == 0 && a == 0);
	w = word("255.255.255.255");
	CHECK(value_ipv4(&w, &a) == 0 && a == 0xffffffff);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		w = word(bad[i]);
		FAILS(value_ipv4(&w, &a));
	}
	w = word("2001:db8::1");
	FAILS(value_ipv4(&w, &a));
	test_ip_str();
}

static void test_network(void)
{
	static const char *const bad[] = {
		"192.168.0.1/33", "192.168.0.1", "10.0.0.255/24", "0.0.0.0/0", "10.0.0.1/", "fd00::1",
		"10.0.0.1/x", "2001:db8::1/129", "::/0", "2001:db8:::1/64",
	};
	struct ast_word w = word("192.168.0.1/24");
	struct ir_net n;
	size_t i;

	CHECK(value_network(&w, &n) == 0);
	CHECK(n.family == IR_F_IPV4 && n.net == 0xc0a80000 && n.len == 24 && n.gw == 0xc0a80001);
	w = word("10.0.0.0/8");
	CHECK(value_network(&w, &n) == 0 && n.net == 0x0a000000 && n.len == 8 && n.gw == 0);
	w = word("10.1.2.3/32");
	CHECK(value_network(&w, &n) == 0 && n.net == 0x0a010203 && n.gw == 0);
	w = word("10.0.0.1/31");
	CHECK(value_network(&w, &n) == 0 && n.net == 0x0a000000 && n.gw == 0x0a000001);
	w = word("2001:db8:1::1/64");
	CHECK(value_network(&w, &n) == 0 && n.family == IR_F_IPV6 && n.len == 64);
	CHECK(n.net6 == (ir_u128)0x20010db800010000ull << 64 && n.gw6 == (n.net6 | 1));
	w = word("fd00::/8");
	CHECK(value_network(&w, &n) == 0 && n.net6 == (ir_u128)0xfd << 120 && n.gw6 == 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		w = word(bad[i]);
		FAILS(value_network(&w, &n));
	}
}

static void test_ipv6(void)
{
	static const char *const bad[] = {
		"2001:db8::1::2", "2001:db8:1:2:3:4:5:6:7", "2001:db8", "12345::1", "2001:dg8::1",
		":1::2", "1:2:3:4:5:6:7:8::", "::1.2.3.400", "1:2:3:4:5:6:7:1.2.3.4", "", ":",
	};
	const char *why;
	char buf[64];
	ir_u128 a;
	size_t i;

	CHECK(value_parse_ipv6("::", 2, &a, &why) && a == 0);
	CHECK(value_parse_ipv6("::1", 3, &a, &why) && a == 1);
	CHECK(value_parse_ipv6("2001:DB8::1", 11, &a, &why) &&
	      a == (((ir_u128)0x20010db800000000ull << 64) | 1));
	CHECK(value_parse_ipv6("1:2:3:4:5:6:7::", 15, &a, &why) && (a >> 112) == 1 &&
	      (a & 0xffff) == 0);
	CHECK(value_parse_ipv6("::ffff:192.0.2.1", 16, &a, &why) && a == 0xffffc0000201ull);
	CHECK(value_parse_ipv6("1:2:3:4:5:6:7:8", 15, &a, &why) && (a & 0xffff) == 8);
	CHECK(strcmp(ir_ip6_str(((ir_u128)0x20010db800000000ull << 64) | 0x10, buf),
		     "2001:db8::10") == 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		CHECK(!value_parse_ipv6(bad[i], strlen(bad[i]), &a, &why) && why);
	}
}

static void test_addr(void)
{
	static const char *const bad[] = {
		"10.0.0.5/24", "10.0.0.9-10.0.0.1", "10.0.0.1-", "-10.0.0.1", "2001:db8::1/32",
		"10.0.0.0/40", "host.example", "10.0.0.1-2001:db8::1", "2001:db8::9-2001:db8::1",
		"2001:db8::/129", "2001:db8::/::ffff",
	};
	struct ast_word w = word("10.0.0.0/8");
	char buf[IR_ADDR_STRLEN];
	struct ir_addr a;
	size_t i;

	CHECK(value_addr(&w, &a) == 0 && a.lo == 0x0a000000 && a.hi == 0x0affffff);
	CHECK(a.family == IR_F_IPV4);
	w = word("10.0.0.1-10.0.0.9");
	CHECK(value_addr(&w, &a) == 0 && a.lo == 0x0a000001 && a.hi == 0x0a000009);
	w = word("198.51.100.7");
	CHECK(value_addr(&w, &a) == 0 && a.lo == a.hi && a.lo == 0xc6336407);
	w = word("0.0.0.0/0");
	CHECK(value_addr(&w, &a) == 0 && a.lo == 0 && a.hi == 0xffffffff);
	w = word("2001:db8:1::/64");
	CHECK(value_addr(&w, &a) == 0 && a.family == IR_F_IPV6 && a.lo == 0 && a.hi == 0);
	CHECK(a.lo6 == (ir_u128)0x20010db800010000ull << 64 && a.hi6 == (a.lo6 | UINT64_MAX));
	CHECK(strcmp(ir_addr_str(&a, buf), "2001:db8:1::/64") == 0);
	w = word("2001:db8::1-2001:db8::9");
	CHECK(value_addr(&w, &a) == 0 && a.hi6 - a.lo6 == 8);
	CHECK(strcmp(ir_addr_str(&a, buf), "2001:db8::1-2001:db8::9") == 0);
	w = word("2001:db8::10");
	CHECK(value_addr(&w, &a) == 0 && a.lo6 == a.hi6 && strcmp(ir_addr_str(&a, buf), w.text) == 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		w = word(bad[i]);
		FAILS(value_addr(&w, &a));
	}
}

static void test_ports(void)
{
	static const char *const bad[] = {
		"0", "65536", "90-80", "htps", "80-", "-80", "1-65536", "99999999999999999999", "",
		"ssh-nosuch",
	};
	struct ast_word w = word("80");
	uint16_t lo, hi;
	size_t i;

	CHECK(value_ports(&w, &lo, &hi) == 0 && lo == 80 && hi == 80);
	w = word("ssh");
	CHECK(value_ports(&w, &lo, &hi) == 0 && lo == 22 && hi == 22);
	w = word("snmp-trap");
	CHECK(value_ports(&w, &lo, &hi) == 0 && lo == 162 && hi == 162);
	w = word("ipsec-nat-t");
	CHECK(value_ports(&w, &lo, &hi) == 0 && lo == 4500);
	w = word("27960-27963");
	CHECK(value_ports(&w, &lo, &hi) == 0 && lo == 27960 && hi == 27963);
	w = word("ftp-ssh");
	CHECK(value_ports(&w, &lo, &hi) == 0 && lo == 21 && hi == 22);
	w = word("1-65535");
	CHECK(value_ports(&w, &lo, &hi) == 0 && lo == 1 && hi == 65535);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		w = word(bad[i]);
		FAILS(value_ports(&w, &lo, &hi));
	}
}

static void test_hostport(void)
{
	struct ast_word w = word("192.168.0.3:22");
	uint16_t lo, hi;
	uint32_t host;
	bool has;

	CHECK(value_hostport(&w, &host, &has, &lo, &hi) == 0 && host == 0xc0a80003 && has &&
	      lo == 22 && hi == 22);
	w = word("192.168.0.3:8000-8010");
	CHECK(value_hostport(&w, &host, &has, &lo, &hi) == 0 && has && lo == 8000 && hi == 8010);
	w = word("192.168.0.3");
	CHECK(value_hostport(&w, &host, &has, &lo, &hi) == 0 && !has);
	w = word("192.168.0.3:http");
	CHECK(value_hostport(&w, &host, &has, &lo, &hi) == 0 && lo == 80);
	w = word("192.168.0.3:");
	FAILS(value_hostport(&w, &host, &has, &lo, &hi));
	w = word("192.168.0.3:0");
	FAILS(value_hostport(&w, &host, &has, &lo, &hi));
	w = word("[2001:db8::1]:80");
	FAILS(value_hostport(&w, &host, &has, &lo, &hi));
	w = word("2001:db8::1");
	FAILS(value_hostport(&w, &host, &has, &lo, &hi));
	w = word("server:80");
	FAILS(value_hostport(&w, &host, &has, &lo, &hi));
}

static void test_rate(void)
{
	static const char *const bad[] = {
		"5", "5/min", "0/hour", "10001/second", "/minute", "x/minute", "5/",
	};
	struct ast_word w = word("5/minute");
	enum ir_rate_unit unit;
	unsigned rate;
	size_t i;

	CHECK(value_rate(&w, &rate, &unit) == 0 && rate == 5 && unit == IR_PER_MINUTE);
	w = word("10000/second");
	CHECK(value_rate(&w, &rate, &unit) == 0 && rate == 10000 && unit == IR_PER_SECOND);
	w = word("100/hour");
	CHECK(value_rate(&w, &rate, &unit) == 0 && rate == 100 && unit == IR_PER_HOUR);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		w = word(bad[i]);
		FAILS(value_rate(&w, &rate, &unit));
	}
}

static void test_duration(void)
{
	static const struct {
		const char *text;
		unsigned seconds;
	} good[] = {
		{"30s", 30}, {"10m", 600}, {"2h", 7200}, {"7200", 7200}, {"720h", 2592000},
		{"2592000", 2592000}, {"1", 1},
	};
	static const char *const bad[] = {
		"0", "0s", "30d", "721h", "2592001", "h", "", "1.5h", "-5", "99999999999999999999h",
	};
	struct ast_word w;
	unsigned s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		w = word(good[i].text);
		CHECK(value_duration(&w, &s) == 0 && s == good[i].seconds);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		w = word(bad[i]);
		FAILS(value_duration(&w, &s));
	}
}

static void test_iface(void)
{
	static const char *const good[] = {
		"eth0", "ppp+", "br-lan", "eth0.100", "a", "abcdefghijklmno", "wg_0", "1eth",
	};
	static const char *const bad[] = {
		"eth0:1", "+", "", "123", "123456789012345", "abcdefghijklmnop", "eth 0", "ppp++",
		"eth/0", "ethé", "-eth0", "-",
	};
	struct ast_word w;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		w = word(good[i]);
		CHECK(value_iface(&w) == 0);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		w = word(bad[i]);
		FAILS(value_iface(&w));
	}
}

static void test_names(void)
{
	enum value_proto p;
	uint8_t num;
	const char *level;
	uint8_t type;
	bool on;
	struct ast_word w = word("tcp/udp");

	CHECK(value_proto(&w, &p, &num) == 0 && p == VALUE_P_TCPUDP && num == 0);
	w = word("gre");
	CHECK(value_proto(&w, &p, &num) == 0 && p == VALUE_P_GRE && num == 47);
	w = word("41");
	CHECK(value_proto(&w, &p, &num) == 0 && p == VALUE_P_NUMBER && num == 41);
	w = word("6");
	CHECK(value_proto(&w, &p, &num) == 0 && p == VALUE_P_TCP && num == 6);
	w = word("0");
	FAILS(value_proto(&w, &p, &num));
	w = word("255");
	FAILS(value_proto(&w, &p, &num));
	w = word("tpc");
	FAILS(value_proto(&w, &p, &num));
	w = word("echo-request");
	CHECK(value_icmp_type(&w, &type) == 0 && type == 8);
	w = word("timestamp-reply");
	CHECK(value_icmp_type(&w, &type) == 0 && type == 14);
	w = word("ping");
	FAILS(value_icmp_type(&w, &type));
	w = word("warn");
	CHECK(value_log_level(&w, &level) == 0 && strcmp(level, "warning") == 0);
	w = word("info");
	CHECK(value_log_level(&w, &level) == 0 && strcmp(level, "info") == 0);
	w = word("loud");
	FAILS(value_log_level(&w, &level));
	w = word("off");
	CHECK(value_bool(&w, &on) == 0 && !on);
	w = word("true");
	CHECK(value_bool(&w, &on) == 0 && on);
	w = word("maybe");
	FAILS(value_bool(&w, &on));
	w = word("masqgen: ");
	CHECK(value_log_prefix(&w) == 0);
	{
		/* 113 bytes fit: 127 less the catch-all's place (14) */
		char s[IR_LOG_PREFIX_MAX + 2];

		memset(s, 'x', IR_LOG_PREFIX_MAX);
		s[IR_LOG_PREFIX_MAX] = '\0';
		w = word(s);
		CHECK(value_log_prefix(&w) == 0);
		strcat(s, "x");
		w = word(s);
		FAILS(value_log_prefix(&w));
	}
	CHECK(IR_LOG_PREFIX_MAX == 113);
	w = word("say \"hi\"");
	FAILS(value_log_prefix(&w));
	w = word("tab\there");
	FAILS(value_log_prefix(&w));
}

/* Check util_sort_keys() on @n @keys: a permutation, ascending, ties in position order. */
static void check_sort_keys(const uint64_t *keys, size_t n)
{
	unsigned char *seen = calloc(n + 1, 1);
	size_t *order = util_sort_keys(keys, n), i;

	for (i = 0; i < n; i++)
		seen[order[i] < n ? order[i] : 0]++;
	for (i = 0; i < n; i++)
		CHECK(seen[i] == 1);
	for (i = 1; i < n; i++)
		CHECK(keys[order[i - 1]] < keys[order[i]] ||
		      (keys[order[i - 1]] == keys[order[i]] && order[i - 1] < order[i]));
	free(order);
	free(seen);
}

/*
 * util_sort_keys(): ascending, equal keys in position order, every digit of
 * 64 bits, at every size from none up past the insertion sort's bound.
 */
static void test_sort_keys(void)
{
	enum { N = 5000 };
	static const uint64_t small[] = {7, 3, 7, 0, UINT64_MAX, 3, 1ull << 63, 0};
	static const size_t small_order[] = {3, 7, 1, 5, 0, 2, 6, 4};
	uint64_t *keys = malloc(N * sizeof(*keys)), x = 88172645463325252ull;
	size_t *order, i;

	order = util_sort_keys(small, ARRAY_SIZE(small));
	for (i = 0; i < ARRAY_SIZE(small); i++)
		CHECK(order[i] == small_order[i]);
	free(order);
	for (i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* few distinct values in the low bits: many ties */
		keys[i] = i % 3 ? x : x & 0xf0000000000000ffull;
	}
	for (i = 0; i <= 200; i++)
		check_sort_keys(keys, i);
	check_sort_keys(keys, N);
	free(keys);
}

int main(void)
{
	/* the errors these tests provoke are counted, not read */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	RUN(test_numbers);
	RUN(test_ipv4);
	RUN(test_network);
	RUN(test_ipv6);
	RUN(test_addr);
	RUN(test_ports);
	RUN(test_hostport);
	RUN(test_rate);
	RUN(test_duration);
	RUN(test_iface);
	RUN(test_names);
	RUN(test_sort_keys);
	UNIT_EXIT();
}
