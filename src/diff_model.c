// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diff_model.c - loaded tables against compiled ones, by meaning (diff_model.h).
 *
 * Rules compare by a key that hashes what a rule does (matches,
 * statements, the contents of its anonymous sets, the identity of the
 * named sets it uses) and never its comment; each chain's two rule lists
 * are aligned by their longest common subsequence, after the common start
 * and end are set aside (one changed rule among thousands costs nothing).
 * Sets compare element by element in their sorted order.
 */
#include "diff_model.h"

#include "diag.h"
#include "escape.h"
#include "nft_model.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Rule lists aligned by LCS only while the table of the middle stays this small. */
static const char *const diff_fam_names[NFT_FAM_COUNT] = {"ip", "ip6"};

/* One table of one side, with what the comparison derives from it. */
struct diff_side {
	const struct nft_table *t;
	uint64_t *set_key;	/* per set: what a rule's reference to it means */
	size_t *peer;		/* per set: the paired set of the other side, or SIZE_MAX */
};

static uint64_t hash_u32(uint64_t h, uint32_t v)
{
	return util_hash(h, &v, sizeof(v));
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	return s ? util_hash(h, s, strlen(s) + 1) : hash_u32(h, 0);
}

void diff_emit(struct diff_ctx *d, char sign, const char *text, const char *place)
{
	struct strbuf line = {0};

	/* the places and names come from the kernel and from the policy's path */
	sb_addf(&line, "%c ", sign);
	escape_comment(&line, text);
	if (place) {
		sb_add(&line, "  (");
		escape_comment(&line, place);
		sb_add(&line, ")");
	}
	sb_add(&line, "\n");
	if (d->last.len != line.len || memcmp(d->last.buf, line.buf, line.len) != 0) {
		sb_addn(d->out, line.buf, line.len);
		d->n++;
	}
	sb_free(&d->last);
	d->last = line;
}

/* --- sets */

static int elem_cmp(const struct nft_set *s, const struct nft_elem *a, const struct nft_elem *b)
{
	size_t i;

	if (a->k6 != b->k6)
		return a->k6 < b->k6 ? -1 : 1;
	for (i = 0; i < ARRAY_SIZE(a->k); i++)
		if (a->k[i] != b->k[i])
			return a->k[i] < b->k[i] ? -1 : 1;
	if (s->interval && nft_elem_hi(s, a) != nft_elem_hi(s, b))
		return nft_elem_hi(s, a) < nft_elem_hi(s, b) ? -1 : 1;
	for (i = 0; s->kind == NFT_SK_FWD_MAP && i < ARRAY_SIZE(a->d); i++)
		if (a->d[i] != b->d[i])
			return a->d[i] < b->d[i] ? -1 : 1;
	return 0;
}

/*
 * Whether @s is an interval set for the comparison: an anonymous interval
 * set of single values means what a plain one does (`nft -f` makes an
 * anonymous set of addresses plain, the batch an interval one).
 */
static bool set_interval(const struct nft_set *s)
{
	size_t i;

	if (!s->interval || s->name)
		return s->interval;
	for (i = 0; i < s->n; i++)
		if (nft_elem_lo(s, &s->v[i]) != nft_elem_hi(s, &s->v[i]))
			return true;
	return false;
}

static uint64_t set_content(const struct nft_set *s)
{
	bool interval = set_interval(s);
	uint64_t h = hash_u32(hash_u32(hash_u32(hash_u32(UTIL_HASH_INIT, s->kind), interval),
					s->dynamic),
			      s->timeout);
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct nft_elem *e = &s->v[i];

		h = util_hash(h, e->k, sizeof(e->k));
		if (nft_set_v6(s))
			h = util_hash(h, &e->k6, sizeof(e->k6));
		if (interval)
			h = hash_u32(h, e->hi);
		if (interval && nft_set_v6(s))
			h = util_hash(h, &e->hi6, sizeof(e->hi6));
		if (s->kind == NFT_SK_FWD_MAP)
			h = util_hash(h, e->d, sizeof(e->d));
	}
	return h;
}

static bool same_shape(const struct nft_set *a, const struct nft_set *b)
{
	return a->kind == b->kind && a->interval == b->interval && a->dynamic == b->dynamic &&
	       a->timeout == b->timeout;
}

/*
 * Pair the named sets of @h and @w: by name, then the rest by content (a
 * name made from a rule's position moved). A reference to a paired set
 * means the same on both sides; an anonymous set means its content.
 */
static void pair_sets(struct diff_side *h, struct diff_side *w)
{
	struct diff_side *sides[2] = {h, w};
	uint64_t *content[2];
	size_t i, j, k;

	for (k = 0; k < 2; k++) {
		const struct nft_table *t = sides[k]->t;

		sides[k]->set_key = xcalloc(t->n_sets + 1, sizeof(uint64_t));
		sides[k]->peer = xmalloc((t->n_sets + 1) * sizeof(size_t));
		content[k] = xcalloc(t->n_sets + 1, sizeof(uint64_t));
		for (i = 0; i < t->n_sets; i++) {
			content[k][i] = set_content(&t->sets[i]);
			sides[k]->peer[i] = SIZE_MAX;
			/* unpaired named sets never match anything of the other side */
			sides[k]->set_key[i] = t->sets[i].name
						   ? hash_u32(hash_u32(UTIL_HASH_INIT, (uint32_t)k),
							      (uint32_t)i)
						   : content[k][i];
		}
	}
	for (k = 0; k < 2; k++) {
		for (i = 0; i < w->t->n_sets; i++) {
			const struct nft_set *ws = &w->t->sets[i];

			for (j = 0; ws->name && w->peer[i] == SIZE_MAX && j < h->t->n_sets; j++) {
				const struct nft_set *hs = &h->t->sets[j];

				if (!hs->name || h->peer[j] != SIZE_MAX || !same_shape(hs, ws))
					continue;
				if (k == 0 ? strcmp(hs->name, ws->name) != 0
					   : content[0][j] != content[1][i])
					continue;
				h->peer[j] = i;
				w->peer[i] = j;
				h->set_key[j] = w->set_key[i] = hash_str(UTIL_HASH_INIT, hs->name);
			}
		}
	}
	free(content[0]);
	free(content[1]);
}

/* Whether the admission set @idx of @t is looked up for udp (else tcp). */
static bool admit_udp(const struct nft_table *t, size_t idx)
{
	size_t i, j, k;

	for (i = 0; i < t->n_chains; i++)
		for (j = 0; j < t->chains[i].n; j++)
			for (k = 0; k < t->chains[i].v[j].n_m; k++)
				if (t->chains[i].v[j].m[k].val == NFT_V_SET &&
				    t->chains[i].v[j].m[k].set == idx)
					return t->chains[i].v[j].m[k].sel == NFT_SEL_ADMIT_UDP;
	return false;
}

/* The interface of the forwards rule that uses map @idx of @t, or NULL. */
static const char *map_iface(const struct nft_table *t, size_t idx)
{
	size_t i, j, k, l;

	for (i = 0; i < t->n_chains; i++) {
		for (j = 0; j < t->chains[i].n; j++) {
			const struct nft_rule *r = &t->chains[i].v[j];

			for (k = 0; k < r->n_s; k++) {
				if (r->s[k].kind != NFT_S_DNAT_MAP || r->s[k].set != idx)
					continue;
				for (l = 0; l < r->n_m; l++)
					if (r->m[l].sel == NFT_SEL_IIFNAME)
						return r->m[l].ifname;
			}
		}
	}
	return NULL;
}

/* Whether @t has forward maps for more than one interface. */
static bool many_maps(const struct nft_table *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->n_sets; i++)
		n += t->sets[i].name && t->sets[i].kind == NFT_SK_FWD_MAP &&
		     strcmp(t->sets[i].name, "fwd_reflect") != 0;
	return n > 1;
}

/* An element in the policy's words where it has them, else in nft's. */
static void elem_text(struct diff_ctx *d, const struct nft_table *t, size_t idx,
		      const struct nft_elem *e, struct strbuf *sb)
{
	const struct nft_set *s = &t->sets[idx];
	const char *ifname;

	switch (s->kind) {
	case NFT_SK_FWD_MAP:
		sb_add(sb, "forward ");
		nft_text_proto(sb, e->k[0]);
		sb_addf(sb, " %u", e->k[1]);
		ifname = many_maps(t) ? map_iface(t, idx) : NULL;
		if (ifname)
			sb_addf(sb, " on %s", ifname);
		sb_add(sb, " to ");
		nft_text_ip(sb, e->d[0]);
		sb_addf(sb, ":%u", e->d[1]);
		if (strcmp(s->name, "fwd_reflect") == 0)
			sb_add(sb, " (reflected)");
		return;
	case NFT_SK_ADMIT:
		sb_addf(sb, "forward %s %u to ", admit_udp(t, idx) ? "udp" : "tcp", e->k[2]);
		nft_text_ip(sb, e->k[0]);
		sb_addf(sb, ":%u (admitted)", e->k[1]);
		return;
	case NFT_SK_TARGET:
	case NFT_SK_PROTO_TARGET:
		sb_add(sb, "forward target ");
		nft_text_proto(sb, e->k[1]);
		sb_add(sb, " ");
		nft_text_ip(sb, e->k[0]);
		if (s->kind == NFT_SK_TARGET)
			sb_addf(sb, ":%u", e->k[2]);
		return;
	default:
		sb_addf(sb, "%s set %s: ", d->fname, s->name);
		nft_text_elem(sb, s, e, false);
		return;
	}
}

static void emit_elem(struct diff_ctx *d, char sign, const struct nft_table *t, size_t idx,
		      const struct nft_elem *e)
{
	struct strbuf sb = {0};

	elem_text(d, t, idx, e, &sb);
	diff_emit(d, sign, sb.buf, e->comment);
	sb_free(&sb);
}

static void diff_elems(struct diff_ctx *d, const struct diff_side *h, size_t hi,
		       const struct diff_side *w, size_t wi)
{
	const struct nft_set *hs = &h->t->sets[hi], *ws = &w->t->sets[wi];
	size_t i = 0, j = 0;
	int c;

	while (i < hs->n || j < ws->n) {
		c = i == hs->n ? 1 : j == ws->n ? -1 : elem_cmp(hs, &hs->v[i], &ws->v[j]);
		if (c < 0 && ws->live)
			i++;	/* a live set's run-time elements are no difference */
		else if (c < 0)
			emit_elem(d, '-', h->t, hi, &hs->v[i++]);
		else if (c > 0)
			emit_elem(d, '+', w->t, wi, &ws->v[j++]);
		else
			i++, j++;
	}
}

static void diff_sets(struct diff_ctx *d, const struct diff_side *h, const struct diff_side *w)
{
	size_t i, j;

	for (i = 0; i < h->t->n_sets; i++) {
		if (!h->t->sets[i].name)
			continue;
		if (h->peer[i] != SIZE_MAX) {
			diff_elems(d, h, i, w, h->peer[i]);
			continue;
		}
		for (j = 0; j < h->t->sets[i].n; j++)
			emit_elem(d, '-', h->t, i, &h->t->sets[i].v[j]);
	}
	for (i = 0; i < w->t->n_sets; i++)
		for (j = 0; w->t->sets[i].name && w->peer[i] == SIZE_MAX && j < w->t->sets[i].n; j++)
			emit_elem(d, '+', w->t, i, &w->t->sets[i].v[j]);
}

/* --- objects */

static void timeout_text(struct strbuf *sb, const struct nft_timeout_obj *o)
{
	size_t i;

	nft_text_proto(sb, o->proto);
	for (i = 0; i < ARRAY_SIZE(o->secs); i++)
		sb_addf(sb, "%s%u", i ? "," : " ", o->secs[i]);
}

static void helper_text(struct strbuf *sb, const struct nft_helper_obj *o)
{
	sb_addf(sb, "%s ", o->kname);
	nft_text_proto(sb, o->proto);
}

static size_t find_helper(const struct nft_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_helpers; i++)
		if (strcmp(t->helpers[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

static size_t find_timeout(const struct nft_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_timeouts; i++)
		if (strcmp(t->timeouts[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

/* "KIND NAME: OLD -> NEW", "KIND NAME: OLD" or "KIND NAME: NEW" for one object. */
static void emit_object(struct diff_ctx *d, const char *kind, const char *name,
			const struct strbuf *old, const struct strbuf *new)
{
	struct strbuf sb = {0};

	sb_addf(&sb, "%s %s %s: %s", d->fname, kind, name, old ? old->buf : new->buf);
	if (old && new)
		sb_addf(&sb, " -> %s", new->buf);
	diff_emit(d, old && new ? '~' : old ? '-' : '+', sb.buf, NULL);
	sb_free(&sb);
}

static void diff_objects(struct diff_ctx *d, const struct nft_table *h, const struct nft_table *w)
{
	struct strbuf a = {0}, b = {0};
	size_t i, j;

	for (i = 0; i < h->n_helpers; i++) {
		a.len = b.len = 0;
		helper_text(&a, &h->helpers[i]);
		j = find_helper(w, h->helpers[i].name);
		if (j != SIZE_MAX)
			helper_text(&b, &w->helpers[j]);
		if (j == SIZE_MAX || strcmp(a.buf, b.buf) != 0)
			emit_object(d, "ct helper", h->helpers[i].name, &a, j == SIZE_MAX ? NULL : &b);
	}
	for (i = 0; i < w->n_helpers; i++) {
		if (find_helper(h, w->helpers[i].name) != SIZE_MAX)
			continue;
		b.len = 0;
		helper_text(&b, &w->helpers[i]);
		emit_object(d, "ct helper", w->helpers[i].name, NULL, &b);
	}
	for (i = 0; i < h->n_timeouts; i++) {
		a.len = b.len = 0;
		timeout_text(&a, &h->timeouts[i]);
		j = find_timeout(w, h->timeouts[i].name);
		if (j != SIZE_MAX)
			timeout_text(&b, &w->timeouts[j]);
		if (j == SIZE_MAX || strcmp(a.buf, b.buf) != 0)
			emit_object(d, "ct timeout", h->timeouts[i].name, &a,
				    j == SIZE_MAX ? NULL : &b);
	}
	for (i = 0; i < w->n_timeouts; i++) {
		if (find_timeout(h, w->timeouts[i].name) != SIZE_MAX)
			continue;
		b.len = 0;
		timeout_text(&b, &w->timeouts[i]);
		emit_object(d, "ct timeout", w->timeouts[i].name, NULL, &b);
	}
	sb_free(&a);
	sb_free(&b);
}

/* --- chains and rules */

static uint64_t rule_key(const struct diff_side *sd, const struct nft_rule *r)
{
	uint64_t h = UTIL_HASH_INIT;
	size_t i;

	for (i = 0; i < r->n_m; i++) {
		const struct nft_match *m = &r->m[i];

		h = hash_u32(hash_u32(hash_u32(h, m->sel), m->val), m->neg);
		if (m->val == NFT_V_EQ && (m->sel == NFT_SEL_IIFNAME || m->sel == NFT_SEL_OIFNAME))
			h = hash_str(h, m->ifname);
		else if (m->val == NFT_V_EQ && m->mask6)
			h = util_hash(util_hash(h, &m->lo6, sizeof(m->lo6)), &m->mask6,
				      sizeof(m->mask6));
		else if (m->val == NFT_V_EQ)
			h = util_hash(hash_u32(h, m->lo), &m->lo6, sizeof(m->lo6));
		else if (m->val == NFT_V_RANGE)
			h = util_hash(util_hash(hash_u32(hash_u32(h, m->lo), m->hi), &m->lo6,
						sizeof(m->lo6)),
				      &m->hi6, sizeof(m->hi6));
		else if (m->val == NFT_V_SET)
			h = util_hash(h, &sd->set_key[m->set], sizeof(uint64_t));
		/* several identifiers: a set under a mask */
		if (m->val == NFT_V_SET && m->mask6)
			h = util_hash(h, &m->mask6, sizeof(m->mask6));
	}
	h = hash_u32(h, UINT32_MAX);
	for (i = 0; i < r->n_s; i++) {
		const struct nft_stmt *s = &r->s[i];

		h = hash_u32(h, s->kind);
		switch (s->kind) {
		case NFT_S_LIMIT:
			h = hash_u32(hash_u32(hash_u32(h, s->a), s->unit), s->burst);
			break;
		case NFT_S_METER:
			h = util_hash(hash_u32(hash_u32(hash_u32(h, s->a), s->unit), s->burst),
				      &sd->set_key[s->set], sizeof(uint64_t));
			break;
		case NFT_S_LOG:
			h = hash_u32(hash_str(h, s->str), s->level);
			break;
		case NFT_S_REJECT:
			h = hash_u32(h, s->reject);
			break;
		case NFT_S_DNAT:
		case NFT_S_SNAT:
			h = hash_u32(hash_u32(h, s->a), s->port);
			break;
		case NFT_S_DNAT_MAP:
			h = util_hash(h, &sd->set_key[s->set], sizeof(uint64_t));
			break;
		case NFT_S_CT_HELPER:
		case NFT_S_CT_TIMEOUT:
			h = hash_str(h, s->str);
			break;
		case NFT_S_MSS:
			h = hash_u32(h, s->port);
			break;
		case NFT_S_CT_MARK_WAN:
			h = hash_u32(h, s->a);
			break;
		default:
			break;
		}
	}
	return h;
}

/* A rule: a new one in its policy line's words, else as nft text in its chain. */
static void emit_rule(struct diff_ctx *d, char sign, const struct nft_table *t,
		      const struct nft_chain *c, const struct nft_rule *r)
{
	struct strbuf sb = {0};
	const char *line = NULL;
	size_t len = 0;

	if (sign == '+' && r->loc.src)
		line = diag_loc_line(&r->loc, &len);
	while (line && len && (*line == ' ' || *line == '\t'))
		line++, len--;
	while (line && len && (line[len - 1] == ' ' || line[len - 1] == '\t' ||
			       line[len - 1] == '\r'))
		len--;
	if (line && len) {
		sb_addn(&sb, line, len);
	} else {
		sb_addf(&sb, "%s %s: ", d->fname, c->name);
		nft_text_rule(&sb, t, d->fam, r);
	}
	diff_emit(d, sign, sb.buf, r->comment);
	sb_free(&sb);
}

void diff_align(const uint64_t *ka, size_t na, const uint64_t *kb, size_t nb,
		void (*cb)(void *arg, char sign, size_t idx), void *arg)
{
	size_t pre = 0, suf = 0, i, j, ma, mb;
	uint32_t *lcs = NULL;

	while (pre < na && pre < nb && ka[pre] == kb[pre])
		pre++;
	while (suf < na - pre && suf < nb - pre && ka[na - 1 - suf] == kb[nb - 1 - suf])
		suf++;
	ma = na - pre - suf;
	mb = nb - pre - suf;
	if (ma && mb && (uint64_t)(ma + 1) * (mb + 1) <= DIFF_LCS_CELLS) {
		lcs = xcalloc((ma + 1) * (mb + 1), sizeof(*lcs));
#define LCS(x, y) lcs[(x) * (mb + 1) + (y)]
		for (i = ma; i-- > 0;)
			for (j = mb; j-- > 0;)
				LCS(i, j) = ka[pre + i] == kb[pre + j]
						? LCS(i + 1, j + 1) + 1
						: (LCS(i + 1, j) > LCS(i, j + 1) ? LCS(i + 1, j)
										 : LCS(i, j + 1));
	}
	i = j = 0;
	while (i < ma || j < mb) {
		if (lcs && i < ma && j < mb && ka[pre + i] == kb[pre + j]) {
			i++, j++;
		} else if (i < ma && (j == mb || !lcs || LCS(i + 1, j) >= LCS(i, j + 1))) {
			cb(arg, '-', pre + i++);
		} else {
			cb(arg, '+', pre + j++);
		}
	}
#undef LCS
	free(lcs);
}

/* The two chains diff_rules() aligns, for its callback. */
struct rule_pair {
	struct diff_ctx *d;
	const struct diff_side *h, *w;
	const struct nft_chain *hc, *wc;
};

static void rule_changed(void *arg, char sign, size_t idx)
{
	const struct rule_pair *p = arg;

	if (sign == '-')
		emit_rule(p->d, sign, p->h->t, p->hc, &p->hc->v[idx]);
	else
		emit_rule(p->d, sign, p->w->t, p->wc, &p->wc->v[idx]);
}

/* Align the rules of @hc and @wc (either NULL) and print what differs. */
static void diff_rules(struct diff_ctx *d, const struct diff_side *h, const struct nft_chain *hc,
		       const struct diff_side *w, const struct nft_chain *wc)
{
	struct rule_pair p = {.d = d, .h = h, .w = w, .hc = hc, .wc = wc};
	size_t na = hc ? hc->n : 0, nb = wc ? wc->n : 0, i;
	uint64_t *ka = xcalloc(na + 1, sizeof(*ka)), *kb = xcalloc(nb + 1, sizeof(*kb));

	for (i = 0; i < na; i++)
		ka[i] = rule_key(h, &hc->v[i]);
	for (i = 0; i < nb; i++)
		kb[i] = rule_key(w, &wc->v[i]);
	diff_align(ka, na, kb, nb, rule_changed, &p);
	free(ka);
	free(kb);
}

static void chain_text(struct strbuf *sb, const struct nft_chain *c)
{
	static const char *const hooks[] = {"prerouting", "input", "forward", "output",
					    "postrouting"};

	sb_addf(sb, "type %s hook %s priority %d policy %s", nft_chain_type(c),
		hooks[c->hook], c->prio, c->drop ? "drop" : "accept");
}

static const struct nft_chain *find_chain(const struct nft_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_chains; i++)
		if (strcmp(t->chains[i].name, name) == 0)
			return &t->chains[i];
	return NULL;
}

static void diff_chains(struct diff_ctx *d, const struct diff_side *h, const struct diff_side *w)
{
	struct strbuf sb = {0}, b = {0};
	const struct nft_chain *hc, *wc;
	size_t i;

	for (i = 0; i < h->t->n_chains; i++) {
		hc = &h->t->chains[i];
		wc = find_chain(w->t, hc->name);
		sb.len = b.len = 0;
		sb_addf(&sb, "%s chain %s: ", d->fname, hc->name);
		chain_text(&sb, hc);
		if (!wc) {
			diff_emit(d, '-', sb.buf, NULL);
		} else if (hc->nat != wc->nat || hc->route != wc->route || hc->hook != wc->hook ||
			   hc->prio != wc->prio || hc->drop != wc->drop) {
			chain_text(&b, wc);
			sb_addf(&sb, " -> %s", b.buf);
			diff_emit(d, '~', sb.buf, NULL);
		}
		diff_rules(d, h, hc, w, wc);
	}
	for (i = 0; i < w->t->n_chains; i++) {
		wc = &w->t->chains[i];
		if (find_chain(h->t, wc->name))
			continue;
		sb.len = 0;
		sb_addf(&sb, "%s chain %s: ", d->fname, wc->name);
		chain_text(&sb, wc);
		diff_emit(d, '+', sb.buf, NULL);
		diff_rules(d, h, NULL, w, wc);
	}
	sb_free(&sb);
	sb_free(&b);
}

size_t diff_models(const struct nft_model *have, const struct nft_model *want,
		   struct strbuf *out)
{
	struct diff_ctx d = {.out = out};
	static const struct nft_table none;
	int f;

	for (f = 0; f < NFT_FAM_COUNT; f++) {
		struct diff_side h = {.t = have && have->t[f].present ? &have->t[f] : &none};
		struct diff_side w = {.t = want && want->t[f].present ? &want->t[f] : &none};
		struct strbuf sb = {0};

		d.fam = (enum nft_fam)f;
		d.fname = diff_fam_names[f];
		if (h.t->present != w.t->present) {
			sb_addf(&sb, "table %s masqgen", d.fname);
			diff_emit(&d, w.t->present ? '+' : '-', sb.buf, NULL);
			sb_free(&sb);
		}
		pair_sets(&h, &w);
		diff_objects(&d, h.t, w.t);
		diff_sets(&d, &h, &w);
		diff_chains(&d, &h, &w);
		free(h.set_key);
		free(h.peer);
		free(w.set_key);
		free(w.peer);
	}
	/* the UPnP table: whether it is there (its chains are fixed, its rules miniupnpd's) */
	if ((have && have->upnp.present) != (want && want->upnp.present))
		diff_emit(&d, want && want->upnp.present ? '+' : '-',
			  "table inet " NFT_UPNP_TABLE, NULL);
	sb_free(&d.last);
	return d.n;
}
