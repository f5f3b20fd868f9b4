// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_widen.c - no silent widening (LANGUAGE.md "IPv6 (dual stack)"). For
 * every golden policy and every rules/ example, the one matcher (ir_match)
 * gives the IPv4 and the IPv6 verdict of each (source LAN, destination)
 * pair: destinations are the Internet (by each external), every other LAN
 * and the gateway itself, for tcp and udp to each port the policy names
 * and for echo requests. A side's verdict is over sampled hosts (each
 * network's edges and every address edge the policy names inside it):
 * open, closed or mixed. Where the families differ, compiling the policy
 * must have reported a widening. IPv6 that the policy leaves alone
 * (`ipv6 open`) or blocks on purpose (`ipv6 block`, forward) is skipped.
 *
 * Run from the top of the tree (tests/golden, rules).
 */
#include "cli.h"
#include "diag.h"
#include "ir.h"
#include "ir_match.h"
#include "masq_parse.h"
#include "unit.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>

enum { OPEN = 1, CLOSED = 2 };

struct hosts {
	ir_u128 *v;
	size_t n, cap;
};

struct probe {
	uint8_t proto;
	uint16_t port;
};

static bool in_any_list(const struct ir *ir, unsigned family, ir_u128 x)
{
	size_t c, i, k;

	for (c = 0; c < IR_CH_COUNT; c++) {
		for (i = 0; i < ir->chain[c].n; i++) {
			const struct ir_rule *r = &ir->chain[c].rules[i];
			const struct ir_addrs *l[] = {&r->saddr, &r->daddr};

			for (k = 0; k < 2; k++) {
				size_t j;

				for (j = 0; j < l[k]->n; j++)
					if (l[k]->v[j].family == family && x >= ir_addr_lo(&l[k]->v[j]) &&
					    x <= ir_addr_hi(&l[k]->v[j]))
						return true;
			}
		}
	}
	return false;
}

static void add_host(struct hosts *h, ir_u128 x)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (h->v[i] == x)
			return;
	*VEC_PUSH(h->v, h->n, h->cap) = x;
}

/* @x when it is a host of @n (not its network, broadcast or gateway address). */
static void add_if_host(struct hosts *h, const struct ir_net *n, ir_u128 x)
{
	ir_u128 gw = n->family == IR_F_IPV6 ? n->gw6 : n->gw;

	if (x <= ir_net_lo(n) || x >= ir_net_hi(n) || x == gw)
		return;
	add_host(h, x);
}

/* Edges of @l's elements of @n's family, where they fall inside @n. */
static void add_edges(struct hosts *h, const struct ir_net *n, const struct ir_addrs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct ir_addr *a = &l->v[i];

		if (a->family != n->family)
			continue;
		add_if_host(h, n, ir_addr_lo(a));
		add_if_host(h, n, ir_addr_hi(a));
		add_if_host(h, n, ir_addr_lo(a) - 1);
		add_if_host(h, n, ir_addr_hi(a) + 1);
	}
}

static void sample_net(const struct ir *ir, const struct ir_net *n, struct hosts *h)
{
	size_t c, i;

	add_if_host(h, n, ir_net_lo(n) + 1);
	add_if_host(h, n, ir_net_lo(n) + 2);
	add_if_host(h, n, ir_net_hi(n) - 1);
	for (c = 0; c < IR_CH_COUNT; c++) {
		for (i = 0; i < ir->chain[c].n; i++) {
			add_edges(h, n, &ir->chain[c].rules[i].saddr);
			add_edges(h, n, &ir->chain[c].rules[i].daddr);
		}
	}
	for (i = 0; i < ir->n_snats; i++)
		add_edges(h, n, &ir->snats[i].sources);
}

/* Hosts of internal @f in @family; an interface without IPv6 prefixes gets one of its own. */
static void sample_iface(const struct ir *ir, const struct ir_iface *f, unsigned family,
			 struct hosts *h)
{
	size_t i;

	if (family == IR_F_IPV4) {
		for (i = 0; i < f->n_nets; i++)
			sample_net(ir, &f->nets[i], h);
		return;
	}
	for (i = 0; i < f->n_nets6; i++)
		sample_net(ir, &f->nets6[i], h);
	if (!f->n_nets6) /* fdff:ffff:ffff:IDX::2, a prefix no policy names */
		add_host(h, (ir_u128)0xfdffffffffff0000ull << 64 |
				    (ir_u128)(f - ir->ifaces) << 64 | 2);
}

/* An Internet address no rule and no internal network names. */
static ir_u128 internet(const struct ir *ir, unsigned family)
{
	static const uint32_t v4[] = {0xc63364c8u, 0xcb0071c8u, 0xc00002c8u, 0x01020304u};
	ir_u128 x;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v4); i++) {
		x = family == IR_F_IPV6 ? (ir_u128)0x2a0100000000fffdull << 64 | v4[i] : v4[i];
		if (!in_any_list(ir, family, x))
			return x;
	}
	return x;
}

static struct ir_pkt packet(unsigned family, const struct probe *pr, ir_u128 s, ir_u128 d)
{
	struct ir_pkt p = {.family = family, .proto = pr->proto, .dport = pr->port,
			   .sport = 40000, .icmp_type = -1, .ct_state = IR_CT_NEW};

	if (pr->proto == IR_P_ICMP && family == IR_F_IPV6) {
		p.proto = IR_P_ICMPV6;
		p.icmp_type = 128;
	} else if (pr->proto == IR_P_ICMP) {
		p.icmp_type = 8;
	}
	if (family == IR_F_IPV6) {
		ir_ip6_bytes(s, p.saddr.v6);
		ir_ip6_bytes(d, p.daddr.v6);
	} else {
		p.saddr.v4 = (uint32_t)s;
		p.daddr.v4 = (uint32_t)d;
	}
	return p;
}

/* Open, closed or both, over every sampled source and destination host. */
static unsigned verdicts(const struct ir *ir, unsigned family, const struct probe *pr,
			 const struct hosts *src, const struct hosts *dst, const char *iif,
			 const char *oif)
{
	enum ir_chain_id c = oif ? IR_CH_FORWARD : IR_CH_INPUT;
	unsigned seen = 0;
	size_t i, j;

	for (i = 0; i < src->n; i++) {
		for (j = 0; j < dst->n; j++) {
			struct ir_pkt p = packet(family, pr, src->v[i], dst->v[j]);

			p.iif = iif;
			p.oif = oif;
			if (ir_chain_verdict(&ir->chain[IR_CH_RAW], &p) == IR_V_ACCEPT &&
			    ir_chain_verdict(&ir->chain[c], &p) == IR_V_ACCEPT)
				seen |= OPEN;
			else
				seen |= CLOSED;
		}
	}
	return seen;
}

/*
 * tcp and udp to port 80 and to every port a rule names; echo requests. Not
 * the cluster's sync port: conntrackd syncs over IPv4 only (LANGUAGE.md
 * "Cluster"), so its IPv4-only admission from the peer is no restriction
 * that IPv6 could go around.
 */
static size_t probes(const struct ir *ir, struct probe **out)
{
	size_t c, i, j, n = 0, cap = 0;

	*out = NULL;
	*VEC_PUSH(*out, n, cap) = (struct probe){IR_P_ICMP, 0};
	*VEC_PUSH(*out, n, cap) = (struct probe){IR_P_TCP, 80};
	*VEC_PUSH(*out, n, cap) = (struct probe){IR_P_UDP, 80};
	for (c = 0; c < IR_CH_COUNT; c++) {
		for (i = 0; i < ir->chain[c].n; i++) {
			const struct ir_rule *r = &ir->chain[c].rules[i];

			if (r->tag == IR_T_CLUSTER)
				continue;
			for (j = 0; j < r->dports.n; j++) {
				const struct ir_port *p = &r->dports.v[j];

				*VEC_PUSH(*out, n, cap) = (struct probe){p->proto, p->lo};
				*VEC_PUSH(*out, n, cap) = (struct probe){p->proto, p->hi};
			}
		}
	}
	return n;
}

/* One destination of @from: an interface (NULL: the gateway) and its hosts per family. */
struct dest {
	const char *oif;
	struct hosts h[2];
};

static size_t destinations(const struct ir *ir, const struct ir_iface *from, struct dest **out)
{
	size_t i, n = 0, cap = 0;
	struct dest *d;

	*out = NULL;
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];

		if (f == from || f->role == IR_PASSTHROUGH)
			continue;
		d = VEC_PUSH(*out, n, cap);
		memset(d, 0, sizeof(*d));
		d->oif = f->name;
		if (f->role == IR_EXTERNAL) {
			add_host(&d->h[0], internet(ir, IR_F_IPV4));
			add_host(&d->h[1], internet(ir, IR_F_IPV6));
		} else {
			sample_iface(ir, f, IR_F_IPV4, &d->h[0]);
			sample_iface(ir, f, IR_F_IPV6, &d->h[1]);
		}
	}
	/* the gateway itself, by its address on @from */
	d = VEC_PUSH(*out, n, cap);
	memset(d, 0, sizeof(*d));
	for (i = 0; i < from->n_nets; i++)
		add_host(&d->h[0], from->nets[i].gw ? from->nets[i].gw : ir_net_lo(&from->nets[i]) + 1);
	for (i = 0; i < from->n_nets6; i++)
		add_host(&d->h[1], from->nets6[i].gw6 ? from->nets6[i].gw6
						       : ir_net_lo(&from->nets6[i]) + 1);
	if (!from->n_nets6)
		add_host(&d->h[1], (ir_u128)0xfdffffffffff0000ull << 64 | 1);
	return n;
}

/*
 * The (source LAN, destination, probe) triples of @ir whose IPv4 and IPv6
 * verdicts differ; the first is described in @first.
 */
static size_t differences(const struct ir *ir, struct strbuf *first)
{
	struct probe *pr;
	size_t n_pr = probes(ir, &pr), i, j, k, diffs = 0;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *from = &ir->ifaces[i];
		struct hosts src[2] = {{0}};
		struct dest *d;
		size_t n_d;

		if (from->role != IR_INTERNAL)
			continue;
		sample_iface(ir, from, IR_F_IPV4, &src[0]);
		sample_iface(ir, from, IR_F_IPV6, &src[1]);
		n_d = destinations(ir, from, &d);
		for (j = 0; j < n_d; j++) {
			bool skip = ir->ipv6 == IR_IPV6_OPEN ||
				    (d[j].oif && ir->ipv6 == IR_IPV6_BLOCK);

			for (k = 0; !skip && src[0].n && d[j].h[0].n && k < n_pr; k++) {
				unsigned v4 = verdicts(ir, IR_F_IPV4, &pr[k], &src[0], &d[j].h[0],
						       from->name, d[j].oif);
				unsigned v6 = verdicts(ir, IR_F_IPV6, &pr[k], &src[1], &d[j].h[1],
						       from->name, d[j].oif);

				if (v4 == v6)
					continue;
				if (!diffs++)
					sb_addf(first, "%s to %s, %s %u: IPv4 %s, IPv6 %s", from->name,
						d[j].oif ? d[j].oif : "the gateway",
						ir_proto_name(pr[k].proto), pr[k].port,
						v4 == OPEN ? "open" : v4 == CLOSED ? "closed" : "mixed",
						v6 == OPEN ? "open" : v6 == CLOSED ? "closed" : "mixed");
			}
			free(d[j].h[0].v);
			free(d[j].h[1].v);
		}
		free(d);
		free(src[0].v);
		free(src[1].v);
	}
	free(pr);
	return diffs;
}

/* The policy at @path passes when its families agree or it reported a widening. */
static bool judge(size_t diffs, unsigned widenings)
{
	return diffs == 0 || widenings > 0;
}

/* Compile @path and judge it; @diffs_out gets the differences (or NULL). */
static bool policy_ok(const char *path, size_t *diffs_out, unsigned *widen_out)
{
	struct strbuf first = {0};
	struct ir *ir;
	size_t diffs;
	unsigned widenings;
	bool ok;

	diag_reset();
	diag_quiet_warnings(true);
	ir = cli_compile(path);
	CHECK(ir != NULL);
	if (!ir) {
		printf("  %s does not compile\n", path);
		return false;
	}
	widenings = diag_widening_count();
	diffs = differences(ir, &first);
	ok = judge(diffs, widenings);
	if (!ok)
		printf("  %s: IPv4 and IPv6 differ with no widening reported (%zu cases; "
		       "first: %s)\n", path, diffs, first.buf);
	if (diffs_out)
		*diffs_out = diffs;
	if (widen_out)
		*widen_out = widenings;
	sb_free(&first);
	ir_free(ir);
	return ok;
}

static size_t each_policy(const char *dir, bool nested)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	CHECK(d != NULL);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char *path = nested ? xasprintf("%s/%s/policy.masq", dir, e->d_name)
				    : xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		size_t len = strlen(path);

		if (e->d_name[0] != '.' && len > 5 && strcmp(path + len - 5, ".masq") == 0 &&
		    stat(path, &st) == 0) {
			CHECK(policy_ok(path, NULL, NULL));
			n++;
		}
		free(path);
	}
	closedir(d);
	return n;
}

static void test_goldens_and_rules(void)
{
	CHECK(each_policy("tests/golden", true) >= 25);
	CHECK(each_policy("rules", false) >= 8);
	diag_reset();
}

/*
 * The negative control: policies that restrict one family only do differ
 * (so the comparison sees a widening), they are warned about, and without
 * that warning the judgement fails.
 */
static void test_negative_control(void)
{
	static const char *const widen[] = {
		"tests/unit/widen/deny-v4-only.masq",
		"tests/unit/widen/masquerade-narrow.masq",
	};
	size_t i, diffs;
	unsigned widenings;

	for (i = 0; i < ARRAY_SIZE(widen); i++) {
		CHECK(policy_ok(widen[i], &diffs, &widenings));
		CHECK(diffs > 0);
		CHECK(widenings > 0);
		CHECK(!judge(diffs, 0));
	}
	/* the same restriction in both families: no difference at all */
	CHECK(policy_ok("tests/unit/widen/both-families.masq", &diffs, &widenings));
	CHECK(diffs == 0);
	CHECK(widenings == 0);
	diag_reset();
}

int main(void)
{
	RUN(test_negative_control);
	RUN(test_goldens_and_rules);
	UNIT_EXIT();
}
