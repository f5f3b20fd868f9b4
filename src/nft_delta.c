// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_delta.c - apply in place: when only the elements of named maps and
 * sets differ from what masqgen loaded last, change only those elements.
 *
 * After every apply masqgen records, per network namespace, the shape of
 * the model it loaded (everything but the elements of named sets without
 * intervals: tables, objects, chains, rules, set declarations with their
 * sizes, interval sets' elements) and the fingerprint of its tables as
 * the kernel has them then (nft_state.c: names and handles of every
 * table, chain, set, object and rule). When the next apply finds the same
 * fingerprint (nobody replaced, added or removed anything of masqgen's)
 * and its model has the same shape, it reads the elements of those sets
 * from the kernel and sends one transaction that deletes the elements the
 * new policy lacks and adds the new ones (an element whose map data or
 * comment changed is deleted and added again). Rules, counters and every
 * other object stay. Anything else is a full replace. Either is one
 * transaction guarded by the generation id (nft_replace()).
 */
#include "nft.h"
#include "nft_build.h"
#include "nft_model.h"

#include "diag.h"
#include "nl.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

/* One element as netlink carries it (keys, data and comments are short). */
struct nft_kelem {
	uint8_t key[16], data[8];
	uint8_t *udata;			/* the comment in nft's user data format, or NULL */
	size_t klen, dlen, ulen;
	const struct nft_elem *e;	/* the model's element, or NULL: the kernel's */
};

struct nft_kelems {
	struct nft_kelem *v;
	size_t n, cap;
};

static void kelems_free(struct nft_kelems *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].udata);
	free(l->v);
}

/* Named sets whose elements a delta may change. */
static bool delta_set(const struct nft_set *s)
{
	return s->name && !s->interval;
}

#define H(h, x) (*(h) = util_hash(*(h), &(x), sizeof(x)))

static void hash_str(uint64_t *h, const char *s)
{
	*h = util_hash(*h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static void hash_set(uint64_t *h, const struct nft_set *s)
{
	uint32_t size = nft_set_size(s);
	size_t i;

	hash_str(h, s->name);
	H(h, s->kind);
	H(h, s->sel);
	H(h, s->interval);
	H(h, size);
	if (delta_set(s))
		return;
	for (i = 0; i < s->n; i++) {
		H(h, s->v[i].k);
		H(h, s->v[i].hi);
		H(h, s->v[i].d);
		hash_str(h, s->v[i].comment);
	}
}

static void hash_rule(uint64_t *h, const struct nft_rule *r)
{
	size_t i;

	for (i = 0; i < r->n_m; i++) {
		H(h, r->m[i].sel);
		H(h, r->m[i].val);
		H(h, r->m[i].neg);
		H(h, r->m[i].lo);
		H(h, r->m[i].hi);
		hash_str(h, r->m[i].ifname);
		H(h, r->m[i].set);
	}
	for (i = 0; i < r->n_s; i++) {
		H(h, r->s[i].kind);
		H(h, r->s[i].a);
		H(h, r->s[i].port);
		H(h, r->s[i].unit);
		H(h, r->s[i].level);
		H(h, r->s[i].reject);
		hash_str(h, r->s[i].str);
		H(h, r->s[i].set);
	}
	hash_str(h, r->comment);
}

static uint64_t nft_model_shape(const struct nft_model *m)
{
	uint64_t h = UTIL_HASH_INIT;
	size_t i, j;
	int f;

	for (f = 0; f < NFT_FAM_COUNT; f++) {
		const struct nft_table *t = &m->t[f];

		H(&h, t->present);
		for (i = 0; i < t->n_helpers; i++) {
			hash_str(&h, t->helpers[i].name);
			hash_str(&h, t->helpers[i].kname);
			H(&h, t->helpers[i].proto);
		}
		for (i = 0; i < t->n_timeouts; i++) {
			hash_str(&h, t->timeouts[i].name);
			H(&h, t->timeouts[i].proto);
			H(&h, t->timeouts[i].secs);
		}
		for (i = 0; i < t->n_sets; i++)
			hash_set(&h, &t->sets[i]);
		for (i = 0; i < t->n_chains; i++) {
			const struct nft_chain *c = &t->chains[i];

			hash_str(&h, c->name);
			H(&h, c->nat);
			H(&h, c->hook);
			H(&h, c->prio);
			H(&h, c->drop);
			for (j = 0; j < c->n; j++)
				hash_rule(&h, &c->v[j]);
		}
	}
	return h;
}

/* The record: "SHAPE FINGERPRINT NETNS\n" in hex, or zeros when there is none. */
struct nft_record {
	uint64_t shape, fingerprint, netns;
};

static uint64_t netns_id(void)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		return 0;
	return ((uint64_t)st.st_dev << 32) ^ (uint64_t)st.st_ino;
}

static void record_read(const char *path, struct nft_record *r)
{
	FILE *f = fopen(path, "r");

	memset(r, 0, sizeof(*r));
	if (!f)
		return;
	if (fscanf(f, "%" SCNx64 " %" SCNx64 " %" SCNx64, &r->shape, &r->fingerprint,
		   &r->netns) != 3)
		memset(r, 0, sizeof(*r));
	fclose(f);
}

/* Write the record atomically; a failure only costs the next apply its delta. */
static void record_write(const char *path, const struct nft_record *r)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");

	if (f && fprintf(f, "%016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", r->shape,
			 r->fingerprint, r->netns) > 0 && fclose(f) == 0) {
		f = NULL;
		if (rename(tmp, path) == 0)
			goto out;
	}
	if (f)
		fclose(f);
	unlink(tmp);
	remove(path);
out:
	free(tmp);
}

/* Copy a data nest's NFTA_DATA_VALUE into @out (at most @room bytes). */
static size_t data_value(const struct nlattr *nest, uint8_t *out, size_t room)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
	{
		size_t len = mnl_attr_get_payload_len(a);

		if (mnl_attr_get_type(a) == NFTA_DATA_VALUE && len <= room) {
			memcpy(out, mnl_attr_get_payload(a), len);
			return len;
		}
	}
	return 0;
}

static int dump_elems_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nft_kelems *out = data;
	const struct nlattr *list, *elem, *a;

	mnl_attr_for_each(list, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(list) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(elem, list)
		{
			struct nft_kelem *k = VEC_PUSH(out->v, out->n, out->cap);

			memset(k, 0, sizeof(*k));
			mnl_attr_for_each_nested(a, elem)
			{
				size_t len = mnl_attr_get_payload_len(a);

				switch (mnl_attr_get_type(a)) {
				case NFTA_SET_ELEM_KEY:
					k->klen = data_value(a, k->key, sizeof(k->key));
					break;
				case NFTA_SET_ELEM_DATA:
					k->dlen = data_value(a, k->data, sizeof(k->data));
					break;
				case NFTA_SET_ELEM_USERDATA:
					k->udata = xmalloc(len);
					memcpy(k->udata, mnl_attr_get_payload(a), len);
					k->ulen = len;
					break;
				}
			}
		}
	}
	return MNL_CB_OK;
}

/* The elements of named set @name of the ip (@v6: ip6) table, as loaded. */
static int dump_elems(struct mnl_socket *nl, bool v6, const char *name, struct nft_kelems *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_set *s = xnonnull(nftnl_set_alloc());
	struct nlmsghdr *nlh;
	int rc;

	nftnl_set_set_str(s, NFTNL_SET_TABLE, "masqgen");
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4,
				    NLM_F_DUMP, 0);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	rc = nl_request(nl, nlh, dump_elems_cb, out);
	if (rc < 0)
		diag_error(NULL, "cannot read the elements of masqgen's set %s: %s", name,
			   strerror(errno));
	return rc;
}

static int kelem_cmp(const void *pa, const void *pb)
{
	const struct nft_kelem *a = pa, *b = pb;

	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return memcmp(a->key, b->key, a->klen);
}

static bool kelem_same(const struct nft_kelem *a, const struct nft_kelem *b)
{
	return a->dlen == b->dlen && memcmp(a->data, b->data, a->dlen) == 0 &&
	       a->ulen == b->ulen && (!a->ulen || memcmp(a->udata, b->udata, a->ulen) == 0);
}

/* Append to @b the change of set @s from what is loaded to the model. Returns the count, or -1. */
static long delta_one(struct nft_batch *b, struct mnl_socket *nl, bool v6,
		      const struct nft_set *s)
{
	struct nft_kelems have = {0}, want = {0};
	const uint8_t **del = NULL;
	const struct nft_elem **add = NULL;
	size_t n_del = 0, cap_del = 0, n_add = 0, cap_add = 0, i = 0, j = 0;
	long rc = -1;

	if (dump_elems(nl, v6, s->name, &have) < 0)
		goto out;
	for (i = 0; i < s->n; i++) {
		struct nft_kelem *k = VEC_PUSH(want.v, want.n, want.cap);

		memset(k, 0, sizeof(*k));
		k->e = &s->v[i];
		k->klen = nft_elem_key(s, k->e, k->key);
		k->dlen = nft_elem_data(s, k->e, k->data);
		k->ulen = nft_elem_udata(k->e, NULL, 0);
		k->udata = k->ulen ? xmalloc(k->ulen) : NULL;
		nft_elem_udata(k->e, k->udata, k->ulen);
	}
	qsort(have.v, have.n, sizeof(*have.v), kelem_cmp);
	qsort(want.v, want.n, sizeof(*want.v), kelem_cmp);
	for (i = 0, j = 0; i < have.n || j < want.n;) {
		int c = i == have.n ? 1 : j == want.n ? -1 : kelem_cmp(&have.v[i], &want.v[j]);

		if (c == 0 && kelem_same(&have.v[i], &want.v[j])) {
			i++;
			j++;
			continue;
		}
		if (c <= 0)
			*VEC_PUSH(del, n_del, cap_del) = have.v[i++].key;
		if (c >= 0)
			*VEC_PUSH(add, n_add, cap_add) = want.v[j++].e;
	}
	if (n_del || n_add)
		nft_build_elems_change(b, v6, s, del, n_del, have.n ? have.v[0].klen : 0, add,
				       n_add);
	rc = (long)(n_del + n_add);
out:
	free(del);
	free(add);
	kelems_free(&have);
	kelems_free(&want);
	return rc;
}

struct nft_apply_ctx {
	const struct nft_model *m;
	struct nft_record rec;
	uint64_t shape;
};

/* nft_replace()'s filler: the elements that changed, or the whole model. */
static int nft_apply_fill(struct nft_batch *b, const struct nft_state *now, const void *arg)
{
	const struct nft_apply_ctx *ctx = arg;
	struct mnl_socket *nl;
	long n, total = 0;
	size_t i;
	int f;

	if (!ctx->rec.shape || ctx->rec.shape != ctx->shape || ctx->rec.netns != netns_id() ||
	    ctx->rec.fingerprint != now->fingerprint || (!now->ip && !now->ip6))
		return nft_build(b, ctx->m, now->ip, now->ip6);
	nl = nl_open();
	if (!nl)
		return -1;
	for (f = 0; f < NFT_FAM_COUNT; f++) {
		const struct nft_table *t = &ctx->m->t[f];

		for (i = 0; i < t->n_sets; i++) {
			if (!delta_set(&t->sets[i]))
				continue;
			n = delta_one(b, nl, f == NFT_FAM_IP6, &t->sets[i]);
			if (n < 0) {
				mnl_socket_close(nl);
				return -1;
			}
			total += n;
		}
	}
	mnl_socket_close(nl);
	return total ? 0 : 1;
}

int nft_apply(const struct nft_model *m, const char *record)
{
	struct nft_apply_ctx ctx = {.m = m, .shape = nft_model_shape(m)};
	struct nft_state after;

	record_read(record, &ctx.rec);
	if (nft_replace(nft_apply_fill, &ctx, 0) < 0) {
		diag_note(NULL, "masqgen's tables are as they were");
		return -1;
	}
	ctx.rec.shape = ctx.shape;
	ctx.rec.netns = netns_id();
	if (nft_state_read(&after) < 0) {
		remove(record);
		return 0;
	}
	ctx.rec.fingerprint = after.fingerprint;
	record_write(record, &ctx.rec);
	return 0;
}

int nft_target_load(const void *m, const struct ir *ir, const char *run_dir)
{
	char *record = xasprintf("%s/nft-loaded", run_dir);
	int rc = nft_apply(m, record);

	free(record);
	return rc;
}
