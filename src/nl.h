/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nl.h - netlink sockets to the netfilter subsystems (nf_tables and
 * ctnetlink), shared by the nft batch, the state reader and the conntrack
 * cleanup, and to rtnetlink for the policy routing of several externals.
 */
#ifndef MASQGEN_NL_H
#define MASQGEN_NL_H

#include <libmnl/libmnl.h>

/*
 * A bound NETLINK_NETFILTER socket with extended acks (the kernel's reason
 * as text) and capped acks (an error does not echo a 64 KiB message back).
 * Returns NULL after reporting why. Close it with mnl_socket_close().
 */
struct mnl_socket *nl_open(void);

/* The same to rtnetlink (NETLINK_ROUTE): routes and policy routing rules. */
struct mnl_socket *nl_open_route(void);

/* A fresh sequence number for a request on any of our sockets. */
uint32_t nl_seq(void);

/*
 * Send the request @nlh (a dump, or a request with NLM_F_ACK) and run @cb
 * on every answer until the dump ends or the ack arrives. Returns 0, or -1
 * with errno set (the kernel's error, or the socket's); prints nothing.
 */
int nl_request(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* nftables' name of netfilter family @f: "ip", "ip6", "inet", "arp", "bridge", "netdev", else "?". */
const char *nl_family_name(uint32_t f);

#endif
