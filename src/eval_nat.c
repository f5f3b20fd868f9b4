// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eval_nat.c - masquerade, 1:1 NAT and forwards: their statements, the
 * default source NAT, and the checks that need all of them (a port
 * forwarded twice, reflection on two externals, a 1:1 address given twice).
 */
#include "eval.h"
#include "util.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The external interface a statement applies to: its `on` word, or the
 * only external. NULL when it applies to every external (*every set:
 * allowed only where @many_ok) or after an error.
 */
static struct ir_iface *external_on(struct eval *e, const struct ast_stmt *st, bool many_ok,
				    bool *every)
{
	const struct ast_word *on = eval_one(st, AST_S_ON, "interface");
	struct ir_iface *ifc;
	size_t i;

	*every = false;
	if (!on) {
		if (e->n_external == 1) {
			for (i = 0; e->ir->ifaces[i].role != IR_EXTERNAL; i++)
				;
			return &e->ir->ifaces[i];
		}
		if (e->n_external > 1 && !many_ok)
			diag_error(&st->loc,
				   "with several external interfaces, '%s' must say 'on IFACE'",
				   ast_kind_name(st->kind));
		*every = e->n_external > 1 && many_ok;
		return NULL;
	}
	if (value_iface(on) < 0)
		return NULL;
	ifc = eval_iface(e, ir_intern(e->ir, on->text));
	if (!ifc || ifc->role != IR_EXTERNAL) {
		if (ifc)
			diag_error(&on->loc, "'on %s' must name an external interface, not %s one",
				   on->text, ifc->role == IR_INTERNAL ? "an internal" : "a passthrough");
		else
			diag_error(&on->loc, "'on %s' must name an external interface; '%s' is not "
				   "declared", on->text, on->text);
		return NULL;
	}
	return ifc;
}

/* An address that must not be inside an internal network, nor a cluster node's own. */
static int public_addr(struct eval *e, const struct ast_word *w, uint32_t *addr)
{
	const struct eval_net *n;
	char buf[IR_ADDR_STRLEN];

	if (eval_host_addr(w, addr) < 0)
		return -1;
	n = eval_net_of(e, IR_F_IPV4, *addr);
	if (n) {
		diag_error(&w->loc, "'%s' is inside internal network '%s' of '%s', not public",
			   w->text, ir_net_str(n->net, buf), n->iface->name);
		return -1;
	}
	return eval_cluster_public(e, w, *addr);
}

static uint32_t mask(const struct ir_net *n)
{
	return n->len ? ~(uint32_t)0 << (32 - n->len) : 0;
}

/* A LAN host: inside an internal network and not the gateway itself. */
static int lan_host(struct eval *e, const struct ast_word *w, uint32_t addr)
{
	const struct eval_net *n = eval_net_of(e, IR_F_IPV4, addr);
	char buf[16];

	if (!n) {
		/* without any internal network, that error says it all */
		if (e->n_nets)
			diag_error(&w->loc, "'%s' is outside every internal network", w->text);
		return -1;
	}
	if (n->net->gw == addr) {
		diag_error(&w->loc, "'%s' is the gateway's own address on '%s'", ir_ip_str(addr, buf),
			   n->iface->name);
		return -1;
	}
	if (n->net->len < 31 && (addr == n->net->net || addr == (n->net->net | ~mask(n->net)))) {
		char net[IR_ADDR_STRLEN];

		diag_error(&w->loc, "'%s' is the %s address of '%s', not a host",
			   ir_ip_str(addr, buf), addr == n->net->net ? "network" : "broadcast",
			   ir_net_str(n->net, net));
		return -1;
	}
	return 0;
}

static void add_snat(struct eval *e, const char *oif, const struct ir_addrs *sources,
		     uint32_t to, const struct loc *loc)
{
	struct ir_snat *s = VEC_PUSH(e->ir->snats, e->ir->n_snats, e->ir->cap_snats);

	memset(s, 0, sizeof(*s));
	s->oif = oif;
	s->to = to;
	s->loc = *loc;
	eval_addrs_append(&s->sources, sources);
}

/* Does @a overlap an internal network of its family (or cover a whole family)? */
static bool masq_source_inside(const struct eval *e, const struct ir_addr *a)
{
	const struct eval_net *nets = a->family == IR_F_IPV6 ? e->nets6 : e->nets;
	size_t k, n = a->family == IR_F_IPV6 ? e->n_nets6 : e->n_nets;

	if (ir_addr_lo(a) == 0 && ir_addr_hi(a) == ir_family_max(a->family))
		return true;
	for (k = 0; k < n; k++)
		if (ir_addr_lo(a) <= ir_net_hi(nets[k].net) && ir_net_lo(nets[k].net) <= ir_addr_hi(a))
			return true;
	return false;
}

/*
 * masquerade SOURCES: the IPv4 sources become source NAT out of each
 * external the line applies to; the IPv6 ones go out untranslated
 * (e->masq6), and eval_chains.c lets each interface's IPv6 out by them.
 */
static void eval_masquerade(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_list *src = ast_get(st, AST_S_SOURCES);
	const struct ast_word *to = eval_one(st, AST_S_TO, "address");
	struct ir_addrs sources = {0}, v4 = {0};
	struct ir_iface *oif;
	uint32_t to_addr = 0;
	bool every;
	size_t i, j;

	oif = external_on(e, st, !to, &every);
	if (!src)
		diag_error(&st->loc, "masquerade needs the SOURCES it applies to");
	if (!src || eval_addr_list(src, IR_F_BOTH, NULL, &sources) < 0)
		goto out;
	eval_set_addrs(&sources, true);
	for (i = j = 0; i < sources.n; i++) {
		if (sources.v[i].family != IR_F_IPV6 || (e->fam_both & IR_F_IPV6))
			sources.v[j++] = sources.v[i];
		else if (ir_addr_lo(&sources.v[i]) != 0 || ir_addr_hi(&sources.v[i]) !=
								  ir_family_max(IR_F_IPV6))
			diag_warning(&sources.v[i].loc, "with 'ipv6 open' masqgen leaves IPv6 alone: "
							"this IPv6 source changes nothing");
	}
	sources.n = j;
	for (i = 0; i < sources.n; i++) {
		const struct ir_addr *a = &sources.v[i];
		char buf[IR_ADDR_STRLEN];

		if (!masq_source_inside(e, a)) {
			diag_error(&a->loc, "masquerade source %s is outside every internal "
					    "network: declare its network on an 'internal' line",
				   ir_addr_str(a, buf));
			goto out;
		}
		if (a->family != IR_F_IPV6)
			*VEC_PUSH(v4.v, v4.n, v4.cap) = *a;
	}
	if (to && !v4.n) {
		diag_error(&to->loc, "'to' translates IPv4 sources, and this line has none (IPv6 "
				     "goes out untranslated)");
		goto out;
	}
	if (to && public_addr(e, to, &to_addr) < 0)
		goto out;
	for (i = 0; i < e->ir->n_ifaces; i++) {
		struct ir_iface *x = &e->ir->ifaces[i];

		if (x->role != IR_EXTERNAL || (!every && x != oif))
			continue;
		if (v4.n)
			add_snat(e, x->name, &v4, to ? to_addr : x->addr, &st->loc);
		for (j = 0; j < sources.n; j++)
			if (sources.v[j].family == IR_F_IPV6)
				*VEC_PUSH(e->masq6, e->n_masq6, e->cap_masq6) =
					(struct eval_masq6){x->name, sources.v[j]};
	}
out:
	free(v4.v);
	free(sources.v);
}

static void eval_nat(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *pub = eval_one(st, AST_S_PUBLIC, "address");
	const struct ast_word *priv = eval_one(st, AST_S_PRIVATE, "address");
	struct ir_nat1to1 n = {.loc = st->loc};
	struct ir_iface *iif;
	bool every, ok = true;
	size_t i;

	iif = external_on(e, st, false, &every);
	if (!pub || !priv)
		return;
	if (public_addr(e, pub, &n.public_addr) < 0)
		ok = false;
	for (i = 0; ok && i < e->ir->n_ifaces; i++) {
		if (e->ir->ifaces[i].role == IR_EXTERNAL && e->ir->ifaces[i].addr == n.public_addr) {
			diag_error(&pub->loc,
				   "'%s' is the address of external '%s'; 1:1 NAT needs an address "
				   "of its own (an alias)",
				   pub->text, e->ir->ifaces[i].name);
			ok = false;
		}
	}
	if (eval_host_addr(priv, &n.private_addr) < 0 || lan_host(e, priv, n.private_addr) < 0)
		ok = false;
	if (!ok || !iif)
		return;
	n.iif = iif->name;
	*VEC_PUSH(e->ir->nat1to1, e->ir->n_nat1to1, e->ir->cap_nat1to1) = n;
}

/* The target of a forward: HOST and the first target port. */
static int forward_target(struct eval *e, const struct ast_word *to, const struct ast_list *ports,
			  bool takes_ports, uint32_t *host, bool *has_port, uint16_t *to_lo)
{
	uint16_t lo, hi, plo, phi;

	if (value_hostport(to, host, has_port, &lo, &hi) < 0 || lan_host(e, to, *host) < 0)
		return -1;
	if (!*has_port)
		return 0;
	if (!takes_ports) {
		diag_error(&to->loc, "'%s' gives a port, but this protocol has none", to->text);
		return -1;
	}
	if (!ports || ports->n != 1) {
		diag_error(&to->loc, "a target port needs exactly one public port or range, not %u",
			   ports ? ports->n : 0u);
		return -1;
	}
	if (value_ports(&ports->v[0], &plo, &phi) < 0)
		return -1;
	if (lo != hi && hi - lo != phi - plo) {
		diag_error(&to->loc, "target ports '%s' are not as many as the public ports '%s'",
			   to->text, ports->v[0].text);
		return -1;
	}
	if ((unsigned)lo + (phi - plo) > 65535) {
		diag_error(&to->loc, "target ports from '%s' run past 65535", to->text);
		return -1;
	}
	*to_lo = lo;
	return 0;
}

static void add_forward(struct eval *e, const struct ir_forward *tmpl, uint8_t proto,
			uint16_t lo, uint16_t hi, uint16_t to_lo, const struct loc *loc)
{
	struct ir_forward *f = VEC_PUSH(e->ir->forwards, e->ir->n_forwards, e->ir->cap_forwards);

	*f = *tmpl;
	f->proto = proto;
	f->lo = lo;
	f->hi = hi;
	f->to_lo = to_lo;
	f->loc = *loc;
	f->from.v = NULL;
	f->from.n = f->from.cap = 0;
	eval_addrs_append(&f->from, &tmpl->from);
}

static void eval_forward(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *pw = eval_one(st, AST_S_PROTO, "protocol");
	const struct ast_list *ports = ast_get(st, AST_S_PORTS);
	const struct ast_list *from = ast_get(st, AST_S_FROM);
	const struct ast_word *to = eval_one(st, AST_S_TO, "target");
	struct ir_forward t = {.reflect = !(st->flags & AST_F_NOREFLECT)};
	enum value_proto proto;
	bool takes_ports, has_port = false, every, ok = true;
	uint8_t number;
	struct ir_iface *iif;
	size_t i;

	iif = external_on(e, st, false, &every);
	if (!pw || value_proto(pw, &proto, &number) < 0)
		return;
	takes_ports = proto == VALUE_P_TCP || proto == VALUE_P_UDP || proto == VALUE_P_TCPUDP;
	if (proto == VALUE_P_ANY || proto == VALUE_P_ICMP || proto == VALUE_P_NUMBER) {
		diag_error(&pw->loc, "forward takes tcp, udp, tcp/udp, gre, esp or ah, not '%s'",
			   pw->text);
		return;
	}
	if (takes_ports && !ports) {
		diag_error(&pw->loc, "forward %s needs the PORTS it forwards", pw->text);
		ok = false;
	}
	if (!takes_ports && ports) {
		diag_error(&ports->v[0].loc, "%s has no ports; write 'forward %s to HOST'", pw->text,
			   pw->text);
		ok = false;
	}
	if (!to) {
		diag_error(&st->loc, "forward needs 'to HOST'");
		return;
	}
	if (from && eval_addr_list(from, IR_F_IPV4,
				   "a forward translates IPv4 connections (no NAT66)", &t.from) < 0)
		ok = false;
	eval_set_addrs(&t.from, true);
	if (forward_target(e, to, ports, takes_ports, &t.host, &has_port, &t.to_lo) < 0)
		ok = false;
	if (eval_limit(st, &t.limit) < 0)
		ok = false;
	if (!ok || !iif)
		goto out;
	t.iif = iif->name;
	if (!takes_ports) {
		uint8_t p = proto == VALUE_P_GRE ? IR_P_GRE : proto == VALUE_P_ESP ? IR_P_ESP : IR_P_AH;

		add_forward(e, &t, p, 0, 0, 0, &pw->loc);
		goto out;
	}
	for (i = 0; i < ports->n; i++) {
		uint16_t lo, hi, to_lo;

		if (value_ports(&ports->v[i], &lo, &hi) < 0)
			continue;
		to_lo = has_port ? t.to_lo : lo;
		if (proto != VALUE_P_UDP)
			add_forward(e, &t, IR_P_TCP, lo, hi, to_lo, &ports->v[i].loc);
		if (proto != VALUE_P_TCP)
			add_forward(e, &t, IR_P_UDP, lo, hi, to_lo, &ports->v[i].loc);
	}
out:
	free(t.from.v);
}

/* A forward in the conflict sweeps: its interface's index and its own. */
struct eval_fwd_key {
	size_t iface, idx;
	uint8_t proto;
	uint16_t lo, hi;
};

struct eval_conflict {
	size_t later, earlier;
	bool reflect;
};

static int conflict_cmp(const void *pa, const void *pb)
{
	const struct eval_conflict *a = pa, *b = pb;

	if (a->later != b->later)
		return a->later < b->later ? -1 : 1;
	return a->reflect - b->reflect;
}

static const char *fwd_ports_str(const struct ir_forward *f, char *buf)
{
	if (f->proto != IR_P_TCP && f->proto != IR_P_UDP)
		snprintf(buf, 32, "%s", ir_proto_name(f->proto));
	else if (f->lo == f->hi)
		snprintf(buf, 32, "%s port %u", ir_proto_name(f->proto), f->lo);
	else
		snprintf(buf, 32, "%s ports %u-%u", ir_proto_name(f->proto), f->lo, f->hi);
	return buf;
}

/*
 * Sweep @k in order of (iface, proto, lo); the reflection sweep (@reflect)
 * gives every key iface 0, so forwards on different interfaces meet. An
 * overlap with the key reaching furthest so far is a conflict.
 */
static void sweep_forwards(const struct eval_fwd_key *k, size_t n, bool reflect,
			   struct eval_conflict **out, size_t *n_out, size_t *cap_out,
			   const struct ir *ir)
{
	uint64_t *keys = xmalloc((n + 1) * sizeof(*keys));
	size_t *order, i, reach = 0;

	/* then by idx: k is in idx order and the sort is stable */
	for (i = 0; i < n; i++)
		keys[i] = (uint64_t)k[i].iface << 24 | (uint64_t)k[i].proto << 16 | k[i].lo;
	order = util_sort_keys(keys, n);
	free(keys);
	for (i = 1; i < n; i++) {
		const struct eval_fwd_key *r = &k[order[reach]], *x = &k[order[i]];

		if (r->iface == x->iface && r->proto == x->proto && x->lo <= r->hi) {
			bool same_if = ir->forwards[r->idx].iif == ir->forwards[x->idx].iif;

			if (!reflect || !same_if) {
				struct eval_conflict *c = VEC_PUSH(*out, *n_out, *cap_out);

				c->later = r->idx > x->idx ? r->idx : x->idx;
				c->earlier = r->idx > x->idx ? x->idx : r->idx;
				c->reflect = reflect;
			}
			if (x->hi <= r->hi)
				continue;
		}
		reach = i;
	}
	free(order);
}

/* Two forwards of one port on one interface; reflection on two externals. */
/*
 * Reflection with a dynamic external cannot name that interface's address
 * (prerouting knows a local address only as local): it also takes a
 * passthrough bridge's, which deserves a word when the policy has one.
 */
static void check_dynamic_reflection(struct eval *e)
{
	const struct ir_iface *dyn = NULL, *pass = NULL;
	const struct ir_forward *f = NULL;
	size_t i;

	for (i = 0; i < e->ir->n_forwards && !f; i++)
		if (e->ir->forwards[i].reflect)
			f = &e->ir->forwards[i];
	for (i = 0; f && i < e->ir->n_ifaces; i++) {
		const struct ir_iface *x = &e->ir->ifaces[i];

		if (x->role == IR_EXTERNAL && !x->addr && !dyn)
			dyn = x;
		if (x->role == IR_PASSTHROUGH && !pass)
			pass = x;
	}
	if (!dyn || !pass)
		return;
	diag_warning(&f->loc,
		     "reflection takes every local address outside the internal networks while "
		     "external '%s' is dynamic, the address of passthrough '%s' too: give '%s' "
		     "its 'address', or add 'noreflect'",
		     dyn->name, pass->name, dyn->name);
}

void eval_check_forwards(struct eval *e)
{
	struct ir *ir = e->ir;
	struct eval_fwd_key *k = xcalloc(ir->n_forwards, sizeof(*k));
	struct eval_conflict *c = NULL;
	size_t i, n = 0, n_c = 0, cap_c = 0, last = (size_t)-1;
	char buf[32];

	for (i = 0; i < ir->n_forwards; i++) {
		k[i].iface = (size_t)(eval_iface(e, ir->forwards[i].iif) - ir->ifaces);
		k[i].idx = i;
		k[i].proto = ir->forwards[i].proto;
		k[i].lo = ir->forwards[i].lo;
		k[i].hi = ir->forwards[i].hi;
	}
	sweep_forwards(k, ir->n_forwards, false, &c, &n_c, &cap_c, ir);
	for (i = 0; i < ir->n_forwards; i++) {
		if (!ir->forwards[i].reflect)
			continue;
		k[n] = (struct eval_fwd_key){0, i, ir->forwards[i].proto, ir->forwards[i].lo,
					     ir->forwards[i].hi};
		n++;
	}
	sweep_forwards(k, n, true, &c, &n_c, &cap_c, ir);
	if (n_c)
		qsort(c, n_c, sizeof(*c), conflict_cmp);
	for (i = 0; i < n_c; i++) {
		const struct ir_forward *a = &ir->forwards[c[i].later];
		const struct ir_forward *b = &ir->forwards[c[i].earlier];

		if (c[i].later == last)
			continue;
		last = c[i].later;
		if (!c[i].reflect) {
			diag_error(&a->loc, "%s on '%s' is already forwarded", fwd_ports_str(a, buf),
				   a->iif);
			diag_note(&b->loc, "first forwarded here");
			continue;
		}
		diag_error(&a->loc,
			   "%s is forwarded on '%s' and '%s' with reflection on both: a LAN host's "
			   "connection cannot say which; add 'noreflect' to all but one",
			   fwd_ports_str(a, buf), b->iif, a->iif);
		diag_note(&b->loc, "forwarded on '%s' here", b->iif);
	}
	free(c);
	free(k);
	check_dynamic_reflection(e);
}

/* Without `masquerade`: every internal network out of every external. */
void eval_default_snats(struct eval *e)
{
	size_t i, j, k;

	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *x = &e->ir->ifaces[i];

		if (x->role != IR_EXTERNAL)
			continue;
		for (j = 0; j < e->ir->n_ifaces; j++) {
			const struct ir_iface *in = &e->ir->ifaces[j];

			for (k = 0; in->role == IR_INTERNAL && k < in->n_nets; k++) {
				struct ir_addr a = ir_addr_make(IR_F_IPV4, ir_net_lo(&in->nets[k]),
								ir_net_hi(&in->nets[k]),
								&in->nets[k].loc);
				struct ir_addrs src = {&a, 1, 1};

				add_snat(e, x->name, &src, x->addr, &x->loc);
			}
		}
	}
}

/* NAT, forwards and user rules, in policy order. */
void eval_statements(struct eval *e, const struct ast_file *f)
{
	size_t i, n = 0;

	/* a forward statement makes one forward or more: size the array once */
	for (i = 0; i < f->n; i++)
		n += f->stmts[i].kind == AST_FORWARD;
	util_grow(&e->ir->forwards, &e->ir->cap_forwards, e->ir->n_forwards + n,
		  sizeof(*e->ir->forwards));
	/* sets first: a rule may name a set declared below it */
	for (i = 0; i < f->n; i++)
		if (f->stmts[i].kind == AST_SET)
			eval_set_decl(e, &f->stmts[i]);
	for (i = 0; i < f->n; i++) {
		const struct ast_stmt *st = &f->stmts[i];

		switch (st->kind) {
		case AST_MASQUERADE:
			eval_masquerade(e, st);
			break;
		case AST_FORWARD:
			eval_forward(e, st);
			break;
		case AST_NAT:
			eval_nat(e, st);
			break;
		case AST_ALLOW:
		case AST_DENY:
		case AST_REJECT:
			eval_user_rule(e, st, i);
			break;
		default:
			break;
		}
	}
}

/* A 1:1 address in the duplicate sweep: which side, the address, its entry. */
struct eval_nat_key {
	bool private_side;
	uint32_t addr;
	size_t idx;
};

static int nat_key_cmp(const void *pa, const void *pb)
{
	const struct eval_nat_key *a = pa, *b = pb;

	if (a->private_side != b->private_side)
		return a->private_side ? 1 : -1;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

void eval_check_nat1to1(struct eval *e)
{
	struct ir *ir = e->ir;
	size_t i, n = 2 * ir->n_nat1to1;
	struct eval_nat_key *k = xcalloc(n + 1, sizeof(*k));
	char buf[16];

	for (i = 0; i < ir->n_nat1to1; i++) {
		k[2 * i] = (struct eval_nat_key){false, ir->nat1to1[i].public_addr, i};
		k[2 * i + 1] = (struct eval_nat_key){true, ir->nat1to1[i].private_addr, i};
	}
	qsort(k, n, sizeof(*k), nat_key_cmp);
	for (i = 1; i < n; i++) {
		if (k[i].private_side != k[i - 1].private_side || k[i].addr != k[i - 1].addr)
			continue;
		diag_error(&ir->nat1to1[k[i].idx].loc, "1:1 NAT for %s address %s is already given",
			   k[i].private_side ? "private" : "public", ir_ip_str(k[i].addr, buf));
		diag_note(&ir->nat1to1[k[i - 1].idx].loc, "first given here");
	}
	free(k);
}

/* Whether an address of @a is also in @b. */
static bool addrs_meet(const struct ir_addrs *a, const struct ir_addrs *b)
{
	size_t i, j;

	for (i = 0; i < a->n; i++)
		for (j = 0; j < b->n; j++)
			if (a->v[i].family == b->v[j].family &&
			    ir_addr_lo(&a->v[i]) <= ir_addr_hi(&b->v[j]) &&
			    ir_addr_lo(&b->v[j]) <= ir_addr_hi(&a->v[i]))
				return true;
	return false;
}

void eval_pin_snats(struct eval *e)
{
	size_t i, j;

	for (i = 0; i < e->ir->n_snats; i++) {
		struct ir_snat *s = &e->ir->snats[i];
		const struct ir_iface *x = eval_iface(e, s->oif);

		if (!x || !x->wan)
			continue;
		for (j = 0; j < e->ir->n_snats; j++)
			if (e->ir->snats[j].oif != s->oif &&
			    addrs_meet(&s->sources, &e->ir->snats[j].sources))
				break;
		if (j == e->ir->n_snats)
			s->pin = x->wan;
	}
}
