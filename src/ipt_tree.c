// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipt_tree.c - many port rules as a tree of chains (iptables).
 *
 * iptables walks a chain rule by rule, so 10,000 forwards are 10,000 DNAT
 * rules a new connection crosses, and as many ACCEPTs and reflection
 * masquerades. Where a chain holds a long run of rules that each match
 * one TCP or UDP destination port (or a short range), the run becomes a
 * tree: the chain jumps by the port's high byte (256 ports) to a chain
 * that jumps by 64 ports to a chain holding that run's rules for those
 * ports, in their order. A packet crosses one jump per high byte in use,
 * at most four more, and the rules of one 64-port group instead of the
 * whole run.
 *
 * Groups of 64, not 16: `iptables-restore --noflush` (apply) spends time
 * on every rule in proportion to the number of chains it names, and 16-port
 * leaves made 10,000 forwards about 2,700 chains; 64-port ones make about
 * 800, at no cost to new connections the bench can measure.
 *
 * Only the rules that can match a packet's port are in its leaf, in
 * policy order, and a leaf that matches nothing returns to where the
 * chain left off (past the run: no other rule of the run could match),
 * so the first matching rule is the same as before. A rule that returns
 * (-j RETURN) would return from the leaf instead, so it ends a run.
 */
#include "ipt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shorter runs stay as they are (every small policy prints as before). */
#define IPT_TREE_MIN 64
/* A leaf holds the rules of one group of 1 << IPT_LEAF_BITS ports. */
#define IPT_LEAF_BITS 6
/* Leaves under one high byte's chain */
#define IPT_LEAVES (256 >> IPT_LEAF_BITS)
/* A rule whose range touches more groups than this (256 ports) ends a run. */
#define IPT_TREE_SPAN IPT_LEAVES

struct port_rule {
	const char *line;	/* "-A CHAIN..." up to and including its newline */
	size_t len;
	char proto;		/* 't' or 'u'; 0: not a port rule */
	unsigned lo, hi;
};

/*
 * Parse one rule line: a port rule has one " -p tcp -m tcp --dport N[:M]"
 * (or udp), no other --dport and no " -j RETURN". One pass over the line
 * in place, from dash to dash: the tree looks at every rule of every long
 * chain.
 */
static void port_rule_parse(struct port_rule *r)
{
	static const char tcp[] = " -p tcp -m tcp ", udp[] = " -p udp -m udp ";
	const size_t flen = sizeof(tcp) - 1;
	const char *p = r->line, *end = r->line + r->len, *d = NULL;
	char *num_end;

	r->proto = 0;
	while ((p = memchr(p, '-', (size_t)(end - p)))) {
		size_t left = (size_t)(end - p);

		if (left >= 8 && memcmp(p, "--dport", 7) == 0) {
			if (d)
				return;
			d = p;
			p += 7;
			continue;
		}
		if (left >= 9 && p > r->line && p[-1] == ' ' && memcmp(p, "-j RETURN", 9) == 0)
			return;
		p++;
	}
	if (!d || (size_t)(d - r->line) < flen || d[7] != ' ' ||
	    (memcmp(d - flen, tcp, flen) != 0 && memcmp(d - flen, udp, flen) != 0))
		return;
	r->lo = (unsigned)strtoul(d + 8, &num_end, 10);
	r->hi = *num_end == ':' ? (unsigned)strtoul(num_end + 1, &num_end, 10) : r->lo;
	if (*num_end != ' ' || r->hi < r->lo || r->hi > 65535 ||
	    (r->hi >> IPT_LEAF_BITS) - (r->lo >> IPT_LEAF_BITS) >= IPT_TREE_SPAN)
		return;
	r->proto = (d - flen)[4];	/* the form's "t" or "u" */
}

/* port groups: a leaf's ports */
#define IPT_TREE_GROUPS (65536 >> IPT_LEAF_BITS)

/*
 * The rules of a run that touch each port group of each protocol, in
 * policy order: group g of protocol k (0 TCP, 1 UDP) holds
 * rule[first[k][g] .. first[k][g + 1]), indices into the run. One pass
 * over the run instead of one per group the tree looks at.
 */
struct port_groups {
	size_t first[2][IPT_TREE_GROUPS + 1];
	size_t *rule;
};

static void groups_build(struct port_groups *g, const struct port_rule *v, size_t n)
{
	size_t fill[2][IPT_TREE_GROUPS], i, total = 0;
	unsigned grp;
	int k;

	memset(g->first, 0, sizeof(g->first));
	for (i = 0; i < n; i++)
		for (grp = v[i].lo >> IPT_LEAF_BITS; v[i].proto && grp <= v[i].hi >> IPT_LEAF_BITS;
		     grp++)
			g->first[v[i].proto == 'u'][grp + 1]++;
	for (k = 0; k < 2; k++)
		for (grp = 0; grp < IPT_TREE_GROUPS; grp++) {
			g->first[k][grp + 1] += g->first[k][grp];
			fill[k][grp] = g->first[k][grp];
		}
	for (k = 0; k < 2; k++)
		total += g->first[k][IPT_TREE_GROUPS];
	g->rule = xcalloc(total + 1, sizeof(*g->rule));
	/* both protocols index one array: UDP's after TCP's */
	for (grp = 0; grp <= IPT_TREE_GROUPS; grp++)
		g->first[1][grp] += g->first[0][IPT_TREE_GROUPS];
	for (grp = 0; grp < IPT_TREE_GROUPS; grp++)
		fill[1][grp] += g->first[0][IPT_TREE_GROUPS];
	for (i = 0; i < n; i++)
		for (grp = v[i].lo >> IPT_LEAF_BITS; v[i].proto && grp <= v[i].hi >> IPT_LEAF_BITS;
		     grp++)
			g->rule[fill[v[i].proto == 'u'][grp]++] = i;
}

/* Append to @ch the rules of @v in group @grp of protocol @k, renamed. */
static void leaf_rules(struct ipt_chain *ch, const char *from, const struct port_rule *v,
		       const struct port_groups *g, int k, unsigned grp)
{
	size_t j, skip = 3 + strlen(from);

	for (j = g->first[k][grp]; j < g->first[k][grp + 1]; j++) {
		const struct port_rule *r = &v[g->rule[j]];

		sb_add(&ch->rules, "-A ");
		sb_add(&ch->rules, ch->name);
		sb_addn(&ch->rules, r->line + skip, r->len - skip);
		ch->n_rules++;
	}
}

/* Does any rule of protocol @k touch groups @lo..@hi? */
static bool touched(const struct port_groups *g, int k, unsigned lo, unsigned hi)
{
	return g->first[k][hi + 1] > g->first[k][lo];
}

/* A rule of chain @tm->chains[@idx] jumping to @name for @proto ports @lo..@hi. */
static void jump(struct ipt_table_model *tm, size_t idx, const char *name, char proto,
		 unsigned lo, unsigned hi)
{
	const char *pname = proto == 't' ? "tcp" : "udp";
	char *spec = xasprintf(" -p %s -m %s --dport %u:%u", pname, pname, lo, hi);
	char *target = xasprintf(" -j %s", name);

	ipt_rule_add(&tm->chains[idx], spec, NULL, "ports", target);
	free(target);
	free(spec);
}

/* The tree for run @v[0..@n) of chain @idx: jumps in it, sub-chains after it. */
static void tree(struct ipt_table_model *tm, size_t idx, const struct port_rule *v, size_t n)
{
	static const char protos[] = {'t', 'u'};
	struct port_groups *g = xmalloc(sizeof(*g));
	char *from = xstrdup(tm->chains[idx].name);
	unsigned hb, nb;
	size_t sub;
	int k;

	groups_build(g, v, n);
	for (k = 0; k < 2; k++) {
		for (hb = 0; hb < 256; hb++) {
			char *l1;

			if (!touched(g, k, hb * IPT_LEAVES, hb * IPT_LEAVES + IPT_LEAVES - 1))
				continue;
			l1 = xasprintf("%s-%c%02x", from, protos[k], hb);
			jump(tm, idx, l1, protos[k], hb << 8, (hb << 8) | 255);
			sub = (size_t)(ipt_chain_get(tm, l1, NULL) - tm->chains);
			for (nb = hb * IPT_LEAVES; nb < (hb + 1) * IPT_LEAVES; nb++) {
				unsigned first = nb << IPT_LEAF_BITS;
				char *l2;

				if (!touched(g, k, nb, nb))
					continue;
				/* named by its first port, in hex */
				l2 = xasprintf("%s-%c%04x", from, protos[k], first);
				jump(tm, sub, l2, protos[k], first, first + (1u << IPT_LEAF_BITS) - 1);
				leaf_rules(ipt_chain_get(tm, l2, NULL), from, v, g, k, nb);
				free(l2);
			}
			free(l1);
		}
	}
	free(g->rule);
	free(g);
	free(from);
}

static void copy_rules(struct ipt_chain *ch, const struct port_rule *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sb_addn(&ch->rules, v[i].line, v[i].len);
	ch->n_rules += n;
}

/* Rebuild chain @idx of @tm with its long runs of port rules as trees. */
static void tree_chain(struct ipt_table_model *tm, size_t idx)
{
	struct strbuf old = tm->chains[idx].rules;
	struct port_rule *v = NULL;
	size_t n = 0, cap = 0, i, start;
	const char *p, *nl;

	for (p = old.buf; p && *p; p = nl + 1) {
		struct port_rule *r = VEC_PUSH(v, n, cap);

		nl = strchr(p, '\n');
		r->line = p;
		r->len = (size_t)(nl - p) + 1;
		port_rule_parse(r);
	}
	memset(&tm->chains[idx].rules, 0, sizeof(old));
	tm->chains[idx].n_rules = 0;
	for (i = 0; i < n;) {
		for (start = i; i < n && v[i].proto; i++)
			;
		if (i - start >= IPT_TREE_MIN)
			tree(tm, idx, v + start, i - start);
		else
			copy_rules(&tm->chains[idx], v + start, i - start);
		if (i < n)
			copy_rules(&tm->chains[idx], v + i++, 1);
	}
	sb_free(&old);
	free(v);
}

void ipt_tree(struct ipt_table_model *tm)
{
	size_t i, n = tm->n;

	for (i = 0; i < n; i++)
		if (tm->chains[i].n_rules >= IPT_TREE_MIN)
			tree_chain(tm, i);
}
