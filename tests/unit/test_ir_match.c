// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ir_match.c - the one matcher over the IR (ir_match.c), the sysctl
 * path, and the proof that its users agree: for every golden policy,
 * thousands of drawn packets (seeded, so every run draws the same) get the
 * same verdict from `explain`'s engine and from the lab's prediction.
 *
 * The golden policies are read from tests/golden (run from the top of the
 * tree, as `make check` does) or from the directory given as argv[1].
 */
#include "ast.h"
#include "cli.h"
#include "diag.h"
#include "explain.h"
#include "ir.h"
#include "ir_match.h"
#include "lab.h"
#include "masq_parse.h"
#include "unit.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

#define DRAWS_PER_POLICY 4000

static const char *golden_dir = "tests/golden";

static struct ir *compile(const char *text)
{
	const struct diag_source *src;
	struct ast_file *f;
	struct ir *ir = NULL;

	diag_reset();
	diag_quiet_warnings(true);
	src = diag_add_source("t.masq", text, strlen(text));
	f = ast_parse_masq(src);
	if (f && diag_error_count() == 0)
		ir = ir_eval(f);
	ast_file_free(f);
	return ir;
}

static struct ir_pkt pkt4(uint8_t proto, uint32_t s, uint32_t d, uint16_t dport,
			  const char *iif, const char *oif)
{
	struct ir_pkt p = ir_pkt_ipv4(proto, s, d, 40000, dport, -1);

	p.iif = iif;
	p.oif = oif;
	return p;
}

static void test_predicates(void)
{
	struct ir_addr a[] = {{.lo = 10, .hi = 20}, {.lo = 30, .hi = 30}};
	struct ir_addrs l = {.v = a, .n = 2};
	struct ir_port p[] = {{.proto = IR_P_TCP, .lo = 80, .hi = 80},
			      {.proto = IR_P_UDP, .lo = 53, .hi = 53}};
	struct ir_ports pl = {.v = p, .n = 2};
	struct ir_net n = {.net = 0xc0a80000, .len = 24};

	CHECK(ir_iface_match("ppp+", "ppp0"));
	CHECK(!ir_iface_match("ppp+", "eth0"));
	CHECK(ir_iface_match("eth0.10", "eth0.10"));
	CHECK(!ir_iface_match("eth0", "eth0.10"));
	CHECK(!ir_iface_match("eth0", NULL));
	CHECK(ir_addrs_has(&l, 10, NULL) && ir_addrs_has(&l, 20, NULL) && ir_addrs_has(&l, 30, NULL));
	CHECK(!ir_addrs_has(&l, 21, NULL) && !ir_addrs_has(&l, 9, NULL));
	CHECK(ir_ports_has(&pl, IR_P_TCP, 80, NULL) && !ir_ports_has(&pl, IR_P_UDP, 80, NULL));
	CHECK(ir_net_has(&n, 0xc0a800ff) && !ir_net_has(&n, 0xc0a80100));
}

/* The rule shapes eval writes, against IPv4 and IPv6 packets. */
static void test_rules(void)
{
	struct ir *ir = compile("external eth0 address 203.0.113.1\n"
				"internal eth1 192.168.0.1/24\n"
				"allow tcp 22 from 198.51.100.0/24\n"
				"allow udp 68 on eth1\n"
				"firewall strong\n");
	const struct ir_chain *in;
	const struct ir_rule *r;
	struct ir_pkt p;
	const struct loc *why;

	CHECK(ir != NULL);
	if (!ir)
		return;
	in = &ir->chain[IR_CH_INPUT];
	/* a user rule from its own line */
	p = pkt4(IR_P_TCP, 0xc6336407, 0xcb007101, 22, "eth0", NULL);
	r = ir_chain_match(in, &p, &why);
	CHECK(r && r->tag == IR_T_USER && r->verdict == IR_V_ACCEPT && why->line == 3);
	p.saddr.v4 = 0xc6336507;
	CHECK(ir_chain_verdict(in, &p) == IR_V_DROP);
	/* the DHCP rule needs source port 68: a port that is not known matches no list */
	p = pkt4(IR_P_UDP, 0, 0xffffffff, 67, "eth1", NULL);
	p.sport = 68;
	r = ir_chain_match(in, &p, &why);
	CHECK(r && r->tag == IR_T_DHCP);
	p.sport = 0;
	r = ir_chain_match(in, &p, &why);
	CHECK(!r || r->tag != IR_T_DHCP);
	/* an IPv6 packet: no IPv4-only rule takes it, the IPv6 LAN rule does */
	p = pkt4(IR_P_TCP, 0, 0, 22, "eth1", NULL);
	p.family = IR_F_IPV6;
	p.saddr.v6[0] = 0x20;
	r = ir_chain_match(in, &p, &why);
	CHECK(r && r->tag == IR_T_LAN && (r->family & IR_F_IPV6));
	p.iif = "eth0";
	CHECK(ir_chain_verdict(in, &p) == IR_V_DROP);
	/* ICMPv6 neighbour solicitation from the Internet side: the IPv6 built-in */
	p = pkt4(IR_P_ICMPV6, 0, 0, 0, "eth0", NULL);
	p.family = IR_F_IPV6;
	p.icmp_type = 135;
	r = ir_chain_match(in, &p, &why);
	CHECK(r && r->tag == IR_T_IPV6 && r->verdict == IR_V_ACCEPT);
	/* DHCPv6 replies: only from a link-local source */
	p = pkt4(IR_P_UDP, 0, 0, 546, "eth0", NULL);
	p.family = IR_F_IPV6;
	p.sport = 547;
	p.saddr.v6[0] = 0xfe;
	p.saddr.v6[1] = 0x80;
	r = ir_chain_match(in, &p, &why);
	CHECK(r && r->tag == IR_T_IPV6);
	p.saddr.v6[1] = 0x00;
	CHECK(ir_chain_verdict(in, &p) == IR_V_DROP);
	/* interfaces not known (conntrack): interface matches hold */
	p = pkt4(IR_P_UDP, 0xc6336407, 0xcb007101, 68, NULL, NULL);
	for (r = in->rules; r < in->rules + in->n && r->loc.line != 4; r++)
		;
	CHECK(r < in->rules + in->n && r->iif);
	if (r < in->rules + in->n) {
		CHECK(!ir_rule_match(r, &p, &why));
		p.any_iface = true;
		CHECK(ir_rule_match(r, &p, &why));
	}
	ir_free(ir);
}

/*
 * IPv6 anti-spoofing (strong, raw): strict reverse path on internal
 * interfaces, loose on external ones, never for the source ::, never on
 * a passthrough interface, none under `ipv6 open` or `firewall simple`.
 */
static void test_rpf(void)
{
	struct ir *ir = compile("external eth0 dynamic\n"
				"internal eth1 192.168.0.1/24\n"
				"passthrough docker0\n"
				"firewall strong\n");
	const struct ir_chain *raw;
	const struct ir_rule *r;
	const struct loc *why;
	struct ir_pkt p;

	CHECK(ir != NULL);
	if (!ir)
		return;
	raw = &ir->chain[IR_CH_RAW];
	p = pkt4(IR_P_TCP, 0, 0, 80, "eth1", NULL);
	p.family = IR_F_IPV6;
	p.saddr.v6[0] = 0x20;
	/* the usual packet passes both checks */
	CHECK(ir_chain_verdict(raw, &p) == IR_V_ACCEPT);
	/* internal: a route back by another interface is enough to drop */
	p.rpf = IR_RPF_STRICT;
	r = ir_chain_match(raw, &p, &why);
	CHECK(r && r->tag == IR_T_ANTISPOOF && r->rpf == IR_RPF_STRICT && r->log &&
	      r->verdict == IR_V_DROP && why->line == 2);
	/* external: only a source with no route back at all */
	p.iif = "eth0";
	CHECK(ir_chain_verdict(raw, &p) == IR_V_ACCEPT);
	p.rpf = IR_RPF_LOOSE;
	r = ir_chain_match(raw, &p, &why);
	CHECK(r && r->rpf == IR_RPF_LOOSE && why->line == 1 && r->verdict == IR_V_DROP);
	/* duplicate address detection sends from :: */
	memset(p.saddr.v6, 0, sizeof(p.saddr.v6));
	CHECK(ir_chain_verdict(raw, &p) == IR_V_ACCEPT);
	p.iif = "eth1";
	CHECK(ir_chain_verdict(raw, &p) == IR_V_ACCEPT);
	/* a passthrough interface and IPv4 packets are not checked */
	p.saddr.v6[0] = 0x20;
	p.iif = "docker0";
	CHECK(ir_chain_verdict(raw, &p) == IR_V_ACCEPT);
	p.iif = "eth1";
	CHECK(ir_chain_verdict(raw, &p) == IR_V_DROP);
	p.family = IR_F_IPV4;
	p.saddr.v4 = 0xc0a80007;
	CHECK(ir_chain_verdict(raw, &p) == IR_V_ACCEPT);
	ir_free(ir);
	ir = compile("external eth0 dynamic\ninternal eth1 192.168.0.1/24\nipv6 open\n");
	CHECK(ir != NULL);
	for (r = ir ? ir->chain[IR_CH_RAW].rules : NULL; ir && r < ir->chain[IR_CH_RAW].rules +
							       ir->chain[IR_CH_RAW].n; r++)
		CHECK(r->rpf == IR_RPF_NONE);
	ir_free(ir);
	ir = compile("external eth0 dynamic\ninternal eth1 192.168.0.1/24\nfirewall simple\n");
	CHECK(ir && !ir->chain[IR_CH_RAW].present);
	ir_free(ir);
}

/* A merged rule explains a match by the line of the element that matched. */
static void test_merged_why(void)
{
	struct ir *ir = compile("external eth0 address 203.0.113.1\n"
				"internal eth1 192.168.0.1/24\n"
				"allow tcp 22\n"
				"allow tcp 80\n"
				"firewall strong\n");
	const struct ir_rule *r;
	const struct loc *why;
	struct ir_pkt p = pkt4(IR_P_TCP, 0xc6336407, 0xcb007101, 80, "eth0", NULL);

	CHECK(ir != NULL);
	if (!ir)
		return;
	r = ir_chain_match(&ir->chain[IR_CH_INPUT], &p, &why);
	CHECK(r && r->tag == IR_T_USER && why->line == 4);
	ir_free(ir);
}

/* A negated list takes what is in none of its elements; a protocol number is itself. */
static void test_negation_and_numbers(void)
{
	struct ir *ir = compile("external eth0 address 203.0.113.1\n"
				"internal eth1 192.168.0.1/24\n"
				"allow 41 from 198.51.100.1\n"
				"deny forward from 192.168.0.128/25 to ! { 198.51.100.0/24, 203.0.113.9 }\n");
	const struct ir_chain *in, *fw;
	struct ir_pkt p;

	CHECK(ir != NULL);
	if (!ir)
		return;
	in = &ir->chain[IR_CH_INPUT];
	fw = &ir->chain[IR_CH_FORWARD];
	p = pkt4(41, 0xc6336401, 0xcb007101, 0, "eth0", NULL);
	CHECK(ir_chain_verdict(in, &p) == IR_V_ACCEPT);
	p = pkt4(IR_P_GRE, 0xc6336401, 0xcb007101, 0, "eth0", NULL);
	CHECK(ir_chain_verdict(in, &p) == IR_V_DROP);
	p = pkt4(41, 0xc6336402, 0xcb007101, 0, "eth0", NULL);
	CHECK(ir_chain_verdict(in, &p) == IR_V_DROP);
	/* a guest to an address outside the negated list: dropped */
	p = pkt4(IR_P_TCP, 0xc0a800c8, 0xcb007105, 80, "eth1", "eth0");
	CHECK(ir_chain_verdict(fw, &p) == IR_V_DROP);
	/* to either element of the negated list: the LAN rule accepts */
	p = pkt4(IR_P_TCP, 0xc0a800c8, 0xc6336407, 80, "eth1", "eth0");
	CHECK(ir_chain_verdict(fw, &p) == IR_V_ACCEPT);
	p = pkt4(IR_P_TCP, 0xc0a800c8, 0xcb007109, 80, "eth1", "eth0");
	CHECK(ir_chain_verdict(fw, &p) == IR_V_ACCEPT);
	ir_free(ir);
}

/*
 * An interface identifier match takes the identifier under every prefix
 * (the ISP renumbering the delegated one) and no other identifier.
 */
static void test_ifid(void)
{
	struct ir *ir = compile("external eth0 dynamic\n"
				"internal eth1 192.168.0.1/24, 2001:db8:1::1/64\n"
				"allow forward tcp 443 to ::10/::ffff:ffff:ffff:ffff out eth1\n"
				"firewall strong\n");
	struct ir_addr a = {.family = IR_F_IPV6, .lo6 = 0x10, .hi6 = 0x10, .mask6 = 0xffff};
	struct ir_addrs l = {.v = &a, .n = 1};
	const struct ir_chain *fw;
	const struct ir_rule *r;
	const struct loc *why;
	struct ir_pkt_addr pa = {0};
	struct ir_pkt p;

	ir_ip6_bytes((ir_u128)0x20010db8 << 96 | 0x10, pa.v6);
	CHECK(ir_addrs_take(&l, IR_F_IPV6, &pa, NULL));
	ir_ip6_bytes((ir_u128)0x20010db8 << 96 | (ir_u128)7 << 64 | 0x10, pa.v6);
	CHECK(ir_addrs_take(&l, IR_F_IPV6, &pa, NULL));
	ir_ip6_bytes((ir_u128)0x20010db8 << 96 | 0x11, pa.v6);
	CHECK(!ir_addrs_take(&l, IR_F_IPV6, &pa, NULL));
	CHECK(ir != NULL);
	if (!ir)
		return;
	fw = &ir->chain[IR_CH_FORWARD];
	p = pkt4(IR_P_TCP, 0, 0, 443, "eth0", "eth1");
	p.family = IR_F_IPV6;
	ir_ip6_bytes((ir_u128)0x20010db800ff << 80 | 2, p.saddr.v6);
	/* the delegated prefix, then a renumbered one: the same host */
	ir_ip6_bytes((ir_u128)0x20010db80001 << 80 | 0x10, p.daddr.v6);
	r = ir_chain_match(fw, &p, &why);
	CHECK(r && r->tag == IR_T_USER && r->verdict == IR_V_ACCEPT && why->line == 3);
	ir_ip6_bytes((ir_u128)0x20010db80007 << 80 | 0x10, p.daddr.v6);
	r = ir_chain_match(fw, &p, &why);
	CHECK(r && r->tag == IR_T_USER && why->line == 3);
	/* another identifier, another port, or leaving by the external: closed */
	ir_ip6_bytes((ir_u128)0x20010db80001 << 80 | 0x11, p.daddr.v6);
	CHECK(ir_chain_verdict(fw, &p) == IR_V_DROP);
	ir_ip6_bytes((ir_u128)0x20010db80001 << 80 | 0x10, p.daddr.v6);
	p.dport = 444;
	CHECK(ir_chain_verdict(fw, &p) == IR_V_DROP);
	p.dport = 443;
	p.iif = "eth1";
	p.oif = "eth0";
	r = ir_chain_match(fw, &p, &why);
	CHECK(!r || r->tag != IR_T_USER);
	ir_free(ir);
}

/* Several identifiers under one mask: each of them, under any prefix, and no other. */
static void test_ifid_set(void)
{
	struct ir *ir = compile("external eth0 dynamic\n"
				"internal eth1 192.168.0.1/24, 2001:db8:1::1/64\n"
				"allow forward tcp 22 to ::10/::ffff:ffff:ffff:ffff, "
				"::20/::ffff:ffff:ffff:ffff out eth1\n"
				"reject forward tcp 23 to ! ::10/::ffff:ffff:ffff:ffff, "
				"::20/::ffff:ffff:ffff:ffff out eth1\n"
				"firewall strong\n");
	static const unsigned ids[] = {0x10, 0x20, 0x30};
	const struct ir_chain *fw;
	const struct ir_rule *r;
	const struct loc *why;
	struct ir_pkt p;
	size_t i;

	CHECK(ir != NULL);
	if (!ir)
		return;
	fw = &ir->chain[IR_CH_FORWARD];
	p = pkt4(IR_P_TCP, 0, 0, 22, "eth0", "eth1");
	p.family = IR_F_IPV6;
	ir_ip6_bytes((ir_u128)0x20010db800ff << 80 | 2, p.saddr.v6);
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		/* the delegated prefix and a renumbered one */
		ir_ip6_bytes((ir_u128)0x20010db80001 << 80 | ids[i], p.daddr.v6);
		p.dport = 22;
		r = ir_chain_match(fw, &p, &why);
		CHECK(i < 2 ? r && r->tag == IR_T_USER && why->line == 3
			    : ir_chain_verdict(fw, &p) == IR_V_DROP);
		ir_ip6_bytes((ir_u128)0x20010db80007 << 80 | ids[i], p.daddr.v6);
		CHECK((ir_chain_verdict(fw, &p) == IR_V_ACCEPT) == (i < 2));
		/* the negated set rejects every other identifier */
		p.dport = 23;
		CHECK(ir_chain_verdict(fw, &p) == (i < 2 ? IR_V_DROP : IR_V_REJECT));
	}
	ir_free(ir);
}

/* A limited rule takes new connections only; the limit itself is the kernel's. */
static void test_limits(void)
{
	struct ir *ir = compile("external eth0 address 203.0.113.1\n"
				"internal eth1 192.168.0.1/24\n"
				"allow tcp 22 limit 3/minute per-source\n"
				"forward tcp 2222 to 192.168.0.3:22 limit 2/minute burst 4\n");
	const struct ir_rule *r;
	const struct loc *why;
	struct ir_pkt p;

	CHECK(ir != NULL);
	if (!ir)
		return;
	p = pkt4(IR_P_TCP, 0xc6336407, 0xcb007101, 22, "eth0", NULL);
	p.ct_state = IR_CT_NEW;
	r = ir_chain_match(&ir->chain[IR_CH_INPUT], &p, &why);
	CHECK(r && r->tag == IR_T_USER && r->limit.rate == 3 && r->limit.burst == 3 &&
	      r->limit.per_source && r->verdict == IR_V_ACCEPT && why->line == 3);
	CHECK(r && ir_limit_expiry(&r->limit) == 60);
	p.ct_state = IR_CT_ESTABLISHED;
	r = ir_chain_match(&ir->chain[IR_CH_INPUT], &p, &why);
	CHECK(r && r->tag == IR_T_ESTABLISHED);
	CHECK(ir->n_forwards == 1 && ir->forwards[0].limit.rate == 2 &&
	      ir->forwards[0].limit.burst == 4 && !ir->forwards[0].limit.per_source &&
	      ir_limit_expiry(&ir->forwards[0].limit) == 120);
	ir_free(ir);
}

static void test_sysctl_path(void)
{
	char *p = ir_sysctl_path("net.ipv4.conf.eth0.10.rp_filter", "eth0.10");

	CHECK_STR(p, "net/ipv4/conf/eth0.10/rp_filter");
	free(p);
	p = ir_sysctl_path("net.ipv4.ip_forward", NULL);
	CHECK_STR(p, "net/ipv4/ip_forward");
	free(p);
	p = ir_sysctl_path("net.ipv4.conf.ppp0.rp_filter", "ppp0");
	CHECK_STR(p, "net/ipv4/conf/ppp0/rp_filter");
	free(p);
}

/* A dynamic external has no address in the IR: 0.0.0.0 is not the gateway's. */
static void test_explain_no_address(void)
{
	struct ir *ir = compile("external ppp0 dynamic\n"
				"internal eth1 192.168.0.1/24\n");
	struct explain_packet p = {.proto = IR_P_UDP, .saddr = 0xc0a8000a, .sport = 40000,
				   .dport = 53, .iif = "eth1", .state = IR_CT_NEW};
	struct strbuf trace = {0};
	const struct loc *why;

	CHECK(ir != NULL);
	if (!ir)
		return;
	explain_decide(ir, &p, NULL, 0, &why, &trace);
	CHECK(p.oif && strcmp(p.oif, "ppp0") == 0);
	CHECK(trace.buf && !strstr(trace.buf, "gateway's address"));
	sb_free(&trace);
	ir_free(ir);
}

/* ---- explain and the lab agree -------------------------------------- */

struct pool {
	uint32_t *addr;
	size_t n_addr, cap_addr;
	uint16_t *port;
	size_t n_port, cap_port;
	char **ifname;
	size_t n_if, cap_if;
	uint32_t seed;
};

static uint32_t draw(struct pool *pl)
{
	/* xorshift32: the same sequence on every machine */
	pl->seed ^= pl->seed << 13;
	pl->seed ^= pl->seed >> 17;
	pl->seed ^= pl->seed << 5;
	return pl->seed;
}

static void add_addrs(struct pool *pl, const struct ir_addrs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		*VEC_PUSH(pl->addr, pl->n_addr, pl->cap_addr) = l->v[i].lo;
		*VEC_PUSH(pl->addr, pl->n_addr, pl->cap_addr) = l->v[i].hi;
		*VEC_PUSH(pl->addr, pl->n_addr, pl->cap_addr) = l->v[i].hi + 1;
	}
}

static void add_ports(struct pool *pl, const struct ir_ports *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		*VEC_PUSH(pl->port, pl->n_port, pl->cap_port) = l->v[i].lo;
		*VEC_PUSH(pl->port, pl->n_port, pl->cap_port) = l->v[i].hi;
	}
}

/* Addresses, ports and interfaces the policy names, and some it does not. */
static void pool_fill(struct pool *pl, const struct ir *ir)
{
	static const uint32_t fixed[] = {0xc6336407, 0xcb007109, 0x7f000001, 0, 0xffffffff,
					 0x08080808, 0x0a000001};
	static const uint16_t fixed_ports[] = {22, 53, 67, 68, 80, 443, 546, 547, 8080, 40000};
	size_t i, j, c;

	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		*VEC_PUSH(pl->addr, pl->n_addr, pl->cap_addr) = fixed[i];
	for (i = 0; i < ARRAY_SIZE(fixed_ports); i++)
		*VEC_PUSH(pl->port, pl->n_port, pl->cap_port) = fixed_ports[i];
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];
		size_t n = strlen(f->name);

		*VEC_PUSH(pl->ifname, pl->n_if, pl->cap_if) =
			n && f->name[n - 1] == '+' ? xasprintf("%.*s0", (int)(n - 1), f->name)
						   : xstrdup(f->name);
		if (f->addr)
			*VEC_PUSH(pl->addr, pl->n_addr, pl->cap_addr) = f->addr;
		for (j = 0; j < f->n_nets; j++) {
			uint32_t mask = f->nets[j].len ? ~0u << (32 - f->nets[j].len) : 0;

			*VEC_PUSH(pl->addr, pl->n_addr, pl->cap_addr) = f->nets[j].net + 7;
			*VEC_PUSH(pl->addr, pl->n_addr, pl->cap_addr) = f->nets[j].net | ~mask;
			if (f->nets[j].gw)
				*VEC_PUSH(pl->addr, pl->n_addr, pl->cap_addr) = f->nets[j].gw;
		}
	}
	*VEC_PUSH(pl->ifname, pl->n_if, pl->cap_if) = xstrdup("lo");
	*VEC_PUSH(pl->ifname, pl->n_if, pl->cap_if) = xstrdup("eth9");
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];

		*VEC_PUSH(pl->addr, pl->n_addr, pl->cap_addr) = f->host;
		*VEC_PUSH(pl->port, pl->n_port, pl->cap_port) = f->lo;
		*VEC_PUSH(pl->port, pl->n_port, pl->cap_port) = f->hi;
		*VEC_PUSH(pl->port, pl->n_port, pl->cap_port) = f->to_lo;
		add_addrs(pl, &f->from);
	}
	for (i = 0; i < ir->n_nat1to1; i++) {
		*VEC_PUSH(pl->addr, pl->n_addr, pl->cap_addr) = ir->nat1to1[i].public_addr;
		*VEC_PUSH(pl->addr, pl->n_addr, pl->cap_addr) = ir->nat1to1[i].private_addr;
	}
	for (i = 0; i < ir->n_helpers; i++)
		add_ports(pl, &ir->helpers[i].ports);
	for (c = 0; c < IR_CH_COUNT; c++) {
		for (i = 0; i < ir->chain[c].n; i++) {
			const struct ir_rule *r = &ir->chain[c].rules[i];

			add_addrs(pl, &r->saddr);
			add_addrs(pl, &r->daddr);
			add_ports(pl, &r->dports);
			add_ports(pl, &r->sports);
		}
	}
}

static void pool_free(struct pool *pl)
{
	size_t i;

	for (i = 0; i < pl->n_if; i++)
		free(pl->ifname[i]);
	free(pl->ifname);
	free(pl->addr);
	free(pl->port);
}

static uint32_t draw_addr(struct pool *pl)
{
	return draw(pl) % 8 == 0 ? draw(pl) : pl->addr[draw(pl) % pl->n_addr];
}

static uint16_t draw_port(struct pool *pl)
{
	return draw(pl) % 8 == 0 ? (uint16_t)(1 + draw(pl) % 65535) : pl->port[draw(pl) % pl->n_port];
}

/* A new connection arriving on one of the gateway's interfaces. */
static void draw_packet(struct pool *pl, struct explain_packet *p)
{
	static const uint8_t protos[] = {IR_P_TCP, IR_P_TCP, IR_P_UDP, IR_P_UDP, IR_P_ICMP,
					 IR_P_GRE, IR_P_ESP, IR_P_AH};
	static const uint8_t icmp_types[] = {0, 3, 8, 11, 13};

	memset(p, 0, sizeof(*p));
	p->state = IR_CT_NEW;
	p->proto = protos[draw(pl) % ARRAY_SIZE(protos)];
	p->saddr = draw_addr(pl);
	p->daddr = draw_addr(pl);
	if (p->proto == IR_P_TCP || p->proto == IR_P_UDP) {
		p->sport = draw_port(pl);
		p->dport = draw_port(pl);
	}
	if (p->proto == IR_P_ICMP)
		p->icmp_type = icmp_types[draw(pl) % ARRAY_SIZE(icmp_types)];
	snprintf(p->iif_name, sizeof(p->iif_name), "%s", pl->ifname[draw(pl) % pl->n_if]);
	p->iif = p->iif_name;
}

/*
 * One drawn packet: explain follows it through every hook; the lab's
 * prediction takes the packet the filter chain sees (after DNAT, before
 * SNAT) on the chain explain's routing chose. 0 when they agree.
 */
static int agree(struct ir *ir, const struct lab *lab, struct pool *pl, const char *name)
{
	struct explain_packet p, sent;
	struct strbuf trace = {0};
	const struct loc *why;
	struct lab_pkt lp;
	int ev, lv;

	draw_packet(pl, &p);
	sent = p;
	sent.iif = sent.iif_name;
	ev = explain_decide(ir, &p, NULL, 0, &why, &trace);
	lp = (struct lab_pkt){
		.iif = sent.iif, .oif = p.oif, .saddr = sent.saddr, .daddr = p.daddr,
		.proto = p.proto, .sport = p.sport, .dport = p.dport,
		.icmp_type = p.proto == IR_P_ICMP ? p.icmp_type : -1,
		.dnat_forward = p.dnat_forward,
	};
	lv = (int)lab_verdict_gw(lab, p.oif ? IR_CH_FORWARD : IR_CH_INPUT, &lp);
	if (ev != lv) {
		printf("  %s: explain says %d, the lab predicts %d:\n%s", name, ev, lv,
		       trace.buf ? trace.buf : "");
		sb_free(&trace);
		return -1;
	}
	sb_free(&trace);
	return 0;
}

static void check_policy(const char *name, const char *path)
{
	struct pool pl = {0};
	struct lab lab = {0};
	struct ir *ir;
	size_t i, disagree = 0;
	const char *s;

	diag_reset();
	diag_quiet_warnings(true);
	ir = cli_compile(path);
	CHECK(ir != NULL);
	if (!ir)
		return;
	lab.ir = ir;
	pool_fill(&pl, ir);
	pl.seed = 2463534242u;
	for (s = name; *s; s++)
		pl.seed = pl.seed * 31 + (unsigned char)*s;
	for (i = 0; i < DRAWS_PER_POLICY && disagree < 3; i++)
		disagree += agree(ir, &lab, &pl, name) != 0;
	CHECK(disagree == 0);
	pool_free(&pl);
	ir_free(ir);
}

static void test_explain_and_lab_agree(void)
{
	DIR *d = opendir(golden_dir);
	struct dirent *e;
	size_t n = 0;

	CHECK(d != NULL);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char *path = xasprintf("%s/%s/policy.masq", golden_dir, e->d_name);
		struct stat st;

		if (e->d_name[0] != '.' && stat(path, &st) != 0) {
			free(path);
			path = xasprintf("%s/%s/policy.yaml", golden_dir, e->d_name);
		}
		if (e->d_name[0] != '.' && stat(path, &st) == 0) {
			check_policy(e->d_name, path);
			n++;
		}
		free(path);
	}
	closedir(d);
	/* every golden policy, .masq and .yaml, not an empty directory */
	CHECK(n >= 25);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		golden_dir = argv[1];
	RUN(test_predicates);
	RUN(test_rules);
	RUN(test_rpf);
	RUN(test_merged_why);
	RUN(test_negation_and_numbers);
	RUN(test_ifid);
	RUN(test_ifid_set);
	RUN(test_limits);
	RUN(test_sysctl_path);
	RUN(test_explain_no_address);
	RUN(test_explain_and_lab_agree);
	UNIT_EXIT();
}
