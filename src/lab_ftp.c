// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab_ftp.c - just enough FTP to prove the ftp helper: USER, PASS, PASV or
 * PORT, RETR of one small file, QUIT. The addresses in PORT and in the 227
 * reply are the ones the helper must rewrite; without it the data
 * connection goes to a private address and the gateway's filter stops it.
 */
#include "lab.h"

#include "ir.h"

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

/* Read one CRLF line from @fd into @buf (without CRLF); 0 or -1. */
static int read_line(int fd, char *buf, size_t size, long deadline)
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

/* "a,b,c,d,p1,p2" -> address and port; 0 or -1. */
static int parse_hostport(const char *s, uint32_t *addr, uint16_t *port)
{
	unsigned v[6];
	int i;

	if (sscanf(s, "%u,%u,%u,%u,%u,%u", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		if (v[i] > 255)
			return -1;
	*addr = v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3];
	*port = (uint16_t)(v[4] << 8 | v[5]);
	return 0;
}

static void local_of(int fd, uint32_t *addr, uint16_t *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	getsockname(fd, (struct sockaddr *)&sin, &len);
	*addr = ntohl(sin.sin_addr.s_addr);
	*port = ntohs(sin.sin_port);
}

/* ---- server ----------------------------------------------------------- */

static void serve_session(int c)
{
	long deadline = lab_probe_now() + 3 * LAB_TIMEOUT_MS;
	int pasv = -1, data = -1, err;
	uint32_t port_addr = 0, a, la;
	uint16_t port_port = 0, p;
	char line[256];

	say(c, "220 masqgen lab\r\n");
	while (read_line(c, line, sizeof(line), deadline) == 0) {
		if (strncmp(line, "USER", 4) == 0) {
			say(c, "331 any password\r\n");
		} else if (strncmp(line, "PASS", 4) == 0) {
			say(c, "230 logged in\r\n");
		} else if (strncmp(line, "PASV", 4) == 0) {
			pasv = lab_probe_listen(IR_P_TCP, 0);
			local_of(c, &a, &p);
			local_of(pasv, &la, &p);
			say(c, "227 Entering Passive Mode (%u,%u,%u,%u,%u,%u)\r\n", a >> 24,
			    a >> 16 & 255, a >> 8 & 255, a & 255, p >> 8, p & 255);
		} else if (strncmp(line, "PORT ", 5) == 0) {
			if (parse_hostport(line + 5, &port_addr, &port_port) < 0)
				say(c, "501 bad address\r\n");
			else
				say(c, "200 ok\r\n");
		} else if (strncmp(line, "RETR", 4) == 0) {
			say(c, "150 here it comes\r\n");
			if (pasv >= 0) {
				if (lab_probe_wait(pasv, POLLIN, deadline) == 1)
					data = accept(pasv, NULL, NULL);
			} else if (port_port) {
				data = lab_probe_open(IR_P_TCP, 0, port_addr, port_port, &err);
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
	uint16_t port;
};

static void server_body(const char *ns, void *arg, int ready)
{
	struct ftp_server *fs = arg;
	int fd = lab_probe_listen(IR_P_TCP, fs->port);

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
	uint32_t src, dst;
	uint16_t dport;
};

/* Send @cmd and expect a reply starting with @code; the reply in @line. */
static int step(int c, const char *cmd, const char *code, char *line, size_t size,
		long deadline)
{
	if (cmd && say(c, "%s\r\n", cmd) < 0)
		return -1;
	do {
		if (read_line(c, line, size, deadline) < 0)
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

static int client_data(const struct ftp_client *fc, int c, int *data, long deadline,
		       struct lab_result *r)
{
	char line[256], cmd[64];
	uint32_t a, la;
	uint16_t p, lp;
	int err, l;

	if (fc->passive) {
		const char *open;

		if (step(c, "PASV", "227", line, sizeof(line), deadline) < 0)
			return fail(r, LAB_GOT_NONE, "no 227 reply");
		open = strchr(line, '(');
		if (!open || parse_hostport(open + 1, &a, &p) < 0)
			return fail(r, LAB_GOT_ERROR, "bad 227 reply");
		local_of(c, &la, &lp);	/* from the control connection's address, as clients do */
		*data = lab_probe_open(IR_P_TCP, la, a, p, &err);
		if (*data < 0 || finish_connect(*data, deadline) < 0) {
			char ip[16], what[64];

			snprintf(what, sizeof(what), "no passive data connection to %s",
				 ir_ip_str(a, ip));
			return fail(r, LAB_GOT_NONE, what);
		}
		return step(c, "RETR lab.txt", "150", line, sizeof(line), deadline) < 0
			       ? fail(r, LAB_GOT_NONE, "RETR refused")
			       : 0;
	}
	l = lab_probe_listen(IR_P_TCP, 0);
	if (l < 0)
		return fail(r, LAB_GOT_ERROR, "cannot listen for data");
	local_of(c, &a, &p);	/* our address as the server sees it, before NAT */
	local_of(l, &la, &p);	/* the data port */
	snprintf(cmd, sizeof(cmd), "PORT %u,%u,%u,%u,%u,%u", a >> 24, a >> 16 & 255, a >> 8 & 255,
		 a & 255, p >> 8, p & 255);
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
	long deadline = lab_probe_now() + 3 * LAB_TIMEOUT_MS;
	char line[256], buf[64];
	int c, data = -1, err;
	size_t got = 0;

	c = lab_probe_open(IR_P_TCP, fc->src, fc->dst, fc->dport, &err);
	if (c < 0 || finish_connect(c, lab_probe_now() + LAB_TIMEOUT_MS) < 0) {
		fail(r, lab_probe_got(c < 0 ? err : errno), "no control connection");
		goto out;
	}
	if (step(c, NULL, "220", line, sizeof(line), deadline) < 0 ||
	    step(c, "USER lab", "331", line, sizeof(line), deadline) < 0 ||
	    step(c, "PASS lab", "230", line, sizeof(line), deadline) < 0) {
		fail(r, LAB_GOT_NONE, "login failed");
		goto out;
	}
	if (client_data(fc, c, &data, deadline, r) < 0)
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

int lab_ftp(bool passive, const char *client_ns, uint32_t src, uint32_t dst, uint16_t dport,
	    const char *server_ns, uint16_t lport, struct lab_result *r)
{
	struct ftp_server fs = {.port = lport};
	struct ftp_client fc = {.passive = passive, .src = src, .dst = dst, .dport = dport};

	return lab_probe_pair(server_ns, server_body, &fs, client_ns, client_body, &fc, r);
}
