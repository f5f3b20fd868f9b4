// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_ftp.c - just enough FTP to prove the ftp helper: USER, PASS, PASV or
 * PORT (EPSV or EPRT over IPv6), RETR of one small file, QUIT. The
 * addresses in PORT and in the 227 reply are the ones the helper must
 * rewrite; without it the data connection goes to a private address and
 * the gateway's filter stops it. IPv6 is not translated: there the helper
 * only opens the firewall for the data connection EPRT announces.
 */
#include "lab.h"

#include "ir.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FTP_FILE "masqgen lab ftp data\n"

/* Wait for a blocking-style connect on @fd to finish; 0 or -1 with errno. */
static int finish_connect(int fd, long deadline)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (lab_probe_wait(fd, POLLOUT, deadline) != 1) {
		errno = ETIMEDOUT;
		return -1;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	errno = err;
	return err ? -1 : 0;
}

int lab_ftp_line(int fd, char *buf, size_t size, long deadline)
{
	size_t n = 0;
	char c;

	while (n + 1 < size) {
		ssize_t r;

		if (lab_probe_wait(fd, POLLIN, deadline) != 1)
			return -1;
		r = read(fd, &c, 1);
		if (r <= 0)
			return -1;
		if (c == '\n')
			break;
		if (c != '\r')
			buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}

static int say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int say(int fd, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return write(fd, buf, (size_t)n) == n ? 0 : -1;
}

/* An address of either family with its port, as the sockets API takes it. */
struct ftp_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

static void ftp_addr4(struct ftp_addr *a, uint32_t addr, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

	memset(a, 0, sizeof(*a));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(addr);
	sin->sin_port = htons(port);
	a->len = sizeof(*sin);
}

static void ftp_addr6(struct ftp_addr *a, ir_u128 addr, uint16_t port)
{
	struct sockaddr_in6 *sin = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	sin->sin6_family = AF_INET6;
	ir_ip6_bytes(addr, sin->sin6_addr.s6_addr);
	sin->sin6_port = htons(port);
	a->len = sizeof(*sin);
}

static uint16_t ftp_port(const struct ftp_addr *a)
{
	return ntohs(a->ss.ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)&a->ss)->sin6_port
						 : ((const struct sockaddr_in *)&a->ss)->sin_port);
}

static void ftp_set_port(struct ftp_addr *a, uint16_t port)
{
	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
}

/* The local (@peer false) or remote end of socket @fd. */
static void ftp_end(int fd, bool peer, struct ftp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->len = sizeof(a->ss);
	if ((peer ? getpeername : getsockname)(fd, (struct sockaddr *)&a->ss, &a->len) < 0)
		a->len = 0;
}

/* A non-blocking tcp connect from @src (NULL: any; its port is taken as 0) to @dst. */
static int ftp_open(const struct ftp_addr *src, const struct ftp_addr *dst, int *err)
{
	struct ftp_addr from;

	if (src) {
		from = *src;
		ftp_set_port(&from, 0);
	}
	return lab_probe_connect(IR_P_TCP, src ? (struct sockaddr *)&from.ss : NULL,
				 src ? from.len : 0, (const struct sockaddr *)&dst->ss, dst->len, err);
}

/* "a,b,c,d,p1,p2" (PORT, 227) -> address and port; 0 or -1. */
static int parse_hostport(const char *s, struct ftp_addr *a)
{
	unsigned v[6];
	int i;

	if (sscanf(s, "%u,%u,%u,%u,%u,%u", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		if (v[i] > 255)
			return -1;
	ftp_addr4(a, v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3], (uint16_t)(v[4] << 8 | v[5]));
	return 0;
}

int lab_ftp_hostport(const char *s, uint32_t *addr, uint16_t *port)
{
	struct ftp_addr a;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&a.ss;

	if (parse_hostport(s, &a) < 0)
		return -1;
	*addr = ntohl(sin->sin_addr.s_addr);
	*port = ntohs(sin->sin_port);
	return 0;
}

/* "|2|ADDR|PORT|" (EPRT, IPv6 only) -> address and port; 0 or -1. */
static int parse_eprt(const char *s, struct ftp_addr *a)
{
	char ip[INET6_ADDRSTRLEN];
	struct in6_addr in;
	unsigned port;

	if (sscanf(s, "|2|%45[0-9a-fA-F:]|%u|", ip, &port) != 2 || port > 65535 ||
	    inet_pton(AF_INET6, ip, &in) != 1)
		return -1;
	ftp_addr6(a, ir_ip6_of_bytes(in.s6_addr), (uint16_t)port);
	return 0;
}

/* "... (|||PORT|)" (229) -> the port; 0 or -1. */
static int parse_epsv(const char *s, uint16_t *port)
{
	const char *open = strchr(s, '(');
	unsigned p;

	if (!open || sscanf(open, "(|||%u|)", &p) != 1 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

/* ---- server ----------------------------------------------------------- */

static void serve_session(int c)
{
	long deadline = util_now_ms() + 3 * LAB_TIMEOUT_MS;
	int pasv = -1, data = -1, err;
	struct ftp_addr here, port_to = {0}, a;
	uint32_t h;
	uint16_t p;
	char line[256];

	ftp_end(c, false, &here);
	say(c, "220 masqgen lab\r\n");
	while (lab_ftp_line(c, line, sizeof(line), deadline) == 0) {
		if (strncmp(line, "USER", 4) == 0) {
			say(c, "331 any password\r\n");
		} else if (strncmp(line, "PASS", 4) == 0) {
			say(c, "230 logged in\r\n");
		} else if (strncmp(line, "PASV", 4) == 0 && here.ss.ss_family == AF_INET) {
			pasv = lab_probe_listen(AF_INET, IR_P_TCP, 0);
			ftp_end(pasv, false, &a);
			h = ntohl(((struct sockaddr_in *)&here.ss)->sin_addr.s_addr);
			p = ftp_port(&a);
			say(c, "227 Entering Passive Mode (%u,%u,%u,%u,%u,%u)\r\n", h >> 24,
			    h >> 16 & 255, h >> 8 & 255, h & 255, p >> 8, p & 255);
		} else if (strncmp(line, "EPSV", 4) == 0) {
			pasv = lab_probe_listen(here.ss.ss_family, IR_P_TCP, 0);
			ftp_end(pasv, false, &a);
			say(c, "229 Entering Extended Passive Mode (|||%u|)\r\n", ftp_port(&a));
		} else if (strncmp(line, "PORT ", 5) == 0 || strncmp(line, "EPRT ", 5) == 0) {
			if ((line[0] == 'P' ? parse_hostport : parse_eprt)(line + 5, &port_to) < 0)
				say(c, "501 bad address\r\n");
			else
				say(c, "200 ok\r\n");
		} else if (strncmp(line, "RETR", 4) == 0) {
			say(c, "150 here it comes\r\n");
			if (pasv >= 0) {
				if (lab_probe_wait(pasv, POLLIN, deadline) == 1)
					data = accept(pasv, NULL, NULL);
			} else if (port_to.len) {
				data = ftp_open(NULL, &port_to, &err);
				if (data >= 0 && finish_connect(data, deadline) < 0) {
					close(data);
					data = -1;
				}
			}
			if (data < 0) {
				say(c, "425 no data connection\r\n");
				continue;
			}
			if (write(data, FTP_FILE, strlen(FTP_FILE)) < 0)
				(void)0;
			close(data);
			data = -1;
			say(c, "226 done\r\n");
		} else if (strncmp(line, "QUIT", 4) == 0) {
			say(c, "221 bye\r\n");
			break;
		} else {
			say(c, "502 not here\r\n");
		}
	}
	if (pasv >= 0)
		close(pasv);
}

struct ftp_server {
	int family;
	uint16_t port;
};

static void server_body(const char *ns, void *arg, int ready)
{
	struct ftp_server *fs = arg;
	int fd = lab_probe_listen(fs->family, IR_P_TCP, fs->port);

	(void)ns;
	if (fd < 0 || write(ready, "", 1) != 1)
		_exit(1);
	close(ready);
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			continue;
		serve_session(c);
		close(c);
	}
}

/* ---- client ----------------------------------------------------------- */

struct ftp_client {
	bool passive;
	struct ftp_addr src, dst;	/* src.len 0: any source */
};

/* Send @cmd and expect a reply starting with @code; the reply in @line. */
static int step(int c, const char *cmd, const char *code, char *line, size_t size,
		long deadline)
{
	if (cmd && say(c, "%s\r\n", cmd) < 0)
		return -1;
	do {
		if (lab_ftp_line(c, line, size, deadline) < 0)
			return -1;
	} while (line[0] && line[3] == '-');	/* multi-line replies */
	return strncmp(line, code, 3) == 0 ? 0 : -1;
}

static int fail(struct lab_result *r, enum lab_got got, const char *what)
{
	r->got = got;
	snprintf(r->detail, sizeof(r->detail), "%s", what);
	return -1;
}

/* Passive: PASV (IPv4) or EPSV (IPv6), then connect to what the server said. */
static int client_passive(int c, int *data, long deadline, struct lab_result *r)
{
	struct ftp_addr here, to;
	bool v6;
	char line[256], ip[INET6_ADDRSTRLEN], what[96];
	const char *open;
	uint16_t port;
	int err;

	ftp_end(c, false, &here);	/* from the control connection's address, as clients do */
	v6 = here.ss.ss_family == AF_INET6;
	if (step(c, v6 ? "EPSV" : "PASV", v6 ? "229" : "227", line, sizeof(line), deadline) < 0)
		return fail(r, LAB_GOT_NONE, v6 ? "no 229 reply" : "no 227 reply");
	if (v6) {
		ftp_end(c, true, &to);
		if (parse_epsv(line, &port) < 0)
			return fail(r, LAB_GOT_ERROR, "bad 229 reply");
		ftp_set_port(&to, port);
	} else {
		open = strchr(line, '(');
		if (!open || parse_hostport(open + 1, &to) < 0)
			return fail(r, LAB_GOT_ERROR, "bad 227 reply");
	}
	*data = ftp_open(&here, &to, &err);
	if (*data < 0 || finish_connect(*data, deadline) < 0) {
		if (v6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&to.ss)->sin6_addr, ip, sizeof(ip));
		else
			inet_ntop(AF_INET, &((struct sockaddr_in *)&to.ss)->sin_addr, ip, sizeof(ip));
		snprintf(what, sizeof(what), "no passive data connection to %s", ip);
		return fail(r, LAB_GOT_NONE, what);
	}
	return step(c, "RETR lab.txt", "150", line, sizeof(line), deadline) < 0
		       ? fail(r, LAB_GOT_NONE, "RETR refused")
		       : 0;
}

/* Active: PORT (IPv4) or EPRT (IPv6) with our address as the server sees it before NAT. */
static int client_active(int c, int *data, long deadline, struct lab_result *r)
{
	struct ftp_addr here, lis;
	char line[256], cmd[96], ip[INET6_ADDRSTRLEN];
	uint32_t a;
	uint16_t p;
	int l;

	ftp_end(c, false, &here);
	l = lab_probe_listen(here.ss.ss_family, IR_P_TCP, 0);
	if (l < 0)
		return fail(r, LAB_GOT_ERROR, "cannot listen for data");
	ftp_end(l, false, &lis);
	p = ftp_port(&lis);
	if (here.ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&here.ss)->sin6_addr, ip, sizeof(ip));
		snprintf(cmd, sizeof(cmd), "EPRT |2|%s|%u|", ip, p);
	} else {
		a = ntohl(((struct sockaddr_in *)&here.ss)->sin_addr.s_addr);
		snprintf(cmd, sizeof(cmd), "PORT %u,%u,%u,%u,%u,%u", a >> 24, a >> 16 & 255,
			 a >> 8 & 255, a & 255, p >> 8, p & 255);
	}
	if (step(c, cmd, "200", line, sizeof(line), deadline) < 0 ||
	    step(c, "RETR lab.txt", "150", line, sizeof(line), deadline) < 0) {
		close(l);
		return fail(r, LAB_GOT_NONE, "PORT or RETR refused");
	}
	if (lab_probe_wait(l, POLLIN, deadline) == 1)
		*data = accept(l, NULL, NULL);
	close(l);
	return *data < 0 ? fail(r, LAB_GOT_NONE, "no active data connection") : 0;
}

static void client_body(void *arg, struct lab_result *r)
{
	struct ftp_client *fc = arg;
	long deadline = util_now_ms() + 3 * LAB_TIMEOUT_MS;
	char line[256], buf[64];
	int c, data = -1, err;
	size_t got = 0;

	c = ftp_open(fc->src.len ? &fc->src : NULL, &fc->dst, &err);
	if (c < 0 || finish_connect(c, util_now_ms() + LAB_TIMEOUT_MS) < 0) {
		fail(r, lab_probe_got(c < 0 ? err : errno), "no control connection");
		goto out;
	}
	if (step(c, NULL, "220", line, sizeof(line), deadline) < 0 ||
	    step(c, "USER lab", "331", line, sizeof(line), deadline) < 0 ||
	    step(c, "PASS lab", "230", line, sizeof(line), deadline) < 0) {
		fail(r, LAB_GOT_NONE, "login failed");
		goto out;
	}
	if ((fc->passive ? client_passive : client_active)(c, &data, deadline, r) < 0)
		goto out;
	while (got < sizeof(buf) - 1 && lab_probe_wait(data, POLLIN, deadline) == 1) {
		ssize_t n = read(data, buf + got, sizeof(buf) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (strcmp(buf, FTP_FILE) != 0 ||
	    step(c, NULL, "226", line, sizeof(line), deadline) < 0) {
		fail(r, LAB_GOT_NONE, "file not received");
		goto out;
	}
	step(c, "QUIT", "221", line, sizeof(line), deadline);
	r->got = LAB_GOT_ANSWER;
out:
	if (data >= 0)
		close(data);
	if (c >= 0)
		close(c);
}

int lab_ftp(const struct lab_probe *p, struct lab_result *r)
{
	bool v6 = p->family == IR_F_IPV6;
	struct ftp_server fs = {.family = v6 ? AF_INET6 : AF_INET, .port = p->lport};
	struct ftp_client fc = {.passive = p->kind == LAB_K_FTP_PASSIVE};

	if (v6) {
		ftp_addr6(&fc.dst, p->dst6, p->dport);
		if (p->src6)
			ftp_addr6(&fc.src, p->src6, 0);
	} else {
		ftp_addr4(&fc.dst, p->dst, p->dport);
		if (p->src)
			ftp_addr4(&fc.src, p->src, 0);
	}
	return lab_probe_pair(p->to_ns, server_body, &fs, p->from_ns, client_body, &fc, r);
}
