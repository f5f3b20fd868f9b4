// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eval_rules.c - allow/deny/reject lines to user rules, merging
 * consecutive lines of the same shape into one rule with set-valued
 * lists, and making every list a set (no overlapping elements).
 */
#include "ast_syntax.h"
#include "eval.h"
#include "suggest.h"
#include "tables.h"
#include "util.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eval_addrs_append(struct ir_addrs *dst, const struct ir_addrs *src)
{
	if (!src->n)
		return;
	util_grow(&dst->v, &dst->cap, dst->n + src->n, sizeof(*dst->v));
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
}

static void ports_append(struct ir_ports *dst, const struct ir_ports *src)
{
	if (!src->n)
		return;
	util_grow(&dst->v, &dst->cap, dst->n + src->n, sizeof(*dst->v));
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
}

/* Append @family's whole range (`any`) at @loc. */
static void push_whole(struct ir_addrs *out, unsigned family, const struct loc *loc)
{
	*VEC_PUSH(out->v, out->n, out->cap) = ir_addr_make(family, 0, ir_family_max(family), loc);
}

int eval_addr_list(const struct ast_list *l, unsigned families, const char *v6_why,
		   struct ir_addrs *out)
{
	int rc = 0;
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct ir_addr a;

		if (l->v[i].text[0] == '@') {
			diag_error(&l->v[i].loc, "a set ('%s') stands only in 'from' or 'to' "
				   "of allow, deny and reject", l->v[i].text);
			rc = -1;
			continue;
		}
		if (strcmp(l->v[i].text, "any") == 0) {
			if (families & IR_F_IPV4)
				push_whole(out, IR_F_IPV4, &l->v[i].loc);
			if (families & IR_F_IPV6)
				push_whole(out, IR_F_IPV6, &l->v[i].loc);
			continue;
		}
		if (value_addr(&l->v[i], &a) < 0) {
			rc = -1;
			continue;
		}
		if (!(a.family & families)) {
			diag_error(&l->v[i].loc, "'%s' is an IPv6 address: %s", l->v[i].text, v6_why);
			rc = -1;
			continue;
		}
		if (a.mask6 && !(families & EVAL_IFID)) {
			diag_error(&l->v[i].loc, "'%s' is an interface identifier match: only 'from' "
						 "and 'to' of allow, deny and reject take one",
				   l->v[i].text);
			rc = -1;
			continue;
		}
		*VEC_PUSH(out->v, out->n, out->cap) = a;
	}
	return rc;
}

/* One element of a list being made a set: its range and its index. */
struct eval_span {
	ir_u128 lo, hi;
	uint8_t proto;		/* ports: the protocol; addresses: the family */
	size_t idx;
};

static int span_cmp(const void *pa, const void *pb)
{
	const struct eval_span *a = pa, *b = pb;

	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->hi != b->hi)
		return a->hi > b->hi ? -1 : 1;	/* the wider first */
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

typedef const char *(*eval_span_str)(const struct eval_span *s, char *buf);

#define SPAN_STRLEN (IR_ADDR_STRLEN + 8)

static const char *addr_span_str(const struct eval_span *s, char *buf)
{
	struct ir_addr a = ir_addr_make(s->proto, s->lo, s->hi, NULL);
	char text[IR_ADDR_STRLEN];

	snprintf(buf, SPAN_STRLEN, "'%s'", ir_addr_str(&a, text));
	return buf;
}

static const char *port_span_str(const struct eval_span *s, char *buf)
{
	if (s->lo == s->hi)
		snprintf(buf, SPAN_STRLEN, "%s port %u", ir_proto_name(s->proto), (unsigned)s->lo);
	else
		snprintf(buf, SPAN_STRLEN, "%s ports %u-%u", ir_proto_name(s->proto),
			 (unsigned)s->lo, (unsigned)s->hi);
	return buf;
}

/*
 * Sort @s, join every span that overlaps the one reaching furthest before
 * it, and mark it dropped in @drop. Widened spans get their new hi.
 */
static void spans_join(struct eval_span *s, size_t n, bool *drop, const struct loc *locs,
		       size_t loc_stride, bool warn, eval_span_str str)
{
	size_t i, reach = 0;
	char a[SPAN_STRLEN], b[SPAN_STRLEN];

	qsort(s, n, sizeof(*s), span_cmp);
	for (i = 1; i < n; i++) {
		struct eval_span *r = &s[reach];
		const struct loc *lr, *li;
		char *where;

		if (s[i].proto != r->proto || s[i].lo > r->hi) {
			reach = i;
			continue;
		}
		drop[s[i].idx] = true;
		if (!warn) {
			if (s[i].hi > r->hi)
				r->hi = s[i].hi;
			continue;
		}
		lr = (const struct loc *)((const char *)locs + r->idx * loc_stride);
		li = (const struct loc *)((const char *)locs + s[i].idx * loc_stride);
		where = diag_loc_str(lr);
		if (s[i].hi <= r->hi) {
			diag_warning(li, "%s is already covered by %s (%s)", str(&s[i], a),
				     str(r, b), where);
		} else {
			diag_warning(li, "%s overlaps %s (%s); the two are joined", str(&s[i], a),
				     str(r, b), where);
			r->hi = s[i].hi;
		}
		free(where);
	}
}

void eval_set_addrs(struct ir_addrs *a, bool warn)
{
	struct eval_span *s;
	bool *drop;
	size_t i, n = 0;

	if (a->n < 2)
		return;
	s = xcalloc(a->n, sizeof(*s));
	drop = xcalloc(a->n, sizeof(*drop));
	for (i = 0; i < a->n; i++)
		s[i] = (struct eval_span){ir_addr_lo(&a->v[i]), ir_addr_hi(&a->v[i]), a->v[i].family,
					  i};
	spans_join(s, a->n, drop, &a->v[0].loc, sizeof(a->v[0]), warn, addr_span_str);
	for (i = 0; i < a->n; i++) {
		if (s[i].proto == IR_F_IPV6)
			a->v[s[i].idx].hi6 = s[i].hi;
		else
			a->v[s[i].idx].hi = (uint32_t)s[i].hi;
	}
	for (i = 0; i < a->n; i++)
		if (!drop[i])
			a->v[n++] = a->v[i];
	a->n = n;
	free(drop);
	free(s);
}

void eval_set_ports(struct ir_ports *p, bool warn)
{
	struct eval_span *s;
	bool *drop;
	size_t i, n = 0;

	if (p->n < 2)
		return;
	s = xcalloc(p->n, sizeof(*s));
	drop = xcalloc(p->n, sizeof(*drop));
	for (i = 0; i < p->n; i++)
		s[i] = (struct eval_span){p->v[i].lo, p->v[i].hi, p->v[i].proto, i};
	spans_join(s, p->n, drop, &p->v[0].loc, sizeof(p->v[0]), warn, port_span_str);
	for (i = 0; i < p->n; i++)
		p->v[s[i].idx].hi = (uint16_t)s[i].hi;
	for (i = 0; i < p->n; i++)
		if (!drop[i])
			p->v[n++] = p->v[i];
	p->n = n;
	free(drop);
	free(s);
}

/* ICMP types: a repeated type is dropped with a warning. */
static void set_icmp(struct ir_rule *r)
{
	struct loc *seen[256] = {0};
	size_t i, n = 0;

	for (i = 0; i < r->n_icmp; i++) {
		if (seen[r->icmp_types[i]]) {
			char *where = diag_loc_str(seen[r->icmp_types[i]]);

			diag_warning(&r->icmp_locs[i], "ICMP type '%s' is already listed (%s)",
				     tables_icmp_name(r->icmp_types[i]), where);
			free(where);
			continue;
		}
		seen[r->icmp_types[i]] = &r->icmp_locs[i];
		r->icmp_types[n] = r->icmp_types[i];
		r->icmp_locs[n++] = r->icmp_locs[i];
	}
	r->n_icmp = n;
}

static bool addrs_equal(const struct ir_addrs *a, const struct ir_addrs *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->v[i].family != b->v[i].family || ir_addr_lo(&a->v[i]) != ir_addr_lo(&b->v[i]) ||
		    ir_addr_hi(&a->v[i]) != ir_addr_hi(&b->v[i]) ||
		    ir_addr_mask6(&a->v[i]) != ir_addr_mask6(&b->v[i]))
			return false;
	return true;
}

static bool ports_equal(const struct ir_rule *a, const struct ir_rule *b)
{
	size_t i;

	if (a->dports.n != b->dports.n || a->n_icmp != b->n_icmp)
		return false;
	for (i = 0; i < a->dports.n; i++)
		if (a->dports.v[i].proto != b->dports.v[i].proto ||
		    a->dports.v[i].lo != b->dports.v[i].lo || a->dports.v[i].hi != b->dports.v[i].hi)
			return false;
	return !a->n_icmp || memcmp(a->icmp_types, b->icmp_types, a->n_icmp) == 0;
}

/*
 * The list field @r can be merged into @u by, or -1: the same shape and
 * matches, differing in at most one list field (else the merged rule
 * would match the cross product of the lines).
 */
static int merge_field(const struct eval_urule *u, const struct ir_rule *r)
{
	const struct ir_rule *m = &u->r;
	bool diff[EVAL_F_COUNT];
	int field = -1, n_diff = 0, i;

	/* a limit is one budget: a line of its own */
	if (m->saddr_neg != r->saddr_neg || m->daddr_neg != r->daddr_neg || m->limit.rate ||
	    r->limit.rate || m->sset != r->sset || m->dset != r->dset)
		return -1;
	if (m->verdict != r->verdict || m->log != r->log || m->family != r->family ||
	    m->iif != r->iif || m->oif != r->oif || !m->dports.n != !r->dports.n ||
	    !m->n_icmp != !r->n_icmp || !m->saddr.n != !r->saddr.n || !m->daddr.n != !r->daddr.n)
		return -1;
	if (!m->dports.n && m->proto != r->proto)
		return -1;
	diff[EVAL_F_PORTS] = !ports_equal(m, r);
	diff[EVAL_F_SADDR] = !addrs_equal(&m->saddr, &r->saddr);
	diff[EVAL_F_DADDR] = !addrs_equal(&m->daddr, &r->daddr);
	for (i = 0; i < EVAL_F_COUNT; i++) {
		if (diff[i]) {
			n_diff++;
			field = i;
		}
	}
	if (n_diff > 1)
		return -1;
	/* "not a" or "not b" is not "not in {a, b}" */
	if ((field == EVAL_F_SADDR && m->saddr_neg) || (field == EVAL_F_DADDR && m->daddr_neg))
		return -1;
	if (n_diff == 0) {
		/* a repeated line: its elements join as duplicates (a warning) */
		if (u->varying >= 0)
			return u->varying;
		if (r->dports.n || r->n_icmp)
			return EVAL_F_PORTS;
		return r->saddr.n ? EVAL_F_SADDR : r->daddr.n ? EVAL_F_DADDR : -1;
	}
	return u->varying < 0 || u->varying == field ? field : -1;
}

/* Add @r (its lists move) to @c's user rules, merged with the last one when it can be. */
/*
 * The rule @r may merge into: the last one, looking past rules of the
 * other family (a packet has one family, so @r may move before them).
 */
static struct eval_urule *merge_candidate(struct eval *e, enum ir_chain_id c,
					  const struct ir_rule *r)
{
	size_t i = e->user[c].n;

	while (i > 0 && !(e->user[c].v[i - 1].r.family & r->family))
		i--;
	return i ? &e->user[c].v[i - 1] : NULL;
}

static void urule_push(struct eval *e, enum ir_chain_id c, struct ir_rule *r)
{
	struct eval_urule *u = merge_candidate(e, c, r);
	int field = u ? merge_field(u, r) : -1;
	size_t i;

	if (field < 0) {
		u = VEC_PUSH(e->user[c].v, e->user[c].n, e->user[c].cap);
		u->r = *r;
		u->varying = -1;
		return;
	}
	u->varying = field;
	switch (field) {
	case EVAL_F_PORTS:
		ports_append(&u->r.dports, &r->dports);
		if (u->r.proto != r->proto)
			u->r.proto = IR_P_ANY;
		for (i = 0; i < r->n_icmp; i++) {
			util_grow(&u->r.icmp_types, &u->r.cap_icmp, u->r.n_icmp + 1, 1);
			/* icmp_locs grows alongside with the same capacity */
			u->r.icmp_locs = xrealloc(u->r.icmp_locs, u->r.cap_icmp * sizeof(struct loc));
			u->r.icmp_types[u->r.n_icmp] = r->icmp_types[i];
			u->r.icmp_locs[u->r.n_icmp++] = r->icmp_locs[i];
		}
		break;
	case EVAL_F_SADDR:
		eval_addrs_append(&u->r.saddr, &r->saddr);
		break;
	case EVAL_F_DADDR:
		eval_addrs_append(&u->r.daddr, &r->daddr);
		break;
	}
	ir_rule_free(r);
}

static void add_icmp(struct ir_rule *r, uint8_t type, const struct loc *loc)
{
	util_grow(&r->icmp_types, &r->cap_icmp, r->n_icmp + 1, 1);
	r->icmp_locs = xrealloc(r->icmp_locs, r->cap_icmp * sizeof(*r->icmp_locs));
	r->icmp_types[r->n_icmp] = type;
	r->icmp_locs[r->n_icmp++] = *loc;
}

/* Read PORTS (or ICMP types) of a user rule into @r; -1 after errors. */
static int rule_ports(const struct ast_list *l, enum value_proto proto, const char *proto_word,
		      struct ir_rule *r)
{
	int rc = 0;
	size_t i;

	if (!l)
		return 0;
	if (proto != VALUE_P_TCP && proto != VALUE_P_UDP && proto != VALUE_P_TCPUDP &&
	    proto != VALUE_P_ICMP) {
		diag_error(&l->v[0].loc, "%s takes no ports; ports need tcp, udp or tcp/udp",
			   proto_word ? proto_word : "a rule without a protocol");
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		uint16_t lo, hi;
		uint8_t type;

		if (proto == VALUE_P_ICMP) {
			if (value_icmp_type(&l->v[i], &type) < 0)
				rc = -1;
			else
				add_icmp(r, type, &l->v[i].loc);
			continue;
		}
		if (value_ports(&l->v[i], &lo, &hi) < 0) {
			rc = -1;
			continue;
		}
		if (proto != VALUE_P_UDP)
			*VEC_PUSH(r->dports.v, r->dports.n, r->dports.cap) =
				(struct ir_port){IR_P_TCP, lo, hi, l->v[i].loc};
		if (proto != VALUE_P_TCP)
			*VEC_PUSH(r->dports.v, r->dports.n, r->dports.cap) =
				(struct ir_port){IR_P_UDP, lo, hi, l->v[i].loc};
	}
	return rc;
}

/* Warnings for lines that cannot change anything or answer spoofed sources. */
/* Whether every address of @a lies in an internal network (an empty list does not). */
static bool inside_lans(const struct eval *e, const struct ir_addrs *a)
{
	const struct eval_net *n;
	size_t i;

	for (i = 0; i < a->n; i++) {
		n = eval_net_of(e, a->v[i].family, ir_addr_lo(&a->v[i]));
		if (!n || eval_net_of(e, a->v[i].family, ir_addr_hi(&a->v[i])) != n)
			return false;
	}
	return a->n > 0;
}

static void rule_warnings(struct eval *e, const struct ast_stmt *st, size_t idx,
			  enum ir_chain_id chain, const struct ast_word *on,
			  const struct ir_addrs *from)
{
	static const char *const chains[] = {"input", "forward", "output"};
	const struct ast_stmt *all = e->drop_all[chain];
	const struct ir_iface *ifc;

	/* both point into the flattened policy's statement array */
	if (st->kind == AST_ALLOW && all && all < st) {
		diag_warning(&st->loc, "this 'allow' changes nothing: an earlier '%s' drops "
				       "everything in %s first",
			     all->kind == AST_DENY ? "deny" : "reject", chains[chain - IR_CH_INPUT]);
		diag_note(&all->loc, "dropped here");
		return;
	}
	if (st->kind == AST_ALLOW && !(st->flags & AST_F_LOG) && !ast_get(st, AST_S_LIMIT) &&
	    (long)idx > e->last_block[chain]) {
		if (chain == IR_CH_OUTPUT)
			diag_warning(&st->loc, "'allow output' changes nothing: output accepts "
					       "everything no 'deny output' drops");
		else if (chain == IR_CH_INPUT && e->ir->level == IR_SIMPLE)
			diag_warning(&st->loc, "'allow input' changes nothing with firewall simple: "
					       "input accepts everything no 'deny' drops");
	}
	if (st->kind == AST_REJECT && on && chain != IR_CH_OUTPUT) {
		ifc = eval_iface(e, ir_intern(e->ir, on->text));
		if (ifc && ifc->role == IR_EXTERNAL)
			diag_warning(&on->loc, "'reject' on external interface '%s' answers spoofed "
					       "sources too; 'deny' drops silently",
				     on->text);
	}
	if (st->kind == AST_REJECT && !on && chain != IR_CH_OUTPUT && !inside_lans(e, from))
		diag_warning(&st->loc, "'reject' without 'on' answers the external interfaces' "
				       "spoofed sources too; 'deny' drops silently, or say 'on' "
				       "an internal interface");
}

/* Push @r (taken), as a tcp and a udp rule when @both (tcp/udp without ports). */
static void push_protos(struct eval *e, enum ir_chain_id chain, struct ir_rule *r, bool both)
{
	struct ir_rule udp = *r;

	if (!both) {
		urule_push(e, chain, r);
		return;
	}
	/* both lists are copied: the tcp rule's move into the chain */
	udp.saddr = (struct ir_addrs){0};
	udp.daddr = (struct ir_addrs){0};
	eval_addrs_append(&udp.saddr, &r->saddr);
	eval_addrs_append(&udp.daddr, &r->daddr);
	r->proto = IR_P_TCP;
	udp.proto = IR_P_UDP;
	urule_push(e, chain, r);
	urule_push(e, chain, &udp);
}

/* Does @l hold every address of @family (empty, or `any`, or a /0)? */
static bool list_whole(const struct ir_addrs *l, unsigned family)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].family == family && ir_addr_lo(&l->v[i]) == 0 &&
		    ir_addr_hi(&l->v[i]) == ir_family_max(family))
			return true;
	return l->n == 0;
}

/* The families @l names (both when empty). */
static unsigned list_families(const struct ir_addrs *l)
{
	unsigned f = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		f |= l->v[i].family;
	return l->n ? f : IR_F_BOTH;
}

/* @l's elements of @family into @out; nothing when they cover it all. */
static void family_part(const struct ir_addrs *l, unsigned family, struct ir_addrs *out)
{
	size_t i;

	if (list_whole(l, family))
		return;
	for (i = 0; i < l->n; i++)
		if (l->v[i].family == family)
			*VEC_PUSH(out->v, out->n, out->cap) = l->v[i];
}

/*
 * @r's IPv6 rule (@dst): its addresses of that family, and `icmp` as
 * ICMPv6 with the same types. -1 after an error (a type ICMPv6 lacks).
 */
static int v6_part(const struct ir_rule *r, struct ir_rule *dst)
{
	size_t i;
	int t;

	*dst = *r;
	dst->family = IR_F_IPV6;
	dst->saddr = dst->daddr = (struct ir_addrs){0};
	dst->dports = (struct ir_ports){0};
	ports_append(&dst->dports, &r->dports);
	dst->icmp_types = NULL;
	dst->icmp_locs = NULL;
	dst->n_icmp = dst->cap_icmp = 0;
	if (r->proto == IR_P_ICMP)
		dst->proto = IR_P_ICMPV6;
	for (i = 0; i < r->n_icmp; i++) {
		t = tables_icmp_to_v6(r->icmp_types[i]);
		if (t < 0) {
			diag_error(&r->icmp_locs[i],
				   "ICMP type '%s' has no ICMPv6 counterpart; name it on a line with "
				   "IPv4 addresses only",
				   tables_icmp_name(r->icmp_types[i]));
			ir_rule_free(dst);
			return -1;
		}
		add_icmp(dst, (uint8_t)t, &r->icmp_locs[i]);
	}
	family_part(&r->saddr, IR_F_IPV6, &dst->saddr);
	family_part(&r->daddr, IR_F_IPV6, &dst->daddr);
	return 0;
}

/*
 * The families a line's addresses give it, 0 when none is left (after an
 * error, or an IPv6-only line under `ipv6 open`, with a warning).
 */
static unsigned line_families(struct eval *e, const struct ast_stmt *st, const struct ir_rule *r)
{
	unsigned fam = list_families(&r->saddr) & list_families(&r->daddr);

	if (!fam) {
		diag_error(&st->loc, "'from' and 'to' name addresses of different families: no "
				     "packet has both");
		return 0;
	}
	if ((fam & IR_F_IPV6) && !(e->fam_both & IR_F_IPV6) &&
	    (!list_whole(&r->saddr, IR_F_IPV6) || !list_whole(&r->daddr, IR_F_IPV6))) {
		diag_warning(&st->loc, "with 'ipv6 open' masqgen leaves IPv6 alone: this line's IPv6 "
				       "addresses change nothing");
		fam &= e->fam_both;
	}
	return fam;
}

/*
 * Push the user rule @r (taken) as one rule per family its addresses
 * name, the IPv4 one first; a rule without addresses (or whose lists
 * cover everything) is one rule for both families (IPv4 for icmp).
 */
static void push_families(struct eval *e, const struct ast_stmt *st, enum ir_chain_id chain,
			  struct ir_rule *r, bool both)
{
	unsigned fam = line_families(e, st, r);
	struct ir_addrs saddr, daddr;
	struct ir_rule v6;
	bool has_v6;

	if (fam == IR_F_BOTH && list_whole(&r->saddr, IR_F_IPV4) &&
	    list_whole(&r->saddr, IR_F_IPV6) && list_whole(&r->daddr, IR_F_IPV4) &&
	    list_whole(&r->daddr, IR_F_IPV6)) {
		r->saddr.n = r->daddr.n = 0;
		r->family = r->proto == IR_P_ICMP ? IR_F_IPV4 : e->fam_both;
		push_protos(e, chain, r, both);
		return;
	}
	has_v6 = (fam & IR_F_IPV6) && v6_part(r, &v6) == 0;
	saddr = r->saddr;
	daddr = r->daddr;
	if (fam & IR_F_IPV4) {
		r->family = IR_F_IPV4;
		r->saddr = r->daddr = (struct ir_addrs){0};
		family_part(&saddr, IR_F_IPV4, &r->saddr);
		family_part(&daddr, IR_F_IPV4, &r->daddr);
		free(saddr.v);
		free(daddr.v);
		push_protos(e, chain, r, both);
	} else {
		ir_rule_free(r);
	}
	if (has_v6)
		push_protos(e, chain, &v6, both);
}

int eval_limit(const struct ast_stmt *st, struct ir_limit *l)
{
	const struct ast_word *rate = ast_get1(st, AST_S_LIMIT);
	const struct ast_word *burst = ast_get1(st, AST_S_BURST);
	unsigned long n;

	memset(l, 0, sizeof(*l));
	if (!rate) {
		if (burst)
			diag_error(&burst->loc, "'burst' belongs to a limit: write 'limit RATE burst %s'",
				   burst->text);
		else if (st->flags & AST_F_PER_SOURCE)
			diag_error(&st->flag_loc, "'per-source' belongs to a limit: write 'limit RATE "
						  "per-source'");
		return burst || (st->flags & AST_F_PER_SOURCE) ? -1 : 0;
	}
	if (value_rate(rate, &l->rate, &l->unit) < 0)
		return -1;
	/* the rate's count at once: 3/minute admits 3, not nft's default 5 */
	l->burst = l->rate;
	if (burst) {
		if (value_number(burst, 1, 10000, "burst", &n) < 0)
			return -1;
		l->burst = (unsigned)n;
	}
	l->per_source = st->flags & AST_F_PER_SOURCE;
	l->loc = rate->loc;
	return 0;
}

/*
 * The first IPv4 element of @l that overlaps an internal network, or
 * NULL; *net gets that network.
 */
static const struct ir_addr *lan_element(const struct eval *e, const struct ir_addrs *l,
					 const struct eval_net **net)
{
	size_t i, k;

	for (i = 0; i < l->n; i++) {
		const struct ir_addr *a = &l->v[i];

		if (a->family == IR_F_IPV6 || (a->lo == 0 && a->hi == UINT32_MAX))
			continue;
		for (k = 0; k < e->n_nets; k++) {
			if (ir_addr_lo(a) <= ir_net_hi(e->nets[k].net) &&
			    ir_net_lo(e->nets[k].net) <= ir_addr_hi(a)) {
				*net = &e->nets[k];
				return a;
			}
		}
	}
	return NULL;
}

/*
 * No silent widening: a deny or reject that names a LAN's IPv4 addresses
 * and no IPv6 ones leaves that LAN's IPv6 open, while masqgen filters
 * IPv6 on that chain. Once per line, suggesting the interface word that
 * covers both families there (`on` for a source in input and forward,
 * `out` for a destination in forward, `on` for one in output) or the
 * interface's IPv6 prefix.
 */
static void widening_rule(const struct eval *e, const struct ast_stmt *st, enum ir_chain_id chain,
			  const struct ir_rule *r)
{
	const struct eval_net *n = NULL;
	const struct ir_addr *a;
	const char *kw = NULL, *verb = st->kind == AST_DENY ? "denied" : "rejected";
	const struct ir_iface *in;
	char text[IR_ADDR_STRLEN], net[IR_ADDR_STRLEN], prefix[IR_ADDR_STRLEN + 64];
	char *fix, *where;
	bool whole;

	/* a negated list of one family: negation_ok() says so */
	if (st->kind == AST_ALLOW || e->ir->ipv6 == IR_IPV6_OPEN || r->saddr_neg || r->daddr_neg ||
	    (chain == IR_CH_FORWARD && e->ir->ipv6 == IR_IPV6_BLOCK) ||
	    (list_families(&r->saddr) & list_families(&r->daddr) & IR_F_IPV6))
		return;
	a = lan_element(e, &r->saddr, &n);
	if (a)
		kw = chain == IR_CH_OUTPUT ? NULL : "on";
	else if ((a = lan_element(e, &r->daddr, &n)))
		kw = chain == IR_CH_FORWARD ? "out" : chain == IR_CH_OUTPUT ? "on" : NULL;
	else
		return;
	in = n->iface;
	whole = ir_addr_lo(a) <= ir_net_lo(n->net) && ir_addr_hi(a) >= ir_net_hi(n->net);
	if (in->n_nets6)
		snprintf(prefix, sizeof(prefix), "the IPv6 prefix %s",
			 ir_net_str(&in->nets6[0], net));
	else
		snprintf(prefix, sizeof(prefix), "%s's IPv6 prefix (declare it on its 'internal' "
			 "line)", in->name);
	if (whole && kw)
		fix = xasprintf("write '%s %s' to cover both families, or add %s", kw, in->name,
				prefix);
	else if (whole)
		fix = xasprintf("add %s", prefix);
	else if (kw)
		fix = xasprintf("add those hosts' IPv6 addresses, or write '%s %s' for all of %s",
				kw, in->name, in->name);
	else
		fix = xstrdup("add those hosts' IPv6 addresses");
	ir_net_str(n->net, net);
	ir_addr_str(a, text);
	if (whole && strcmp(text, net) == 0)
		where = xasprintf("%s's network '%s'", in->name, net);
	else if (whole)
		where = xasprintf("'%s', which holds %s's network %s", text, in->name, net);
	else
		where = xasprintf("'%s' on %s's network %s", text, in->name, net);
	diag_widening(&a->loc, "this '%s' names %s in IPv4 only: %s's IPv6 is not %s; %s",
		      ast_kind_name(st->kind), where, in->name, verb, fix);
	free(where);
	free(fix);
}

/*
 * A negated address list (`from ! LIST`): it must exist and leave some
 * address of each family it names; one of a single family leaves the
 * other family out of a deny or reject (a warning: that widens it).
 */
static bool negation_ok(const struct eval *e, const struct ast_stmt *st,
			const struct ir_addrs *a, const struct ast_list *l, const char *kw)
{
	static const unsigned fams[] = {IR_F_IPV4, IR_F_IPV6};
	unsigned have = list_families(a);
	size_t i;

	if (!l) {
		diag_error(&st->loc, "'%s' is negated but the line has no '%s' list", kw, kw);
		return false;
	}
	for (i = 0; i < ARRAY_SIZE(fams); i++) {
		if ((have & fams[i]) && list_whole(a, fams[i])) {
			diag_error(&l->v[0].loc, "'%s !' matches no %s address: the list holds them "
						 "all",
				   kw, fams[i] == IR_F_IPV4 ? "IPv4" : "IPv6");
			return false;
		}
	}
	if (st->kind != AST_ALLOW && have != IR_F_BOTH && (e->fam_both & IR_F_IPV6))
		diag_widening(&l->v[0].loc, "'%s !' names only %s addresses: this line leaves %s "
					    "alone; name the %s addresses to spare as well",
			      kw, have == IR_F_IPV4 ? "IPv4" : "IPv6",
			      have == IR_F_IPV4 ? "IPv6" : "IPv4", have == IR_F_IPV4 ? "IPv6" : "IPv4");
	return true;
}

/*
 * The interface identifier matches in @a (a rule's `@kw` list): several
 * may share the list when they share one mask (one set lookup under that
 * mask), and IPv4 addresses (the IPv4 rule), but never a plain IPv6
 * address or another mask; and only where the rule's `@bkw` (@bound, NULL
 * if absent) names an internal interface: any Internet host can pick the
 * identifier under its own prefix. @bkw NULL: this slot of this chain never
 * takes one.
 */
static bool ifid_ok(const struct eval *e, const struct ir_addrs *a, const char *kw,
		    const struct ast_word *bound, const char *bkw)
{
	const struct ir_iface *ifc;
	char text[IR_ADDR_STRLEN], other[IR_ADDR_STRLEN];
	size_t i, j;

	for (i = 0; i < a->n && !ir_addr_mask6(&a->v[i]); i++)
		;
	if (i == a->n)
		return true;
	ir_addr_str(&a->v[i], text);
	for (j = 0; j < a->n; j++) {
		if (a->v[j].family != IR_F_IPV6 ||
		    ir_addr_mask6(&a->v[j]) == ir_addr_mask6(&a->v[i]))
			continue;
		ir_addr_str(&a->v[j], other);
		if (ir_addr_mask6(&a->v[j]))
			diag_error(&a->v[j].loc, "interface identifier match '%s' has another mask "
						 "than '%s' in its '%s' list: one list takes one "
						 "mask (write one line for each)",
				   other, text, kw);
		else
			diag_error(&a->v[j].loc, "'%s' cannot share its '%s' list with interface "
						 "identifier match '%s' (write one line for each)",
				   other, kw, text);
		return false;
	}
	ifc = bound && bkw ? ir_iface_find(e->ir, bound->text) : NULL;
	if (ifc && ifc->role == IR_INTERNAL)
		return true;
	if (bkw)
		diag_error(&a->v[i].loc, "interface identifier match '%s' in '%s' needs '%s IFACE' "
					 "naming an internal interface: any Internet host can pick "
					 "that identifier under its own prefix",
			   text, kw, bkw);
	else
		diag_error(&a->v[i].loc, "interface identifier match '%s' cannot stand in '%s' "
					 "here: only 'from' with 'on INTERNAL' in input and forward, "
					 "'to' with 'out INTERNAL' in forward or 'on INTERNAL' in output",
			   text, kw);
	return false;
}

void eval_user_rule(struct eval *e, const struct ast_stmt *st, size_t idx)
{
	static const char *const chains[] = {"input", "forward", "output"};
	static const enum ir_chain_id chain_id[] = {IR_CH_INPUT, IR_CH_FORWARD, IR_CH_OUTPUT};
	const struct ast_word *cw = ast_get1(st, AST_S_CHAIN);
	const struct ast_word *pw = ast_get1(st, AST_S_PROTO);
	const struct ast_word *on = ast_get1(st, AST_S_ON);
	const struct ast_word *out = ast_get1(st, AST_S_OUT);
	const struct ast_list *from = ast_get(st, AST_S_FROM);
	const struct ast_list *to = ast_get(st, AST_S_TO);
	enum value_proto proto = VALUE_P_ANY;
	enum ir_chain_id chain = IR_CH_INPUT;
	struct ir_rule r = {0};
	uint8_t number = IR_P_ANY;
	bool ok = true;
	int k;

	if (cw) {
		k = eval_keyword(cw, chains, ARRAY_SIZE(chains), "chain");
		if (k < 0)
			return;
		chain = chain_id[k];
	}
	if (pw && value_proto(pw, &proto, &number) < 0) {
		ok = false;
	} else if (number == IR_P_ICMPV6) {
		diag_error(&pw->loc, "protocol 58 is ICMPv6: write 'icmp' with IPv6 addresses "
				      "('from ::/0' for every one)");
		ok = false;
	} else if (rule_ports(ast_get(st, AST_S_PORTS), proto, pw ? pw->text : NULL, &r) < 0) {
		ok = false;
	}
	k = eval_set_ref(e, from, "from", &r.sset);
	if (k < 0 ||
	    (k == 0 && from && eval_addr_list(from, IR_F_BOTH | EVAL_IFID, NULL, &r.saddr) < 0))
		ok = false;
	k = eval_set_ref(e, to, "to", &r.dset);
	if (k < 0 || (k == 0 && to && eval_addr_list(to, IR_F_BOTH | EVAL_IFID, NULL, &r.daddr) < 0))
		ok = false;
	if (on && value_iface(on) < 0)
		ok = false;
	if (out && chain != IR_CH_FORWARD) {
		diag_error(&out->loc, "'out' names where a forwarded packet leaves: only 'forward' "
				      "rules take it%s",
			   chain == IR_CH_OUTPUT ? " ('on' is the outgoing interface in output)" : "");
		ok = false;
	} else if (out && value_iface(out) < 0) {
		ok = false;
	}
	if (ok && (!ifid_ok(e, &r.saddr, "from", on, chain != IR_CH_OUTPUT ? "on" : NULL) ||
		   !ifid_ok(e, &r.daddr, "to", chain == IR_CH_FORWARD ? out : on,
			    chain == IR_CH_FORWARD  ? "out"
			    : chain == IR_CH_OUTPUT ? "on"
						    : NULL)))
		ok = false;
	r.saddr_neg = st->flags & AST_F_NOT_FROM;
	r.daddr_neg = st->flags & AST_F_NOT_TO;
	/* `from ! @NAME`: not in the set, which may hold anything */
	if (r.saddr_neg && !r.sset && !negation_ok(e, st, &r.saddr, from, "from"))
		ok = false;
	if (r.daddr_neg && !r.dset && !negation_ok(e, st, &r.daddr, to, "to"))
		ok = false;
	if (eval_limit(st, &r.limit) < 0)
		ok = false;
	if (r.limit.rate && st->kind == AST_DENY) {
		diag_error(&r.limit.loc, "'deny ... limit' means nothing: a deny drops with or "
					 "without a limit (allow and reject take one)");
		ok = false;
	}
	if (!ok) {
		ir_rule_free(&r);
		return;
	}
	rule_warnings(e, st, idx, chain, on, &r.saddr);
	widening_rule(e, st, chain, &r);
	r.tag = IR_T_USER;
	r.loc = st->loc;
	r.verdict = st->kind == AST_ALLOW ? IR_V_ACCEPT : st->kind == AST_DENY ? IR_V_DROP
									     : IR_V_REJECT;
	r.log = st->flags & AST_F_LOG;
	if (on && chain == IR_CH_OUTPUT)
		r.oif = ir_intern(e->ir, on->text);
	else if (on)
		r.iif = ir_intern(e->ir, on->text);
	if (out)
		r.oif = ir_intern(e->ir, out->text);
	r.proto = number;
	if (r.limit.rate)
		r.ct_state = IR_CT_NEW;
	if (r.dports.n && proto == VALUE_P_TCPUDP)
		r.proto = IR_P_ANY;
	push_families(e, st, chain, &r, proto == VALUE_P_TCPUDP && !r.dports.n);
}

/* Every user rule's lists made sets, once merging is done. */
void eval_user_sets(struct eval *e)
{
	size_t c, i;

	for (c = 0; c < IR_CH_COUNT; c++) {
		for (i = 0; i < e->user[c].n; i++) {
			struct ir_rule *r = &e->user[c].v[i].r;

			eval_set_ports(&r->dports, true);
			eval_set_addrs(&r->saddr, true);
			eval_set_addrs(&r->daddr, true);
			set_icmp(r);
		}
	}
}

/* Live sets: `set NAME ...` and the `@NAME` of a rule (LANGUAGE.md, Gateway features). */

void eval_set_decl(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *name = eval_one(st, AST_S_NAME, "set name");
	const struct ast_word *tw = eval_one(st, AST_S_TIMEOUT, "duration");
	const struct ast_list *elems = ast_get(st, AST_S_VALUE);
	const struct ir_set *old;
	struct ir_set s = {.loc = st->loc};
	bool ok = true;
	size_t i;

	if (!name)
		return;
	if (!ast_is_name(name->text) || strlen(name->text) > EVAL_SET_NAME_MAX) {
		diag_error(&name->loc, "'%s' is not a valid set name: use up to %d letters, "
			   "digits, '_' and '-', starting with a letter or '_'",
			   name->text, EVAL_SET_NAME_MAX);
		return;
	}
	old = ir_set_find(e->ir, name->text);
	if (old) {
		char *where = diag_loc_str(&old->loc);

		diag_error(&name->loc, "set '%s' is already declared (%s)", name->text, where);
		free(where);
		return;
	}
	if (tw && value_duration(tw, &s.timeout) < 0)
		ok = false;
	for (i = 0; elems && i < elems->n; i++) {
		const struct ast_word *w = &elems->v[i];

		if (strcmp(w->text, "any") == 0) {
			diag_error(&w->loc, "a set element is an address, a network or a range, "
				   "not '%s'", w->text);
			ok = false;
		}
	}
	if (ok && elems && eval_addr_list(elems, IR_F_BOTH, NULL, &s.elems) < 0)
		ok = false;
	for (i = 0; ok && i < s.elems.n; i++) {
		if (s.elems.v[i].family == IR_F_IPV6 && !(e->fam_both & IR_F_IPV6)) {
			diag_error(&s.elems.v[i].loc, "set '%s' has no IPv6 half under 'ipv6 open' "
				   "(masqgen leaves IPv6 alone)", name->text);
			ok = false;
		}
	}
	if (!ok) {
		free(s.elems.v);
		return;
	}
	eval_set_addrs(&s.elems, true);
	s.name = ir_intern(e->ir, name->text);
	*VEC_PUSH(e->ir->sets, e->ir->n_sets, e->ir->cap_sets) = s;
}

/* The names of the declared sets, for "did you mean". */
static const char *set_hint(const struct ir *ir, const char *word)
{
	const char **names = xcalloc(ir->n_sets + 1, sizeof(*names));
	const char *hint;
	size_t i;

	for (i = 0; i < ir->n_sets; i++)
		names[i] = ir->sets[i].name;
	hint = suggest(word, names, ir->n_sets, sizeof(*names));
	free(names);
	return hint;
}

int eval_set_ref(struct eval *e, const struct ast_list *l, const char *slot, const char **set)
{
	const struct ir_set *s;
	const char *hint;
	size_t i;

	*set = NULL;
	for (i = 0; l && i < l->n; i++) {
		if (l->v[i].text[0] != '@')
			continue;
		if (l->n > 1) {
			diag_error(&l->v[i].loc, "'%s' stands alone in '%s': a rule takes either a "
				   "set or a list of addresses", l->v[i].text, slot);
			return -1;
		}
		s = ir_set_find(e->ir, l->v[i].text + 1);
		if (!s) {
			hint = set_hint(e->ir, l->v[i].text + 1);
			if (hint)
				diag_error(&l->v[i].loc, "unknown set '%s' (did you mean '@%s'?)",
					   l->v[i].text, hint);
			else
				diag_error(&l->v[i].loc, "unknown set '%s': declare it with "
					   "'set %s'", l->v[i].text, l->v[i].text + 1);
			return -1;
		}
		*set = s->name;
		return 1;
	}
	return 0;
}
