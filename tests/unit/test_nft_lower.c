// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nft_lower.c - the nft lowering and text printer on hand-built IRs.
 *
 * With `--load POLICY` it is instead the batch half of
 * tests/suite-nftequiv.sh: compile POLICY and commit nft_build()'s batch to
 * the kernel of the current network namespace, with nft_build_upnp()'s
 * part as apply sends it (the UPnP table only when it is missing; exit 0,
 * or 1 after the kernel's error).
 */
#include "cli.h"
#include "diag.h"
#include "ir.h"
#include "nft.h"
#include "nft_model.h"
#include "nft_sample_ir.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *sample_text(struct ir *ir)
{
	struct strbuf sb = {0};

	CHECK(nft_text_emit(ir, &sb) == 0);
	return sb.buf;
}

static size_t count_rules(const struct nft_model *m)
{
	size_t n = 0, i;
	int f;

	for (f = 0; f < NFT_FAM_COUNT; f++)
		for (i = 0; i < m->t[f].n_chains; i++)
			n += m->t[f].chains[i].n;
	return n;
}

static size_t chain_rules(const struct nft_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_chains; i++)
		if (strcmp(t->chains[i].name, name) == 0)
			return t->chains[i].n;
	return 0;
}

static void test_sample_nat(void)
{
	struct ir ir;
	char *text;

	sample_ir(&ir);
	text = sample_text(&ir);
	/* 1:1 first, unrestricted by interface so LAN hosts reach it too */
	CHECK(strstr(text, "\t\tip daddr 203.0.113.7 dnat to 192.168.0.7 comment") != NULL);
	CHECK(strstr(text, "iifname \"ppp0\" fib daddr . iif type local ip daddr != 203.0.113.7 "
			   "dnat ip to meta l4proto . th dport map @fwd_ppp0") != NULL);
	/* a port range maps port by port */
	CHECK(strstr(text, "udp . 27963 : 192.168.0.4 . 27963") != NULL);
	CHECK(strstr(text, "tcp . 2222 : 192.168.0.3 . 22") != NULL);
	/* forwards with `from` and of gre get their own rules */
	CHECK(strstr(text, "ip saddr 198.51.100.0/24 dnat ip to meta l4proto . th dport map "
			   "{ tcp . 8022 : 192.168.0.5 . 22 }") != NULL);
	CHECK(strstr(text, "meta l4proto gre dnat to 192.168.0.6") != NULL);
	/* reflection uses ppp0's map: every reflected forward is there */
	CHECK(strstr(text, "iifname \"eth1\" fib daddr type local ip daddr != { 127.0.0.0/8, "
			   "192.168.0.0/24 } dnat ip to meta l4proto . th dport map @fwd_ppp0")
	      != NULL);
	CHECK(strstr(text, "oifname \"eth1\" ip saddr 192.168.0.0/24 ct status dnat masquerade")
	      != NULL);
	/* 1:1 SNAT before the masquerade */
	CHECK(strstr(text, "snat to 203.0.113.7") < strstr(text, "ip saddr 192.168.0.0/24 "
								  "masquerade"));
	CHECK(strstr(text, "192.168.0.6 . gre") != NULL);
	free(text);
}

static void test_sample_filter(void)
{
	struct ir ir;
	char *text, *log, *drop;

	sample_ir(&ir);
	text = sample_text(&ir);
	/* the log is its own rule, before the verdict */
	log = strstr(text, "iifname \"ppp0\" ip daddr 127.0.0.0/8 limit rate 5/minute log prefix");
	drop = strstr(text, "iifname \"ppp0\" ip daddr 127.0.0.0/8 counter drop");
	CHECK(log && drop && log < drop);
	/* reject of tcp and udp ports: split by protocol, each its own answer */
	CHECK(strstr(text, "tcp dport { 113, 6000-6010 } counter reject with tcp reset") != NULL);
	CHECK(strstr(text, "udp dport 113 counter reject with icmp type port-unreachable") != NULL);
	/* reject of anything: three rules */
	CHECK(strstr(text, "iifname \"ppp*\" meta l4proto tcp counter reject with tcp reset\n")
	      || strstr(text, "iifname \"ppp*\" meta l4proto tcp counter reject with tcp reset "));
	CHECK(strstr(text, "iifname \"ppp*\" counter reject with icmpv6 type admin-prohibited")
	      != NULL);
	CHECK(strstr(text, "\t\ttcp flags syn tcp option maxseg size set rt mtu") != NULL);
	/* helpers: LAN and forwarded connections, sip on both protocols */
	CHECK(strstr(text, "ct helper helper_sip_udp {\n\t\ttype \"sip\" protocol udp") != NULL);
	CHECK(strstr(text, "ct state new ct status dnat ip daddr . meta l4proto . th dport "
			   "@fwd_targets tcp dport 21 ct helper set \"helper_ftp\"") != NULL);
	CHECK(strstr(text, "policy = { syn_sent : 120, syn_recv : 60, established : 7200, "
			   "fin_wait : 120, close_wait : 120, last_ack : 120, time_wait : 120")
	      != NULL);
	/* IPv4-only rules stay out of ip6 */
	CHECK(strstr(strstr(text, "table ip6 masqgen {"), "192.168") == NULL);
	free(text);
}

/* 1 or 2,000 forwards: the same rules, only the maps grow. */
static void test_rules_independent_of_forwards(void)
{
	struct ir_forward *many = xcalloc(2000, sizeof(*many));
	struct nft_model *one, *lots;
	struct ir ir;
	size_t i;

	for (i = 0; i < 2000; i++) {
		many[i] = (struct ir_forward){.iif = "ppp0", .proto = IR_P_TCP,
					      .lo = (uint16_t)(10000 + i),
					      .hi = (uint16_t)(10000 + i),
					      .to_lo = 80, .host = IP4(192, 168, 0, 10 + i % 200),
					      .reflect = true};
	}
	sample_ir(&ir);
	ir.forwards = many;
	ir.n_forwards = 1;
	one = nft_lower(&ir);
	ir.n_forwards = 2000;
	lots = nft_lower(&ir);
	CHECK(one && lots);
	if (one && lots) {
		CHECK(count_rules(one) == count_rules(lots));
		CHECK(lots->t[NFT_FAM_IP].sets[nft_set_find(&lots->t[NFT_FAM_IP],
							    "fwd_ppp0")].n == 2000);
	}
	nft_model_free(one);
	nft_model_free(lots);
	free(many);
}

static char *read_text(const char *path)
{
	struct strbuf sb = {0};
	char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_addn(&sb, buf, n);
	fclose(f);
	return sb.buf ? sb.buf : xstrdup("");
}

/*
 * The text of 60,000 forwards (megabytes) spilled through util_out into a
 * file as it is printed is the text printed whole; an output closed
 * without commit leaves the file it would replace as it was.
 */
static void test_text_spill(void)
{
	struct ir_forward *many = xcalloc(60000, sizeof(*many));
	char path[] = "/tmp/masqgen-unit-spill.XXXXXX";
	struct strbuf sb = {0};
	char *whole, *spilled;
	struct ir ir;
	size_t i;
	int fd;

	for (i = 0; i < 60000; i++)
		many[i] = (struct ir_forward){.iif = "ppp0", .proto = i % 2 ? IR_P_UDP : IR_P_TCP,
					      .lo = (uint16_t)(1024 + i / 2),
					      .hi = (uint16_t)(1024 + i / 2),
					      .to_lo = (uint16_t)(1024 + i / 2),
					      .host = IP4(192, 168, i / 250 % 250, 2 + i % 250)};
	sample_ir(&ir);
	ir.forwards = many;
	ir.n_forwards = 60000;
	whole = sample_text(&ir);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		goto out;
	close(fd);
	sb.spill = util_out_new(path, 0);
	CHECK(nft_text_emit(&ir, &sb) == 0);
	CHECK(sb.len < strlen(whole) / 2); /* most of it went out already */
	CHECK(util_out_write(sb.spill, sb.buf, sb.len) == 0);
	CHECK(util_out_close(sb.spill, true) == 0);
	spilled = read_text(path);
	CHECK(spilled && strcmp(spilled, whole) == 0);
	free(spilled);

	sb.len = 0;
	sb.spill = util_out_new(path, 0);
	CHECK(nft_text_emit(&ir, &sb) == 0);
	CHECK(util_out_close(sb.spill, false) < 0);
	spilled = read_text(path);
	CHECK(spilled && strcmp(spilled, whole) == 0);
	free(spilled);
	unlink(path);
out:
	sb_free(&sb);
	free(whole);
	free(many);
}

/* Lists: one element is a value, a few an anonymous set, many a named set. */
static void test_list_forms(void)
{
	struct ir_addr adj[] = {{.lo = IP4(10, 0, 0, 0), .hi = IP4(10, 0, 0, 255)},
				{.lo = IP4(10, 0, 1, 0), .hi = IP4(10, 0, 1, 255)}};
	struct ir_port ports[20];
	struct ir_rule rules[2] = {
		{.family = IR_F_IPV4, .saddr = ADDRS(adj), .verdict = IR_V_ACCEPT},
		{.family = IR_F_BOTH, .proto = IR_P_TCP, .dports = {.v = ports, .n = 20},
		 .verdict = IR_V_DROP},
	};
	struct ir ir;
	char *text;
	size_t i;

	for (i = 0; i < 20; i++)
		ports[i] = (struct ir_port){.proto = IR_P_TCP, .lo = (uint16_t)(1000 + 2 * i),
					    .hi = (uint16_t)(1000 + 2 * i)};
	sample_ir(&ir);
	ir.chain[IR_CH_INPUT].rules = rules;
	ir.chain[IR_CH_INPUT].n = 2;
	text = sample_text(&ir);
	/* touching networks merge as nft merges them, and one is a plain match */
	CHECK(strstr(text, "\t\tip saddr 10.0.0.0/23 accept") != NULL);
	CHECK(strstr(text, "set input_2_tcp_dport {\n\t\ttype inet_service\n\t\tsize 64\n\t\telements") != NULL);
	CHECK(strstr(text, "tcp dport @input_2_tcp_dport counter drop") != NULL);
	free(text);
}

/*
 * 2,000 lines `allow forward tcp P to H` (and udp), each differing from
 * the last in port and host, are one lookup of address, protocol and port:
 * the forward chain holds as many rules as with one line.
 */
static void test_pairs_merge(void)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *path = xasprintf("%s/masqgen-pairs-XXXXXX", dir);
	size_t one = 0, many = 0, set;
	int fd = mkstemp(path), n, i;
	struct nft_model *m;
	struct ir *ir;
	FILE *f;

	CHECK(fd >= 0);
	if (fd < 0)
		goto out;
	for (n = 1; n <= 2000; n += 1999) {
		f = fopen(path, "w");
		CHECK(f != NULL);
		if (!f)
			break;
		fputs("external eth0 dynamic\ninternal eth1 10.0.0.1/16\n", f);
		for (i = 0; i < n; i++)
			fprintf(f, "allow forward %s %d to 10.0.%d.%d\n", i % 3 ? "tcp" : "udp",
				2000 + i, i / 250, 2 + i % 250);
		fclose(f);
		ir = cli_compile(path);
		m = ir ? nft_lower(ir) : NULL;
		CHECK(m != NULL);
		if (m) {
			*(n == 1 ? &one : &many) = chain_rules(&m->t[NFT_FAM_IP], "forward");
			set = nft_set_find(&m->t[NFT_FAM_IP], "forward_3_daddr_dport");
			if (n > 1) {
				CHECK(set != SIZE_MAX);
				CHECK(set != SIZE_MAX && m->t[NFT_FAM_IP].sets[set].n == 2000);
			}
		}
		nft_model_free(m);
		ir_free(ir);
	}
	CHECK(one > 0 && one == many);
	close(fd);
	unlink(path);
out:
	free(path);
}

static int load(const char *policy)
{
	struct nft_state now;
	struct nft_model *m;
	struct nft_batch *b;
	struct ir *ir;
	int rc;

	ir = cli_compile(policy);
	if (!ir)
		return 1;
	m = nft_lower(ir);
	if (!m) {
		ir_free(ir);
		return 1;
	}
	if (nft_state_read(&now) < 0) {
		nft_model_free(m);
		ir_free(ir);
		return 1;
	}
	b = nft_batch_new(0);
	nft_build_upnp(b, m, now.upnp);
	rc = nft_build(b, m, true, true) == 0 && nft_batch_send(b, true) == 0 ? 0 : 1;
	nft_batch_free(b);
	nft_model_free(m);
	ir_free(ir);
	return rc;
}

/* The printers that write numbers without printf, at their edges, as printf would. */
static void test_number_text(void)
{
	static const uint32_t addrs[] = {0, 0x0a000002, 0x7f000001, 0xc0a80aff, 0xffffffff};
	static const unsigned long nums[] = {0, 9, 10, 65535, 4294967295ul, (unsigned long)-1};
	struct strbuf sb = {0};
	char want[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		sb.len = 0;
		nft_text_ip(&sb, addrs[i]);
		snprintf(want, sizeof(want), "%u.%u.%u.%u", addrs[i] >> 24,
			 (addrs[i] >> 16) & 0xff, (addrs[i] >> 8) & 0xff, addrs[i] & 0xff);
		CHECK_STR(sb.buf, want);
	}
	for (i = 0; i < ARRAY_SIZE(nums); i++) {
		sb.len = 0;
		sb_add(&sb, "x");
		sb_addu(&sb, nums[i]);
		snprintf(want, sizeof(want), "x%lu", nums[i]);
		CHECK_STR(sb.buf, want);
	}
	sb_free(&sb);
}

static struct nft_elem *add_elem(struct nft_set *s, uint32_t k0, uint32_t k1, uint32_t hi,
				 const char *comment)
{
	struct nft_elem *e = nft_elem_add(s, xstrdup(comment));

	e->k[0] = k0;
	e->k[1] = k1;
	e->hi = hi;
	return e;
}

/*
 * nft_set_normalize: sorted by key, a duplicate key keeps the first
 * element in policy order (its comment), intervals merge when they
 * overlap and, asked to, when they touch; a long scramble comes back
 * sorted with every element whole.
 */
static void test_set_normalize(void)
{
	struct nft_model *m = xcalloc(1, sizeof(*m));
	struct nft_table *t = &m->t[NFT_FAM_IP];
	struct nft_set *s;
	char name[32];
	size_t map, ports, touch, big, i;

	map = nft_set_new(t, xstrdup("map"), NFT_SK_FWD_MAP);
	s = &t->sets[map];
	add_elem(s, IR_P_TCP, 2000, 0, "a:1");
	add_elem(s, IR_P_TCP, 1000, 0, "a:2");
	add_elem(s, IR_P_TCP, 2000, 0, "a:3");
	add_elem(s, IR_P_UDP, 1000, 0, "a:4");
	add_elem(s, IR_P_TCP, 1000, 0, "a:5");
	nft_set_normalize(t, map, false);
	s = &t->sets[map];
	CHECK(s->n == 3);
	CHECK(s->v[0].k[0] == IR_P_TCP && s->v[0].k[1] == 1000);
	CHECK_STR(s->v[0].comment, "a:2");
	CHECK(s->v[1].k[0] == IR_P_TCP && s->v[1].k[1] == 2000);
	CHECK_STR(s->v[1].comment, "a:1");
	CHECK(s->v[2].k[0] == IR_P_UDP && s->v[2].k[1] == 1000);
	CHECK_STR(s->v[2].comment, "a:4");

	for (touch = 0; touch < 2; touch++) {
		ports = nft_set_new(t, NULL, NFT_SK_PORT);
		s = &t->sets[ports];
		s->interval = true;
		add_elem(s, 30, 0, 40, "b:1");
		add_elem(s, 10, 0, 20, "b:2");
		add_elem(s, 15, 0, 25, "b:3");
		add_elem(s, 26, 0, 28, "b:4");
		add_elem(s, 10, 0, 12, "b:5");
		nft_set_normalize(t, ports, touch);
		s = &t->sets[ports];
		CHECK(s->n == 3 - touch);
		CHECK(s->v[0].k[0] == 10 && s->v[0].hi == (touch ? 28u : 25u));
		CHECK_STR(s->v[0].comment, "b:2");
		if (!touch) {
			CHECK(s->v[1].k[0] == 26 && s->v[1].hi == 28);
			CHECK_STR(s->v[1].comment, "b:4");
		}
		CHECK(s->v[2 - touch].k[0] == 30 && s->v[2 - touch].hi == 40);
		CHECK_STR(s->v[2 - touch].comment, "b:1");
	}

	/* 1000 keys in an order of long cycles (7919 is prime to 1000), each twice */
	big = nft_set_new(t, xstrdup("big"), NFT_SK_ADMIT);
	s = &t->sets[big];
	for (i = 0; i < 2000; i++) {
		uint32_t k = (uint32_t)(i * 7919 % 1000);

		snprintf(name, sizeof(name), "%u:%s", k, i < 1000 ? "first" : "second");
		add_elem(s, k, k + 1, 0, name)->d[0] = k + 2;
	}
	nft_set_normalize(t, big, false);
	s = &t->sets[big];
	CHECK(s->n == 1000);
	for (i = 0; i < s->n; i++) {
		snprintf(name, sizeof(name), "%zu:first", i);
		CHECK(s->v[i].k[0] == i && s->v[i].k[1] == i + 1 && s->v[i].d[0] == i + 2);
		CHECK_STR(s->v[i].comment, name);
	}
	nft_model_free(m);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--load") == 0)
		return load(argv[2]);
	RUN(test_sample_nat);
	RUN(test_sample_filter);
	RUN(test_rules_independent_of_forwards);
	RUN(test_list_forms);
	RUN(test_pairs_merge);
	RUN(test_number_text);
	RUN(test_set_normalize);
	RUN(test_text_spill);
	UNIT_EXIT();
}
