// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctclean.c - after a commit, delete the conntrack entries that the new
 * ruleset would treat differently from how they were set up.
 *
 * NAT is decided on a connection's first packet only, and the filter
 * admits established connections on their conntrack state: without this,
 * a UDP stream to a newly forwarded port keeps reaching the gateway, and a
 * removed forward keeps carrying the connections it translated until they
 * time out. Two kinds of entries go, IPv4 only (masqgen translates no IPv6):
 *
 *  - untranslated connections to an address of the gateway outside the
 *    internal networks, on a port (and from a source) a forward or 1:1 of
 *    the policy now translates;
 *  - connections translated to a host of an internal network that no
 *    forward or 1:1 of the policy leads to any more (or leads elsewhere);
 *  - connections a `deny` or `reject` of the policy now matches.
 *
 * Connections that miniupnpd's mappings brought in carry IR_UPNP_MARK in
 * their mark and stay while the policy has `upnp` (no forward leads there).
 *
 * A DNAT to anything outside the internal networks (Docker's containers)
 * is never masqgen's and is left alone. Entries are collected from one
 * dump, then deleted by their original tuple and id, so an entry replaced
 * meanwhile is not touched.
 */
#include "apply.h"

#include "diag.h"
#include "ir.h"
#include "ir_match.h"
#include "nl.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#define CTCLEAN_MAX_ATTR 64

struct ctclean_tuple {
	uint32_t src, dst; /* host byte order */
	uint16_t sport, dport;
	uint8_t proto;
};

/* An entry to delete: its original tuple and identity, as the dump had them. */
struct ctclean_victim {
	void *tuple; /* CTA_TUPLE_ORIG payload */
	uint16_t tuple_len;
	uint32_t id; /* network order, as dumped */
	bool has_id;
	uint16_t zone; /* network order */
	bool has_zone;
};

struct ctclean_ctx {
	const struct ir *ir;
	uint32_t *local; /* the gateway's own addresses but 127/8 */
	size_t n_local, cap_local;
	struct ctclean_victim *victims;
	size_t n_victims, cap_victims;
};

/* Is @addr the gateway's own (with @outer, outside every internal network)? */
static bool ctclean_local(const struct ctclean_ctx *c, uint32_t addr, bool outer)
{
	size_t i;

	for (i = 0; i < c->n_local; i++)
		if (c->local[i] == addr)
			return !outer || !ir_internal_of(c->ir, addr, NULL);
	return false;
}

/*
 * The connection @o (whose destination after DNAT is @dst) as the IR's
 * matcher takes it. Interfaces are not in conntrack: a rule limited to one
 * is taken to match on every interface, which at worst re-evaluates a
 * connection the new ruleset still accepts. The ICMP type and the state
 * are left unknown, so rules on them do not match (ICMP entries live
 * seconds; user rules have no state).
 */
static void ctclean_pkt(const struct ctclean_tuple *o, uint32_t dst, struct ir_pkt *p)
{
	*p = ir_pkt_ipv4(o->proto, o->src, dst, o->sport, o->dport, -1);
	p->ct_state = 0;
	p->any_iface = true;
}

/*
 * Would a `deny` or `reject` now stop the connection? Its chain follows
 * from its addresses (from the gateway: output; to it: input; to or from
 * an internal network: forward); user rules come before every built-in
 * accept but loopback, passthrough and established, so the first user rule
 * that matches decides.
 */
static bool ctclean_denied(const struct ctclean_ctx *c, const struct ctclean_tuple *o,
			   const struct ctclean_tuple *r, uint32_t status)
{
	bool dnat = status & IPS_DST_NAT;
	uint32_t dst = dnat ? r->src : o->dst;
	const struct ir_chain *ch;
	const struct loc *why;
	bool set_used = false;
	struct ir_pkt p;
	size_t i;

	if ((o->src >> 24) == 127 || (o->dst >> 24) == 127)
		return false;
	if (ctclean_local(c, o->src, false))
		ch = &c->ir->chain[IR_CH_OUTPUT];
	else if (!dnat && ctclean_local(c, o->dst, false))
		ch = &c->ir->chain[IR_CH_INPUT];
	else if (ir_internal_of(c->ir, o->src, NULL) || ir_internal_of(c->ir, dst, NULL))
		ch = &c->ir->chain[IR_CH_FORWARD];
	else
		return false;
	ctclean_pkt(o, dst, &p);
	p.set_used = &set_used;
	for (i = 0; i < ch->n; i++) {
		const struct ir_rule *rule = &ch->rules[i];
		bool match = rule->tag == IR_T_USER && ir_rule_match(rule, &p, &why);

		/* who is in a live set is not known here: keep the connection */
		if (set_used)
			return false;
		if (match)
			return rule->verdict != IR_V_ACCEPT;
	}
	return false;
}

/* Does forward @f translate a new connection with original tuple @o? */
static bool ctclean_forward_takes(const struct ir_forward *f, const struct ctclean_tuple *o,
				  bool from_lan)
{
	struct ir_pkt p;

	ctclean_pkt(o, o->dst, &p);
	return (!from_lan || f->reflect) && ir_forward_takes(f, &p);
}

/* Would the new ruleset treat the entry differently from how it was set up? */
static bool ctclean_doomed(const struct ctclean_ctx *c, const struct ctclean_tuple *o,
			   const struct ctclean_tuple *r, uint32_t status)
{
	const struct ir *ir = c->ir;
	bool from_lan = ir_internal_of(ir, o->src, NULL);
	size_t i;

	if (ctclean_denied(c, o, r, status))
		return true;
	if (status & IPS_DST_NAT) {
		/* The reply comes from where the connection was translated to. */
		if (!ir_internal_of(ir, r->src, NULL))
			return false;
		for (i = 0; i < ir->n_nat1to1; i++)
			if (ir->nat1to1[i].public_addr == o->dst &&
			    ir->nat1to1[i].private_addr == r->src)
				return false;
		for (i = 0; i < ir->n_forwards; i++) {
			const struct ir_forward *f = &ir->forwards[i];

			if (f->host == r->src && ctclean_forward_takes(f, o, from_lan) &&
			    (!f->hi || r->sport == f->to_lo + (o->dport - f->lo)))
				return false;
		}
		return true;
	}
	if (!ctclean_local(c, o->dst, true))
		return false;
	for (i = 0; i < ir->n_nat1to1; i++)
		if (ir->nat1to1[i].public_addr == o->dst)
			return true;
	for (i = 0; i < ir->n_forwards; i++)
		if (ctclean_forward_takes(&ir->forwards[i], o, from_lan))
			return true;
	return false;
}

static int ctclean_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type < CTCLEAN_MAX_ATTR)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void ctclean_tuple_parse(const struct nlattr *nest, struct ctclean_tuple *t)
{
	const struct nlattr *tb[CTCLEAN_MAX_ATTR] = {NULL};
	const struct nlattr *ip[CTCLEAN_MAX_ATTR] = {NULL};
	const struct nlattr *proto[CTCLEAN_MAX_ATTR] = {NULL};

	memset(t, 0, sizeof(*t));
	if (!nest || mnl_attr_parse_nested(nest, ctclean_attr, tb) != MNL_CB_OK)
		return;
	if (tb[CTA_TUPLE_IP] &&
	    mnl_attr_parse_nested(tb[CTA_TUPLE_IP], ctclean_attr, ip) == MNL_CB_OK) {
		if (ip[CTA_IP_V4_SRC] && mnl_attr_get_payload_len(ip[CTA_IP_V4_SRC]) == 4)
			t->src = ntohl(mnl_attr_get_u32(ip[CTA_IP_V4_SRC]));
		if (ip[CTA_IP_V4_DST] && mnl_attr_get_payload_len(ip[CTA_IP_V4_DST]) == 4)
			t->dst = ntohl(mnl_attr_get_u32(ip[CTA_IP_V4_DST]));
	}
	if (tb[CTA_TUPLE_PROTO] &&
	    mnl_attr_parse_nested(tb[CTA_TUPLE_PROTO], ctclean_attr, proto) == MNL_CB_OK) {
		if (proto[CTA_PROTO_NUM])
			t->proto = mnl_attr_get_u8(proto[CTA_PROTO_NUM]);
		if (proto[CTA_PROTO_SRC_PORT])
			t->sport = ntohs(mnl_attr_get_u16(proto[CTA_PROTO_SRC_PORT]));
		if (proto[CTA_PROTO_DST_PORT])
			t->dport = ntohs(mnl_attr_get_u16(proto[CTA_PROTO_DST_PORT]));
	}
}

static int ctclean_entry(const struct nlmsghdr *nlh, void *data)
{
	struct ctclean_ctx *c = data;
	const struct nlattr *tb[CTCLEAN_MAX_ATTR] = {NULL};
	struct ctclean_tuple o, r;
	struct ctclean_victim *v;
	uint32_t status = 0;

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), ctclean_attr, tb) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!tb[CTA_TUPLE_ORIG] || !tb[CTA_TUPLE_REPLY])
		return MNL_CB_OK;
	if (tb[CTA_STATUS])
		status = ntohl(mnl_attr_get_u32(tb[CTA_STATUS]));
	ctclean_tuple_parse(tb[CTA_TUPLE_ORIG], &o);
	ctclean_tuple_parse(tb[CTA_TUPLE_REPLY], &r);
	/* a mapping of miniupnpd's, admitted while the policy has `upnp` */
	if (c->ir->upnp.iface && tb[CTA_MARK] &&
	    (ntohl(mnl_attr_get_u32(tb[CTA_MARK])) & IR_UPNP_MARK))
		return MNL_CB_OK;
	if (!ctclean_doomed(c, &o, &r, status))
		return MNL_CB_OK;
	v = VEC_PUSH(c->victims, c->n_victims, c->cap_victims);
	memset(v, 0, sizeof(*v));
	v->tuple_len = mnl_attr_get_payload_len(tb[CTA_TUPLE_ORIG]);
	v->tuple = xmalloc(v->tuple_len);
	memcpy(v->tuple, mnl_attr_get_payload(tb[CTA_TUPLE_ORIG]), v->tuple_len);
	if (tb[CTA_ID]) {
		v->has_id = true;
		v->id = mnl_attr_get_u32(tb[CTA_ID]);
	}
	if (tb[CTA_ZONE]) {
		v->has_zone = true;
		v->zone = mnl_attr_get_u16(tb[CTA_ZONE]);
	}
	return MNL_CB_OK;
}

static int ctclean_no_answer(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_OK;
}

static struct nlmsghdr *ctclean_msg(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

/* The gateway's own IPv4 addresses but 127/8. */
static int ctclean_local_addrs(struct ctclean_ctx *c)
{
	struct ifaddrs *all, *ifa;

	if (getifaddrs(&all) < 0) {
		diag_error(NULL, "cannot list the gateway's addresses: %s", strerror(errno));
		return -1;
	}
	for (ifa = all; ifa; ifa = ifa->ifa_next) {
		uint32_t addr;

		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET)
			continue;
		addr = ntohl(((const struct sockaddr_in *)ifa->ifa_addr)->sin_addr.s_addr);
		if ((addr >> 24) == 127)
			continue;
		*VEC_PUSH(c->local, c->n_local, c->cap_local) = addr;
	}
	freeifaddrs(all);
	return 0;
}

/*
 * Does this network namespace track any connection? The dump walks the
 * kernel's whole conntrack hash, every namespace's, so it is skipped when
 * the count says there is nothing to find (no file: conntrack not loaded).
 */
static bool ctclean_any(void)
{
	FILE *f = fopen("/proc/sys/net/netfilter/nf_conntrack_count", "r");
	unsigned long count = 1;

	if (!f)
		return errno != ENOENT;
	if (fscanf(f, "%lu", &count) != 1)
		count = 1;
	fclose(f);
	return count > 0;
}

long ctclean_run(const struct ir *ir)
{
	char *buf = xmalloc(MNL_SOCKET_BUFFER_SIZE + 1024);
	struct ctclean_ctx c = {.ir = ir};
	struct mnl_socket *nl = NULL;
	struct nlmsghdr *nlh;
	long removed = -1;
	size_t i;

	if (!ctclean_any()) {
		removed = 0;
		goto out;
	}
	if (ctclean_local_addrs(&c) < 0)
		goto out;
	nl = nl_open();
	if (!nl)
		goto out;
	nlh = ctclean_msg(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP);
	if (nl_request(nl, nlh, ctclean_entry, &c) < 0) {
		diag_error(NULL, "cannot read the connection tracking table: %s", strerror(errno));
		goto out;
	}
	removed = 0;
	for (i = 0; i < c.n_victims; i++) {
		const struct ctclean_victim *v = &c.victims[i];

		nlh = ctclean_msg(buf, IPCTNL_MSG_CT_DELETE, NLM_F_ACK);
		mnl_attr_put(nlh, CTA_TUPLE_ORIG | NLA_F_NESTED, v->tuple_len, v->tuple);
		if (v->has_zone)
			mnl_attr_put_u16(nlh, CTA_ZONE, v->zone);
		if (v->has_id)
			mnl_attr_put_u32(nlh, CTA_ID, v->id);
		if (nl_request(nl, nlh, ctclean_no_answer, NULL) == 0) {
			removed++;
		} else if (errno != ENOENT) {
			diag_error(NULL, "cannot delete a connection tracking entry: %s",
				   strerror(errno));
			removed = -1;
			break;
		}
	}
out:
	if (nl)
		mnl_socket_close(nl);
	for (i = 0; i < c.n_victims; i++)
		free(c.victims[i].tuple);
	free(c.victims);
	free(c.local);
	free(buf);
	return removed;
}
