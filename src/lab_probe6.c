// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_probe6.c - the IPv6 probes: a tcp or udp connection and an ICMPv6
 * echo, through the same child processes and bounded waits as the IPv4
 * ones (lab_probe.c). IPv6 is never translated, so the listener reports
 * the source it saw and the probe compares it with the sender's own.
 */
#include "lab.h"

#include "ir.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void lab_probe6_sin(struct sockaddr_in6 *sin, ir_u128 addr, uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin6_family = AF_INET6;
	ir_ip6_bytes(addr, sin->sin6_addr.s6_addr);
	sin->sin6_port = htons(port);
}

/* Bind @fd to source @src (0: the kernel picks); -1 with r->detail set. */
static int lab_probe6_bind(int fd, ir_u128 src, struct lab_result *r)
{
	struct sockaddr_in6 sin;

	if (!src)
		return 0;
	lab_probe6_sin(&sin, src, 0);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return 0;
	snprintf(r->detail, sizeof(r->detail), "bind: %s", strerror(errno));
	return -1;
}

struct lab_probe6_arg {
	uint8_t proto;
	ir_u128 src, dst;
	uint16_t port;
	const char *to_ns;
};

/* Answer with "NS SRC\n" (the peer's IPv6 address) until killed. */
static void lab_probe6_listen_body(const char *ns, void *arg, int ready)
{
	struct lab_probe6_arg *a = arg;
	int fd = lab_probe_listen(AF_INET6, a->proto, a->port);
	struct sockaddr_in6 peer;
	char msg[160], ip[INET6_ADDRSTRLEN], buf[512];
	socklen_t plen;

	if (fd < 0 || write(ready, "", 1) != 1)
		_exit(1);
	close(ready);
	for (;;) {
		int c = -1;

		plen = sizeof(peer);
		if (a->proto == IR_P_TCP) {
			c = accept(fd, (struct sockaddr *)&peer, &plen);
			if (c < 0)
				continue;
		} else if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen) < 0) {
			continue;
		}
		inet_ntop(AF_INET6, &peer.sin6_addr, ip, sizeof(ip));
		snprintf(msg, sizeof(msg), "%s %s\n", ns, ip);
		if (c >= 0) {
			if (write(c, msg, strlen(msg)) < 0)
				(void)0;
			close(c);
		} else {
			sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&peer, plen);
		}
	}
}

static void lab_probe6_conn_body(void *arg, struct lab_result *r)
{
	struct lab_probe6_arg *a = arg;
	long deadline = util_now_ms() + LAB_TIMEOUT_MS;
	int fd = socket(AF_INET6, (a->proto == IR_P_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK,
			0);
	char buf[200], ns[LAB_NS_MAX + 1], ip[INET6_ADDRSTRLEN + 1];
	struct in6_addr seen;
	struct sockaddr_in6 sin;
	ssize_t n;

	r->got = LAB_GOT_ERROR;
	if (fd < 0)
		return;
	if (lab_probe6_bind(fd, a->src, r) < 0)
		goto out;
	lab_probe6_sin(&sin, a->dst, a->port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 && errno != EINPROGRESS) {
		r->got = lab_probe_got(errno);
		goto out;
	}
	r->got = lab_probe_started(a->proto, fd, deadline);
	if (r->got != LAB_GOT_ANSWER)
		goto out;
	if (lab_probe_wait(fd, POLLIN, deadline) != 1) {
		r->got = LAB_GOT_NONE;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		r->got = lab_probe_got(errno);
		goto out;
	}
	buf[n] = '\0';
	if (n == 0 || sscanf(buf, "%64s %46s", ns, ip) != 2 || inet_pton(AF_INET6, ip, &seen) != 1) {
		r->got = LAB_GOT_NONE;
		snprintf(r->detail, sizeof(r->detail), "closed without an answer");
	} else if (strcmp(ns, a->to_ns) != 0) {
		snprintf(r->detail, sizeof(r->detail), "answered by %s", ns);
	} else {
		r->got = LAB_GOT_ANSWER;
		r->seen_src6 = ir_ip6_of_bytes(seen.s6_addr);
	}
out:
	close(fd);
}

int lab_probe_conn6(uint8_t proto, const char *from_ns, ir_u128 src, ir_u128 dst, uint16_t port,
		    const char *to_ns, struct lab_result *r)
{
	struct lab_probe6_arg a = {.proto = proto, .src = src, .dst = dst, .port = port,
				   .to_ns = to_ns};

	return lab_probe_pair(to_ns, lab_probe6_listen_body, &a, from_ns, lab_probe6_conn_body,
			      &a, r);
}

/* An ICMPv6 echo to a->dst: a reply from it, or an error about our echo. */
static void lab_probe6_ping_body(void *arg, struct lab_result *r)
{
	struct lab_probe6_arg *a = arg;
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMPV6);
	long deadline = util_now_ms() + LAB_TIMEOUT_MS, next_send = 0;
	uint16_t id = (uint16_t)(getpid() & 0xffff), seq = 0;
	struct sockaddr_in6 sin, from;
	uint8_t buf[1500];

	r->got = LAB_GOT_NONE;
	if (fd < 0) {
		r->got = LAB_GOT_ERROR;
		snprintf(r->detail, sizeof(r->detail), "raw socket: %s", strerror(errno));
		return;
	}
	/* the source the plan judged: a host with extra addresses must not pick another */
	if (lab_probe6_bind(fd, a->src, r) < 0) {
		r->got = LAB_GOT_ERROR;
		close(fd);
		return;
	}
	lab_probe6_sin(&sin, a->dst, 0);
	while (util_now_ms() < deadline) {
		socklen_t flen = sizeof(from);
		ssize_t n;

		if (util_now_ms() >= next_send) {
			struct icmp6_hdr h = {.icmp6_type = ICMP6_ECHO_REQUEST};

			h.icmp6_id = htons(id);
			h.icmp6_seq = htons(++seq);
			/* the kernel fills in the checksum of an ICMPv6 raw socket */
			if (sendto(fd, &h, sizeof(h), 0, (struct sockaddr *)&sin, sizeof(sin)) < 0 &&
			    seq == 1) {
				r->got = lab_probe_got(errno);
				snprintf(r->detail, sizeof(r->detail), "%s", strerror(errno));
				break;
			}
			next_send = util_now_ms() + 400;
		}
		if (lab_probe_wait(fd, POLLIN, next_send < deadline ? next_send : deadline) != 1)
			continue;
		while ((n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen)) >=
		       (ssize_t)sizeof(struct icmp6_hdr)) {
			const struct icmp6_hdr *h = (const void *)buf;
			/* an error quotes our packet: 40 bytes of IPv6 header, then the echo */
			const struct icmp6_hdr *in = (const void *)(buf + 8 + 40);

			if (h->icmp6_type == ICMP6_ECHO_REPLY && ntohs(h->icmp6_id) == id &&
			    !memcmp(&from.sin6_addr, &sin.sin6_addr, 16)) {
				r->got = LAB_GOT_ANSWER;
				break;
			}
			if (h->icmp6_type == ICMP6_DST_UNREACH && n >= 8 + 40 + 8 &&
			    !memcmp(buf + 8 + 24, &sin.sin6_addr, 16) && ntohs(in->icmp6_id) == id) {
				r->got = LAB_GOT_UNREACH;
				break;
			}
			flen = sizeof(from);
		}
		if (r->got != LAB_GOT_NONE)
			break;
	}
	close(fd);
}

int lab_probe_ping6(const char *from_ns, ir_u128 src, ir_u128 dst, struct lab_result *r)
{
	struct lab_probe6_arg a = {.src = src, .dst = dst};

	return lab_probe_run(from_ns, lab_probe6_ping_body, &a, r);
}
