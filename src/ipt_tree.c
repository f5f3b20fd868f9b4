// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipt_tree.c - many port rules as a tree of chains (iptables).
 *
 * iptables walks a chain rule by rule, so 10,000 forwards are 10,000 DNAT
 * rules a new connection crosses, and as many ACCEPTs and reflection
 * masquerades. Where a chain holds a long run of rules that each match
 * one TCP or UDP destination port (or a short range), the run becomes a
 * tree: the chain jumps by the port's high byte (256 ports) to a chain
 * that jumps by 16 ports to a chain holding that run's rules for those
 * ports, in their order. A packet crosses at most a few hundred rules,
 * usually a few dozen, instead of the whole run.
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
/* A rule whose range touches more 16-port groups than this ends a run. */
#define IPT_TREE_SPAN 16

struct port_rule {
	const char *line;	/* "-A CHAIN..." up to and including its newline */
	size_t len;
	char proto;		/* 't' or 'u'; 0: not a port rule */
	unsigned lo, hi;
};

/* Parse one rule line: a port rule has one " -p tcp -m tcp --dport N[:M]" (or udp). */
static void port_rule_parse(struct port_rule *r)
{
	static const char *const forms[] = {" -p tcp -m tcp --dport ", " -p udp -m udp --dport "};
	char *line = xstrndup(r->line, r->len), *end;
	const char *p = NULL;
	size_t k;

	r->proto = 0;
	for (k = 0; k < ARRAY_SIZE(forms) && !p; k++)
		p = strstr(line, forms[k]);
	if (!p || strstr(line, " -j RETURN") || strstr(strstr(line, "--dport") + 1, "--dport"))
		goto out;
	r->lo = (unsigned)strtoul(strstr(p, "--dport ") + 8, &end, 10);
	r->hi = *end == ':' ? (unsigned)strtoul(end + 1, &end, 10) : r->lo;
	if (*end != ' ' || r->hi < r->lo || r->hi > 65535 ||
	    (r->hi >> 4) - (r->lo >> 4) >= IPT_TREE_SPAN)
		goto out;
	r->proto = p[4];
out:
	free(line);
}

/* Append to @ch the rules of @v[0..@n) (protocol @proto) touching ports @lo..@hi, renamed. */
static void leaf_rules(struct ipt_chain *ch, const char *from, const struct port_rule *v,
		       size_t n, char proto, unsigned lo, unsigned hi)
{
	size_t i, skip = 3 + strlen(from);

	for (i = 0; i < n; i++) {
		if (v[i].proto != proto || v[i].hi < lo || v[i].lo > hi)
			continue;
		sb_addf(&ch->rules, "-A %s", ch->name);
		sb_addn(&ch->rules, v[i].line + skip, v[i].len - skip);
		ch->n_rules++;
	}
}

/* Does any rule of @v[0..@n) with @proto touch ports @lo..@hi? */
static bool touched(const struct port_rule *v, size_t n, char proto, unsigned lo, unsigned hi)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].proto == proto && v[i].lo <= hi && v[i].hi >= lo)
			return true;
	return false;
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
	char *from = xstrdup(tm->chains[idx].name);
	unsigned hb, nb;
	size_t k, sub;

	for (k = 0; k < ARRAY_SIZE(protos); k++) {
		for (hb = 0; hb < 256; hb++) {
			char *l1;

			if (!touched(v, n, protos[k], hb << 8, (hb << 8) | 255))
				continue;
			l1 = xasprintf("%s-%c%02x", from, protos[k], hb);
			jump(tm, idx, l1, protos[k], hb << 8, (hb << 8) | 255);
			sub = (size_t)(ipt_chain_get(tm, l1, NULL) - tm->chains);
			for (nb = hb << 4; nb < (hb + 1) << 4; nb++) {
				char *l2;

				if (!touched(v, n, protos[k], nb << 4, (nb << 4) | 15))
					continue;
				l2 = xasprintf("%s-%c%03x", from, protos[k], nb);
				jump(tm, sub, l2, protos[k], nb << 4, (nb << 4) | 15);
				leaf_rules(ipt_chain_get(tm, l2, NULL), from, v, n, protos[k],
					   nb << 4, (nb << 4) | 15);
				free(l2);
			}
			free(l1);
		}
	}
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
