// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor.c - `masqgen doctor`: the HOWTO's "is my kernel MASQ ready"
 * checks (section 3.2) for today's kernels. One line per check:
 *
 *	ok|FAIL|warn  what  (how to fix)
 *
 * Whether nf_tables, NAT and each conntrack helper really work is asked of
 * the kernel itself: a child process moves into a throwaway network
 * namespace (unshare(CLONE_NEWNET)) and sends a batch without its commit
 * message, so the kernel validates every message (loading modules on
 * demand) and keeps nothing. The rest reads /proc and runs the iptables
 * tools the admin has.
 */
#include "cli.h"
#include "diag.h"
#include "fwdcheck.h"
#include "ha_conf.h"
#include "kmod.h"
#include "nl.h"
#include "tables.h"
#include "value.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The policy helper names, in the order doctor reports them. */
static const char *const doctor_helper_names[] = {
	"ftp", "irc", "tftp", "sip", "h323", "pptp", "amanda", "snmp",
};

enum {
	DOCTOR_PROBE_TABLE,
	DOCTOR_PROBE_NAT,
	DOCTOR_PROBE_MASQ,
	DOCTOR_PROBE_HELPER0,	/* one per kernel helper, in table order */
	DOCTOR_PROBE_MAX = DOCTOR_PROBE_HELPER0 + 2 * ARRAY_SIZE(doctor_helper_names),
};

struct doctor {
	const char *proc;	/* "/proc", or --proc-root */
	const char *root;	/* "" (/sys, /lib/modules, /boot), or --root */
	unsigned wait;		/* seconds a cluster node listens for its peer */
	unsigned fails, warns;
};

static void doctor_line(struct doctor *d, const char *status, const char *fix, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

static void doctor_line(struct doctor *d, const char *status, const char *fix, const char *fmt,
			...)
{
	va_list ap;

	if (strcmp(status, "FAIL") == 0)
		d->fails++;
	else if (strcmp(status, "warn") == 0)
		d->warns++;
	printf("%-5s ", status);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (fix)
		printf("  (%s)", fix);
	putchar('\n');
}

/* The first line of @path below the proc root, without its newline; caller frees. */
static char *doctor_read(const struct doctor *d, const char *path)
{
	char *full = xasprintf("%s/%s", d->proc, path), buf[256];
	FILE *f = fopen(full, "r");

	free(full);
	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

static void doctor_forwarding(struct doctor *d)
{
	char *v = doctor_read(d, "sys/net/ipv4/ip_forward");

	if (!v)
		doctor_line(d, "FAIL", "a kernel built with CONFIG_INET and /proc mounted",
			    "IPv4 forwarding: no %s/sys/net/ipv4/ip_forward", d->proc);
	else if (strcmp(v, "1") == 0)
		doctor_line(d, "ok", NULL, "IPv4 forwarding is on (ip_forward = 1)");
	else
		doctor_line(d, "warn", "masqgen apply turns it on after the ruleset commits",
			    "IPv4 forwarding is off (ip_forward = %s)", v);
	free(v);
}

static void doctor_dynaddr(struct doctor *d)
{
	char *v = doctor_read(d, "sys/net/ipv4/ip_dynaddr");

	if (!v)
		doctor_line(d, "warn", "needed only for a dynamic external interface",
			    "ip_dynaddr: no %s/sys/net/ipv4/ip_dynaddr", d->proc);
	else
		doctor_line(d, "ok", NULL, "ip_dynaddr = %s (apply sets 1 for a dynamic external)",
			    v);
	free(v);
}

static const char *doctor_rp_name(const char *v)
{
	if (!v)
		return "missing";
	if (strcmp(v, "0") == 0)
		return "off";
	if (strcmp(v, "1") == 0)
		return "strict";
	if (strcmp(v, "2") == 0)
		return "loose";
	return "unknown";
}

static void doctor_rp_filter(struct doctor *d)
{
	char *all = doctor_read(d, "sys/net/ipv4/conf/all/rp_filter");
	char *def = doctor_read(d, "sys/net/ipv4/conf/default/rp_filter");

	if (!all || !def)
		doctor_line(d, "warn", "masqgen's anti-spoofing is in the ruleset anyway",
			    "rp_filter: cannot read %s/sys/net/ipv4/conf/{all,default}/rp_filter",
			    d->proc);
	else
		doctor_line(d, "ok", "left as it is unless the policy says option rp_filter",
			    "rp_filter: all = %s (%s), default = %s (%s)", all,
			    doctor_rp_name(all), def, doctor_rp_name(def));
	free(all);
	free(def);
}

/*
 * Add one message to the probe batch; @seq is its sequence number and
 * index into the results (the kernel acks each one).
 */
static struct nlmsghdr *doctor_msg(struct mnl_nlmsg_batch *b, uint16_t type, uint16_t flags,
				   uint32_t seq)
{
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), type, NFPROTO_IPV4,
				     flags | NLM_F_ACK, seq);
}

/*
 * In the child, inside its own network namespace: build the probe batch
 * (a table, a nat chain, a masquerade rule, a ct helper object per kernel
 * helper), send it without the commit message, and put each message's
 * errno (0: accepted) into @err by sequence number. Returns 0 or -errno.
 */
static int doctor_probe_batch(int *err, size_t n_err)
{
	static char buf[64 * 1024];
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	struct mnl_socket *nl;
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct timeval tv = {.tv_sec = 5};
	size_t i, j, k = DOCTOR_PROBE_HELPER0;
	char rbuf[MNL_SOCKET_BUFFER_SIZE];
	unsigned expected = 0;
	int rc = 0, n;

	/* the begin message asks for no ack; its sequence number is no probe's */
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), DOCTOR_PROBE_MAX);
	mnl_nlmsg_batch_next(b);

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "masqgen-doctor");
	nftnl_table_nlmsg_build_payload(doctor_msg(b, NFT_MSG_NEWTABLE, NLM_F_CREATE,
						   DOCTOR_PROBE_TABLE), t);
	mnl_nlmsg_batch_next(b);

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, "masqgen-doctor");
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "postrouting");
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_POST_ROUTING);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 100);
	nftnl_chain_nlmsg_build_payload(doctor_msg(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE,
						   DOCTOR_PROBE_NAT), c);
	mnl_nlmsg_batch_next(b);

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "masqgen-doctor");
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "postrouting");
	nftnl_rule_add_expr(r, nftnl_expr_alloc("masq"));
	nftnl_rule_nlmsg_build_payload(doctor_msg(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
						  DOCTOR_PROBE_MASQ), r);
	mnl_nlmsg_batch_next(b);
	expected = 3;

	for (i = 0; i < ARRAY_SIZE(doctor_helper_names); i++) {
		const struct tables_helper *h = tables_helper_find(doctor_helper_names[i]);

		for (j = 0; h && j < h->n_parts; j++, k++) {
			struct nftnl_obj *o = nftnl_obj_alloc();
			char *name = xasprintf("h%zu", k);

			nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, "masqgen-doctor");
			nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
			nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_CT_HELPER);
			nftnl_obj_set_str(o, NFTNL_OBJ_CT_HELPER_NAME, h->parts[j].kname);
			nftnl_obj_set_u16(o, NFTNL_OBJ_CT_HELPER_L3PROTO, NFPROTO_IPV4);
			nftnl_obj_set_u8(o, NFTNL_OBJ_CT_HELPER_L4PROTO, h->parts[j].ports[0].proto);
			nftnl_obj_nlmsg_build_payload(doctor_msg(b, NFT_MSG_NEWOBJ, NLM_F_CREATE,
								 (uint32_t)k), o);
			mnl_nlmsg_batch_next(b);
			nftnl_obj_free(o);
			free(name);
			expected++;
		}
	}
	/* no batch end: the kernel validates everything and commits nothing */
	nftnl_table_free(t);
	nftnl_chain_free(c);
	nftnl_rule_free(r);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl) {
		rc = -errno;
		mnl_nlmsg_batch_stop(b);
		return rc;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0) {
		rc = -errno;
		goto out;
	}
	while (expected > 0) {
		struct nlmsghdr *nlh;

		n = (int)mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (n < 0) {
			rc = -errno;
			break;
		}
		for (nlh = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq >= n_err)
				continue;
			err[nlh->nlmsg_seq] = -e->error;
			expected--;
		}
	}
out:
	mnl_socket_close(nl);
	mnl_nlmsg_batch_stop(b);
	return rc;
}

/* doctor_probe's child: @arg is n_err; rc and the errnos go to @fd. */
static int doctor_probe_child(const void *arg, int fd)
{
	size_t i, n_err = *(const size_t *)arg;
	int err[DOCTOR_PROBE_MAX], rc;

	for (i = 0; i < n_err; i++)
		err[i] = -1;
	rc = unshare(CLONE_NEWNET) < 0 ? -errno : doctor_probe_batch(err, n_err);
	if (write(fd, &rc, sizeof(rc)) != sizeof(rc) ||
	    write(fd, err, n_err * sizeof(*err)) != (ssize_t)(n_err * sizeof(*err)))
		return 1;
	return 0;
}

/*
 * Run the probe in a child in a new network namespace; @err gets one
 * errno per probe (-1: no answer). Returns 0, or -errno when the probe
 * could not run at all.
 */
static int doctor_probe(int *err, size_t n_err)
{
	struct strbuf out = {0};
	size_t i, got;
	int rc = 0, status;

	for (i = 0; i < n_err; i++)
		err[i] = -1;
	status = util_run_child(doctor_probe_child, &n_err, &out);
	if (status < 0)
		return status;
	if (out.len >= sizeof(rc)) {
		memcpy(&rc, out.buf, sizeof(rc));
		got = out.len - sizeof(rc);
		if (got > n_err * sizeof(*err))
			got = n_err * sizeof(*err);
		memcpy(err, out.buf + sizeof(rc), got);
	}
	sb_free(&out);
	return rc;
}

static void doctor_probe_line(struct doctor *d, int e, const char *what, const char *fix)
{
	if (e == 0)
		doctor_line(d, "ok", NULL, "%s", what);
	else if (e < 0)
		doctor_line(d, "FAIL", fix, "%s: the kernel did not answer", what);
	else
		doctor_line(d, "FAIL", fix, "%s: %s", what, strerror(e));
}

static void doctor_netlink(struct doctor *d)
{
	int err[DOCTOR_PROBE_MAX];
	size_t i, j, k = DOCTOR_PROBE_HELPER0;
	int rc = doctor_probe(err, ARRAY_SIZE(err)), state;

	if (rc < 0) {
		doctor_line(d, "FAIL", "run doctor as root on the host, not in a restricted container",
			    "nf_tables probe in a throwaway network namespace: %s", strerror(-rc));
		return;
	}
	doctor_probe_line(d, err[DOCTOR_PROBE_TABLE], "nf_tables: a table can be created",
			  "kernel with CONFIG_NF_TABLES; modprobe nf_tables");
	if (err[DOCTOR_PROBE_TABLE] != 0)
		return;
	doctor_probe_line(d, err[DOCTOR_PROBE_NAT], "NAT: a nat chain can be hooked",
			  "CONFIG_NF_NAT and CONFIG_NFT_NAT; modprobe nft_chain_nat");
	doctor_probe_line(d, err[DOCTOR_PROBE_MASQ], "NAT: a masquerade rule is accepted",
			  "CONFIG_NFT_MASQ; modprobe nft_masq");
	for (i = 0; i < ARRAY_SIZE(doctor_helper_names); i++) {
		const struct tables_helper *h = tables_helper_find(doctor_helper_names[i]);
		struct strbuf bad = {0};

		if (!h)
			continue;
		for (j = 0; j < h->n_parts; j++, k++)
			if (err[k] != 0)
				sb_addf(&bad, "%s%s (%s)", bad.len ? ", " : "", h->parts[j].kname,
					err[k] < 0 ? "no answer" : strerror(err[k]));
		if (bad.len) {
			char *fix = xasprintf("modprobe nf_conntrack_%s, or a kernel with it",
					      doctor_helper_names[i]);

			doctor_line(d, "warn", fix, "helper %s: ct helper %s", h->name, bad.buf);
			free(fix);
		} else if (h->nat_module && (state = kmod_state(d->root, d->proc, h->nat_module)) != 1) {
			char *fix = xasprintf("a kernel with %s, or its module installed",
					      h->nat_module);

			if (state == 0)
				doctor_line(d, "warn", fix, "helper %s: tracked, but this kernel has no "
					    "%s: its payload addresses are not rewritten", h->name,
					    h->nat_module);
			else
				doctor_line(d, "warn", fix, "helper %s: tracked, but whether %s exists "
					    "cannot be told (no /sys/module, kernel config or module "
					    "lists)", h->name, h->nat_module);
			free(fix);
		} else {
			doctor_line(d, "ok", NULL, "helper %s: ct helper and %s available", h->name,
				    h->nat_module ? h->nat_module : "NAT");
		}
		sb_free(&bad);
	}
}

struct doctor_tables {
	struct strbuf others, own;
};

static int doctor_table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct doctor_tables *dt = data;
	struct nftnl_table *t = nftnl_table_alloc();
	const char *name, *fam;
	struct strbuf *sb;

	if (nftnl_table_nlmsg_parse(nlh, t) == 0) {
		name = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
		fam = nl_family_name(nftnl_table_get_u32(t, NFTNL_TABLE_FAMILY));
		sb = strcmp(name, "masqgen") == 0 && (strcmp(fam, "ip") == 0 ||
						      strcmp(fam, "ip6") == 0)
			     ? &dt->own : &dt->others;
		sb_addf(sb, "%s%s %s", sb->len ? ", " : "", fam, name);
	}
	nftnl_table_free(t);
	return MNL_CB_OK;
}

/* The nftables tables of this network namespace, masqgen's own apart. */
static void doctor_tables(struct doctor *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct doctor_tables dt = {0};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	uint32_t seq = (uint32_t)time(NULL), port;
	struct nlmsghdr *nlh;
	ssize_t n;
	int rc = -1;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	port = mnl_socket_get_portid(nl);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		rc = mnl_cb_run(buf, (size_t)n, seq, port, doctor_table_cb, &dt);
		if (rc <= 0)
			break;
	}
out:
	if (rc < 0)
		doctor_line(d, "warn", NULL, "cannot list the nftables tables: %s", strerror(errno));
	else if (dt.others.len)
		doctor_line(d, "warn", "an accept here does not outvote their drops: name the "
			    "interfaces they manage in passthrough",
			    "other nftables tables: %s", dt.others.buf);
	else
		doctor_line(d, "ok", NULL, "no other nftables tables");
	if (rc >= 0)
		doctor_line(d, "ok", NULL, "masqgen's tables: %s",
			    dt.own.len ? dt.own.buf : "not loaded");
	sb_free(&dt.others);
	sb_free(&dt.own);
	if (nl)
		mnl_socket_close(nl);
}

static void doctor_iptables(struct doctor *d)
{
	char *const version[] = {"iptables", "--version", NULL};
	char *const save[] = {"iptables-legacy-save", NULL};
	struct strbuf out = {0};
	char *names, *line;
	unsigned rules = 0;
	int rc = util_run(version, NULL, 0, &out);

	if (rc == 127) {
		doctor_line(d, "ok", NULL, "iptables: not installed (needed only for -t iptables)");
	} else {
		out.buf[strcspn(out.buf, "\n")] = '\0';
		if (strstr(out.buf, "legacy"))
			doctor_line(d, "warn", "its rules and masqgen's nftables tables both filter: "
				    "prefer iptables-nft or -t iptables",
				    "iptables is the legacy flavour: %s", out.buf);
		else
			doctor_line(d, "ok", NULL, "iptables: %s", out.buf);
	}
	sb_free(&out);

	names = xasprintf("%s/net/ip_tables_names", d->proc);
	if (access(names, F_OK) != 0) {
		doctor_line(d, "ok", NULL, "iptables-legacy: ip_tables is not loaded, no legacy rules");
		goto out;
	}
	rc = util_run(save, NULL, 0, &out);
	if (rc == 127) {
		doctor_line(d, "warn", "install iptables to list them",
			    "iptables-legacy: ip_tables is loaded, but iptables-legacy-save is missing");
		goto out;
	}
	for (line = out.buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1
								 : NULL)
		if (strncmp(line, "-A ", 3) == 0)
			rules++;
	if (rules)
		doctor_line(d, "warn", "they filter packets too: remove them, or translate them "
			    "(iptables-legacy-save | iptables-restore-translate)",
			    "iptables-legacy: %u rules loaded", rules);
	else
		doctor_line(d, "ok", NULL, "iptables-legacy: ip_tables is loaded but holds no rules");
out:
	sb_free(&out);
	free(names);
}

/* Other software's drops at the forward hook: masqgen's accept does not outvote them. */
static void doctor_forward_hook(struct doctor *d)
{
	struct fwdcheck fc;
	size_t i;

	fwdcheck_scan(d->proc, &fc);
	if (fc.error)
		doctor_line(d, "warn", NULL, "forward hook: %s", fc.error);
	for (i = 0; i < fc.n; i++) {
		struct strbuf what = {0}, fix = {0};

		fwdcheck_describe(&fc.v[i], NULL, &what, &fix);
		doctor_line(d, fwdcheck_surely(&fc.v[i]) ? "FAIL" : "warn", fix.buf, "%s", what.buf);
		sb_free(&what);
		sb_free(&fix);
	}
	if (!fc.n && !fc.error)
		doctor_line(d, "ok", NULL, "forward hook: no other chain drops forwarded packets");
	fwdcheck_free(&fc);
}

/*
 * A raw socket for IP protocol @proto on interface @ifname: the kernel
 * hands it a copy of every such packet this node accepts there, after the
 * input hook (so only what the ruleset admits), while conntrackd's UDP
 * socket and keepalived's raw socket still get theirs. @group, when not
 * 0, is joined first: a multicast packet is taken in only for a group
 * some socket on the interface has joined. Returns the fd or -1.
 */
static int doctor_peer_socket(int proto, const char *ifname, uint32_t group)
{
	struct ip_mreqn mr = {.imr_ifindex = (int)if_nametoindex(ifname)};
	int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);

	mr.imr_multiaddr.s_addr = htonl(group);
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname)) < 0 ||
			(group && setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * Read what @fd has: the source address of the first packet from @from (0:
 * from any address but @own) that is, for UDP, to port @port, for VRRP, of
 * router id @port; 0 when none is.
 */
static uint32_t doctor_peer_read(int fd, uint32_t from, uint32_t own, unsigned port)
{
	unsigned char buf[2048];
	const struct iphdr *ip = (const void *)buf;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		size_t hl = (size_t)ip->ihl * 4;
		uint32_t s = ntohl(ip->saddr);
		const unsigned char *l4 = buf + hl;

		if ((size_t)n < sizeof(*ip) || (size_t)n < hl + 4 || (from ? s != from : s == own))
			continue;
		if (ip->protocol == IPPROTO_UDP ? (unsigned)(l4[2] << 8 | l4[3]) != port
						: l4[1] != port)
			continue;
		return s;
	}
	return 0;
}

/*
 * The peer, heard for up to d->wait seconds: conntrackd's sync messages
 * (FTFW sends alive messages while there is nothing else to send) from
 * the peer to UDP IR_CLUSTER_SYNC_PORT on the sync interface, and the
 * master's VRRP adverts on the VRRP interface. The backup sends no
 * adverts, so a node that holds the virtual address hears none and needs
 * none. Stops as soon as what can be heard is.
 */
static void doctor_cluster_peer(struct doctor *d, const struct ir *ir)
{
	const struct ir_cluster *cl = &ir->cluster;
	const struct ir_iface *vi = ir_iface_find(ir, cl->vrrp);
	char peer[INET_ADDRSTRLEN], src[INET_ADDRSTRLEN], virt[INET_ADDRSTRLEN];
	bool has_sync = if_nametoindex(cl->sync) != 0, has_vrrp = if_nametoindex(cl->vrrp) != 0;
	uint32_t virt_be = htonl(vi ? vi->virt : 0);
	/* this node holds the virtual address: it is master */
	bool master = has_vrrp && vi && util_addr_iface(AF_INET, &virt_be, cl->vrrp, NULL) == 0;
	int fd[2] = {has_sync ? doctor_peer_socket(IPPROTO_UDP, cl->sync, 0) : -1,
		     has_vrrp ? doctor_peer_socket(IR_P_VRRP, cl->vrrp, IR_VRRP_GROUP) : -1};
	struct pollfd p[2] = {{.fd = fd[0], .events = POLLIN}, {.fd = fd[1], .events = POLLIN}};
	bool synced = false;
	uint32_t vrrp_src = 0;
	char *fix;
	long deadline = util_now_ms() + d->wait * 1000L, left;

	ir_ip_str(cl->peer, peer);
	ir_ip_str(vi ? vi->virt : 0, virt);
	if (!has_vrrp)
		doctor_line(d, "warn", "keepalived cannot run VRRP before it is there",
			    "cluster: no VRRP interface %s here", cl->vrrp);
	if ((has_sync && fd[0] < 0) || (has_vrrp && fd[1] < 0)) {
		doctor_line(d, "warn", NULL, "cluster: cannot listen for the peer: %s",
			    strerror(errno));
		goto out;
	}
	/* poll skips a negative fd: what was heard, or need not be, is not waited for */
	if (master)
		p[1].fd = -1;
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		left = deadline - util_now_ms();
		if (left <= 0 || (poll(p, 2, (int)left) < 0 && errno != EINTR))
			break;
		if ((p[0].revents & POLLIN) &&
		    (synced = doctor_peer_read(fd[0], cl->peer, 0, IR_CLUSTER_SYNC_PORT) != 0))
			p[0].fd = -1;
		if ((p[1].revents & POLLIN) &&
		    (vrrp_src = doctor_peer_read(fd[1], 0, vi ? vi->node_addr : 0, cl->vrid)))
			p[1].fd = -1;
	}
	if (synced) {
		doctor_line(d, "ok", NULL, "cluster: conntrackd's sync traffic from %s arrives on %s "
			    "(UDP port %u)", peer, cl->sync, IR_CLUSTER_SYNC_PORT);
	} else if (has_sync) {
		fix = xasprintf("is conntrackd running on the peer? Is the policy applied here: "
				"it admits UDP port %u from %s on %s", IR_CLUSTER_SYNC_PORT, peer,
				cl->sync);
		doctor_line(d, "FAIL", fix, "cluster: no sync traffic from %s on %s in %u s: a "
			    "failover would lose the connections", peer, cl->sync, d->wait);
		free(fix);
	}
	if (master) {
		doctor_line(d, "ok", NULL, "cluster: this node is master (it holds %s on %s); the "
			    "backup sends no VRRP adverts", virt, cl->vrrp);
	} else if (vrrp_src) {
		doctor_line(d, "ok", NULL, "cluster: VRRP adverts (id %u) from %s arrive on %s: the "
			    "peer is master", cl->vrid, ir_ip_str(vrrp_src, src), cl->vrrp);
	} else if (has_vrrp) {
		fix = xasprintf("is keepalived running on both nodes? Is the policy applied here: "
				"it admits VRRP (protocol %u) on %s", IR_P_VRRP, cl->vrrp);
		doctor_line(d, "FAIL", fix, "cluster: no VRRP advert (id %u) on %s in %u s, and this "
			    "node does not hold %s", cl->vrid, cl->vrrp, d->wait, virt);
		free(fix);
	}
out:
	if (fd[0] >= 0)
		close(fd[0]);
	if (fd[1] >= 0)
		close(fd[1]);
}

/*
 * A cluster node's needs (LANGUAGE.md "Cluster"): the two daemons its
 * generated files are for, the sync interface conntrackd binds to, the
 * kernel setting apply checks too, and whether the peer is heard.
 */
static void doctor_cluster(struct doctor *d, const struct ir *ir)
{
	static const char *const daemons[][2] = {
		{HA_CONNTRACKD, "Debian's conntrackd package: the notify hooks run it"},
		{HA_KEEPALIVED, "Debian's keepalived package: it moves the virtual addresses"},
	};
	const char *sync = ir->cluster.sync;
	char *path, *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(daemons); i++) {
		path = xasprintf("%s%s", d->root, daemons[i][0]);
		if (access(path, X_OK) == 0)
			doctor_line(d, "ok", NULL, "cluster: %s is installed", daemons[i][0]);
		else
			doctor_line(d, "FAIL", daemons[i][1], "cluster: no %s", path);
		free(path);
	}
	if (if_nametoindex(sync))
		doctor_line(d, "ok", NULL, "cluster: the sync interface %s exists", sync);
	else
		doctor_line(d, "warn", "conntrackd cannot sync before it is there",
			    "cluster: no sync interface %s here", sync);
	v = doctor_read(d, "sys/net/netfilter/nf_conntrack_tcp_loose");
	if (v && strcmp(v, "1") == 0)
		doctor_line(d, "ok", NULL, "cluster: nf_conntrack_tcp_loose = 1");
	else if (v)
		doctor_line(d, "warn", "sysctl -w net.netfilter.nf_conntrack_tcp_loose=1",
			    "cluster: nf_conntrack_tcp_loose = %s: connections moved in mid-stream "
			    "are dropped", v);
	else
		doctor_line(d, "warn", "apply loads nf_conntrack; run doctor again after it",
			    "cluster: no %s/sys/net/netfilter/nf_conntrack_tcp_loose", d->proc);
	free(v);
	doctor_cluster_peer(d, ir);
}

enum {
	OPT_PROC_ROOT = CLI_LONG,
	OPT_ROOT,
	OPT_WAIT,
};

static const struct cli_opt doctor_opts[] = {
	{OPT_PROC_ROOT, "proc-root", "DIR",
	 "read /proc's files under DIR instead (for tests)", CLI_OPT_DIR, NULL},
	{OPT_ROOT, "root", "DIR",
	 "look for kernel modules under DIR/sys, DIR/lib/modules and DIR/boot,\n"
	 "and a cluster's daemons under DIR/usr/sbin, instead (for tests)", CLI_OPT_DIR, NULL},
	{OPT_WAIT, "wait", "SECS",
	 "with a cluster POLICY, listen this long for the peer's sync\n"
	 "traffic and VRRP adverts (1-60, default 3)", 0, NULL},
	{0},
};

static int doctor_run(const struct cli_args *a)
{
	struct doctor d = {.proc = "/proc", .root = "", .wait = 3};
	const char *secs_arg = cli_arg(a, OPT_WAIT);
	struct ir *ir = NULL;
	struct utsname u;
	unsigned long secs;

	if (cli_arg(a, OPT_PROC_ROOT))
		d.proc = cli_arg(a, OPT_PROC_ROOT);
	if (cli_arg(a, OPT_ROOT))
		d.root = cli_arg(a, OPT_ROOT);
	if (secs_arg) {
		if (!value_parse_uint(secs_arg, strlen(secs_arg), 1, 60, &secs))
			return cli_usage_error("doctor", "--wait takes seconds 1-60, not '%s'",
					       secs_arg);
		d.wait = (unsigned)secs;
	}
	if (geteuid() != 0) {
		diag_error(NULL, "the kernel checks need root (a network namespace "
			"and netlink to nftables): run it as root");
		return EXIT_SYSTEM;
	}
	if (a->n_ops > 0) {
		ir = cli_compile(a->ops[0]);
		if (!ir)
			return EXIT_POLICY;
	}
	if (uname(&u) == 0)
		doctor_line(&d, "ok", NULL, "kernel %s %s", u.sysname, u.release);
	doctor_forwarding(&d);
	doctor_dynaddr(&d);
	doctor_rp_filter(&d);
	doctor_netlink(&d);
	doctor_tables(&d);
	doctor_iptables(&d);
	doctor_forward_hook(&d);
	if (ir && ir->cluster.present)
		doctor_cluster(&d, ir);
	ir_free(ir);
	printf("%u failed, %u warnings: masquerading %s\n", d.fails, d.warns,
	       d.fails ? "cannot work until the failures are fixed" : "can work");
	return d.fails ? EXIT_NO : EXIT_OK;
}

const struct cli_command cli_doctor = {
	.name = "doctor",
	.summary = "check this kernel for masquerading",
	.operands = "[POLICY]",
	.max_ops = 1,
	.help = "Check this machine for what masquerading needs (the HOWTO's section 3.2\n"
		"for today's kernels), one line per check: ok, warn or FAIL, what, and\n"
		"how to fix it. nf_tables, NAT and the conntrack helpers are probed in a\n"
		"throwaway network namespace, so nothing changes. Needs root.\n"
		"With a POLICY that has a cluster line, also what the node needs: conntrackd\n"
		"and keepalived, the sync interface, nf_conntrack_tcp_loose, and the peer:\n"
		"its conntrackd's sync traffic and the master's VRRP adverts must arrive\n"
		"within --wait seconds (3).\n"
		"Exit 0 when masquerading can work, 5 when a check failed, 3 without root.\n",
	.opts = doctor_opts,
	.run = doctor_run,
};
