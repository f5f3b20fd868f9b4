// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * legacy_chains.c - the IR's filter chains and forwards as 2.2/2.0 rules.
 *
 * The mapping, chain by chain (legacy.h describes the packet path):
 *  - input holds the strong level's input filter AND the first look at
 *    every forwarded packet: anti-spoofing, the forwarded ports (with the
 *    forward's `from` and the user forward rules that concern them), an
 *    approximation of established/related (replies reach the masquerading
 *    ports; TCP packets that open nothing; ICMP errors; DNS answers), user
 *    input rules (deny/reject limited to the gateway's own addresses so
 *    they never hit forwarded traffic), mirrors of `allow forward` rules,
 *    LAN accept, DHCP, the catch-all.
 *  - forward matches the outgoing interface only; the source address
 *    stands in for the incoming one (anti-spoofing on the externals makes
 *    that sound, at both levels). MASQ is the masquerade, and MASQ of the
 *    forward targets' replies is what completes a port forward.
 *  - output stays open, as LANGUAGE.md wants on every backend.
 */
#include "legacy.h"

#include "diag.h"
#include "escape.h"
#include "ir.h"
#include "ir_match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The shell word for interface @name: its variable, or the quoted name. */
static void iface_word(const struct legacy_ctx *g, const char *name, char *buf, size_t size)
{
	size_t i = legacy_iface_index(g, name);
	char *q;

	if (i != (size_t)-1) {
		snprintf(buf, size, "\"$%s\"", g->ifvar[i]);
		return;
	}
	q = escape_shell_word(name);
	snprintf(buf, size, "%s", q);
	free(q);
}

/* The shell word for the prefix @addr/@len: an internal network's variable, or a literal. */
static void prefix_word(const struct legacy_ctx *g, uint32_t addr, unsigned len, char *buf,
			size_t size)
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
	q = escape_shell_word(text);
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
static size_t addr_words(const struct legacy_ctx *g, const struct ir_addr *a, char (**words)[48])
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

static enum legacy_target target_of(enum ir_verdict v)
{
	return v == IR_V_ACCEPT ? LEGACY_ACCEPT : v == IR_V_DROP ? LEGACY_DENY : LEGACY_REJECT;
}

static void emit_rule(struct legacy_ctx *g, const struct legacy_rule *r)
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
static void expand_rule(struct legacy_ctx *g, enum legacy_chain chain, const struct ir_rule *r,
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
static void user_comment(struct legacy_ctx *g, const struct ir_rule *r)
{
	char *where = diag_loc_str(&r->loc);

	sb_add(g->out, "# ");
	escape_comment(g->out, where);
	sb_add(g->out, "\n");
	free(where);
}

/* The gateway's own addresses as shell words (for deny/reject input rules). */
static size_t gateway_words(const struct legacy_ctx *g, char (**words)[48])
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

static void emit_antispoof(struct legacy_ctx *g)
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
static void emit_from(struct legacy_ctx *g, struct legacy_rule *lr, const struct ir_addr *a)
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
static void emit_from_allowed(struct legacy_ctx *g, struct legacy_rule *lr, const struct ir_addr *a,
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
static void emit_user_on_forward(struct legacy_ctx *g, const struct ir_rule *r,
				 const struct ir_forward *f, struct legacy_rule *lr)
{
	uint32_t to_hi = f->to_lo + (uint32_t)(f->hi - f->lo);
	size_t i, k, n_ports = r->dports.n ? r->dports.n : 1;
	bool hit = !r->daddr.n;

	const struct ir_iface *to = ir_internal_of(g->ir, f->host, NULL);

	if ((r->proto && r->proto != f->proto) || r->n_icmp || r->saddr_neg || r->daddr_neg)
		return;
	/* the translated connection leaves by the target's interface */
	if (r->oif && (!to || !ir_iface_match(r->oif, to->name)))
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
static void emit_forward_input(struct legacy_ctx *g)
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
		size_t x = legacy_iface_index(g, f->iif);

		rule_init(&lr, LEGACY_INPUT, LEGACY_ACCEPT);
		iface_word(g, f->iif, lr.iface, sizeof(lr.iface));
		lr.proto = f->proto;
		snprintf(lr.dst, sizeof(lr.dst), "\"$%s\"", g->ipvar[x]);
		for (j = 0; j < fw->n; j++)
			if (legacy_is_user_rule(&fw->rules[j]))
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
static void emit_established(struct legacy_ctx *g)
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

/*
 * The internal networks as shell words, only those of interfaces @oif
 * matches when it is given; the caller frees *words.
 */
static size_t net_words(const struct legacy_ctx *g, const char *oif, char (**words)[48])
{
	size_t i, n = 0, cap = 0;

	*words = NULL;
	for (i = 0; i < g->n_nets; i++) {
		if (oif && !ir_iface_match(oif, legacy_net_iface(g, g->nets[i].net)->name))
			continue;
		util_grow(words, &cap, n + 1, sizeof(**words));
		snprintf((*words)[n++], sizeof(**words), "\"$%s\"", g->nets[i].netvar);
	}
	return n;
}

/*
 * `allow forward` rules also open the input chain, for packets routed to
 * the LANs. The input chain sees no outgoing interface: a rule with `out`
 * opens only the networks of the internal interfaces it names (one that
 * leaves by an external interface starts on a LAN, which the LAN rule
 * lets in).
 */
static void emit_forward_mirrors(struct legacy_ctx *g)
{
	const struct ir_chain *fw = &g->ir->chain[IR_CH_FORWARD];
	char (*nets)[48];
	size_t i, n;
	bool any = false;

	for (i = 0; i < fw->n; i++) {
		struct ir_rule r = fw->rules[i];

		if (!legacy_is_user_rule(&r) || r.verdict != IR_V_ACCEPT)
			continue;
		n = net_words(g, r.oif, &nets);
		r.oif = NULL;
		if (n || !fw->rules[i].oif) {
			if (!any)
				sb_add(g->out, "# What 'allow forward' admits must get past the input "
					       "chain\n");
			any = true;
			user_comment(g, &r);
			expand_rule(g, LEGACY_INPUT, &r, LEGACY_ACCEPT, nets, n);
		}
		free(nets);
	}
}

void legacy_chains_input(struct legacy_ctx *g)
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
			/* invalid: no such state here; passthrough: rejected by legacy_check_policy() */
			break;
		}
	}
	if (mirror)
		emit_forward_mirrors(g);
	sb_add(g->out, "\n");
	free(gw);
}

static void emit_masq(struct legacy_ctx *g)
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
static void emit_forwarded(struct legacy_ctx *g)
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
static void emit_internal(struct legacy_ctx *g, const struct ir_rule *r)
{
	const struct ir_iface *from = ir_iface_find(g->ir, r->iif);
	struct legacy_rule lr;
	size_t i;

	if (!from || !r->oif)
		return;
	for (i = 0; i < g->n_nets; i++) {
		if (legacy_net_iface(g, g->nets[i].net) != from)
			continue;
		rule_init(&lr, LEGACY_FORWARD, LEGACY_ACCEPT);
		iface_word(g, r->oif, lr.iface, sizeof(lr.iface));
		snprintf(lr.src, sizeof(lr.src), "\"$%s\"", g->nets[i].netvar);
		emit_rule(g, &lr);
	}
}

void legacy_chains_forward(struct legacy_ctx *g)
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

void legacy_chains_portfw(struct legacy_ctx *g)
{
	const struct ir *ir = g->ir;
	char ip[16], word[48], *q;
	uint32_t p;
	size_t i;

	sb_addf(g->out, "# Port forwarding (HOWTO 6.7), one entry per port\n");
	g->era->portfw_flush(g->out, ir->n_forwards > 0);
	for (i = 0; i < ir->n_forwards; i++) {
		const struct ir_forward *f = &ir->forwards[i];

		snprintf(word, sizeof(word), "\"$%s\"", g->ipvar[legacy_iface_index(g, f->iif)]);
		q = escape_shell_word(ir_ip_str(f->host, ip));
		for (p = f->lo; p <= f->hi; p++)
			g->era->portfw(g->out, f->proto, word, (uint16_t)p, q,
				       (uint16_t)(f->to_lo + (p - f->lo)));
		free(q);
	}
	sb_add(g->out, "\n");
}
