// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_delta.c - apply in place: when only the elements of named maps and
 * sets, or the rules of some chains, differ from what masqgen loaded last,
 * change only those elements and refill only those chains.
 *
 * After every apply masqgen records, per network namespace
 * (nft_record.h), the shape of the model it loaded (everything but the
 * elements of named sets without intervals: tables, objects, chains,
 * rules, set declarations with their sizes, interval sets' elements), the
 * fingerprint of its tables as the kernel has them then (nft_state.c:
 * names and handles of every table, chain, set, object and rule), the
 * generation id its commit made, and the elements of those sets. When the
 * next apply finds the same fingerprint (nobody replaced, added or removed
 * anything of masqgen's) and its model has the same shape, it sends one
 * transaction that deletes the elements the new policy lacks and adds the
 * new ones (an element whose map data or comment changed is deleted and
 * added again). Rules, counters and every other object stay. When the
 * rules of some chains differ too, but not the frame (objects, set
 * declarations, chains and their hooks: nft_model_shape()), those chains
 * are flushed and refilled in the same
 * transaction (the record keeps a hash of each chain's rules), and the
 * other chains keep their rules and counters. The loaded
 * elements are the recorded ones while the generation id is still the
 * recorded one (no commit since, by anyone); else each set is read from
 * the kernel. A policy with live sets whose frame differs is applied in
 * place as well, under the same fingerprint condition (live_in_place()):
 * the tables stay, their chains, objects and other sets are remade, and
 * live sets whose definition did not change keep their elements. Anything
 * else is a full replace (live sets' elements copied over). Each is one
 * transaction guarded by the generation id (nft_replace()).
 */
#include "nft.h"
#include "nft_build.h"
#include "nft_dump.h"
#include "nft_model.h"
#include "nft_record.h"

#include "diag.h"
#include "nl.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Elements in key order: key length first, then bytes (netlink order is by field). */
static int welem_cmp(const void *pa, const void *pb)
{
	const struct nft_welem *a = *(const struct nft_welem *const *)pa;
	const struct nft_welem *b = *(const struct nft_welem *const *)pb;

	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	return memcmp(a->key, b->key, a->klen);
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
	H(h, s->dynamic);
	H(h, s->timeout);
	H(h, size);
	H(h, s->live);
	if (nft_record_keeps(s))
		return;
	for (i = 0; i < s->n; i++) {
		H(h, s->v[i].k);
		H(h, s->v[i].hi);
		H(h, s->v[i].k6);
		H(h, s->v[i].hi6);
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
		H(h, r->m[i].lo6);
		H(h, r->m[i].hi6);
		if (r->m[i].mask6)
			H(h, r->m[i].mask6);
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

/*
 * What apply compares of a model: its frame (everything but the chains'
 * rules and the elements of the sets the record keeps: tables, objects,
 * set declarations, interval sets' elements, chains with their hooks and
 * policies), one hash of each chain's rules in model order, and the shape,
 * all of it.
 */
struct nft_shape {
	uint64_t shape, frame;
	uint64_t *chains;
	size_t n_chains;
};

static void nft_model_shape(const struct nft_model *m, struct nft_shape *sh)
{
	size_t i, j, n = 0, cap = 0;
	int f;

	sh->frame = UTIL_HASH_INIT;
	sh->chains = NULL;
	for (f = 0; f < NFT_FAM_COUNT; f++) {
		const struct nft_table *t = &m->t[f];

		H(&sh->frame, t->present);
		for (i = 0; i < t->n_helpers; i++) {
			hash_str(&sh->frame, t->helpers[i].name);
			hash_str(&sh->frame, t->helpers[i].kname);
			H(&sh->frame, t->helpers[i].proto);
		}
		for (i = 0; i < t->n_timeouts; i++) {
			hash_str(&sh->frame, t->timeouts[i].name);
			H(&sh->frame, t->timeouts[i].proto);
			H(&sh->frame, t->timeouts[i].secs);
		}
		for (i = 0; i < t->n_sets; i++)
			hash_set(&sh->frame, &t->sets[i]);
		for (i = 0; i < t->n_chains; i++) {
			const struct nft_chain *c = &t->chains[i];
			uint64_t *rules = VEC_PUSH(sh->chains, n, cap);

			hash_str(&sh->frame, c->name);
			H(&sh->frame, c->nat);
			H(&sh->frame, c->route);
			H(&sh->frame, c->hook);
			H(&sh->frame, c->prio);
			H(&sh->frame, c->drop);
			*rules = UTIL_HASH_INIT;
			for (j = 0; j < c->n; j++)
				hash_rule(rules, &c->v[j]);
		}
	}
	sh->n_chains = n;
	sh->shape = sh->frame;
	for (i = 0; i < n; i++)
		H(&sh->shape, sh->chains[i]);
}

/* The wire elements @v (@n), in key order: @v's own order when it is sorted. */
static const struct nft_welem **sorted(const struct nft_welem *v, size_t n)
{
	const struct nft_welem **p = xmalloc((n + 1) * sizeof(*p));
	bool in_order = true;
	size_t i;

	for (i = 0; i < n; i++) {
		p[i] = &v[i];
		if (i && in_order && welem_cmp(&p[i - 1], &p[i]) > 0)
			in_order = false;
	}
	if (!in_order)
		qsort(p, n, sizeof(*p), welem_cmp);
	return p;
}

static bool welem_same(const struct nft_welem *a, const struct nft_welem *b)
{
	if (a->dlen != b->dlen || (a->dlen && memcmp(a->data, b->data, a->dlen) != 0))
		return false;
	if (!a->comment || !b->comment)
		return a->comment == b->comment;
	return strcmp(a->comment, b->comment) == 0;
}

/*
 * Append to @b the change of set @s of family @fam from what is loaded (the
 * record's elements when it holds them at generation @genid, else a dump
 * over *@nl, opened on first use) to the model. Returns the count, or -1.
 */
static long delta_one(struct nft_batch *b, struct mnl_socket **nl, enum nft_fam fam,
		      const struct nft_set *s, const struct nft_record *rec, uint32_t genid)
{
	const struct nft_rec_set *rs = nft_record_set(rec, genid, fam, s->name);
	struct nft_welems dumped = {0};
	const struct nft_welem *have_v, **have = NULL, **want = NULL;
	struct nft_welem *want_v;
	const uint8_t **del = NULL;
	const struct nft_elem **add = NULL;
	size_t n_have, n_del = 0, cap_del = 0, n_add = 0, cap_add = 0, i, j, klen = 0;
	uint8_t *arena = NULL;
	long rc = -1;

	if (rs) {
		have_v = rs->v;
		n_have = rs->n;
	} else {
		if (!*nl)
			*nl = nl_open();
		if (!*nl)
			return -1;
		if (nft_dump_welems(*nl, fam, s->name, &dumped) < 0) {
			diag_error(NULL, "cannot read the elements of masqgen's set %s: %s", s->name,
				   strerror(errno));
			goto out;
		}
		have_v = dumped.v;
		n_have = dumped.n;
	}
	want_v = nft_record_wire(s, &arena);
	have = sorted(have_v, n_have);
	want = sorted(want_v, s->n);
	for (i = 0, j = 0; i < n_have || j < s->n;) {
		int c = i == n_have ? 1 : j == s->n ? -1 : welem_cmp(&have[i], &want[j]);

		if (c == 0 && welem_same(have[i], want[j])) {
			i++;
			j++;
			continue;
		}
		if (c <= 0) {
			klen = have[i]->klen;
			*VEC_PUSH(del, n_del, cap_del) = have[i++]->key;
		}
		if (c >= 0)
			*VEC_PUSH(add, n_add, cap_add) = &s->v[want[j++] - want_v];
	}
	if (n_del || n_add)
		nft_build_elems_change(b, fam == NFT_FAM_IP6, s, del, n_del, klen, add, n_add);
	rc = (long)(n_del + n_add);
	free(want_v);
out:
	free(have);
	free(want);
	free(del);
	free(add);
	free(arena);
	nft_welems_free(&dumped);
	return rc;
}

/* Does @m declare a live set? */
static bool model_has_live(const struct nft_model *m)
{
	size_t i;
	int f;

	for (f = 0; f < NFT_FAM_COUNT; f++)
		for (i = 0; i < m->t[f].n_sets; i++)
			if (m->t[f].sets[i].live)
				return true;
	return false;
}

/* Does interval element @e overlap one of @s's? */
static bool live_overlaps(const struct nft_set *s, const struct nft_set *from,
			  const struct nft_elem *e)
{
	ir_u128 lo = nft_elem_lo(from, e), hi = nft_elem_hi(from, e);
	size_t i;

	for (i = 0; i < s->n; i++)
		if (nft_elem_lo(s, &s->v[i]) <= hi && lo <= nft_elem_hi(s, &s->v[i]))
			return true;
	return false;
}

/* The loaded live set in @lt that live set @s of the policy is, or NULL. */
static struct nft_set *live_loaded(struct nft_table *lt, const struct nft_set *s)
{
	size_t k = s->live && lt->present ? nft_set_find(lt, s->name) : SIZE_MAX;

	return k != SIZE_MAX && lt->sets[k].live ? &lt->sets[k] : NULL;
}

/*
 * Into live set @s, made anew in @b: the run-time elements of @ls (what
 * is loaded under its name) with the time each has left. An element the
 * policy's initial ones overlap is the policy's.
 */
static void live_copy(struct nft_batch *b, bool v6, const struct nft_set *s, struct nft_set *ls)
{
	const struct nft_elem **add = NULL;
	size_t j, n = 0, cap = 0;

	/* the kernel leaves out a timeout that is the set's own */
	for (j = 0; j < ls->n; j++)
		if (ls->v[j].expires && !ls->v[j].timeout)
			ls->v[j].timeout = (uint64_t)ls->timeout * 1000;
	for (j = 0; j < ls->n; j++)
		if (!live_overlaps(s, ls, &ls->v[j]))
			*VEC_PUSH(add, n, cap) = &ls->v[j];
	nft_build_live_elems(b, v6, false, s, add, n);
	free(add);
}

/*
 * After a replace of the tables loaded now (@now) by @m: add to @b the
 * run-time elements of every live set @m keeps, read from the kernel in
 * one dump (live_copy()). Returns 0, or -1 after reporting.
 */
static int live_carry(struct nft_batch *b, const struct nft_model *m,
		      const struct nft_record *rec, const struct nft_state *now)
{
	struct nft_dump d = {0};
	struct nft_set *ls;
	size_t i;
	int f;

	if (!model_has_live(m) || (!now->ip && !now->ip6))
		return 0;
	if (nft_dump_read(&d, rec) < 0)
		return -1;
	for (f = 0; f < NFT_FAM_COUNT; f++)
		for (i = 0; i < m->t[f].n_sets; i++)
			if ((ls = live_loaded(&d.m->t[f], &m->t[f].sets[i])))
				live_copy(b, f == NFT_FAM_IP6, &m->t[f].sets[i], ls);
	nft_dump_free(&d);
	return 0;
}

/*
 * Kept live set @s (the policy's) as @ls is loaded: add to @b the policy's
 * initial elements that are not loaded as they are, each replacing the
 * loaded elements it overlaps. Run-time elements beside them stay.
 */
static void live_keep_initial(struct nft_batch *b, bool v6, const struct nft_set *s,
			      const struct nft_set *ls)
{
	const struct nft_elem **del = NULL, **add = NULL;
	size_t i, j, n_del = 0, cap_del = 0, n_add = 0, cap_add = 0;
	bool *gone = xcalloc(ls->n + 1, sizeof(*gone));

	for (i = 0; i < s->n; i++) {
		ir_u128 lo = nft_elem_lo(s, &s->v[i]), hi = nft_elem_hi(s, &s->v[i]);
		bool same = false;

		for (j = 0; j < ls->n; j++)
			if (nft_elem_lo(ls, &ls->v[j]) == lo && nft_elem_hi(ls, &ls->v[j]) == hi)
				same = true;
		if (same)
			continue;
		*VEC_PUSH(add, n_add, cap_add) = &s->v[i];
		for (j = 0; j < ls->n; j++)
			if (!gone[j] && nft_elem_lo(ls, &ls->v[j]) <= hi &&
			    lo <= nft_elem_hi(ls, &ls->v[j])) {
				gone[j] = true;
				*VEC_PUSH(del, n_del, cap_del) = &ls->v[j];
			}
	}
	if (n_del)
		nft_build_live_elems(b, v6, true, s, del, n_del);
	if (n_add)
		nft_build_live_elems(b, v6, false, s, add, n_add);
	free(gone);
	free(del);
	free(add);
}

/*
 * Apply in place (ARCHITECTURE.md), for a policy with live sets when what
 * is loaded is what masqgen's last apply left (the caller checked the
 * fingerprint against the record) and holds nothing foreign: the tables
 * are not deleted (nft_build_in_place()), and a live set whose definition
 * did not change stays as it is, run-time elements included, with no
 * copy; one whose definition changed is made anew with its elements
 * copied (live_copy()). Returns 0, 1 when this does not apply (nothing
 * was added to @b: the caller replaces the tables), or -1 after
 * reporting.
 */
static int live_in_place(struct nft_batch *b, const struct nft_model *m,
			 const struct nft_record *rec)
{
	struct nft_dump d = {0};
	bool *keep[NFT_FAM_COUNT] = {0};
	struct nft_set *ls;
	size_t i;
	int f;

	if (!model_has_live(m))
		return 1;
	if (nft_dump_read(&d, rec) < 0)
		return -1;
	if (d.n_foreign) {
		nft_dump_free(&d);
		return 1;
	}
	for (f = 0; f < NFT_FAM_COUNT; f++) {
		const struct nft_table *t = &m->t[f];

		keep[f] = xcalloc(t->n_sets + 1, sizeof(*keep[f]));
		for (i = 0; i < t->n_sets; i++) {
			ls = live_loaded(&d.m->t[f], &t->sets[i]);
			keep[f][i] = ls && ls->timeout == t->sets[i].timeout;
		}
	}
	nft_build_in_place(b, m, d.m, keep);
	for (f = 0; f < NFT_FAM_COUNT; f++) {
		const struct nft_table *t = &m->t[f];

		for (i = 0; i < t->n_sets; i++) {
			ls = live_loaded(&d.m->t[f], &t->sets[i]);
			if (keep[f][i])
				live_keep_initial(b, f == NFT_FAM_IP6, &t->sets[i], ls);
			else if (ls)
				live_copy(b, f == NFT_FAM_IP6, &t->sets[i], ls);
		}
		free(keep[f]);
	}
	nft_dump_free(&d);
	return 0;
}

/* What nft_apply_fill() sent: the generation its last batch carried, whether it committed. */
struct nft_apply_sent {
	uint32_t genid;
	bool commit;
};

struct nft_apply_ctx {
	const struct nft_model *m;
	const struct nft_record *rec;
	const struct nft_shape *sh;
	struct nft_apply_sent *sent;
};

/*
 * Whether model @m differs from what record @rec says is loaded in its
 * chains' rules at most, so that flushing and refilling the chains that
 * changed, with the element changes of the recorded sets, makes it. A
 * live set is in the frame with its definition and the policy's elements,
 * so it is untouched and keeps what was added at run time.
 */
static bool chains_only(const struct nft_record *rec, const struct nft_shape *sh)
{
	return rec->frame == sh->frame && rec->n_chains == sh->n_chains;
}

/* Add to @b the refill of each chain of @m whose rules' hash is not @rec's; returns the count. */
static long refill_changed(struct nft_batch *b, const struct nft_model *m,
			   const struct nft_record *rec, const struct nft_shape *sh)
{
	bool *changed[NFT_FAM_COUNT];
	size_t i, k = 0;
	long n = 0;
	int f;

	for (f = 0; f < NFT_FAM_COUNT; f++) {
		changed[f] = xcalloc(m->t[f].n_chains + 1, sizeof(*changed[f]));
		for (i = 0; i < m->t[f].n_chains; i++, k++)
			if (rec->chains[k] != sh->chains[k]) {
				changed[f][i] = true;
				n++;
			}
	}
	nft_build_chains_refill(b, m, changed);
	for (f = 0; f < NFT_FAM_COUNT; f++)
		free(changed[f]);
	return n;
}

/* nft_replace()'s filler: the elements that changed, or the whole model. */
static int nft_apply_fill(struct nft_batch *b, const struct nft_state *now, const void *arg)
{
	const struct nft_apply_ctx *ctx = arg;
	const struct nft_record *rec = ctx->rec;
	struct mnl_socket *nl = NULL;
	long n, total = 0;
	size_t i;
	int f, rc = 0;
	bool same;

	ctx->sent->genid = now->genid;
	ctx->sent->commit = true;
	total = nft_build_upnp(b, ctx->m, now->upnp);
	/* what is loaded is what masqgen's last apply left */
	same = rec->shape && rec->fingerprint == now->fingerprint && (now->ip || now->ip6);
	if (!same || (rec->shape != ctx->sh->shape && !chains_only(rec, ctx->sh))) {
		if (same) {
			rc = live_in_place(b, ctx->m, rec);
			if (rc != 1)
				return rc;
		}
		if (nft_build(b, ctx->m, now->ip, now->ip6) < 0)
			return -1;
		return live_carry(b, ctx->m, rec, now);
	}
	if (rec->shape != ctx->sh->shape)
		total += refill_changed(b, ctx->m, rec, ctx->sh);
	for (f = 0; f < NFT_FAM_COUNT && rc == 0; f++) {
		const struct nft_table *t = &ctx->m->t[f];

		for (i = 0; i < t->n_sets && rc == 0; i++) {
			if (!nft_record_keeps(&t->sets[i]))
				continue;
			n = delta_one(b, &nl, (enum nft_fam)f, &t->sets[i], rec, now->genid);
			if (n < 0)
				rc = -1;
			else
				total += n;
		}
	}
	if (nl)
		mnl_socket_close(nl);
	if (rc == 0 && !total) {
		ctx->sent->commit = false;
		rc = 1;
	}
	return rc;
}

/* The generation id a commit on top of @genid makes (the kernel skips 0). */
static uint32_t genid_next(uint32_t genid)
{
	return genid + 1 ? genid + 1 : 1;
}

int nft_apply(const struct nft_model *m, const char *record)
{
	struct nft_record rec, now = {0};
	struct nft_apply_sent sent = {0};
	struct nft_shape sh;
	struct nft_apply_ctx ctx = {.m = m, .rec = &rec, .sh = &sh, .sent = &sent};
	struct nft_state after;
	uint32_t want;
	int rc = -1;

	nft_model_shape(m, &sh);
	nft_record_read(record, &rec);
	if (nft_replace(nft_apply_fill, &ctx, 0) < 0) {
		diag_note(NULL, "masqgen's tables are as they were");
		goto out;
	}
	rc = 0;
	/*
	 * The record's elements are what is loaded at the generation our
	 * commit made (the kernel took the batch only at sent.genid); a commit
	 * seen since, by anyone, leaves the record without a generation.
	 */
	want = sent.commit ? genid_next(sent.genid) : sent.genid;
	if (nft_state_read(&after) < 0) {
		remove(record);
		goto out;
	}
	now.shape = sh.shape;
	now.frame = sh.frame;
	now.chains = sh.chains;
	now.n_chains = sh.n_chains;
	now.fingerprint = after.fingerprint;
	now.netns = nft_record_netns();
	now.genid = after.genid == want ? want : 0;
	nft_record_write(record, &now, m);
out:
	nft_record_free(&rec);
	free(sh.chains);
	return rc;
}

int nft_target_load(const void *m, const struct ir *ir, const char *run_dir)
{
	char *record = xasprintf("%s/" NFT_RECORD_FILE, run_dir);
	int rc = nft_apply(m, record);

	free(record);
	return rc;
}
