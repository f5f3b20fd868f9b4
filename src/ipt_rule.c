// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipt_rule.c - rule lines in iptables-save's canonical form, and the
 * expansion of one IR filter rule into them.
 *
 * iptables has no sets: a rule whose lists hold several elements becomes
 * one rule per element (ports of one policy line share a multiport match),
 * in list order, each commented with the policy line of its element. A
 * negated list of several elements ("not in any of") needs a sub-chain
 * that returns for each element.
 */
#include "escape.h"
#include "ipt.h"
#include "ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The multiport match takes at most 15 ports, a range counting as two. */
#define IPT_MULTIPORT_SLOTS 15

const char *ipt_table_name(enum ipt_table t)
{
	static const char *const names[IPT_TABLE_COUNT] = {
		[IPT_RAW] = "raw",
		[IPT_MANGLE] = "mangle",
		[IPT_NAT] = "nat",
		[IPT_FILTER] = "filter",
	};

	return names[t];
}

const char *ipt_family_tool(enum ipt_family fam)
{
	return fam == IPT_V4 ? "iptables" : "ip6tables";
}

/* The slot of chain @name in @tm's index: its own, or the empty one it would take. */
static size_t chain_slot(const struct ipt_table_model *tm, const char *name)
{
	size_t mask = tm->index_cap - 1, i = util_hash(UTIL_HASH_INIT, name, strlen(name)) & mask;

	while (tm->index[i] && strcmp(tm->chains[tm->index[i] - 1].name, name) != 0)
		i = (i + 1) & mask;
	return i;
}

/* Make the index twice as large (at first 64 slots), every chain in it again. */
static void chain_index_grow(struct ipt_table_model *tm)
{
	size_t i;

	free(tm->index);
	tm->index_cap = tm->index_cap ? 2 * tm->index_cap : 64;
	tm->index = xcalloc(tm->index_cap, sizeof(*tm->index));
	for (i = 0; i < tm->n; i++)
		tm->index[chain_slot(tm, tm->chains[i].name)] = i + 1;
}

struct ipt_chain *ipt_chain_get(struct ipt_table_model *tm, const char *name, const char *hook)
{
	struct ipt_chain *ch;
	size_t slot;

	/* a tree of forwards makes thousands of chains: look them up by hash */
	if (2 * (tm->n + 1) > tm->index_cap)
		chain_index_grow(tm);
	slot = chain_slot(tm, name);
	if (tm->index[slot])
		return &tm->chains[tm->index[slot] - 1];
	tm->index[slot] = tm->n + 1;
	ch = VEC_PUSH(tm->chains, tm->n, tm->cap);
	memset(ch, 0, sizeof(*ch));
	ch->name = xstrdup(name);
	ch->hook = hook;
	return ch;
}

/* The comment iptables allows is at most 256 bytes: keep the end of a long path. */
#define IPT_COMMENT_MAX 255

void ipt_rule_add(struct ipt_chain *ch, const char *spec, const struct loc *loc, const char *tag,
		  const char *target)
{
	char *where = diag_loc_str(loc);
	char *comment = tag ? xasprintf("%s %s", where, tag) : xstrdup(where);
	size_t len = strlen(comment);

	/* sb_add, not sb_addf: a rule per forward, a tree of chains (ipt_tree.c) */
	sb_add(&ch->rules, "-A ");
	sb_add(&ch->rules, ch->name);
	sb_add(&ch->rules, spec);
	sb_add(&ch->rules, " -m comment --comment ");
	escape_ipt_word(&ch->rules, len > IPT_COMMENT_MAX ? comment + len - IPT_COMMENT_MAX : comment);
	sb_add(&ch->rules, target);
	sb_add(&ch->rules, "\n");
	ch->n_rules++;
	free(comment);
	free(where);
}

static const char *rate_unit(enum ir_rate_unit u)
{
	switch (u) {
	case IR_PER_SECOND:
		return "sec";
	case IR_PER_MINUTE:
		return "min";
	case IR_PER_HOUR:
		return "hour";
	}
	return "min";
}

/* Syslog level names as LOG takes them; LOG's default (4) is not printed back. */
static int log_level(const char *name)
{
	static const char *const levels[] = {"emerg", "alert", "crit", "err",
					     "warning", "notice", "info", "debug"};
	size_t i;

	if (!name)
		return 4;
	for (i = 0; i < ARRAY_SIZE(levels); i++)
		if (strcmp(levels[i], name) == 0)
			return (int)i;
	if (strcmp(name, "error") == 0)
		return 3;
	if (strcmp(name, "warn") == 0)
		return 4;
	return 4;
}

void ipt_log_target(struct strbuf *sb, const struct ir *ir, const char *prefix)
{
	int level = log_level(ir->log.level);

	sb_add(sb, " -j LOG");
	if (prefix && *prefix) {
		sb_add(sb, " --log-prefix ");
		escape_ipt_word(sb, prefix);
	}
	if (level != 4)
		sb_addf(sb, " --log-level %d", level);
}

void ipt_addr_part(struct ipt_addr_part *p, const struct ir_addr *a, bool neg, char flag)
{
	struct ir_addr net = *a;
	char buf[IR_ADDR_STRLEN];
	unsigned len;

	p->addr[0] = p->range[0] = '\0';
	p->loc = &a->loc;
	/* ip6tables takes any mask: an identifier match is ADDR/MASK */
	if (ir_addr_mask6(a)) {
		snprintf(p->addr, sizeof(p->addr), "%s -%c %s", neg ? " !" : "", flag,
			 ir_addr_str(a, buf));
		return;
	}
	if (ir_addr_prefix(a, &len)) {
		net.hi = net.lo;
		net.hi6 = net.lo6;
		snprintf(p->addr, sizeof(p->addr), "%s -%c %s/%u", neg ? " !" : "", flag,
			 ir_addr_str(&net, buf), len);
		return;
	}
	snprintf(p->range, sizeof(p->range), "%s --%s-range %s", neg ? " !" : "",
		 flag == 's' ? "src" : "dst", ir_addr_str(a, buf));
}

/* The transport part of a rule: protocol and its matches. */
struct ipt_l4 {
	const char *proto;	/* NULL: any */
	char match[160];
	const struct loc *loc;	/* the element's place, or NULL */
};

struct ipt_l4s {
	struct ipt_l4 *v;
	size_t n, cap;
};

/* iptables-save's protocol names; NULL for any protocol. */
static const char *proto_name(uint8_t proto, enum ipt_family fam)
{
	if (proto == IR_P_ANY)
		return NULL;
	if (proto == IR_P_ICMP || proto == IR_P_ICMPV6)
		return fam == IPT_V6 ? "ipv6-icmp" : "icmp";
	return ir_proto_name(proto);
}

static void port_str(char *buf, size_t size, const struct ir_port *p)
{
	if (p->lo == p->hi)
		snprintf(buf, size, "%u", p->lo);
	else
		snprintf(buf, size, "%u:%u", p->lo, p->hi);
}

static bool same_line(const struct loc *a, const struct loc *b)
{
	return a->src == b->src && a->line == b->line;
}

/*
 * The destination ports of @proto, grouped: consecutive elements of the
 * same policy line share one multiport match of at most 15 slots.
 */
static void add_port_groups(struct ipt_l4s *out, const struct ir_rule *r, uint8_t proto,
			    const struct ir_port *sport, enum ipt_family fam)
{
	const char *name = proto_name(proto, fam);
	char sp[32] = "", buf[16];
	size_t i = 0, j, slots, count;

	if (sport) {
		port_str(buf, sizeof(buf), sport);
		snprintf(sp, sizeof(sp), " --sport %s", buf);
	}
	while (i < r->dports.n) {
		const struct ir_port *first = &r->dports.v[i];
		struct ipt_l4 *l;

		if (first->proto != proto) {
			i++;
			continue;
		}
		/* the run of same-line elements of this protocol that fits */
		slots = 0;
		count = 0;
		for (j = i; j < r->dports.n; j++) {
			const struct ir_port *p = &r->dports.v[j];
			size_t need = p->lo == p->hi ? 1 : 2;

			if (p->proto != proto)
				continue;
			if (!same_line(&p->loc, &first->loc) || slots + need > IPT_MULTIPORT_SLOTS)
				break;
			slots += need;
			count++;
		}
		l = VEC_PUSH(out->v, out->n, out->cap);
		l->proto = name;
		l->loc = &first->loc;
		port_str(buf, sizeof(buf), first);
		if (count == 1) {
			snprintf(l->match, sizeof(l->match), " -m %s%s --dport %s", name, sp, buf);
			i++;
			continue;
		}
		if (sport)
			snprintf(l->match, sizeof(l->match), " -m %s%s -m multiport --dports %s",
				 name, sp, buf);
		else
			snprintf(l->match, sizeof(l->match), " -m multiport --dports %s", buf);
		for (j = i + 1; count > 1; j++) {
			const struct ir_port *p = &r->dports.v[j];
			size_t used = strlen(l->match);

			if (p->proto != proto)
				continue;
			port_str(buf, sizeof(buf), p);
			snprintf(l->match + used, sizeof(l->match) - used, ",%s", buf);
			count--;
		}
		i = j;
	}
}

static void l4_parts(struct ipt_l4s *out, const struct ir_rule *r, enum ipt_family fam)
{
	struct ipt_l4 *l;
	size_t i;

	if (r->dports.n || r->sports.n) {
		static const uint8_t protos[] = {IR_P_TCP, IR_P_UDP};
		size_t k, s;

		for (k = 0; k < ARRAY_SIZE(protos); k++) {
			for (s = 0; s < (r->sports.n ? r->sports.n : 1); s++) {
				const struct ir_port *sp = r->sports.n ? &r->sports.v[s] : NULL;
				char buf[16];

				if (sp && sp->proto != protos[k])
					continue;
				if (r->dports.n) {
					add_port_groups(out, r, protos[k], sp, fam);
					continue;
				}
				l = VEC_PUSH(out->v, out->n, out->cap);
				l->proto = proto_name(protos[k], fam);
				l->loc = &sp->loc;
				port_str(buf, sizeof(buf), sp);
				snprintf(l->match, sizeof(l->match), " -m %s --sport %s", l->proto,
					 buf);
			}
		}
		return;
	}
	for (i = 0; i < r->n_icmp; i++) {
		unsigned type = r->icmp_types[i];

		l = VEC_PUSH(out->v, out->n, out->cap);
		l->proto = proto_name(IR_P_ICMP, fam);
		l->loc = &r->icmp_locs[i];
		if (fam == IPT_V6)
			snprintf(l->match, sizeof(l->match), " -m icmp6 --icmpv6-type %u", type);
		else
			snprintf(l->match, sizeof(l->match), " -m icmp --icmp-type %u", type);
	}
	if (r->n_icmp)
		return;
	l = VEC_PUSH(out->v, out->n, out->cap);
	memset(l, 0, sizeof(*l));
	l->proto = proto_name(r->proto, fam);
}

static void ct_state_match(struct strbuf *sb, unsigned st)
{
	static const struct {
		unsigned bit;
		const char *name;
	} order[] = {
		{IR_CT_INVALID, "INVALID"},
		{IR_CT_NEW, "NEW"},
		{IR_CT_RELATED, "RELATED"},
		{IR_CT_ESTABLISHED, "ESTABLISHED"},
	};
	const char *sep = " -m conntrack --ctstate ";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (!(st & order[i].bit))
			continue;
		sb_addf(sb, "%s%s", sep, order[i].name);
		sep = ",";
	}
}

/* Built-in rules say what they are in their comment; a user rule has its line. */
static const char *rule_tag(const struct ir_rule *r)
{
	return r->tag == IR_T_USER ? NULL : ir_tag_name(r->tag);
}

/* What one expanded rule is made of, before its target. */
struct ipt_parts {
	const char *addr;	/* " -s ... -d ..." */
	const char *ifs;	/* " -i ... -o ..." */
	const char *proto;	/* NULL: any */
	const char *match;	/* " -m ..." */
	const struct ir_limit *limit;	/* rate 0: none */
	const struct loc *loc;
};

static char *parts_spec(const struct ipt_parts *p, const char *proto)
{
	return xasprintf("%s%s%s%s%s", p->addr, p->ifs, proto ? " -p " : "", proto ? proto : "",
			 p->match);
}

/*
 * " -m limit ..." or, per source, " -m hashlimit ..." for the rule @spec,
 * as iptables-save prints them (defaults left out: a burst of 5, an
 * expiry of the rate's unit). The hash table is named after the rule's
 * matches and limit, never its policy place, so a converted policy
 * compiles to the same rules.
 */
static char *limit_match(const struct ir_limit *l, enum ipt_family fam, const char *spec)
{
	static const unsigned unit_secs[] = {[IR_PER_SECOND] = 1, [IR_PER_MINUTE] = 60,
					      [IR_PER_HOUR] = 3600};
	struct strbuf sb = {0};
	uint64_t h;

	if (!l->per_source) {
		sb_addf(&sb, " -m limit --limit %u/%s", l->rate, rate_unit(l->unit));
		if (l->burst != 5)
			sb_addf(&sb, " --limit-burst %u", l->burst);
		return sb.buf;
	}
	h = util_hash(UTIL_HASH_INIT, spec, strlen(spec));
	h = util_hash(h, &l->rate, sizeof(l->rate));
	h = util_hash(h, &l->unit, sizeof(l->unit));
	h = util_hash(h, &l->burst, sizeof(l->burst));
	sb_addf(&sb, " -m hashlimit --hashlimit-upto %u/%s --hashlimit-burst %u "
		     "--hashlimit-mode srcip --hashlimit-name masqgen-%012llx",
		l->rate, rate_unit(l->unit), l->burst, (unsigned long long)(h & 0xffffffffffffull));
	if (ir_limit_expiry(l) != unit_secs[l->unit])
		sb_addf(&sb, " --hashlimit-htable-expire %u", ir_limit_expiry(l) * 1000);
	if (fam == IPT_V6)
		sb_add(&sb, " --hashlimit-srcmask 64");
	return sb.buf;
}

static void verdict_rules(struct ipt_chain *ch, const struct ir *ir, const struct ir_rule *r,
			  const struct ipt_parts *p, const char *jump, enum ipt_family fam)
{
	const char *tag = rule_tag(r);
	char *spec = parts_spec(p, p->proto), *lim = NULL, *plain = NULL;
	struct ipt_parts limited = *p;
	struct strbuf m = {0};

	if (!jump && r->log) {
		struct strbuf limit = {0}, target = {0};

		sb_addf(&limit, "%s -m limit --limit %u/%s", spec, ir->log.rate,
			rate_unit(ir->log.unit));
		ipt_log_target(&target, ir, r->log_prefix);
		ipt_rule_add(ch, limit.buf, p->loc, tag, target.buf);
		sb_free(&limit);
		sb_free(&target);
	}
	/* the verdict rules take the limit; the rest is dropped after them (fail closed) */
	if (!jump && p->limit && p->limit->rate) {
		lim = limit_match(p->limit, fam, spec);
		sb_addf(&m, "%s%s", p->match, lim);
		limited.match = m.buf;
		p = &limited;
		plain = spec;
		spec = parts_spec(p, p->proto);
	}
	if (jump) {
		char *target = xasprintf(" -j %s", jump);

		ipt_rule_add(ch, spec, p->loc, tag, target);
		free(target);
	} else if (r->verdict == IR_V_ACCEPT) {
		/* a passthrough interface is left to the rules after masqgen's jump */
		ipt_rule_add(ch, spec, p->loc, tag,
			     r->tag == IR_T_PASSTHROUGH ? " -j RETURN" : " -j ACCEPT");
	} else if (r->verdict == IR_V_DROP) {
		ipt_rule_add(ch, spec, p->loc, tag, " -j DROP");
	} else {
		const char *port_unreach = fam == IPT_V6 ? " -j REJECT --reject-with "
							   "icmp6-port-unreachable"
							 : " -j REJECT --reject-with "
							   "icmp-port-unreachable";
		const char *prohibited = fam == IPT_V6 ? " -j REJECT --reject-with "
							 "icmp6-adm-prohibited"
						       : " -j REJECT --reject-with "
							 "icmp-admin-prohibited";
		const char *reset = " -j REJECT --reject-with tcp-reset";

		if (!p->proto) {
			char *tcp = parts_spec(p, "tcp"), *udp = parts_spec(p, "udp");

			ipt_rule_add(ch, tcp, p->loc, tag, reset);
			ipt_rule_add(ch, udp, p->loc, tag, port_unreach);
			free(tcp);
			free(udp);
			ipt_rule_add(ch, spec, p->loc, tag, prohibited);
		} else if (strcmp(p->proto, "tcp") == 0) {
			ipt_rule_add(ch, spec, p->loc, tag, reset);
		} else if (strcmp(p->proto, "udp") == 0) {
			ipt_rule_add(ch, spec, p->loc, tag, port_unreach);
		} else {
			ipt_rule_add(ch, spec, p->loc, tag, prohibited);
		}
	}
	if (plain)
		ipt_rule_add(ch, plain, p->loc, tag, " -j DROP");
	free(plain);
	free(lim);
	sb_free(&m);
	free(spec);
}

/* The place a rule line names: its element's, or the rule's. */
static const struct loc *pick_loc(const struct loc *elem, const struct loc *rule)
{
	return elem && elem->src ? elem : rule;
}

/*
 * Expand @r into rules of @ch: one per source x destination x transport
 * element. A negated list of several elements is left out here (@skip_neg)
 * when a sub-chain checks it; @jump then replaces log and verdict.
 */
static void expand(struct ipt_chain *ch, const struct ir *ir, const struct ir_rule *r,
		   enum ipt_family fam, bool skip_neg, const char *jump)
{
	bool use_s = r->saddr.n && !(skip_neg && r->saddr_neg && r->saddr.n > 1);
	bool use_d = r->daddr.n && !(skip_neg && r->daddr_neg && r->daddr.n > 1);
	size_t ns = use_s ? r->saddr.n : 1, nd = use_d ? r->daddr.n : 1;
	struct strbuf ifs = {0}, ct = {0};
	struct ipt_l4s l4 = {0};
	size_t i, j, k;

	sb_add(&ifs, "");
	if (r->iif)
		sb_addf(&ifs, " -i %s", r->iif);
	if (r->oif)
		sb_addf(&ifs, " -o %s", r->oif);
	sb_add(&ct, "");
	/* the reverse-path check fails (ip6t_rpfilter lets :: pass by itself) */
	if (r->rpf != IR_RPF_NONE)
		sb_add(&ct, r->rpf == IR_RPF_LOOSE ? " -m rpfilter --loose --invert"
						   : " -m rpfilter --invert");
	ct_state_match(&ct, r->ct_state);
	l4_parts(&l4, r, fam);

	for (i = 0; i < ns; i++) {
		for (j = 0; j < nd; j++) {
			struct ipt_addr_part s = {.addr = "", .range = ""};
			struct ipt_addr_part d = {.addr = "", .range = ""};
			const struct loc *aloc = NULL;

			if (use_s)
				ipt_addr_part(&s, &r->saddr.v[i], r->saddr_neg, 's');
			if (use_d)
				ipt_addr_part(&d, &r->daddr.v[j], r->daddr_neg, 'd');
			if (use_s && r->saddr.n > 1)
				aloc = s.loc;
			else if (use_d && r->daddr.n > 1)
				aloc = d.loc;
			for (k = 0; k < l4.n; k++) {
				struct strbuf addr = {0}, match = {0};
				struct ipt_parts p;

				sb_addf(&addr, "%s%s%s", s.addr, d.addr,
					fam == IPT_V6 && r->v6_linklocal_src ? " -s fe80::/10" : "");
				sb_addf(&match, "%s", l4.v[k].match);
				if (s.range[0] || d.range[0])
					sb_addf(&match, " -m iprange%s%s", s.range, d.range);
				sb_add(&match, ct.buf);
				p.addr = addr.buf;
				p.ifs = ifs.buf;
				p.proto = l4.v[k].proto;
				p.match = match.buf;
				p.limit = &r->limit;
				/* the line of the element that sets this rule apart */
				if (r->dports.n > 1 || r->n_icmp > 1 || !aloc)
					p.loc = pick_loc(l4.v[k].loc, pick_loc(aloc, &r->loc));
				else
					p.loc = pick_loc(aloc, &r->loc);
				verdict_rules(ch, ir, r, &p, jump, fam);
				sb_free(&addr);
				sb_free(&match);
			}
		}
	}
	free(l4.v);
	sb_free(&ifs);
	sb_free(&ct);
}

/*
 * Translated connections to forward targets: the forward chain admits
 * what masqgen's own DNAT made (ctstate DNAT), only to its targets, only
 * from the public port the forward translates (--ctorigdstport: a 1:1
 * address or another forward to the same host opens nothing more) and,
 * for a forward with `from`, only from its sources. A port range is
 * matched as a whole on both sides: the combinations it adds can only
 * come from a DNAT that maps them, never from 1:1 (which keeps ports).
 */
static void expand_forwarded(struct ipt_chain *ch, const struct ir *ir, const struct ir_rule *r)
{
	size_t i, k;

	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];
		struct strbuf match = {0}, ct = {0}, ifs = {0};
		struct ipt_parts p;
		char buf[16];

		sb_add(&ifs, "");
		if (r->iif)
			sb_addf(&ifs, " -i %s", r->iif);
		if (r->oif)
			sb_addf(&ifs, " -o %s", r->oif);
		p.proto = proto_name(f->proto, IPT_V4);
		sb_add(&match, "");
		if (f->proto == IR_P_TCP || f->proto == IR_P_UDP) {
			unsigned to_hi = (unsigned)f->to_lo + (f->hi - f->lo);

			if (to_hi == f->to_lo)
				sb_addf(&match, " -m %s --dport %u", p.proto, f->to_lo);
			else
				sb_addf(&match, " -m %s --dport %u:%u", p.proto, f->to_lo, to_hi);
		}
		sb_add(&ct, " -m conntrack --ctstate DNAT");
		if (f->proto == IR_P_TCP || f->proto == IR_P_UDP) {
			sb_addf(&ct, " --ctorigdstport %u", f->lo);
			if (f->hi != f->lo)
				sb_addf(&ct, ":%u", f->hi);
		}
		p.ifs = ifs.buf;
		p.loc = &f->loc;
		for (k = 0; k < (f->from.n ? f->from.n : 1); k++) {
			struct ipt_addr_part s = {.addr = "", .range = ""};
			struct strbuf addr = {0}, m = {0};

			if (f->from.n)
				ipt_addr_part(&s, &f->from.v[k], false, 's');
			sb_addf(&addr, "%s -d %s/32", s.addr, ir_ip_str(f->host, buf));
			sb_add(&m, match.buf);
			if (s.range[0])
				sb_addf(&m, " -m iprange%s", s.range);
			sb_add(&m, ct.buf);
			p.addr = addr.buf;
			p.match = m.buf;
			p.limit = &f->limit;
			verdict_rules(ch, ir, r, &p, NULL, IPT_V4);
			sb_free(&addr);
			sb_free(&m);
		}
		sb_free(&match);
		sb_free(&ct);
		sb_free(&ifs);
	}
}

void ipt_rule_lower(struct ipt_table_model *tm, struct ipt_chain *ch, const struct ir *ir,
		    const struct ir_rule *r, enum ipt_family fam)
{
	bool neg_s = r->saddr_neg && r->saddr.n > 1, neg_d = r->daddr_neg && r->daddr.n > 1;
	const char *ch_name = ch->name;
	size_t i, k, len = strlen(ch_name);
	struct ipt_chain *sub;
	struct ir_rule rest;
	char *name;

	if (r->ct_dnat_forward) {
		if (fam == IPT_V4)
			expand_forwarded(ch, ir, r);
		return;
	}
	if (!neg_s && !neg_d) {
		expand(ch, ir, r, fam, false, NULL);
		return;
	}
	/* "not in any of": the sub-chain returns for each element, then decides */
	for (i = 0, k = 1; i < tm->n; i++)
		k += strncmp(tm->chains[i].name, ch_name, len) == 0 && tm->chains[i].name[len] == '-';
	name = xasprintf("%s-%zu", ch_name, k);
	sub = ipt_chain_get(tm, name, NULL);
	free(name);
	for (i = 0; neg_s && i < r->saddr.n; i++) {
		struct ir_rule one = {.tag = r->tag, .family = r->family};

		one.loc = *pick_loc(&r->saddr.v[i].loc, &r->loc);
		one.saddr.v = &r->saddr.v[i];
		one.saddr.n = 1;
		expand(sub, ir, &one, fam, false, "RETURN");
	}
	for (i = 0; neg_d && i < r->daddr.n; i++) {
		struct ir_rule one = {.tag = r->tag, .family = r->family};

		one.loc = *pick_loc(&r->daddr.v[i].loc, &r->loc);
		one.daddr.v = &r->daddr.v[i];
		one.daddr.n = 1;
		expand(sub, ir, &one, fam, false, "RETURN");
	}
	/* adding the sub-chain may have moved @ch */
	ch = ipt_chain_get(tm, ch_name, NULL);
	expand(ch, ir, r, fam, true, sub->name);
	rest = (struct ir_rule){.tag = r->tag, .loc = r->loc, .family = r->family,
				.log = r->log, .log_prefix = r->log_prefix, .limit = r->limit,
				.verdict = r->verdict};
	expand(sub, ir, &rest, fam, false, NULL);
}
