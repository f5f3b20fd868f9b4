// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_dump.c - read masqgen's loaded tables into the model (nft_dump.h):
 * one dump per object kind over one netlink socket, one element dump per
 * set; each message parsed by libnftnl, but element dumps, read here with
 * libmnl.
 */
#include "nft_dump.h"

#include "diag.h"
#include "nft.h"
#include "nft_build.h"
#include "nft_record.h"
#include "nl.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/chain.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#define DUMP_TABLE "masqgen"
#define DUMP_TRIES 5

/* What one read needs besides the model. */
struct rd {
	struct nft_dump *d;
	char **set_names[NFT_FAM_COUNT];	/* kernel names, by set number */
	size_t cap_names[NFT_FAM_COUNT];
	const struct nft_record *rec;	/* elements known without a dump, or NULL */
	struct raw_elem *raw;		/* the elements of the set being read */
	size_t n_raw, cap_raw;
};

static const int dump_families[NFT_FAM_COUNT] = {NFPROTO_IPV4, NFPROTO_IPV6};

/* The model family of a message's @family and @table, or -1: not masqgen's. */
static int our_family(uint32_t family, const char *table)
{
	int f;

	if (!table || strcmp(table, DUMP_TABLE) != 0)
		return -1;
	for (f = 0; f < NFT_FAM_COUNT; f++)
		if ((uint32_t)dump_families[f] == family)
			return f;
	return -1;
}

/* Record @what (taken), a piece of family @f that masqgen does not make. */
static void foreign(struct rd *r, int f, char *what)
{
	*VEC_PUSH(r->d->foreign, r->d->n_foreign, r->d->cap_foreign) =
	    xasprintf("%s %s", f == NFT_FAM_IP ? "ip" : "ip6", what);
	free(what);
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rd *r = data;
	struct nftnl_table *t = xnonnull(nftnl_table_alloc());
	const char *name;
	int f = -1;

	if (nftnl_table_nlmsg_parse(nlh, t) == 0) {
		name = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
		f = our_family(nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY), name);
		/* the UPnP table as masqgen makes it; miniupnpd's rules in it are not read */
		if (name && strcmp(name, NFT_UPNP_TABLE) == 0 && !r->d->m->upnp.present &&
		    nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY) == NFPROTO_INET) {
			nft_upnp_lower(&r->d->m->upnp);
			r->d->m->upnp.loaded = true;
		}
	}
	if (f >= 0)
		r->d->m->t[f].present = true;
	nftnl_table_free(t);
	return MNL_CB_OK;
}

/* A chain iptables-nft made for masqgen: "masqgen-*" in filter, nat, raw or mangle. */
static bool ipt_chain(const char *table, const char *chain)
{
	static const char *const tables[] = {"filter", "nat", "raw", "mangle"};
	size_t i;

	if (!table || !chain || strncmp(chain, "masqgen-", 8) != 0)
		return false;
	for (i = 0; i < ARRAY_SIZE(tables); i++)
		if (strcmp(table, tables[i]) == 0)
			return true;
	return false;
}

static void add_chain(struct rd *r, struct nft_table *t, const struct nftnl_chain *nc)
{
	const char *name = nftnl_chain_get_str(nc, NFTNL_CHAIN_NAME);
	const char *type = nftnl_chain_get_str(nc, NFTNL_CHAIN_TYPE);
	uint32_t hooknum = nftnl_chain_get_u32(nc, NFTNL_CHAIN_HOOKNUM);
	int h;

	for (h = 0; h < NFT_HOOK_COUNT && nft_hook_nums[h] != hooknum; h++)
		;
	if (!nftnl_chain_is_set(nc, NFTNL_CHAIN_HOOKNUM) || h == NFT_HOOK_COUNT) {
		foreign(r, (int)(t - r->d->m->t), xasprintf("chain %s: not a base chain masqgen makes", name));
		return;
	}
	nft_chain_begin(t, nft_table_str(t, name), type && strcmp(type, "nat") == 0,
			    (enum nft_hook)h, nftnl_chain_get_s32(nc, NFTNL_CHAIN_PRIO),
			nftnl_chain_get_u32(nc, NFTNL_CHAIN_POLICY) == NF_DROP)
		->route = type && strcmp(type, "route") == 0;
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rd *r = data;
	struct nftnl_chain *nc = xnonnull(nftnl_chain_alloc());
	const char *table;
	uint32_t family;
	int f;

	if (nftnl_chain_nlmsg_parse(nlh, nc) < 0)
		goto out;
	family = nftnl_chain_get_u32(nc, NFTNL_CHAIN_FAMILY);
	table = nftnl_chain_get_str(nc, NFTNL_CHAIN_TABLE);
	f = our_family(family, table);
	if (f >= 0) {
		add_chain(r, &r->d->m->t[f], nc);
	} else if (ipt_chain(table, nftnl_chain_get_str(nc, NFTNL_CHAIN_NAME))) {
		for (f = 0; f < NFT_FAM_COUNT; f++)
			if ((uint32_t)dump_families[f] == family)
				r->d->ipt_nft[f] = true;
	}
out:
	nftnl_chain_free(nc);
	return MNL_CB_OK;
}

static int obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rd *r = data;
	struct nftnl_obj *o = xnonnull(nftnl_obj_alloc());
	struct nft_table *t;
	uint32_t len;
	int f = -1;

	if (nftnl_obj_nlmsg_parse(nlh, o) == 0)
		f = our_family(nftnl_obj_get_u32(o, NFTNL_OBJ_FAMILY),
			       nftnl_obj_get_str(o, NFTNL_OBJ_TABLE));
	if (f < 0)
		goto out;
	t = &r->d->m->t[f];
	if (nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == NFT_OBJECT_CT_HELPER) {
		struct nft_helper_obj *h = VEC_PUSH(t->helpers, t->n_helpers, t->cap_helpers);

		memset(h, 0, sizeof(*h));
		h->name = xstrdup(nftnl_obj_get_str(o, NFTNL_OBJ_NAME));
		h->kname = nft_table_str(t, nftnl_obj_get_str(o, NFTNL_OBJ_CT_HELPER_NAME));
		h->proto = nftnl_obj_get_u8(o, NFTNL_OBJ_CT_HELPER_L4PROTO);
	} else if (nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == NFT_OBJECT_CT_TIMEOUT) {
		struct nft_timeout_obj *to = VEC_PUSH(t->timeouts, t->n_timeouts, t->cap_timeouts);
		const void *secs = nftnl_obj_get_data(o, NFTNL_OBJ_CT_TIMEOUT_ARRAY, &len);

		memset(to, 0, sizeof(*to));
		to->name = xstrdup(nftnl_obj_get_str(o, NFTNL_OBJ_NAME));
		to->proto = nftnl_obj_get_u8(o, NFTNL_OBJ_CT_TIMEOUT_L4PROTO);
		if (secs)
			memcpy(to->secs, secs, len < sizeof(to->secs) ? len : sizeof(to->secs));
	} else {
		foreign(r, f, xasprintf("object %s: not one masqgen makes",
					nftnl_obj_get_str(o, NFTNL_OBJ_NAME)));
	}
out:
	nftnl_obj_free(o);
	return MNL_CB_OK;
}

/* The model's set kind of a kernel key type, or -1. */
static int kind_of(uint32_t key_type)
{
	uint32_t type, len;
	int k;

	for (k = NFT_SK_ADDR; k <= NFT_SK_TARGET6; k++) {
		nft_set_key_type((enum nft_set_kind)k, &type, &len);
		if (type == key_type)
			return k;
	}
	return -1;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rd *r = data;
	struct nftnl_set *ns = xnonnull(nftnl_set_alloc());
	const char *name;
	struct nft_table *t;
	uint32_t flags;
	size_t idx;
	int f = -1, kind;

	if (nftnl_set_nlmsg_parse(nlh, ns) == 0)
		f = our_family(nftnl_set_get_u32(ns, NFTNL_SET_FAMILY),
			       nftnl_set_get_str(ns, NFTNL_SET_TABLE));
	if (f < 0)
		goto out;
	t = &r->d->m->t[f];
	name = nftnl_set_get_str(ns, NFTNL_SET_NAME);
	flags = nftnl_set_get_u32(ns, NFTNL_SET_FLAGS);
	kind = kind_of(nftnl_set_get_u32(ns, NFTNL_SET_KEY_TYPE));
	if (kind < 0) {
		foreign(r, f, xasprintf("set %s: not one masqgen makes", name));
		goto out;
	}
	idx = nft_set_new(t, flags & NFT_SET_ANONYMOUS ? NULL : xstrdup(name),
			  (enum nft_set_kind)kind);
	t->sets[idx].interval = flags & NFT_SET_INTERVAL;
	t->sets[idx].dynamic = flags & NFT_SET_EVAL;
	/* masqgen sizes every named set but a live one */
	t->sets[idx].live = !(flags & (NFT_SET_ANONYMOUS | NFT_SET_EVAL)) &&
			    !nftnl_set_is_set(ns, NFTNL_SET_DESC_SIZE);
	if (flags & NFT_SET_TIMEOUT)
		t->sets[idx].timeout =
			(uint32_t)(nftnl_set_get_u64(ns, NFTNL_SET_TIMEOUT) / 1000);
	util_grow(&r->set_names[f], &r->cap_names[f], t->n_sets, sizeof(char *));
	r->set_names[f][idx] = xstrdup(name);
out:
	nftnl_set_free(ns);
	return MNL_CB_OK;
}

/* The policy place in an element's or a rule's user data, or NULL. */
static int udata_cb(const struct nftnl_udata *attr, void *data)
{
	const char **comment = data;

	if (nftnl_udata_type(attr) == 0 && nftnl_udata_len(attr) > 0 &&
	    ((const char *)nftnl_udata_get(attr))[nftnl_udata_len(attr) - 1] == '\0')
		*comment = nftnl_udata_get(attr);
	return 0;
}

static char *udata_comment(const void *udata, uint32_t len)
{
	const char *comment = NULL;

	if (udata && len)
		nftnl_udata_parse(udata, len, udata_cb, &comment);
	return comment ? xstrdup(comment) : NULL;
}

static void decode_key(enum nft_set_kind kind, const uint8_t *p, uint32_t len,
		       struct nft_elem *e)
{
	uint8_t b[NFT_KEY_MAX] = {0};
	uint32_t *k = e->k;

	memcpy(b, p, len < sizeof(b) ? len : sizeof(b));
	switch (kind) {
	case NFT_SK_ADDR:
		k[0] = get_be32(b);
		return;
	case NFT_SK_ADDR6:
		e->k6 = ir_ip6_of_bytes(b);
		return;
	case NFT_SK_PORT:
		k[0] = get_be16(b);
		return;
	case NFT_SK_ICMP:
	case NFT_SK_ICMPV6:
		k[0] = b[0];
		return;
	case NFT_SK_FWD_MAP:
		k[0] = b[0];
		k[1] = get_be16(b + 4);
		return;
	case NFT_SK_TARGET:
	case NFT_SK_PROTO_TARGET:
		k[0] = get_be32(b);
		k[1] = b[4];
		k[2] = kind == NFT_SK_TARGET ? get_be16(b + 8) : 0;
		return;
	case NFT_SK_ADMIT:
		k[0] = get_be32(b);
		k[1] = get_be16(b + 4);
		k[2] = get_be16(b + 8);
		return;
	case NFT_SK_TARGET6:
		e->k6 = ir_ip6_of_bytes(b);
		k[1] = b[16];
		k[2] = get_be16(b + 20);
		return;
	}
}

/* One kernel element: its key fields, data, whether it ends an interval. */
struct raw_elem {
	struct nft_elem e;
	bool end;
};

static int elem_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_type_valid(a, NFTA_SET_ELEM_MAX) > 0)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* The value in an NFTA_DATA nest, or NULL; *len its length. */
static const void *data_value(const struct nlattr *nest, uint32_t *len)
{
	const struct nlattr *a;

	if (!nest || mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return NULL;
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == NFTA_DATA_VALUE) {
			*len = mnl_attr_get_payload_len(a);
			return mnl_attr_get_payload(a);
		}
	}
	return NULL;
}

/*
 * Bytes appended to @w's arena; while the dump runs, a pointer of an
 * element holds its offset + 1 (0: none), made a pointer at the end.
 */
static const void *wire_bytes(struct nft_welems *w, const void *p, size_t n)
{
	uintptr_t off = (uintptr_t)w->bytes.len + 1;

	sb_addn(&w->bytes, p, n);
	return (const void *)off;
}

/* One NFTA_LIST_ELEM of a dump into @w. */
static int wire_elem_add(struct nft_welems *w, const struct nlattr *elem)
{
	const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1] = {0};
	struct nft_welem *we;
	const void *p;
	uint32_t len = 0;
	char *comment;

	if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM ||
	    mnl_attr_parse_nested(elem, elem_attr_cb, tb) < 0)
		return -1;
	we = VEC_PUSH(w->v, w->n, w->cap);
	memset(we, 0, sizeof(*we));
	p = data_value(tb[NFTA_SET_ELEM_KEY], &len);
	if (p && len <= UINT8_MAX) {
		we->klen = (uint8_t)len;
		we->key = wire_bytes(w, p, len);
	}
	if (tb[NFTA_SET_ELEM_FLAGS] && mnl_attr_validate(tb[NFTA_SET_ELEM_FLAGS], MNL_TYPE_U32) == 0)
		we->end = ntohl(mnl_attr_get_u32(tb[NFTA_SET_ELEM_FLAGS])) &
			  NFT_SET_ELEM_INTERVAL_END;
	if (tb[NFTA_SET_ELEM_TIMEOUT] &&
	    mnl_attr_validate(tb[NFTA_SET_ELEM_TIMEOUT], MNL_TYPE_U64) == 0)
		we->timeout = be64toh(mnl_attr_get_u64(tb[NFTA_SET_ELEM_TIMEOUT]));
	if (tb[NFTA_SET_ELEM_EXPIRATION] &&
	    mnl_attr_validate(tb[NFTA_SET_ELEM_EXPIRATION], MNL_TYPE_U64) == 0)
		we->expires = be64toh(mnl_attr_get_u64(tb[NFTA_SET_ELEM_EXPIRATION]));
	p = data_value(tb[NFTA_SET_ELEM_DATA], &len);
	if (p && len <= UINT8_MAX) {
		we->dlen = (uint8_t)len;
		we->data = wire_bytes(w, p, len);
	}
	if (tb[NFTA_SET_ELEM_USERDATA] && !we->end) {
		comment = udata_comment(mnl_attr_get_payload(tb[NFTA_SET_ELEM_USERDATA]),
					mnl_attr_get_payload_len(tb[NFTA_SET_ELEM_USERDATA]));
		if (comment)
			we->comment = wire_bytes(w, comment, strlen(comment) + 1);
		free(comment);
	}
	return 0;
}

/*
 * A message of a set's element dump, parsed here: libnftnl would make an
 * object of each element, and a forward map has a hundred thousand.
 */
static int wire_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *elem;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		mnl_attr_for_each_nested(elem, a)
			if (wire_elem_add(data, elem) < 0)
				return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static const void *wire_ptr(const struct nft_welems *w, const void *off)
{
	return off ? w->bytes.buf + ((uintptr_t)off - 1) : NULL;
}

int nft_dump_welems(struct mnl_socket *nl, enum nft_fam fam, const char *name,
		    struct nft_welems *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_set *ns = xnonnull(nftnl_set_alloc());
	struct nlmsghdr *nlh;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	nftnl_set_set_u32(ns, NFTNL_SET_FAMILY, (uint32_t)dump_families[fam]);
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, DUMP_TABLE);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, name);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, (uint16_t)dump_families[fam],
				    NLM_F_DUMP, 0);
	nftnl_set_elems_nlmsg_build_payload(nlh, ns);
	nftnl_set_free(ns);
	rc = nl_request(nl, nlh, wire_cb, out);
	for (i = 0; i < out->n; i++) {
		out->v[i].key = wire_ptr(out, out->v[i].key);
		out->v[i].data = wire_ptr(out, out->v[i].data);
		out->v[i].comment = wire_ptr(out, out->v[i].comment);
	}
	return rc;
}

void nft_welems_free(struct nft_welems *w)
{
	free(w->v);
	sb_free(&w->bytes);
	memset(w, 0, sizeof(*w));
}

/* Element @we of a set of @kind as the model has it (the comment copied). */
static void raw_elem_add(struct rd *r, enum nft_set_kind kind, const struct nft_welem *we)
{
	struct raw_elem *re = VEC_PUSH(r->raw, r->n_raw, r->cap_raw);

	memset(re, 0, sizeof(*re));
	if (we->key)
		decode_key(kind, we->key, we->klen, &re->e);
	re->e.hi = re->e.k[0];
	re->e.hi6 = re->e.k6;
	re->end = we->end;
	re->e.timeout = we->timeout;
	re->e.expires = we->expires;
	if (we->data && we->dlen >= 6) {
		re->e.d[0] = get_be32(we->data);
		re->e.d[1] = get_be16(we->data + 4);
	}
	if (we->comment)
		re->e.comment = xstrdup(we->comment);
}

static int raw_cmp(const void *a, const void *b)
{
	const struct raw_elem *x = a, *y = b;

	if (x->e.k6 != y->e.k6)
		return x->e.k6 < y->e.k6 ? -1 : 1;
	if (x->e.k[0] != y->e.k[0])
		return x->e.k[0] < y->e.k[0] ? -1 : 1;
	return (int)y->end - (int)x->end;	/* an end before a start at the same key */
}

/* Interval set @s from its starts and ends (each end closes the interval before it). */
static void build_intervals(struct nft_set *s, struct raw_elem *v, size_t n)
{
	struct nft_elem *open = NULL;
	size_t i;

	if (!n)
		return;	/* an empty set (a live set often is): no array to sort */
	qsort(v, n, sizeof(*v), raw_cmp);
	for (i = 0; i < n; i++) {
		if (v[i].end) {
			if (open)
				nft_elem_set_hi(s, open, nft_elem_lo(s, &v[i].e) - 1);
			open = NULL;
			continue;
		}
		open = nft_elem_add(s, v[i].e.comment);
		open->k[0] = v[i].e.k[0];
		open->k6 = v[i].e.k6;
		open->timeout = v[i].e.timeout;
		open->expires = v[i].e.expires;
		nft_elem_set_hi(s, open, nft_set_key_max(s));
	}
}

/*
 * Read the elements of set @idx of family @f into the model: from the
 * record when it holds them at the generation being read, else by a dump.
 */
static int read_elems(struct rd *r, struct mnl_socket *nl, int f, size_t idx)
{
	struct nft_table *t = &r->d->m->t[f];
	struct nft_set *s = &t->sets[idx];
	const struct nft_rec_set *rs = NULL;
	struct nft_welems w = {0};
	const struct nft_welem *v;
	size_t i, n;
	int rc = 0;

	if (s->dynamic) /* a meter: its elements are the kernel's own */
		return 0;
	if (nft_record_keeps(s))
		rs = nft_record_set(r->rec, r->d->genid, (enum nft_fam)f, s->name);
	if (rs) {
		v = rs->v;
		n = rs->n;
	} else {
		rc = nft_dump_welems(nl, (enum nft_fam)f, r->set_names[f][idx], &w);
		v = w.v;
		n = w.n;
	}
	r->n_raw = 0;
	for (i = 0; rc == 0 && i < n; i++)
		raw_elem_add(r, s->kind, &v[i]);
	nft_welems_free(&w);
	if (rc < 0)
		return rc;
	if (s->interval) {
		build_intervals(s, r->raw, r->n_raw);
	} else {
		nft_set_reserve(s, r->n_raw);
		for (i = 0; i < r->n_raw; i++)
			*nft_elem_add(s, NULL) = r->raw[i].e;
		nft_set_normalize(t, idx, false);
	}
	return rc;
}

static struct nft_chain *find_chain(struct nft_table *t, const char *name)
{
	size_t i;

	for (i = 0; name && i < t->n_chains; i++)
		if (strcmp(t->chains[i].name, name) == 0)
			return &t->chains[i];
	return NULL;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rd *r = data;
	struct nftnl_rule *nr = xnonnull(nftnl_rule_alloc());
	const char *chain;
	struct nft_table *t;
	struct nft_chain *c;
	struct nft_rule *rule;
	const void *ud;
	uint32_t len = 0;
	int f = -1;

	if (nftnl_rule_nlmsg_parse(nlh, nr) == 0)
		f = our_family(nftnl_rule_get_u32(nr, NFTNL_RULE_FAMILY),
			       nftnl_rule_get_str(nr, NFTNL_RULE_TABLE));
	if (f < 0)
		goto out;
	t = &r->d->m->t[f];
	chain = nftnl_rule_get_str(nr, NFTNL_RULE_CHAIN);
	c = find_chain(t, chain);
	if (!c)
		goto out;
	ud = nftnl_rule_get_data(nr, NFTNL_RULE_USERDATA, &len);
	rule = nft_rule_add(c, udata_comment(ud, len), NULL);
	if (nft_dump_rule(t, rule, nr, f == NFT_FAM_IP6, r->set_names[f]) < 0) {
		/* left out of the model, and named */
		foreign(r, f, xasprintf("chain %s: rule %zu (handle %llu) is not one masqgen makes",
					chain, c->n,
					(unsigned long long)nftnl_rule_get_u64(nr, NFTNL_RULE_HANDLE)));
		free(rule->m);
		free(rule->s);
		free(rule->comment);
		c->n--;
	}
out:
	nftnl_rule_free(nr);
	return MNL_CB_OK;
}

static int dump_all(struct rd *r, struct mnl_socket *nl, uint16_t type, mnl_cb_t cb)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_UNSPEC, NLM_F_DUMP, 0);

	return nl_request(nl, nlh, cb, r);
}

/* One read of everything. Returns 0, or -1 with errno set. */
static int read_once(struct mnl_socket *nl, struct rd *r)
{
	size_t i;
	int f;

	if (dump_all(r, nl, NFT_MSG_GETTABLE, table_cb) < 0 ||
	    dump_all(r, nl, NFT_MSG_GETCHAIN, chain_cb) < 0)
		return -1;
	if (!nft_dump_loaded(r->d))
		return 0;
	if (dump_all(r, nl, NFT_MSG_GETOBJ, obj_cb) < 0 ||
	    dump_all(r, nl, NFT_MSG_GETSET, set_cb) < 0)
		return -1;
	for (f = 0; f < NFT_FAM_COUNT; f++)
		for (i = 0; i < r->d->m->t[f].n_sets; i++)
			if (read_elems(r, nl, f, i) < 0)
				return -1;
	return dump_all(r, nl, NFT_MSG_GETRULE, rule_cb);
}

static void rd_reset(void *ctx)
{
	struct rd *r = ctx;
	size_t i;
	int f;

	for (f = 0; f < NFT_FAM_COUNT; f++) {
		for (i = 0; r->d->m && r->set_names[f] && i < r->d->m->t[f].n_sets; i++)
			free(r->set_names[f][i]);
		free(r->set_names[f]);
		r->set_names[f] = NULL;
		r->cap_names[f] = 0;
	}
	free(r->raw);
	r->raw = NULL;
	r->n_raw = r->cap_raw = 0;
}

/* A fresh model for the next read of @ctx: both tables marked loaded until seen. */
static void rd_fresh(struct rd *r)
{
	int f;

	nft_dump_free(r->d);
	r->d->m = xcalloc(1, sizeof(*r->d->m));
	for (f = 0; f < NFT_FAM_COUNT; f++)
		r->d->m->t[f].loaded = true;
}

static int read_fresh(struct mnl_socket *nl, uint32_t genid, void *ctx)
{
	struct rd *r = ctx;

	rd_fresh(r);
	r->d->genid = genid;
	return read_once(nl, r);
}

int nft_dump_read(struct nft_dump *d, const struct nft_record *rec)
{
	struct rd r = {.d = d, .rec = rec};

	memset(d, 0, sizeof(*d));
	d->genid = nft_read_stable(read_fresh, rd_reset, &r, "read the loaded nftables ruleset");
	rd_reset(&r);
	if (!d->genid) {
		nft_dump_free(d);
		return -1;
	}
	return 0;
}

void nft_dump_free(struct nft_dump *d)
{
	size_t i;

	nft_model_free(d->m);
	d->m = NULL;
	for (i = 0; i < d->n_foreign; i++)
		free(d->foreign[i]);
	free(d->foreign);
	d->foreign = NULL;
	d->n_foreign = d->cap_foreign = 0;
}

bool nft_dump_loaded(const struct nft_dump *d)
{
	return d->m && (d->m->t[NFT_FAM_IP].present || d->m->t[NFT_FAM_IP6].present ||
			d->m->upnp.present);
}
