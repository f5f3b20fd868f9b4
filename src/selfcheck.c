// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * selfcheck.c - the admin's own session against the new ruleset, before
 * apply (selfcheck.h).
 *
 * The verdict comes from explain's evaluator (explain_decide()), so apply
 * and `masqgen explain` never disagree; its trace, written into a buffer,
 * is shown when the answer is no. A connection a forward would send to a
 * LAN host counts as cut: it no longer reaches this gateway. explain follows IPv4
 * only; an IPv6 session is checked only where the answer needs no
 * evaluation (`ipv6 open` leaves IPv6 alone), else apply says it could not
 * check.
 */
#include "selfcheck.h"

#include "diag.h"
#include "explain.h"
#include "ir.h"
#include "nl.h"
#include "util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/rtnetlink.h>

/* How far up the process tree an sshd is looked for. */
#define SELFCHECK_DEPTH 64
#define SELFCHECK_TCP_ESTABLISHED 1
#define SELFCHECK_REQ_SIZE 256

/* An IPv4-mapped IPv6 session becomes the IPv4 session it is. */
static void selfcheck_unmap(struct selfcheck_session *s)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (s->family != AF_INET6 || memcmp(s->client, mapped, 12) != 0 ||
	    memcmp(s->server, mapped, 12) != 0)
		return;
	s->family = AF_INET;
	memmove(s->client, s->client + 12, 4);
	memmove(s->server, s->server + 12, 4);
}

static int selfcheck_addr(const char *text, int *family, unsigned char *out)
{
	if (inet_pton(AF_INET, text, out) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, text, out) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -1;
}

int selfcheck_parse_ssh(const char *s, struct selfcheck_session *ses)
{
	char client[64], server[64];
	unsigned cport, sport;
	int f1, f2, end = 0;

	memset(ses, 0, sizeof(*ses));
	if (sscanf(s, "%63s %u %63s %u%n", client, &cport, server, &sport, &end) != 4 ||
	    s[end] != '\0' || cport > 65535 || sport == 0 || sport > 65535)
		return -1;
	if (selfcheck_addr(client, &f1, ses->client) < 0 ||
	    selfcheck_addr(server, &f2, ses->server) < 0 || f1 != f2)
		return -1;
	ses->family = f1;
	ses->client_port = (uint16_t)cport;
	ses->server_port = (uint16_t)sport;
	selfcheck_unmap(ses);
	return 0;
}

/*
 * An address as /proc/net/tcp{,6} prints it: the bytes of the address
 * read as host-order 32-bit words, each in %08X.
 */
static int selfcheck_hex_addr(const char *hex, size_t len, unsigned char *out)
{
	size_t i;

	for (i = 0; i < len / 8; i++) {
		char word[9];
		char *end;
		uint32_t v;

		memcpy(word, hex + i * 8, 8);
		word[8] = '\0';
		v = (uint32_t)strtoul(word, &end, 16);
		if (*end)
			return -1;
		memcpy(out + i * 4, &v, 4);
	}
	return 0;
}

int selfcheck_tcp_find(const char *text, int family, unsigned long inode,
		       struct selfcheck_session *ses)
{
	size_t alen = family == AF_INET ? 8 : 32;
	const char *line, *next;

	for (line = text; line && *line; line = next) {
		char local[40], remote[40];
		unsigned lport, rport, state;
		unsigned long ino;

		next = strchr(line, '\n');
		next = next ? next + 1 : NULL;
		/* sl: local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*x:%*x %*x:%*x"
				 " %*x %*u %*u %lu",
			   local, &lport, remote, &rport, &state, &ino) != 6)
			continue;
		if (ino != inode || state != SELFCHECK_TCP_ESTABLISHED || strlen(local) != alen ||
		    strlen(remote) != alen)
			continue;
		memset(ses, 0, sizeof(*ses));
		if (selfcheck_hex_addr(local, alen, ses->server) < 0 ||
		    selfcheck_hex_addr(remote, alen, ses->client) < 0)
			return -1;
		ses->family = family;
		ses->server_port = (uint16_t)lport;
		ses->client_port = (uint16_t)rport;
		selfcheck_unmap(ses);
		return 0;
	}
	return -1;
}

/* The whole of a /proc file, NUL-terminated, or NULL. */
static char *selfcheck_slurp(const char *path)
{
	struct strbuf sb = {0};
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sb_addn(&sb, buf, (size_t)n);
	close(fd);
	sb_add(&sb, "");
	return sb.buf;
}

/* The command name and parent of @pid from /proc/PID/stat. */
static int selfcheck_stat(pid_t pid, char *comm, size_t size, pid_t *ppid)
{
	char *path = xasprintf("/proc/%d/stat", (int)pid);
	char *text = selfcheck_slurp(path);
	char *lp, *rp;
	int rc = -1, parent;

	free(path);
	if (!text)
		return -1;
	lp = strchr(text, '(');
	rp = strrchr(text, ')');
	if (lp && rp > lp && (size_t)(rp - lp - 1) < size &&
	    sscanf(rp + 1, " %*c %d", &parent) == 1) {
		memcpy(comm, lp + 1, (size_t)(rp - lp - 1));
		comm[rp - lp - 1] = '\0';
		*ppid = parent;
		rc = 0;
	}
	free(text);
	return rc;
}

/* The TCP connection among the sockets process @pid holds. */
static int selfcheck_sshd_peer(pid_t pid, struct selfcheck_session *ses)
{
	char *dir_path = xasprintf("/proc/%d/fd", (int)pid);
	char *tcp_path = xasprintf("/proc/%d/net/tcp", (int)pid);
	char *tcp6_path = xasprintf("/proc/%d/net/tcp6", (int)pid);
	char *tcp = selfcheck_slurp(tcp_path), *tcp6 = selfcheck_slurp(tcp6_path);
	DIR *dir = opendir(dir_path);
	struct dirent *de;
	int rc = -1;

	while (dir && rc < 0 && (de = readdir(dir))) {
		char *fd_path = xasprintf("%s/%s", dir_path, de->d_name);
		char target[64];
		ssize_t n = readlink(fd_path, target, sizeof(target) - 1);
		unsigned long inode;

		free(fd_path);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (sscanf(target, "socket:[%lu]", &inode) != 1)
			continue;
		if ((tcp && selfcheck_tcp_find(tcp, AF_INET, inode, ses) == 0) ||
		    (tcp6 && selfcheck_tcp_find(tcp6, AF_INET6, inode, ses) == 0))
			rc = 0;
	}
	if (dir)
		closedir(dir);
	free(dir_path);
	free(tcp_path);
	free(tcp6_path);
	free(tcp);
	free(tcp6);
	return rc;
}

/* The session of the nearest sshd ancestor (sudo strips SSH_CONNECTION). */
static int selfcheck_from_sshd(struct selfcheck_session *ses)
{
	pid_t pid = getppid(), ppid;
	char comm[32];
	int depth;

	for (depth = 0; pid > 1 && depth < SELFCHECK_DEPTH; depth++) {
		if (selfcheck_stat(pid, comm, sizeof(comm), &ppid) < 0)
			return -1;
		if ((strcmp(comm, "sshd") == 0 || strcmp(comm, "sshd-session") == 0) &&
		    selfcheck_sshd_peer(pid, ses) == 0)
			return 0;
		pid = ppid;
	}
	return -1;
}

static int selfcheck_route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct rtmsg))
		if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/*
 * The interface the session's packets arrive on: the one the route to the
 * client leaves by (a LAN host reaching the external address comes in on
 * the LAN side). Returns 0, or -1 when there is no route.
 */
static int selfcheck_route_iface(const struct selfcheck_session *ses, char *name)
{
	char buf[SELFCHECK_REQ_SIZE] = {0};
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	uint32_t oif = 0;
	int rc = -1;

	if (!nl)
		return -1;
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)ses->family;
	rtm->rtm_dst_len = ses->family == AF_INET ? 32 : 128;
	mnl_attr_put(nlh, RTA_DST, ses->family == AF_INET ? 4 : 16, ses->client);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0 &&
	    nl_request(nl, nlh, selfcheck_route_cb, &oif) == 0 && oif && if_indextoname(oif, name))
		rc = 0;
	mnl_socket_close(nl);
	return rc;
}

/* What happens to the session, for the message; NULL: it gets through. */
static const char *selfcheck_fate(int verdict, const struct explain_packet *p, char *buf,
				  size_t size)
{
	char a[16];

	if (verdict == IR_V_DROP)
		return "dropped";
	if (verdict == IR_V_REJECT)
		return "rejected";
	if (!p->oif)
		return NULL;
	snprintf(buf, size, "forwarded to %s:%u instead of reaching this gateway",
		 ir_ip_str(p->daddr, a), p->dport);
	return buf;
}

static int selfcheck_ipv4(struct ir *ir, const struct selfcheck_session *s, const char *holder,
			  bool force)
{
	char iface[IF_NAMESIZE];
	struct explain_packet p = {.proto = IR_P_TCP, .state = IR_CT_NEW};
	struct strbuf trace = {0};
	const struct loc *why;
	char client[16], server[16], buf[80];
	const char *fate, *line, *next;
	uint32_t saddr, daddr;
	int verdict;

	memcpy(&saddr, s->client, 4);
	memcpy(&daddr, s->server, 4);
	p.saddr = ntohl(saddr);
	p.daddr = ntohl(daddr);
	p.sport = s->client_port;
	p.dport = s->server_port;
	if (selfcheck_route_iface(s, iface) < 0)
		snprintf(iface, sizeof(iface), "%s", holder);
	snprintf(p.iif_name, sizeof(p.iif_name), "%s", iface);
	p.iif = p.iif_name;
	verdict = explain_decide(ir, &p, holder, p.daddr, &why, &trace);
	ir_ip_str(ntohl(saddr), client);
	ir_ip_str(ntohl(daddr), server);
	fate = selfcheck_fate(verdict, &p, buf, sizeof(buf));
	if (!fate) {
		sb_free(&trace);
		return 0;
	}
	if (p.oif && p.forward_loc)
		why = p.forward_loc;
	(force ? diag_warning : diag_error)(NULL,
		"the new ruleset would cut your own session: a new connection from %s to %s:%u "
		"arriving on %s would be %s", client, server, s->server_port, iface, fate);
	if (why && why->src)
		diag_note(why, "this line decides it");
	else
		diag_note(NULL, "masqgen's firewall level %s decides it (no rule allows the "
				"connection)", ir->level == IR_STRONG ? "strong" : "simple");
	diag_note(NULL, "as 'masqgen explain' follows it:");
	for (line = trace.buf; line && *line; line = next) {
		size_t len = strcspn(line, "\n");

		fprintf(stderr, "    %.*s\n", (int)len, line);
		next = line[len] ? line + len + 1 : line + len;
	}
	sb_free(&trace);
	if (force) {
		diag_warning(NULL, "--force: applying anyway");
		return 0;
	}
	diag_note(NULL, "nothing was changed: allow your session first, or apply with --force "
			"(and --confirm SECS, so it is rolled back unless you confirm)");
	return -1;
}

int selfcheck_run(struct ir *ir, bool force)
{
	struct selfcheck_session s;
	const char *env = getenv("SSH_CONNECTION");
	char iface[IF_NAMESIZE], client[INET6_ADDRSTRLEN], server[INET6_ADDRSTRLEN];

	if (env && *env) {
		if (selfcheck_parse_ssh(env, &s) < 0) {
			diag_warning(NULL, "cannot read SSH_CONNECTION '%s': your own session is "
					   "not checked against the new ruleset", env);
			return 0;
		}
	} else if (selfcheck_from_sshd(&s) < 0) {
		return 0;
	}
	inet_ntop(s.family, s.client, client, sizeof(client));
	inet_ntop(s.family, s.server, server, sizeof(server));
	if (util_addr_iface(s.family, s.server, NULL, iface) < 0) {
		diag_warning(NULL, "your session's address %s is on no interface here: your own "
				   "session is not checked against the new ruleset", server);
		return 0;
	}
	if (s.family == AF_INET)
		return selfcheck_ipv4(ir, &s, iface, force);
	if (ir->ipv6 != IR_IPV6_OPEN)
		diag_warning(NULL, "your session from %s comes over IPv6, which masqgen cannot "
				   "check: make sure the policy lets it in, or use --confirm SECS",
			     client);
	return 0;
}
