// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_selfcheck.c - how apply finds the admin's session: SSH_CONNECTION,
 * and the /proc/net/tcp{,6} lines of an sshd's socket (sample text of an
 * x86 host, and a real connection read back from this process's own file).
 */
#include "selfcheck.h"
#include "unit.h"
#include "util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* The session's addresses as text, for comparisons. */
static const char *addr(const struct selfcheck_session *s, bool client, char *buf)
{
	return inet_ntop(s->family, client ? s->client : s->server, buf, INET6_ADDRSTRLEN);
}

static void test_ssh_connection(void)
{
	struct selfcheck_session s;
	char a[INET6_ADDRSTRLEN];

	CHECK(selfcheck_parse_ssh("198.51.100.7 50022 203.0.113.1 22", &s) == 0);
	CHECK(s.family == AF_INET);
	CHECK_STR(addr(&s, true, a), "198.51.100.7");
	CHECK_STR(addr(&s, false, a), "203.0.113.1");
	CHECK(s.client_port == 50022 && s.server_port == 22);
	CHECK(selfcheck_parse_ssh("2001:db8::7 40000 2001:db8::1 2222", &s) == 0);
	CHECK(s.family == AF_INET6 && s.server_port == 2222);
	CHECK_STR(addr(&s, false, a), "2001:db8::1");
	/* an IPv4 session on a dual-stack sshd is IPv4 */
	CHECK(selfcheck_parse_ssh("::ffff:198.51.100.7 1 ::ffff:203.0.113.1 22", &s) == 0);
	CHECK(s.family == AF_INET);
	CHECK_STR(addr(&s, true, a), "198.51.100.7");
	CHECK(selfcheck_parse_ssh("198.51.100.7 50022 203.0.113.1", &s) == -1);
	CHECK(selfcheck_parse_ssh("198.51.100.7 50022 203.0.113.1 22 x", &s) == -1);
	CHECK(selfcheck_parse_ssh("198.51.100.7 50022 203.0.113.1 70000", &s) == -1);
	CHECK(selfcheck_parse_ssh("198.51.100.7 1 2001:db8::1 22", &s) == -1);
	CHECK(selfcheck_parse_ssh("ssh.example 1 203.0.113.1 22", &s) == -1);
}

/* /proc/net/tcp of a little-endian host: a listener, the session, another connection. */
static const char tcp_sample[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	"timeout inode\n"
	"   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0   "
	"     0 18243 1 0000000000000000 100 0 0 10 0\n"
	"   1: 017100CB:0016 076433C6:C3A6 01 00000000:00000000 02:000A5E5B 00000000     0   "
	"     0 90211 2 0000000000000000 20 4 29 10 -1\n"
	"   2: 0100A8C0:9C40 0A00A8C0:0050 06 00000000:00000000 03:00000F1A 00000000     0   "
	"     0 0 3 0000000000000000\n";

static const char tcp6_sample[] =
	"  sl  local_address                         remote_address                        st "
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A "
	"00000000:00000000 00:00000000 00000000     0        0 18245 1 0000000000000000 100 0 0 "
	"10 0\n"
	"   1: B80D0120000000000000000001000000:0016 B80D0120000000000000000007000000:9C40 01 "
	"00000000:00000000 02:00009D7A 00000000     0        0 90377 2 0000000000000000 20 4 30 "
	"10 -1\n"
	"   2: 0000000000000000FFFF0000017100CB:0016 0000000000000000FFFF0000076433C6:D431 01 "
	"00000000:00000000 02:00009D7A 00000000     0        0 90400 2 0000000000000000 20 4 30 "
	"10 -1\n";

static void test_proc_net_tcp(void)
{
	struct selfcheck_session s;
	char a[INET6_ADDRSTRLEN];

	CHECK(selfcheck_tcp_find(tcp_sample, AF_INET, 90211, &s) == 0);
	CHECK(s.family == AF_INET);
	CHECK_STR(addr(&s, false, a), "203.0.113.1");
	CHECK_STR(addr(&s, true, a), "198.51.100.7");
	CHECK(s.server_port == 22 && s.client_port == 50086);
	/* a listening socket is not a session */
	CHECK(selfcheck_tcp_find(tcp_sample, AF_INET, 18243, &s) == -1);
	CHECK(selfcheck_tcp_find(tcp_sample, AF_INET, 4242, &s) == -1);
	CHECK(selfcheck_tcp_find("", AF_INET, 90211, &s) == -1);

	CHECK(selfcheck_tcp_find(tcp6_sample, AF_INET6, 90377, &s) == 0);
	CHECK(s.family == AF_INET6);
	CHECK_STR(addr(&s, false, a), "2001:db8::1");
	CHECK_STR(addr(&s, true, a), "2001:db8::7");
	CHECK(s.client_port == 40000);
	/* IPv4 through a dual-stack listener */
	CHECK(selfcheck_tcp_find(tcp6_sample, AF_INET6, 90400, &s) == 0);
	CHECK(s.family == AF_INET);
	CHECK_STR(addr(&s, true, a), "198.51.100.7");
	CHECK(s.client_port == 54321);
	/* the wrong family's file never matches */
	CHECK(selfcheck_tcp_find(tcp6_sample, AF_INET, 90377, &s) == -1);
}

/* A real loopback connection, found again in this process's /proc/net/tcp. */
static void test_live_socket(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	struct selfcheck_session s;
	struct strbuf text = {0};
	char buf[4096], a[INET6_ADDRSTRLEN];
	struct stat st;
	int l, c, srv, fd;
	ssize_t n;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(l >= 0 && bind(l, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(l, 1) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&sa, &len) == 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	srv = accept(l, NULL, NULL);
	CHECK(srv >= 0 && fstat(srv, &st) == 0);
	fd = open("/proc/self/net/tcp", O_RDONLY);
	CHECK(fd >= 0);
	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		sb_addn(&text, buf, (size_t)n);
	sb_add(&text, "");
	CHECK(selfcheck_tcp_find(text.buf, AF_INET, (unsigned long)st.st_ino, &s) == 0);
	CHECK_STR(addr(&s, false, a), "127.0.0.1");
	CHECK_STR(addr(&s, true, a), "127.0.0.1");
	CHECK(s.server_port == ntohs(sa.sin_port));
	sb_free(&text);
	if (fd >= 0)
		close(fd);
	close(srv);
	close(c);
	close(l);
}

int main(void)
{
	RUN(test_ssh_connection);
	RUN(test_proc_net_tcp);
	RUN(test_live_socket);
	UNIT_EXIT();
}
