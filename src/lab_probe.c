// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_probe.c - the probes: real sockets opened inside the lab's
 * namespaces. Each probe forks a listener into the target namespace
 * (it answers with its namespace and the peer address it saw) and a client
 * into the source namespace; every wait is bounded by LAB_TIMEOUT_MS.
 */
#include "lab.h"

#include "ir.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

void lab_probe_sin(struct sockaddr_in *sin, uint32_t addr, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(addr);
	sin->sin_port = htons(port);
}

/* Wait for @events on @fd until @deadline (ms); 1 ready, 0 timeout, -1 error. */
int lab_probe_wait(int fd, short events, long deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	long left;
	int rc;

	for (;;) {
		left = deadline - util_now_ms();
		if (left <= 0)
			return 0;
		rc = poll(&p, 1, (int)left);
		if (rc >= 0 || errno != EINTR)
			return rc > 0 ? 1 : rc;
	}
}

static void child_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
}

void lab_probe_reap(pid_t pid)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

enum lab_got lab_probe_got(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return LAB_GOT_REFUSED;
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EACCES:
	case EPERM:
		return LAB_GOT_UNREACH;
	case ETIMEDOUT:
	case EAGAIN:
		return LAB_GOT_NONE;
	}
	return LAB_GOT_ERROR;
}

/* ---- the listener ---------------------------------------------------- */

/* Bind a listener of @family and @proto on @port in the current namespace; fd or -1. */
int lab_probe_listen(int family, uint8_t proto, uint16_t port)
{
	int fd = socket(family, proto == IR_P_TCP ? SOCK_STREAM : SOCK_DGRAM, 0), one = 1;
	struct sockaddr_storage ss = {0};
	socklen_t len;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	} else {
		lab_probe_sin((struct sockaddr_in *)&ss, 0, port);
		len = sizeof(struct sockaddr_in);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (proto == IR_P_TCP && listen(fd, 8) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Answer connections (tcp) or datagrams (udp) with "NS SRC\n" until killed. */
static void __attribute__((noreturn)) serve(uint8_t proto, int fd, const char *ns)
{
	char msg[128], buf[512], ip[16];
	struct sockaddr_in peer;
	socklen_t plen;
	int c;

	for (;;) {
		plen = sizeof(peer);
		if (proto == IR_P_TCP) {
			int mss = 0;
			socklen_t mlen = sizeof(mss);

			c = accept(fd, (struct sockaddr *)&peer, &plen);
			if (c < 0)
				continue;
			/* the segment size the peer's SYN allowed (clamp-mss shows here) */
			getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &mss, &mlen);
			snprintf(msg, sizeof(msg), "%s %s %d\n", ns,
				 ir_ip_str(ntohl(peer.sin_addr.s_addr), ip), mss);
			if (write(c, msg, strlen(msg)) < 0)
				(void)0;
			close(c);
		} else {
			if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen) < 0)
				continue;
			snprintf(msg, sizeof(msg), "%s %s\n", ns,
				 ir_ip_str(ntohl(peer.sin_addr.s_addr), ip));
			sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&peer, plen);
		}
	}
}

pid_t lab_probe_spawn(const char *ns, void (*body)(const char *ns, void *arg, int ready),
		      void *arg)
{
	int fds[2];
	char c = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		child_signals();
		close(fds[0]);
		if (lab_enter_ns(ns) < 0)
			_exit(1);
		body(ns, arg, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0 && (lab_probe_wait(fds[0], POLLIN, util_now_ms() + LAB_TIMEOUT_MS) != 1 ||
			read(fds[0], &c, 1) != 1)) {
		lab_probe_reap(pid);
		pid = -1;
	}
	close(fds[0]);
	return pid;
}

struct listen_arg {
	uint8_t proto;
	uint16_t port;
};

static void listen_body(const char *ns, void *arg, int ready)
{
	struct listen_arg *la = arg;
	int fd = lab_probe_listen(AF_INET, la->proto, la->port);

	if (fd < 0 || write(ready, "", 1) != 1)
		_exit(1);
	close(ready);
	serve(la->proto, fd, ns);
}

int lab_probe_run(const char *ns, void (*body)(void *arg, struct lab_result *r), void *arg,
		  struct lab_result *r)
{
	struct lab_result tmp;
	int fds[2];
	ssize_t n = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->got = LAB_GOT_ERROR;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		child_signals();
		close(fds[0]);
		memset(&tmp, 0, sizeof(tmp));
		if (lab_enter_ns(ns) < 0) {
			tmp.got = LAB_GOT_ERROR;
			snprintf(tmp.detail, sizeof(tmp.detail), "cannot enter %s", ns);
		} else {
			body(arg, &tmp);
		}
		if (write(fds[1], &tmp, sizeof(tmp)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0 && lab_probe_wait(fds[0], POLLIN, util_now_ms() + 4 * LAB_TIMEOUT_MS) == 1)
		n = read(fds[0], &tmp, sizeof(tmp));
	close(fds[0]);
	lab_probe_reap(pid);
	if (n != (ssize_t)sizeof(tmp)) {
		snprintf(r->detail, sizeof(r->detail), "probe process failed");
		return -1;
	}
	*r = tmp;
	return 0;
}

/* ---- connections ------------------------------------------------------ */

struct conn_arg {
	uint8_t proto;
	uint32_t src, dst;
	uint16_t dport;
	const char *to_ns;
};

int lab_probe_connect(uint8_t proto, const struct sockaddr *src, socklen_t src_len,
		      const struct sockaddr *dst, socklen_t dst_len, int *err)
{
	int fd = socket(dst->sa_family,
			(proto == IR_P_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK, 0);

	*err = 0;
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if ((src && bind(fd, src, src_len) < 0) ||
	    (connect(fd, dst, dst_len) < 0 && errno != EINPROGRESS)) {
		*err = errno;
		close(fd);
		return -1;
	}
	return fd;
}

/* A socket of @proto bound to @src (0: any), connected without blocking. */
int lab_probe_open(uint8_t proto, uint32_t src, uint32_t dst, uint16_t dport, int *err)
{
	struct sockaddr_in from, to;

	lab_probe_sin(&from, src, 0);
	lab_probe_sin(&to, dst, dport);
	return lab_probe_connect(proto, src ? (struct sockaddr *)&from : NULL, sizeof(from),
				 (struct sockaddr *)&to, sizeof(to), err);
}

/* Read the listener's "NS SRC" line into @r. */
static void read_answer(int fd, const char *to_ns, long deadline, struct lab_result *r)
{
	char buf[160], ns[LAB_NS_MAX + 1], ip[17];
	unsigned mss = 0;
	struct in_addr a;
	ssize_t n;
	int w = lab_probe_wait(fd, POLLIN, deadline);

	if (w <= 0) {
		r->got = LAB_GOT_NONE;
		return;
	}
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		r->got = lab_probe_got(errno);
		snprintf(r->detail, sizeof(r->detail), "%s", strerror(errno));
		return;
	}
	buf[n] = '\0';
	if (n == 0 || sscanf(buf, "%64s %16s %u", ns, ip, &mss) < 2 ||
	    inet_pton(AF_INET, ip, &a) != 1) {
		r->got = LAB_GOT_NONE;
		snprintf(r->detail, sizeof(r->detail), "closed without an answer");
		return;
	}
	if (strcmp(ns, to_ns) != 0) {
		r->got = LAB_GOT_ERROR;
		snprintf(r->detail, sizeof(r->detail), "answered by %s", ns);
		return;
	}
	r->got = LAB_GOT_ANSWER;
	r->seen_src = ntohl(a.s_addr);
	r->seen_mss = (uint16_t)mss;
}

enum lab_got lab_probe_started(uint8_t proto, int fd, long deadline)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (proto != IR_P_TCP)
		return send(fd, "probe\n", 6, 0) < 0 ? lab_probe_got(errno) : LAB_GOT_ANSWER;
	if (lab_probe_wait(fd, POLLOUT, deadline) != 1)
		return LAB_GOT_NONE;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err ? lab_probe_got(err) : LAB_GOT_ANSWER;
}

static void conn_body(void *arg, struct lab_result *r)
{
	struct conn_arg *ca = arg;
	long deadline = util_now_ms() + LAB_TIMEOUT_MS;
	int err, fd = lab_probe_open(ca->proto, ca->src, ca->dst, ca->dport, &err);

	if (fd < 0) {
		r->got = lab_probe_got(err);
		snprintf(r->detail, sizeof(r->detail), "%s", strerror(err));
		return;
	}
	r->got = lab_probe_started(ca->proto, fd, deadline);
	if (r->got != LAB_GOT_ANSWER)
		goto out;
	read_answer(fd, ca->to_ns, deadline, r);
out:
	close(fd);
}

int lab_probe_pair(const char *to_ns, void (*server)(const char *ns, void *arg, int ready),
		   void *server_arg, const char *from_ns,
		   void (*client)(void *arg, struct lab_result *r), void *client_arg,
		   struct lab_result *r)
{
	pid_t pid = lab_probe_spawn(to_ns, server, server_arg);
	int rc;

	if (pid < 0) {
		memset(r, 0, sizeof(*r));
		r->got = LAB_GOT_ERROR;
		snprintf(r->detail, sizeof(r->detail), "cannot listen in %s", to_ns);
		return -1;
	}
	rc = lab_probe_run(from_ns, client, client_arg, r);
	lab_probe_reap(pid);
	return rc;
}

int lab_probe_conn(uint8_t proto, const char *from_ns, uint32_t src, uint32_t dst,
		   uint16_t dport, const char *to_ns, uint16_t lport, struct lab_result *r)
{
	struct listen_arg la = {.proto = proto, .port = lport};
	struct conn_arg ca = {.proto = proto, .src = src, .dst = dst, .dport = dport,
			      .to_ns = to_ns};

	return lab_probe_pair(to_ns, listen_body, &la, from_ns, conn_body, &ca, r);
}

/* ---- ICMP echo -------------------------------------------------------- */

static uint16_t inet_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

struct ping_arg {
	uint32_t src, dst;
};

/* Is @buf (an IPv4 packet) an answer to our echo @id: reply or unreachable? */
static enum lab_got ping_match(const uint8_t *buf, size_t n, uint32_t dst, uint16_t id)
{
	const struct ip *iph = (const void *)buf;
	const struct icmphdr *ic;
	size_t hl;

	if (n < sizeof(*iph) || (hl = (size_t)iph->ip_hl * 4) + 8 > n)
		return LAB_GOT_ERROR;
	ic = (const void *)(buf + hl);
	if (ic->type == ICMP_ECHOREPLY && ntohs(ic->un.echo.id) == id &&
	    ntohl(iph->ip_src.s_addr) == dst)
		return LAB_GOT_ANSWER;
	if (ic->type == ICMP_DEST_UNREACH && n >= hl + 8 + 20 + 8) {
		const struct ip *inner = (const void *)(buf + hl + 8);
		size_t ihl = (size_t)inner->ip_hl * 4;
		const struct icmphdr *iic = (const void *)((const uint8_t *)inner + ihl);

		if (hl + 8 + ihl + 8 <= n && ntohl(inner->ip_dst.s_addr) == dst &&
		    ntohs(iic->un.echo.id) == id)
			return LAB_GOT_UNREACH;
	}
	return LAB_GOT_ERROR;
}

static void ping_body(void *arg, struct lab_result *r)
{
	struct ping_arg *pa = arg;
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMP);
	long deadline = util_now_ms() + LAB_TIMEOUT_MS, next_send = 0;
	uint16_t id = (uint16_t)(getpid() & 0xffff), seq = 0;
	struct sockaddr_in sin;
	uint8_t buf[1500];

	r->got = LAB_GOT_NONE;
	if (fd < 0) {
		r->got = LAB_GOT_ERROR;
		snprintf(r->detail, sizeof(r->detail), "raw socket: %s", strerror(errno));
		return;
	}
	if (pa->src) {
		lab_probe_sin(&sin, pa->src, 0);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			r->got = LAB_GOT_ERROR;
			snprintf(r->detail, sizeof(r->detail), "bind: %s", strerror(errno));
			close(fd);
			return;
		}
	}
	lab_probe_sin(&sin, pa->dst, 0);
	while (util_now_ms() < deadline) {
		ssize_t n;

		if (util_now_ms() >= next_send) {
			struct {
				struct icmphdr h;
				char data[16];
			} pkt;

			memset(&pkt, 0, sizeof(pkt));
			pkt.h.type = ICMP_ECHO;
			pkt.h.un.echo.id = htons(id);
			pkt.h.un.echo.sequence = htons(++seq);
			memcpy(pkt.data, "masqgen lab", 11);
			pkt.h.checksum = inet_csum(&pkt, sizeof(pkt));
			if (sendto(fd, &pkt, sizeof(pkt), 0, (struct sockaddr *)&sin,
				   sizeof(sin)) < 0 && seq == 1) {
				/* EPERM: the gateway's own output filter said no */
				r->got = lab_probe_got(errno);
				snprintf(r->detail, sizeof(r->detail), "%s", strerror(errno));
				break;
			}
			next_send = util_now_ms() + 400;
		}
		if (lab_probe_wait(fd, POLLIN, next_send < deadline ? next_send : deadline) != 1)
			continue;
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
			enum lab_got g = ping_match(buf, (size_t)n, pa->dst, id);

			if (g == LAB_GOT_ANSWER || g == LAB_GOT_UNREACH) {
				r->got = g;
				r->seen_src = pa->dst;
				close(fd);
				return;
			}
		}
	}
	close(fd);
}

int lab_probe_ping(const char *from_ns, uint32_t src, uint32_t dst, struct lab_result *r)
{
	struct ping_arg pa = {.src = src, .dst = dst};

	return lab_probe_run(from_ns, ping_body, &pa, r);
}

/* ---- one packet watched for on arrival ------------------------------------ */

struct sniff_arg {
	uint8_t proto;
	uint16_t lport;
	int result;		/* write end: one byte when the packet arrived */
};

static void sniff_body(const char *ns, void *arg, int ready)
{
	struct sniff_arg *sa = arg;
	int fd = socket(AF_INET, SOCK_RAW, sa->proto);
	uint8_t buf[2048];

	(void)ns;
	if (fd < 0 || write(ready, "", 1) != 1)
		_exit(1);
	close(ready);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const struct ip *iph = (const void *)buf;
		size_t hl = n >= (ssize_t)sizeof(*iph) ? (size_t)iph->ip_hl * 4 : (size_t)n;

		/* by port, not source: the gateway may have masqueraded it on the way */
		if ((size_t)n >= hl + 4 && (buf[hl + 2] << 8 | buf[hl + 3]) == sa->lport) {
			if (write(sa->result, "!", 1) < 0)
				_exit(1);
			_exit(0);
		}
	}
}

static void send_body(void *arg, struct lab_result *r)
{
	struct conn_arg *ca = arg;
	int err, fd = lab_probe_open(ca->proto, ca->src, ca->dst, ca->dport, &err);

	r->got = LAB_GOT_NONE;
	if (fd < 0) {
		r->got = LAB_GOT_ERROR;
		snprintf(r->detail, sizeof(r->detail), "%s", strerror(err));
		return;
	}
	if (ca->proto != IR_P_TCP && send(fd, "spoofed\n", 8, 0) < 0) {
		r->got = LAB_GOT_ERROR;
		snprintf(r->detail, sizeof(r->detail), "%s", strerror(errno));
	}
	/* a tcp SYN is on its way; let it (and a retry) go before closing */
	lab_probe_wait(fd, POLLIN, util_now_ms() + 300);
	close(fd);
}

int lab_probe_sniff(uint8_t proto, const char *from_ns, uint32_t src, uint32_t dst,
		    uint16_t dport, const char *to_ns, uint16_t lport, struct lab_result *r)
{
	struct conn_arg ca = {.proto = proto, .src = src, .dst = dst, .dport = dport};
	struct sniff_arg sa = {.proto = proto, .lport = lport};
	int fds[2], rc;
	pid_t sniffer;
	char c;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	sa.result = fds[1];
	sniffer = lab_probe_spawn(to_ns, sniff_body, &sa);
	close(fds[1]);
	if (sniffer < 0) {
		close(fds[0]);
		memset(r, 0, sizeof(*r));
		r->got = LAB_GOT_ERROR;
		snprintf(r->detail, sizeof(r->detail), "cannot watch in %s", to_ns);
		return -1;
	}
	rc = lab_probe_run(from_ns, send_body, &ca, r);
	if (rc == 0 && r->got != LAB_GOT_ERROR) {
		r->got = LAB_GOT_NONE;
		if (lab_probe_wait(fds[0], POLLIN, util_now_ms() + LAB_TIMEOUT_MS / 2) == 1 &&
		    read(fds[0], &c, 1) == 1) {
			r->got = LAB_GOT_ANSWER;
			r->seen_src = src;
		}
	}
	close(fds[0]);
	lab_probe_reap(sniffer);
	return rc;
}
