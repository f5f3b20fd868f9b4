// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ra_send.c IFACE LIFETIME - send one ICMPv6 router advertisement to
 * all nodes (ff02::1) on IFACE, from its link-local address, with router
 * lifetime LIFETIME seconds and no prefix: a host with accept_ra learns a
 * default route through the sender. For suite-kernel-ipv6.sh, which runs
 * it inside a test namespace. Exit 0 when it was sent.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in6 to = {.sin6_family = AF_INET6};
	struct nd_router_advert ra;
	unsigned ifindex;
	int fd, hops = 255;

	if (argc != 3 || !(ifindex = if_nametoindex(argv[1]))) {
		fprintf(stderr, "usage: ra_send IFACE LIFETIME\n");
		return 2;
	}
	fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0) {
		perror("ra_send: socket");
		return 1;
	}
	memset(&ra, 0, sizeof(ra));
	ra.nd_ra_type = ND_ROUTER_ADVERT;
	ra.nd_ra_curhoplimit = 64;
	ra.nd_ra_router_lifetime = htons((uint16_t)atoi(argv[2]));
	inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	to.sin6_scope_id = ifindex;
	/* the kernel fills in the checksum of an ICMPv6 raw socket */
	if (sendto(fd, &ra, sizeof(ra), 0, (struct sockaddr *)&to, sizeof(to)) != sizeof(ra)) {
		perror("ra_send: sendto");
		return 1;
	}
	close(fd);
	return 0;
}
