// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_build.c - the model as netlink messages in a batch (`apply`,
 * `check --kernel`): libnftnl tables, objects, sets, elements, chains and
 * rules.
 *
 * The messages say exactly what nft itself sends for the text nft_text.c
 * prints, so `nft list` shows the same ruleset either way: the same
 * expressions in the same order (nft_build_expr.c), set key types and the
 * set user data nft reads back (byte order, and for anonymous sets the
 * expression they were made for), comments in nft's user data format.
 */
#include "nft.h"
#include "nft_build.h"
#include "nft_model.h"
#include "util.h"

#include <endian.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert((int)NFT_TO_MAX == (int)NFTNL_CTTIMEOUT_ARRAY_MAX, "ct timeout array size");

#define TABLE_NAME "masqgen"
/* Room left for one element's attributes when filling a 64 KiB message. */
#define ELEM_MSG_MAX (64 * 1024 - 1024)

/* nft's byte order numbers, expression ids and protocol descriptions in set user data. */
enum {
	BO_INVALID = 0,
	BO_BIG_ENDIAN = 2,
	UD_EXPR_PAYLOAD = 7,
	UD_EXPR_META = 9,
	UD_EXPR_CONCAT = 13,
	DESC_ICMP = 4,
	DESC_UDP = 6,
	DESC_TCP = 8,
	DESC_TH = 11,
	DESC_IP = 12,
	DESC_IP6 = 13,
	DESC_ICMPV6 = 14,
};

static const int families[NFT_FAM_COUNT] = {NFPROTO_IPV4, NFPROTO_IPV6};

struct build {
	struct nft_batch *b;
	int family;
	const char *table;	/* NULL: masqgen's own (TABLE_NAME) */
	uint32_t set_id;
	/* netlink set ids of the model's sets (0: not created yet) */
	uint32_t *ids;
};

static const char *table_name(const struct build *bd)
{
	return bd->table ? bd->table : TABLE_NAME;
}

static void next_msg(struct build *bd, const struct loc *loc)
{
	nft_batch_next(bd->b, loc);
}

static struct nlmsghdr *msg_hdr(struct build *bd, uint16_t type, uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(nft_batch_buf(bd->b), type, (uint16_t)bd->family, flags,
				     nft_batch_seq(bd->b));
}

static void build_table(struct build *bd, uint16_t type, uint16_t flags)
{
	struct nftnl_table *t = xnonnull(nftnl_table_alloc());
	struct nlmsghdr *nlh;

	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, (uint32_t)bd->family);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table_name(bd));
	nlh = msg_hdr(bd, type, flags);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	next_msg(bd, NULL);
}

static void build_objects(struct build *bd, const struct nft_table *t)
{
	struct nlmsghdr *nlh;
	struct nftnl_obj *o;
	size_t i;

	for (i = 0; i < t->n_helpers + t->n_timeouts; i++) {
		o = xnonnull(nftnl_obj_alloc());
		nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, (uint32_t)bd->family);
		nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, TABLE_NAME);
		if (i < t->n_helpers) {
			const struct nft_helper_obj *h = &t->helpers[i];

			nftnl_obj_set_str(o, NFTNL_OBJ_NAME, h->name);
			nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_CT_HELPER);
			nftnl_obj_set_str(o, NFTNL_OBJ_CT_HELPER_NAME, h->kname);
			nftnl_obj_set_u8(o, NFTNL_OBJ_CT_HELPER_L4PROTO, h->proto);
			nftnl_obj_set_u16(o, NFTNL_OBJ_CT_HELPER_L3PROTO, (uint16_t)bd->family);
		} else {
			const struct nft_timeout_obj *to = &t->timeouts[i - t->n_helpers];

			nftnl_obj_set_str(o, NFTNL_OBJ_NAME, to->name);
			nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_CT_TIMEOUT);
			nftnl_obj_set_u8(o, NFTNL_OBJ_CT_TIMEOUT_L4PROTO, to->proto);
			nftnl_obj_set_u16(o, NFTNL_OBJ_CT_TIMEOUT_L3PROTO, (uint16_t)bd->family);
			nftnl_obj_set_data(o, NFTNL_OBJ_CT_TIMEOUT_ARRAY, to->secs,
					   sizeof(to->secs));
		}
		nlh = msg_hdr(bd, NFT_MSG_NEWOBJ, NLM_F_CREATE);
		nftnl_obj_nlmsg_build_payload(nlh, o);
		nftnl_obj_free(o);
		next_msg(bd, i < t->n_helpers ? &t->helpers[i].loc
					       : &t->timeouts[i - t->n_helpers].loc);
	}
}

/* The payload description of an anonymous set's selector, in nft's user data terms. */
static void sel_desc(enum nft_sel sel, uint32_t *desc, uint32_t *field)
{
	switch (sel) {
	case NFT_SEL_SADDR:
	case NFT_SEL_DADDR:
		*desc = DESC_IP;
		*field = sel == NFT_SEL_SADDR ? 11 : 12;
		return;
	case NFT_SEL_SADDR6:
	case NFT_SEL_DADDR6:
		*desc = DESC_IP6;
		*field = sel == NFT_SEL_SADDR6 ? 9 : 10;
		return;
	case NFT_SEL_TCP_DPORT:
	case NFT_SEL_TCP_SPORT:
		*desc = DESC_TCP;
		*field = sel == NFT_SEL_TCP_DPORT ? 2 : 1;
		return;
	case NFT_SEL_UDP_DPORT:
	case NFT_SEL_UDP_SPORT:
		*desc = DESC_UDP;
		*field = sel == NFT_SEL_UDP_DPORT ? 2 : 1;
		return;
	case NFT_SEL_ICMPV6_TYPE:
		*desc = DESC_ICMPV6;
		*field = 1;
		return;
	default:
		*desc = DESC_ICMP;
		*field = 1;
		return;
	}
}

/* A payload expression (desc, field) as set user data describes it. */
static void ud_payload(struct nftnl_udata_buf *u, uint8_t type, uint32_t desc, uint32_t field)
{
	struct nftnl_udata *nest = nftnl_udata_nest_start(u, type), *data;

	nftnl_udata_put_u32(u, NFTNL_UDATA_SET_TYPEOF_EXPR, UD_EXPR_PAYLOAD);
	data = nftnl_udata_nest_start(u, NFTNL_UDATA_SET_TYPEOF_DATA);
	nftnl_udata_put_u32(u, 0, desc);
	nftnl_udata_put_u32(u, 1, field);
	nftnl_udata_nest_end(u, data);
	nftnl_udata_nest_end(u, nest);
}

/* A concatenation nft declared by type (no member expressions). */
static void ud_typed_concat(struct nftnl_udata_buf *u, uint8_t type)
{
	struct nftnl_udata *nest = nftnl_udata_nest_start(u, type);

	nftnl_udata_put_u32(u, NFTNL_UDATA_SET_TYPEOF_EXPR, UD_EXPR_CONCAT);
	nftnl_udata_nest_end(u, nftnl_udata_nest_start(u, NFTNL_UDATA_SET_TYPEOF_DATA));
	nftnl_udata_nest_end(u, nest);
}

/* `meta l4proto . th dport`, the key of an anonymous forward map. */
static void ud_proto_port(struct nftnl_udata_buf *u)
{
	struct nftnl_udata *nest, *data, *member, *mdata;

	nest = nftnl_udata_nest_start(u, NFTNL_UDATA_SET_KEY_TYPEOF);
	nftnl_udata_put_u32(u, NFTNL_UDATA_SET_TYPEOF_EXPR, UD_EXPR_CONCAT);
	data = nftnl_udata_nest_start(u, NFTNL_UDATA_SET_TYPEOF_DATA);
	member = nftnl_udata_nest_start(u, 0);
	nftnl_udata_put_u32(u, NFTNL_UDATA_SET_TYPEOF_EXPR, UD_EXPR_META);
	mdata = nftnl_udata_nest_start(u, NFTNL_UDATA_SET_TYPEOF_DATA);
	nftnl_udata_put_u32(u, 0, NFT_META_L4PROTO);
	nftnl_udata_nest_end(u, mdata);
	nftnl_udata_nest_end(u, member);
	ud_payload(u, 1, DESC_TH, 2);
	nftnl_udata_nest_end(u, data);
	nftnl_udata_nest_end(u, nest);
}

/* The user data nft attaches to a set of this shape (how `nft list` reads it back). */
static void set_udata(struct nftnl_set *ns, const struct nft_set *s)
{
	struct nftnl_udata_buf *u = xnonnull(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));
	bool concat = s->kind >= NFT_SK_FWD_MAP;
	uint32_t desc, field;

	nftnl_udata_put_u32(u, NFTNL_UDATA_SET_KEYBYTEORDER, concat ? BO_INVALID : BO_BIG_ENDIAN);
	if (s->kind == NFT_SK_FWD_MAP)
		nftnl_udata_put_u32(u, NFTNL_UDATA_SET_DATABYTEORDER, BO_INVALID);
	if (!s->name && s->interval)
		nftnl_udata_put_u32(u, NFTNL_UDATA_SET_MERGE_ELEMENTS, 1);
	if (s->kind == NFT_SK_FWD_MAP && !s->name) {
		ud_proto_port(u);
	} else if (concat) {
		ud_typed_concat(u, NFTNL_UDATA_SET_KEY_TYPEOF);
		if (s->kind == NFT_SK_FWD_MAP)
			ud_typed_concat(u, NFTNL_UDATA_SET_DATA_TYPEOF);
	} else if (!s->name && !s->masked) {
		sel_desc(s->sel, &desc, &field);
		ud_payload(u, NFTNL_UDATA_SET_KEY_TYPEOF, desc, field);
	}
	if (s->kind == NFT_SK_FWD_MAP)
		nftnl_udata_put_u32(u, NFTNL_UDATA_SET_DATA_INTERVAL, 0);
	nftnl_set_set_data(ns, NFTNL_SET_USERDATA, nftnl_udata_buf_data(u),
			   nftnl_udata_buf_len(u));
	nftnl_udata_buf_free(u);
}

/* How many netlink elements @s becomes (interval sets: starts and ends). */
static uint32_t nl_elem_count(const struct nft_set *s)
{
	uint32_t n = 0;
	size_t i;

	if (!s->interval)
		return (uint32_t)s->n;
	for (i = 0; i < s->n; i++) {
		if (i == 0 && nft_elem_lo(s, &s->v[0]) != 0)
			n++;
		n++;
		if (nft_elem_hi(s, &s->v[i]) != nft_set_key_max(s))
			n++;
	}
	return n;
}

static struct nftnl_set *set_handle(struct build *bd, const struct nft_set *s, uint32_t id)
{
	struct nftnl_set *ns = xnonnull(nftnl_set_alloc());

	nftnl_set_set_u32(ns, NFTNL_SET_FAMILY, (uint32_t)bd->family);
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, TABLE_NAME);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, s->name ? s->name : "__set%d");
	if (id)
		nftnl_set_set_u32(ns, NFTNL_SET_ID, id);
	return ns;
}

void nft_set_key_type(enum nft_set_kind kind, uint32_t *type, uint32_t *len)
{
	switch (kind) {
	case NFT_SK_ADDR:
		*type = DT_IPADDR;
		*len = 4;
		return;
	case NFT_SK_ADDR6:
		*type = DT_IP6ADDR;
		*len = 16;
		return;
	case NFT_SK_PORT:
		*type = DT_INET_SERVICE;
		*len = 2;
		return;
	case NFT_SK_ICMP:
	case NFT_SK_ICMPV6:
		*type = kind == NFT_SK_ICMP ? DT_ICMP_TYPE : DT_ICMP6_TYPE;
		*len = 1;
		return;
	case NFT_SK_FWD_MAP:
		*type = DT_CONCAT2(DT_INET_PROTO, DT_INET_SERVICE);
		*len = 8;
		return;
	case NFT_SK_TARGET:
		*type = DT_CONCAT3(DT_IPADDR, DT_INET_PROTO, DT_INET_SERVICE);
		*len = 12;
		return;
	case NFT_SK_PROTO_TARGET:
		*type = DT_CONCAT2(DT_IPADDR, DT_INET_PROTO);
		*len = 8;
		return;
	case NFT_SK_ADMIT:
		*type = DT_CONCAT3(DT_IPADDR, DT_INET_SERVICE, DT_INET_SERVICE);
		*len = 12;
		return;
	case NFT_SK_TARGET6:
		*type = DT_CONCAT3(DT_IP6ADDR, DT_INET_PROTO, DT_INET_SERVICE);
		*len = 24;
		return;
	}
}

/* Key bytes of element @e in set @s (network order, fields padded to 4). */
size_t nft_elem_key(const struct nft_set *s, const struct nft_elem *e, uint8_t *out)
{
	const uint32_t *k = e->k;

	memset(out, 0, NFT_KEY_MAX);
	switch (s->kind) {
	case NFT_SK_ADDR:
		put_be32(out, k[0]);
		return 4;
	case NFT_SK_ADDR6:
		ir_ip6_bytes(e->k6, out);
		return 16;
	case NFT_SK_PORT:
		put_be16(out, (uint16_t)k[0]);
		return 2;
	case NFT_SK_ICMP:
	case NFT_SK_ICMPV6:
		out[0] = (uint8_t)k[0];
		return 1;
	case NFT_SK_FWD_MAP:
		out[0] = (uint8_t)k[0];
		put_be16(out + 4, (uint16_t)k[1]);
		return 8;
	case NFT_SK_TARGET:
	case NFT_SK_PROTO_TARGET:
		put_be32(out, k[0]);
		out[4] = (uint8_t)k[1];
		if (s->kind == NFT_SK_PROTO_TARGET)
			return 8;
		put_be16(out + 8, (uint16_t)k[2]);
		return 12;
	case NFT_SK_ADMIT:
		put_be32(out, k[0]);
		put_be16(out + 4, (uint16_t)k[1]);
		put_be16(out + 8, (uint16_t)k[2]);
		return 12;
	case NFT_SK_TARGET6:
		ir_ip6_bytes(e->k6, out);
		out[16] = (uint8_t)k[1];
		put_be16(out + 20, (uint16_t)k[2]);
		return 24;
	}
	return 0;
}

size_t nft_elem_data(const struct nft_set *s, const struct nft_elem *e, uint8_t *data)
{
	if (s->kind != NFT_SK_FWD_MAP)
		return 0;
	memset(data, 0, 8);
	put_be32(data, e->d[0]);
	put_be16(data + 4, (uint16_t)e->d[1]);
	return 8;
}

/*
 * One NEWSETELEM or DELSETELEM message of set @s, its elements written
 * straight into the batch: an nftnl object per element cost more than
 * the kernel's own work on it. A message stays under 64 KiB; the next
 * element opens another.
 */
struct elem_msg {
	struct build *bd;
	const struct nft_set *s;
	uint32_t id;	/* the set's id in this batch (0: it is loaded) */
	uint16_t type;
	struct nlmsghdr *nlh; /* NULL: none open */
	struct nlattr *list;
};

static void elem_msg_close(struct elem_msg *em)
{
	if (!em->nlh)
		return;
	mnl_attr_nest_end(em->nlh, em->list);
	next_msg(em->bd, NULL);
	em->nlh = NULL;
}

/* Open an element of the message, the message first when there is none or it is full. */
static struct nlattr *elem_open(struct elem_msg *em)
{
	if (em->nlh && em->nlh->nlmsg_len > ELEM_MSG_MAX)
		elem_msg_close(em);
	if (!em->nlh) {
		em->nlh = msg_hdr(em->bd, em->type,
				  em->type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0);
		mnl_attr_put_strz(em->nlh, NFTA_SET_ELEM_LIST_TABLE, TABLE_NAME);
		mnl_attr_put_strz(em->nlh, NFTA_SET_ELEM_LIST_SET,
				  em->s->name ? em->s->name : "__set%d");
		if (em->id)
			mnl_attr_put_u32(em->nlh, NFTA_SET_ELEM_LIST_SET_ID, htobe32(em->id));
		em->list = mnl_attr_nest_start(em->nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	}
	return mnl_attr_nest_start(em->nlh, NFTA_LIST_ELEM);
}

/* Attribute @type holding the value @v (@len bytes), as nft_data carries it. */
static void put_value(struct nlmsghdr *nlh, uint16_t type, const void *v, size_t len)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, len, v);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * An element of key @k (@flags: NFT_SET_ELEM_INTERVAL_END or 0) with the
 * map data and comment of @e (NULL: neither) and, when @timeout is not
 * 0, its timeout and time left (@expires, ms).
 */
static void elem_put(struct elem_msg *em, const struct nft_elem *k, uint32_t flags,
		     const struct nft_elem *e, uint64_t timeout, uint64_t expires)
{
	struct nlattr *nest = elem_open(em);
	struct nlmsghdr *nlh = em->nlh;
	uint8_t key[NFT_KEY_MAX], data[8];

	if (flags)
		mnl_attr_put_u32(nlh, NFTA_SET_ELEM_FLAGS, htobe32(flags));
	if (timeout)
		mnl_attr_put_u64(nlh, NFTA_SET_ELEM_TIMEOUT, htobe64(timeout));
	if (timeout && expires)
		mnl_attr_put_u64(nlh, NFTA_SET_ELEM_EXPIRATION, htobe64(expires));
	put_value(nlh, NFTA_SET_ELEM_KEY, key, nft_elem_key(em->s, k, key));
	if (e && nft_elem_data(em->s, e, data))
		put_value(nlh, NFTA_SET_ELEM_DATA, data, sizeof(data));
	if (e && e->comment) {
		/* nft's user data: a comment entry, its length, the string with its NUL */
		size_t len = strlen(e->comment) + 1;
		uint8_t ud[NFT_USERDATA_MAXLEN];

		if (len + 2 <= sizeof(ud)) {
			ud[0] = NFTNL_UDATA_SET_ELEM_COMMENT;
			ud[1] = (uint8_t)len;
			memcpy(ud + 2, e->comment, len);
			mnl_attr_put(nlh, NFTA_SET_ELEM_USERDATA, len + 2, ud);
		}
	}
	mnl_attr_nest_end(nlh, nest);
}

/* An element with only its key: one to delete, by the key's @len bytes at @key. */
static void elem_put_key(struct elem_msg *em, const uint8_t *key, size_t len)
{
	struct nlattr *nest = elem_open(em);

	put_value(em->nlh, NFTA_SET_ELEM_KEY, key, len);
	mnl_attr_nest_end(em->nlh, nest);
}

/*
 * The elements of @s, as nft sends them: an interval set is a sorted list
 * of starts and ends (an end where the next interval does not start, and
 * one at 0 before the first interval).
 */
static void build_elems(struct build *bd, const struct nft_set *s, uint32_t id)
{
	struct elem_msg em = {.bd = bd, .s = s, .id = id, .type = NFT_MSG_NEWSETELEM};
	struct nft_elem zero = {0}, next = {0};
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct nft_elem *e = &s->v[i];

		if (s->interval && i == 0 && nft_elem_lo(s, e) != 0)
			elem_put(&em, &zero, NFT_SET_ELEM_INTERVAL_END, NULL, 0, 0);
		elem_put(&em, e, 0, e, 0, 0);
		if (s->interval && nft_elem_hi(s, e) != nft_set_key_max(s)) {
			next.k[0] = e->hi + 1;
			next.k6 = e->hi6 + 1;
			elem_put(&em, &next, NFT_SET_ELEM_INTERVAL_END, NULL, 0, 0);
		}
	}
	elem_msg_close(&em);
}

static void build_set(struct build *bd, const struct nft_table *t, size_t idx)
{
	const struct nft_set *s = &t->sets[idx];
	uint32_t id = ++bd->set_id, type = 0, len = 0, flags = 0;
	struct nftnl_set *ns = set_handle(bd, s, id);
	struct nlmsghdr *nlh;

	bd->ids[idx] = id;
	if (!s->name)
		flags |= NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;
	if (s->interval)
		flags |= NFT_SET_INTERVAL;
	if (s->kind == NFT_SK_FWD_MAP)
		flags |= NFT_SET_MAP;
	if (s->dynamic)
		flags |= NFT_SET_EVAL | NFT_SET_TIMEOUT;
	else if (s->timeout)
		flags |= NFT_SET_TIMEOUT;
	nftnl_set_set_u32(ns, NFTNL_SET_FLAGS, flags);
	if (s->timeout)
		nftnl_set_set_u64(ns, NFTNL_SET_TIMEOUT, (uint64_t)s->timeout * 1000);
	nft_set_key_type(s->kind, &type, &len);
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_TYPE, type);
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_LEN, len);
	if (s->kind == NFT_SK_FWD_MAP) {
		nftnl_set_set_u32(ns, NFTNL_SET_DATA_TYPE, DT_CONCAT2(DT_IPADDR, DT_INET_SERVICE));
		nftnl_set_set_u32(ns, NFTNL_SET_DATA_LEN, 8);
	}
	if (!s->live)
		nftnl_set_set_u32(ns, NFTNL_SET_DESC_SIZE,
				  s->name ? nft_set_size(s) : nl_elem_count(s));
	set_udata(ns, s);
	nlh = msg_hdr(bd, NFT_MSG_NEWSET, NLM_F_CREATE);
	nftnl_set_nlmsg_build_payload(nlh, ns);
	nftnl_set_free(ns);
	next_msg(bd, NULL);
	if (s->n)
		build_elems(bd, s, id);
}

const uint32_t nft_hook_nums[NFT_HOOK_COUNT] = {
	[NFT_HOOK_PREROUTING] = NF_INET_PRE_ROUTING, [NFT_HOOK_INPUT] = NF_INET_LOCAL_IN,
	[NFT_HOOK_FORWARD] = NF_INET_FORWARD,	     [NFT_HOOK_OUTPUT] = NF_INET_LOCAL_OUT,
	[NFT_HOOK_POSTROUTING] = NF_INET_POST_ROUTING,
};

static void build_chain(struct build *bd, const struct nft_chain *c)
{
	struct nftnl_chain *nc = xnonnull(nftnl_chain_alloc());
	struct nlmsghdr *nlh;

	nftnl_chain_set_u32(nc, NFTNL_CHAIN_FAMILY, (uint32_t)bd->family);
	nftnl_chain_set_str(nc, NFTNL_CHAIN_TABLE, table_name(bd));
	nftnl_chain_set_str(nc, NFTNL_CHAIN_NAME, c->name);
	if (!c->regular) {
		nftnl_chain_set_u32(nc, NFTNL_CHAIN_HOOKNUM, nft_hook_nums[c->hook]);
		nftnl_chain_set_s32(nc, NFTNL_CHAIN_PRIO, c->prio);
		nftnl_chain_set_str(nc, NFTNL_CHAIN_TYPE, nft_chain_type(c));
		nftnl_chain_set_u32(nc, NFTNL_CHAIN_POLICY, c->drop ? NF_DROP : NF_ACCEPT);
	}
	nlh = msg_hdr(bd, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	nftnl_chain_nlmsg_build_payload(nlh, nc);
	nftnl_chain_free(nc);
	next_msg(bd, NULL);
}

/* The anonymous sets rule @r uses, created just before it as nft does. */
static void build_rule_sets(struct build *bd, const struct nft_table *t, const struct nft_rule *r)
{
	size_t i;

	for (i = 0; i < r->n_m; i++)
		if (r->m[i].val == NFT_V_SET && !t->sets[r->m[i].set].name)
			build_set(bd, t, r->m[i].set);
	for (i = 0; i < r->n_s; i++)
		if (r->s[i].kind == NFT_S_DNAT_MAP && !t->sets[r->s[i].set].name)
			build_set(bd, t, r->s[i].set);
}

static void build_rule(struct build *bd, const struct nft_table *t, const struct nft_chain *c,
		       const struct nft_rule *r)
{
	struct nftnl_rule *nr = xnonnull(nftnl_rule_alloc());
	struct nlmsghdr *nlh;

	build_rule_sets(bd, t, r);
	nftnl_rule_set_u32(nr, NFTNL_RULE_FAMILY, (uint32_t)bd->family);
	nftnl_rule_set_str(nr, NFTNL_RULE_TABLE, table_name(bd));
	nftnl_rule_set_str(nr, NFTNL_RULE_CHAIN, c->name);
	nft_build_exprs(nr, t, r, bd->family == NFPROTO_IPV6, bd->ids);
	if (r->comment) {
		struct nftnl_udata_buf *u = xnonnull(nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN));

		nftnl_udata_put_strz(u, NFTNL_UDATA_RULE_COMMENT, r->comment);
		nftnl_rule_set_data(nr, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(u),
				    nftnl_udata_buf_len(u));
		nftnl_udata_buf_free(u);
	}
	nlh = msg_hdr(bd, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	nftnl_rule_nlmsg_build_payload(nlh, nr);
	nftnl_rule_free(nr);
	next_msg(bd, &r->loc);
}

/*
 * @t's objects, named sets (but those @keep marks, NULL: none, which
 * stay as loaded), chains and rules, into its existing table.
 */
static void build_contents(struct build *bd, const struct nft_table *t, const bool *keep)
{
	size_t i, j;

	build_objects(bd, t);
	bd->ids = xcalloc(t->n_sets + 1, sizeof(*bd->ids));
	for (i = 0; i < t->n_sets; i++)
		if (t->sets[i].name && !(keep && keep[i]))
			build_set(bd, t, i);
	for (i = 0; i < t->n_chains; i++)
		build_chain(bd, &t->chains[i]);
	for (i = 0; i < t->n_chains; i++)
		for (j = 0; j < t->chains[i].n; j++)
			build_rule(bd, t, &t->chains[i], &t->chains[i].v[j]);
	free(bd->ids);
	bd->ids = NULL;
}

static void build_family(struct build *bd, const struct nft_table *t, bool exists)
{
	/* add then delete: the delete never fails, whether or not the table existed */
	if (exists) {
		build_table(bd, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		build_table(bd, NFT_MSG_DELTABLE, 0);
	}
	if (!t->present)
		return;
	build_table(bd, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	build_contents(bd, t, NULL);
}

int nft_build(struct nft_batch *b, const struct nft_model *m, bool ip_exists, bool ip6_exists)
{
	struct build bd = {.b = b};
	int f;

	for (f = 0; f < NFT_FAM_COUNT; f++) {
		bd.family = families[f];
		build_family(&bd, &m->t[f], families[f] == NFPROTO_IPV6 ? ip6_exists : ip_exists);
	}
	return 0;
}

/*
 * A message deleting chain @name (@kind NFT_MSG_DELCHAIN; NFT_MSG_DELRULE
 * flushes it) or object @name of @obj_type (NFT_MSG_DELOBJ).
 */
static void build_del(struct build *bd, uint16_t kind, const char *name, uint32_t obj_type)
{
	struct nlmsghdr *nlh = msg_hdr(bd, kind, 0);

	if (kind == NFT_MSG_DELRULE) {
		struct nftnl_rule *r = xnonnull(nftnl_rule_alloc());

		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, (uint32_t)bd->family);
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table_name(bd));
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, name);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nftnl_rule_free(r);
	} else if (kind == NFT_MSG_DELCHAIN) {
		struct nftnl_chain *c = xnonnull(nftnl_chain_alloc());

		nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, (uint32_t)bd->family);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table_name(bd));
		nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
		nftnl_chain_nlmsg_build_payload(nlh, c);
		nftnl_chain_free(c);
	} else {
		struct nftnl_obj *o = xnonnull(nftnl_obj_alloc());

		nftnl_obj_set_u32(o, NFTNL_OBJ_FAMILY, (uint32_t)bd->family);
		nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, table_name(bd));
		nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
		nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, obj_type);
		nftnl_obj_nlmsg_build_payload(nlh, o);
		nftnl_obj_free(o);
	}
	next_msg(bd, NULL);
}

/* A message deleting named set @s. */
static void build_del_set(struct build *bd, const struct nft_set *s)
{
	struct nftnl_set *ns = set_handle(bd, s, 0);

	nftnl_set_nlmsg_build_payload(msg_hdr(bd, NFT_MSG_DELSET, 0), ns);
	nftnl_set_free(ns);
	next_msg(bd, NULL);
}

/*
 * @have (loaded) becomes @t without deleting the table: every chain is
 * flushed, then chains, named sets but the kept ones and objects are
 * deleted, and @t's are made (build_contents()).
 */
static void build_family_in_place(struct build *bd, const struct nft_table *t,
				  const struct nft_table *have, const bool *keep)
{
	size_t i;

	for (i = 0; i < have->n_chains; i++)
		build_del(bd, NFT_MSG_DELRULE, have->chains[i].name, 0);
	for (i = 0; i < have->n_chains; i++)
		build_del(bd, NFT_MSG_DELCHAIN, have->chains[i].name, 0);
	for (i = 0; i < have->n_sets; i++) {
		const struct nft_set *s = &have->sets[i];
		size_t k = s->name ? nft_set_find(t, s->name) : SIZE_MAX;

		if (s->name && (k == SIZE_MAX || !keep[k]))
			build_del_set(bd, s);
	}
	for (i = 0; i < have->n_helpers; i++)
		build_del(bd, NFT_MSG_DELOBJ, have->helpers[i].name, NFT_OBJECT_CT_HELPER);
	for (i = 0; i < have->n_timeouts; i++)
		build_del(bd, NFT_MSG_DELOBJ, have->timeouts[i].name, NFT_OBJECT_CT_TIMEOUT);
	build_contents(bd, t, keep);
}

int nft_build_in_place(struct nft_batch *b, const struct nft_model *m, const struct nft_model *have,
		       bool *const keep[])
{
	struct build bd = {.b = b};
	int f;

	for (f = 0; f < NFT_FAM_COUNT; f++) {
		bd.family = families[f];
		if (have->t[f].present && m->t[f].present)
			build_family_in_place(&bd, &m->t[f], &have->t[f], keep[f]);
		else
			build_family(&bd, &m->t[f], have->t[f].present);
	}
	return 0;
}

int nft_build_upnp(struct nft_batch *b, const struct nft_model *m, bool exists)
{
	struct build bd = {.b = b, .family = NFPROTO_INET, .table = NFT_UPNP_TABLE};
	const struct nft_table *t = &m->upnp;
	size_t i, j;

	if (t->present == exists)
		return 0;
	if (!t->present) {
		build_table(&bd, NFT_MSG_DELTABLE, 0);
		return 1;
	}
	build_table(&bd, NFT_MSG_NEWTABLE, NLM_F_CREATE);
	for (i = 0; i < t->n_chains; i++)
		build_chain(&bd, &t->chains[i]);
	for (i = 0; i < t->n_chains; i++)
		for (j = 0; j < t->chains[i].n; j++)
			build_rule(&bd, t, &t->chains[i], &t->chains[i].v[j]);
	return 1;
}

int nft_build_delete(struct nft_batch *b, bool ip_present, bool ip6_present, bool upnp_present)
{
	struct build bd = {.b = b};

	if (ip_present) {
		bd.family = NFPROTO_IPV4;
		build_table(&bd, NFT_MSG_DELTABLE, 0);
	}
	if (ip6_present) {
		bd.family = NFPROTO_IPV6;
		build_table(&bd, NFT_MSG_DELTABLE, 0);
	}
	if (upnp_present) {
		bd.family = NFPROTO_INET;
		bd.table = NFT_UPNP_TABLE;
		build_table(&bd, NFT_MSG_DELTABLE, 0);
	}
	return 0;
}

void nft_build_elems_change(struct nft_batch *b, bool v6, const struct nft_set *s,
			    const uint8_t *const *del, size_t n_del, size_t klen,
			    const struct nft_elem *const *add, size_t n_add)
{
	struct build bd = {.b = b, .family = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4};
	struct elem_msg em = {.bd = &bd, .s = s, .type = NFT_MSG_DELSETELEM};
	size_t i;

	for (i = 0; i < n_del; i++)
		elem_put_key(&em, del[i], klen);
	elem_msg_close(&em);
	em.type = NFT_MSG_NEWSETELEM;
	for (i = 0; i < n_add; i++)
		elem_put(&em, add[i], 0, add[i], 0, 0);
	elem_msg_close(&em);
}

void nft_build_live_elems(struct nft_batch *b, bool v6, bool del, const struct nft_set *s,
			  const struct nft_elem *const *add, size_t n)
{
	struct build bd = {.b = b, .family = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4};
	struct elem_msg em = {.bd = &bd, .s = s,
			      .type = del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM};
	struct nft_elem next = {0};
	size_t i;

	for (i = 0; i < n; i++) {
		const struct nft_elem *e = add[i];
		/* the exact time left (nft's `timeout T expires E`), on the start only */
		uint64_t timeout = !del && s->timeout ? e->timeout : 0;
		uint64_t left = e->expires < e->timeout ? e->expires : e->timeout;

		elem_put(&em, e, 0, NULL, timeout, left);
		/* the end, unless the interval reaches the last address */
		if (nft_elem_hi(s, e) == nft_set_key_max(s))
			continue;
		next.k[0] = e->hi + 1;
		next.k6 = e->hi6 + 1;
		elem_put(&em, &next, NFT_SET_ELEM_INTERVAL_END, NULL, 0, 0);
	}
	elem_msg_close(&em);
}

void nft_build_chains_refill(struct nft_batch *b, const struct nft_model *m, bool *const changed[])
{
	struct build bd = {.b = b};
	size_t i, j;
	int f;

	for (f = 0; f < NFT_FAM_COUNT; f++) {
		const struct nft_table *t = &m->t[f];

		bd.family = families[f];
		/* named sets stay: rules name them (id 0); anonymous ones are new */
		bd.ids = xcalloc(t->n_sets + 1, sizeof(*bd.ids));
		for (i = 0; i < t->n_chains; i++) {
			if (!changed[f][i])
				continue;
			build_del(&bd, NFT_MSG_DELRULE, t->chains[i].name, 0);
			for (j = 0; j < t->chains[i].n; j++)
				build_rule(&bd, t, &t->chains[i], &t->chains[i].v[j]);
		}
		free(bd.ids);
		bd.ids = NULL;
	}
}
