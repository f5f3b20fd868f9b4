// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ipt.c - the iptables backend on IRs built by hand: the HOWTO's
 * Masq-Gate (LANGUAGE.md's example) with the strong firewall, and the
 * corners a policy rarely reaches (negated lists, rejects, static
 * addresses, port maps, limits iptables has).
 */
#include "cli.h"
#include "diag.h"
#include "ipt.h"
#include "ir.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static const struct diag_source *src;

static struct loc at(unsigned line)
{
	struct loc l = {.src = src, .line = line, .col = 1, .len = 1};

	return l;
}

static void add_addr(struct ir_addrs *a, uint32_t lo, uint32_t hi, unsigned line)
{
	struct ir_addr *x = VEC_PUSH(a->v, a->n, a->cap);

	x->lo = lo;
	x->hi = hi;
	x->loc = at(line);
}

static void add_port(struct ir_ports *p, uint8_t proto, uint16_t lo, uint16_t hi, unsigned line)
{
	struct ir_port *x = VEC_PUSH(p->v, p->n, p->cap);

	x->proto = proto;
	x->lo = lo;
	x->hi = hi;
	x->loc = at(line);
}

static struct ir_rule *add_rule(struct ir *ir, enum ir_chain_id c, enum ir_rule_tag tag,
				enum ir_verdict v, unsigned line)
{
	struct ir_chain *ch = &ir->chain[c];
	struct ir_rule *r = VEC_PUSH(ch->rules, ch->n, ch->cap);

	memset(r, 0, sizeof(*r));
	r->tag = tag;
	r->verdict = v;
	r->family = IR_F_IPV4;
	r->loc = at(line);
	ch->present = true;
	return r;
}

static struct ir_iface *add_iface(struct ir *ir, const char *name, enum ir_role role,
				  unsigned line)
{
	struct ir_iface *i = VEC_PUSH(ir->ifaces, ir->n_ifaces, ir->cap_ifaces);

	memset(i, 0, sizeof(*i));
	i->name = name;
	i->role = role;
	i->dynamic = role == IR_EXTERNAL;
	i->loc = at(line);
	return i;
}

static struct ir_forward *add_forward(struct ir *ir, uint8_t proto, uint16_t lo, uint16_t hi,
				      uint32_t host, uint16_t to_lo, unsigned line)
{
	struct ir_forward *f = VEC_PUSH(ir->forwards, ir->n_forwards, ir->cap_forwards);

	memset(f, 0, sizeof(*f));
	f->iif = "ppp0";
	f->proto = proto;
	f->lo = lo;
	f->hi = hi;
	f->host = host;
	f->to_lo = to_lo;
	f->reflect = true;
	f->loc = at(line);
	return f;
}

/* LANGUAGE.md's example: ppp0 dynamic, eth1 192.168.0.1/24, strong. */
static struct ir *masq_gate(void)
{
	struct ir *ir = xcalloc(1, sizeof(*ir));
	struct ir_iface *lan;
	struct ir_net *net;
	struct ir_helper *h;
	struct ir_snat *s;
	struct ir_rule *r;

	ir->policy_path = "gate.masq";
	ir->level = IR_STRONG;
	ir->level_loc = at(20);
	ir->ipv6 = IR_IPV6_FIREWALL;
	ir->log = (struct ir_log){.catchall = true, .rate = 5, .unit = IR_PER_MINUTE,
				  .prefix = "masq: ", .level = "warning", .loc = at(10)};
	add_iface(ir, "ppp0", IR_EXTERNAL, 3);
	lan = add_iface(ir, "eth1", IR_INTERNAL, 4);
	net = VEC_PUSH(lan->nets, lan->n_nets, lan->cap_nets);
	*net = (struct ir_net){.net = IP(192, 168, 0, 0), .len = 24, .gw = IP(192, 168, 0, 1),
			       .loc = at(4)};

	h = VEC_PUSH(ir->helpers, ir->n_helpers, ir->cap_helpers);
	memset(h, 0, sizeof(*h));
	*h = (struct ir_helper){.name = "ftp", .kname = "ftp", .nat_module = "nf_nat_ftp",
				.legacy_module = "ip_masq_ftp",
				.modern = true, .legacy = true, .loc = at(5)};
	add_port(&h->ports, IR_P_TCP, 21, 21, 5);

	add_forward(ir, IR_P_TCP, 80, 80, IP(192, 168, 0, 10), 80, 6);
	add_forward(ir, IR_P_TCP, 2121, 2121, IP(192, 168, 0, 3), 21, 7);
	add_forward(ir, IR_P_UDP, 27960, 27963, IP(192, 168, 0, 4), 28000, 8);

	s = VEC_PUSH(ir->snats, ir->n_snats, ir->cap_snats);
	memset(s, 0, sizeof(*s));
	s->oif = "ppp0";
	s->loc = at(4);
	add_addr(&s->sources, IP(192, 168, 0, 0), IP(192, 168, 0, 255), 4);

	r = add_rule(ir, IR_CH_RAW, IR_T_ANTISPOOF, IR_V_DROP, 20);
	r->iif = "ppp0";
	r->log = true;
	r->log_prefix = "masq: spoof drop: ";
	add_addr(&r->saddr, IP(192, 168, 0, 0), IP(192, 168, 0, 255), 4);
	add_addr(&r->saddr, IP(127, 0, 0, 0), IP(127, 255, 255, 255), 20);

	ir->chain[IR_CH_INPUT].policy = IR_V_DROP;
	r = add_rule(ir, IR_CH_INPUT, IR_T_LOOPBACK, IR_V_ACCEPT, 20);
	r->iif = "lo";
	r->family = IR_F_BOTH;
	r = add_rule(ir, IR_CH_INPUT, IR_T_ESTABLISHED, IR_V_ACCEPT, 20);
	r->ct_state = IR_CT_ESTABLISHED | IR_CT_RELATED;
	r->family = IR_F_BOTH;
	r = add_rule(ir, IR_CH_INPUT, IR_T_USER, IR_V_ACCEPT, 9);
	r->proto = IR_P_TCP;
	add_port(&r->dports, IR_P_TCP, 22, 22, 9);
	add_addr(&r->saddr, IP(198, 51, 100, 0), IP(198, 51, 100, 255), 9);
	r = add_rule(ir, IR_CH_INPUT, IR_T_USER, IR_V_ACCEPT, 11);
	r->proto = IR_P_ICMP;
	r->icmp_types = xcalloc(2, 1);
	r->icmp_locs = xcalloc(2, sizeof(struct loc));
	r->icmp_types[0] = 8;
	r->icmp_types[1] = 4;
	r->icmp_locs[0] = at(11);
	r->icmp_locs[1] = at(12);
	r->n_icmp = 2;
	r = add_rule(ir, IR_CH_INPUT, IR_T_IPV6, IR_V_ACCEPT, 20);
	r->proto = IR_P_ICMPV6;
	r->family = IR_F_IPV6;
	r->icmp_types = xcalloc(1, 1);
	r->icmp_locs = xcalloc(1, sizeof(struct loc));
	r->icmp_types[0] = 128;
	r->n_icmp = 1;
	r = add_rule(ir, IR_CH_INPUT, IR_T_IPV6, IR_V_ACCEPT, 20);
	r->proto = IR_P_UDP;
	r->family = IR_F_IPV6;
	r->v6_linklocal_src = true;
	add_port(&r->sports, IR_P_UDP, 547, 547, 20);
	add_port(&r->dports, IR_P_UDP, 546, 546, 20);
	r = add_rule(ir, IR_CH_INPUT, IR_T_CATCHALL, IR_V_DROP, 20);
	r->log = true;
	r->log_prefix = "masq: input drop: ";
	r->family = IR_F_BOTH;

	ir->chain[IR_CH_FORWARD].policy = IR_V_DROP;
	r = add_rule(ir, IR_CH_FORWARD, IR_T_FORWARDED, IR_V_ACCEPT, 6);
	r->ct_dnat_forward = true;
	return ir;
}

/* The text @fn (ipt_emit or ip6t_emit) prints for @ir, or NULL. */
static char *emit_by(int (*fn)(const struct ir *, struct strbuf *), struct ir *ir)
{
	struct strbuf sb = {0};

	if (fn(ir, &sb) < 0) {
		sb_free(&sb);
		return NULL;
	}
	return sb.buf;
}

static char *emit(struct ir *ir)
{
	return emit_by(ipt_emit, ir);
}

static char *emit6(struct ir *ir)
{
	return emit_by(ip6t_emit, ir);
}

#define HAS(text, line) CHECK((text) && strstr((text), line "\n"))
#define LACKS(text, line) CHECK((text) && !strstr((text), line))

static void test_nat(void)
{
	struct ir *ir = masq_gate();
	char *t = emit(ir);

	HAS(t, "-A PREROUTING -m comment --comment masqgen -j masqgen-prerouting");
	HAS(t, "-A masqgen-prerouting -i ppp0 -p tcp -m tcp --dport 80 -m addrtype --dst-type "
	       "LOCAL --limit-iface-in -m comment --comment \"gate.masq:6\" -j DNAT "
	       "--to-destination 192.168.0.10");
	HAS(t, "-A masqgen-prerouting -i ppp0 -p tcp -m tcp --dport 2121 -m addrtype --dst-type "
	       "LOCAL --limit-iface-in -m comment --comment \"gate.masq:7\" -j DNAT "
	       "--to-destination 192.168.0.3:21");
	HAS(t, "-A masqgen-prerouting -i ppp0 -p udp -m udp --dport 27960:27963 -m addrtype "
	       "--dst-type LOCAL --limit-iface-in -m comment --comment \"gate.masq:8\" -j DNAT "
	       "--to-destination 192.168.0.4:28000-28003/27960");
	/* reflection: LAN to the gateway's own non-LAN addresses, then back into the LAN */
	HAS(t, "-A masqgen-prerouting -i eth1 -m addrtype --dst-type LOCAL -m comment --comment "
	       "\"gate.masq:4 reflection\" -j masqgen-reflect");
	HAS(t, "-A masqgen-reflect -d 192.168.0.0/24 -m comment --comment \"gate.masq:4 "
	       "reflection\" -j RETURN");
	HAS(t, "-A masqgen-reflect -p tcp -m tcp --dport 80 -m comment --comment \"gate.masq:6\" "
	       "-j DNAT --to-destination 192.168.0.10");
	HAS(t, "-A masqgen-postrouting -s 192.168.0.0/24 -d 192.168.0.3/32 -o eth1 -p tcp -m tcp "
	       "--dport 21 -m conntrack --ctstate DNAT -m comment --comment \"gate.masq:7 "
	       "reflection\" -j MASQUERADE");
	HAS(t, "-A masqgen-postrouting -s 192.168.0.0/24 -o ppp0 -m comment --comment "
	       "\"gate.masq:4\" -j MASQUERADE");
	/* reflection masquerade comes before the masquerade out of ppp0 */
	CHECK(t && strstr(t, "reflection\" -j MASQUERADE") <
			   strstr(t, "-o ppp0 -m comment --comment \"gate.masq:4\" -j MASQUERADE"));
	free(t);
	ir_free(ir);
}

static void test_filter(void)
{
	struct ir *ir = masq_gate();
	char *t = emit(ir);

	HAS(t, "-A INPUT -m comment --comment masqgen -j masqgen-input");
	HAS(t, "-A masqgen-input -i lo -m comment --comment \"gate.masq:20 loopback\" -j ACCEPT");
	HAS(t, "-A masqgen-input -m conntrack --ctstate RELATED,ESTABLISHED -m comment "
	       "--comment \"gate.masq:20 established\" -j ACCEPT");
	HAS(t, "-A masqgen-input -s 198.51.100.0/24 -p tcp -m tcp --dport 22 -m comment "
	       "--comment \"gate.masq:9\" -j ACCEPT");
	HAS(t, "-A masqgen-input -p icmp -m icmp --icmp-type 4 -m comment --comment "
	       "\"gate.masq:12\" -j ACCEPT");
	/* the catch-all: a rate-limited log of its own, then the drop; no second drop */
	HAS(t, "-A masqgen-input -m limit --limit 5/min -m comment --comment \"gate.masq:20 "
	       "catch-all\" -j LOG --log-prefix \"masq: input drop: \"");
	HAS(t, "-A masqgen-input -m comment --comment \"gate.masq:20 catch-all\" -j DROP");
	LACKS(t, "policy\" -j DROP\n-A masqgen-input");
	/*
	 * forwarded: only what masqgen's DNAT made, only to the forward targets
	 * and only from the public ports the forward translates
	 */
	HAS(t, "-A masqgen-forward -d 192.168.0.4/32 -p udp -m udp --dport 28000:28003 -m "
	       "conntrack --ctstate DNAT --ctorigdstport 27960:27963 -m comment --comment "
	       "\"gate.masq:8 forwarded\" -j ACCEPT");
	HAS(t, "-A masqgen-forward -m comment --comment \"gate.masq:20 policy\" -j DROP");
	/* IPv4 only: no IPv6 rule, not even as a comment */
	LACKS(t, "ipv6-icmp");
	LACKS(t, "fe80::");
	LACKS(t, "#6 ");
	free(t);
	/* IPv6 (generate -t ip6tables): only the rules of that family, the same lowering */
	t = emit6(ir);
	CHECK(t && strncmp(t, "# masqgen: ip6tables-restore input for ", 39) == 0);
	HAS(t, "-A INPUT -m comment --comment masqgen -j masqgen-input");
	HAS(t, "-A masqgen-input -p ipv6-icmp -m icmp6 --icmpv6-type 128 -m comment "
	       "--comment \"gate.masq:20 ipv6\" -j ACCEPT");
	HAS(t, "-A masqgen-input -s fe80::/10 -p udp -m udp --sport 547 --dport 546 -m comment "
	       "--comment \"gate.masq:20 ipv6\" -j ACCEPT");
	HAS(t, "-A masqgen-input -i lo -m comment --comment \"gate.masq:20 loopback\" -j "
	       "ACCEPT");
	HAS(t, "-A masqgen-input -m comment --comment \"gate.masq:20 catch-all\" -j DROP");
	LACKS(t, "198.51.100.0/24");
	LACKS(t, "-p icmp ");
	LACKS(t, "-A masqgen-forward -d");
	LACKS(t, "*nat");
	LACKS(t, "#6 ");
	free(t);
	ir_free(ir);
}

static void test_raw_mangle(void)
{
	struct ir *ir = masq_gate();
	char *t;

	ir->clamp = (struct ir_clamp){.enabled = true, .loc = at(13)};
	t = emit(ir);
	/* anti-spoofing: log then drop, per source */
	HAS(t, "-A masqgen-raw-prerouting -s 127.0.0.0/8 -i ppp0 -m limit --limit 5/min -m "
	       "comment --comment \"gate.masq:20 anti-spoofing\" -j LOG --log-prefix \"masq: spoof drop: \"");
	HAS(t, "-A masqgen-raw-prerouting -s 127.0.0.0/8 -i ppp0 -m comment --comment "
	       "\"gate.masq:20 anti-spoofing\" -j DROP");
	/* helpers: from the LAN on the server port, forwarded on the public port */
	HAS(t, "-A masqgen-raw-prerouting -s 192.168.0.0/24 -i eth1 -p tcp -m tcp --dport 21 -m "
	       "comment --comment \"gate.masq:5\" -j CT --helper ftp");
	HAS(t, "-A masqgen-raw-prerouting -i ppp0 -p tcp -m tcp --dport 2121 -m addrtype "
	       "--dst-type LOCAL --limit-iface-in -m comment --comment \"gate.masq:5\" -j CT "
	       "--helper ftp");
	HAS(t, "-A masqgen-raw-reflect -p tcp -m tcp --dport 2121 -m comment --comment "
	       "\"gate.masq:5\" -j CT --helper ftp");
	HAS(t, "-A masqgen-raw-output -p tcp -m tcp --dport 21 -m comment --comment "
	       "\"gate.masq:5\" -j CT --helper ftp");
	HAS(t, "-A masqgen-mangle-forward -p tcp -m tcp --tcp-flags SYN,RST SYN -m comment "
	       "--comment \"gate.masq:13\" -j TCPMSS --clamp-mss-to-pmtu");
	/* tables in iptables-save's order */
	CHECK(t && strstr(t, "*raw") < strstr(t, "*mangle") &&
	      strstr(t, "*mangle") < strstr(t, "*nat") && strstr(t, "*nat") < strstr(t, "*filter"));
	free(t);
	t = emit6(ir);
	HAS(t, "-A masqgen-mangle-forward -p tcp -m tcp --tcp-flags SYN,RST SYN -m comment "
	       "--comment \"gate.masq:13\" -j TCPMSS --clamp-mss-to-pmtu");
	CHECK(t && strstr(t, "*mangle") < strstr(t, "*filter"));
	free(t);
	ir_free(ir);
}

static void test_static_and_1to1(void)
{
	struct ir *ir = masq_gate();
	struct ir_nat1to1 *n;
	char *t;

	ir->ifaces[0].dynamic = false;
	ir->ifaces[0].addr = IP(203, 0, 113, 1);
	n = VEC_PUSH(ir->nat1to1, ir->n_nat1to1, ir->cap_nat1to1);
	*n = (struct ir_nat1to1){.iif = "ppp0", .public_addr = IP(203, 0, 113, 5),
				 .private_addr = IP(192, 168, 0, 5), .loc = at(14)};
	t = emit(ir);
	HAS(t, "-A masqgen-prerouting -d 203.0.113.1/32 -i ppp0 -p tcp -m tcp --dport 80 -m "
	       "comment --comment \"gate.masq:6\" -j DNAT --to-destination 192.168.0.10");
	HAS(t, "-A masqgen-prerouting -d 203.0.113.5/32 -m comment --comment \"gate.masq:14\" -j "
	       "DNAT --to-destination 192.168.0.5");
	CHECK(t && strstr(t, "-d 203.0.113.5/32 -m comment") < strstr(t, "--dport 80"));
	HAS(t, "-A masqgen-postrouting -s 192.168.0.5/32 -o ppp0 -m comment --comment "
	       "\"gate.masq:14\" -j SNAT --to-source 203.0.113.5");
	HAS(t, "-A masqgen-postrouting -s 192.168.0.0/24 -d 192.168.0.5/32 -o eth1 -m conntrack "
	       "--ctstate DNAT -m comment --comment \"gate.masq:14 reflection\" -j MASQUERADE");
	/* the forward helper never applies to the 1:1 address */
	HAS(t, "-A masqgen-raw-prerouting -d 203.0.113.5/32 -i ppp0 -m comment --comment "
	       "\"gate.masq:14\" -j RETURN");
	HAS(t, "-A masqgen-raw-prerouting -d 203.0.113.1/32 -i ppp0 -p tcp -m tcp --dport 2121 -m "
	       "comment --comment \"gate.masq:5\" -j CT --helper ftp");
	free(t);
	ir_free(ir);
}

static void test_reject_and_negation(void)
{
	struct ir *ir = masq_gate();
	struct ir_rule *r;
	char *t;

	r = add_rule(ir, IR_CH_FORWARD, IR_T_USER, IR_V_REJECT, 15);
	r->iif = "eth1";
	r->log = true;
	r->log_prefix = "masq: ";
	add_addr(&r->daddr, IP(10, 0, 0, 0), IP(10, 255, 255, 255), 15);
	add_addr(&r->daddr, IP(172, 16, 0, 1), IP(172, 16, 0, 9), 16);
	r->daddr_neg = true;
	r = add_rule(ir, IR_CH_FORWARD, IR_T_USER, IR_V_REJECT, 17);
	r->proto = IR_P_ANY;
	add_port(&r->dports, IR_P_TCP, 53, 53, 17);
	add_port(&r->dports, IR_P_UDP, 53, 53, 17);
	r = add_rule(ir, IR_CH_FORWARD, IR_T_USER, IR_V_ACCEPT, 18);
	r->proto = IR_P_TCP;
	for (unsigned p = 1000; p < 1016; p++)
		add_port(&r->dports, IR_P_TCP, (uint16_t)p, (uint16_t)p, 18);
	add_port(&r->dports, IR_P_TCP, 443, 443, 19);
	t = emit(ir);
	/* "not in any of": a sub-chain that returns for each, then logs and rejects */
	HAS(t, "-A masqgen-forward -i eth1 -m comment --comment \"gate.masq:15\" -j "
	       "masqgen-forward-1");
	HAS(t, "-A masqgen-forward-1 -d 10.0.0.0/8 -m comment --comment \"gate.masq:15\" -j "
	       "RETURN");
	HAS(t, "-A masqgen-forward-1 -m iprange --dst-range 172.16.0.1-172.16.0.9 -m comment "
	       "--comment \"gate.masq:16\" -j RETURN");
	HAS(t, "-A masqgen-forward-1 -m limit --limit 5/min -m comment --comment \"gate.masq:15\" "
	       "-j LOG --log-prefix \"masq: \"");
	HAS(t, "-A masqgen-forward-1 -p tcp -m comment --comment \"gate.masq:15\" -j REJECT "
	       "--reject-with tcp-reset");
	HAS(t, "-A masqgen-forward-1 -p udp -m comment --comment \"gate.masq:15\" -j REJECT "
	       "--reject-with icmp-port-unreachable");
	HAS(t, "-A masqgen-forward-1 -m comment --comment \"gate.masq:15\" -j REJECT "
	       "--reject-with icmp-admin-prohibited");
	/* tcp/udp ports: one reject per protocol */
	HAS(t, "-A masqgen-forward -p tcp -m tcp --dport 53 -m comment --comment "
	       "\"gate.masq:17\" -j REJECT --reject-with tcp-reset");
	HAS(t, "-A masqgen-forward -p udp -m udp --dport 53 -m comment --comment "
	       "\"gate.masq:17\" -j REJECT --reject-with icmp-port-unreachable");
	/* multiport: 15 ports of one line, then the rest, another line apart */
	HAS(t, "-A masqgen-forward -p tcp -m multiport --dports "
	       "1000,1001,1002,1003,1004,1005,1006,1007,1008,1009,1010,1011,1012,1013,1014 -m "
	       "comment --comment \"gate.masq:18\" -j ACCEPT");
	HAS(t, "-A masqgen-forward -p tcp -m tcp --dport 1015 -m comment --comment "
	       "\"gate.masq:18\" -j ACCEPT");
	HAS(t, "-A masqgen-forward -p tcp -m tcp --dport 443 -m comment --comment "
	       "\"gate.masq:19\" -j ACCEPT");
	free(t);
	ir_free(ir);
}

static void test_limits(void)
{
	struct ir *ir = masq_gate();
	struct strbuf sb = {0};
	char *t;

	ir->timeouts = (struct ir_timeouts){.tcp = 7200, .udp = 180, .loc = at(21)};
	ir->ipv6 = IR_IPV6_OPEN;
	for (size_t i = 0; i < ir->chain[IR_CH_INPUT].n; i++)
		ir->chain[IR_CH_INPUT].rules[i].family &= IR_F_IPV4;
	t = emit(ir);
	HAS(t, "#   net.netfilter.nf_conntrack_tcp_timeout_established = 7200");
	HAS(t, "#   net.netfilter.nf_conntrack_udp_timeout_stream = 180");
	LACKS(t, "fin_wait");
	LACKS(t, "#6 ");
	free(t);
	/* ipv6 open: the IPv6 file says so, names the global settings, and holds no table */
	t = emit6(ir);
	HAS(t, "# ipv6 open: masqgen filters no IPv6, so there is nothing to load;");
	HAS(t, "#   net.netfilter.nf_conntrack_tcp_timeout_established = 7200");
	LACKS(t, "*");
	LACKS(t, "\n-");
	free(t);

	/* a helper of 2.2/2.0 only: an error, and no output */
	ir->helpers[0].modern = false;
	CHECK(ipt_emit(ir, &sb) < 0);
	CHECK(ip6t_emit(ir, &sb) < 0);
	CHECK(sb.len == 0);
	sb_free(&sb);
	ir_free(ir);
}

/* ipt_chain_get(): one chain per name, in the order first asked for, across index growth. */
static void test_chain_index(void)
{
	enum { N = 3000 };
	struct ipt_table_model tm = {0};
	struct ipt_chain *first = ipt_chain_get(&tm, "masqgen-input", "INPUT");
	char name[32];
	size_t i;

	CHECK(first->hook != NULL);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "masqgen-fwd-%zu", i);
		CHECK(ipt_chain_get(&tm, name, NULL) == &tm.chains[i + 1]);
	}
	CHECK(tm.n == N + 1);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "masqgen-fwd-%zu", i);
		CHECK(ipt_chain_get(&tm, name, NULL) == &tm.chains[i + 1]);
		CHECK_STR(tm.chains[i + 1].name, name);
	}
	CHECK(ipt_chain_get(&tm, "masqgen-input", NULL) == &tm.chains[0]);
	CHECK_STR(tm.chains[0].hook, "INPUT");
	CHECK(tm.n == N + 1);
	for (i = 0; i < tm.n; i++)
		free((char *)tm.chains[i].name);
	free(tm.chains);
	free(tm.index);
}

int main(void)
{
	static const char text[] = "# a policy\n";

	src = diag_add_source("gate.masq", text, sizeof(text) - 1);
	diag_quiet_warnings(true);
	RUN(test_nat);
	RUN(test_filter);
	RUN(test_raw_mangle);
	RUN(test_static_and_1to1);
	RUN(test_reject_and_negation);
	RUN(test_limits);
	RUN(test_chain_index);
	UNIT_EXIT();
}
