// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_dump_expr.c - a loaded rule's expressions back into the model's
 * matches and statements (nft_dump.h): each shape nft_build_expr.c emits
 * is recognized here, and nothing else is accepted.
 */
#include "nft_build.h"
#include "nft_dump.h"
#include "nft_model.h"
#include "util.h"

#include <stdio.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

/* The expressions of one rule, and where the decoder is. */
struct dx {
	struct nft_table *t;
	struct nft_rule *r;
	bool v6;
	char *const *set_names;
	struct nftnl_expr **e;
	size_t n, cap, i;
	uint8_t dep;	/* the protocol of the last `meta l4proto` dependency */
};

static const char *ename(const struct dx *x, size_t i)
{
	return i < x->n ? nftnl_expr_get_str(x->e[i], NFTNL_EXPR_NAME) : "";
}

static bool is(const struct dx *x, size_t i, const char *name)
{
	return strcmp(ename(x, i), name) == 0;
}

static uint32_t u32(const struct dx *x, size_t i, uint16_t attr)
{
	return nftnl_expr_get_u32(x->e[i], attr);
}

static const uint8_t *bytes(const struct dx *x, size_t i, uint16_t attr, uint32_t *len)
{
	const uint8_t *p = nftnl_expr_get(x->e[i], attr, len);

	if (!p)
		*len = 0;
	return p;
}

static uint32_t be_val(const uint8_t *p, uint32_t len)
{
	if (len == 4)
		return get_be32(p);
	if (len == 2)
		return get_be16(p);
	return len ? p[0] : 0;
}

/* The table's set that the kernel calls @name, or SIZE_MAX. */
static size_t set_ref(const struct dx *x, const char *name)
{
	size_t i;

	for (i = 0; name && i < x->t->n_sets; i++)
		if (x->set_names[i] && strcmp(x->set_names[i], name) == 0)
			return i;
	return SIZE_MAX;
}

/* A lookup at x->i into @m (not a map lookup). */
static int dec_lookup(struct dx *x, struct nft_match *m)
{
	if (!is(x, x->i, "lookup") || nftnl_expr_is_set(x->e[x->i], NFTNL_EXPR_LOOKUP_DREG))
		return -1;
	m->val = NFT_V_SET;
	m->set = set_ref(x, nftnl_expr_get_str(x->e[x->i], NFTNL_EXPR_LOOKUP_SET));
	m->neg = u32(x, x->i, NFTNL_EXPR_LOOKUP_FLAGS) & NFT_LOOKUP_F_INV;
	x->i++;
	if (m->set == SIZE_MAX)
		return -1;
	if (!x->t->sets[m->set].name)
		x->t->sets[m->set].sel = m->sel;
	return 0;
}

/* A value, range or set test of the @len bytes in register 1 (value_match()). */
static int dec_value(struct dx *x, struct nft_match *m, uint32_t len)
{
	const uint8_t *lo, *hi;
	uint32_t l1, l2, op;

	if (is(x, x->i, "lookup"))
		return dec_lookup(x, m);
	if (is(x, x->i, "range")) {
		lo = bytes(x, x->i, NFTNL_EXPR_RANGE_FROM_DATA, &l1);
		hi = bytes(x, x->i, NFTNL_EXPR_RANGE_TO_DATA, &l2);
		if (l1 != len || l2 != len)
			return -1;
		m->val = NFT_V_RANGE;
		m->neg = u32(x, x->i, NFTNL_EXPR_RANGE_OP) == NFT_RANGE_NEQ;
		m->lo = be_val(lo, len);
		m->hi = be_val(hi, len);
		x->i++;
		return 0;
	}
	if (!is(x, x->i, "cmp"))
		return -1;
	op = u32(x, x->i, NFTNL_EXPR_CMP_OP);
	lo = bytes(x, x->i, NFTNL_EXPR_CMP_DATA, &l1);
	if (l1 != len)
		return -1;
	if (op == NFT_CMP_GTE && is(x, x->i + 1, "cmp") &&
	    u32(x, x->i + 1, NFTNL_EXPR_CMP_OP) == NFT_CMP_LTE) {
		hi = bytes(x, x->i + 1, NFTNL_EXPR_CMP_DATA, &l2);
		if (l2 != len)
			return -1;
		m->val = NFT_V_RANGE;
		m->lo = be_val(lo, len);
		m->hi = be_val(hi, len);
		x->i += 2;
		return 0;
	}
	if (op != NFT_CMP_EQ && op != NFT_CMP_NEQ)
		return -1;
	m->val = NFT_V_EQ;
	m->neg = op == NFT_CMP_NEQ;
	m->lo = m->hi = be_val(lo, len);
	x->i++;
	return 0;
}

/* `& mask != 0` at x->i: the mask's first @len bytes as a number (host order). */
static int dec_flag_test(struct dx *x, uint32_t *mask, uint32_t len)
{
	const uint8_t *p;
	uint32_t l;

	if (!is(x, x->i, "bitwise") || !is(x, x->i + 1, "cmp") ||
	    u32(x, x->i + 1, NFTNL_EXPR_CMP_OP) != NFT_CMP_NEQ)
		return -1;
	p = bytes(x, x->i, NFTNL_EXPR_BITWISE_MASK, &l);
	if (l != len || len > sizeof(*mask))
		return -1;
	*mask = 0;
	memcpy(mask, p, len);
	x->i += 2;
	return 0;
}

static struct nft_match *new_match(struct dx *x, enum nft_sel sel)
{
	return nft_match_add(x->r, sel, NFT_V_NONE);
}

/* An interface name compared after the load at x->i (meta or fib): match @sel. */
static int dec_ifname(struct dx *x, enum nft_sel sel)
{
	struct nft_match *m = new_match(x, sel);
	const uint8_t *p;
	uint32_t op, len;
	char *name;

	x->i++;
	if (!is(x, x->i, "cmp"))
		return -1;
	op = u32(x, x->i, NFTNL_EXPR_CMP_OP);
	p = bytes(x, x->i, NFTNL_EXPR_CMP_DATA, &len);
	if ((op != NFT_CMP_EQ && op != NFT_CMP_NEQ) || len > IFNAMSIZ)
		return -1;
	m->val = NFT_V_EQ;
	m->neg = op == NFT_CMP_NEQ;
	if (len == IFNAMSIZ)
		name = xstrndup((const char *)p, strnlen((const char *)p, len));
	else
		name = xasprintf("%.*s+", (int)len, (const char *)p);
	m->ifname = nft_table_str(x->t, name);
	free(name);
	x->i++;
	return 0;
}

/* The address, port and original port of a forward admission start at @i. */
static bool admit_at(const struct dx *x, size_t i)
{
	return is(x, i, "payload") && is(x, i + 1, "payload") && is(x, i + 2, "ct") &&
	       u32(x, i, NFTNL_EXPR_PAYLOAD_BASE) == NFT_PAYLOAD_NETWORK_HEADER &&
	       u32(x, i + 1, NFTNL_EXPR_PAYLOAD_DREG) == NFT_REG32_01 &&
	       u32(x, i + 2, NFTNL_EXPR_CT_KEY) == NFT_CT_PROTO_DST;
}

/* The transport field a `meta l4proto` dependency guards follows at @i. */
static bool transport_at(const struct dx *x, size_t i)
{
	return (is(x, i, "payload") &&
		u32(x, i, NFTNL_EXPR_PAYLOAD_BASE) == NFT_PAYLOAD_TRANSPORT_HEADER &&
		u32(x, i, NFTNL_EXPR_PAYLOAD_DREG) == NFT_REG_1) ||
	       admit_at(x, i);
}

/* `dnat ip to meta l4proto . th dport map M` from its `meta l4proto` (x->i). */
static int dec_dnat_map(struct dx *x)
{
	struct nft_stmt *s;
	size_t set;

	if (!is(x, x->i + 1, "payload") || !is(x, x->i + 2, "lookup") || !is(x, x->i + 3, "nat"))
		return -1;
	set = set_ref(x, nftnl_expr_get_str(x->e[x->i + 2], NFTNL_EXPR_LOOKUP_SET));
	if (set == SIZE_MAX || u32(x, x->i + 3, NFTNL_EXPR_NAT_TYPE) != NFT_NAT_DNAT)
		return -1;
	s = nft_stmt_add(x->r, NFT_S_DNAT_MAP);
	s->set = set;
	x->i += 4;
	return 0;
}

static int dec_meta(struct dx *x)
{
	uint32_t key = u32(x, x->i, NFTNL_EXPR_META_KEY), len;
	struct nft_match *m;
	const uint8_t *p;

	if (key == NFT_META_IIFNAME || key == NFT_META_OIFNAME)
		return dec_ifname(x, key == NFT_META_IIFNAME ? NFT_SEL_IIFNAME : NFT_SEL_OIFNAME);
	if (key == NFT_META_MARK) {
		x->i++;
		if (dec_flag_test(x, &len, 4) < 0 || len != IR_UPNP_MARK)
			return -1;
		new_match(x, NFT_SEL_MARK_UPNP);
		return 0;
	}
	if (key != NFT_META_L4PROTO || u32(x, x->i, NFTNL_EXPR_META_DREG) != NFT_REG_1)
		return -1;
	if (is(x, x->i + 1, "payload") &&
	    u32(x, x->i + 1, NFTNL_EXPR_PAYLOAD_DREG) == NFT_REG32_01)
		return dec_dnat_map(x);
	if (is(x, x->i + 1, "cmp") && u32(x, x->i + 1, NFTNL_EXPR_CMP_OP) == NFT_CMP_EQ &&
	    transport_at(x, x->i + 2)) {
		p = bytes(x, x->i + 1, NFTNL_EXPR_CMP_DATA, &len);
		if (len != 1)
			return -1;
		x->dep = p[0];
		x->i += 2;
		return 0;
	}
	x->i++;
	m = new_match(x, NFT_SEL_L4PROTO);
	if (dec_value(x, m, 1) < 0)
		return -1;
	if (m->val == NFT_V_EQ && !m->neg)
		x->dep = (uint8_t)m->lo;
	return 0;
}

/* ip saddr/daddr (addr_match()), or the concatenated target lookups. */
static int dec_addr(struct dx *x, uint32_t off, uint32_t len)
{
	struct nft_match *m;
	const uint8_t *p;
	uint32_t l, mask, bits;

	if (admit_at(x, x->i) && (x->dep == IR_P_TCP || x->dep == IR_P_UDP)) {
		m = new_match(x, x->dep == IR_P_TCP ? NFT_SEL_ADMIT_TCP : NFT_SEL_ADMIT_UDP);
		x->i += 3;
		return dec_lookup(x, m);
	}
	if (off == 16 && len == 4 && is(x, x->i + 1, "meta") &&
	    u32(x, x->i + 1, NFTNL_EXPR_META_DREG) == NFT_REG32_01) {
		bool port = is(x, x->i + 2, "payload");

		m = new_match(x, port ? NFT_SEL_TARGET : NFT_SEL_PROTO_TARGET);
		x->i += port ? 3 : 2;
		return dec_lookup(x, m);
	}
	m = new_match(x, off == 12 ? NFT_SEL_SADDR : NFT_SEL_DADDR);
	x->i++;
	if (len == 4 && !is(x, x->i, "bitwise"))
		return dec_value(x, m, 4);
	if (len == 4) {
		p = bytes(x, x->i, NFTNL_EXPR_BITWISE_MASK, &l);
		if (l != 4)
			return -1;
		mask = get_be32(p);
		x->i++;
	} else {
		mask = len ? ~0u << (32 - 8 * len) : 0;
	}
	if (!is(x, x->i, "cmp"))
		return -1;
	p = bytes(x, x->i, NFTNL_EXPR_CMP_DATA, &l);
	if (l != len)
		return -1;
	bits = 0;
	memcpy(&bits, p, len);
	m->val = NFT_V_RANGE;
	m->neg = u32(x, x->i, NFTNL_EXPR_CMP_OP) == NFT_CMP_NEQ;
	m->lo = get_be32((const uint8_t *)&bits) & mask;
	m->hi = m->lo | ~mask;
	x->i++;
	return 0;
}

/* @len (at most 16) bytes at @p as the top bytes of an IPv6 address. */
static ir_u128 be_addr6(const uint8_t *p, uint32_t len)
{
	uint8_t b[16] = {0};

	memcpy(b, p, len < sizeof(b) ? len : sizeof(b));
	return ir_ip6_of_bytes(b);
}

/* The 16-byte address range or value test after an ip6 address load (addr6_match()). */
static int dec_addr6_value(struct dx *x, struct nft_match *m, uint32_t len)
{
	const uint8_t *lo, *hi;
	ir_u128 mask = len < 16 ? ~(~(ir_u128)0 >> (8 * len)) : ~(ir_u128)0;
	uint32_t l1, l2, op;

	if (len == 16 && is(x, x->i, "bitwise")) {
		lo = bytes(x, x->i, NFTNL_EXPR_BITWISE_MASK, &l1);
		if (l1 != 16)
			return -1;
		mask = be_addr6(lo, 16);
		x->i++;
	}
	/* several identifiers under one mask: a lookup of the masked address */
	if (len == 16 && mask != ~(ir_u128)0 && is(x, x->i, "lookup")) {
		m->mask6 = mask;
		return dec_lookup(x, m);
	}
	if (len == 16 && mask == ~(ir_u128)0 && is(x, x->i, "range")) {
		lo = bytes(x, x->i, NFTNL_EXPR_RANGE_FROM_DATA, &l1);
		hi = bytes(x, x->i, NFTNL_EXPR_RANGE_TO_DATA, &l2);
		op = NFT_CMP_NEQ;
	} else if (len == 16 && mask == ~(ir_u128)0 && is(x, x->i + 1, "cmp") &&
		   u32(x, x->i, NFTNL_EXPR_CMP_OP) == NFT_CMP_GTE) {
		lo = bytes(x, x->i, NFTNL_EXPR_CMP_DATA, &l1);
		hi = bytes(x, x->i + 1, NFTNL_EXPR_CMP_DATA, &l2);
		op = NFT_CMP_EQ;
		x->i++;
	} else if (is(x, x->i, "cmp")) {
		lo = bytes(x, x->i, NFTNL_EXPR_CMP_DATA, &l1);
		hi = NULL;
		l2 = len;
		op = u32(x, x->i, NFTNL_EXPR_CMP_OP);
	} else {
		return -1;
	}
	if (l1 != len || l2 != len || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ))
		return -1;
	m->neg = op == NFT_CMP_NEQ;
	m->lo6 = be_addr6(lo, len) & mask;
	m->hi6 = hi ? be_addr6(hi, len) : m->lo6 | ~mask;
	m->val = m->lo6 == m->hi6 ? NFT_V_EQ : NFT_V_RANGE;
	/* a mask that is no prefix: an interface identifier match */
	if (~mask & (~mask + 1)) {
		m->mask6 = mask;
		m->hi6 = m->lo6;
		m->val = NFT_V_EQ;
	}
	x->i++;
	return 0;
}

/* ip6 saddr/daddr (addr6_match()), or the concatenated target lookup. */
static int dec_addr6(struct dx *x, uint32_t off, uint32_t len)
{
	struct nft_match *m;

	/* the kernel lists register 32_04, the start of register 2, as NFT_REG_2 */
	if (off == 24 && len == 16 && is(x, x->i + 1, "meta") &&
	    (u32(x, x->i + 1, NFTNL_EXPR_META_DREG) == NFT_REG_2 ||
	     u32(x, x->i + 1, NFTNL_EXPR_META_DREG) == NFT_REG32_04) &&
	    is(x, x->i + 2, "payload")) {
		m = new_match(x, NFT_SEL_TARGET6);
		x->i += 3;
		return dec_lookup(x, m);
	}
	m = new_match(x, off == 8 ? NFT_SEL_SADDR6 : NFT_SEL_DADDR6);
	x->i++;
	if (len == 16 && is(x, x->i, "lookup"))
		return dec_lookup(x, m);
	return dec_addr6_value(x, m, len);
}

/* `ip6 saddr fe80::/10` (the DHCPv6 replies' match) at x->i: 16 bytes, mask, compare. */
static bool linklocal_at(const struct dx *x)
{
	const uint8_t *mask, *val;
	uint32_t l1, l2;

	if (!is(x, x->i + 1, "bitwise") || !is(x, x->i + 2, "cmp"))
		return false;
	mask = bytes(x, x->i + 1, NFTNL_EXPR_BITWISE_MASK, &l1);
	val = bytes(x, x->i + 2, NFTNL_EXPR_CMP_DATA, &l2);
	return l1 == 16 && l2 == 16 && be_addr6(mask, 16) == ~(~(ir_u128)0 >> 10) &&
	       be_addr6(val, 16) == (ir_u128)0xfe80 << 112 &&
	       u32(x, x->i + 2, NFTNL_EXPR_CMP_OP) == NFT_CMP_EQ;
}

/*
 * nft merges tests of adjacent fields into one load and compare: `tcp
 * sport A tcp dport B` is 4 bytes at offset 0, `ip saddr A ip daddr B` 8
 * bytes at offset 12. Split them back into the model's two matches.
 */
static int dec_merged(struct dx *x, enum nft_sel first, enum nft_sel second, uint32_t half)
{
	const uint8_t *p;
	uint32_t len;

	x->i++;
	if (!is(x, x->i, "cmp") || u32(x, x->i, NFTNL_EXPR_CMP_OP) != NFT_CMP_EQ)
		return -1;
	p = bytes(x, x->i, NFTNL_EXPR_CMP_DATA, &len);
	if (len != 2 * half)
		return -1;
	nft_match_eq(x->r, first, be_val(p, half));
	nft_match_eq(x->r, second, be_val(p + half, half));
	x->i++;
	return 0;
}

/* `ip6 saddr != :: fib saddr [. iif] oif missing` (rpf_fails()): payload, cmp, fib, cmp. */
static int dec_rpf(struct dx *x)
{
	static const uint8_t zero[16];
	uint32_t flags = u32(x, x->i + 2, NFTNL_EXPR_FIB_FLAGS), len;
	const uint8_t *p = bytes(x, x->i + 1, NFTNL_EXPR_CMP_DATA, &len);

	if (u32(x, x->i + 1, NFTNL_EXPR_CMP_OP) != NFT_CMP_NEQ || len != 16 || memcmp(p, zero, 16) ||
	    u32(x, x->i + 2, NFTNL_EXPR_FIB_RESULT) != NFT_FIB_RESULT_OIF ||
	    (flags & ~(uint32_t)NFTA_FIB_F_IIF) != (NFTA_FIB_F_SADDR | NFTA_FIB_F_PRESENT) ||
	    !is(x, x->i + 3, "cmp") || u32(x, x->i + 3, NFTNL_EXPR_CMP_OP) != NFT_CMP_EQ)
		return -1;
	p = bytes(x, x->i + 3, NFTNL_EXPR_CMP_DATA, &len);
	if (len != 4 || memcmp(p, zero, 4))
		return -1;
	x->i += 4;
	new_match(x, flags & NFTA_FIB_F_IIF ? NFT_SEL_RPF_STRICT : NFT_SEL_RPF_LOOSE);
	return 0;
}

static int dec_payload(struct dx *x)
{
	uint32_t base = u32(x, x->i, NFTNL_EXPR_PAYLOAD_BASE);
	uint32_t off = u32(x, x->i, NFTNL_EXPR_PAYLOAD_OFFSET);
	uint32_t len = u32(x, x->i, NFTNL_EXPR_PAYLOAD_LEN), mask;
	bool tcp = x->dep == IR_P_TCP;

	if (base == NFT_PAYLOAD_NETWORK_HEADER && x->v6 && off == 8 && len == 16 &&
	    is(x, x->i + 1, "cmp") && is(x, x->i + 2, "fib"))
		return dec_rpf(x);
	if (base == NFT_PAYLOAD_NETWORK_HEADER && x->v6 && off == 8 && len == 16 &&
	    linklocal_at(x)) {
		x->i += 3;
		new_match(x, NFT_SEL_IP6_LINKLOCAL);
		return 0;
	}
	if (base == NFT_PAYLOAD_NETWORK_HEADER && x->v6 && (off == 8 || off == 24) && len &&
	    len <= 16)
		return dec_addr6(x, off, len);
	if (base == NFT_PAYLOAD_NETWORK_HEADER && !x->v6 && off == 12 && len == 8)
		return dec_merged(x, NFT_SEL_SADDR, NFT_SEL_DADDR, 4);
	if (base == NFT_PAYLOAD_NETWORK_HEADER && !x->v6 && (off == 12 || off == 16) && len <= 4)
		return dec_addr(x, off, len);
	if (base != NFT_PAYLOAD_TRANSPORT_HEADER)
		return -1;
	if (len == 4 && off == 0 && (tcp || x->dep == IR_P_UDP))
		return dec_merged(x, tcp ? NFT_SEL_TCP_SPORT : NFT_SEL_UDP_SPORT,
				  tcp ? NFT_SEL_TCP_DPORT : NFT_SEL_UDP_DPORT, 2);
	x->i++;
	if (len == 2 && (off == 0 || off == 2) && (tcp || x->dep == IR_P_UDP)) {
		enum nft_sel sel = off == 2 ? (tcp ? NFT_SEL_TCP_DPORT : NFT_SEL_UDP_DPORT)
					    : (tcp ? NFT_SEL_TCP_SPORT : NFT_SEL_UDP_SPORT);

		return dec_value(x, new_match(x, sel), 2);
	}
	if (len == 1 && off == 0 && (x->dep == IR_P_ICMP || x->dep == IR_P_ICMPV6))
		return dec_value(x, new_match(x, x->dep == IR_P_ICMP ? NFT_SEL_ICMP_TYPE
								    : NFT_SEL_ICMPV6_TYPE), 1);
	if (len == 1 && off == 13 && tcp && dec_flag_test(x, &mask, 1) == 0) {
		new_match(x, NFT_SEL_TCP_SYN);
		return 0;
	}
	return -1;
}

/*
 * The connection mark through `& mask ^ xor` into the connection mark
 * (`ct mark set ct mark & 0xfff0ffff | N`) or the packet mark (`meta mark
 * set ct mark & 0x000f0000`), x->i at the bitwise.
 */
static int dec_mark_set(struct dx *x)
{
	const uint8_t *mask, *xor;
	uint32_t ml, xl, m = 0, v = 0;

	mask = bytes(x, x->i, NFTNL_EXPR_BITWISE_MASK, &ml);
	xor = bytes(x, x->i, NFTNL_EXPR_BITWISE_XOR, &xl);
	if (ml != 4 || xl != 4)
		return -1;
	memcpy(&m, mask, 4);
	memcpy(&v, xor, 4);
	if (is(x, x->i + 1, "ct") && u32(x, x->i + 1, NFTNL_EXPR_CT_KEY) == NFT_CT_MARK &&
	    nftnl_expr_is_set(x->e[x->i + 1], NFTNL_EXPR_CT_SREG) && m == ~IR_WAN_MASK &&
	    (v & ~IR_WAN_MASK) == 0) {
		nft_stmt_add(x->r, NFT_S_CT_MARK_WAN)->a = v;
	} else if (is(x, x->i + 1, "ct") && u32(x, x->i + 1, NFTNL_EXPR_CT_KEY) == NFT_CT_MARK &&
		   nftnl_expr_is_set(x->e[x->i + 1], NFTNL_EXPR_CT_SREG) && m == ~IR_UPNP_MARK &&
		   v == IR_UPNP_MARK) {
		nft_stmt_add(x->r, NFT_S_CT_MARK_UPNP);
	} else if (is(x, x->i + 1, "meta") &&
		   u32(x, x->i + 1, NFTNL_EXPR_META_KEY) == NFT_META_MARK &&
		   nftnl_expr_is_set(x->e[x->i + 1], NFTNL_EXPR_META_SREG) && m == IR_WAN_MASK &&
		   v == 0) {
		nft_stmt_add(x->r, NFT_S_MARK_WAN);
	} else {
		return -1;
	}
	x->i += 2;
	return 0;
}

static int dec_ct(struct dx *x)
{
	uint32_t key = u32(x, x->i, NFTNL_EXPR_CT_KEY), mask, bits = 0;

	x->i++;
	if (key == NFT_CT_MARK && is(x, x->i, "bitwise") && !is(x, x->i + 1, "cmp"))
		return dec_mark_set(x);
	if (dec_flag_test(x, &mask, 4) < 0)
		return -1;
	if (key == NFT_CT_STATUS) {
		new_match(x, NFT_SEL_CT_DNAT);
		return 0;
	}
	if (key == NFT_CT_MARK) {
		if (mask != IR_WAN_MASK)
			return -1;
		new_match(x, NFT_SEL_CT_MARK_WAN);
		return 0;
	}
	if (key != NFT_CT_STATE)
		return -1;
	if (mask & NF_CT_STATE_BIT(IP_CT_NEW))
		bits |= IR_CT_NEW;
	if (mask & NF_CT_STATE_BIT(IP_CT_ESTABLISHED))
		bits |= IR_CT_ESTABLISHED;
	if (mask & NF_CT_STATE_BIT(IP_CT_RELATED))
		bits |= IR_CT_RELATED;
	if (mask & NF_CT_STATE_INVALID_BIT)
		bits |= IR_CT_INVALID;
	nft_match_add(x->r, NFT_SEL_CT_STATE, NFT_V_EQ)->lo = bits;
	return 0;
}

static int dec_fib(struct dx *x)
{
	bool iif = u32(x, x->i, NFTNL_EXPR_FIB_FLAGS) & NFTA_FIB_F_IIF;

	if (u32(x, x->i, NFTNL_EXPR_FIB_RESULT) == NFT_FIB_RESULT_OIFNAME)
		return dec_ifname(x, NFT_SEL_FIB_OIFNAME);
	if (!is(x, x->i + 1, "cmp"))
		return -1;
	x->i += 2;
	new_match(x, iif ? NFT_SEL_FIB_LOCAL_IIF : NFT_SEL_FIB_LOCAL);
	return 0;
}

/* `dnat to A[:P]`, `snat to A`, or the MSS value: an immediate into register 1. */
static int dec_immediate(struct dx *x)
{
	uint32_t dreg = u32(x, x->i, NFTNL_EXPR_IMM_DREG), len, plen = 0, type;
	const uint8_t *p, *port = NULL;
	struct nft_stmt *s;

	if (dreg == NFT_REG_VERDICT) {
		uint32_t v = u32(x, x->i, NFTNL_EXPR_IMM_VERDICT);

		if (v != NF_ACCEPT && v != NF_DROP)
			return -1;
		nft_stmt_add(x->r, v == NF_ACCEPT ? NFT_S_ACCEPT : NFT_S_DROP);
		x->i++;
		return 0;
	}
	p = bytes(x, x->i, NFTNL_EXPR_IMM_DATA, &len);
	if (dreg != NFT_REG_1)
		return -1;
	if (len == 2 && is(x, x->i + 1, "exthdr")) {
		nft_stmt_add(x->r, NFT_S_MSS)->port = get_be16(p);
		x->i += 2;
		return 0;
	}
	if (len != 4)
		return -1;
	x->i++;
	if (is(x, x->i, "immediate") && u32(x, x->i, NFTNL_EXPR_IMM_DREG) == NFT_REG_2) {
		port = bytes(x, x->i, NFTNL_EXPR_IMM_DATA, &plen);
		if (plen != 2)
			return -1;
		x->i++;
	}
	if (!is(x, x->i, "nat"))
		return -1;
	type = u32(x, x->i, NFTNL_EXPR_NAT_TYPE);
	s = nft_stmt_add(x->r, type == NFT_NAT_DNAT ? NFT_S_DNAT : NFT_S_SNAT);
	s->a = get_be32(p);
	s->port = port ? get_be16(port) : 0;
	x->i++;
	return 0;
}

static int dec_limit(struct dx *x)
{
	uint64_t unit = nftnl_expr_get_u64(x->e[x->i], NFTNL_EXPR_LIMIT_UNIT);
	struct nft_stmt *s = nft_stmt_add(x->r, NFT_S_LIMIT);

	s->a = (uint32_t)nftnl_expr_get_u64(x->e[x->i], NFTNL_EXPR_LIMIT_RATE);
	s->burst = nftnl_expr_get_u32(x->e[x->i], NFTNL_EXPR_LIMIT_BURST);
	if (unit == 1)
		s->unit = IR_PER_SECOND;
	else if (unit == 60)
		s->unit = IR_PER_MINUTE;
	else if (unit == 3600)
		s->unit = IR_PER_HOUR;
	else
		return -1;
	x->i++;
	return 0;
}

/* Does the statement at @i read the source (IPv6: its /64) for a meter? */
static bool is_meter(struct dx *x, size_t i)
{
	return is(x, i, "payload") &&
	       (is(x, i + 1, "dynset") || (is(x, i + 1, "bitwise") && is(x, i + 2, "dynset")));
}

/* update @set { ip saddr limit ... } (nft_build_expr.c's meter()). */
static int dec_meter(struct dx *x)
{
	const struct nftnl_expr *d, *l;
	struct nft_stmt *s;
	uint32_t len;
	uint64_t unit;

	x->i += is(x, x->i + 1, "bitwise") ? 2 : 1;
	d = x->e[x->i];
	l = nftnl_expr_get(d, NFTNL_EXPR_DYNSET_EXPR, &len);
	if (!l || strcmp(nftnl_expr_get_str(l, NFTNL_EXPR_NAME), "limit") != 0 ||
	    u32(x, x->i, NFTNL_EXPR_DYNSET_OP) != NFT_DYNSET_OP_UPDATE)
		return -1;
	s = nft_stmt_add(x->r, NFT_S_METER);
	s->set = set_ref(x, nftnl_expr_get_str(d, NFTNL_EXPR_DYNSET_SET_NAME));
	s->a = (uint32_t)nftnl_expr_get_u64(l, NFTNL_EXPR_LIMIT_RATE);
	s->burst = nftnl_expr_get_u32(l, NFTNL_EXPR_LIMIT_BURST);
	unit = nftnl_expr_get_u64(l, NFTNL_EXPR_LIMIT_UNIT);
	s->unit = unit == 1 ? IR_PER_SECOND : unit == 60 ? IR_PER_MINUTE : IR_PER_HOUR;
	x->i++;
	return s->set == SIZE_MAX || (unit != 1 && unit != 60 && unit != 3600) ? -1 : 0;
}

static int dec_reject(struct dx *x)
{
	struct nft_stmt *s = nft_stmt_add(x->r, NFT_S_REJECT);
	uint8_t code = nftnl_expr_get_u8(x->e[x->i], NFTNL_EXPR_REJECT_CODE);

	if (u32(x, x->i, NFTNL_EXPR_REJECT_TYPE) == NFT_REJECT_TCP_RST)
		s->reject = NFT_REJ_TCP_RESET;
	else if (code == (x->v6 ? 4 : 3))
		s->reject = NFT_REJ_PORT_UNREACH;
	else
		s->reject = NFT_REJ_ADMIN_PROHIB;
	x->i++;
	return 0;
}

static int dec_stmt(struct dx *x)
{
	const char *name = ename(x, x->i);
	struct nft_stmt *s;
	uint32_t type;

	if (strcmp(name, "counter") == 0) {
		s = nft_stmt_add(x->r, NFT_S_COUNTER);
		s->packets = nftnl_expr_get_u64(x->e[x->i], NFTNL_EXPR_CTR_PACKETS);
		s->bytes = nftnl_expr_get_u64(x->e[x->i], NFTNL_EXPR_CTR_BYTES);
	} else if (strcmp(name, "limit") == 0) {
		return dec_limit(x);
	} else if (strcmp(name, "log") == 0) {
		s = nft_stmt_add(x->r, NFT_S_LOG);
		s->str = nft_table_str(x->t, nftnl_expr_get_str(x->e[x->i], NFTNL_EXPR_LOG_PREFIX));
		s->level = u32(x, x->i, NFTNL_EXPR_LOG_LEVEL);
	} else if (strcmp(name, "immediate") == 0) {
		return dec_immediate(x);
	} else if (strcmp(name, "reject") == 0) {
		return dec_reject(x);
	} else if (strcmp(name, "masq") == 0) {
		nft_stmt_add(x->r, NFT_S_MASQ);
	} else if (strcmp(name, "objref") == 0) {
		type = u32(x, x->i, NFTNL_EXPR_OBJREF_IMM_TYPE);
		if (type != NFT_OBJECT_CT_HELPER && type != NFT_OBJECT_CT_TIMEOUT)
			return -1;
		s = nft_stmt_add(x->r, type == NFT_OBJECT_CT_HELPER ? NFT_S_CT_HELPER
								   : NFT_S_CT_TIMEOUT);
		s->str = nft_table_str(x->t,
				       nftnl_expr_get_str(x->e[x->i], NFTNL_EXPR_OBJREF_IMM_NAME));
	} else if (strcmp(name, "rt") == 0) {
		if (!is(x, x->i + 1, "byteorder") || !is(x, x->i + 2, "exthdr"))
			return -1;
		nft_stmt_add(x->r, NFT_S_MSS);
		x->i += 3;
		return 0;
	} else {
		return -1;
	}
	x->i++;
	return 0;
}

static int collect(struct nftnl_expr *e, void *data)
{
	struct dx *x = data;

	*VEC_PUSH(x->e, x->n, x->cap) = e;
	return 0;
}

int nft_dump_rule(struct nft_table *t, struct nft_rule *r, const struct nftnl_rule *nr, bool v6,
		  char *const *set_names)
{
	struct dx x = {.t = t, .r = r, .v6 = v6, .set_names = set_names};
	int rc = 0;

	nftnl_expr_foreach((struct nftnl_rule *)nr, collect, &x);
	while (rc == 0 && x.i < x.n) {
		const char *name = ename(&x, x.i);

		if (is_meter(&x, x.i))
			rc = dec_meter(&x);
		else if (r->n_s == 0 && strcmp(name, "meta") == 0)
			rc = dec_meta(&x);
		else if (r->n_s == 0 && strcmp(name, "payload") == 0)
			rc = dec_payload(&x);
		else if (r->n_s == 0 && strcmp(name, "ct") == 0)
			rc = dec_ct(&x);
		else if (r->n_s == 0 && strcmp(name, "fib") == 0)
			rc = dec_fib(&x);
		else
			rc = dec_stmt(&x);
	}
	free(x.e);
	return rc;
}
