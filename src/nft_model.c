// SPDX-License-Identifier: GPL-2.0-or-later
/* nft_model.c - building blocks of the nft model (nft_model.h) */
#include "escape.h"
#include "nft.h"
#include "nft_model.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* nft refuses comments longer than this (NFTNL_UDATA_COMMENT_MAXLEN - 1). */
#define NFT_COMMENT_MAX 127

struct nft_rule *nft_rule_add(struct nft_chain *c, char *comment, const struct loc *loc)
{
	struct nft_rule *r = VEC_PUSH(c->v, c->n, c->cap);

	memset(r, 0, sizeof(*r));
	r->comment = comment;
	if (loc)
		r->loc = *loc;
	return r;
}

struct nft_rule *nft_rule_clone_matches(struct nft_chain *c, size_t idx)
{
	struct nft_rule *r, *src;

	r = nft_rule_add(c, NULL, NULL);
	src = &c->v[idx];
	r->comment = xstrdup(src->comment);
	r->loc = src->loc;
	if (src->n_m) {
		r->m = xmalloc(src->n_m * sizeof(*r->m));
		memcpy(r->m, src->m, src->n_m * sizeof(*r->m));
		r->n_m = r->cap_m = src->n_m;
	}
	return r;
}

struct nft_match *nft_match_add(struct nft_rule *r, enum nft_sel sel, enum nft_val val)
{
	struct nft_match *m = VEC_PUSH(r->m, r->n_m, r->cap_m);

	memset(m, 0, sizeof(*m));
	m->sel = sel;
	m->val = val;
	return m;
}

void nft_match_flag(struct nft_rule *r, enum nft_sel sel)
{
	nft_match_add(r, sel, NFT_V_NONE);
}

void nft_match_eq(struct nft_rule *r, enum nft_sel sel, uint32_t v)
{
	nft_match_add(r, sel, NFT_V_EQ)->lo = v;
}

void nft_match_ifname(struct nft_rule *r, enum nft_sel sel, const char *name)
{
	nft_match_add(r, sel, NFT_V_EQ)->ifname = name;
}

struct nft_stmt *nft_stmt_add(struct nft_rule *r, enum nft_stmt_kind kind)
{
	struct nft_stmt *s = VEC_PUSH(r->s, r->n_s, r->cap_s);

	memset(s, 0, sizeof(*s));
	s->kind = kind;
	return s;
}

size_t nft_set_new(struct nft_table *t, char *name, enum nft_set_kind kind)
{
	struct nft_set *s = VEC_PUSH(t->sets, t->n_sets, t->cap_sets);

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->kind = kind;
	s->interval = kind == NFT_SK_ADDR || kind == NFT_SK_ADDR6;
	return t->n_sets - 1;
}

struct nft_elem *nft_elem_add(struct nft_set *s, char *comment)
{
	struct nft_elem *e = VEC_PUSH(s->v, s->n, s->cap);

	memset(e, 0, sizeof(*e));
	e->comment = comment;
	return e;
}

void nft_set_reserve(struct nft_set *s, size_t n)
{
	util_grow(&s->v, &s->cap, s->n + n, sizeof(*s->v));
}

size_t nft_set_find(const struct nft_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_sets; i++)
		if (t->sets[i].name && strcmp(t->sets[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

uint32_t nft_set_size(const struct nft_set *s)
{
	uint64_t want = (s->interval ? 2 * (uint64_t)s->n + 1 : s->n) * 3 / 2;
	uint32_t size = 64;

	if (s->dynamic)
		return IR_LIMIT_SOURCES;
	while (size < want && size < (1u << 31))
		size <<= 1;
	return size;
}

/*
 * Order positions in @elems (a set's elements) by their element's key,
 * then by position, so that among equal keys (and among intervals starting
 * at the same place) the first in policy order wins.
 */
static int elem_cmp(const void *a, const void *b, void *elems)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b, k;
	const struct nft_elem *x = (const struct nft_elem *)elems + i;
	const struct nft_elem *y = (const struct nft_elem *)elems + j;

	if (x->k6 != y->k6)
		return x->k6 < y->k6 ? -1 : 1;
	for (k = 0; k < ARRAY_SIZE(x->k); k++)
		if (x->k[k] != y->k[k])
			return x->k[k] < y->k[k] ? -1 : 1;
	if (i != j)
		return i < j ? -1 : 1;
	return 0;
}

/*
 * Put @s's elements in the order @order gives (position j gets the
 * element at order[j]), moving each element once along its cycle; @order
 * is left the identity.
 */
static void elems_permute(struct nft_set *s, size_t *order)
{
	struct nft_elem keep;
	size_t i, j, k;

	for (i = 0; i < s->n; i++) {
		if (order[i] == i)
			continue;
		keep = s->v[i];
		for (j = i;; j = k) {
			k = order[j];
			order[j] = j;
			if (k == i) {
				s->v[j] = keep;
				break;
			}
			s->v[j] = s->v[k];
		}
	}
}

/*
 * @s's keys as numbers in elem_cmp()'s order, each field of k[] given the
 * bits its largest value needs, or NULL when they need more than 64 (or
 * the elements have IPv6 keys that differ).
 */
static uint64_t *elem_keys(const struct nft_set *s)
{
	uint32_t any[ARRAY_SIZE(s->v[0].k)] = {0};
	unsigned width[ARRAY_SIZE(any)], total = 0;
	uint64_t *keys;
	size_t i, k;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].k6 != s->v[0].k6)
			return NULL;
		for (k = 0; k < ARRAY_SIZE(any); k++)
			any[k] |= s->v[i].k[k];
	}
	/* a field's width: the bits of the OR of its values */
	for (k = 0; k < ARRAY_SIZE(any); k++) {
		width[k] = any[k] ? 32 - (unsigned)__builtin_clz(any[k]) : 0;
		total += width[k];
	}
	if (total > 64)
		return NULL;
	keys = xmalloc(s->n * sizeof(*keys));
	for (i = 0; i < s->n; i++) {
		keys[i] = 0;
		for (k = 0; k < ARRAY_SIZE(width); k++)
			if (width[k])
				keys[i] = keys[i] << width[k] | s->v[i].k[k];
	}
	return keys;
}

void nft_set_normalize(struct nft_table *t, size_t idx, bool merge_adjacent)
{
	struct nft_set *s = &t->sets[idx];
	uint64_t *keys;
	size_t *order;
	size_t i, n = 0;

	if (s->n == 0)
		return;
	/* sort positions, not elements: a tenth of the bytes moved, no copy of the set */
	keys = elem_keys(s);
	if (keys) {
		order = util_sort_keys(keys, s->n);
		free(keys);
	} else {
		order = xmalloc(s->n * sizeof(*order));
		for (i = 0; i < s->n; i++)
			order[i] = i;
		qsort_r(order, s->n, sizeof(*order), elem_cmp, s->v);
	}
	elems_permute(s, order);
	free(order);
	for (i = 0; i < s->n; i++) {
		struct nft_elem *e = &s->v[i], *last = n ? &s->v[n - 1] : NULL;

		if (!s->interval) {
			if (last && memcmp(last->k, e->k, sizeof(e->k)) == 0 && last->k6 == e->k6) {
				free(e->comment);
				continue;
			}
		} else if (last && (nft_elem_lo(s, e) <= nft_elem_hi(s, last) ||
				    (merge_adjacent && nft_elem_hi(s, last) != nft_set_key_max(s) &&
				     nft_elem_lo(s, e) == nft_elem_hi(s, last) + 1))) {
			if (nft_elem_hi(s, e) > nft_elem_hi(s, last))
				nft_elem_set_hi(s, last, nft_elem_hi(s, e));
			free(e->comment);
			continue;
		}
		if (n != i)
			s->v[n] = *e;
		n++;
	}
	s->n = n;
}

const char *nft_table_str(struct nft_table *t, const char *s)
{
	char *copy = xstrdup(s ? s : "");

	*VEC_PUSH(t->strs, t->n_strs, t->cap_strs) = copy;
	return copy;
}

char *nft_comment(const struct loc *loc, const char *tag)
{
	struct strbuf sb = {0};
	char *where, *s, *p;
	size_t len;

	where = loc && loc->src ? diag_loc_str(loc) : xstrdup(tag);
	/* the kernel keeps it, and `nft list` prints it in quotes */
	len = escape_nft_plain_len(where);
	if (where[len] == '\0') {
		/* as it is (mostly): keep the exact-size copy, one per set element */
		s = where;
	} else {
		escape_nft_string(&sb, where);
		free(where);
		s = sb.buf;
		len = sb.len;
	}
	if (len > NFT_COMMENT_MAX) {
		/* keep the end: the file name and the line are what matter */
		p = s + len - (NFT_COMMENT_MAX - 3);
		while ((*p & 0xc0) == 0x80)
			p++;
		p = xasprintf("...%s", p);
		free(s);
		s = p;
	}
	return s;
}

char *nft_elem_comment(const struct loc *loc)
{
	return loc && loc->src ? nft_comment(loc, NULL) : NULL;
}

const char *nft_proto_name(uint8_t proto)
{
	return proto == IR_P_ANY ? NULL : ir_proto_name(proto);
}

static void rule_free(struct nft_rule *r)
{
	free(r->m);
	free(r->s);
	free(r->comment);
}

static void table_free(struct nft_table *t)
{
	size_t i, j;

	for (i = 0; i < t->n_helpers; i++)
		free(t->helpers[i].name);
	free(t->helpers);
	for (i = 0; i < t->n_timeouts; i++)
		free(t->timeouts[i].name);
	free(t->timeouts);
	for (i = 0; i < t->n_sets; i++) {
		for (j = 0; j < t->sets[i].n; j++)
			free(t->sets[i].v[j].comment);
		free(t->sets[i].v);
		free(t->sets[i].name);
	}
	free(t->sets);
	for (i = 0; i < t->n_chains; i++) {
		for (j = 0; j < t->chains[i].n; j++)
			rule_free(&t->chains[i].v[j]);
		free(t->chains[i].v);
	}
	free(t->chains);
	for (i = 0; i < t->n_strs; i++)
		free(t->strs[i]);
	free(t->strs);
}

void nft_model_free(struct nft_model *m)
{
	int f;

	if (!m)
		return;
	for (f = 0; f < NFT_FAM_COUNT; f++)
		table_free(&m->t[f]);
	table_free(&m->upnp);
	free(m);
}

void nft_set_drop_last(struct nft_table *t)
{
	struct nft_set *s = &t->sets[--t->n_sets];
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].comment);
	free(s->v);
	free(s->name);
}

static bool same_comment(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/*
 * Whether nft would merge touching intervals of different policy lines,
 * had they to go in an anonymous set: a named set keeps them apart.
 */
static bool merge_loses_places(const struct nft_set *s)
{
	size_t i;

	for (i = 1; s->interval && i < s->n; i++)
		if (nft_elem_hi(s, &s->v[i - 1]) != nft_set_key_max(s) &&
		    nft_elem_lo(s, &s->v[i]) == nft_elem_hi(s, &s->v[i - 1]) + 1 &&
		    !same_comment(s->v[i - 1].comment, s->v[i].comment))
			return true;
	return false;
}

/*
 * Give the list just collected in set @idx (the table's last set) its
 * final form: a named set when large or when merging would lose element
 * comments, else merged like nft merges an anonymous set, and a plain
 * value when one element remains (nft itself turns `{ x }` into `x`, so
 * the text and the batch must agree).
 */
void nft_match_list(struct nft_table *t, struct nft_rule *r, enum nft_sel sel, bool neg,
		    size_t idx, char *set_name)
{
	struct nft_set *s = &t->sets[idx];
	struct nft_match *m;
	struct nft_elem e;

	s->sel = sel;
	nft_set_normalize(t, idx, false);
	if (s->n > NFT_ANON_MAX || merge_loses_places(s)) {
		m = nft_match_add(r, sel, NFT_V_SET);
		m->neg = neg;
		m->set = nft_set_find(t, set_name);
		if (m->set == SIZE_MAX) {
			s->name = set_name;
			m->set = idx;
			return;
		}
		/* a list used by several rules (the LAN's networks): one set */
		free(set_name);
		nft_set_drop_last(t);
		return;
	}
	free(set_name);
	nft_set_normalize(t, idx, true);
	if (s->n > 1) {
		m = nft_match_add(r, sel, NFT_V_SET);
		m->set = idx;
		m->neg = neg;
		return;
	}
	e = s->v[0];
	m = nft_match_add(r, sel, s->interval && nft_elem_lo(s, &e) != nft_elem_hi(s, &e)
					  ? NFT_V_RANGE
					  : NFT_V_EQ);
	m->lo = e.k[0];
	m->hi = s->interval ? e.hi : e.k[0];
	m->lo6 = e.k6;
	m->hi6 = e.hi6;
	m->neg = neg;
	s->v[0].comment = NULL;
	free(e.comment);
	nft_set_drop_last(t);
}

void nft_match_addrs(struct nft_table *t, struct nft_rule *r, enum nft_sel sel,
		     const struct ir_addrs *a, bool neg, char *set_name)
{
	size_t i, idx;
	struct nft_match *m;
	struct nft_elem *e;
	ir_u128 mask6;
	bool v6;

	if (a->n == 0) {
		free(set_name);
		return;
	}
	/* a rule's list is of one family (ir.h) */
	v6 = a->v[0].family == IR_F_IPV6;
	if (v6)
		sel = sel == NFT_SEL_SADDR ? NFT_SEL_SADDR6 : NFT_SEL_DADDR6;
	idx = nft_set_new(t, NULL, v6 ? NFT_SK_ADDR6 : NFT_SK_ADDR);
	/* identifier matches share one mask (ir.h): plain values under it */
	mask6 = ir_addr_mask6(&a->v[0]);
	if (mask6)
		t->sets[idx].interval = false;
	for (i = 0; i < a->n; i++) {
		e = nft_elem_add(&t->sets[idx], nft_elem_comment(&a->v[i].loc));
		e->k[0] = a->v[i].lo;
		e->hi = a->v[i].hi;
		e->k6 = a->v[i].lo6;
		e->hi6 = a->v[i].hi6;
	}
	nft_match_list(t, r, sel, neg, idx, set_name);
	if (!mask6)
		return;
	m = &r->m[r->n_m - 1];
	m->mask6 = mask6;
	if (m->val == NFT_V_SET)
		t->sets[m->set].masked = true;
}

void nft_match_ports(struct nft_table *t, struct nft_rule *r, enum nft_sel sel,
		     const struct ir_ports *p, uint8_t proto, char *set_name)
{
	bool interval = false;
	struct nft_elem *e;
	size_t i, idx;

	for (i = 0; i < p->n; i++)
		if (p->v[i].proto == proto && p->v[i].lo != p->v[i].hi)
			interval = true;
	idx = nft_set_new(t, NULL, NFT_SK_PORT);
	t->sets[idx].interval = interval;
	for (i = 0; i < p->n; i++) {
		if (p->v[i].proto != proto)
			continue;
		e = nft_elem_add(&t->sets[idx], nft_elem_comment(&p->v[i].loc));
		e->k[0] = p->v[i].lo;
		e->hi = p->v[i].hi;
	}
	if (t->sets[idx].n == 0) {
		nft_set_drop_last(t);
		free(set_name);
		return;
	}
	nft_match_list(t, r, sel, false, idx, set_name);
}

struct nft_chain *nft_chain_begin(struct nft_table *t, const char *name, bool nat,
				  enum nft_hook hook, int prio, bool drop)
{
	struct nft_chain *c = VEC_PUSH(t->chains, t->n_chains, t->cap_chains);

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->nat = nat;
	c->hook = hook;
	c->prio = prio;
	c->drop = drop;
	return c;
}

const char *nft_chain_type(const struct nft_chain *c)
{
	return c->nat ? "nat" : c->route ? "route" : "filter";
}

void nft_chain_end(struct nft_table *t)
{
	struct nft_chain *c = &t->chains[t->n_chains - 1];

	if (c->n == 0 && !c->drop) {
		free(c->v);
		t->n_chains--;
	}
}

/*
 * The admission elements of port forward @f into set @s: its target
 * address and port with the public port the connection was addressed to
 * (`ip daddr . th dport . ct original proto-dst`), port by port.
 */
void nft_admit_elems(struct nft_set *s, const struct ir_forward *f)
{
	struct nft_elem *e;
	uint32_t p;

	for (p = f->lo; p <= f->hi; p++) {
		e = nft_elem_add(s, nft_elem_comment(&f->loc));
		e->k[0] = f->host;
		e->k[1] = f->to_lo + (p - f->lo);
		e->k[2] = p;
	}
}

char *nft_live_set_name(const char *name, enum nft_fam fam)
{
	return xasprintf("%s_v%c", name, fam == NFT_FAM_IP6 ? '6' : '4');
}
