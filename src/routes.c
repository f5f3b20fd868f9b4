// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * routes.c - the policy routing that sends replies back out of the
 * external interface a connection came in on (several externals,
 * LANGUAGE.md "Gateway features"). The ruleset marks such connections
 * with the external's number N (ir.h IR_WAN_*); here, over rtnetlink:
 *
 *   rule pref 1000: lookup main suppress_prefixlength 0 (local and LAN
 *                   routes first, never main's default route)
 *   rule pref 1000+N: fwmark N<<16/0xf0000 lookup 100+N
 *   table 100+N: the external's default route, copied from the main
 *                table (a DHCP client's, of any metric), or `dev IFACE`
 *                for a point-to-point link (PPP) without one
 *
 * The record (one line per external: "wan N IFACE [GATEWAY|dev]", the
 * last word naming the route masqgen wrote into table 100+N) is written
 * before the ruleset is committed, holding both what was there and what
 * will be, so flush removes exactly what masqgen wrote, whatever the
 * moment a run stopped. `masqgen routes` (flush.c) copies the default
 * routes again when a link's address or gateway changed.
 */
#include "apply.h"

#include "diag.h"
#include "ir.h"
#include "nl.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* One external's rule and the route of its table. */
struct routes_wan {
	unsigned n;
	char iface[IF_NAMESIZE];
	bool route;		/* table 100+n holds a default route masqgen wrote */
	uint32_t gw;		/* its gateway (host order); 0: `dev IFACE` */
	const struct loc *loc;	/* the external's line, or NULL */
};

struct routes_set {
	struct routes_wan *v;
	size_t n, cap;
};

struct routes_plan {
	char *path;
	struct routes_set old, want;
};

static bool routes_same(const struct routes_wan *a, const struct routes_wan *b)
{
	return a->n == b->n && strcmp(a->iface, b->iface) == 0 && a->route == b->route &&
	       a->gw == b->gw;
}

/* The entry of @s equal to @w, or with @any_route one for the same number; NULL if none. */
static const struct routes_wan *routes_find(const struct routes_set *s, const struct routes_wan *w,
					    bool any_route)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (any_route ? s->v[i].n == w->n : routes_same(&s->v[i], w))
			return &s->v[i];
	return NULL;
}

/* Read a record from @f (named @path in warnings) into @s, which it extends; closes @f. */
static void routes_parse(FILE *f, const char *path, struct routes_set *s)
{
	char line[128], iface[IF_NAMESIZE + 1], via[32];
	unsigned lineno = 0;
	struct in_addr a;
	int k;

	while (fgets(line, sizeof(line), f)) {
		struct routes_wan w = {0};

		lineno++;
		via[0] = '\0';
		k = sscanf(line, "wan %u %16s %31s", &w.n, iface, via);
		if (k < 2 || w.n < 1 || w.n > IR_WAN_MAX || strlen(iface) >= IF_NAMESIZE ||
		    (k == 3 && strcmp(via, "dev") != 0 && inet_pton(AF_INET, via, &a) != 1)) {
			diag_warning(NULL, "'%s' line %u: not a route masqgen recorded, ignored",
				     path, lineno);
			continue;
		}
		strcpy(w.iface, iface);
		w.route = k == 3;
		w.gw = k == 3 && strcmp(via, "dev") != 0 ? ntohl(a.s_addr) : 0;
		*VEC_PUSH(s->v, s->n, s->cap) = w;
	}
	fclose(f);
}

/* Load the record at @path; a missing file is an empty one. */
static int routes_load(const char *path, struct routes_set *s)
{
	FILE *f = fopen(path, "r");

	memset(s, 0, sizeof(*s));
	if (!f) {
		if (errno == ENOENT)
			return 0;
		diag_error(NULL, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	routes_parse(f, path, s);
	return 0;
}

/* Save @a's entries, then @b's that @a lacks (NULL: none); an empty record is removed. */
static int routes_save(const char *path, const struct routes_set *a, const struct routes_set *b)
{
	struct strbuf sb = {0};
	char gw[16];
	size_t i, k;
	int rc;

	for (k = 0; k < 2; k++) {
		const struct routes_set *s = k ? b : a;

		for (i = 0; s && i < s->n; i++) {
			const struct routes_wan *w = &s->v[i];

			if (k && routes_find(a, w, false))
				continue;
			sb_addf(&sb, "wan %u %s%s%s\n", w->n, w->iface, w->route ? " " : "",
				!w->route ? "" : w->gw ? ir_ip_str(w->gw, gw) : "dev");
		}
	}
	if (sb.len == 0) {
		rc = unlink(path) < 0 && errno != ENOENT ? -1 : 0;
		if (rc < 0)
			diag_error(NULL, "cannot remove '%s': %s", path, strerror(errno));
	} else {
		rc = util_write_record(path, sb.buf, sb.len);
	}
	sb_free(&sb);
	return rc;
}

/* Add or delete (@type) the rule of external @n, or with @n 0 the main table's. */
static int routes_rule(struct mnl_socket *nl, uint16_t type, unsigned n)
{
	char buf[256] = {0};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;
	uint32_t table = n ? IR_WAN_TABLE_BASE + n : RT_TABLE_MAIN;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWRULE)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	frh->action = FR_ACT_TO_TBL;
	frh->table = (uint8_t)table;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, IR_WAN_RULE_PREF + n);
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	if (n) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, n << IR_WAN_SHIFT);
		mnl_attr_put_u32(nlh, FRA_FWMASK, IR_WAN_MASK);
	} else {
		mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, 0);
	}
	if (nl_request(nl, nlh, NULL, NULL) == 0 ||
	    (type == RTM_NEWRULE ? errno == EEXIST : errno == ENOENT))
		return 0;
	if (n)
		diag_error(NULL, "cannot %s the routing rule 'fwmark 0x%x/0x%x lookup %u': %s",
			   type == RTM_NEWRULE ? "add" : "delete", n << IR_WAN_SHIFT, IR_WAN_MASK,
			   table, strerror(errno));
	else
		diag_error(NULL, "cannot %s the routing rule 'lookup main suppress_prefixlength 0': "
				 "%s", type == RTM_NEWRULE ? "add" : "delete", strerror(errno));
	return -1;
}

/* Write (RTM_NEWROUTE, replacing) or delete the default route of @w's table. */
static int routes_route(struct mnl_socket *nl, uint16_t type, const struct routes_wan *w)
{
	char buf[256] = {0}, gw[16];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned ifindex = if_nametoindex(w->iface);
	struct rtmsg *rtm;
	uint32_t table = IR_WAN_TABLE_BASE + w->n;

	if (!ifindex) {
		if (type == RTM_DELROUTE)
			return 0;	/* went with its interface */
		diag_warning(w->loc, "interface '%s' does not exist: replies to connections that "
				     "come in on it follow the main table until 'masqgen routes' runs",
			     w->iface);
		return 0;
	}
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWROUTE)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = (uint8_t)table;
	rtm->rtm_type = RTN_UNICAST;
	if (type == RTM_NEWROUTE) {
		rtm->rtm_protocol = RTPROT_STATIC;
		rtm->rtm_scope = w->gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	} else {
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	}
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	if (w->gw)
		mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(w->gw));
	if (nl_request(nl, nlh, NULL, NULL) == 0 ||
	    (type == RTM_DELROUTE && (errno == ESRCH || errno == ENOENT)))
		return 0;
	diag_error(w->loc, "cannot %s the route 'default %s%s dev %s table %u': %s",
		   type == RTM_NEWROUTE ? "add" : "delete", w->gw ? "via " : "",
		   w->gw ? ir_ip_str(w->gw, gw) : "", w->iface, table, strerror(errno));
	return -1;
}

/* The main table's IPv4 default routes: interface, gateway and metric. */
struct routes_default {
	uint32_t oif, gw, metric;
};

struct routes_defaults {
	struct routes_default *v;
	size_t n, cap;
};

/* Attribute tables of route and rule messages: room for either kind's numbers. */
#define ROUTES_TB (RTA_MAX > FRA_MAX ? RTA_MAX + 1 : FRA_MAX + 1)

/* Keep the u32 attributes (the only ones read) of a route or a rule. */
static int routes_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type < ROUTES_TB && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static int routes_default_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[ROUTES_TB] = {0};
	struct routes_defaults *d = data;
	struct routes_default *r;
	uint32_t table;

	mnl_attr_parse(nlh, sizeof(*rtm), routes_attr_cb, tb);
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (rtm->rtm_family != AF_INET || rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST ||
	    table != RT_TABLE_MAIN || !tb[RTA_OIF])
		return MNL_CB_OK;
	r = VEC_PUSH(d->v, d->n, d->cap);
	r->oif = mnl_attr_get_u32(tb[RTA_OIF]);
	r->gw = tb[RTA_GATEWAY] ? ntohl(mnl_attr_get_u32(tb[RTA_GATEWAY])) : 0;
	r->metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	return MNL_CB_OK;
}

static int routes_defaults_read(struct mnl_socket *nl, struct routes_defaults *d)
{
	char buf[64] = {0};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	if (nl_request(nl, nlh, routes_default_cb, d) == 0)
		return 0;
	diag_error(NULL, "cannot read the main routing table: %s", strerror(errno));
	return -1;
}

static bool routes_pointopoint(const char *iface)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool p2p;

	if (fd < 0)
		return false;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	p2p = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_POINTOPOINT);
	close(fd);
	return p2p;
}

/* The route table 100+w->n should hold: the lowest-metric default route by w->iface. */
static void routes_want(struct routes_wan *w, const struct routes_defaults *d)
{
	unsigned ifindex = if_nametoindex(w->iface);
	const struct routes_default *best = NULL;
	size_t i;

	w->route = false;
	w->gw = 0;
	for (i = 0; ifindex && i < d->n; i++)
		if (d->v[i].oif == ifindex && (!best || d->v[i].metric < best->metric))
			best = &d->v[i];
	if (best) {
		w->route = true;
		w->gw = best->gw;
	} else if (ifindex && routes_pointopoint(w->iface)) {
		w->route = true;
	} else if (ifindex) {
		diag_warning(w->loc, "no default route by '%s' in the main routing table: replies "
				     "to connections that came in on it follow the main table "
				     "until 'masqgen routes' runs after its link comes up",
			     w->iface);
	}
}

/* The plan for externals @wans (their routes filled in from the main table). */
static struct routes_plan *routes_plan_new(const char *path, struct routes_set *wans)
{
	struct routes_plan *p = xcalloc(1, sizeof(*p));
	struct routes_defaults d = {0};
	struct mnl_socket *nl = NULL;
	size_t i;

	p->path = xstrdup(path);
	p->want = *wans;
	if (routes_load(path, &p->old) < 0)
		goto fail;
	if (p->want.n) {
		nl = nl_open_route();
		if (!nl || routes_defaults_read(nl, &d) < 0)
			goto fail;
		for (i = 0; i < p->want.n; i++)
			routes_want(&p->want.v[i], &d);
	}
	/* what was there and what will be: flush removes either */
	if (routes_save(path, &p->want, &p->old) < 0)
		goto fail;
	free(d.v);
	if (nl)
		mnl_socket_close(nl);
	return p;
fail:
	free(d.v);
	if (nl)
		mnl_socket_close(nl);
	free(p->old.v);
	free(p->want.v);
	free(p->path);
	free(p);
	return NULL;
}

static void routes_plan_free(struct routes_plan *p)
{
	free(p->old.v);
	free(p->want.v);
	free(p->path);
	free(p);
}

struct routes_plan *routes_plan(const struct ir *ir, const char *path)
{
	struct routes_set wans = {0};
	size_t i;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *x = &ir->ifaces[i];
		struct routes_wan *w;

		if (!x->wan)
			continue;
		w = VEC_PUSH(wans.v, wans.n, wans.cap);
		memset(w, 0, sizeof(*w));
		w->n = x->wan;
		snprintf(w->iface, sizeof(w->iface), "%s", x->name);
		w->loc = &x->loc;
	}
	return routes_plan_new(path, &wans);
}

void routes_cancel(struct routes_plan *p)
{
	routes_save(p->path, &p->old, NULL);
	routes_plan_free(p);
}

int routes_apply(struct routes_plan *p)
{
	struct mnl_socket *nl;
	size_t i;
	int rc = 0;

	if (!p->old.n && !p->want.n) {
		routes_plan_free(p);
		return 0;
	}
	nl = nl_open_route();
	if (!nl) {
		routes_plan_free(p);
		return -1;
	}
	for (i = 0; i < p->old.n; i++) {
		const struct routes_wan *o = &p->old.v[i];

		if (o->route && !routes_find(&p->want, o, false) &&
		    routes_route(nl, RTM_DELROUTE, o) < 0)
			rc = -1;
		if (!routes_find(&p->want, o, true) && routes_rule(nl, RTM_DELRULE, o->n) < 0)
			rc = -1;
	}
	if (p->old.n && !p->want.n && routes_rule(nl, RTM_DELRULE, 0) < 0)
		rc = -1;
	if (p->want.n && routes_rule(nl, RTM_NEWRULE, 0) < 0)
		rc = -1;
	for (i = 0; i < p->want.n; i++) {
		const struct routes_wan *w = &p->want.v[i];

		if (routes_rule(nl, RTM_NEWRULE, w->n) < 0)
			rc = -1;
		if (w->route && routes_route(nl, RTM_NEWROUTE, w) < 0)
			rc = -1;
	}
	mnl_socket_close(nl);
	/* on a failure the record keeps the old entries too, for flush */
	if (routes_save(p->path, &p->want, rc < 0 ? &p->old : NULL) < 0)
		rc = -1;
	routes_plan_free(p);
	return rc;
}

int routes_restore(const char *path)
{
	struct routes_set s;
	struct mnl_socket *nl;
	size_t i;
	int rc = 0;

	if (routes_load(path, &s) < 0)
		return -1;
	if (!s.n)
		return 0;
	nl = nl_open_route();
	if (!nl) {
		free(s.v);
		return -1;
	}
	for (i = 0; i < s.n; i++) {
		if (s.v[i].route && routes_route(nl, RTM_DELROUTE, &s.v[i]) < 0)
			rc = -1;
		if (routes_rule(nl, RTM_DELRULE, s.v[i].n) < 0)
			rc = -1;
	}
	if (routes_rule(nl, RTM_DELRULE, 0) < 0)
		rc = -1;
	mnl_socket_close(nl);
	if (rc == 0)
		rc = routes_save(path, &(struct routes_set){0}, NULL);
	free(s.v);
	return rc;
}

/*
 * Make the rules and routes those of the externals @rec names (its
 * default routes copied from the main table again), deleting the rest
 * of what the record at @path holds. Frees @rec's entries.
 */
static int routes_reset(const char *path, struct routes_set *rec)
{
	struct routes_set wans = {0};
	struct routes_plan *p;
	size_t i;

	for (i = 0; i < rec->n; i++) {
		struct routes_wan w = rec->v[i];

		if (routes_find(&wans, &w, true))
			continue;	/* a second line of an interrupted apply */
		w.route = false;
		w.gw = 0;
		*VEC_PUSH(wans.v, wans.n, wans.cap) = w;
	}
	free(rec->v);
	p = routes_plan_new(path, &wans);
	return p ? routes_apply(p) : -1;
}

int routes_refresh(const char *path)
{
	struct routes_set rec;

	if (routes_load(path, &rec) < 0)
		return -1;
	return routes_reset(path, &rec);
}

int routes_rollback(const char *path, const char *saved, size_t len)
{
	struct routes_set rec = {0};
	FILE *f;

	if (saved && len) {
		f = fmemopen((void *)saved, len, "r");
		if (!f) {
			diag_error(NULL, "cannot read the saved routing record: %s", strerror(errno));
			return -1;
		}
		routes_parse(f, path, &rec);
	}
	return routes_reset(path, &rec);
}

/* The rules of masqgen's numbers found in the kernel: pref 1000 and each external's. */
struct routes_kernel {
	bool main;
	bool wan[IR_WAN_MAX + 1];
};

static int routes_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct fib_rule_hdr *frh = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[ROUTES_TB] = {0};
	struct routes_kernel *k = data;
	uint32_t pref, table, n;

	mnl_attr_parse(nlh, sizeof(*frh), routes_attr_cb, tb);
	if (frh->family != AF_INET || frh->action != FR_ACT_TO_TBL || !tb[FRA_PRIORITY])
		return MNL_CB_OK;
	pref = mnl_attr_get_u32(tb[FRA_PRIORITY]);
	table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : frh->table;
	if (pref < IR_WAN_RULE_PREF || pref > IR_WAN_RULE_PREF + IR_WAN_MAX)
		return MNL_CB_OK;
	n = pref - IR_WAN_RULE_PREF;
	if (!n)
		k->main |= table == RT_TABLE_MAIN && tb[FRA_SUPPRESS_PREFIXLEN] &&
			   mnl_attr_get_u32(tb[FRA_SUPPRESS_PREFIXLEN]) == 0;
	else
		k->wan[n] |= table == IR_WAN_TABLE_BASE + n && tb[FRA_FWMARK] && tb[FRA_FWMASK] &&
			     mnl_attr_get_u32(tb[FRA_FWMARK]) == n << IR_WAN_SHIFT &&
			     mnl_attr_get_u32(tb[FRA_FWMASK]) == IR_WAN_MASK;
	return MNL_CB_OK;
}

static int routes_kernel_read(struct routes_kernel *k)
{
	char buf[64] = {0};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct mnl_socket *nl = nl_open_route();
	struct fib_rule_hdr *frh;
	int rc;

	memset(k, 0, sizeof(*k));
	if (!nl)
		return -1;
	nlh->nlmsg_type = RTM_GETRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	rc = nl_request(nl, nlh, routes_rule_cb, k);
	if (rc < 0)
		diag_warning(NULL, "cannot read the routing rules (%s): they are not compared",
			     strerror(errno));
	mnl_socket_close(nl);
	return rc;
}

/* One line of routes_diff(): @sign, the rule of external @n (0: the main table's), @why. */
static void routes_diff_line(struct strbuf *out, char sign, unsigned n, const char *iface,
			     const char *why)
{
	if (n)
		sb_addf(out, "%c routing rule %u: fwmark 0x%x/0x%x lookup %u (replies out of %s)"
			"  (%s)\n", sign, IR_WAN_RULE_PREF + n, n << IR_WAN_SHIFT, IR_WAN_MASK,
			IR_WAN_TABLE_BASE + n, iface, why);
	else
		sb_addf(out, "%c routing rule %u: lookup main suppress_prefixlength 0  (%s)\n",
			sign, IR_WAN_RULE_PREF, why);
}

size_t routes_diff(const struct ir *ir, const char *path, struct strbuf *out)
{
	struct routes_set rec = {0};
	struct routes_kernel k;
	bool want[IR_WAN_MAX + 1] = {false}, any = false;
	size_t i, n = 0;
	char *where;

	if (routes_kernel_read(&k) < 0)
		return 0;
	if (path && routes_load(path, &rec) < 0)
		memset(&rec, 0, sizeof(rec));
	for (i = 0; i < ir->n_ifaces; i++)
		if (ir->ifaces[i].wan)
			want[ir->ifaces[i].wan] = any = true;
	if (any && !k.main) {
		routes_diff_line(out, '+', 0, NULL, "built-in");
		n++;
	}
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *x = &ir->ifaces[i];

		if (!x->wan || k.wan[x->wan])
			continue;
		where = diag_loc_str(&x->loc);
		routes_diff_line(out, '+', x->wan, x->name, where);
		free(where);
		n++;
	}
	/* what masqgen wrote and the policy no longer needs */
	for (i = 0; i < rec.n; i++) {
		unsigned w = rec.v[i].n;

		if (want[w] || !k.wan[w])
			continue;
		k.wan[w] = false;	/* an interrupted apply records a number twice */
		routes_diff_line(out, '-', w, rec.v[i].iface, "no longer in the policy");
		n++;
	}
	if (!any && rec.n && k.main) {
		routes_diff_line(out, '-', 0, NULL, "no longer in the policy");
		n++;
	}
	free(rec.v);
	return n;
}
