// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eval.c - a flat policy to IR: interfaces, NAT, forwards, helpers and the
 * settings, with every semantic check reported at its word. Declarations
 * (interfaces, levels, settings) are read first, so a forward may stand
 * before the internal line it needs.
 */
#include "eval.h"
#include "suggest.h"
#include "tables.h"
#include "util.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSS_MIN 536
#define MSS_MAX 65495

/* The slot's single word; more than one is an error at the second. */
static const struct ast_word *one(const struct ast_stmt *st, enum ast_slot slot, const char *what)
{
	const struct ast_list *l = ast_get(st, slot);

	if (!l)
		return NULL;
	if (l->n > 1)
		diag_error(&l->v[1].loc, "%s takes one %s, not a list", ast_kind_name(st->kind),
			   what);
	return &l->v[0];
}

/* An error for a repeated statement, naming the first. */
static bool repeated(const struct ast_stmt *st, const struct ast_stmt **first)
{
	if (!*first) {
		*first = st;
		return false;
	}
	diag_error(&st->loc, "'%s' is already set; a policy says it once",
		   ast_kind_name(st->kind));
	diag_note(&(*first)->loc, "'%s' first set here", ast_kind_name(st->kind));
	return true;
}

/* Addresses an interface or host cannot have. */
static bool unusable_host(uint32_t a)
{
	return a == 0 || (a >> 24) == 127 || (a >> 28) >= 14 || (a >> 28) == 0xe ||
	       a == 0xffffffff;
}

static int host_addr(const struct ast_word *w, uint32_t *addr)
{
	if (value_ipv4(w, addr) < 0)
		return -1;
	if (unusable_host(*addr)) {
		diag_error(&w->loc, "'%s' cannot be a host address", w->text);
		return -1;
	}
	return 0;
}

static const char *net_str(const struct ir_net *n, char *buf)
{
	char ip[16];

	snprintf(buf, 40, "%s/%u", ir_ip_str(n->net, ip), n->len);
	return buf;
}

static const char *role_name(enum ir_role role)
{
	return role == IR_EXTERNAL ? "external" : role == IR_INTERNAL ? "internal" : "passthrough";
}

struct ir_iface *eval_iface(const struct eval *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->ir->n_ifaces; i++)
		if (e->ir->ifaces[i].name == name)
			return &e->ir->ifaces[i];
	return NULL;
}

/* Declare @w with @role; internal may repeat (its networks add up). */
static struct ir_iface *declare(struct eval *e, const struct ast_word *w, enum ir_role role)
{
	struct ir_iface *ifc;
	const char *name;

	if (value_iface(w) < 0)
		return NULL;
	name = ir_intern(e->ir, w->text);
	ifc = eval_iface(e, name);
	if (ifc) {
		if (ifc->role == role && role == IR_INTERNAL)
			return ifc;
		if (ifc->role == role)
			diag_error(&w->loc, "%s interface '%s' is already declared", role_name(role),
				   name);
		else
			diag_error(&w->loc, "'%s' is already declared %s; an interface has one role",
				   name, role_name(ifc->role));
		diag_note(&ifc->loc, "'%s' declared here", name);
		return NULL;
	}
	ifc = VEC_PUSH(e->ir->ifaces, e->ir->n_ifaces, e->ir->cap_ifaces);
	memset(ifc, 0, sizeof(*ifc));
	ifc->name = name;
	ifc->role = role;
	ifc->loc = w->loc;
	if (role == IR_EXTERNAL)
		e->n_external++;
	return ifc;
}

static void eval_external(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *w = one(st, AST_S_IFACE, "interface");
	const struct ast_word *addr = one(st, AST_S_ADDRESS, "address");
	struct ir_iface *ifc;

	if (!w)
		return;
	ifc = declare(e, w, IR_EXTERNAL);
	if (!ifc)
		return;
	ifc->dynamic = !addr;
	if (addr && (st->flags & AST_F_DYNAMIC))
		diag_error(&st->flag_loc, "external '%s' cannot be both 'dynamic' and 'address'",
			   ifc->name);
	if (addr && host_addr(addr, &ifc->addr) < 0)
		ifc->addr = 0;
}

static void eval_internal(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *w = one(st, AST_S_IFACE, "interface");
	const struct ast_list *nets = ast_get(st, AST_S_NETWORKS);
	struct ir_iface *ifc;
	size_t i;

	if (!w)
		return;
	ifc = declare(e, w, IR_INTERNAL);
	if (!ifc)
		return;
	if (!nets) {
		diag_error(&w->loc, "internal '%s' needs its network, e.g. '192.168.0.1/24'",
			   ifc->name);
		return;
	}
	for (i = 0; i < nets->n; i++) {
		struct ir_net n = {.loc = nets->v[i].loc};

		if (value_network(&nets->v[i], &n.net, &n.len, &n.gw) < 0)
			continue;
		*VEC_PUSH(ifc->nets, ifc->n_nets, ifc->cap_nets) = n;
	}
}

static void eval_passthrough(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_list *l = ast_get(st, AST_S_IFACES);
	size_t i;

	for (i = 0; l && i < l->n; i++)
		declare(e, &l->v[i], IR_PASSTHROUGH);
}

int eval_keyword(const struct ast_word *w, const char *const *names, size_t n,
		   const char *what)
{
	const char *hint;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(w->text, names[i]) == 0)
			return (int)i;
	hint = suggest(w->text, names, n, sizeof(names[0]));
	if (hint)
		diag_error(&w->loc, "unknown %s '%s' (did you mean '%s'?)", what, w->text, hint);
	else
		diag_error(&w->loc, "unknown %s '%s'", what, w->text);
	return -1;
}

static void eval_level(struct eval *e, const struct ast_stmt *st)
{
	static const char *const levels[] = {"simple", "strong"};
	const struct ast_word *w = one(st, AST_S_LEVEL, "level");
	int k;

	if (!w)
		return;
	k = eval_keyword(w, levels, ARRAY_SIZE(levels), "firewall level");
	if (k >= 0) {
		e->ir->level = k == 0 ? IR_SIMPLE : IR_STRONG;
		e->ir->level_loc = st->loc;
	}
}

static void eval_ipv6(struct eval *e, const struct ast_stmt *st)
{
	static const char *const modes[] = {"firewall", "block", "open"};
	static const enum ir_ipv6_mode mode[] = {IR_IPV6_FIREWALL, IR_IPV6_BLOCK, IR_IPV6_OPEN};
	const struct ast_word *w = one(st, AST_S_MODE, "mode");
	int k;

	if (!w)
		return;
	k = eval_keyword(w, modes, ARRAY_SIZE(modes), "ipv6 mode");
	if (k >= 0)
		e->ir->ipv6 = mode[k];
}

static void eval_log(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *limit = one(st, AST_S_LIMIT, "rate");
	const struct ast_word *prefix = one(st, AST_S_PREFIX, "prefix");
	const struct ast_word *level = one(st, AST_S_LEVEL, "level");
	struct ir_log *log = &e->ir->log;

	log->loc = st->loc;
	log->catchall = !(st->flags & AST_F_OFF);
	if (limit)
		value_rate(limit, &log->rate, &log->unit);
	if (prefix && value_log_prefix(prefix) == 0)
		log->prefix = ir_intern(e->ir, prefix->text);
	if (level)
		value_log_level(level, &log->level);
}

static void eval_clamp(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *w = one(st, AST_S_VALUE, "value");
	unsigned long mss;

	e->ir->clamp.enabled = true;
	e->ir->clamp.loc = st->loc;
	if (!w || strcmp(w->text, "pmtu") == 0)
		return;
	if (value_number(w, MSS_MIN, MSS_MAX, "MSS", &mss) == 0)
		e->ir->clamp.mss = (uint16_t)mss;
}

static void eval_timeouts(struct eval *e, const struct ast_stmt *st)
{
	static const enum ast_slot slots[] = {AST_S_TCP, AST_S_TCPFIN, AST_S_UDP};
	struct ir_timeouts *t = &e->ir->timeouts;
	unsigned *field[] = {&t->tcp, &t->tcpfin, &t->udp};
	bool any = false;
	size_t i;

	t->loc = st->loc;
	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		const struct ast_word *w = one(st, slots[i], "duration");

		if (!w)
			continue;
		any = true;
		value_duration(w, field[i]);
	}
	if (!any)
		diag_error(&st->loc, "timeouts needs at least one of tcp, tcpfin and udp");
}

static void add_sysctl(struct eval *e, const char *key, const char *value, const char *iface,
		       const struct loc *loc)
{
	struct ir_sysctl *s = VEC_PUSH(e->ir->sysctls, e->ir->n_sysctls, e->ir->cap_sysctls);

	s->key = ir_intern(e->ir, key);
	s->value = value;
	s->iface = iface;
	s->loc = loc ? *loc : (struct loc){0};
}

static void eval_option(struct eval *e, const struct ast_stmt *st, const struct ast_stmt **seen)
{
	static const char *const names[] = {"rp_filter", "log-martians"};
	static const char *const keys[] = {"rp_filter", "log_martians"};
	const struct ast_word *name = one(st, AST_S_NAME, "name");
	const struct ast_word *value = one(st, AST_S_VALUE, "value");
	const char *val;
	char *key;
	bool on;
	size_t i;
	int k;

	if (!name || !value)
		return;
	k = eval_keyword(name, names, ARRAY_SIZE(names), "option");
	if (k < 0 || repeated(st, &seen[k]) || value_bool(value, &on) < 0)
		return;
	val = on ? "1" : "0";
	key = xasprintf("net.ipv4.conf.all.%s", keys[k]);
	add_sysctl(e, key, val, NULL, &st->loc);
	free(key);
	key = xasprintf("net.ipv4.conf.default.%s", keys[k]);
	add_sysctl(e, key, val, NULL, &st->loc);
	free(key);
	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &e->ir->ifaces[i];
		size_t len = strlen(ifc->name);

		if (ifc->role == IR_PASSTHROUGH || ifc->name[len - 1] == '+')
			continue;
		key = xasprintf("net.ipv4.conf.%s.%s", ifc->name, keys[k]);
		add_sysctl(e, key, val, ifc->name, &st->loc);
		free(key);
	}
}

static void add_helper_port(struct ir_helper *h, uint8_t proto, uint16_t lo, uint16_t hi,
			    const struct loc *loc)
{
	struct ir_port *p = VEC_PUSH(h->ports.v, h->ports.n, h->ports.cap);

	p->proto = proto;
	p->lo = lo;
	p->hi = hi;
	p->loc = *loc;
}

/* @seen: the helper names enabled so far (at most one per table entry). */
struct eval_seen_helpers {
	const struct ast_word **v;
	size_t n, cap;
};

static void helper_ports(struct ir_helper *h, const struct tables_helper *t, size_t part,
			 const struct ast_list *ports, const struct ast_word *name)
{
	size_t p, q;

	if (!ports) {
		for (p = 0; t->n_parts && p < t->parts[part].n_ports; p++)
			add_helper_port(h, t->parts[part].ports[p].proto, t->parts[part].ports[p].port,
					t->parts[part].ports[p].port, &name->loc);
		return;
	}
	for (p = 0; p < ports->n; p++) {
		uint16_t lo, hi;

		if (value_ports(&ports->v[p], &lo, &hi) < 0)
			continue;
		if (!t->n_parts) {
			add_helper_port(h, t->legacy_proto, lo, hi, &ports->v[p].loc);
			continue;
		}
		for (q = 0; q < t->parts[part].n_ports; q++)
			add_helper_port(h, t->parts[part].ports[q].proto, lo, hi, &ports->v[p].loc);
	}
	eval_set_ports(&h->ports, true);
}

static void eval_helper(struct eval *e, const struct ast_stmt *st, struct eval_seen_helpers *seen)
{
	const struct ast_list *names = ast_get(st, AST_S_NAMES);
	const struct ast_list *ports = ast_get(st, AST_S_PORTS);
	size_t i, j, k;

	if (!names)
		return;
	if (ports && names->n > 1) {
		diag_error(&ports->v[0].loc, "'ports' applies to one helper name, not %zu",
			   names->n);
		return;
	}
	for (i = 0; i < names->n; i++) {
		const struct ast_word *w = &names->v[i];
		const struct tables_helper *t = tables_helper_find(w->text);
		const char *hint;

		if (!t) {
			hint = tables_helper_suggest(w->text);
			if (hint)
				diag_error(&w->loc, "unknown helper '%s' (did you mean '%s'?)", w->text,
					   hint);
			else
				diag_error(&w->loc, "unknown helper '%s'", w->text);
			continue;
		}
		for (j = 0; j < seen->n; j++)
			if (strcmp(seen->v[j]->text, t->name) == 0)
				break;
		if (j < seen->n) {
			diag_error(&w->loc, "helper '%s' is already enabled", t->name);
			diag_note(&seen->v[j]->loc, "'%s' enabled here", t->name);
			continue;
		}
		*VEC_PUSH(seen->v, seen->n, seen->cap) = w;
		if (ports && t->n_parts > 1) {
			diag_error(&ports->v[0].loc,
				   "helper '%s' has fixed ports (%s and %s); 'ports' cannot move them",
				   t->name, t->parts[0].kname, t->parts[1].kname);
			continue;
		}
		for (k = 0; k < (t->n_parts ? t->n_parts : 1); k++) {
			struct ir_helper *h = VEC_PUSH(e->ir->helpers, e->ir->n_helpers,
						       e->ir->cap_helpers);

			memset(h, 0, sizeof(*h));
			h->name = t->name;
			h->kname = t->n_parts ? t->parts[k].kname : NULL;
			h->nat_module = t->nat_module;
			h->legacy_module = t->legacy_module;
			h->modern = t->modern;
			h->legacy = t->legacy;
			h->loc = w->loc;
			helper_ports(h, t, k, ports, w);
		}
	}
}

/*
 * The external interface a statement applies to: its `on` word, or the
 * only external. NULL when it applies to every external (*every set:
 * allowed only where @many_ok) or after an error.
 */
static struct ir_iface *external_on(struct eval *e, const struct ast_stmt *st, bool many_ok,
				    bool *every)
{
	const struct ast_word *on = one(st, AST_S_ON, "interface");
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

/* An address that must not be inside an internal network. */
static int public_addr(struct eval *e, const struct ast_word *w, uint32_t *addr)
{
	const struct eval_net *n;
	char buf[40];

	if (host_addr(w, addr) < 0)
		return -1;
	n = eval_net_of(e, *addr);
	if (n) {
		diag_error(&w->loc, "'%s' is inside internal network '%s' of '%s', not public",
			   w->text, net_str(n->net, buf), n->iface->name);
		return -1;
	}
	return 0;
}

/* A LAN host: inside an internal network and not the gateway itself. */
static int lan_host(struct eval *e, const struct ast_word *w, uint32_t addr)
{
	const struct eval_net *n = eval_net_of(e, addr);
	char buf[16];

	if (!n) {
		diag_error(&w->loc, "'%s' is outside every internal network", w->text);
		return -1;
	}
	if (n->net->gw == addr) {
		diag_error(&w->loc, "'%s' is the gateway's own address on '%s'", ir_ip_str(addr, buf),
			   n->iface->name);
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

static void eval_masquerade(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_list *src = ast_get(st, AST_S_SOURCES);
	const struct ast_word *to = one(st, AST_S_TO, "address");
	struct ir_addrs sources = {0};
	struct ir_iface *oif;
	uint32_t to_addr = 0;
	bool every;
	size_t i;

	oif = external_on(e, st, !to, &every);
	if (!src)
		diag_error(&st->loc, "masquerade needs the SOURCES it applies to");
	if (!src || eval_addr_list(src, &sources) < 0)
		goto out;
	eval_set_addrs(&sources, true);
	if (to && public_addr(e, to, &to_addr) < 0)
		goto out;
	for (i = 0; i < e->ir->n_ifaces; i++) {
		struct ir_iface *x = &e->ir->ifaces[i];

		if (x->role != IR_EXTERNAL || (!every && x != oif))
			continue;
		add_snat(e, x->name, &sources, to ? to_addr : x->addr, &st->loc);
	}
out:
	free(sources.v);
}

static void eval_nat(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *pub = one(st, AST_S_PUBLIC, "address");
	const struct ast_word *priv = one(st, AST_S_PRIVATE, "address");
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
	if (host_addr(priv, &n.private_addr) < 0 || lan_host(e, priv, n.private_addr) < 0)
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
		diag_error(&to->loc, "a target port needs exactly one public port or range, not %zu",
			   ports ? ports->n : 0);
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
	const struct ast_word *pw = one(st, AST_S_PROTO, "protocol");
	const struct ast_list *ports = ast_get(st, AST_S_PORTS);
	const struct ast_list *from = ast_get(st, AST_S_FROM);
	const struct ast_word *to = one(st, AST_S_TO, "target");
	struct ir_forward t = {.reflect = !(st->flags & AST_F_NOREFLECT)};
	enum value_proto proto;
	bool takes_ports, has_port = false, every, ok = true;
	struct ir_iface *iif;
	size_t i;

	iif = external_on(e, st, false, &every);
	if (!pw || value_proto(pw, &proto) < 0)
		return;
	takes_ports = proto == VALUE_P_TCP || proto == VALUE_P_UDP || proto == VALUE_P_TCPUDP;
	if (proto == VALUE_P_ANY || proto == VALUE_P_ICMP) {
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
	if (from && eval_addr_list(from, &t.from) < 0)
		ok = false;
	eval_set_addrs(&t.from, true);
	if (forward_target(e, to, ports, takes_ports, &t.host, &has_port, &t.to_lo) < 0)
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

static int fwd_key_cmp(const void *pa, const void *pb)
{
	const struct eval_fwd_key *a = pa, *b = pb;

	if (a->iface != b->iface)
		return a->iface < b->iface ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

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
 * Sweep keys sorted by (iface, proto, lo); with @by_iface false every key
 * has iface 0, so forwards on different interfaces meet. An overlap with
 * the key reaching furthest so far is a conflict.
 */
static void sweep_forwards(struct eval_fwd_key *k, size_t n, bool reflect,
			   struct eval_conflict **out, size_t *n_out, size_t *cap_out,
			   const struct ir *ir)
{
	size_t i, reach = 0;

	qsort(k, n, sizeof(*k), fwd_key_cmp);
	for (i = 1; i < n; i++) {
		const struct eval_fwd_key *r = &k[reach];

		if (r->iface == k[i].iface && r->proto == k[i].proto && k[i].lo <= r->hi) {
			bool same_if = ir->forwards[r->idx].iif == ir->forwards[k[i].idx].iif;

			if (!reflect || !same_if) {
				struct eval_conflict *c = VEC_PUSH(*out, *n_out, *cap_out);

				c->later = r->idx > k[i].idx ? r->idx : k[i].idx;
				c->earlier = r->idx > k[i].idx ? k[i].idx : r->idx;
				c->reflect = reflect;
			}
			if (k[i].hi <= r->hi)
				continue;
		}
		reach = i;
	}
}

/* Two forwards of one port on one interface; reflection on two externals. */
static void check_forwards(struct eval *e)
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
}

static int net_cmp(const void *pa, const void *pb)
{
	const struct eval_net *a = pa, *b = pb;

	if (a->net->net != b->net->net)
		return a->net->net < b->net->net ? -1 : 1;
	return a->net->len < b->net->len ? -1 : a->net->len > b->net->len;
}

static bool loc_before(const struct loc *a, const struct loc *b)
{
	if (a->src != b->src)
		return false;	/* an include: keep the order of the sweep */
	return a->line < b->line || (a->line == b->line && a->col < b->col);
}

/* Sort the internal networks; overlapping ones are errors naming both. */
static void check_networks(struct eval *e)
{
	size_t i, j, reach = 0, total = 0;
	char a[40], b[40];

	for (i = 0; i < e->ir->n_ifaces; i++)
		total += e->ir->ifaces[i].n_nets;
	e->nets = xcalloc(total, sizeof(*e->nets));
	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &e->ir->ifaces[i];

		for (j = 0; j < ifc->n_nets; j++) {
			e->nets[e->n_nets].net = &ifc->nets[j];
			e->nets[e->n_nets].iface = ifc;
			e->n_nets++;
		}
	}
	qsort(e->nets, e->n_nets, sizeof(*e->nets), net_cmp);
	for (i = 1; i < e->n_nets; i++) {
		const struct eval_net *r = &e->nets[reach], *x = &e->nets[i], *later, *first;
		uint32_t r_end = r->net->net | ~(r->net->len ? ~(uint32_t)0 << (32 - r->net->len) : 0);

		if (x->net->net > r_end) {
			reach = i;
			continue;
		}
		later = loc_before(&r->net->loc, &x->net->loc) ? x : r;
		first = later == x ? r : x;
		diag_error(&later->net->loc, "internal network '%s' of '%s' overlaps '%s' of '%s'",
			   net_str(later->net, a), later->iface->name, net_str(first->net, b),
			   first->iface->name);
		diag_note(&first->net->loc, "'%s' declared here", net_str(first->net, b));
	}
}

const struct eval_net *eval_net_of(const struct eval *e, uint32_t addr)
{
	size_t lo = 0, hi = e->n_nets;

	/* the last network starting at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e->nets[mid].net->net <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0) {
		const struct ir_net *n = e->nets[lo - 1].net;
		uint32_t mask = n->len ? ~(uint32_t)0 << (32 - n->len) : 0;

		if ((addr & mask) == n->net)
			return &e->nets[lo - 1];
	}
	return NULL;
}

/* A wildcard `ppp+` must not cover an interface of another role. */
static void check_wildcards(struct eval *e)
{
	size_t i, j;

	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *w = &e->ir->ifaces[i];
		size_t len = strlen(w->name) - 1;

		if (w->name[len] != '+')
			continue;
		for (j = 0; j < e->ir->n_ifaces; j++) {
			const struct ir_iface *x = &e->ir->ifaces[j];

			if (j == i || x->role == w->role || strncmp(x->name, w->name, len) != 0)
				continue;
			diag_error(&w->loc, "%s '%s' also matches %s interface '%s'", role_name(w->role),
				   w->name, role_name(x->role), x->name);
			diag_note(&x->loc, "'%s' declared here", x->name);
		}
	}
}

/* The first statement of @kind, for errors about what is missing. */
static const struct loc *first_loc(const struct ast_file *f, enum ast_kind kind)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->stmts[i].kind == kind)
			return &f->stmts[i].loc;
	return f->n ? &f->stmts[0].loc : NULL;
}

static void check_roles(struct eval *e, const struct ast_file *f)
{
	size_t i;

	for (i = 0; i < e->ir->n_ifaces; i++)
		if (e->ir->ifaces[i].role == IR_INTERNAL)
			e->n_internal++;
	if (!e->n_external)
		diag_error(first_loc(f, AST_INTERNAL),
			   "the policy has no 'external' interface (the one that faces the "
			   "Internet)");
	if (!e->n_internal)
		diag_error(first_loc(f, AST_EXTERNAL),
			   "the policy has no 'internal' interface (a LAN behind the gateway)");
	check_wildcards(e);
	check_networks(e);
}

/* Without `masquerade`: every internal network out of every external. */
static void default_snats(struct eval *e)
{
	size_t i, j, k;

	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *x = &e->ir->ifaces[i];

		if (x->role != IR_EXTERNAL)
			continue;
		for (j = 0; j < e->ir->n_ifaces; j++) {
			const struct ir_iface *in = &e->ir->ifaces[j];

			for (k = 0; in->role == IR_INTERNAL && k < in->n_nets; k++) {
				struct ir_addr a = {in->nets[k].net, 0, in->nets[k].loc};
				struct ir_addrs src = {&a, 1, 1};

				a.hi = a.lo | ~(in->nets[k].len ? ~(uint32_t)0 << (32 - in->nets[k].len)
								: 0);
				add_snat(e, x->name, &src, x->addr, &x->loc);
			}
		}
	}
}

/* Which chain an allow/deny/reject goes to; quietly input when unknown. */
static enum ir_chain_id rule_chain(const struct ast_stmt *st)
{
	const struct ast_word *w = ast_get1(st, AST_S_CHAIN);

	if (w && strcmp(w->text, "forward") == 0)
		return IR_CH_FORWARD;
	if (w && strcmp(w->text, "output") == 0)
		return IR_CH_OUTPUT;
	return IR_CH_INPUT;
}

/* Interfaces, levels and settings: everything the other statements need. */
static void eval_declarations(struct eval *e, const struct ast_file *f)
{
	const struct ast_stmt *once[AST_KIND_COUNT] = {0};
	struct eval_seen_helpers seen = {0};
	size_t i;

	for (i = 0; i < f->n; i++) {
		const struct ast_stmt *st = &f->stmts[i];

		switch (st->kind) {
		case AST_EXTERNAL:
			eval_external(e, st);
			break;
		case AST_INTERNAL:
			eval_internal(e, st);
			break;
		case AST_PASSTHROUGH:
			eval_passthrough(e, st);
			break;
		case AST_FIREWALL:
			if (!repeated(st, &once[st->kind]))
				eval_level(e, st);
			break;
		case AST_IPV6:
			if (!repeated(st, &once[st->kind]))
				eval_ipv6(e, st);
			break;
		case AST_LOG:
			if (!repeated(st, &once[st->kind]))
				eval_log(e, st);
			break;
		case AST_CLAMP_MSS:
			if (!repeated(st, &once[st->kind]))
				eval_clamp(e, st);
			break;
		case AST_TIMEOUTS:
			if (!repeated(st, &once[st->kind]))
				eval_timeouts(e, st);
			break;
		case AST_HELPER:
			eval_helper(e, st, &seen);
			break;
		case AST_DENY:
		case AST_REJECT:
			e->last_block[rule_chain(st)] = (long)i;
			break;
		case AST_MASQUERADE:
			e->have_masquerade = true;
			break;
		default:
			break;
		}
	}
	free(seen.v);
}

static void eval_sysctls(struct eval *e, const struct ast_file *f)
{
	const struct ast_stmt *seen[2] = {0};
	const struct loc *dyn = NULL;
	size_t i;

	add_sysctl(e, "net.ipv4.ip_forward", "1", NULL, NULL);
	for (i = 0; i < e->ir->n_ifaces && !dyn; i++)
		if (e->ir->ifaces[i].role == IR_EXTERNAL && e->ir->ifaces[i].dynamic)
			dyn = &e->ir->ifaces[i].loc;
	if (dyn)
		add_sysctl(e, "net.ipv4.ip_dynaddr", "1", NULL, dyn);
	for (i = 0; i < f->n; i++)
		if (f->stmts[i].kind == AST_OPTION)
			eval_option(e, &f->stmts[i], seen);
}

/* NAT, forwards and user rules, in policy order. */
static void eval_statements(struct eval *e, const struct ast_file *f)
{
	size_t i;

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

/* Two 1:1 entries must not share a public or a private address. */
static void check_nat1to1(struct eval *e)
{
	struct ir *ir = e->ir;
	size_t i, j;

	/* few entries in practice; sorted keys keep it n log n regardless */
	struct eval_fwd_key *k = xcalloc(ir->n_nat1to1 * 2 + 1, sizeof(*k));

	for (i = 0; i < ir->n_nat1to1; i++) {
		k[2 * i] = (struct eval_fwd_key){0, i, 0, 0, 0};
		k[2 * i + 1] = (struct eval_fwd_key){1, i, 0, 0, 0};
	}
	for (i = 0; i < 2 * ir->n_nat1to1; i++) {
		uint32_t a = k[i].iface ? ir->nat1to1[k[i].idx].private_addr
					: ir->nat1to1[k[i].idx].public_addr;

		k[i].lo = (uint16_t)(a >> 16);
		k[i].hi = (uint16_t)a;
	}
	qsort(k, 2 * ir->n_nat1to1, sizeof(*k), fwd_key_cmp);
	for (i = 1; i < 2 * ir->n_nat1to1; i++) {
		char buf[16];

		j = i - 1;
		if (k[i].iface != k[j].iface || k[i].lo != k[j].lo || k[i].hi != k[j].hi)
			continue;
		diag_error(&ir->nat1to1[k[i].idx].loc, "1:1 NAT for %s address %s is already given",
			   k[i].iface ? "private" : "public",
			   ir_ip_str((uint32_t)k[i].lo << 16 | k[i].hi, buf));
		diag_note(&ir->nat1to1[k[j].idx].loc, "first given here");
	}
	free(k);
}

static struct ir *ir_new(const struct ast_file *f)
{
	struct ir *ir = xcalloc(1, sizeof(*ir));

	ir->policy_path = f->path ? ir_intern(ir, f->path) : NULL;
	ir->level = IR_STRONG;
	ir->ipv6 = IR_IPV6_FIREWALL;
	ir->log.catchall = true;
	ir->log.rate = 5;
	ir->log.unit = IR_PER_MINUTE;
	ir->log.prefix = "masqgen: ";
	ir->log.level = "warning";
	return ir;
}

struct ir *ir_eval(const struct ast_file *f)
{
	unsigned errors = diag_error_count();
	struct eval e = {0};
	struct ast_file *flat;
	size_t i;

	flat = ast_flatten(f);
	if (!flat)
		return NULL;
	if (diag_error_count() > errors)
		goto out_flat;
	e.ir = ir_new(f);
	for (i = 0; i < IR_CH_COUNT; i++)
		e.last_block[i] = -1;
	eval_declarations(&e, flat);
	e.fam_both = e.ir->ipv6 == IR_IPV6_OPEN ? IR_F_IPV4 : IR_F_BOTH;
	check_roles(&e, flat);
	eval_sysctls(&e, flat);
	eval_statements(&e, flat);
	check_forwards(&e);
	check_nat1to1(&e);
	if (!e.have_masquerade)
		default_snats(&e);
	eval_chains(&e);
	free(e.nets);
	if (diag_error_count() > errors) {
		ir_free(e.ir);
		e.ir = NULL;
	}
out_flat:
	ast_file_free(flat);
	return e.ir;
}
