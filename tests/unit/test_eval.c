// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_eval.c - the evaluator: policies in, IR pictures out. With a file
 * argument it prints that policy's IR picture instead (for reading).
 */
#include "ast_load.h"
#include "diag.h"
#include "ir.h"
#include "masq_parse.h"
#include "unit.h"
#include "util.h"

#include "ir_dump.h"

#include <stdlib.h>

static struct ir *eval_text(const char *text)
{
	const struct diag_source *src = diag_add_source("t.masq", text, strlen(text));
	struct ast_file *f = ast_parse_masq(src);
	struct ir *ir = NULL;

	if (f && diag_error_count() == 0)
		ir = ir_eval(f);
	ast_file_free(f);
	return ir;
}

/* The IR picture of @text, or "error" when it does not compile. */
static char *picture(const char *text)
{
	struct strbuf sb = {0};
	struct ir *ir;

	diag_reset();
	diag_quiet_warnings(true);
	ir = eval_text(text);
	if (!ir)
		return xstrdup("error");
	dump_ir(&sb, ir);
	ir_free(ir);
	return sb.buf;
}

static int dump_file(const char *path)
{
	struct ast_file *f = ast_load(path);
	struct strbuf sb = {0};
	struct ir *ir = NULL;

	if (f && diag_error_count() == 0)
		ir = ir_eval(f);
	ast_file_free(f);
	if (!ir)
		return 1;
	dump_ir(&sb, ir);
	fputs(sb.buf, stdout);
	sb_free(&sb);
	ir_free(ir);
	return 0;
}

#define GW "external ppp0\ninternal eth1 192.168.0.1/24\n"

/* Whether @p holds the line @line exactly. */
static bool has_line(const char *p, const char *line)
{
	size_t n = strlen(line);
	const char *s;

	for (s = p; (s = strstr(s, line)); s++)
		if ((s == p || s[-1] == '\n') && (s[n] == '\n' || s[n] == '\0'))
			return true;
	return false;
}

static void test_defaults(void)
{
	char *p = picture(GW);

	CHECK(has_line(p, "level strong ipv6 0"));
	CHECK(has_line(p, "snat oif ppp0 to 0.0.0.0 from {192.168.0.0/24}"));
	CHECK(has_line(p, "log on 5/1 \"masqgen: \" warning"));
	CHECK(has_line(p, "sysctl net.ipv4.ip_forward=1"));
	CHECK(has_line(p, "sysctl net.ipv4.ip_dynaddr=1"));
	CHECK(strstr(p, "sysctl net.ipv4.ip_forward=1\nsysctl net.ipv4.ip_dynaddr=1") != NULL);
	CHECK(has_line(p, "  catchall both line 0: log drop"));
	CHECK(!strstr(p, "chain output"));
	free(p);
}

static void test_static_snat(void)
{
	char *p = picture("external eth0 address 203.0.113.2\nexternal ppp0\n"
			  "internal eth1 192.168.0.1/24, 10.0.0.1/16\n");

	/* one entry per (external, internal network) pair */
	CHECK(has_line(p, "snat oif eth0 to 203.0.113.2 from {192.168.0.0/24}"));
	CHECK(has_line(p, "snat oif eth0 to 203.0.113.2 from {10.0.0.0/16}"));
	CHECK(has_line(p, "snat oif ppp0 to 0.0.0.0 from {192.168.0.0/24}"));
	CHECK(has_line(p, "snat oif ppp0 to 0.0.0.0 from {10.0.0.0/16}"));
	CHECK(has_line(p, "sysctl net.ipv4.ip_dynaddr=1"));
	free(p);
	p = picture("external eth0 address 203.0.113.2\ninternal eth1 192.168.0.1/24\n");
	CHECK(!strstr(p, "ip_dynaddr"));
	free(p);
}

static void test_masquerade_sources(void)
{
	char *p = picture(GW "masquerade 192.168.0.0/25, 192.168.0.128/26\n");

	CHECK(has_line(p, "snat oif ppp0 to 0.0.0.0 from {192.168.0.0/25, 192.168.0.128/26}"));
	CHECK(!strstr(p, "from {192.168.0.0/24}"));
	CHECK(has_line(p, "  lan ip line 2: iif eth1 oif ppp0 saddr {192.168.0.0/25, "
			  "192.168.0.128/26} accept"));
	free(p);
}

/* Several externals: numbered in policy order for the mark; a wildcard gets none. */
static void test_wans(void)
{
	struct strbuf sb = {0};
	char *p = picture("external eth0 address 203.0.113.2\nexternal ppp+\nexternal eth2\n"
			  "internal eth1 192.168.0.1/24\n");
	int i;

	CHECK(has_line(p, "iface eth0 external addr 203.0.113.2 wan 1"));
	CHECK(has_line(p, "iface ppp+ external dynamic"));
	CHECK(has_line(p, "iface eth2 external dynamic wan 2"));
	CHECK(strstr(p, "sysctl net.ipv4.ip_dynaddr=1\nsysctl net.ipv4.conf.all.src_valid_mark=1"));
	free(p);
	/* one external: no number, no setting */
	p = picture("external eth0\ninternal eth1 192.168.0.1/24\n");
	CHECK(!strstr(p, " wan ") && !strstr(p, "src_valid_mark"));
	free(p);
	/* the mark has room for 15 */
	for (i = 0; i < 16; i++)
		sb_addf(&sb, "external eth%d\n", 10 + i);
	sb_add(&sb, "internal eth1 192.168.0.1/24\n");
	p = picture(sb.buf);
	CHECK_STR(p, "error");
	free(p);
	sb.len = 0;
	for (i = 0; i < 15; i++)
		sb_addf(&sb, "external eth%d\n", 10 + i);
	sb_add(&sb, "internal eth1 192.168.0.1/24\n");
	p = picture(sb.buf);
	CHECK(has_line(p, "iface eth24 external dynamic wan 15"));
	free(p);
	sb_free(&sb);
}

/* A cluster node: NAT on the virtual address, VRRP and sync only where they belong. */
static void test_cluster(void)
{
	char *p = picture("cluster gw-a priority 150 peer 10.9.9.2 sync eth2 id 7\n"
			  "external eth0 address 203.0.113.2 virtual 203.0.113.10\n"
			  "internal eth1 192.168.0.2/24 virtual 192.168.0.1\n"
			  "firewall simple\n");

	CHECK(has_line(p, "cluster gw-a priority 150 id 7 peer 10.9.9.2 sync eth2 vrrp eth1"));
	CHECK(has_line(p, "iface eth0 external addr 203.0.113.10 node 203.0.113.2 "
			  "virtual 203.0.113.10/32"));
	CHECK(has_line(p, "iface eth1 internal node 192.168.0.2 virtual 192.168.0.1/24 "
			  "net 192.168.0.0/24 gw 192.168.0.2"));
	CHECK(has_line(p, "snat oif eth0 to 203.0.113.10 from {192.168.0.0/24}"));
	/* simple: the input chain exists for the drops */
	CHECK(has_line(p, "  cluster ip line 1: iif eth2 saddr {10.9.9.2} proto udp dport {udp 3780} "
			  "accept"));
	CHECK(has_line(p, "  cluster ip line 1: proto udp dport {udp 3780} drop"));
	CHECK(has_line(p, "  cluster ip line 1: iif eth1 daddr {224.0.0.18} proto 112 accept"));
	CHECK(has_line(p, "  cluster ip line 1: proto 112 drop"));
	CHECK(!strstr(p, "ip_dynaddr"));
	free(p);
	/* a policy without a cluster has no virtual address */
	p = picture("external eth0 address 203.0.113.2 virtual 203.0.113.10\n"
		    "internal eth1 192.168.0.2/24\n");
	CHECK_STR(p, "error");
	free(p);
}

static void test_merge(void)
{
	char *p = picture(GW "allow tcp 22 from 198.51.100.0/24\n"
			  "allow tcp 80 from 198.51.100.0/24\n"
			  "allow udp 53 from 198.51.100.0/24\n"
			  "allow tcp 25 from 192.0.2.0/24\n"
			  "allow tcp 25 from 192.0.2.1\n");

	CHECK(has_line(p, "  user ip line 3: saddr {198.51.100.0/24} dport {tcp 22, tcp 80, udp 53} "
			  "accept"));
	/* two lists differ from the rule before: merging would open 22 to 192.0.2.0/24 */
	CHECK(has_line(p, "  user ip line 6: saddr {192.0.2.0/24} proto tcp dport {tcp 25} accept"));
	free(p);
}

static void test_merge_locations(void)
{
	struct ir *ir;
	const struct ir_rule *r = NULL;
	size_t i;

	diag_reset();
	ir = eval_text(GW "allow tcp 22\nallow tcp 80\n\nallow tcp 443\n");
	CHECK(ir != NULL);
	if (!ir)
		return;
	for (i = 0; i < ir->chain[IR_CH_INPUT].n; i++)
		if (ir->chain[IR_CH_INPUT].rules[i].tag == IR_T_USER)
			r = &ir->chain[IR_CH_INPUT].rules[i];
	CHECK(r && r->dports.n == 3);
	if (r && r->dports.n == 3) {
		CHECK(r->dports.v[0].loc.line == 3 && r->dports.v[0].loc.col == 11);
		CHECK(r->dports.v[1].loc.line == 4);
		CHECK(r->dports.v[2].loc.line == 6);
		CHECK(r->proto == IR_P_TCP && r->family == IR_F_BOTH);
	}
	ir_free(ir);
}

#define GW6 "external ppp0\ninternal eth1 192.168.0.1/24, 2001:db8:1::1/64\n"

/* A line's addresses decide its family: one rule per family it names. */
static void test_families(void)
{
	char *p = picture(GW6 "allow tcp 22 from 198.51.100.0/24\n"
			      "allow tcp 23 from 2001:db8:ff::/48\n"
			      "allow tcp 24 from 198.51.100.9, 2001:db8:ff::9\n"
			      "allow tcp 25\n"
			      "allow tcp 26 from any\n"
			      "allow forward icmp echo-request to 2001:db8:1::10\n"
			      "allow forward tcp 80 from any to 2001:db8:1::0-2001:db8:1::ff\n");

	CHECK(has_line(p, "  user ip line 3: saddr {198.51.100.0/24} proto tcp dport {tcp 22} accept"));
	CHECK(has_line(p, "  user ip6 line 4: saddr {2001:db8:ff::/48} proto tcp dport {tcp 23} accept"));
	CHECK(has_line(p, "  user ip line 5: saddr {198.51.100.9} proto tcp dport {tcp 24} accept"));
	CHECK(has_line(p, "  user ip6 line 5: saddr {2001:db8:ff::9} proto tcp dport {tcp 24} accept"));
	CHECK(has_line(p, "  user both line 6: proto tcp dport {tcp 25, tcp 26} accept"));
	CHECK(has_line(p, "  user ip6 line 8: daddr {2001:db8:1::10} proto icmpv6 types {128} accept"));
	CHECK(has_line(p, "  user ip6 line 9: daddr {2001:db8:1::/120} proto tcp dport {tcp 80} accept"));
	CHECK(has_line(p, "iface eth1 internal net 192.168.0.0/24 gw 192.168.0.1 net6 2001:db8:1::/64 "
			  "gw 2001:db8:1::1"));
	free(p);
	/* lines alternating families merge within each family, skipping the other's rule */
	p = picture(GW6 "allow tcp 22 from 198.51.100.1, 2001:db8:ff::1\n"
			"allow tcp 22 from 198.51.100.2, 2001:db8:ff::2\n");
	CHECK(has_line(p, "  user ip line 3: saddr {198.51.100.1, 198.51.100.2} proto tcp dport {tcp 22} "
			  "accept"));
	CHECK(has_line(p, "  user ip6 line 3: saddr {2001:db8:ff::1, 2001:db8:ff::2} proto tcp dport "
			  "{tcp 22} accept"));
	free(p);
	/* overlaps join per family; IPv4 and IPv6 never meet */
	p = picture(GW6 "allow from 2001:db8::/32, 2001:db8:5::/48, 10.0.0.0/8, 10.1.0.0/16\n");
	CHECK(has_line(p, "  user ip line 3: saddr {10.0.0.0/8} accept"));
	CHECK(has_line(p, "  user ip6 line 3: saddr {2001:db8::/32} accept"));
	free(p);
	p = picture(GW6 "ipv6 open\nallow tcp 22 from 2001:db8:ff::/48, 198.51.100.0/24\n");
	CHECK(has_line(p, "  user ip line 4: saddr {198.51.100.0/24} proto tcp dport {tcp 22} accept"));
	CHECK(strstr(p, "user ip6") == NULL);
	free(p);
	p = picture(GW6 "allow from 10.0.0.1 to 2001:db8::1\n");
	CHECK_STR(p, "error");
	free(p);
	p = picture(GW6 "internal eth2 2001:db8:1:8::/61, 2001:db8:1::/48\n");
	CHECK_STR(p, "error");
	free(p);
}

static void test_forwards(void)
{
	char *p = picture(GW "forward tcp/udp 5060-5061 to 192.168.0.60:6060\n"
			  "forward tcp 80, 443 to 192.168.0.10 noreflect\n"
			  "forward esp to 192.168.0.20\n");

	CHECK(has_line(p, "forward ppp0 tcp 5060-5061 to 192.168.0.60:6060 reflect"));
	CHECK(has_line(p, "forward ppp0 udp 5060-5061 to 192.168.0.60:6060 reflect"));
	CHECK(has_line(p, "forward ppp0 tcp 80-80 to 192.168.0.10:80"));
	CHECK(has_line(p, "forward ppp0 tcp 443-443 to 192.168.0.10:443"));
	CHECK(has_line(p, "forward ppp0 esp 0-0 to 192.168.0.20:0 reflect"));
	CHECK(has_line(p, "  forwarded ip line 3: ct-dnat-forward accept"));
	free(p);
}

static void test_simple(void)
{
	char *p = picture(GW "firewall simple\n");

	CHECK(!strstr(p, "chain raw"));
	CHECK(!strstr(p, "chain input"));
	CHECK(has_line(p, "chain forward policy drop"));
	free(p);
	p = picture(GW "firewall simple\ndeny tcp 25\n");
	CHECK(has_line(p, "chain input policy accept"));
	CHECK(has_line(p, "  user both line 4: proto tcp dport {tcp 25} drop"));
	CHECK(!strstr(p, "  lan ip line 2: iif eth1 saddr"));
	free(p);
}

static void test_helpers(void)
{
	struct ir *ir;

	diag_reset();
	diag_quiet_warnings(true);
	ir = eval_text(GW "helper h323, snmp\nhelper ftp ports 21, 2121\n");
	CHECK(ir && ir->n_helpers == 5);
	if (ir && ir->n_helpers == 5) {
		CHECK_STR(ir->helpers[0].kname, "RAS");
		CHECK_STR(ir->helpers[1].kname, "Q.931");
		CHECK_STR(ir->helpers[3].kname, "snmp_trap");
		CHECK(ir->helpers[4].ports.n == 2 && ir->helpers[4].ports.v[1].lo == 2121);
		CHECK(ir_check_modern(ir) == 0);
	}
	ir_free(ir);
	ir = eval_text(GW "helper raudio\n");
	CHECK(ir && ir->n_helpers == 1 && !ir->helpers[0].modern && ir->helpers[0].legacy);
	if (ir)
		CHECK(ir_check_modern(ir) == -1);
	ir_free(ir);
}

static void test_every_error(void)
{
	char *p;

	p = picture(GW "forward tcp 80 to 10.0.0.1\nallow tcp sshh\nhelper fpt\nclamp-mss 1\n");
	CHECK_STR(p, "error");
	free(p);
	CHECK(diag_error_count() == 4);
}

static void test_interning(void)
{
	struct ir *ir;

	diag_reset();
	ir = eval_text(GW "forward tcp 80 to 192.168.0.10\nforward tcp 81 to 192.168.0.10\n"
		       "allow on ppp0\n");
	CHECK(ir && ir->n_forwards == 2);
	if (ir && ir->n_forwards == 2) {
		CHECK(ir->forwards[0].iif == ir->forwards[1].iif);
		CHECK(ir->forwards[0].iif == ir->ifaces[0].name);
		CHECK(ir_intern(ir, "ppp0") == ir->ifaces[0].name);
		CHECK(ir_iface_find(ir, "eth1") == &ir->ifaces[1]);
		CHECK(ir_iface_find(ir, "eth9") == NULL);
	}
	ir_free(ir);
}

static void test_addr_helpers(void)
{
	struct ir_addr a = ir_addr_make(IR_F_IPV4, 0x0a000000, 0x0affffff, NULL);
	char buf[IR_ADDR_STRLEN];
	unsigned len;

	CHECK(ir_addr_prefix(&a, &len) && len == 8);
	CHECK_STR(ir_addr_str(&a, buf), "10.0.0.0/8");
	a.hi = 0x0a000009;
	CHECK(!ir_addr_prefix(&a, &len));
	CHECK_STR(ir_addr_str(&a, buf), "10.0.0.0-10.0.0.9");
	a.lo = a.hi = 0xc0a80001;
	CHECK(ir_addr_prefix(&a, &len) && len == 32);
	CHECK_STR(ir_addr_str(&a, buf), "192.168.0.1");
	a.lo = 0x0a000001;
	a.hi = 0x0a000002;
	CHECK(!ir_addr_prefix(&a, &len));
	a.lo = 0;
	a.hi = 0xffffffff;
	CHECK(ir_addr_prefix(&a, &len) && len == 0);
	a = ir_addr_make(IR_F_IPV6, (ir_u128)0x20010db8 << 96, ((ir_u128)0x20010db8 << 96) | 0xff,
			 NULL);
	CHECK(ir_addr_prefix(&a, &len) && len == 120);
	CHECK_STR(ir_addr_str(&a, buf), "2001:db8::/120");
	a.hi6 = ~(ir_u128)0;
	CHECK_STR(ir_addr_str(&a, buf), "2001:db8::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	a.lo6 = 0;
	CHECK(ir_addr_prefix(&a, &len) && len == 0);
	CHECK_STR(ir_addr_str(&a, buf), "::/0");
	CHECK_STR(ir_proto_name(IR_P_GRE), "gre");
	CHECK_STR(ir_proto_name(99), "99");
}

/*
 * 100,000 forwards evaluate into 100,000 IR forwards with no false
 * duplicate; how fast is measured by tests/bench, never here.
 */
static void test_scale(void)
{
	struct strbuf sb = {0};
	const struct diag_source *src;
	struct ast_file *f;
	struct ir *ir;
	int i;

	diag_reset();
	sb_add(&sb, "external ppp0\nexternal eth0 address 203.0.113.2\ninternal eth1 10.0.0.1/8\n");
	for (i = 0; i < 100000; i++)
		sb_addf(&sb, "forward tcp %d on %s to 10.%d.%d.%d%s\n", 1 + i % 50000,
			i < 50000 ? "ppp0" : "eth0", (i >> 16) & 255, (i >> 8) & 255, 2 + (i & 127),
			i < 50000 ? "" : " noreflect");
	src = diag_add_source("scale.masq", sb.buf, sb.len);
	f = ast_parse_masq(src);
	ir = ir_eval(f);
	CHECK(ir && ir->n_forwards == 100000);
	CHECK(diag_error_count() == 0);
	ir_free(ir);
	ast_file_free(f);
	sb_free(&sb);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return dump_file(argv[1]);
	/* the errors these tests provoke are counted, not read */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	RUN(test_defaults);
	RUN(test_static_snat);
	RUN(test_masquerade_sources);
	RUN(test_wans);
	RUN(test_cluster);
	RUN(test_merge);
	RUN(test_merge_locations);
	RUN(test_families);
	RUN(test_forwards);
	RUN(test_simple);
	RUN(test_helpers);
	RUN(test_every_error);
	RUN(test_interning);
	RUN(test_addr_helpers);
	RUN(test_scale);
	UNIT_EXIT();
}
