// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_net.c - the lab's topology: which namespaces, names and addresses a
 * policy needs, building them with ip(8), applying the policy inside the
 * gateway with this very binary, and removing everything again.
 *
 *   far client 198.51.100.10 (on the Internet host)
 *   Internet host --veth-- gateway --veth-- switch (bridge) --veth-- LAN host
 *                                                            \-veth-- servers
 */
#include "lab.h"

#include "diag.h"
#include "ir.h"
#include "ir_match.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Here, not in lab.c: building the topology stops at it, and lab.c uses lab_net.c. */
volatile int lab_interrupted;

#define NETNS_DIR "/run/netns"
#define LAB_FAR_ADDR 0xc633640aU	/* 198.51.100.10 */
#define LAB_DYN_ADDR 0xcb007102U	/* 203.0.113.2/24, the "DHCP" address */
#define LAB_DYN2_ADDR 0xc0000202U	/* 192.0.2.2/24 for a second dynamic link */

static char **created;
static size_t n_created, cap_created;

static char *ip_s(uint32_t a)
{
	char buf[16];

	return xstrdup(ir_ip_str(a, buf));
}

static char *cidr_s(uint32_t a, unsigned len)
{
	char buf[16];

	return xasprintf("%s/%u", ir_ip_str(a, buf), len);
}

int lab_enter_ns(const char *ns)
{
	char *path = xasprintf(NETNS_DIR "/%s", ns);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = -1;

	if (fd >= 0) {
		rc = setns(fd, CLONE_NEWNET);
		close(fd);
	}
	free(path);
	return rc;
}

/* Run ip(8) with the words of @fmt (split on spaces); -1 after printing why. */
int lab_net_ip(const char *fmt, ...)
{
	char *argv[24], *line, *words, *tok, *save = NULL;
	struct strbuf out = {0};
	size_t n = 0;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	words = xstrdup(line);
	argv[n++] = (char *)"ip";
	for (tok = strtok_r(words, " ", &save); tok && n < ARRAY_SIZE(argv) - 1;
	     tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	argv[n] = NULL;
	rc = util_run(argv, NULL, 0, &out) == 0 ? 0 : -1;
	if (rc < 0) {
		while (out.len && out.buf[out.len - 1] == '\n')
			out.buf[--out.len] = '\0';
		diag_error(NULL, "'ip %s' failed: %s", line,
			out.len ? out.buf : "no message");
	}
	sb_free(&out);
	free(words);
	free(line);
	return rc;
}

/* Write a sysctl inside namespace @ns (key with slashes, below /proc/sys). */
int lab_net_sysctl(const char *ns, const char *key, const char *value)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *path = xasprintf("/proc/sys/%s", key);
		int fd;

		if (lab_enter_ns(ns) < 0)
			_exit(1);
		fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, value, strlen(value)) < 0)
			_exit(1);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	diag_error(NULL, "cannot set %s in namespace '%s'", key, ns);
	return -1;
}

/* ---- planning ---------------------------------------------------------- */

static bool name_taken(const struct lab *lab, const char *name)
{
	size_t i;

	for (i = 0; i < lab->n_links; i++)
		if (strcmp(lab->links[i].ifname, name) == 0)
			return true;
	for (i = 0; i < lab->n_lans; i++)
		if (strcmp(lab->lans[i].ifname, name) == 0)
			return true;
	return strcmp(name, "lo") == 0;
}

/*
 * A concrete name for a policy name: "ppp+" becomes "ppp0" (or ppp1, ...).
 * Called before the new link or LAN is added, so @out is not yet listed.
 * -1 after saying so when no free name fits.
 */
static int concrete_name(const struct lab *lab, const char *policy_name, char *out)
{
	size_t len = strlen(policy_name);
	char name[LAB_IF_MAX];
	unsigned i;

	if (len == 0 || policy_name[len - 1] != '+') {
		snprintf(out, LAB_IF_MAX, "%s", policy_name);
		if (!name_taken(lab, out))
			return 0;
	}
	for (i = 0; len && policy_name[len - 1] == '+' && i < 100; i++) {
		if (snprintf(name, sizeof(name), "%.*s%u", (int)(len - 1), policy_name, i) >=
		    LAB_IF_MAX)
			break;
		if (!name_taken(lab, name)) {
			memcpy(out, name, sizeof(name));
			return 0;
		}
	}
	diag_error(NULL, "cannot give interface '%s' a unique name", policy_name);
	return -1;
}

const char *lab_net_ifname(const struct lab *lab, const char *policy_name)
{
	const struct lab_link *l = lab_net_link(lab, policy_name);
	size_t i;

	if (l)
		return l->ifname;
	for (i = 0; i < lab->ir->n_ifaces; i++) {
		const struct ir_iface *f = &lab->ir->ifaces[i];
		size_t j, k = 0;

		if (f->role != IR_INTERNAL)
			continue;
		for (j = 0; j < i; j++)
			k += lab->ir->ifaces[j].role == IR_INTERNAL;
		if (strcmp(f->name, policy_name) == 0)
			return lab->lans[k].ifname;
	}
	return NULL;
}

const struct lab_link *lab_net_link(const struct lab *lab, const char *policy_name)
{
	size_t i;

	for (i = 0; i < lab->n_links; i++)
		if (strcmp(lab->links[i].policy_name, policy_name) == 0)
			return &lab->links[i];
	return NULL;
}

const struct lab_host *lab_net_host(const struct lab *lab, uint32_t addr)
{
	size_t i;

	for (i = 0; i < lab->n_hosts; i++)
		if (lab->hosts[i].addr == addr)
			return &lab->hosts[i];
	return NULL;
}

/* Addresses the plan must not hand out again: targets and given gateways. */
struct used {
	uint32_t *v;
	size_t n, cap;
};

static bool is_used(const struct used *u, uint32_t a)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (u->v[i] == a)
			return true;
	return false;
}

static uint32_t first_free(const struct used *u, uint32_t net, unsigned len, bool from_top)
{
	uint32_t first = net + 1, last = (net | ~ir_prefix_mask(len)) - 1, a;

	if (len >= 31)
		return 0;
	for (a = from_top ? last : first; a >= first && a <= last; a += from_top ? -1 : 1)
		if (!is_used(u, a))
			return a;
	return 0;
}

/* The internal network that contains @addr: its interface index and network. */
static const struct ir_net *find_net(const struct ir *ir, uint32_t addr, size_t *lan)
{
	const struct ir_net *net;
	const struct ir_iface *f = ir_internal_of(ir, addr, &net);
	size_t i;

	if (!f)
		return NULL;
	*lan = 0;
	for (i = 0; &ir->ifaces[i] != f; i++)
		if (ir->ifaces[i].role == IR_INTERNAL)
			(*lan)++;
	return net;
}

static void add_host(struct lab *lab, const char *label, uint32_t addr, uint8_t len,
		     uint32_t router, size_t lan)
{
	struct lab_host *h = VEC_PUSH(lab->hosts, lab->n_hosts, lab->cap_hosts);

	memset(h, 0, sizeof(*h));
	snprintf(h->ns, sizeof(h->ns), "%sh%zu", lab->prefix, lab->n_hosts - 1);
	snprintf(h->label, sizeof(h->label), "%s", label);
	h->addr = addr;
	h->len = len;
	h->router = router;
	h->lan = lan;
}

/* A server namespace for @addr (a forward target, 1:1 private host, ...). */
static void add_server(struct lab *lab, uint32_t addr)
{
	const struct ir_net *net;
	char buf[16], label[32];
	size_t lan, i, k;

	if (lab_net_host(lab, addr))
		return;
	net = find_net(lab->ir, addr, &lan);
	if (!net)
		return;
	for (i = 0, k = 0; i < lab->lans[lan].n_nets; i++) {
		if (ir_addr_in(addr, lab->lans[lan].gw_addrs[i], lab->lans[lan].gw_lens[i]))
			k = i;
	}
	snprintf(label, sizeof(label), "server %s", ir_ip_str(addr, buf));
	add_host(lab, label, addr, net->len, lab->lans[lan].gw_addrs[k], lan);
}

static void collect_targets(const struct ir *ir, struct used *u)
{
	const struct ir_chain *fw = &ir->chain[IR_CH_FORWARD];
	size_t i, j;

	for (i = 0; i < ir->n_forwards; i++)
		*VEC_PUSH(u->v, u->n, u->cap) = ir->forwards[i].host;
	for (i = 0; i < ir->n_nat1to1; i++)
		*VEC_PUSH(u->v, u->n, u->cap) = ir->nat1to1[i].private_addr;
	for (i = 0; i < fw->n; i++) {
		const struct ir_rule *r = &fw->rules[i];

		if (r->tag != IR_T_USER || r->daddr_neg)
			continue;
		for (j = 0; j < r->daddr.n; j++)
			if (r->daddr.v[j].family != IR_F_IPV6 && r->daddr.v[j].lo == r->daddr.v[j].hi)
				*VEC_PUSH(u->v, u->n, u->cap) = r->daddr.v[j].lo;
	}
}

/* An address "as if by DHCP" for a dynamic external, on a /24 no static one uses. */
static uint32_t dynamic_addr(const struct ir *ir, unsigned nth)
{
	static const uint32_t candidates[] = {LAB_DYN_ADDR, LAB_DYN2_ADDR};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(candidates); i++) {
		bool taken = false;

		for (j = 0; j < ir->n_ifaces; j++)
			taken |= ir->ifaces[j].role == IR_EXTERNAL && ir->ifaces[j].addr &&
				 ir_addr_in(ir->ifaces[j].addr, candidates[i], 24);
		if (!taken && nth-- == 0)
			return candidates[i];
	}
	return 0;
}

static int plan_links(struct lab *lab)
{
	const struct ir *ir = lab->ir;
	unsigned n_dynamic = 0;
	size_t i, j;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];
		char ifname[LAB_IF_MAX];
		struct lab_link *l;

		if (f->role != IR_EXTERNAL)
			continue;
		if (concrete_name(lab, f->name, ifname) < 0)
			return -1;
		l = VEC_PUSH(lab->links, lab->n_links, lab->cap_links);
		memset(l, 0, sizeof(*l));
		l->policy_name = f->name;
		memcpy(l->ifname, ifname, sizeof(ifname));
		l->len = 24;
		l->mtu = strncmp(l->ifname, "ppp", 3) == 0 ? 1492 : 1500;
		if (!f->dynamic && f->addr) {
			l->gw_addr = f->addr;
		} else if (!(l->gw_addr = dynamic_addr(ir, n_dynamic++))) {
			diag_error(NULL, "no free link for dynamic external '%s' "
					"(the lab uses 203.0.113.0/24 and 192.0.2.0/24)", f->name);
			return -1;
		}
		l->inet_addr = (l->gw_addr & ir_prefix_mask(24)) | ((l->gw_addr & 0xff) == 1 ? 254 : 1);
		if (ir_addr_in(LAB_FAR_ADDR, l->gw_addr, 24)) {
			diag_error(NULL, "the address of '%s' lies in 198.51.100.0/24, "
					"which the lab keeps for the far Internet client", f->name);
			return -1;
		}
		for (j = 0; j + 1 < lab->n_links; j++) {
			if (ir_addr_in(lab->links[j].gw_addr, l->gw_addr, 24)) {
				diag_error(NULL, "externals '%s' and '%s' would share "
						"one /24 link; the lab needs one per interface",
					lab->links[j].policy_name, f->name);
				return -1;
			}
		}
	}
	return 0;
}

static void link_alias(struct lab *lab, const char *oif, uint32_t addr)
{
	struct lab_link *l = (struct lab_link *)lab_net_link(lab, oif);
	size_t i;

	if (!l || !addr || addr == l->gw_addr)
		return;
	for (i = 0; i < l->n_aliases; i++)
		if (l->aliases[i] == addr)
			return;
	*VEC_PUSH(l->aliases, l->n_aliases, l->cap_aliases) = addr;
}

static int plan_lans(struct lab *lab, struct used *u)
{
	const struct ir *ir = lab->ir;
	size_t i, j;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];
		char ifname[LAB_IF_MAX];
		struct lab_lan *lan;

		if (f->role != IR_INTERNAL)
			continue;
		if (concrete_name(lab, f->name, ifname) < 0)
			return -1;
		lan = VEC_PUSH(lab->lans, lab->n_lans, lab->cap_lans);
		memset(lan, 0, sizeof(*lan));
		memcpy(lan->ifname, ifname, sizeof(ifname));
		snprintf(lan->sw_ns, sizeof(lan->sw_ns), "%ssw%zu", lab->prefix, lab->n_lans - 1);
		for (j = 0; j < f->n_nets; j++) {
			const struct ir_net *n = &f->nets[j];
			uint32_t gw = n->gw ? n->gw : first_free(u, n->net, n->len, false);

			if (!gw) {
				diag_error(NULL, "network of '%s' is too small for a "
						"gateway and a LAN host", f->name);
				return -1;
			}
			*VEC_PUSH(u->v, u->n, u->cap) = gw;
			util_grow(&lan->gw_lens, &lan->cap_lens, lan->n_nets + 1, 1);
			lan->gw_lens[lan->n_nets] = n->len;
			*VEC_PUSH(lan->gw_addrs, lan->n_nets, lan->cap_nets) = gw;
		}
		/* a cluster's virtual address is the active node's: no lab host takes it */
		if (f->virt)
			*VEC_PUSH(u->v, u->n, u->cap) = f->virt;
	}
	return 0;
}

/* One LAN host per internal network, on the first address nobody else has. */
static int plan_lan_hosts(struct lab *lab, struct used *u)
{
	const struct ir *ir = lab->ir;
	size_t i, j, k = 0;

	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *f = &ir->ifaces[i];

		if (f->role != IR_INTERNAL)
			continue;
		for (j = 0; j < f->n_nets; j++) {
			const struct ir_net *n = &f->nets[j];
			uint32_t a = first_free(u, n->net, n->len, false);
			char label[40];

			if (!a) {
				diag_error(NULL, "network of '%s' has no free address "
						"for a LAN host", f->name);
				return -1;
			}
			*VEC_PUSH(u->v, u->n, u->cap) = a;
			if (j == 0)
				snprintf(label, sizeof(label), "lan %s", lab->lans[k].ifname);
			else
				snprintf(label, sizeof(label), "lan %s/%u", lab->lans[k].ifname,
					 (unsigned)(j + 1) % 1000);
			add_host(lab, label, a, n->len, lab->lans[k].gw_addrs[j], k);
			if (!lab->spoof_addr)
				lab->spoof_addr = first_free(u, n->net, n->len, true);
			if (lab->spoof_addr)
				*VEC_PUSH(u->v, u->n, u->cap) = lab->spoof_addr;
		}
		k++;
	}
	lab->n_lan_hosts = lab->n_hosts;
	return 0;
}

uint32_t lab_net_source(const struct lab *lab, const struct ir_addrs *from)
{
	size_t i;

	if (from->n == 0 || ir_addrs_has(from, lab->far_addr, NULL))
		return lab->far_addr;
	for (i = 0; i < lab->n_inet_extra; i++)
		if (ir_addrs_has(from, lab->inet_extra[i], NULL))
			return lab->inet_extra[i];
	return 0;
}

/* A source on the Internet host inside @from, when the far client is not. */
static void plan_source(struct lab *lab, const struct ir_addrs *from)
{
	uint32_t a;
	size_t lan;

	if (from->n == 0 || lab_net_source(lab, from))
		return;
	a = from->v[0].lo == from->v[0].hi ? from->v[0].lo : from->v[0].lo + 1;
	if (find_net(lab->ir, a, &lan) || (a >> 24) == 127 || (a >> 24) == 0)
		return;
	*VEC_PUSH(lab->inet_extra, lab->n_inet_extra, lab->cap_inet_extra) = a;
}

int lab_net_plan(struct lab *lab, const struct ir *ir)
{
	struct used u = {0};
	size_t i, n_targets;
	int rc = -1;

	lab->ir = ir;
	snprintf(lab->prefix, sizeof(lab->prefix), "mqlab-%d%s-", (int)getpid(),
		 lab->keep ? "k" : "");
	snprintf(lab->gw_ns, sizeof(lab->gw_ns), "%sgw", lab->prefix);
	snprintf(lab->inet_ns, sizeof(lab->inet_ns), "%sinet", lab->prefix);
	lab->far_addr = LAB_FAR_ADDR;
	collect_targets(ir, &u);
	n_targets = u.n;	/* then gateway, LAN host and spoof addresses follow */
	if (plan_links(lab) < 0 || plan_lans(lab, &u) < 0 || plan_lan_hosts(lab, &u) < 0)
		goto out;
	for (i = 0; i < ir->n_nat1to1; i++)
		link_alias(lab, ir->nat1to1[i].iif, ir->nat1to1[i].public_addr);
	for (i = 0; i < ir->n_snats; i++)
		link_alias(lab, ir->snats[i].oif, ir->snats[i].to);
	for (i = 0; i < n_targets; i++)
		add_server(lab, u.v[i]);
	for (i = 0; i < ir->n_forwards; i++)
		plan_source(lab, &ir->forwards[i].from);
	for (i = 0; i < IR_CH_COUNT; i++) {
		size_t j;

		for (j = 0; j < ir->chain[i].n; j++)
			if (ir->chain[i].rules[j].tag == IR_T_USER && !ir->chain[i].rules[j].saddr_neg)
				plan_source(lab, &ir->chain[i].rules[j].saddr);
	}
	if (lab->n_links == 0 || lab->n_lans == 0) {
		diag_error(NULL, "the policy needs an external and an internal "
				"interface");
		goto out;
	}
	rc = 0;
out:
	free(u.v);
	return rc;
}

/* ---- building ---------------------------------------------------------- */

int lab_net_ns_add(const char *ns)
{
	*VEC_PUSH(created, n_created, cap_created) = xstrdup(ns);
	if (lab_net_ip("netns add %s", ns) < 0)
		return -1;
	/* a fresh namespace may inherit the host's defaults: make rp_filter ours */
	if (lab_net_sysctl(ns, "net/ipv4/conf/all/rp_filter", "0") < 0 ||
	    lab_net_sysctl(ns, "net/ipv4/conf/default/rp_filter", "0") < 0 ||
	    lab_net_sysctl(ns, "net/ipv6/conf/all/forwarding", "0") < 0)
		return -1;
	return lab_net_ip("-n %s link set lo up", ns);
}

size_t lab_net_created(const char ***names)
{
	*names = (const char **)created;
	return n_created;
}

static int build_links(struct lab *lab)
{
	size_t i, j;

	for (i = 0; i < lab->n_links; i++) {
		struct lab_link *l = &lab->links[i];
		char *gw = cidr_s(l->gw_addr, l->len), *in = cidr_s(l->inet_addr, l->len);
		char *gwip = ip_s(l->gw_addr);
		int rc;

		rc = lab_net_ip("-n %s link add %s type veth peer name ext%zu netns %s", lab->gw_ns,
			    l->ifname, i, lab->inet_ns);
		rc = rc ?: lab_net_ip("-n %s addr add %s dev %s", lab->gw_ns, gw, l->ifname);
		rc = rc ?: lab_net_ip("-n %s link set %s mtu %u up", lab->gw_ns, l->ifname, l->mtu);
		rc = rc ?: lab_net_ip("-n %s addr add %s dev ext%zu", lab->inet_ns, in, i);
		rc = rc ?: lab_net_ip("-n %s link set ext%zu up", lab->inet_ns, i);
		for (j = 0; rc == 0 && j < l->n_aliases; j++) {
			char *a = ip_s(l->aliases[j]);

			rc = lab_net_ip("-n %s addr add %s/32 dev %s", lab->gw_ns, a, l->ifname);
			if (rc == 0 && !ir_addr_in(l->aliases[j], l->gw_addr, l->len))
				rc = lab_net_ip("-n %s route add %s/32 via %s", lab->inet_ns, a, gwip);
			free(a);
		}
		free(gw);
		free(in);
		free(gwip);
		if (rc)
			return -1;
	}
	return 0;
}

static int build_lans(struct lab *lab)
{
	size_t i, j;

	for (i = 0; i < lab->n_lans; i++) {
		struct lab_lan *lan = &lab->lans[i];
		int rc = lab_net_ns_add(lan->sw_ns);

		rc = rc ?: lab_net_ip("-n %s link add br0 type bridge", lan->sw_ns);
		rc = rc ?: lab_net_ip("-n %s link set br0 up", lan->sw_ns);
		rc = rc ?: lab_net_ip("-n %s link add %s type veth peer name uplink netns %s", lab->gw_ns,
				  lan->ifname, lan->sw_ns);
		rc = rc ?: lab_net_ip("-n %s link set uplink master br0 up", lan->sw_ns);
		for (j = 0; rc == 0 && j < lan->n_nets; j++) {
			char *a = cidr_s(lan->gw_addrs[j], lan->gw_lens[j]);

			rc = lab_net_ip("-n %s addr add %s dev %s", lab->gw_ns, a, lan->ifname);
			free(a);
		}
		rc = rc ?: lab_net_ip("-n %s link set %s up", lab->gw_ns, lan->ifname);
		if (rc)
			return -1;
	}
	return 0;
}

static int build_host(struct lab *lab, struct lab_host *h)
{
	struct lab_lan *lan = &lab->lans[h->lan];
	char *a = cidr_s(h->addr, h->len), *r = ip_s(h->router);
	size_t port = lan->n_ports++;
	int rc = lab_net_ns_add(h->ns);

	rc = rc ?: lab_net_ip("-n %s link add eth0 type veth peer name p%zu netns %s", h->ns, port,
			  lan->sw_ns);
	rc = rc ?: lab_net_ip("-n %s link set p%zu master br0 up", lan->sw_ns, port);
	rc = rc ?: lab_net_ip("-n %s addr add %s dev eth0", h->ns, a);
	rc = rc ?: lab_net_ip("-n %s link set eth0 up", h->ns);
	rc = rc ?: lab_net_ip("-n %s route add default via %s", h->ns, r);
	free(a);
	free(r);
	return rc ? -1 : 0;
}

/* The Internet host: the far client, extra sources, routes to the LANs. */
static int build_inet_routes(struct lab *lab)
{
	char *far = ip_s(lab->far_addr), *gw = ip_s(lab->links[0].gw_addr);
	size_t i, j;
	int rc;

	rc = lab_net_ip("-n %s addr add %s/32 dev lo", lab->inet_ns, far);
	if (rc == 0 && lab->spoof_addr) {
		char *s = ip_s(lab->spoof_addr);

		rc = lab_net_ip("-n %s addr add %s/32 dev lo", lab->inet_ns, s);
		free(s);
	}
	for (i = 0; rc == 0 && i < lab->n_inet_extra; i++) {
		char *s = ip_s(lab->inet_extra[i]);

		rc = lab_net_ip("-n %s addr add %s/32 dev lo", lab->inet_ns, s);
		free(s);
	}
	/* LAN prefixes routed to the gateway, so direct probes really try */
	for (i = 0; rc == 0 && i < lab->n_lans; i++) {
		for (j = 0; rc == 0 && j < lab->lans[i].n_nets; j++) {
			uint8_t len = lab->lans[i].gw_lens[j];
			char *n = cidr_s(lab->lans[i].gw_addrs[j] & ir_prefix_mask(len), len);

			rc = lab_net_ip("-n %s route replace %s via %s", lab->inet_ns, n, gw);
			free(n);
		}
	}
	/*
	 * Every uplink has its default route, as its DHCP client or pppd
	 * writes it; the first link's has the lowest metric and carries new
	 * connections. apply copies each into its uplink's routing table.
	 */
	for (i = 0; rc == 0 && i < lab->n_links; i++) {
		char *r = ip_s(lab->links[i].inet_addr);

		rc = lab_net_ip("-n %s route add default via %s dev %s metric %zu", lab->gw_ns, r,
			    lab->links[i].ifname, 100 + i);
		free(r);
	}
	free(far);
	free(gw);
	return rc;
}

int lab_net_build(struct lab *lab)
{
	size_t i;

	if (lab_net_ns_add(lab->gw_ns) < 0 || lab_net_ns_add(lab->inet_ns) < 0)
		return -1;
	/* no TCP timestamps: the Internet host's MSS is then what the SYN said */
	if (lab_net_sysctl(lab->inet_ns, "net/ipv4/tcp_timestamps", "0") < 0)
		return -1;
	/*
	 * Like a provider, each link of the Internet host takes only what comes
	 * from the addresses it routes there (strict reverse-path filter): a
	 * reply from one uplink's address that leaves by another never arrives.
	 */
	if (lab_net_sysctl(lab->inet_ns, "net/ipv4/conf/all/rp_filter", "1") < 0)
		return -1;
	if (build_links(lab) < 0 || build_lans(lab) < 0)
		return -1;
	for (i = 0; i < lab->n_hosts; i++) {
		if (lab_interrupted || build_host(lab, &lab->hosts[i]) < 0)
			return -1;
	}
	return build_inet_routes(lab);
}

/*
 * Run `masqgen apply` in the gateway: the real apply path, this very binary
 * under `ip netns exec`, with its state (the lock, the record of replaced
 * kernel settings) in a private directory so the lab never touches the
 * host's records.
 */
int lab_net_apply_in(const char *ns, const char *target, const char *policy)
{
	char state[] = "/tmp/masqgen-lab.XXXXXX", exe[4096], *argv[12];
	struct strbuf out = {0};
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *rm[] = {(char *)"rm", (char *)"-rf", state, NULL};
	size_t n = 0;
	int rc;

	if (len <= 0 || !mkdtemp(state)) {
		diag_error(NULL, "cannot prepare the apply: %s", strerror(errno));
		return -1;
	}
	exe[len] = '\0';
	argv[n++] = (char *)"ip";
	argv[n++] = (char *)"netns";
	argv[n++] = (char *)"exec";
	argv[n++] = (char *)ns;
	argv[n++] = exe;
	argv[n++] = (char *)"apply";
	argv[n++] = (char *)"-t";
	argv[n++] = (char *)target;
	argv[n++] = (char *)policy;
	argv[n] = NULL;
	setenv("MASQGEN_STATE_DIR", state, 1);
	setenv("MASQGEN_RUN_DIR", state, 1);
	/* the lab gateway is not the admin's session */
	unsetenv("SSH_CONNECTION");
	unsetenv("SSH_CLIENT");
	rc = util_run(argv, NULL, 0, &out);
	unsetenv("MASQGEN_STATE_DIR");
	unsetenv("MASQGEN_RUN_DIR");
	util_run(rm, NULL, 0, NULL);
	if (rc != 0)
		diag_error(NULL, "'masqgen apply -t %s %s' failed in the gateway "
				"namespace (exit %d):\n%s",
			target, policy, rc, out.buf ? out.buf : "");
	sb_free(&out);
	return rc ? -1 : 0;
}

/* ---- cleanup ----------------------------------------------------------- */

static void ns_remove(const char *ns)
{
	char *path = xasprintf(NETNS_DIR "/%s", ns);

	umount2(path, MNT_DETACH);
	unlink(path);
	free(path);
}

void lab_net_cleanup(void)
{
	size_t i;

	/* reverse order: hosts before switches before the gateway */
	for (i = n_created; i-- > 0;) {
		ns_remove(created[i]);
		free(created[i]);
	}
	free(created);
	created = NULL;
	n_created = cap_created = 0;
}

void lab_net_reap_stale(void)
{
	DIR *d = opendir(NETNS_DIR);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(e->d_name, "mqlab-", 6) != 0)
			continue;
		pid = strtol(e->d_name + 6, &end, 10);
		if (end == e->d_name + 6 || *end != '-' || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			ns_remove(e->d_name);
	}
	closedir(d);
}

void lab_net_free(struct lab *lab)
{
	size_t i;

	for (i = 0; i < lab->n_links; i++)
		free(lab->links[i].aliases);
	for (i = 0; i < lab->n_lans; i++) {
		free(lab->lans[i].gw_addrs);
		free(lab->lans[i].gw_lens);
	}
	free(lab->links);
	free(lab->lans);
	free(lab->hosts);
	free(lab->v6_extra);
	free(lab->inet6_extra);
	free(lab->inet_extra);
}
