// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diff_ipt.c - masqgen's loaded iptables chains against the ones a policy
 * compiles to (diff_model.h): the chains, the jumps into them from the
 * built-in chains, and the rules of each chain in order, compared as
 * iptables-save prints them without their comment (the policy place).
 */
#include "diff_model.h"
#include "ipt.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/*
 * Split rule line @line ("-A CHAIN ... -m comment --comment X -j T") into
 * @rule, the text after the chain name without the comment, and @place,
 * the comment unquoted (empty when there is none).
 */
static void split_rule(const char *line, size_t len, struct strbuf *rule, struct strbuf *place)
{
	static const char mark[] = " -m comment --comment ";
	const char *start = line + 3 + strcspn(line + 3, " "), *end = line + len, *c, *p;

	rule->len = place->len = 0;
	c = strstr(start, mark);
	if (!c || c >= end) {
		sb_addn(rule, start + 1, (size_t)(end - start - 1));
		return;
	}
	if (c > start)
		sb_addn(rule, start + 1, (size_t)(c - start - 1));
	p = c + strlen(mark);
	if (*p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			sb_addn(place, p, 1);
		}
		p++;
	} else {
		for (; p < end && *p != ' '; p++)
			sb_addn(place, p, 1);
	}
	if (p < end && !rule->len && *p == ' ')
		p++;
	if (p < end)
		sb_addn(rule, p, (size_t)(end - p));
}

/* The rule lines of @ch, one pointer a line. */
static size_t rule_lines(const struct ipt_chain *ch, const char ***lines)
{
	const char *p = ch && ch->rules.buf ? ch->rules.buf : "";
	size_t n = 0, cap = 0;

	*lines = NULL;
	for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		*VEC_PUSH(*lines, n, cap) = p;
	return n;
}

struct ipt_pair {
	struct diff_ctx *d;
	const char *table;
	const char *chain;
	const char **a, **b;
};

static void ipt_rule_changed(void *arg, char sign, size_t idx)
{
	const struct ipt_pair *p = arg;
	const char *line = sign == '-' ? p->a[idx] : p->b[idx];
	struct strbuf rule = {0}, place = {0}, text = {0};

	split_rule(line, strcspn(line, "\n"), &rule, &place);
	sb_addf(&text, "%s %s %s: %s", p->d->fname, p->table, p->chain, rule.buf ? rule.buf : "");
	diff_emit(p->d, sign, text.buf, place.len ? place.buf : NULL);
	sb_free(&rule);
	sb_free(&place);
	sb_free(&text);
}

static uint64_t *rule_keys(const char **lines, size_t n)
{
	uint64_t *k = xcalloc(n + 1, sizeof(*k));
	struct strbuf rule = {0}, place = {0};
	size_t i;

	for (i = 0; i < n; i++) {
		split_rule(lines[i], strcspn(lines[i], "\n"), &rule, &place);
		k[i] = util_hash(UTIL_HASH_INIT, rule.buf ? rule.buf : "", rule.len);
	}
	sb_free(&rule);
	sb_free(&place);
	return k;
}

static void diff_chain(struct diff_ctx *d, const char *table, const struct ipt_chain *hc,
		       const struct ipt_chain *wc)
{
	struct ipt_pair p = {.d = d, .table = table, .chain = hc ? hc->name : wc->name};
	const char *hh = hc ? hc->hook : NULL, *wh = wc ? wc->hook : NULL;
	size_t na = rule_lines(hc, &p.a), nb = rule_lines(wc, &p.b);
	uint64_t *ka = rule_keys(p.a, na), *kb = rule_keys(p.b, nb);
	struct strbuf sb = {0};

	if (!hc || !wc) {
		sb_addf(&sb, "%s %s chain %s", d->fname, table, p.chain);
		diff_emit(d, hc ? '-' : '+', sb.buf, NULL);
	}
	if (!(hh == wh || (hh && wh && strcmp(hh, wh) == 0))) {
		if (hh) {
			sb.len = 0;
			sb_addf(&sb, "%s %s %s: jump to %s", d->fname, table, hh, p.chain);
			diff_emit(d, '-', sb.buf, NULL);
		}
		if (wh) {
			sb.len = 0;
			sb_addf(&sb, "%s %s %s: jump to %s", d->fname, table, wh, p.chain);
			diff_emit(d, '+', sb.buf, NULL);
		}
	}
	diff_align(ka, na, kb, nb, ipt_rule_changed, &p);
	sb_free(&sb);
	free(ka);
	free(kb);
	free(p.a);
	free(p.b);
}

/* The chain called @name in @tm that holds rules (apply loads no empty chain), or NULL. */
static const struct ipt_chain *used_chain(const struct ipt_table_model *tm, const char *name,
					  bool need_rules)
{
	size_t i;

	for (i = 0; tm && i < tm->n; i++)
		if (strcmp(tm->chains[i].name, name) == 0 && (!need_rules || tm->chains[i].n_rules))
			return &tm->chains[i];
	return NULL;
}

size_t diff_ipt(const struct ipt_model *have, const struct ipt_model *want, struct strbuf *out)
{
	struct diff_ctx d = {.out = out};
	int fam, t;
	size_t i;

	for (fam = 0; fam < IPT_FAMILY_COUNT; fam++) {
		d.fname = ipt_family_tool((enum ipt_family)fam);
		for (t = 0; t < IPT_TABLE_COUNT; t++) {
			const struct ipt_table_model *h = have ? &have->t[fam][t] : NULL;
			const struct ipt_table_model *w =
			    want && (fam == IPT_V4 || want->ipv6) ? &want->t[fam][t] : NULL;
			const char *table = ipt_table_name((enum ipt_table)t);

			for (i = 0; h && i < h->n; i++)
				diff_chain(&d, table, &h->chains[i],
					   used_chain(w, h->chains[i].name, true));
			for (i = 0; w && i < w->n; i++)
				if (w->chains[i].n_rules && !used_chain(h, w->chains[i].name, false))
					diff_chain(&d, table, NULL, &w->chains[i]);
		}
	}
	sb_free(&d.last);
	return d.n;
}
