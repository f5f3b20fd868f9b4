// SPDX-License-Identifier: GPL-2.0-or-later
/* nl.c - netlink sockets to the netfilter subsystems and rtnetlink, and request/answer */
#include "nl.h"

#include "diag.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter.h>
#include <linux/netlink.h>

/* Answers are small, but a dump page may carry up to this much. */
#define NL_RECV_SIZE (64u * 1024 + 4096)

static struct mnl_socket *nl_open_bus(int bus, const char *what)
{
	struct mnl_socket *nl = mnl_socket_open(bus);
	int one = 1;

	if (!nl) {
		diag_error(NULL, "cannot open a netlink socket to %s: %s", what, strerror(errno));
		return NULL;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		diag_error(NULL, "cannot bind a netlink socket to %s: %s", what, strerror(errno));
		mnl_socket_close(nl);
		return NULL;
	}
	/* Both are optional: older kernels answer without them. */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return nl;
}

struct mnl_socket *nl_open(void)
{
	return nl_open_bus(NETLINK_NETFILTER, "netfilter");
}

struct mnl_socket *nl_open_route(void)
{
	return nl_open_bus(NETLINK_ROUTE, "the routing tables");
}

uint32_t nl_seq(void)
{
	static uint32_t next;

	if (!next)
		next = (uint32_t)time(NULL);
	return next++;
}

int nl_request(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char *buf = xmalloc(NL_RECV_SIZE);
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t len;
	int rc = -1, err = 0;

	nlh->nlmsg_seq = nl_seq();
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = errno;
		goto out;
	}
	for (;;) {
		len = mnl_socket_recvfrom(nl, buf, NL_RECV_SIZE);
		if (len < 0) {
			err = errno;
			break;
		}
		len = mnl_cb_run(buf, (size_t)len, nlh->nlmsg_seq, portid, cb, data);
		if (len < 0) {
			err = errno;
			break;
		}
		if (len == MNL_CB_STOP) {
			rc = 0;
			break;
		}
	}
out:
	free(buf);
	errno = err;
	return rc;
}

const char *nl_family_name(uint32_t f)
{
	switch (f) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_NETDEV:
		return "netdev";
	}
	return "?";
}

