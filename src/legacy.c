// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * legacy.c - lower the IR onto the Linux 2.2 and 2.0 firewalls (legacy.h
 * describes their packet path) and write the HOWTO-style script around it.
 *
 * The mapping, chain by chain:
 *  - input holds the strong level's input filter AND the first look at
 *    every forwarded packet: anti-spoofing, the forwarded ports (with the
 *    forward's `from`), an approximation of established/related (replies
 *    reach the masquerading ports; TCP packets that open nothing; ICMP
 *    errors), user input rules (deny/reject limited to the gateway's own
 *    addresses so they never hit forwarded traffic), mirrors of `allow
 *    forward` rules, LAN accept, DHCP, the catch-all.
 *  - forward matches the outgoing interface only; the source address
 *    stands in for the incoming one (anti-spoofing on the externals makes
 *    that sound, at both levels). MASQ is the masquerade, and MASQ of the
 *    forward targets' replies is what completes a port forward.
 *  - output stays open, as LANGUAGE.md wants on every backend.
 */
#include "legacy.h"

#include "diag.h"
#include "ir.h"
#include "tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ip_masq_* helper modules take at most this many ports (MAX_MASQ_APP_PORTS). */
#define LEGACY_APP_PORTS 12
/* Masquerading timeouts are kept in jiffies (HZ 100) in an int. */
#define LEGACY_TIMEOUT_MAX 21474836u

struct lg_net {
	const struct ir_net *net;
	char netvar[24];		/* INTNET, INTNET2, ... */
	char ipvar[24];			/* INTIP, INTIP2, ... ("" without gw) */
};

struct lg {
	const struct ir *ir;
	const struct legacy_era *era;
	struct strbuf *out;
	char (*ifvar)[24];		/* per ir->ifaces: EXTIF, INTIF2, ... */
	char (*ipvar)[24];		/* per ir->ifaces (externals): EXTIP, EXTIP2 */
	bool *uses_ip;			/* per ir->ifaces: the script uses its address */
	bool uses_gw;			/* ... and the gateway's addresses on the LANs */
	struct lg_net *nets;
	size_t n_nets;
};

const char *legacy_ports(uint16_t lo, uint16_t hi, char *buf)
{
	if (lo == hi)
		snprintf(buf, 12, "%u", lo);
	else
		snprintf(buf, 12, "%u:%u", lo, hi);
	return buf;
}

static bool is_wildcard(const char *name)
{
	return name[strlen(name) - 1] == '+';
}

static size_t iface_index(const struct lg *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->ir->n_ifaces; i++)
		if (strcmp(g->ir->ifaces[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

/* The shell word for interface @name: its variable, or the quoted name. */
static void iface_word(const struct lg *g, const char *name, char *buf, size_t size)
{
	size_t i = iface_index(g, name);
	char *q;

	if (i != (size_t)-1) {
		snprintf(buf, size, "\"$%s\"", g->ifvar[i]);
		return;
	}
	q = util_shell_quote(name);
	snprintf(buf, size, "%s", q);
	free(q);
}

/* The shell word for the prefix @addr/@len: an internal network's variable, or a literal. */
static void prefix_word(const struct lg *g, uint32_t addr, unsigned len, char *buf, size_t size)
{
	char ip[16], text[24];
	size_t i;
	char *q;

	for (i = 0; i < g->n_nets; i++) {
		const struct ir_net *n = g->nets[i].net;

		if (n->len == len && n->net == addr) {
			snprintf(buf, size, "\"$%s\"", g->nets[i].netvar);
			return;
		}
	}
	ir_ip_str(addr, ip);
	if (len == 32)
		snprintf(text, sizeof(text), "%s", ip);
	else
		snprintf(text, sizeof(text), "%s/%u", ip, len);
	q = util_shell_quote(text);
	snprintf(buf, size, "%s", q);
	free(q);
}

/* Length of the largest aligned prefix that starts at @lo and ends by @hi. */
static unsigned prefix_at(uint32_t lo, uint32_t hi)
{
	unsigned len = 32;

	while (len > 0) {
		uint64_t size = 1ull << (33 - len);

		if ((lo & (uint32_t)(size - 1)) || (uint64_t)lo + size - 1 > hi)
			break;
		len--;
	}
	return len;
}

/* The prefixes covering @a, in order, as shell words; the caller frees *words. */
static size_t addr_words(const struct lg *g, const struct ir_addr *a, char (**words)[48])
{
	size_t n = 0, cap = 0;
	uint64_t lo = a->lo;

	*words = NULL;
	while (lo <= a->hi) {
		unsigned len = prefix_at((uint32_t)lo, a->hi);

		util_grow(words, &cap, n + 1, sizeof(**words));
		prefix_word(g, (uint32_t)lo, len, (*words)[n++], sizeof((*words)[0]));
		lo += 1ull << (32 - len);
	}
	return n;
}

static const char *verb_name(enum ir_verdict v)
{
	return v == IR_V_ACCEPT ? "allow" : v == IR_V_DROP ? "deny" : "reject";
}

static enum legacy_target target_of(enum ir_verdict v)
{
	return v == IR_V_ACCEPT ? LEGACY_ACCEPT : v == IR_V_DROP ? LEGACY_DENY : LEGACY_REJECT;
}

static bool is_user_rule(const struct ir_rule *r)
{
	return r->tag == IR_T_USER && (r->family & IR_F_IPV4);
}

/* Does an internal network lack the gateway's own address? Sets *which. */
static bool internal_without_gw(const struct lg *g, const struct lg_net **which)
{
	size_t i;

	for (i = 0; i < g->n_nets; i++) {
		if (!g->nets[i].net->gw) {
			*which = &g->nets[i];
			return true;
		}
	}
	return false;
}

static const struct ir_iface *net_iface(const struct lg *g, const struct ir_net *n)
{
	size_t i;

	for (i = 0; i < g->ir->n_ifaces; i++) {
		const struct ir_iface *f = &g->ir->ifaces[i];

		if (n >= f->nets && n < f->nets + f->n_nets)
			return f;
	}
	return NULL;
}

/*
 * The checks: everything the era cannot express is an error at its line.
 * Also marks which dynamic external addresses the script must read.
 */
static void check_user_rule(struct lg *g, const struct ir_rule *r, enum ir_chain_id ch)
{
	const char *t = g->era->target;
	const struct lg_net *n;
	size_t i;

	if (r->proto != IR_P_ANY && r->proto != IR_P_TCP && r->proto != IR_P_UDP &&
	    r->proto != IR_P_ICMP && !g->era->other_protocols)
		diag_error(&r->loc, "%s matches only tcp, udp and icmp: '%s' cannot be expressed",
			   t, ir_proto_name(r->proto));
	if (r->saddr_neg || r->daddr_neg)
		diag_error(&r->loc, "%s cannot express this rule's negated address list", t);
	if (ch == IR_CH_FORWARD && r->iif)
		diag_error(&r->loc,
			   "%s cannot match the incoming interface of a forwarded packet "
			   "('on %s'): use 'from' with that interface's networks instead",
			   t, r->iif);
	if (ch == IR_CH_OUTPUT && r->verdict != IR_V_ACCEPT)
		diag_error(&r->loc,
			   "the %s output chain also sees forwarded packets, after "
			   "masquerading: a '%s output' rule cannot be limited to the gateway's "
			   "own traffic",
			   t, verb_name(r->verdict));
	if (ch != IR_CH_INPUT || r->verdict == IR_V_ACCEPT || r->daddr.n)
		return;
	/* limited to the gateway's own addresses: they must be known */
	if (internal_without_gw(g, &n)) {
		char ip[16];

		diag_error(&r->loc,
			   "with %s a '%s input' rule needs the gateway's own address on '%s' "
			   "(the input chain also sees forwarded packets): write the network as "
			   "that address, e.g. '%s/%u'",
			   t, verb_name(r->verdict), net_iface(g, n->net)->name,
			   ir_ip_str(n->net->net + 1, ip), n->net->len);
	}
	g->uses_gw = true;
	for (i = 0; i < g->ir->n_ifaces; i++) {
		const struct ir_iface *f = &g->ir->ifaces[i];

		if (f->role != IR_EXTERNAL)
			continue;
		if (f->dynamic && is_wildcard(f->name))
			diag_error(&r->loc,
				   "with %s a '%s input' rule needs the address of every external "
				   "interface, and '%s' is a wildcard",
				   t, verb_name(r->verdict), f->name);
		g->uses_ip[i] = true;
	}
}

/* Does the script read the address of interface @i when it runs? */
static bool reads_ip(const struct lg *g, size_t i)
{
	return g->uses_ip[i] && g->ir->ifaces[i].dynamic;
}

static void check_sysctls(struct lg *g)
{
	const struct ir_sysctl *last = NULL;
	size_t i;

	if (g->era->conf_sysctls)
		return;
	for (i = 0; i < g->ir->n_sysctls; i++) {
		const struct ir_sysctl *s = &g->ir->sysctls[i];
		const char *name;

		if (strncmp(s->key, "net.ipv4.conf.", 14) != 0)
			continue;
		if (last && last->loc.src == s->loc.src && last->loc.line == s->loc.line)
			continue;
		last = s;
		name = strrchr(s->key, '.') + 1;
		diag_error(&s->loc, "Linux %s has no '%s' setting (no /proc/sys/net/ipv4/conf)",
			   g->era->kernel, name);
	}
}

/* Add @p to the @n ports of @ports unless present; false once more than @max. */
static bool add_port(uint16_t *ports, size_t *n, size_t max, uint32_t p)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (ports[i] == p)
			return true;
	if (*n == max) {
		(*n)++;
		return false;
	}
	ports[(*n)++] = (uint16_t)p;
	return true;
}

/*
 * The module ports of helper @h: its own, and the public ports forwarded to
 * them (HOWTO 6.7.3: ip_masq_ftp ports=21,2121). More than @max: @max + 1.
 */
static size_t helper_ports(const struct lg *g, const struct ir_helper *h, uint16_t *ports,
			   size_t max)
{
	size_t n = 0, i, j;
	uint32_t p;

	for (i = 0; i < h->ports.n; i++) {
		const struct ir_port *hp = &h->ports.v[i];

		for (p = hp->lo; p <= hp->hi; p++)
			if (!add_port(ports, &n, max, p))
				return n;
		for (j = 0; j < g->ir->n_forwards; j++) {
			const struct ir_forward *f = &g->ir->forwards[j];

			if (f->proto != hp->proto)
				continue;
			for (p = f->lo; p <= f->hi; p++) {
				uint32_t to = f->to_lo + (p - f->lo);

				if (to >= hp->lo && to <= hp->hi && !add_port(ports, &n, max, p))
					return n;
			}
		}
	}
	return n;
}

static void check(struct lg *g)
{
	const struct ir *ir = g->ir;
	const char *t = g->era->target;
	uint16_t ports[LEGACY_APP_PORTS];
	size_t i, j;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];

		if (f->role == IR_PASSTHROUGH)
			diag_error(&f->loc, "%s cannot pass '%s' through: its forward chain cannot "
					    "match the incoming interface",
				   t, f->name);
		else if (is_wildcard(f->name) && !g->era->wildcards)
			diag_error(&f->loc, "%s cannot match a wildcard interface ('%s')", t,
				   f->name);
	}
	for (i = 0; i < ir->n_nat1to1; i++)
		diag_error(&ir->nat1to1[i].loc,
			   "%s cannot do 1:1 NAT: IP masquerading is a one-to-many translation "
			   "(HOWTO FAQ 7.32); generate -t nft or -t iptables",
			   t);
	for (i = 0; i < ir->n_helpers; i++) {
		const struct ir_helper *h = &ir->helpers[i];
		size_t n;

		if (i && strcmp(ir->helpers[i - 1].name, h->name) == 0)
			continue;
		if (!h->legacy) {
			diag_error(&h->loc, "helper '%s' has no Linux %s module (ip_masq_*): %s "
					    "cannot masquerade it",
				   h->name, g->era->kernel, t);
			continue;
		}
		n = helper_ports(g, h, ports, ARRAY_SIZE(ports));
		if (n > LEGACY_APP_PORTS)
			diag_error(&h->loc, "helper '%s' needs more than %d ports, the most an %s "
					    "module takes",
				   h->name, LEGACY_APP_PORTS, h->legacy_module);
	}
	if (ir->clamp.enabled)
		diag_error(&ir->clamp.loc,
			   "clamp-mss needs Linux 2.4 or later: with %s lower the MTU of the external "
			   "interface instead (HOWTO FAQ 7.15)",
			   t);
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];
		size_t k = iface_index(g, f->iif);

		if (f->proto != IR_P_TCP && f->proto != IR_P_UDP) {
			diag_error(&f->loc, "%s forwards only tcp and udp: 'forward %s' cannot be "
					    "expressed",
				   g->era->portfw_tool, ir_proto_name(f->proto));
			continue;
		}
		if (k == (size_t)-1)
			continue;
		g->uses_ip[k] = true;
		if (ir->ifaces[k].dynamic && is_wildcard(f->iif))
			diag_error(&f->loc, "%s needs the address of the external interface, and "
					    "'%s' is a wildcard",
				   g->era->portfw_tool, f->iif);
	}
	for (i = 0; i < ir->n_snats; i++) {
		const struct ir_snat *s = &ir->snats[i];
		const struct ir_iface *f = ir_iface_find(ir, s->oif);
		char ip[16];

		if (s->to && !(f && !f->dynamic && f->addr == s->to))
			diag_error(&s->loc, "%s masquerades to the address of the outgoing "
					    "interface: 'to %s' cannot be expressed",
				   t, ir_ip_str(s->to, ip));
	}
	for (i = IR_CH_INPUT; i < IR_CH_COUNT; i++)
		for (j = 0; j < ir->chain[i].n; j++)
			if (is_user_rule(&ir->chain[i].rules[j]))
				check_user_rule(g, &ir->chain[i].rules[j], i);
	check_sysctls(g);
	if (ir->timeouts.tcp > LEGACY_TIMEOUT_MAX || ir->timeouts.tcpfin > LEGACY_TIMEOUT_MAX ||
	    ir->timeouts.udp > LEGACY_TIMEOUT_MAX)
		diag_error(&ir->timeouts.loc, "Linux %s keeps timeouts of at most %us", g->era->kernel,
			   LEGACY_TIMEOUT_MAX);
}

/* The approximations: one warning each, at the first line they concern. */
static void warn(struct lg *g)
{
	const struct ir *ir = g->ir;
	const char *t = g->era->target;
	bool reject = false, dyn = false, logs = false, state = false;
	size_t i, j;

	for (i = 0; i < ir->n_forwards; i++) {
		if (ir->forwards[i].reflect) {
			diag_warning(&ir->forwards[i].loc,
				     "%s cannot reflect a forwarded port back into the LAN: LAN hosts "
				     "must use the server's internal address, best through split DNS "
				     "(HOWTO FAQ 7.19); 'noreflect' silences this",
				     t);
			break;
		}
	}
	for (i = 0; i < ir->n_ifaces && !dyn; i++) {
		if (!reads_ip(g, i))
			continue;
		dyn = true;
		diag_warning(&ir->ifaces[i].loc,
			     "the script reads the address of '%s' when it runs: run it again "
			     "whenever that address changes, e.g. from /etc/ppp/ip-up (HOWTO FAQ 7.8)",
			     ir->ifaces[i].name);
	}
	for (i = 0; i < IR_CH_COUNT; i++) {
		for (j = 0; j < ir->chain[i].n; j++) {
			const struct ir_rule *r = &ir->chain[i].rules[j];

			if (!(r->family & IR_F_IPV4))
				continue;
			logs |= r->log;
			state |= r->tag == IR_T_ESTABLISHED || r->tag == IR_T_INVALID;
			if (is_user_rule(r) && r->verdict == IR_V_REJECT && !reject) {
				reject = true;
				diag_warning(&r->loc, "%s rejects with an ICMP port-unreachable only: "
						      "no TCP reset, no admin-prohibited",
					     t);
			}
		}
	}
	if (state)
		diag_warning(&ir->level_loc,
			     "%s has no connection tracking: replies are recognized by the "
			     "masquerading ports (%u-%u), by TCP flags, as ICMP errors and as DNS "
			     "answers, and invalid packets are not dropped",
			     t, g->era->masq_lo, g->era->masq_hi);
	if (logs)
		diag_warning(ir->log.loc.src ? &ir->log.loc : &ir->level_loc,
			     "%s logs every packet a logging rule matches: no rate limit, and its "
			     "own format instead of the log prefix and level",
			     t);
	if (ir->ipv6 != IR_IPV6_OPEN)
		diag_warning(NULL, "%s has no IPv6: the script leaves IPv6 unfiltered ('ipv6 open' "
				   "says so and silences this)",
			     t);
}

/* Name the shell variables, HOWTO style: EXTIF, INTIF, INTNET, INTIP, then 2, 3... */
static void name_vars(struct lg *g)
{
	const struct ir *ir = g->ir;
	unsigned n_ext = 0, n_int = 0, n_pt = 0;
	size_t i, j, cap_nets = 0;

	g->ifvar = xcalloc(ir->n_ifaces + 1, sizeof(*g->ifvar));
	g->ipvar = xcalloc(ir->n_ifaces + 1, sizeof(*g->ipvar));
	g->uses_ip = xcalloc(ir->n_ifaces + 1, sizeof(*g->uses_ip));
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];
		unsigned *count = f->role == IR_EXTERNAL ? &n_ext
				  : f->role == IR_INTERNAL ? &n_int : &n_pt;
		const char *base = f->role == IR_EXTERNAL ? "EXT"
				   : f->role == IR_INTERNAL ? "INT" : "PASS";
		char num[12] = "";

		if (++*count > 1)
			snprintf(num, sizeof(num), "%u", *count);
		snprintf(g->ifvar[i], sizeof(g->ifvar[i]), "%sIF%s", base, num);
		snprintf(g->ipvar[i], sizeof(g->ipvar[i]), "%sIP%s", base, num);
		for (j = 0; j < f->n_nets; j++) {
			struct lg_net *n = VEC_PUSH(g->nets, g->n_nets, cap_nets);

			n->net = &f->nets[j];
			num[0] = 0;
			if (g->n_nets > 1)
				snprintf(num, sizeof(num), "%u", (unsigned)g->n_nets);
			snprintf(n->netvar, sizeof(n->netvar), "INTNET%s", num);
			n->ipvar[0] = 0;
			if (f->nets[j].gw)
				snprintf(n->ipvar, sizeof(n->ipvar), "INTIP%s", num);
		}
	}
}

static void put_assign(struct strbuf *out, const char *var, const char *value)
{
	char *q = util_shell_quote(value);

	sb_addf(out, "%s=%s\n", var, q);
	free(q);
}

static void emit_header(struct lg *g)
{
	const struct ir *ir = g->ir;
	struct strbuf *out = g->out;
	const char *path = ir->policy_path ? ir->policy_path : "the policy";
	const char *p;
	size_t i;

	sb_addf(out, "#!/bin/sh\n#\n# rc.firewall-%s: IP masquerading and firewall for Linux %s\n",
		g->era->target, g->era->kernel);
	/* the policy path is text from the command line: keep it on one comment line */
	sb_add(out, "# generated by masqgen from ");
	for (p = path; *p; p++)
		sb_addn(out, *p == '\n' || *p == '\r' ? "?" : p, 1);
	sb_addf(out, "\n# Level: %s, after the HOWTO's rc.firewall-%s%s.\n"
		     "# Change the policy and generate the script again rather than edit it.\n",
		ir->level == IR_STRONG ? "strong" : "simple", g->era->target,
		ir->level == IR_STRONG ? "-stronger" : "");
	sb_add(out, "#\n# Where it differs from the HOWTO's script, on purpose: packets from the\n"
		    "# Internet are denied, not rejected; the output chain is left open (the\n"
		    "# forward and input chains do the filtering); forwarding is enabled only\n"
		    "# after the rules stand.\n\n");
	sb_add(out, "# The programs, and where /proc is\n");
	g->era->tools(out, ir->n_helpers > 0);
	for (i = 0; i < ir->n_ifaces && !reads_ip(g, i); i++)
		;
	if (i < ir->n_ifaces)
		sb_add(out, "IFCONFIG=/sbin/ifconfig\nAWK=/bin/awk\n");
	sb_add(out, "UNAME=/bin/uname\nPROC=/proc\n\n");
	sb_addf(out, "KERNEL=$(\"$UNAME\" -r)\n"
		     "case $KERNEL in\n"
		     "%s.*) ;;\n"
		     "*)\n"
		     "  echo \"rc.firewall-%s: this script is for Linux %s (%s); this kernel is "
		     "$KERNEL\" >&2\n"
		     "  exit 1\n"
		     "  ;;\n"
		     "esac\n\n",
		g->era->kernel, g->era->target, g->era->kernel, g->era->target);
	sb_addf(out, "echo \"Loading rc.firewall-%s (generated by masqgen)..\"\n\n", g->era->target);
}

static void emit_vars(struct lg *g)
{
	const struct ir *ir = g->ir;
	struct strbuf *out = g->out;
	char ip[16], text[24];
	size_t i, j, k = 0;

	sb_add(out, "# Interfaces and networks\n");
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];

		put_assign(out, g->ifvar[i], f->name);
		if (f->role == IR_EXTERNAL && !f->dynamic && g->uses_ip[i])
			put_assign(out, g->ipvar[i], ir_ip_str(f->addr, ip));
		for (j = 0; j < f->n_nets; j++, k++) {
			const struct lg_net *n = &g->nets[k];

			snprintf(text, sizeof(text), "%s/%u", ir_ip_str(n->net->net, ip), n->net->len);
			put_assign(out, n->netvar, text);
			if (n->ipvar[0] && g->uses_gw)
				put_assign(out, n->ipvar, ir_ip_str(n->net->gw, ip));
		}
	}
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];

		sb_addf(out, "echo \"   %s interface: $%s\"\n",
			f->role == IR_EXTERNAL ? "External" : f->role == IR_INTERNAL ? "Internal"
										   : "Passthrough",
			g->ifvar[i]);
	}
	for (i = 0; i < g->n_nets; i++)
		sb_addf(out, "echo \"   Internal network: $%s\"\n", g->nets[i].netvar);
	sb_add(out, "\n");
	for (i = 0; i < ir->n_ifaces; i++) {
		if (!reads_ip(g, i))
			continue;
		/*
		 * As the HOWTO (6.4.2) does: the text after the first ':' of the
		 * "inet" line, which works whatever language ifconfig speaks
		 */
		sb_addf(out, "# %s has a dynamic address: read it now, and run this script again\n"
			     "# whenever it changes (HOWTO FAQ 7.8)\n"
			     "%s=$(\"$IFCONFIG\" \"$%s\" | \"$AWK\" 'NR > 1 && /inet / "
			     "{ sub(/^[^:]*:/, \"\"); sub(/ .*/, \"\"); print; exit }')\n"
			     "case $%s in\n"
			     "*.*.*.*.* | *[!0-9.]*) %s= ;;\n"
			     "*.*.*.*) ;;\n"
			     "*) %s= ;;\n"
			     "esac\n"
			     "if [ -z \"$%s\" ]; then\n"
			     "  echo \"rc.firewall-%s: $%s has no IPv4 address; run this script again "
			     "when it is up\" >&2\n"
			     "  exit 1\n"
			     "fi\n"
			     "echo \"   External address: $%s\"\n\n",
			g->ifvar[i], g->ipvar[i], g->ifvar[i], g->ipvar[i], g->ipvar[i], g->ipvar[i],
			g->ipvar[i], g->era->target, g->ifvar[i], g->ipvar[i]);
	}
}

static void emit_modules(struct lg *g)
{
	const struct ir *ir = g->ir;
	struct strbuf *out = g->out;
	uint16_t ports[LEGACY_APP_PORTS];
	size_t i, j, n;

	if (!ir->n_helpers)
		return;
	sb_add(out, "# Masquerading modules for protocols that carry addresses (HOWTO 3.4)\n"
		    "echo \"   loading modules..\"\n"
		    "\"$DEPMOD\" -a\n");
	for (i = 0; i < ir->n_helpers; i++) {
		const struct ir_helper *h = &ir->helpers[i];

		if (i && strcmp(ir->helpers[i - 1].name, h->name) == 0)
			continue;
		sb_addf(out, "\"$MODPROBE\" %s", h->legacy_module);
		n = helper_ports(g, h, ports, ARRAY_SIZE(ports));
		for (j = 0; j < n; j++)
			sb_addf(out, "%s%u", j ? "," : " ports=", ports[j]);
		sb_addf(out, " || echo \"   warning: %s did not load\" >&2\n", h->legacy_module);
	}
	sb_add(out, "\n");
}

static void emit_rule(struct lg *g, const struct legacy_rule *r)
{
	g->era->rule(g->out, r);
}

static void rule_init(struct legacy_rule *r, enum legacy_chain chain, enum legacy_target t)
{
	memset(r, 0, sizeof(*r));
	r->chain = chain;
	r->icmp_type = -1;
	r->target = t;
}

/*
 * Emit @r once per element of its lists (the eras have no sets). @dst_alt:
 * destination words to use when the rule has none (NULL: any).
 */
static void expand_rule(struct lg *g, enum legacy_chain chain, const struct ir_rule *r,
			enum legacy_target t, char (*dst_alt)[48], size_t n_dst_alt)
{
	char (*src)[48] = NULL, (*dst)[48] = NULL, (*w)[48];
	size_t n_src = 0, n_dst = 0, cap_src = 0, cap_dst = 0, i, j, k, m, n;
	size_t n_ports = r->dports.n ? r->dports.n : 1;
	size_t n_icmp = r->n_icmp ? r->n_icmp : 1;
	struct legacy_rule lr;

	for (i = 0; i < r->saddr.n; i++) {
		n = addr_words(g, &r->saddr.v[i], &w);
		util_grow(&src, &cap_src, n_src + n, sizeof(*src));
		memcpy(src + n_src, w, n * sizeof(*w));
		n_src += n;
		free(w);
	}
	for (i = 0; i < r->daddr.n; i++) {
		n = addr_words(g, &r->daddr.v[i], &w);
		util_grow(&dst, &cap_dst, n_dst + n, sizeof(*dst));
		memcpy(dst + n_dst, w, n * sizeof(*w));
		n_dst += n;
		free(w);
	}
	for (i = 0; i < (n_src ? n_src : 1); i++) {
		for (j = 0; j < (n_dst ? n_dst : n_dst_alt ? n_dst_alt : 1); j++) {
			for (k = 0; k < n_ports; k++) {
				for (m = 0; m < n_icmp; m++) {
					rule_init(&lr, chain, t);
					if (r->iif)
						iface_word(g, r->iif, lr.iface, sizeof(lr.iface));
					else if (r->oif)
						iface_word(g, r->oif, lr.iface, sizeof(lr.iface));
					lr.proto = r->proto;
					if (n_src)
						memcpy(lr.src, src[i], sizeof(lr.src));
					if (n_dst)
						memcpy(lr.dst, dst[j], sizeof(lr.dst));
					else if (n_dst_alt)
						memcpy(lr.dst, dst_alt[j], sizeof(lr.dst));
					if (r->dports.n) {
						lr.proto = r->dports.v[k].proto;
						lr.dport_lo = r->dports.v[k].lo;
						lr.dport_hi = r->dports.v[k].hi;
					}
					if (r->sports.n) {
						lr.sport_lo = r->sports.v[0].lo;
						lr.sport_hi = r->sports.v[0].hi;
					}
					if (r->n_icmp)
						lr.icmp_type = r->icmp_types[m];
					lr.log = r->log;
					emit_rule(g, &lr);
				}
			}
		}
	}
	free(src);
	free(dst);
}

/* "# policy.masq:12" above the lines of a user rule */
static void user_comment(struct lg *g, const struct ir_rule *r)
{
	char *where = diag_loc_str(&r->loc);

	sb_addf(g->out, "# %s\n", where);
	free(where);
}

/* The gateway's own addresses as shell words (for deny/reject input rules). */
static size_t gateway_words(const struct lg *g, char (**words)[48])
{
	size_t n = 0, cap = 0, i;

	*words = NULL;
	for (i = 0; i < g->ir->n_ifaces; i++) {
		const struct ir_iface *f = &g->ir->ifaces[i];

		if (f->role != IR_EXTERNAL)
			continue;
		util_grow(words, &cap, n + 1, sizeof(**words));
		snprintf((*words)[n++], sizeof(**words), "\"$%s\"", g->ipvar[i]);
	}
	for (i = 0; i < g->n_nets; i++) {
		if (!g->nets[i].ipvar[0])
			continue;
		util_grow(words, &cap, n + 1, sizeof(**words));
		snprintf((*words)[n++], sizeof(**words), "\"$%s\"", g->nets[i].ipvar);
	}
	return n;
}

static void emit_antispoof(struct lg *g)
{
	const struct ir *ir = g->ir;
	const struct ir_chain *raw = &ir->chain[IR_CH_RAW];
	struct legacy_rule lr;
	size_t i, j;

	if (raw->present && raw->n) {
		sb_add(g->out, "# Anti-spoofing: on an external interface, LAN or loopback sources\n"
			       "# and loopback destinations are forged\n");
		for (i = 0; i < raw->n; i++)
			if (raw->rules[i].family & IR_F_IPV4)
				expand_rule(g, LEGACY_INPUT, &raw->rules[i], LEGACY_DENY, NULL, 0);
		return;
	}
	if (!g->n_nets)
		return;
	sb_add(g->out, "# LAN sources arriving on an external interface are forged: the\n"
		       "# forward chain trusts source addresses, as it cannot see where a\n"
		       "# packet came in\n");
	for (i = 0; i < ir->n_ifaces; i++) {
		if (ir->ifaces[i].role != IR_EXTERNAL)
			continue;
		for (j = 0; j < g->n_nets; j++) {
			rule_init(&lr, LEGACY_INPUT, LEGACY_DENY);
			iface_word(g, ir->ifaces[i].name, lr.iface, sizeof(lr.iface));
			snprintf(lr.src, sizeof(lr.src), "\"$%s\"", g->nets[j].netvar);
			emit_rule(g, &lr);
		}
	}
}

/* Emit @lr once per prefix of @a (@a NULL: once, any source). */
static void emit_from(struct lg *g, struct legacy_rule *lr, const struct ir_addr *a)
{
	char (*w)[48];
	size_t k, n;

	if (!a) {
		lr->src[0] = 0;
		emit_rule(g, lr);
		return;
	}
	n = addr_words(g, a, &w);
	for (k = 0; k < n; k++) {
		memcpy(lr->src, w[k], sizeof(lr->src));
		emit_rule(g, lr);
	}
	free(w);
}

/*
 * Emit @lr for the sources in @a (NULL: any) that a forward's `from` (@f)
 * admits: with no `from` all of them, else their overlap with it.
 */
static void emit_from_allowed(struct lg *g, struct legacy_rule *lr, const struct ir_addr *a,
			      const struct ir_forward *f)
{
	struct ir_addr both;
	size_t i;

	if (!f->from.n) {
		emit_from(g, lr, a);
		return;
	}
	for (i = 0; i < f->from.n; i++) {
		both = f->from.v[i];
		if (a) {
			both.lo = a->lo > both.lo ? a->lo : both.lo;
			both.hi = a->hi < both.hi ? a->hi : both.hi;
			if (both.lo > both.hi)
				continue;
		}
		emit_from(g, lr, &both);
	}
}

/*
 * User forward rule @r on the connections forward @f translates, in public
 * ports: those connections skip the forward chain, so the input chain is
 * the only place to apply it. An `allow` keeps to the forward's `from`.
 */
static void emit_user_on_forward(struct lg *g, const struct ir_rule *r, const struct ir_forward *f,
				 struct legacy_rule *lr)
{
	uint32_t to_hi = f->to_lo + (uint32_t)(f->hi - f->lo);
	size_t i, k, n_ports = r->dports.n ? r->dports.n : 1;
	bool hit = !r->daddr.n;

	if ((r->proto && r->proto != f->proto) || r->n_icmp || r->saddr_neg || r->daddr_neg)
		return;
	for (i = 0; i < r->daddr.n; i++)
		hit |= f->host >= r->daddr.v[i].lo && f->host <= r->daddr.v[i].hi;
	if (!hit)
		return;
	lr->target = target_of(r->verdict);
	lr->log = r->log;
	for (k = 0; k < n_ports; k++) {
		uint32_t lo = f->to_lo, hi = to_hi;

		if (r->dports.n) {
			const struct ir_port *p = &r->dports.v[k];

			if (p->proto != f->proto || p->hi < lo || p->lo > hi)
				continue;
			lo = p->lo > lo ? p->lo : lo;
			hi = p->hi < hi ? p->hi : hi;
		}
		lr->dport_lo = (uint16_t)(f->lo + (lo - f->to_lo));
		lr->dport_hi = (uint16_t)(f->lo + (hi - f->to_lo));
		for (i = 0; i < (r->saddr.n ? r->saddr.n : 1); i++) {
			const struct ir_addr *a = r->saddr.n ? &r->saddr.v[i] : NULL;

			if (r->verdict == IR_V_ACCEPT)
				emit_from_allowed(g, lr, a, f);
			else
				emit_from(g, lr, a);
		}
	}
}

/*
 * The forwarded ports, before the port forwarding translates them: the
 * user forward rules that concern them, in order, then the forward itself
 * (with `from`, everyone else is denied).
 */
static void emit_forward_input(struct lg *g)
{
	const struct ir *ir = g->ir;
	const struct ir_chain *fw = &ir->chain[IR_CH_FORWARD];
	struct legacy_rule lr;
	size_t i, j;

	if (!ir->n_forwards)
		return;
	sb_add(g->out, "# Forwarded ports, before the port forwarding translates them (these\n"
		       "# connections never pass the forward chain: its rules for them are here)\n");
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];
		size_t x = iface_index(g, f->iif);

		rule_init(&lr, LEGACY_INPUT, LEGACY_ACCEPT);
		iface_word(g, f->iif, lr.iface, sizeof(lr.iface));
		lr.proto = f->proto;
		snprintf(lr.dst, sizeof(lr.dst), "\"$%s\"", g->ipvar[x]);
		for (j = 0; j < fw->n; j++)
			if (is_user_rule(&fw->rules[j]))
				emit_user_on_forward(g, &fw->rules[j], f, &lr);
		lr.target = LEGACY_ACCEPT;
		lr.log = false;
		lr.dport_lo = f->lo;
		lr.dport_hi = f->hi;
		for (j = 0; j < (f->from.n ? f->from.n : 1); j++)
			emit_from(g, &lr, f->from.n ? &f->from.v[j] : NULL);
		if (f->from.n) {
			lr.target = LEGACY_DENY;
			emit_from(g, &lr, NULL);
		}
	}
}

/* established,related without connection tracking, on every external interface */
static void emit_established(struct lg *g)
{
	static const uint8_t icmp_ok[] = {0, 3, 4, 11, 12};
	const struct ir *ir = g->ir;
	struct legacy_rule lr;
	bool dhcp = false;
	size_t i, j;

	for (i = 0; i < ir->n_ifaces; i++)
		dhcp |= ir->ifaces[i].role == IR_EXTERNAL && ir->ifaces[i].dynamic;
	dhcp &= ir->level == IR_STRONG;
	sb_addf(g->out, "# Replies, without connection tracking: to the masquerading ports\n"
			"# (%u-%u), TCP packets that open nothing, ICMP errors and echo\n"
			"# replies, DNS answers%s\n",
		g->era->masq_lo, g->era->masq_hi,
		dhcp ? ", DHCP answers on dynamic external interfaces" : "");
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];

		if (f->role != IR_EXTERNAL)
			continue;
		rule_init(&lr, LEGACY_INPUT, LEGACY_ACCEPT);
		iface_word(g, f->name, lr.iface, sizeof(lr.iface));
		lr.dport_lo = g->era->masq_lo;
		lr.dport_hi = g->era->masq_hi;
		lr.proto = IR_P_TCP;
		emit_rule(g, &lr);
		lr.proto = IR_P_UDP;
		emit_rule(g, &lr);
		lr.dport_lo = lr.dport_hi = 0;
		lr.proto = IR_P_TCP;
		lr.not_syn = true;
		emit_rule(g, &lr);
		lr.not_syn = false;
		lr.proto = IR_P_ICMP;
		for (j = 0; j < ARRAY_SIZE(icmp_ok); j++) {
			lr.icmp_type = icmp_ok[j];
			emit_rule(g, &lr);
		}
		lr.icmp_type = -1;
		lr.proto = IR_P_UDP;
		lr.sport_lo = lr.sport_hi = 53;
		lr.dport_lo = 1024;
		lr.dport_hi = 65535;
		emit_rule(g, &lr);
		lr.sport_lo = lr.sport_hi = 0;
		if (f->dynamic && ir->level == IR_STRONG) {
			lr.proto = IR_P_UDP;
			lr.sport_lo = lr.sport_hi = 67;
			lr.dport_lo = lr.dport_hi = 68;
			emit_rule(g, &lr);
		}
	}
}

/* `allow forward` rules also open the input chain, for packets routed to the LANs. */
static void emit_forward_mirrors(struct lg *g)
{
	const struct ir_chain *fw = &g->ir->chain[IR_CH_FORWARD];
	char (*nets)[48] = NULL;
	size_t i, n = 0, cap = 0;
	bool any = false;

	for (i = 0; i < g->n_nets; i++) {
		util_grow(&nets, &cap, n + 1, sizeof(*nets));
		snprintf(nets[n++], sizeof(*nets), "\"$%s\"", g->nets[i].netvar);
	}
	for (i = 0; i < fw->n; i++) {
		const struct ir_rule *r = &fw->rules[i];

		if (!is_user_rule(r) || r->verdict != IR_V_ACCEPT)
			continue;
		if (!any)
			sb_add(g->out, "# What 'allow forward' admits must get past the input chain\n");
		any = true;
		user_comment(g, r);
		expand_rule(g, LEGACY_INPUT, r, LEGACY_ACCEPT, nets, n);
	}
	free(nets);
}

static void emit_input(struct lg *g)
{
	const struct ir *ir = g->ir;
	const struct ir_chain *in = &ir->chain[IR_CH_INPUT];
	/* a drop policy: `allow forward` rules must open this chain too */
	bool mirror = in->present && in->policy == IR_V_DROP;
	char (*gw)[48];
	size_t i, n_gw = gateway_words(g, &gw);

	sb_addf(g->out, "#############################################################################\n"
			"# Input: every packet that arrives, for the gateway or to be forwarded\n"
			"echo \"   input rules..\"\n");
	emit_antispoof(g);
	emit_forward_input(g);
	for (i = 0; i < in->n; i++) {
		const struct ir_rule *r = &in->rules[i];
		enum legacy_target t = target_of(r->verdict);

		if (!(r->family & IR_F_IPV4))
			continue;
		if (mirror && (r->tag == IR_T_LAN || r->tag == IR_T_DHCP || r->tag == IR_T_CATCHALL)) {
			emit_forward_mirrors(g);
			mirror = false;
		}
		switch (r->tag) {
		case IR_T_LOOPBACK:
			sb_add(g->out, "# Loopback\n");
			expand_rule(g, LEGACY_INPUT, r, t, NULL, 0);
			break;
		case IR_T_ESTABLISHED:
			emit_established(g);
			break;
		case IR_T_USER:
			user_comment(g, r);
			if (r->verdict == IR_V_ACCEPT || r->daddr.n)
				expand_rule(g, LEGACY_INPUT, r, t, NULL, 0);
			else
				expand_rule(g, LEGACY_INPUT, r, t, gw, n_gw);
			break;
		case IR_T_LAN:
			if (i == 0 || in->rules[i - 1].tag != IR_T_LAN)
				sb_add(g->out, "# The LANs, to the gateway and to be forwarded\n");
			expand_rule(g, LEGACY_INPUT, r, t, NULL, 0);
			break;
		case IR_T_DHCP:
			if (i == 0 || in->rules[i - 1].tag != IR_T_DHCP)
				sb_add(g->out, "# DHCP requests from the LANs\n");
			expand_rule(g, LEGACY_INPUT, r, t, NULL, 0);
			break;
		case IR_T_CATCHALL:
			sb_add(g->out, "# Everything else: logged, then denied by the policy\n");
			expand_rule(g, LEGACY_INPUT, r, LEGACY_DENY, NULL, 0);
			break;
		default:
			/* invalid: no such state here; passthrough: rejected by check() */
			break;
		}
	}
	if (mirror)
		emit_forward_mirrors(g);
	sb_add(g->out, "\n");
	free(gw);
}

static void emit_masq(struct lg *g)
{
	const struct ir *ir = g->ir;
	struct legacy_rule lr;
	char (*w)[48];
	size_t i, j, k, n;

	sb_add(g->out, "# Masquerade the LANs out of the external interfaces\n");
	for (i = 0; i < ir->n_snats; i++) {
		const struct ir_snat *s = &ir->snats[i];

		rule_init(&lr, LEGACY_FORWARD, LEGACY_MASQ);
		iface_word(g, s->oif, lr.iface, sizeof(lr.iface));
		for (j = 0; j < s->sources.n; j++) {
			n = addr_words(g, &s->sources.v[j], &w);
			for (k = 0; k < n; k++) {
				memcpy(lr.src, w[k], sizeof(lr.src));
				emit_rule(g, &lr);
			}
			free(w);
		}
	}
}

/* Replies from a forward's target, masqueraded back out (they complete the forward). */
static void emit_forwarded(struct lg *g)
{
	const struct ir *ir = g->ir;
	struct legacy_rule lr;
	size_t i;

	sb_add(g->out, "# Replies of the port-forwarded servers go out masqueraded\n");
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];

		rule_init(&lr, LEGACY_FORWARD, LEGACY_MASQ);
		iface_word(g, f->iif, lr.iface, sizeof(lr.iface));
		lr.proto = f->proto;
		prefix_word(g, f->host, 32, lr.src, sizeof(lr.src));
		lr.sport_lo = f->to_lo;
		lr.sport_hi = (uint16_t)(f->to_lo + (f->hi - f->lo));
		emit_rule(g, &lr);
	}
}

/* Internal to internal: the outgoing interface, and the other LAN's networks as sources. */
static void emit_internal(struct lg *g, const struct ir_rule *r)
{
	const struct ir_iface *from = ir_iface_find(g->ir, r->iif);
	struct legacy_rule lr;
	size_t i;

	if (!from || !r->oif)
		return;
	for (i = 0; i < g->n_nets; i++) {
		if (net_iface(g, g->nets[i].net) != from)
			continue;
		rule_init(&lr, LEGACY_FORWARD, LEGACY_ACCEPT);
		iface_word(g, r->oif, lr.iface, sizeof(lr.iface));
		snprintf(lr.src, sizeof(lr.src), "\"$%s\"", g->nets[i].netvar);
		emit_rule(g, &lr);
	}
}

static void emit_forward(struct lg *g)
{
	const struct ir_chain *fw = &g->ir->chain[IR_CH_FORWARD];
	bool masq = false, forwarded = false;
	size_t i;

	sb_add(g->out, "#############################################################################\n"
		       "# Forward: what is routed through, matched by its OUTGOING interface.\n"
		       "# Replies to masqueraded connections and port-forwarded connections are\n"
		       "# demasqueraded and never pass this chain.\n"
		       "echo \"   forward rules..\"\n");
	for (i = 0; i < fw->n; i++) {
		const struct ir_rule *r = &fw->rules[i];

		if (!(r->family & IR_F_IPV4))
			continue;
		switch (r->tag) {
		case IR_T_USER:
			user_comment(g, r);
			expand_rule(g, LEGACY_FORWARD, r, target_of(r->verdict), NULL, 0);
			break;
		case IR_T_LAN:
			if (!masq)
				emit_masq(g);
			masq = true;
			break;
		case IR_T_INTERNAL:
			if (i == 0 || fw->rules[i - 1].tag != IR_T_INTERNAL)
				sb_add(g->out, "# The LANs reach each other (HOWTO 6.5)\n");
			emit_internal(g, r);
			break;
		case IR_T_FORWARDED:
			if (!forwarded && g->ir->n_forwards)
				emit_forwarded(g);
			forwarded = true;
			break;
		case IR_T_CATCHALL:
			if (!masq && g->ir->n_snats)
				emit_masq(g);
			if (!forwarded && g->ir->n_forwards)
				emit_forwarded(g);
			masq = forwarded = true;
			sb_add(g->out, "# Everything else: logged, then denied by the policy\n");
			expand_rule(g, LEGACY_FORWARD, r, LEGACY_DENY, NULL, 0);
			break;
		default:
			break;
		}
	}
	if (!masq && g->ir->n_snats)
		emit_masq(g);
	if (!forwarded && g->ir->n_forwards)
		emit_forwarded(g);
	sb_add(g->out, "\n");
}

static void emit_portfw(struct lg *g)
{
	const struct ir *ir = g->ir;
	char ip[16], word[48], *q;
	uint32_t p;
	size_t i;

	sb_addf(g->out, "# Port forwarding (HOWTO 6.7), one entry per port\n");
	g->era->portfw_flush(g->out, ir->n_forwards > 0);
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];

		snprintf(word, sizeof(word), "\"$%s\"", g->ipvar[iface_index(g, f->iif)]);
		q = util_shell_quote(ir_ip_str(f->host, ip));
		for (p = f->lo; p <= f->hi; p++)
			g->era->portfw(g->out, f->proto, word, (uint16_t)p, q,
				       (uint16_t)(f->to_lo + (p - f->lo)));
		free(q);
	}
	sb_add(g->out, "\n");
}

/* The /proc path of a sysctl key; an interface name may hold dots. */
static char *proc_path(const struct ir_sysctl *s)
{
	struct strbuf sb = {0};
	const char *k = s->key;
	const char *at = s->iface && strncmp(k, "net.ipv4.conf.", 14) == 0 ? k + 14 : NULL;

	sb_add(&sb, "$PROC/sys/");
	for (; *k; k++) {
		if (at && k == at) {
			sb_add(&sb, s->iface);
			k += strlen(s->iface) - 1;
			continue;
		}
		sb_addn(&sb, *k == '.' ? "/" : k, 1);
	}
	return sb.buf;
}

static void emit_proc(struct lg *g)
{
	const struct ir *ir = g->ir;
	struct strbuf *out = g->out;
	size_t i;

	sb_add(out, "# Kernel settings, once the rules stand\n"
		    "echo \"   enabling forwarding..\"\n");
	for (i = 0; i < ir->n_sysctls; i++) {
		const struct ir_sysctl *s = &ir->sysctls[i];
		char *path = proc_path(s), *q = util_shell_quote(s->value);

		if (strncmp(s->key, "net.ipv4.", 9) != 0) {
			free(path);
			free(q);
			continue;
		}
		if (s->iface)
			sb_addf(out, "if [ -e \"%s\" ]; then\n"
				     "  echo %s >\"%s\"\n"
				     "else\n"
				     "  echo \"   warning: no %s yet: %s not set\" >&2\n"
				     "fi\n",
				path, q, path, s->iface, s->key);
		else
			sb_addf(out, "echo %s >\"%s\"\n", q, path);
		free(path);
		free(q);
		if (strcmp(s->key, "net.ipv4.ip_forward") == 0)
			sb_add(out, "# Reassemble fragments before filtering (2.2 and 2.0 kernels; some\n"
				    "# have no such setting)\n"
				    "if [ -e \"$PROC/sys/net/ipv4/ip_always_defrag\" ]; then\n"
				    "  echo 1 >\"$PROC/sys/net/ipv4/ip_always_defrag\"\n"
				    "fi\n");
	}
	sb_addf(out, "\necho \"rc.firewall-%s done.\"\n", g->era->target);
}

static void emit_script(struct lg *g)
{
	const struct ir *ir = g->ir;
	const struct legacy_era *e = g->era;
	struct strbuf *out = g->out;
	bool strong_input = ir->chain[IR_CH_INPUT].present &&
			    ir->chain[IR_CH_INPUT].policy == IR_V_DROP;

	emit_header(g);
	emit_vars(g);
	emit_modules(g);
	sb_add(out, "# Default policies first, then clear the old rules\n"
		    "echo \"   clearing any existing rules and setting default policy..\"\n");
	e->policy(out, LEGACY_INPUT, strong_input ? LEGACY_DENY : LEGACY_ACCEPT);
	e->policy(out, LEGACY_OUTPUT, LEGACY_ACCEPT);
	e->policy(out, LEGACY_FORWARD, LEGACY_DENY);
	e->flush(out, LEGACY_INPUT);
	e->flush(out, LEGACY_OUTPUT);
	e->flush(out, LEGACY_FORWARD);
	sb_add(out, "\n");
	if (ir->timeouts.tcp || ir->timeouts.tcpfin || ir->timeouts.udp) {
		sb_add(out, "# Masquerading timeouts in seconds: tcp, tcp after FIN, udp; 0 keeps\n"
			    "# the kernel's (HOWTO FAQ 7.13)\n");
		e->timeouts(out, ir->timeouts.tcp, ir->timeouts.tcpfin, ir->timeouts.udp);
		sb_add(out, "\n");
	}
	emit_input(g);
	emit_forward(g);
	emit_portfw(g);
	emit_proc(g);
}

int legacy_emit(const struct ir *ir, const struct legacy_era *era, struct strbuf *out)
{
	unsigned errors = diag_error_count();
	struct lg g = {.ir = ir, .era = era, .out = out};
	int rc = -1;

	name_vars(&g);
	check(&g);
	if (diag_error_count() != errors)
		goto out_free;
	warn(&g);
	emit_script(&g);
	rc = 0;
out_free:
	free(g.ifvar);
	free(g.ipvar);
	free(g.uses_ip);
	free(g.nets);
	return rc;
}
