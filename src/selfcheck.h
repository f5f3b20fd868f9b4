/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * selfcheck.h - before any apply: would the new ruleset still let the
 * admin's own session in? A remote admin who applies a policy that drops
 * ssh from where they sit loses the gateway.
 *
 * The session is SSH_CONNECTION ("CLIENT_IP CLIENT_PORT SERVER_IP
 * SERVER_PORT"), or, when sudo has stripped the environment, the peer of
 * the TCP socket the nearest sshd ancestor holds (/proc/PID/stat for the
 * parents, /proc/PID/fd and /proc/PID/net/tcp{,6} for the socket). The
 * new ruleset is asked, through explain's evaluator, whether a new
 * connection from CLIENT_IP to SERVER_IP:SERVER_PORT arriving on the
 * interface that holds SERVER_IP is accepted and delivered to the gateway.
 */
#ifndef MASQGEN_SELFCHECK_H
#define MASQGEN_SELFCHECK_H

#include <stdbool.h>
#include <stdint.h>

struct ir;

/* A TCP session; addresses in network byte order, ports in host order. */
struct selfcheck_session {
	int family;			/* AF_INET or AF_INET6 */
	unsigned char client[16], server[16];
	uint16_t client_port, server_port;
};

/*
 * Parse SSH_CONNECTION's value. An IPv4-mapped IPv6 address counts as
 * IPv4. Returns 0, or -1 when @s does not have that form.
 */
int selfcheck_parse_ssh(const char *s, struct selfcheck_session *ses);

/*
 * Find the established connection of the socket with inode @inode in
 * @text, the contents of /proc/net/tcp (@family AF_INET) or
 * /proc/net/tcp6 (AF_INET6): local address is the server, remote the
 * client. Returns 0 and fills @ses, or -1 when it is not there.
 */
int selfcheck_tcp_find(const char *text, int family, unsigned long inode,
		       struct selfcheck_session *ses);

/*
 * The check itself, before apply changes anything. No session found:
 * nothing to check. Returns 0 to go on, or -1 after explaining which
 * policy line would cut the session (with @force: a warning, and 0).
 */
int selfcheck_run(struct ir *ir, bool force);

#endif
