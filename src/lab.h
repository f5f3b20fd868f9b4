/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lab.h - `masqgen lab`: a throwaway network-namespace lab for a policy.
 *
 *   lab.c        the command: options, signals, running the plan, the table
 *   lab_net.c    the topology: namespaces, veths, bridges, addresses, routes,
 *                applying the policy in the gateway, cleanup
 *   lab_plan.c   the probes and the outcome the policy (IR) predicts for each
 *   lab_verdict.c the IR's filter chains applied to one packet (by ir_match)
 *   lab_sample.c drawn packets instead of the plan (--sample)
 *   lab_probe.c  the probes themselves: sockets opened inside namespaces
 *   lab_ftp.c    a tiny FTP server and client for the ftp helper probes
 *
 * Every namespace is named "mqlab-<pid>-<role>" ("mqlab-<pid>k-<role>" with
 * --keep); the host's own namespace is never touched. Addresses are in host
 * byte order.
 */
#ifndef MASQGEN_LAB_H
#define MASQGEN_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "ir.h"

#define LAB_NS_MAX 64
#define LAB_IF_MAX 16
#define LAB_TIMEOUT_MS 2000

/* One namespace with one interface eth0 on a LAN (a LAN host or a server). */
struct lab_host {
	char ns[LAB_NS_MAX];
	char label[32];		/* "lan eth1", "server 192.168.0.10" */
	uint32_t addr;
	uint8_t len;
	uint32_t router;	/* default route */
	ir_u128 addr6;		/* its IPv6 address (lab_v6.c), 0: none */
	size_t lan;		/* index into lab->lans */
};

/* An internal interface of the gateway: a bridge in its own switch namespace. */
struct lab_lan {
	char ifname[LAB_IF_MAX];	/* the gateway's name for it */
	char sw_ns[LAB_NS_MAX];
	size_t n_ports;			/* bridge ports made so far */
	uint32_t *gw_addrs;		/* the gateway's address on each network */
	uint8_t *gw_lens;
	ir_u128 net6, gw6;		/* its IPv6 prefix (a /64) and the gateway's address on it */
	size_t n_nets, cap_nets, cap_lens;
};

/* An external interface of the gateway and the Internet host's side of it. */
struct lab_link {
	char ifname[LAB_IF_MAX];
	const char *policy_name;	/* as the IR names it (may end in '+') */
	uint32_t gw_addr;		/* the gateway's address on the link */
	uint32_t inet_addr;		/* the Internet host's */
	uint8_t len;
	unsigned mtu;			/* the gateway's side: 1492 for a ppp link, as PPPoE */
	uint32_t *aliases;		/* 1:1 publics and SNAT `to` addresses */
	size_t n_aliases, cap_aliases;
};

struct lab {
	const struct ir *ir;
	const char *policy;
	const char *target;		/* "nft" or "iptables" */
	bool keep;			/* --keep: prefix "mqlab-<pid>k-", never reaped */
	char prefix[32];		/* "mqlab-<pid>-" */
	char gw_ns[LAB_NS_MAX], inet_ns[LAB_NS_MAX];
	uint32_t far_addr;		/* a client beyond the Internet host */
	uint32_t spoof_addr;		/* a LAN address the Internet host also owns */
	uint32_t *inet_extra;		/* more source addresses on the Internet host */
	size_t n_inet_extra, cap_inet_extra;

	struct lab_link *links;
	size_t n_links, cap_links;
	struct lab_lan *lans;
	size_t n_lans, cap_lans;
	/* IPv6 (lab_v6.c): the first link's addresses, whether apply forwards it */
	ir_u128 gw_ext6, inet6;
	bool v6_forwarding;
	/* more IPv6 addresses of LAN hosts: the targets of IPv6 user rules (pinholes) */
	struct lab_v6_extra {
		size_t host;
		ir_u128 addr;
	} *v6_extra;
	size_t n_v6_extra, cap_v6_extra;
	/* more IPv6 sources of the Internet host: those IPv6 user rules name */
	ir_u128 *inet6_extra;
	size_t n_inet6_extra, cap_inet6_extra;

	struct lab_host *hosts;		/* LAN hosts first (one per network), then servers */
	size_t n_hosts, cap_hosts, n_lan_hosts;
};

/* lab_net.c */

/* Work out names and addresses from the IR; -1 (printed) when the lab cannot. */
int lab_net_plan(struct lab *lab, const struct ir *ir);
/* The host (LAN host or server) that owns @addr, or NULL. */
const struct lab_host *lab_net_host(const struct lab *lab, uint32_t addr);
/*
 * The address on the Internet host to send from when only @from may
 * connect (empty: anyone): the far client if it may, else a planned extra
 * source, else 0 (none of the lab's Internet addresses is allowed).
 */
uint32_t lab_net_source(const struct lab *lab, const struct ir_addrs *from);
/* The gateway's interface name in the lab for a policy name ("ppp+" -> "ppp0"). */
const char *lab_net_ifname(const struct lab *lab, const char *policy_name);
/* The link of the external interface @policy_name, or NULL. */
const struct lab_link *lab_net_link(const struct lab *lab, const char *policy_name);
/* Create every namespace and link; -1 (printed) on failure. */
int lab_net_build(struct lab *lab);
/* Apply @policy with target @target in namespace @ns with this binary; -1 (printed) on failure. */
int lab_net_apply_in(const char *ns, const char *target, const char *policy);
/* Create namespace @ns (removed by lab_net_cleanup()); -1 (printed) on failure. */
int lab_net_ns_add(const char *ns);
/* Remove every namespace this process created (safe to call twice). */
void lab_net_cleanup(void);
/*
 * Remove lab namespaces left behind by processes that no longer exist
 * (not those of a lab run with --keep: they are left on purpose).
 */
void lab_net_reap_stale(void);
/* Names of the namespaces created so far, for --keep. */
size_t lab_net_created(const char ***names);
void lab_net_free(struct lab *lab);

/* Enter the network namespace @ns (in a child process); 0 or -1. */
int lab_enter_ns(const char *ns);

/* Set by lab.c's signal handler; long waits check it (defined in lab_net.c). */
extern volatile int lab_interrupted;

/* lab_probe.c: what a probe observed. */
enum lab_got {
	LAB_GOT_ANSWER,		/* the intended target answered */
	LAB_GOT_REFUSED,	/* connection refused / port unreachable */
	LAB_GOT_UNREACH,	/* ICMP unreachable (not port) or EHOSTUNREACH */
	LAB_GOT_NONE,		/* no answer within the timeout */
	LAB_GOT_ERROR,		/* the probe itself could not run */
};

struct lab_result {
	enum lab_got got;
	uint32_t seen_src;	/* the source address the target saw */
	uint16_t seen_mss;	/* tcp: the segment size the target may send */
	ir_u128 seen_src6;	/* IPv6: the source the target saw */
	char detail[96];	/* for GOT_ERROR, or the FTP step that failed */
};

/*
 * A connection (tcp or udp) from namespace @from_ns, bound to @src (0: any),
 * to @dst:@dport; a listener in @to_ns on @lport (the port after any
 * translation) answers with its name and the peer it saw.
 */
int lab_probe_conn(uint8_t proto, const char *from_ns, uint32_t src, uint32_t dst,
		   uint16_t dport, const char *to_ns, uint16_t lport, struct lab_result *r);
/* ICMP echo from @from_ns (source @src, 0: any) to @dst. */
int lab_probe_ping(const char *from_ns, uint32_t src, uint32_t dst, struct lab_result *r);
/*
 * Send one packet of @proto from @from_ns bound to @src to @dst:@dport and
 * watch @to_ns with a raw socket for a packet to port @lport: ANSWER when
 * it arrived there.
 */
int lab_probe_sniff(uint8_t proto, const char *from_ns, uint32_t src, uint32_t dst,
		    uint16_t dport, const char *to_ns, uint16_t lport, struct lab_result *r);

/* lab_probe6.c: the same over IPv6 (the listener on @port, no translation). */
int lab_probe_conn6(uint8_t proto, const char *from_ns, ir_u128 src, ir_u128 dst, uint16_t port,
		    const char *to_ns, struct lab_result *r);
/* ICMPv6 echo from @from_ns (source @src, 0: any) to @dst. */
int lab_probe_ping6(const char *from_ns, ir_u128 src, ir_u128 dst, struct lab_result *r);

/* Building blocks the FTP probe shares. */
struct sockaddr_in;
void lab_probe_sin(struct sockaddr_in *sin, uint32_t addr, uint16_t port);
/* Wait for @events on @fd until @deadline (util_now_ms()): 1, 0 timeout, -1. */
int lab_probe_wait(int fd, short events, long deadline);
enum lab_got lab_probe_got(int err);
/* A listening tcp or bound udp socket of @family (AF_INET, AF_INET6) on @port; fd or -1. */
int lab_probe_listen(int family, uint8_t proto, uint16_t port);
/*
 * A non-blocking socket of @dst's family bound to @src (NULL: any), connect
 * to @dst started; fd or -1 (*err). lab_probe_open(): the same for IPv4
 * addresses (@src 0: any).
 */
int lab_probe_connect(uint8_t proto, const struct sockaddr *src, socklen_t src_len,
		      const struct sockaddr *dst, socklen_t dst_len, int *err);
int lab_probe_open(uint8_t proto, uint32_t src, uint32_t dst, uint16_t dport, int *err);
/*
 * Start a child in @ns that runs @body(ns, @arg, ready fd); returns its pid
 * once the child wrote one byte to the ready fd, or -1.
 */
pid_t lab_probe_spawn(const char *ns, void (*body)(const char *ns, void *arg, int ready),
		      void *arg);
/*
 * Run @body(@arg, result) in a child inside @ns and copy back the result it
 * fills in; bounded by 4 * LAB_TIMEOUT_MS. 0, or -1 when the child failed.
 */
int lab_probe_run(const char *ns, void (*body)(void *arg, struct lab_result *r), void *arg,
		  struct lab_result *r);
/*
 * A server @server(@server_arg) spawned in @to_ns, then @client(@client_arg)
 * run in @from_ns as lab_probe_run() does; the server is reaped after. 0,
 * or -1 (r says why: no server, or the client failed).
 */
int lab_probe_pair(const char *to_ns, void (*server)(const char *ns, void *arg, int ready),
		   void *server_arg, const char *from_ns,
		   void (*client)(void *arg, struct lab_result *r), void *client_arg,
		   struct lab_result *r);
/*
 * A connection of @proto on non-blocking @fd (connect started): tcp waits
 * until it is up, udp sends the probe line. LAB_GOT_ANSWER when that
 * worked, else what the probe got.
 */
enum lab_got lab_probe_started(uint8_t proto, int fd, long deadline);
/* Kill and wait for a child started by lab_probe_spawn(). */
void lab_probe_reap(pid_t pid);

/*
 * lab_ftp.c: USER, PASS, PASV or PORT (IPv6: EPSV or EPRT), RETR of a
 * small file, for an FTP probe @p: from its from_ns (source src or src6,
 * 0: any) to dst:dport (dst6); the server listens in to_ns on lport.
 * ANSWER when the file arrived intact.
 */
struct lab_probe;
int lab_ftp(const struct lab_probe *p, struct lab_result *r);
/* The address and port of a PORT command's or 227 reply's "a,b,c,d,p1,p2"; 0 or -1. */
int lab_ftp_hostport(const char *s, uint32_t *addr, uint16_t *port);
/* Read one CRLF line from @fd by @deadline into @buf (without CRLF); 0 or -1. */
int lab_ftp_line(int fd, char *buf, size_t size, long deadline);

/* lab_verdict.c: the first packet of a probe as the gateway's filter sees it. */
struct lab_pkt {
	const char *iif, *oif;		/* lab names; NULL: the gateway itself */
	uint32_t saddr, daddr;
	uint8_t proto;
	uint16_t sport;			/* 0: the kernel picks one (no port list holds it) */
	uint16_t dport;
	int icmp_type;			/* -1: not icmp */
	bool dnat_forward;		/* translated by one of masqgen's forwards */
	unsigned family;		/* IR_F_IPV6: saddr6 and daddr6 hold the addresses */
	ir_u128 saddr6, daddr6;
};

/* The verdict of chain @id for @p (a chain not emitted accepts). */
enum ir_verdict lab_verdict_chain(const struct lab *lab, enum ir_chain_id id,
				  const struct lab_pkt *p);
/* A packet arriving at the gateway: raw (anti-spoofing), then @id. */
enum ir_verdict lab_verdict_gw(const struct lab *lab, enum ir_chain_id id,
			       const struct lab_pkt *p);

/* Run ip(8) with the words of @fmt; -1 after printing why (lab_net.c). */
int lab_net_ip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write sysctl @key (slashes, below /proc/sys) inside namespace @ns; 0 or -1. */
int lab_net_sysctl(const char *ns, const char *key, const char *value);

/* lab_v6.c: IPv6 addresses for the lab (after lab_net_plan), built after lab_net_build(). */
void lab_v6_plan(struct lab *lab);
int lab_v6_build(struct lab *lab);

/*
 * lab_cluster.c: `lab --cluster`: the HA pair of @mine (POLICY) and @peer
 * (the other node's policy), failed over and back with live connections.
 * An exit status (EXIT_OK, EXIT_NO a probe failed, EXIT_SYSTEM, EXIT_POLICY).
 */
int lab_cluster_run(const struct ir *mine, const char *policy, const struct ir *peer,
		    const char *peer_policy, const char *target);
/* Stop the pair's daemons (safe to call twice, and at exit). */
void lab_cluster_stop(void);

/* lab_plan.c */
enum lab_expect {
	LAB_EXP_SOURCE,		/* the target answers and saw a given source */
	LAB_EXP_REACH,		/* the target answers */
	LAB_EXP_DROP,		/* no answer */
	LAB_EXP_REFUSED,	/* refused (reject) */
	LAB_EXP_NOT_REACH,	/* anything but the target answering */
	LAB_EXP_MSS,		/* the target answers and may send at most want_mss */
};

enum lab_kind {
	LAB_K_CONN,
	LAB_K_PING,
	LAB_K_SNIFF,
	LAB_K_FTP_ACTIVE,
	LAB_K_FTP_PASSIVE,
};

struct lab_probe {
	char name[128];
	enum lab_kind kind;
	uint8_t proto;
	const char *from_ns, *to_ns;
	uint32_t src, dst;
	uint16_t dport, lport;
	enum lab_expect expect;
	uint32_t want_src;
	uint16_t want_mss;
	unsigned family;	/* IR_F_IPV6: src6, dst6 and want_src6 instead */
	ir_u128 src6, dst6, want_src6;
	bool from_gateway;	/* sent by the gateway itself: its output filter answers EPERM */
	/* the first packet as the gateway sees it, in `masqgen explain` syntax, or "" */
	char explain[160];
};

struct lab_plan {
	struct lab_probe *v;
	size_t n, cap;
};

/* Every probe for @lab with its expected outcome. */
void lab_plan_build(const struct lab *lab, struct lab_plan *plan);
/* lab_v6.c: the IPv6 probes, predicted by the IR's matcher like the IPv4 ones. */
void lab_v6_probes(const struct lab *lab, struct lab_plan *plan);

/*
 * lab_sample.c: @n drawn tcp and udp packets (seeded by the policy's file
 * name) with the verdict the lab predicts, each watched where explain's
 * engine says it goes.
 */
void lab_sample_build(const struct lab *lab, unsigned n, struct lab_plan *plan);

#endif
