// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stun_reply.c ADDR PORT SECONDS - a minimal STUN responder (RFC 5389
 * Binding) for suite-kernel-upnp.sh: on UDP ADDR:PORT it answers every
 * Binding Request with a Binding Success Response carrying the sender's
 * address and port as XOR-MAPPED-ADDRESS, from the same address and port
 * whatever CHANGE-REQUEST asks (the answer of a full-cone NAT's outside,
 * which is what miniupnpd's STUN test wants to see). It runs inside a test
 * namespace; SIGALRM ends it after SECONDS. Exit 1 on a socket error, 2 on
 * bad arguments.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in me = {.sin_family = AF_INET}, peer;
	unsigned char req[548], resp[32];
	socklen_t plen;
	uint32_t addr;
	uint16_t port;
	ssize_t n;
	int fd;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &me.sin_addr) != 1 || atoi(argv[3]) <= 0) {
		fprintf(stderr, "usage: stun_reply ADDR PORT SECONDS\n");
		return 2;
	}
	me.sin_port = htons((uint16_t)atoi(argv[2]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("stun_reply");
		return 1;
	}
	alarm((unsigned)atoi(argv[3]));
	for (;;) {
		plen = sizeof(peer);
		n = recvfrom(fd, req, sizeof(req), 0, (struct sockaddr *)&peer, &plen);
		if (n < 0) {
			perror("stun_reply: recvfrom");
			return 1;
		}
		/* a Binding Request: type 0x0001, the magic cookie, a transaction id */
		if (n < 20 || req[0] != 0x00 || req[1] != 0x01 ||
		    memcmp(req + 4, "\x21\x12\xa4\x42", 4) != 0)
			continue;
		/*
		 * a Binding Success Response (0x0101) with the request's cookie and
		 * transaction id and one attribute of 4 + 8 bytes:
		 * XOR-MAPPED-ADDRESS (0x0020), IPv4 (family 1)
		 */
		memset(resp, 0, sizeof(resp));
		resp[0] = 0x01;
		resp[1] = 0x01;
		resp[3] = 12;
		memcpy(resp + 4, req + 4, 16);
		resp[21] = 0x20;
		resp[23] = 8;
		resp[25] = 0x01;
		port = ntohs(peer.sin_port) ^ 0x2112;
		addr = ntohl(peer.sin_addr.s_addr) ^ 0x2112a442u;
		resp[26] = port >> 8;
		resp[27] = port & 0xff;
		resp[28] = addr >> 24;
		resp[29] = (addr >> 16) & 0xff;
		resp[30] = (addr >> 8) & 0xff;
		resp[31] = addr & 0xff;
		if (sendto(fd, resp, sizeof(resp), 0, (struct sockaddr *)&peer, plen) < 0)
			perror("stun_reply: sendto");
	}
}
