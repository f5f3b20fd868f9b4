// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_cluster.c - `masqgen lab --cluster PEER POLICY`: the HA pair of
 * LANGUAGE.md "Cluster" on real packets. Both nodes' policies, each
 * applied in a gateway namespace of its own with conntrackd and keepalived
 * running there on the files `generate -t conntrackd` and `-t keepalived`
 * write (their lock, socket and log moved into the lab's directory):
 *
 *   LAN host, forward server --- switch ---- IFACE gw-a | gw-b IFACE  (one
 *   Internet host, 198.51.100.20 -- switch -- IFACE gw-a | gw-b IFACE  switch
 *   gw-a SYNC ----------- cable ----------- SYNC gw-b                  a segment)
 *
 * Long-lived flows open through the active node (tcp LAN -> Internet, tcp
 * Internet -> the first forward, udp LAN -> Internet); the active node dies
 * (its daemons killed, links down); once the other holds the virtual
 * addresses and its kernel the committed flows, every flow must carry data
 * again, both ways, with the mapping the Internet side saw, the Internet
 * side's data first (a packet from the LAN could make a new mapping by
 * itself); then the node comes back as after a reboot, takes over again
 * (the higher priority), and the same holds. The flows' sockets live in
 * this process (created inside the namespaces); the daemons are the only
 * other processes.
 */
#include "lab.h"

#include "cli.h"
#include "diag.h"
#include "ha_conf.h"
#include "ir.h"
#include "ir_match.h"
#include "util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CL_SERVER 0xc6336414U	/* 198.51.100.20: the Internet host's server */
#define CL_TCP_PORT 7000
#define CL_UDP_PORT 7001
#define CL_MASTER_MS 20000	/* a node takes the virtual addresses */
#define CL_COMMIT_MS 10000	/* the new master's kernel has the flows */
#define CL_RECOVER_MS 10000	/* then every flow carries data again */
#define CL_QUIET_MS 2000	/* every tcp segment sent is acknowledged */
#define CL_RESEND_MS 250	/* udp: send again until it arrives */
#define CL_SEG_MAX 8
#define CL_FLOW_MAX 5	/* tcp out, tcp forward, udp, ftp control, ftp data */

/* One segment: an interface with a virtual address, a switch for both nodes. */
struct cl_seg {
	const char *ifname;
	bool external;
	uint32_t node_addr[2];
	uint8_t len;
	uint32_t virt;
	unsigned port;		/* switch ports made so far */
};

struct cl_node {
	const struct ir *ir;
	const char *policy;
	char ns[LAB_NS_MAX];
	char *dir;		/* its daemons' files */
	pid_t conntrackd, keepalived;
};

/* A long-lived flow: client and server sockets, the mapping the server saw. */
struct cl_flow {
	char name[96];
	uint8_t proto;
	int cfd, sfd;
	struct sockaddr_in seen;	/* the client as the server saw it */
	/* recovery: 0 server -> client, 1 client -> server, 2 done */
	int step;
	long sent, done;
	char got[64];
	size_t n_got;
	char why[64];
};

struct cl {
	struct cl_node node[2];		/* node[0]: the higher priority, the first master */
	const char *target;
	char sw_ns[LAB_NS_MAX], inet_ns[LAB_NS_MAX], lan_ns[LAB_NS_MAX], srv_ns[LAB_NS_MAX];
	struct cl_seg seg[CL_SEG_MAX];
	size_t n_seg, ext, lan, srv;	/* segments of the external, the LAN host, the server */
	uint32_t inet_addr, lan_addr, srv_addr;
	uint16_t fwd_port, srv_port;
	char *dir;
	struct cl_flow flow[CL_FLOW_MAX];
	/* ftp: flow[ftp] is the control connection (SIZE_MAX: no helper ftp),
	 * flow[ftp_data] the last data connection (SIZE_MAX: none yet) */
	size_t ftp, ftp_data;
	uint16_t ftp_ctl;
	size_t n_flow, ran, failed;
	bool nosync;
};

/* The lab's nodes, for lab_cluster_stop() at any exit. */
static struct cl_node *live_nodes;

/* ---- planning ---------------------------------------------------------- */

/* The prefix length of @f's network holding its node address (24 for an external). */
static uint8_t seg_len(const struct ir_iface *f)
{
	size_t i;

	for (i = 0; i < f->n_nets; i++)
		if (ir_addr_in(f->node_addr, f->nets[i].net, f->nets[i].len))
			return f->nets[i].len;
	return 24;
}

static bool seg_has(const struct cl_seg *s, uint32_t a)
{
	return a == s->node_addr[0] || a == s->node_addr[1] || a == s->virt;
}

/* The first address of @s's network that neither node nor the virtual one holds. */
static uint32_t seg_free(const struct cl_seg *s, uint32_t not)
{
	uint32_t mask = ir_prefix_mask(s->len), a;

	for (a = (s->virt & mask) + 1; ir_addr_in(a, s->virt, s->len) && (a & ~mask) != ~mask; a++)
		if (!seg_has(s, a) && a != not)
			return a;
	return 0;
}

static int lab_cluster_plan(struct cl *cl)
{
	const struct ir *a = cl->node[0].ir, *b = cl->node[1].ir;
	const struct ir_forward *fwd = NULL;
	size_t i, k;

	if (a->cluster.priority == b->cluster.priority)
		return diag_error(NULL, "lab --cluster: %s and %s have the same priority", a->cluster.name,
				  b->cluster.name), -1;
	for (i = 0; i < a->n_ifaces; i++) {
		const struct ir_iface *f = &a->ifaces[i], *g = ir_iface_find(b, f->name);
		struct cl_seg *s;

		if (!f->virt)
			continue;
		if (!g || g->virt != f->virt)
			return diag_error(NULL, "lab --cluster: the peer's policy lacks %s's virtual address "
					  "on %s",
					  cl->node[0].policy, f->name), -1;
		if (cl->n_seg == CL_SEG_MAX)
			return diag_error(NULL, "lab --cluster: more than %d interfaces with a virtual address", CL_SEG_MAX), -1;
		s = &cl->seg[cl->n_seg++];
		s->ifname = f->name;
		s->external = f->role == IR_EXTERNAL;
		s->node_addr[0] = f->node_addr;
		s->node_addr[1] = g->node_addr;
		s->virt = f->virt;
		s->len = seg_len(f);
		if (s->external && cl->ext == SIZE_MAX)
			cl->ext = cl->n_seg - 1;
		if (!s->external && strcmp(f->name, a->cluster.vrrp) == 0)
			cl->lan = cl->n_seg - 1;
	}
	if (cl->ext == SIZE_MAX || cl->lan == SIZE_MAX)
		return diag_error(NULL, "lab --cluster: %s needs an external and an internal interface "
				  "with a virtual address",
				  cl->node[0].policy), -1;
	cl->inet_addr = seg_free(&cl->seg[cl->ext], 0);
	cl->lan_addr = seg_free(&cl->seg[cl->lan], 0);
	for (i = 0; i < a->n_forwards && !fwd; i++) {
		const struct ir_forward *f = &a->forwards[i];

		for (k = 0; k < cl->n_seg && !fwd; k++) {
			if (f->proto == IR_P_TCP && !f->from.n && !cl->seg[k].external &&
			    ir_addr_in(f->host, cl->seg[k].virt, cl->seg[k].len) &&
			    !seg_has(&cl->seg[k], f->host)) {
				fwd = f;
				cl->srv = k;
			}
		}
	}
	if (!fwd)
		return diag_error(NULL, "lab --cluster: %s has no tcp forward (without 'from') to a "
				  "host on a network with a virtual address",
				  cl->node[0].policy), -1;
	for (i = 0; i < a->n_helpers; i++)
		if (strcmp(a->helpers[i].name, "ftp") == 0 && a->helpers[i].ports.n)
			cl->ftp_ctl = a->helpers[i].ports.v[0].lo;
	cl->fwd_port = fwd->lo;
	cl->srv_port = fwd->to_lo ? fwd->to_lo : fwd->lo;
	cl->srv_addr = fwd->host;
	if (cl->lan_addr == cl->srv_addr)
		cl->lan_addr = seg_free(&cl->seg[cl->lan], cl->srv_addr);
	if (!cl->inet_addr || !cl->lan_addr)
		return diag_error(NULL, "lab --cluster: no free address for the lab's hosts"), -1;
	return 0;
}

/* ---- namespaces and links ---------------------------------------------- */

static char *ip_s(uint32_t a, char *buf)
{
	return (char *)ir_ip_str(a, buf);
}

/* Plug interface @ifname of @ns into segment @s's switch. */
static int plug(struct cl *cl, struct cl_seg *s, const char *ns, const char *ifname)
{
	size_t idx = (size_t)(s - cl->seg);
	unsigned port = s->port++;
	int rc;

	rc = lab_net_ip("-n %s link add %s type veth peer name s%zup%u netns %s", ns, ifname, idx,
			port, cl->sw_ns);
	rc = rc ?: lab_net_ip("-n %s link set s%zup%u master br%zu up", cl->sw_ns, idx, port, idx);
	rc = rc ?: lab_net_ip("-n %s link set %s up", ns, ifname);
	return rc;
}

/* A host namespace with eth0 on @s, address @addr, default route @via. */
static int build_host(struct cl *cl, const char *ns, struct cl_seg *s, uint32_t addr,
		      uint32_t via)
{
	char a[16], v[16];
	int rc = lab_net_ns_add(ns);

	rc = rc ?: plug(cl, s, ns, "eth0");
	rc = rc ?: lab_net_ip("-n %s addr add %s/%u dev eth0", ns, ip_s(addr, a), s->len);
	rc = rc ?: lab_net_ip("-n %s route add default via %s", ns, ip_s(via, v));
	return rc;
}

/* The smallest network holding both @a and @b, no longer than /30. */
static unsigned pair_len(uint32_t a, uint32_t b)
{
	unsigned len = 30;

	while (len > 8 && !ir_addr_in(a, b, len))
		len--;
	return len;
}

static int build(struct cl *cl)
{
	const struct ir *ia = cl->node[0].ir, *ib = cl->node[1].ir;
	char a[16], b[16];
	size_t i, n;
	int rc = lab_net_ns_add(cl->sw_ns);

	for (i = 0; rc == 0 && i < cl->n_seg; i++) {
		rc = lab_net_ip("-n %s link add br%zu type bridge", cl->sw_ns, i);
		rc = rc ?: lab_net_ip("-n %s link set br%zu up", cl->sw_ns, i);
	}
	for (n = 0; rc == 0 && n < 2; n++) {
		rc = lab_net_ns_add(cl->node[n].ns);
		for (i = 0; rc == 0 && i < cl->n_seg; i++) {
			rc = plug(cl, &cl->seg[i], cl->node[n].ns, cl->seg[i].ifname);
			rc = rc ?: lab_net_ip("-n %s addr add %s/%u dev %s", cl->node[n].ns,
					      ip_s(cl->seg[i].node_addr[n], a), cl->seg[i].len,
					      cl->seg[i].ifname);
		}
		rc = rc ?: lab_net_ip("-n %s route add default via %s", cl->node[n].ns,
				      ip_s(cl->inet_addr, a));
	}
	/* the sync cable: each node's address there is the one its peer names */
	rc = rc ?: lab_net_ip("-n %s link add %s type veth peer name %s netns %s", cl->node[0].ns,
			      ia->cluster.sync, ib->cluster.sync, cl->node[1].ns);
	rc = rc ?: lab_net_ip("-n %s addr add %s/%u dev %s", cl->node[0].ns,
			      ip_s(ib->cluster.peer, a), pair_len(ia->cluster.peer, ib->cluster.peer),
			      ia->cluster.sync);
	rc = rc ?: lab_net_ip("-n %s addr add %s/%u dev %s", cl->node[1].ns,
			      ip_s(ia->cluster.peer, b), pair_len(ia->cluster.peer, ib->cluster.peer),
			      ib->cluster.sync);
	rc = rc ?: lab_net_ip("-n %s link set %s up", cl->node[0].ns, ia->cluster.sync);
	rc = rc ?: lab_net_ip("-n %s link set %s up", cl->node[1].ns, ib->cluster.sync);
	rc = rc ?: build_host(cl, cl->inet_ns, &cl->seg[cl->ext], cl->inet_addr,
			      cl->seg[cl->ext].virt);
	rc = rc ?: lab_net_ip("-n %s addr add %s/32 dev lo", cl->inet_ns, ip_s(CL_SERVER, a));
	/* the server answers the virtual address from its own address */
	rc = rc ?: lab_net_ip("-n %s route add %s/32 dev eth0 src %s", cl->inet_ns,
			      ip_s(cl->seg[cl->ext].virt, a), ip_s(CL_SERVER, b));
	rc = rc ?: build_host(cl, cl->lan_ns, &cl->seg[cl->lan], cl->lan_addr,
			      cl->seg[cl->lan].virt);
	rc = rc ?: build_host(cl, cl->srv_ns, &cl->seg[cl->srv], cl->srv_addr,
			      cl->seg[cl->srv].virt);
	return rc ? -1 : 0;
}

/* Set node @n's links up or down. */
static int node_links(struct cl *cl, size_t n, const char *state)
{
	size_t i;
	int rc = lab_net_ip("-n %s link set %s %s", cl->node[n].ns, cl->node[n].ir->cluster.sync,
			    state);

	for (i = 0; rc == 0 && i < cl->n_seg; i++)
		rc = lab_net_ip("-n %s link set %s %s", cl->node[n].ns, cl->seg[i].ifname, state);
	return rc;
}

/* ---- the daemons ------------------------------------------------------- */

/* @sb with every @from replaced by @to. */
static void replace_all(struct strbuf *sb, const char *from, const char *to)
{
	struct strbuf out = {0};
	const char *p = sb->buf, *hit;

	if (!p)
		return;
	while ((hit = strstr(p, from))) {
		sb_addn(&out, p, (size_t)(hit - p));
		sb_add(&out, to);
		p = hit + strlen(from);
	}
	sb_add(&out, p);
	sb_free(sb);
	*sb = out;
}

/* The node's conntrackd.conf and keepalived.conf, their paths in its directory. */
static int write_confs(struct cl_node *node)
{
	struct strbuf ct = {0}, ka = {0};
	char *lock = xasprintf("%s/conntrackd.lock", node->dir),
	     *sock = xasprintf("%s/conntrackd.sock", node->dir),
	     *log = xasprintf("Syslog off\n\tLogFile %s/conntrackd.log", node->dir),
	     *hook = xasprintf(HA_CONNTRACKD " -C %s/conntrackd.conf -", node->dir),
	     *ctp = xasprintf("%s/conntrackd.conf", node->dir),
	     *kap = xasprintf("%s/keepalived.conf", node->dir);
	int rc = -1;

	if (ha_conf_conntrackd(node->ir, &ct) == 0 && ha_conf_keepalived(node->ir, &ka) == 0) {
		replace_all(&ct, "/var/lock/conntrackd.lock", lock);
		replace_all(&ct, "/var/run/conntrackd.sock", sock);
		replace_all(&ct, "Syslog on", log);
		replace_all(&ct, "Systemd on", "Systemd off");
		replace_all(&ka, HA_CONNTRACKD " -", hook);
		rc = util_write_file(ctp, ct.buf, ct.len) == 0 &&
				     util_write_file(kap, ka.buf, ka.len) == 0
			     ? 0
			     : -1;
	}
	sb_free(&ct);
	sb_free(&ka);
	free(lock);
	free(sock);
	free(log);
	free(hook);
	free(ctp);
	free(kap);
	return rc;
}

/* Start @argv in namespace @ns in a process group of its own, output to @log. */
static pid_t spawn(const char *ns, const char *log, char *const argv[])
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600),
		    null = open("/dev/null", O_RDONLY);

		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		setpgid(0, 0);
		/* the daemons never outlive the lab, whatever ends it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd < 0 || null < 0 || lab_enter_ns(ns) < 0 || dup2(null, 0) < 0 ||
		    dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		diag_error(NULL, "cannot start %s: %s", argv[0], strerror(errno));
	return pid;
}

/* Kill process group @pid and reap its leader. */
static void stop_pid(pid_t *pid)
{
	int status;

	if (*pid <= 0)
		return;
	kill(-*pid, SIGKILL);
	kill(*pid, SIGKILL);
	while (waitpid(*pid, &status, 0) < 0 && errno == EINTR)
		;
	*pid = 0;
}

/* Kill every process left in namespace @ns (hooks, keepalived's children). */
static void kill_in_ns(const char *ns)
{
	char *path = xasprintf("/run/netns/%s", ns);
	struct stat want, st;
	struct dirent *e;
	DIR *d;

	if (stat(path, &want) == 0 && (d = opendir("/proc"))) {
		while ((e = readdir(d))) {
			char *p;
			long pid = strtol(e->d_name, &p, 10);

			if (*p || pid <= 1 || pid == getpid())
				continue;
			p = xasprintf("/proc/%ld/ns/net", pid);
			if (stat(p, &st) == 0 && st.st_ino == want.st_ino && st.st_dev == want.st_dev)
				kill((pid_t)pid, SIGKILL);
			free(p);
		}
		closedir(d);
	}
	free(path);
}

void lab_cluster_stop(void)
{
	size_t n;

	for (n = 0; live_nodes && n < 2; n++) {
		stop_pid(&live_nodes[n].keepalived);
		stop_pid(&live_nodes[n].conntrackd);
		kill_in_ns(live_nodes[n].ns);
	}
	live_nodes = NULL;
}

static int start_keepalived(struct cl_node *node)
{
	char *conf = xasprintf("%s/keepalived.conf", node->dir),
	     *pid = xasprintf("%s/keepalived.pid", node->dir),
	     *vpid = xasprintf("%s/vrrp.pid", node->dir),
	     *log = xasprintf("%s/keepalived.log", node->dir);
	char *argv[] = {(char *)HA_KEEPALIVED, (char *)"-n", (char *)"-l", (char *)"-D",
			(char *)"-f", conf, (char *)"-p", pid, (char *)"-r", vpid, NULL};

	node->keepalived = spawn(node->ns, log, argv);
	free(conf);
	free(pid);
	free(vpid);
	free(log);
	return node->keepalived > 0 ? 0 : -1;
}

/* conntrackd in the foreground, then until `conntrackd -s` answers (bounded). */
static int start_conntrackd(struct cl_node *node)
{
	char *conf = xasprintf("%s/conntrackd.conf", node->dir),
	     *lock = xasprintf("%s/conntrackd.lock", node->dir),
	     *log = xasprintf("%s/conntrackd.out", node->dir);
	char *argv[] = {(char *)HA_CONNTRACKD, (char *)"-C", conf, NULL};
	char *stats[] = {(char *)"ip", (char *)"netns", (char *)"exec", node->ns,
			 (char *)HA_CONNTRACKD, (char *)"-C", conf, (char *)"-s", NULL};
	long deadline = util_now_ms() + 5000;
	int rc = -1;

	/* a killed conntrackd leaves its lock behind */
	unlink(lock);
	node->conntrackd = spawn(node->ns, log, argv);
	while (node->conntrackd > 0 && !lab_interrupted && util_now_ms() < deadline) {
		if (util_run(stats, NULL, 0, NULL) == 0) {
			rc = 0;
			break;
		}
		usleep(100000);
	}
	if (rc < 0 && !lab_interrupted)
		diag_error(NULL, "conntrackd did not start in %s (see %s)", node->ns, log);
	free(lock);
	free(conf);
	free(log);
	return rc;
}

/* ---- addresses and flows ---------------------------------------------- */

/* Enter @ns, keeping this namespace in *@home; 0 or -1. */
static int ns_in(const char *ns, int *home)
{
	*home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (*home < 0)
		return -1;
	if (lab_enter_ns(ns) < 0) {
		close(*home);
		return -1;
	}
	return 0;
}

static void ns_out(int home)
{
	if (setns(home, CLONE_NEWNET) < 0)
		abort();	/* the lab would go on in the wrong namespace */
	close(home);
}

/* Does node @n hold every virtual address (@all) or none (!@all)? */
static bool node_holds(const struct cl *cl, size_t n, bool all)
{
	size_t k, held = 0;
	uint32_t virt;
	int home;

	if (ns_in(cl->node[n].ns, &home) < 0)
		return false;
	for (k = 0; k < cl->n_seg; k++) {
		virt = htonl(cl->seg[k].virt);
		if (util_addr_iface(AF_INET, &virt, cl->seg[k].ifname, NULL) == 0)
			held++;
	}
	ns_out(home);
	return all ? held == cl->n_seg : held == 0;
}

/*
 * Wait until node @n holds the virtual addresses (and, unless the other
 * died, the other none); ms taken since @start or -1.
 */
static long wait_master(const struct cl *cl, size_t n, bool other_died, long start)
{
	while (!lab_interrupted && util_now_ms() < start + CL_MASTER_MS) {
		if (node_holds(cl, n, true) && (other_died || node_holds(cl, 1 - n, false)))
			return util_now_ms() - start;
		usleep(50000);
	}
	return -1;
}

static size_t w_name = 52;

static void row(struct cl *cl, const char *name, const char *expected, const char *got, bool ok)
{
	printf("%-*s  %-30s  %-28s  %s\n", (int)w_name, name, expected, got, ok ? "pass" : "FAIL");
	fflush(stdout);
	cl->ran++;
	cl->failed += !ok;
}

static void sock_in(struct sockaddr_in *sin, char *buf)
{
	char a[16];

	sprintf(buf, "%s:%u", ir_ip_str(ntohl(sin->sin_addr.s_addr), a), ntohs(sin->sin_port));
}

/*
 * Open flow @f: a server of @proto on @port in @to_ns, a client in @from_ns
 * (bound to @src, 0: any) to @dst:@dport; the first line there and back.
 * 0, or -1 with f->why.
 */
static int flow_open(struct cl_flow *f, uint8_t proto, const char *from_ns, uint32_t src,
		     uint32_t dst, uint16_t dport, const char *to_ns, uint16_t port)
{
	long deadline = util_now_ms() + LAB_TIMEOUT_MS;
	socklen_t slen = sizeof(f->seen);
	char buf[64];
	int home, lfd, err = 0;
	ssize_t n;

	f->proto = proto;
	f->cfd = f->sfd = -1;
	if (ns_in(to_ns, &home) < 0)
		return snprintf(f->why, sizeof(f->why), "cannot enter %s", to_ns), -1;
	lfd = lab_probe_listen(AF_INET, proto, port);
	ns_out(home);
	if (ns_in(from_ns, &home) < 0) {
		close(lfd);
		return snprintf(f->why, sizeof(f->why), "cannot enter %s", from_ns), -1;
	}
	f->cfd = lab_probe_open(proto, src, dst, dport, &err);
	ns_out(home);
	if (lfd < 0 || f->cfd < 0) {
		snprintf(f->why, sizeof(f->why), "no socket: %s", strerror(err ? err : errno));
		close(lfd);
		return -1;
	}
	if (lab_probe_started(proto, f->cfd, deadline) != LAB_GOT_ANSWER) {
		close(lfd);
		return snprintf(f->why, sizeof(f->why), "no answer"), -1;
	}
	if (proto == IR_P_TCP) {
		if (lab_probe_wait(lfd, POLLIN, deadline) != 1 ||
		    (f->sfd = accept4(lfd, (struct sockaddr *)&f->seen, &slen, SOCK_NONBLOCK)) < 0) {
			close(lfd);
			return snprintf(f->why, sizeof(f->why), "not accepted"), -1;
		}
		close(lfd);
	} else {
		f->sfd = lfd;
		if (lab_probe_wait(lfd, POLLIN, deadline) != 1 ||
		    recvfrom(lfd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&f->seen,
			     &slen) < 0)
			return snprintf(f->why, sizeof(f->why), "nothing arrived"), -1;
	}
	/* and back: the server's first line reaches the client */
	if (sendto(f->sfd, "hello\n", 6, MSG_NOSIGNAL, proto == IR_P_TCP ? NULL
				: (struct sockaddr *)&f->seen,
		   proto == IR_P_TCP ? 0 : slen) < 0 ||
	    lab_probe_wait(f->cfd, POLLIN, deadline) != 1 ||
	    (n = recv(f->cfd, buf, sizeof(buf), MSG_DONTWAIT)) <= 0)
		return snprintf(f->why, sizeof(f->why), "no reply from the server"), -1;
	return 0;
}

static void flow_close(struct cl_flow *f)
{
	if (f->cfd >= 0)
		close(f->cfd);
	if (f->sfd >= 0)
		close(f->sfd);
	f->cfd = f->sfd = -1;
}

/* Send this step's line: the server's to the client, then the client's. */
static void flow_send(struct cl_flow *f, const char *tag)
{
	char line[32];
	int len = snprintf(line, sizeof(line), "%s-%s\n", f->step == 0 ? "server" : "client", tag);

	if (f->step == 0)
		sendto(f->sfd, line, (size_t)len, MSG_NOSIGNAL,
		       f->proto == IR_P_TCP ? NULL : (struct sockaddr *)&f->seen,
		       f->proto == IR_P_TCP ? 0 : sizeof(f->seen));
	else
		send(f->cfd, line, (size_t)len, MSG_NOSIGNAL);
	f->sent = util_now_ms();
}

/* Read what arrived for this step; true when its line is there. */
static bool flow_recv(struct cl_flow *f, const char *tag)
{
	int fd = f->step == 0 ? f->cfd : f->sfd;
	char want[32], from_s[24], seen_s[24];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ssize_t n;

	snprintf(want, sizeof(want), "%s-%s\n", f->step == 0 ? "server" : "client", tag);
	for (;;) {
		n = recvfrom(fd, f->got + f->n_got, sizeof(f->got) - 1 - f->n_got, MSG_DONTWAIT,
			     (struct sockaddr *)&from, &flen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				snprintf(f->why, sizeof(f->why), "%s", strerror(errno));
			break;
		}
		if (n == 0 && f->proto == IR_P_TCP) {
			snprintf(f->why, sizeof(f->why), "closed by the peer");
			break;
		}
		if (f->proto == IR_P_UDP && f->step == 1 &&
		    (from.sin_addr.s_addr != f->seen.sin_addr.s_addr ||
		     from.sin_port != f->seen.sin_port)) {
			sock_in(&from, from_s);
			sock_in(&f->seen, seen_s);
			snprintf(f->why, sizeof(f->why), "from %s, not %s", from_s, seen_s);
			continue;
		}
		f->n_got += (size_t)n;
		f->got[f->n_got] = '\0';
		if (strstr(f->got, want))
			return true;
		if (f->n_got >= sizeof(f->got) - 1)
			f->n_got = 0;
	}
	return false;
}

/*
 * Every flow carries data again, each way, the server's first; each flow's
 * row gives the time from @start until it did. The last flow's time, or -1.
 */
static long recover(struct cl *cl, const char *phase, long start)
{
	long deadline = util_now_ms() + CL_RECOVER_MS, last = 0, now;
	char name[160], got[64];
	size_t i, left = cl->n_flow;

	for (i = 0; i < cl->n_flow; i++) {
		struct cl_flow *f = &cl->flow[i];

		f->step = 0;
		f->n_got = 0;
		f->why[0] = '\0';
		flow_send(f, phase);
	}
	while (left && !lab_interrupted && (now = util_now_ms()) < deadline) {
		struct pollfd p[CL_FLOW_MAX];

		for (i = 0; i < cl->n_flow; i++) {
			struct cl_flow *f = &cl->flow[i];

			p[i].fd = f->step == 2 ? -1 : f->step == 0 ? f->cfd : f->sfd;
			p[i].events = POLLIN;
			if (f->step < 2 && f->proto == IR_P_UDP && now - f->sent >= CL_RESEND_MS)
				flow_send(f, phase);
		}
		if (poll(p, (nfds_t)cl->n_flow, 50) <= 0)
			continue;
		for (i = 0; i < cl->n_flow; i++) {
			struct cl_flow *f = &cl->flow[i];

			if (f->step == 2 || !(p[i].revents & (POLLIN | POLLERR | POLLHUP)) ||
			    !flow_recv(f, phase))
				continue;
			f->n_got = 0;
			if (++f->step == 1) {
				flow_send(f, phase);
			} else {
				f->done = util_now_ms() - start;
				left--;
			}
		}
	}
	for (i = 0; i < cl->n_flow; i++) {
		struct cl_flow *f = &cl->flow[i];
		bool ok = f->step == 2;

		snprintf(name, sizeof(name), "%s: %s", phase, f->name);
		if (ok) {
			snprintf(got, sizeof(got), "after %.1f s", f->done / 1000.0);
			last = f->done > last ? f->done : last;
		} else {
			snprintf(got, sizeof(got), "%s%s%s",
				 f->step == 0 ? "no data from the server" : "no data from the client",
				 f->why[0] ? ": " : "", f->why);
		}
		row(cl, name, "data both ways, same mapping", got, ok);
	}
	for (i = 0; i < cl->n_flow; i++)
		if (cl->flow[i].step != 2)
			return -1;
	return last;
}

/* The original direction of flow @f as conntrack prints it: "src=A dst=B sport=S dport=D ". */
static void flow_tuple(const struct cl_flow *f, char *buf, size_t size)
{
	struct sockaddr_in me, peer;
	socklen_t len = sizeof(me), plen = sizeof(peer);
	char a[16], b[16];

	if (getsockname(f->cfd, (struct sockaddr *)&me, &len) < 0 ||
	    getpeername(f->cfd, (struct sockaddr *)&peer, &plen) < 0) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "src=%s dst=%s sport=%u dport=%u ",
		 ir_ip_str(ntohl(me.sin_addr.s_addr), a), ir_ip_str(ntohl(peer.sin_addr.s_addr), b),
		 ntohs(me.sin_port), ntohs(peer.sin_port));
}

/* ---- ftp through the helper ------------------------------------------- */

/* Send @cmd on @from, read its line at @to by @deadline into @line; 0 or -1. */
static int ftp_say(int from, int to, const char *cmd, char *line, size_t size, long deadline)
{
	size_t len = strlen(cmd);

	return send(from, cmd, len, MSG_NOSIGNAL) == (ssize_t)len &&
	       lab_ftp_line(to, line, size, deadline) == 0 ? 0 : -1;
}

/*
 * A transfer the way current clients make one: PASV on the control
 * connection, the server's 227 back through the active node, whose helper
 * expects the data connection (the server's address needs no rewrite, so
 * the control connection keeps its length), then the data connection from
 * the LAN host, translated by that expectation to the external virtual
 * address. A line each way, and it becomes the lab's ftp data flow (the
 * one before is closed), carried through the next takeover like the others.
 */
static void ftp_transfer(struct cl *cl, const char *phase, size_t n)
{
	struct cl_flow *c = &cl->flow[cl->ftp], f = {.proto = IR_P_TCP, .cfd = -1, .sfd = -1};
	long deadline = util_now_ms() + LAB_TIMEOUT_MS;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char *argv[] = {(char *)"ip", (char *)"netns", (char *)"exec", cl->node[n].ns,
			(char *)"conntrack", (char *)"-L", (char *)"-u", (char *)"EXPECTED", NULL};
	char cmd[80], line[128], name[160], exp[64], got[64], a[16], b[16], tuple[128], *open;
	struct strbuf out = {0};
	uint32_t addr = 0;
	uint16_t port = 0;
	int home, err = 0, lis = -1;
	bool ok;

	if (cl->ftp == SIZE_MAX)
		return;
	if (ns_in(cl->inet_ns, &home) == 0) {
		lis = lab_probe_listen(AF_INET, IR_P_TCP, 0);
		ns_out(home);
	}
	ok = lis >= 0 && getsockname(lis, (struct sockaddr *)&sin, &len) == 0;
	snprintf(cmd, sizeof(cmd), "227 Entering Passive Mode (%u,%u,%u,%u,%u,%u).\r\n",
		 CL_SERVER >> 24, CL_SERVER >> 16 & 255, CL_SERVER >> 8 & 255, CL_SERVER & 255,
		 ok ? ntohs(sin.sin_port) >> 8 : 0, ok ? ntohs(sin.sin_port) & 255 : 0);
	/* a line each way first: the helper reads a command or a reply only
	 * where it saw a line end, and a node that took over saw none yet */
	ok = ok && ftp_say(c->cfd, c->sfd, "NOOP\r\n", line, sizeof(line), deadline) == 0 &&
	     ftp_say(c->sfd, c->cfd, "200 ok\r\n", line, sizeof(line), deadline) == 0 &&
	     ftp_say(c->cfd, c->sfd, "PASV\r\n", line, sizeof(line), deadline) == 0 &&
	     ftp_say(c->sfd, c->cfd, cmd, line, sizeof(line), deadline) == 0 &&
	     (open = strchr(line, '(')) && lab_ftp_hostport(open + 1, &addr, &port) == 0;
	snprintf(name, sizeof(name), "%s%sftp PASV", phase, *phase ? ": " : "");
	snprintf(exp, sizeof(exp), "227 %s:%u", ir_ip_str(CL_SERVER, a), ok ? ntohs(sin.sin_port) : 0);
	if (ok)
		snprintf(got, sizeof(got), "227 %s:%u", ir_ip_str(addr, a), port);
	else
		snprintf(got, sizeof(got), "no 227 reply");
	ok = ok && addr == CL_SERVER && port == ntohs(sin.sin_port);
	row(cl, name, exp, got, ok);
	if (!ok) {
		close(lis);
		return;
	}
	if (ns_in(cl->lan_ns, &home) == 0) {
		f.cfd = lab_probe_open(IR_P_TCP, 0, addr, port, &err);
		ns_out(home);
	}
	len = sizeof(f.seen);
	ok = f.cfd >= 0 && lab_probe_started(IR_P_TCP, f.cfd, deadline) == LAB_GOT_ANSWER &&
	     lab_probe_wait(lis, POLLIN, deadline) == 1 &&
	     (f.sfd = accept4(lis, (struct sockaddr *)&f.seen, &len, SOCK_NONBLOCK)) >= 0 &&
	     ftp_say(f.cfd, f.sfd, "data\r\n", line, sizeof(line), deadline) == 0 &&
	     ftp_say(f.sfd, f.cfd, "data\r\n", line, sizeof(line), deadline) == 0;
	close(lis);
	snprintf(f.name, sizeof(f.name), "ftp data %s -> %s:%u", ir_ip_str(cl->lan_addr, a),
		 ir_ip_str(addr, b), port);
	snprintf(name, sizeof(name), "%s%s%s", phase, *phase ? ": " : "", f.name);
	snprintf(exp, sizeof(exp), "source %s, expected", ir_ip_str(cl->seg[cl->ext].virt, a));
	if (ok) {
		/* the helper's expectation made it: conntrack marks it EXPECTED */
		flow_tuple(&f, tuple, sizeof(tuple));
		sock_in(&f.seen, got);
		if (util_run(argv, NULL, 0, &out) != 0 || !out.buf || !strstr(out.buf, tuple)) {
			strcat(got, ", not expected");
			ok = false;
		}
		sb_free(&out);
	} else {
		snprintf(got, sizeof(got), "%s", f.sfd >= 0 ? "no data both ways" : "not accepted");
	}
	ok = ok && ntohl(f.seen.sin_addr.s_addr) == cl->seg[cl->ext].virt;
	row(cl, name, exp, got, ok);
	if (!ok) {
		flow_close(&f);
		return;
	}
	if (cl->ftp_data == SIZE_MAX)
		cl->ftp_data = cl->n_flow++;
	else
		flow_close(&cl->flow[cl->ftp_data]);
	cl->flow[cl->ftp_data] = f;
}

/* ---- the run ----------------------------------------------------------- */

static int start_node(struct cl *cl, size_t n)
{
	if (!cl->nosync && start_conntrackd(&cl->node[n]) < 0)
		return -1;
	return start_keepalived(&cl->node[n]);
}

/* Node @n dies: its daemons (and what they started) killed, its links down. */
static int kill_node(struct cl *cl, size_t n)
{
	stop_pid(&cl->node[n].keepalived);
	stop_pid(&cl->node[n].conntrackd);
	kill_in_ns(cl->node[n].ns);
	return node_links(cl, n, "down");
}

/*
 * Node @n comes back as after a reboot: an empty connection table (its
 * ruleset stays, as its boot would load it again), links up, its daemons
 * started anew.
 */
static int revive_node(struct cl *cl, size_t n)
{
	char a[16];
	char *flush[] = {(char *)"ip", (char *)"netns", (char *)"exec", cl->node[n].ns,
			 (char *)"conntrack", (char *)"-F", NULL};
	struct strbuf out = {0};
	int rc = util_run(flush, NULL, 0, &out);

	if (rc != 0)
		diag_error(NULL, "'conntrack -F' failed in %s: %s", cl->node[n].ns,
			   out.buf ? out.buf : "no message");
	sb_free(&out);
	if (rc != 0 || node_links(cl, n, "up") < 0)
		return -1;
	/* the default route went with the link: put back, as its boot would */
	if (lab_net_ip("-n %s route replace default via %s", cl->node[n].ns,
		       ir_ip_str(cl->inet_addr, a)) < 0)
		return -1;
	return start_node(cl, n);
}

static void master_row(struct cl *cl, const char *phase, size_t n, long took)
{
	char name[160], exp[64], got[64];

	snprintf(name, sizeof(name), "%s%s%s becomes master", phase, *phase ? ": " : "",
		 cl->node[n].ir->cluster.name);
	snprintf(exp, sizeof(exp), "holds the %zu virtual address%s", cl->n_seg,
		 cl->n_seg == 1 ? "" : "es");
	if (took >= 0)
		snprintf(got, sizeof(got), "after %.1f s", took / 1000.0);
	else
		snprintf(got, sizeof(got), "not within %d s", CL_MASTER_MS / 1000);
	row(cl, name, exp, got, took >= 0);
}

static int open_flows(struct cl *cl)
{
	struct {
		uint8_t proto;
		const char *from, *to;
		uint32_t src, dst, want;
		uint16_t dport, lport;
	} spec[4] = {
		{IR_P_TCP, cl->lan_ns, cl->inet_ns, 0, CL_SERVER, cl->seg[cl->ext].virt,
		 CL_TCP_PORT, CL_TCP_PORT},
		{IR_P_TCP, cl->inet_ns, cl->srv_ns, CL_SERVER, cl->seg[cl->ext].virt, CL_SERVER,
		 cl->fwd_port, cl->srv_port},
		{IR_P_UDP, cl->lan_ns, cl->inet_ns, 0, CL_SERVER, cl->seg[cl->ext].virt,
		 CL_UDP_PORT, CL_UDP_PORT},
		{IR_P_TCP, cl->lan_ns, cl->inet_ns, 0, CL_SERVER, cl->seg[cl->ext].virt,
		 cl->ftp_ctl, cl->ftp_ctl},
	};
	char a[16], b[16], exp[48], got[64];
	size_t i;

	for (i = 0; i < (cl->ftp_ctl ? 4U : 3U) && !lab_interrupted; i++) {
		struct cl_flow *f = &cl->flow[i];
		bool ok;

		snprintf(f->name, sizeof(f->name), "%s %s -> %s:%u", spec[i].proto == IR_P_TCP ? "tcp" : "udp",
			 ir_ip_str(spec[i].src ? spec[i].src
					 : spec[i].from == cl->lan_ns ? cl->lan_addr : cl->inet_addr,
				   a),
			 ir_ip_str(spec[i].dst, b), spec[i].dport);
		cl->n_flow++;
		ok = flow_open(f, spec[i].proto, spec[i].from, spec[i].src, spec[i].dst, spec[i].dport,
			       spec[i].to, spec[i].lport) == 0;
		if (ok) {
			sock_in(&f->seen, got);
			ok = ntohl(f->seen.sin_addr.s_addr) == spec[i].want;
		} else {
			snprintf(got, sizeof(got), "%s", f->why);
		}
		snprintf(exp, sizeof(exp), "source %s", ir_ip_str(spec[i].want, a));
		row(cl, f->name, exp, got, ok);
		if (!ok)
			return -1;
		if (i == 3)
			cl->ftp = i;
	}
	return lab_interrupted ? -1 : 0;
}

/*
 * Run @argv until what it prints has every flow's tuple, by @deadline; the
 * number of flows it had the last time.
 */
static size_t wait_flows(const struct cl *cl, char *const argv[], long deadline)
{
	char tuple[128];
	size_t i, held = 0;

	while (!lab_interrupted && util_now_ms() < deadline) {
		struct strbuf out = {0};

		util_run(argv, NULL, 0, &out);
		for (i = 0, held = 0; out.buf && i < cl->n_flow; i++) {
			flow_tuple(&cl->flow[i], tuple, sizeof(tuple));
			held += strstr(out.buf, tuple) != NULL;
		}
		sb_free(&out);
		if (held == cl->n_flow)
			break;
		usleep(50000);
	}
	return held;
}

/* Wait until the backup's conntrackd holds every flow in its external cache. */
static void synced_row(struct cl *cl)
{
	struct cl_node *b = &cl->node[1];
	char *conf = xasprintf("%s/conntrackd.conf", b->dir), name[96], got[48];
	char *argv[] = {(char *)"ip", (char *)"netns", (char *)"exec", b->ns,
			(char *)HA_CONNTRACKD, (char *)"-C", conf, (char *)"-e", NULL};
	size_t held = wait_flows(cl, argv, util_now_ms() + CL_COMMIT_MS);

	snprintf(name, sizeof(name), "%s's conntrackd has the connections", b->ir->cluster.name);
	snprintf(got, sizeof(got), "%zu of %zu", held, cl->n_flow);
	row(cl, name, "in its external cache", got, held == cl->n_flow);
	free(conf);
}

/*
 * Wait until node @n's kernel has every flow (its master hook committed
 * them), before their next packet: until then a packet of a flow could be
 * picked up mid-stream as a new connection with a mapping of its own.
 */
static void committed_row(struct cl *cl, const char *phase, size_t n, long start)
{
	char *argv[] = {(char *)"ip", (char *)"netns", (char *)"exec", cl->node[n].ns,
			(char *)"conntrack", (char *)"-L", NULL};
	char name[160], got[48];
	size_t held = wait_flows(cl, argv, start + CL_COMMIT_MS);

	snprintf(name, sizeof(name), "%s: %s's kernel has the connections", phase,
		 cl->node[n].ir->cluster.name);
	if (held == cl->n_flow)
		snprintf(got, sizeof(got), "after %.1f s", (util_now_ms() - start) / 1000.0);
	else
		snprintf(got, sizeof(got), "%zu of %zu", held, cl->n_flow);
	row(cl, name, "committed before their data", got, held == cl->n_flow);
}

/*
 * Node @to takes over (@other_died: the other is dead, not backup): its
 * rows, then the time from @start until every flow carried data again.
 */
static void takeover(struct cl *cl, const char *phase, size_t to, bool other_died, long start)
{
	long took;

	master_row(cl, phase, to, wait_master(cl, to, other_died, start));
	committed_row(cl, phase, to, start);
	took = recover(cl, phase, start);
	if (took >= 0)
		printf("%s %s -> %s: every connection carried data again after %.1f s\n", phase,
		       cl->node[1 - to].ir->cluster.name, cl->node[to].ir->cluster.name,
		       took / 1000.0);
}

/* Whether tcp socket @fd has data its peer has not acknowledged yet. */
static bool unacked(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_unacked > 0;
}

/*
 * Wait (up to CL_QUIET_MS) until no tcp flow has a segment in flight, as
 * before a takeover: a segment lost with the node would add TCP's
 * retransmission backoff to the time the lab measures.
 */
static void quiet(const struct cl *cl)
{
	long deadline = util_now_ms() + CL_QUIET_MS;
	size_t i, busy;

	for (;;) {
		for (i = 0, busy = 0; i < cl->n_flow; i++)
			busy += cl->flow[i].proto == IR_P_TCP &&
				(unacked(cl->flow[i].cfd) || unacked(cl->flow[i].sfd));
		if (!busy || lab_interrupted || util_now_ms() >= deadline)
			return;
		usleep(10000);
	}
}

/* Failover, then failback: each prints its rows and its time. */
static int fail_over_and_back(struct cl *cl)
{
	long start;

	ftp_transfer(cl, "", 0);
	if (!cl->nosync)
		synced_row(cl);
	quiet(cl);
	start = util_now_ms();
	if (kill_node(cl, 0) < 0)
		return -1;
	takeover(cl, "failover", 1, true, start);
	if (lab_interrupted)
		return -1;
	ftp_transfer(cl, "failover", 1);
	quiet(cl);
	start = util_now_ms();
	if (revive_node(cl, 0) < 0)
		return -1;
	takeover(cl, "failback", 0, false, start);
	ftp_transfer(cl, "failback", 0);
	return 0;
}

int lab_cluster_run(const struct ir *mine, const char *policy, const struct ir *peer,
		    const char *peer_policy, const char *target)
{
	struct cl cl;
	char dir[] = "/tmp/masqgen-lab.XXXXXX";
	char *rm[] = {(char *)"rm", (char *)"-rf", dir, NULL};
	size_t n;
	int rc = EXIT_SYSTEM;

	memset(&cl, 0, sizeof(cl));
	cl.ext = cl.lan = cl.ftp = cl.ftp_data = SIZE_MAX;
	cl.target = target;
	/* a hidden switch for the kernel suite's negative control */
	cl.nosync = getenv("MASQGEN_LAB_NO_CONNTRACKD") != NULL;
	n = mine->cluster.priority > peer->cluster.priority ? 0 : 1;
	cl.node[n].ir = mine;
	cl.node[n].policy = policy;
	cl.node[1 - n].ir = peer;
	cl.node[1 - n].policy = peer_policy;
	if (lab_cluster_plan(&cl) < 0)
		return EXIT_POLICY;
	if (!mkdtemp(dir)) {
		diag_error(NULL, "cannot make the lab's directory: %s", strerror(errno));
		return EXIT_SYSTEM;
	}
	snprintf(cl.sw_ns, sizeof(cl.sw_ns), "mqlab-%ld-sw", (long)getpid());
	snprintf(cl.inet_ns, sizeof(cl.inet_ns), "mqlab-%ld-inet", (long)getpid());
	snprintf(cl.lan_ns, sizeof(cl.lan_ns), "mqlab-%ld-lan", (long)getpid());
	snprintf(cl.srv_ns, sizeof(cl.srv_ns), "mqlab-%ld-srv", (long)getpid());
	for (n = 0; n < 2; n++) {
		snprintf(cl.node[n].ns, sizeof(cl.node[n].ns), "mqlab-%ld-node%zu", (long)getpid(),
			 n + 1);
		cl.node[n].dir = xasprintf("%s/%s", dir, cl.node[n].ir->cluster.name);
		if (mkdir(cl.node[n].dir, 0700) < 0 || write_confs(&cl.node[n]) < 0) {
			diag_error(NULL, "cannot write %s's daemon files", cl.node[n].dir);
			goto out;
		}
	}
	live_nodes = cl.node;
	if (build(&cl) < 0 || lab_interrupted) {
		if (!lab_interrupted)
			diag_error(NULL, "cannot build the lab");
		goto out;
	}
	for (n = 0; n < 2; n++)
		if (lab_net_apply_in(cl.node[n].ns, target, cl.node[n].policy) < 0)
			goto out;
	/* the higher priority first: it is master from the start */
	if (start_node(&cl, 0) < 0 || start_node(&cl, 1) < 0)
		goto out;
	printf("%-*s  %-30s  %-28s  %s\n", (int)w_name, "PROBE", "EXPECTED", "GOT", "RESULT");
	master_row(&cl, "", 0, wait_master(&cl, 0, false, util_now_ms()));
	if (cl.failed == 0 && open_flows(&cl) == 0 && fail_over_and_back(&cl) < 0)
		goto out;
	if (lab_interrupted)
		goto out;
	printf("%zu probes: %zu passed, %zu failed\n", cl.ran, cl.ran - cl.failed, cl.failed);
	rc = cl.failed ? EXIT_NO : EXIT_OK;
out:
	for (n = 0; n < cl.n_flow; n++)
		flow_close(&cl.flow[n]);
	lab_cluster_stop();
	util_run(rm, NULL, 0, NULL);
	for (n = 0; n < 2; n++)
		free(cl.node[n].dir);
	return rc;
}
