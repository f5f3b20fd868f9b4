// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_build_expr.c - a model rule's matches and statements as libnftnl
 * expressions, in exactly the shape nft generates for the same text (so
 * `nft list` prints both alike): a transport field is preceded by its
 * `meta l4proto` dependency once per rule, prefixes load only their whole
 * bytes, flag tests are `bitwise & mask != 0`, concatenations use the
 * 32-bit registers.
 */
#include "nft_build.h"
#include "nft_model.h"
#include "util.h"

#include <stdio.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

struct ectx {
	struct nftnl_rule *nr;
	const struct nft_table *t;
	const uint32_t *set_ids;
	bool v6;
	uint8_t dep;	/* the l4 protocol already checked in this rule, or 0 */
};

static struct nftnl_expr *expr_new(const char *name)
{
	return xnonnull(nftnl_expr_alloc(name));
}

static void add(struct ectx *x, struct nftnl_expr *e)
{
	nftnl_rule_add_expr(x->nr, e);
}

static void meta(struct ectx *x, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = expr_new("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	add(x, e);
}

static void payload(struct ectx *x, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = expr_new("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	add(x, e);
}

static void cmp(struct ectx *x, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr_new("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	add(x, e);
}

static void range_neq(struct ectx *x, const void *lo, const void *hi, uint32_t len)
{
	struct nftnl_expr *e = expr_new("range");

	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_NEQ);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, lo, len);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, hi, len);
	add(x, e);
}

/* Register 1 = (register 1 & @mask) ^ @xor (NULL: zero), over @len bytes. */
static void bitwise(struct ectx *x, const void *mask, const void *xor, uint32_t len)
{
	struct nftnl_expr *e = expr_new("bitwise");
	static const uint8_t zero[16];

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_OP, NFT_BITWISE_BOOL);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor ? xor : zero, len);
	add(x, e);
}

/* `& mask != 0` on the @len bytes in register 1 (ct state, ct status, tcp flags). */
static void flag_test(struct ectx *x, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];

	bitwise(x, mask, NULL, len);
	cmp(x, NFT_CMP_NEQ, zero, len);
}

static void lookup(struct ectx *x, size_t set, bool neg, bool map)
{
	const struct nft_set *s = &x->t->sets[set];
	struct nftnl_expr *e = expr_new("lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	if (map)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, s->name ? s->name : "__set%d");
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, x->set_ids[set]);
	if (neg)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	add(x, e);
}

static void immediate(struct ectx *x, uint32_t dreg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr_new("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
	add(x, e);
}

static void verdict(struct ectx *x, uint32_t code)
{
	struct nftnl_expr *e = expr_new("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, code);
	add(x, e);
}

/* `meta l4proto P` before a transport field, unless the rule checked it already. */
static void l4_dep(struct ectx *x, uint8_t proto)
{
	if (x->dep == proto)
		return;
	meta(x, NFT_META_L4PROTO, NFT_REG_1);
	cmp(x, NFT_CMP_EQ, &proto, 1);
	x->dep = proto;
}

/* A value, range or set on the @len big-endian bytes just loaded into register 1. */
static void value_match(struct ectx *x, const struct nft_match *m, uint32_t len)
{
	uint8_t lo[4], hi[4];

	if (m->val == NFT_V_SET) {
		lookup(x, m->set, m->neg, false);
		return;
	}
	if (len == 4) {
		put_be32(lo, m->lo);
		put_be32(hi, m->hi);
	} else if (len == 2) {
		put_be16(lo, (uint16_t)m->lo);
		put_be16(hi, (uint16_t)m->hi);
	} else {
		lo[0] = (uint8_t)m->lo;
		hi[0] = (uint8_t)m->hi;
	}
	if (m->val == NFT_V_EQ || m->lo == m->hi) {
		cmp(x, m->neg ? NFT_CMP_NEQ : NFT_CMP_EQ, lo, len);
	} else if (m->neg) {
		range_neq(x, lo, hi, len);
	} else {
		cmp(x, NFT_CMP_GTE, lo, len);
		cmp(x, NFT_CMP_LTE, hi, len);
	}
}

/* ip saddr/daddr: a prefix loads only its whole bytes, or all four and a mask. */
static void addr_match(struct ectx *x, const struct nft_match *m, uint32_t off)
{
	uint8_t val[4], mask[4];
	unsigned len;

	if (m->val == NFT_V_RANGE && m->lo != m->hi) {
		for (len = 1; len < 32; len++) {
			uint32_t host = ~0u >> len;

			if ((m->lo & host) == 0 && m->hi == (m->lo | host))
				break;
		}
		if (len < 32) {
			put_be32(val, m->lo);
			if (len % 8 == 0) {
				payload(x, NFT_PAYLOAD_NETWORK_HEADER, off, len / 8, NFT_REG_1);
				cmp(x, m->neg ? NFT_CMP_NEQ : NFT_CMP_EQ, val, len / 8);
				return;
			}
			put_be32(mask, ~(~0u >> len));
			payload(x, NFT_PAYLOAD_NETWORK_HEADER, off, 4, NFT_REG_1);
			bitwise(x, mask, NULL, 4);
			cmp(x, m->neg ? NFT_CMP_NEQ : NFT_CMP_EQ, val, 4);
			return;
		}
	}
	payload(x, NFT_PAYLOAD_NETWORK_HEADER, off, 4, NFT_REG_1);
	value_match(x, m, 4);
}

/* The prefix length of [@lo, @hi] (1-127), or 0 when it is none such. */
static unsigned prefix6_len(ir_u128 lo, ir_u128 hi)
{
	unsigned len;

	for (len = 1; len < 128; len++) {
		ir_u128 host = ~(ir_u128)0 >> len;

		if ((lo & host) == 0 && hi == (lo | host))
			return len;
	}
	return 0;
}

/* ip6 saddr/daddr at @off: as addr_match(), over 16 bytes. */
static void addr6_match(struct ectx *x, const struct nft_match *m, uint32_t off)
{
	unsigned len = m->lo6 != m->hi6 ? prefix6_len(m->lo6, m->hi6) : 0;
	uint8_t lo[16], hi[16], mask[16];

	ir_ip6_bytes(m->lo6, lo);
	ir_ip6_bytes(m->hi6, hi);
	if (m->mask6) {
		ir_ip6_bytes(m->mask6, mask);
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, off, 16, NFT_REG_1);
		bitwise(x, mask, NULL, 16);
		if (m->val == NFT_V_SET)
			lookup(x, m->set, m->neg, false);
		else
			cmp(x, m->neg ? NFT_CMP_NEQ : NFT_CMP_EQ, lo, 16);
	} else if (m->val == NFT_V_SET) {
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, off, 16, NFT_REG_1);
		lookup(x, m->set, m->neg, false);
	} else if (len % 8 == 0 && len) {
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, off, len / 8, NFT_REG_1);
		cmp(x, m->neg ? NFT_CMP_NEQ : NFT_CMP_EQ, lo, len / 8);
	} else if (len) {
		ir_ip6_bytes(~(~(ir_u128)0 >> len), mask);
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, off, 16, NFT_REG_1);
		bitwise(x, mask, NULL, 16);
		cmp(x, m->neg ? NFT_CMP_NEQ : NFT_CMP_EQ, lo, 16);
	} else if (m->lo6 == m->hi6) {
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, off, 16, NFT_REG_1);
		cmp(x, m->neg ? NFT_CMP_NEQ : NFT_CMP_EQ, lo, 16);
	} else {
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, off, 16, NFT_REG_1);
		if (m->neg) {
			range_neq(x, lo, hi, 16);
		} else {
			cmp(x, NFT_CMP_GTE, lo, 16);
			cmp(x, NFT_CMP_LTE, hi, 16);
		}
	}
}

/* A fib lookup by @flags (NFTA_FIB_F_*) of @result into register 1. */
static void fib(struct ectx *x, uint32_t flags, uint32_t result)
{
	struct nftnl_expr *e = expr_new("fib");

	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, result);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, flags);
	add(x, e);
}

static void ifname_match(struct ectx *x, const struct nft_match *m)
{
	size_t len = strlen(m->ifname);
	char buf[IFNAMSIZ] = {0};

	if (m->sel == NFT_SEL_FIB_OIFNAME)
		fib(x, NFTA_FIB_F_DADDR, NFT_FIB_RESULT_OIFNAME);
	else
		meta(x, m->sel == NFT_SEL_IIFNAME ? NFT_META_IIFNAME : NFT_META_OIFNAME,
		     NFT_REG_1);
	if (len && m->ifname[len - 1] == '+') {
		/* a wildcard compares the prefix only, without the terminating NUL */
		cmp(x, m->neg ? NFT_CMP_NEQ : NFT_CMP_EQ, m->ifname, (uint32_t)(len - 1));
		return;
	}
	memcpy(buf, m->ifname, len < IFNAMSIZ ? len : IFNAMSIZ - 1);
	cmp(x, m->neg ? NFT_CMP_NEQ : NFT_CMP_EQ, buf, IFNAMSIZ);
}

/*
 * The reverse-path check fails: a source other than :: with no route back
 * (through the incoming interface when @strict), as nft writes `ip6 saddr
 * != :: fib saddr [. iif] oif missing`.
 */
static void rpf_fails(struct ectx *x, bool strict)
{
	static const uint8_t unspecified[16];
	static const uint32_t missing;	/* nft compares the whole register */

	payload(x, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, NFT_REG_1);
	cmp(x, NFT_CMP_NEQ, unspecified, sizeof(unspecified));
	fib(x, NFTA_FIB_F_SADDR | NFTA_FIB_F_PRESENT | (strict ? NFTA_FIB_F_IIF : 0),
	    NFT_FIB_RESULT_OIF);
	cmp(x, NFT_CMP_EQ, &missing, sizeof(missing));
}

static void fib_local(struct ectx *x, bool iif)
{
	uint32_t local = RTN_LOCAL;

	fib(x, NFTA_FIB_F_DADDR | (iif ? NFTA_FIB_F_IIF : 0), NFT_FIB_RESULT_ADDRTYPE);
	cmp(x, NFT_CMP_EQ, &local, sizeof(local));
}

/* Load conntrack key @key of the original direction into @dreg. */
static void ct_original(struct ectx *x, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = expr_new("ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u8(e, NFTNL_EXPR_CT_DIR, IP_CT_DIR_ORIGINAL);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
	add(x, e);
}

static void ct_flags(struct ectx *x, uint32_t key, uint32_t mask)
{
	struct nftnl_expr *e = expr_new("ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	add(x, e);
	flag_test(x, &mask, sizeof(mask));
}

/* The connection mark into register 1, masked with @and and then xor'ed with @xor. */
static void ct_mark_masked(struct ectx *x, uint32_t and, uint32_t xor)
{
	struct nftnl_expr *e = expr_new("ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_MARK);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	add(x, e);
	bitwise(x, &and, &xor, sizeof(and));
}

/* Register 1 into the connection mark (@ct) or the packet mark. */
static void mark_store(struct ectx *x, bool ct)
{
	struct nftnl_expr *e = expr_new(ct ? "ct" : "meta");

	if (ct) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_MARK);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, NFT_REG_1);
	} else {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_MARK);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
	}
	add(x, e);
}

static uint32_t ct_state_bits(uint32_t ir_bits)
{
	uint32_t bits = 0;

	if (ir_bits & IR_CT_NEW)
		bits |= NF_CT_STATE_BIT(IP_CT_NEW);
	if (ir_bits & IR_CT_ESTABLISHED)
		bits |= NF_CT_STATE_BIT(IP_CT_ESTABLISHED);
	if (ir_bits & IR_CT_RELATED)
		bits |= NF_CT_STATE_BIT(IP_CT_RELATED);
	if (ir_bits & IR_CT_INVALID)
		bits |= NF_CT_STATE_INVALID_BIT;
	return bits;
}

static void build_match(struct ectx *x, const struct nft_match *m)
{
	static const uint32_t upnp_mark = IR_UPNP_MARK;
	static const uint8_t syn = 0x02;
	static const uint8_t ll_mask[16] = {0xff, 0xc0}, ll_net[16] = {0xfe, 0x80};
	bool tcp;

	switch (m->sel) {
	case NFT_SEL_IIFNAME:
	case NFT_SEL_OIFNAME:
	case NFT_SEL_FIB_OIFNAME:
		ifname_match(x, m);
		return;
	case NFT_SEL_L4PROTO:
		meta(x, NFT_META_L4PROTO, NFT_REG_1);
		value_match(x, m, 1);
		if (m->val == NFT_V_EQ && !m->neg)
			x->dep = (uint8_t)m->lo;
		return;
	case NFT_SEL_SADDR:
	case NFT_SEL_DADDR:
		addr_match(x, m, m->sel == NFT_SEL_SADDR ? 12 : 16);
		return;
	case NFT_SEL_SADDR6:
	case NFT_SEL_DADDR6:
		addr6_match(x, m, m->sel == NFT_SEL_SADDR6 ? 8 : 24);
		return;
	case NFT_SEL_TCP_DPORT:
	case NFT_SEL_UDP_DPORT:
	case NFT_SEL_TCP_SPORT:
	case NFT_SEL_UDP_SPORT:
		tcp = m->sel == NFT_SEL_TCP_DPORT || m->sel == NFT_SEL_TCP_SPORT;
		l4_dep(x, tcp ? IPPROTO_TCP : IPPROTO_UDP);
		payload(x, NFT_PAYLOAD_TRANSPORT_HEADER,
			m->sel == NFT_SEL_TCP_DPORT || m->sel == NFT_SEL_UDP_DPORT ? 2 : 0, 2,
			NFT_REG_1);
		value_match(x, m, 2);
		return;
	case NFT_SEL_ICMP_TYPE:
	case NFT_SEL_ICMPV6_TYPE:
		l4_dep(x, m->sel == NFT_SEL_ICMP_TYPE ? IPPROTO_ICMP : IPPROTO_ICMPV6);
		payload(x, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1);
		value_match(x, m, 1);
		return;
	case NFT_SEL_CT_STATE:
		ct_flags(x, NFT_CT_STATE, ct_state_bits(m->lo));
		return;
	case NFT_SEL_CT_DNAT:
		ct_flags(x, NFT_CT_STATUS, IPS_DST_NAT);
		return;
	case NFT_SEL_CT_MARK_WAN:
		ct_flags(x, NFT_CT_MARK, IR_WAN_MASK);
		return;
	case NFT_SEL_MARK_UPNP:
		meta(x, NFT_META_MARK, NFT_REG_1);
		flag_test(x, &upnp_mark, sizeof(upnp_mark));
		return;
	case NFT_SEL_FIB_LOCAL_IIF:
	case NFT_SEL_FIB_LOCAL:
		fib_local(x, m->sel == NFT_SEL_FIB_LOCAL_IIF);
		return;
	case NFT_SEL_TCP_SYN:
		l4_dep(x, IPPROTO_TCP);
		payload(x, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, NFT_REG_1);
		flag_test(x, &syn, 1);
		return;
	case NFT_SEL_IP6_LINKLOCAL:
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, NFT_REG_1);
		bitwise(x, ll_mask, NULL, 16);
		cmp(x, NFT_CMP_EQ, ll_net, 16);
		return;
	case NFT_SEL_RPF_STRICT:
	case NFT_SEL_RPF_LOOSE:
		rpf_fails(x, m->sel == NFT_SEL_RPF_STRICT);
		return;
	case NFT_SEL_TARGET:
	case NFT_SEL_PROTO_TARGET:
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1);
		meta(x, NFT_META_L4PROTO, NFT_REG32_01);
		if (m->sel == NFT_SEL_TARGET)
			payload(x, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_02);
		lookup(x, m->set, m->neg, false);
		return;
	case NFT_SEL_TARGET6:
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, 24, 16, NFT_REG_1);
		meta(x, NFT_META_L4PROTO, NFT_REG32_04);
		payload(x, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_05);
		lookup(x, m->set, m->neg, false);
		return;
	case NFT_SEL_ADMIT_TCP:
	case NFT_SEL_ADMIT_UDP:
		l4_dep(x, m->sel == NFT_SEL_ADMIT_TCP ? IPPROTO_TCP : IPPROTO_UDP);
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1);
		payload(x, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01);
		ct_original(x, NFT_CT_PROTO_DST, NFT_REG32_02);
		lookup(x, m->set, m->neg, false);
		return;
	}
}

static void nat(struct ectx *x, uint32_t type, bool port, uint32_t proto_reg)
{
	struct nftnl_expr *e = expr_new("nat");

	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, type);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
	if (port) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, proto_reg);
		if (proto_reg == NFT_REG_2)
			nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED);
	}
	add(x, e);
}

static void tcp_mss(struct ectx *x, uint16_t mss)
{
	struct nftnl_expr *e;
	uint8_t val[2];

	if (mss) {
		put_be16(val, mss);
		immediate(x, NFT_REG_1, val, 2);
	} else {
		e = expr_new("rt");
		nftnl_expr_set_u32(e, NFTNL_EXPR_RT_KEY, NFT_RT_TCPMSS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_RT_DREG, NFT_REG_1);
		add(x, e);
		e = expr_new("byteorder");
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 2);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 2);
		add(x, e);
	}
	e = expr_new("exthdr");
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_SREG, NFT_REG_1);
	nftnl_expr_set_u8(e, NFTNL_EXPR_EXTHDR_TYPE, 2);	/* TCPOPT_MAXSEG */
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OFFSET, 2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_LEN, 2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OP, NFT_EXTHDR_OP_TCPOPT);
	add(x, e);
}

static void reject(struct ectx *x, enum nft_reject how)
{
	struct nftnl_expr *e = expr_new("reject");
	uint8_t code;

	if (how == NFT_REJ_TCP_RESET) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_TCP_RST);
		code = 0;
	} else {
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMP_UNREACH);
		if (how == NFT_REJ_PORT_UNREACH)
			code = x->v6 ? 4 : 3;	/* ICMPV6_PORT_UNREACH, ICMP_PORT_UNREACH */
		else
			code = x->v6 ? 1 : 13;	/* ICMPV6_ADM_PROHIBITED, ICMP_PKT_FILTERED */
	}
	nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, code);
	add(x, e);
}

static void objref(struct ectx *x, uint32_t type, const char *name)
{
	struct nftnl_expr *e = expr_new("objref");

	nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, type);
	nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name);
	add(x, e);
}

/*
 * update @set { ip saddr limit ... }: the source (IPv6: its /64) as the
 * key of a dynamic set whose elements each carry a limit, as nft emits it.
 */
static void meter(struct ectx *x, const struct nft_stmt *s, uint64_t unit_secs)
{
	static const uint8_t mask64[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	const struct nft_set *set = &x->t->sets[s->set];
	struct nftnl_expr *e = expr_new("dynset"), *l = expr_new("limit");

	if (x->v6) {
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, NFT_REG_1);
		bitwise(x, mask64, NULL, 16);
	} else {
		payload(x, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
	}
	nftnl_expr_set_u64(l, NFTNL_EXPR_LIMIT_RATE, s->a);
	nftnl_expr_set_u64(l, NFTNL_EXPR_LIMIT_UNIT, unit_secs);
	nftnl_expr_set_u32(l, NFTNL_EXPR_LIMIT_BURST, s->burst);
	nftnl_expr_set_u32(l, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(l, NFTNL_EXPR_LIMIT_FLAGS, 0);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, set->name);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID, x->set_ids[s->set]);
	nftnl_expr_set(e, NFTNL_EXPR_DYNSET_EXPR, l, 0);
	add(x, e);
}

static void build_stmt(struct ectx *x, const struct nft_stmt *s)
{
	static const uint64_t unit_secs[] = {
		[IR_PER_SECOND] = 1, [IR_PER_MINUTE] = 60, [IR_PER_HOUR] = 3600};
	struct nftnl_expr *e;
	uint8_t addr[4], port[2];
	uint32_t mask, bits;

	switch (s->kind) {
	case NFT_S_COUNTER:
		e = expr_new("counter");
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 0);
		nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 0);
		add(x, e);
		return;
	case NFT_S_LIMIT:
		e = expr_new("limit");
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, s->a);
		nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, unit_secs[s->unit]);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, s->burst);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
		add(x, e);
		return;
	case NFT_S_LOG:
		e = expr_new("log");
		nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, s->str);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_LEVEL, s->level);
		add(x, e);
		return;
	case NFT_S_ACCEPT:
		verdict(x, NF_ACCEPT);
		return;
	case NFT_S_DROP:
		verdict(x, NF_DROP);
		return;
	case NFT_S_REJECT:
		reject(x, s->reject);
		return;
	case NFT_S_DNAT:
	case NFT_S_SNAT:
		put_be32(addr, s->a);
		immediate(x, NFT_REG_1, addr, 4);
		if (s->port) {
			put_be16(port, s->port);
			immediate(x, NFT_REG_2, port, 2);
		}
		nat(x, s->kind == NFT_S_DNAT ? NFT_NAT_DNAT : NFT_NAT_SNAT, s->port, NFT_REG_2);
		return;
	case NFT_S_DNAT_MAP:
		meta(x, NFT_META_L4PROTO, NFT_REG_1);
		payload(x, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01);
		lookup(x, s->set, false, true);
		nat(x, NFT_NAT_DNAT, true, NFT_REG32_01);
		return;
	case NFT_S_MASQ:
		add(x, expr_new("masq"));
		return;
	case NFT_S_CT_HELPER:
		objref(x, NFT_OBJECT_CT_HELPER, s->str);
		return;
	case NFT_S_CT_TIMEOUT:
		objref(x, NFT_OBJECT_CT_TIMEOUT, s->str);
		return;
	case NFT_S_MSS:
		tcp_mss(x, s->port);
		return;
	case NFT_S_CT_MARK_WAN:
		ct_mark_masked(x, ~IR_WAN_MASK, s->a);
		mark_store(x, true);
		return;
	case NFT_S_METER:
		meter(x, s, unit_secs[s->unit]);
		return;
	case NFT_S_MARK_WAN:
		ct_mark_masked(x, IR_WAN_MASK, 0);
		mark_store(x, false);
		return;
	case NFT_S_CT_MARK_UPNP:
		ct_mark_masked(x, ~IR_UPNP_MARK, IR_UPNP_MARK);
		mark_store(x, true);
		return;
	case NFT_S_MARK_UPNP_SET:
	case NFT_S_MARK_UPNP_CLEAR:
		meta(x, NFT_META_MARK, NFT_REG_1);
		mask = ~IR_UPNP_MARK;
		bits = s->kind == NFT_S_MARK_UPNP_SET ? IR_UPNP_MARK : 0;
		bitwise(x, &mask, &bits, sizeof(mask));
		mark_store(x, false);
		return;
	case NFT_S_JUMP:
		e = expr_new("immediate");
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)NFT_JUMP);
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, s->str);
		add(x, e);
		return;
	}
}

void nft_build_exprs(struct nftnl_rule *nr, const struct nft_table *t, const struct nft_rule *r,
		     bool v6, const uint32_t *set_ids)
{
	struct ectx x = {.nr = nr, .t = t, .set_ids = set_ids, .v6 = v6};
	size_t i;

	for (i = 0; i < r->n_m; i++)
		build_match(&x, &r->m[i]);
	for (i = 0; i < r->n_s; i++)
		build_stmt(&x, &r->s[i]);
}
