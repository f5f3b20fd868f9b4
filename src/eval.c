// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eval.c - a flat policy to IR: interfaces, NAT, forwards, helpers and the
 * settings, with every semantic check reported at its word. Declarations
 * (interfaces, levels, settings) are read first, so a forward may stand
 * before the internal line it needs.
 */
#include "eval.h"
#include "tables.h"
#include "util.h"
#include "value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSS_MIN 536
#define MSS_MAX 65495

/* An error for a repeated statement (@what: its name), naming the first. */
static bool repeated(const struct ast_stmt *st, const struct ast_stmt **first, const char *what)
{
	if (!*first) {
		*first = st;
		return false;
	}
	diag_error(&st->loc, "%s is already set; a policy says it once", what);
	diag_note(&(*first)->loc, "first set here");
	return true;
}

/* repeated() for a statement that is its own setting ('log'). */
static bool repeated_stmt(const struct ast_stmt *st, const struct ast_stmt **first)
{
	char *what = xasprintf("'%s'", ast_kind_name(st->kind));
	bool rc = repeated(st, first, what);

	free(what);
	return rc;
}

/* Declare @w with @role; internal may repeat (its networks add up). */
static struct ir_iface *declare(struct eval *e, const struct ast_word *w, enum ir_role role)
{
	struct ir_iface *ifc;
	const char *name;

	if (value_iface(w) < 0)
		return NULL;
	name = ir_intern(e->ir, w->text);
	if (strcmp(name, "lo") == 0) {
		diag_error(&w->loc, "'lo' is the loopback interface; masqgen always accepts it");
		return NULL;
	}
	ifc = eval_iface(e, name);
	if (ifc) {
		if (ifc->role == role && role == IR_INTERNAL)
			return ifc;
		if (ifc->role == role)
			diag_error(&w->loc, "%s interface '%s' is already declared", eval_role_name(role),
				   name);
		else
			diag_error(&w->loc, "'%s' is already declared %s; an interface has one role",
				   name, eval_role_name(ifc->role));
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
	const struct ast_word *w = eval_one(st, AST_S_IFACE, "interface");
	const struct ast_word *addr = eval_one(st, AST_S_ADDRESS, "address");
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
	if (addr && eval_host_addr(addr, &ifc->addr) < 0)
		ifc->addr = 0;
	eval_iface_virtual(e, ifc, st);
}

static void eval_internal(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *w = eval_one(st, AST_S_IFACE, "interface");
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

		if (value_network(&nets->v[i], &n) < 0)
			continue;
		if (n.family == IR_F_IPV6)
			*VEC_PUSH(ifc->nets6, ifc->n_nets6, ifc->cap_nets6) = n;
		else
			*VEC_PUSH(ifc->nets, ifc->n_nets, ifc->cap_nets) = n;
	}
	eval_iface_virtual(e, ifc, st);
}

static void eval_passthrough(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_list *l = ast_get(st, AST_S_IFACES);
	size_t i;

	for (i = 0; l && i < l->n; i++)
		declare(e, &l->v[i], IR_PASSTHROUGH);
}

static void eval_level(struct eval *e, const struct ast_stmt *st)
{
	static const char *const levels[] = {"simple", "strong"};
	const struct ast_word *w = eval_one(st, AST_S_LEVEL, "level");
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
	const struct ast_word *w = eval_one(st, AST_S_MODE, "mode");
	int k;

	if (!w)
		return;
	k = eval_keyword(w, modes, ARRAY_SIZE(modes), "ipv6 mode");
	if (k >= 0) {
		e->ir->ipv6 = mode[k];
		e->ir->ipv6_loc = st->loc;
	}
}

static void eval_log(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *limit = eval_one(st, AST_S_LIMIT, "rate");
	const struct ast_word *prefix = eval_one(st, AST_S_PREFIX, "prefix");
	const struct ast_word *level = eval_one(st, AST_S_LEVEL, "level");
	struct ir_log *log = &e->ir->log;

	log->loc = st->loc;
	log->catchall = !(st->flags & AST_F_OFF);
	if (limit)
		value_rate(limit, &log->rate, &log->unit);
	if (prefix && value_log_prefix(prefix) == 0) {
		log->prefix = ir_intern(e->ir, prefix->text);
		log->prefix_loc = prefix->loc;
	}
	if (level)
		value_log_level(level, &log->level);
}

static void eval_clamp(struct eval *e, const struct ast_stmt *st)
{
	const struct ast_word *w = eval_one(st, AST_S_VALUE, "value");
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
		const struct ast_word *w = eval_one(st, slots[i], "duration");

		if (!w)
			continue;
		any = true;
		value_duration(w, field[i]);
	}
	if (!any)
		diag_error(&st->loc, "timeouts needs at least one of tcp, tcpfin and udp");
}

static struct ir_sysctl *add_sysctl(struct eval *e, const char *key, const char *value,
				    const char *iface, const struct loc *loc)
{
	struct ir_sysctl *s = VEC_PUSH(e->ir->sysctls, e->ir->n_sysctls, e->ir->cap_sysctls);

	memset(s, 0, sizeof(*s));
	s->key = ir_intern(e->ir, key);
	s->value = value;
	s->iface = iface;
	s->loc = loc ? *loc : (struct loc){0};
	return s;
}

static const char *const option_names[EVAL_OPTIONS] = {"rp_filter", "log-martians"};

/* Check an option; its sysctls come later, when every interface is known. */
static void eval_option(struct eval *e, const struct ast_stmt *st, const struct ast_stmt **seen)
{
	const struct ast_word *name = eval_one(st, AST_S_NAME, "name");
	const struct ast_word *value = eval_one(st, AST_S_VALUE, "value");
	char *what;
	bool on, rep;
	int k;

	if (!name || !value)
		return;
	k = eval_keyword(name, option_names, EVAL_OPTIONS, "option");
	if (k < 0)
		return;
	what = xasprintf("option '%s'", option_names[k]);
	rep = repeated(st, &seen[k], what);
	free(what);
	if (rep || value_bool(value, &on) < 0)
		return;
	e->option[e->n_options].which = k;
	e->option[e->n_options].on = on;
	e->option[e->n_options].loc = st->loc;
	e->n_options++;
}

static void option_sysctls(struct eval *e, int k, bool on, const struct loc *loc)
{
	static const char *const keys[EVAL_OPTIONS] = {"rp_filter", "log_martians"};
	const char *val = on ? "1" : "0";
	char *key;
	size_t i;

	key = xasprintf("net.ipv4.conf.all.%s", keys[k]);
	add_sysctl(e, key, val, NULL, loc);
	free(key);
	key = xasprintf("net.ipv4.conf.default.%s", keys[k]);
	add_sysctl(e, key, val, NULL, loc);
	free(key);
	for (i = 0; i < e->ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &e->ir->ifaces[i];
		size_t len = strlen(ifc->name);

		if (ifc->role == IR_PASSTHROUGH || ifc->name[len - 1] == '+')
			continue;
		key = xasprintf("net.ipv4.conf.%s.%s", ifc->name, keys[k]);
		add_sysctl(e, key, val, ifc->name, loc);
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
		diag_error(&ports->v[0].loc, "'ports' applies to one helper name, not %u",
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
			h->ipv6 = t->n_parts && t->parts[k].ipv6;
			h->nat_module = t->nat_module;
			h->legacy_module = t->legacy_module;
			h->modern = t->modern;
			h->legacy = t->legacy;
			h->loc = w->loc;
			helper_ports(h, t, k, ports, w);
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
	const struct ast_stmt *options[EVAL_OPTIONS] = {0};
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
			if (!repeated_stmt(st, &once[st->kind]))
				eval_level(e, st);
			break;
		case AST_IPV6:
			if (!repeated_stmt(st, &once[st->kind]))
				eval_ipv6(e, st);
			break;
		case AST_LOG:
			if (!repeated_stmt(st, &once[st->kind]))
				eval_log(e, st);
			break;
		case AST_CLAMP_MSS:
			if (!repeated_stmt(st, &once[st->kind]))
				eval_clamp(e, st);
			break;
		case AST_TIMEOUTS:
			if (!repeated_stmt(st, &once[st->kind]))
				eval_timeouts(e, st);
			break;
		case AST_HELPER:
			eval_helper(e, st, &seen);
			break;
		case AST_OPTION:
			eval_option(e, st, options);
			break;
		case AST_DENY:
		case AST_REJECT:
			e->last_block[rule_chain(st)] = (long)i;
			if (!e->drop_all[rule_chain(st)] && !ast_get(st, AST_S_PROTO) &&
			    !ast_get(st, AST_S_PORTS) && !ast_get(st, AST_S_FROM) &&
			    !ast_get(st, AST_S_TO) && !ast_get(st, AST_S_ON) &&
			    !ast_get(st, AST_S_OUT))
				e->drop_all[rule_chain(st)] = st;
			break;
		case AST_MASQUERADE:
			e->have_masquerade = true;
			break;
		case AST_UPNP:
			if (!repeated_stmt(st, &once[st->kind]))
				e->upnp = st;
			break;
		default:
			break;
		}
	}
	free(seen.v);
}

#define ALL_FORWARDING6 "net.ipv6.conf.all.forwarding"

/*
 * IPv6 forwarding (LANGUAGE.md's order): accept_ra 1 -> 2 on each
 * external first, the forwarding values writing `all` changes recorded,
 * then all.forwarding=1.
 */
static void forwarding6_sysctls(struct eval *e)
{
	const struct ir *ir = e->ir;
	const struct loc *loc = ir_ipv6_forwarding(ir);
	struct ir_sysctl *s;
	size_t i, len;
	char *key;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &ir->ifaces[i];

		if (ifc->role != IR_EXTERNAL)
			continue;
		/* a wildcard too: apply says it cannot set it (sysctls.c) */
		key = xasprintf("net.ipv6.conf.%s.accept_ra", ifc->name);
		s = add_sysctl(e, key, "2", ifc->name, &ifc->loc);
		s->only_from = "1";
		free(key);
	}
	s = add_sysctl(e, "net.ipv6.conf.default.forwarding", NULL, NULL, loc);
	s->changed_by = ir_intern(e->ir, ALL_FORWARDING6);
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &ir->ifaces[i];

		len = strlen(ifc->name);
		if (ifc->name[len - 1] == '+')
			continue;
		key = xasprintf("net.ipv6.conf.%s.forwarding", ifc->name);
		s = add_sysctl(e, key, NULL, ifc->name, &ifc->loc);
		s->changed_by = ir_intern(e->ir, ALL_FORWARDING6);
		free(key);
	}
	add_sysctl(e, ALL_FORWARDING6, "1", NULL, loc);
}

/*
 * Several externals: number them for the mark that sends replies back out
 * of the interface a connection came in on. A wildcard names no one
 * interface whose default route could take them.
 */
static void eval_wans(struct eval *e)
{
	unsigned n_ext = 0, n = 0;
	size_t i;

	for (i = 0; i < e->ir->n_ifaces; i++)
		n_ext += e->ir->ifaces[i].role == IR_EXTERNAL;
	for (i = 0; n_ext > 1 && i < e->ir->n_ifaces; i++) {
		struct ir_iface *x = &e->ir->ifaces[i];
		size_t len = strlen(x->name);

		if (x->role != IR_EXTERNAL)
			continue;
		if (x->name[len - 1] == '+') {
			diag_warning(&x->loc, "'%s' is a wildcard: replies to connections that came "
					      "in on it follow the main routing table, not the "
					      "interface they arrived on", x->name);
			continue;
		}
		if (++n > IR_WAN_MAX) {
			diag_error(&x->loc, "more than %d external interfaces: the mark that routes "
					    "replies back out of their interface has room for %d",
				   IR_WAN_MAX, IR_WAN_MAX);
			return;
		}
		x->wan = n;
	}
}

static void eval_sysctls(struct eval *e)
{
	const struct loc *dyn = NULL, *wan = NULL;
	size_t i;

	add_sysctl(e, "net.ipv4.ip_forward", "1", NULL, NULL);
	for (i = 0; i < e->ir->n_ifaces && !dyn; i++)
		if (e->ir->ifaces[i].role == IR_EXTERNAL && e->ir->ifaces[i].dynamic)
			dyn = &e->ir->ifaces[i].loc;
	if (dyn)
		add_sysctl(e, "net.ipv4.ip_dynaddr", "1", NULL, dyn);
	for (i = 0; i < e->ir->n_ifaces; i++)
		if (e->ir->ifaces[i].wan)
			wan = &e->ir->ifaces[i].loc;
	if (wan)
		add_sysctl(e, "net.ipv4.conf.all.src_valid_mark", "1", NULL, wan);
	for (i = 0; i < e->n_options; i++)
		option_sysctls(e, e->option[i].which, e->option[i].on, &e->option[i].loc);
	if (ir_ipv6_forwarding(e->ir))
		forwarding6_sysctls(e);
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
	const struct ast_file *flat = f;
	struct ast_file *owned = NULL;
	struct eval e = {0};
	size_t i;

	/* a policy without defines, includes and $names is its own flat form */
	if (f->expands)
		flat = owned = ast_flatten(f);
	if (flat->lost_decl)
		goto out_flat;
	e.ir = ir_new(f);
	for (i = 0; i < IR_CH_COUNT; i++)
		e.last_block[i] = -1;
	eval_cluster(&e, flat);
	eval_declarations(&e, flat);
	e.fam_both = e.ir->ipv6 == IR_IPV6_OPEN ? IR_F_IPV4 : IR_F_BOTH;
	eval_check_roles(&e, flat);
	eval_check_cluster(&e);
	eval_wans(&e);
	if (e.upnp)
		eval_upnp(&e, e.upnp);
	eval_sysctls(&e);
	eval_statements(&e, flat);
	eval_check_forwards(&e);
	eval_check_nat1to1(&e);
	if (!e.have_masquerade)
		eval_default_snats(&e);
	eval_pin_snats(&e);
	eval_chains(&e);
	free(e.nets);
	free(e.nets6);
	free(e.masq6);
	if (diag_error_count() > errors) {
		ir_free(e.ir);
		e.ir = NULL;
	}
out_flat:
	ast_file_free(owned);
	return e.ir;
}
