// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab.c - `masqgen lab`: build throwaway namespaces around a gateway,
 * apply the policy there through the real apply path, run the probes and
 * print what the kernel did next to what the policy says it must do.
 */
#include "lab.h"

#include "cli.h"
#include "diag.h"
#include "ir.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_signal(int sig)
{
	lab_interrupted = sig;
}

static void install_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: waits return EINTR */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

static bool keep_namespaces;

static void cleanup_at_exit(void)
{
	lab_cluster_stop();
	if (!keep_namespaces)
		lab_net_cleanup();
}

static const char *expect_str(const struct lab_probe *p, char *buf)
{
	char a[40];

	switch (p->expect) {
	case LAB_EXP_SOURCE:
		snprintf(buf, 64, "source %s", 
			 p->family == IR_F_IPV6 ? ir_ip6_str(p->want_src6, a) : ir_ip_str(p->want_src, a));
		return buf;
	case LAB_EXP_REACH:
		return p->kind == LAB_K_PING    ? "reply"
		       : p->kind == LAB_K_SNIFF ? "arrives"
		       : p->kind == LAB_K_CONN  ? "reached"
						: "file received";
	case LAB_EXP_DROP:
		return p->kind == LAB_K_PING ? "no reply"
		       : p->kind == LAB_K_SNIFF ? "never arrives" : "no answer";
	case LAB_EXP_REFUSED:
		return p->kind == LAB_K_PING ? "unreachable" : "refused";
	case LAB_EXP_NOT_REACH:
		return "not reached";
	case LAB_EXP_MSS:
		snprintf(buf, 64, "mss <= %u", p->want_mss);
		return buf;
	}
	return "?";
}

static const char *got_str(const struct lab_probe *p, const struct lab_result *r, char *buf)
{
	char a[40];

	switch (r->got) {
	case LAB_GOT_ANSWER:
		if (p->expect == LAB_EXP_MSS) {
			snprintf(buf, 128, "mss %u", r->seen_mss);
			return buf;
		}
		if (p->kind == LAB_K_CONN) {
			snprintf(buf, 128, "source %s", 
				 p->family == IR_F_IPV6 ? ir_ip6_str(r->seen_src6, a)
							 : ir_ip_str(r->seen_src, a));
			return buf;
		}
		return p->kind == LAB_K_PING ? "reply"
		       : p->kind == LAB_K_SNIFF ? "arrived" : "file received";
	case LAB_GOT_REFUSED:
		return "refused";
	case LAB_GOT_UNREACH:
		return "unreachable";
	case LAB_GOT_NONE:
		if (p->kind == LAB_K_FTP_ACTIVE || p->kind == LAB_K_FTP_PASSIVE) {
			snprintf(buf, 128, "no transfer (%s)", r->detail);
			return buf;
		}
		return p->kind == LAB_K_PING ? "no reply"
		       : p->kind == LAB_K_SNIFF ? "never arrived" : "no answer";
	case LAB_GOT_ERROR:
		break;
	}
	snprintf(buf, 128, "error: %s", r->detail[0] ? r->detail : "probe failed");
	return buf;
}

static bool probe_passed(const struct lab_probe *p, const struct lab_result *r)
{
	switch (p->expect) {
	case LAB_EXP_SOURCE:
		return r->got == LAB_GOT_ANSWER &&
		       (p->family == IR_F_IPV6 ? r->seen_src6 == p->want_src6
						 : r->seen_src == p->want_src);
	case LAB_EXP_REACH:
		return r->got == LAB_GOT_ANSWER;
	case LAB_EXP_DROP:
		return r->got == LAB_GOT_NONE || (p->from_gateway && r->got == LAB_GOT_UNREACH);
	case LAB_EXP_REFUSED:
		return r->got == LAB_GOT_REFUSED || r->got == LAB_GOT_UNREACH;
	case LAB_EXP_NOT_REACH:
		return r->got != LAB_GOT_ANSWER && r->got != LAB_GOT_ERROR;
	case LAB_EXP_MSS:
		return r->got == LAB_GOT_ANSWER && r->seen_mss && r->seen_mss <= p->want_mss;
	}
	return false;
}

static void run_probe(const struct lab_probe *p, struct lab_result *r)
{
	memset(r, 0, sizeof(*r));
	switch (p->kind) {
	case LAB_K_CONN:
		if (p->family == IR_F_IPV6) {
			lab_probe_conn6(p->proto, p->from_ns, p->src6, p->dst6, p->dport, p->to_ns,
					r);
			break;
		}
		lab_probe_conn(p->proto, p->from_ns, p->src, p->dst, p->dport, p->to_ns, p->lport,
			       r);
		break;
	case LAB_K_PING:
		if (p->family == IR_F_IPV6)
			lab_probe_ping6(p->from_ns, p->src6, p->dst6, r);
		else
			lab_probe_ping(p->from_ns, p->src, p->dst, r);
		break;
	case LAB_K_SNIFF:
		lab_probe_sniff(p->proto, p->from_ns, p->src, p->dst, p->dport, p->to_ns, p->lport,
				r);
		break;
	case LAB_K_FTP_ACTIVE:
	case LAB_K_FTP_PASSIVE:
		lab_ftp(p, r);
		break;
	}
}

/* The kernel's verdict on a probe's first packet, for --tsv column 6. */
static const char *kernel_verdict(const struct lab_probe *p, const struct lab_result *r)
{
	if (!p->explain[0])
		return NULL;
	switch (r->got) {
	case LAB_GOT_ANSWER:
		return "accept";
	case LAB_GOT_NONE:
	case LAB_GOT_REFUSED:
	case LAB_GOT_UNREACH:
		return "drop";
	case LAB_GOT_ERROR:
		break;
	}
	return NULL;
}

/* "--address=ppp0=203.0.113.2 " for each dynamic external: explain's view of the lab. */
static void explain_addresses(const struct lab *lab, struct strbuf *sb)
{
	char a[16];
	size_t i;

	for (i = 0; i < lab->n_links; i++) {
		const struct ir_iface *f = ir_iface_find(lab->ir, lab->links[i].policy_name);

		if (f && f->dynamic)
			sb_addf(sb, "--address=%s=%s ", lab->links[i].ifname,
				ir_ip_str(lab->links[i].gw_addr, a));
	}
}

/* Run every probe, printing each row as it completes; the number that failed. */
static size_t run_plan(const struct lab *lab, const struct lab_plan *plan, bool tsv,
		       size_t *ran)
{
	size_t i, w_name = 5, w_exp = 8, failed = 0;
	struct strbuf addrs = {0};
	char eb[64], gb[128];

	explain_addresses(lab, &addrs);

	for (i = 0; i < plan->n; i++) {
		size_t n = strlen(plan->v[i].name), e = strlen(expect_str(&plan->v[i], eb));

		w_name = n > w_name ? n : w_name;
		w_exp = e > w_exp ? e : w_exp;
	}
	if (!tsv)
		printf("%-*s  %-*s  %-24s  %s\n", (int)w_name, "PROBE", (int)w_exp, "EXPECTED",
		       "GOT", "RESULT");
	fflush(stdout);
	for (i = 0; i < plan->n && !lab_interrupted; i++) {
		const struct lab_probe *p = &plan->v[i];
		struct lab_result r;
		bool ok;

		run_probe(p, &r);
		if (lab_interrupted)
			break;
		ok = probe_passed(p, &r);
		failed += !ok;
		if (tsv) {
			const char *v = kernel_verdict(p, &r);

			printf("%s\t%s\t%s\t%s\t%s%s\t%s\n", p->name, expect_str(p, eb),
			       got_str(p, &r, gb), ok ? "pass" : "FAIL",
			       v && addrs.buf ? addrs.buf : "", v ? p->explain : "", v ? v : "");
		} else {
			printf("%-*s  %-*s  %-24s  %s\n", (int)w_name, p->name, (int)w_exp,
			       expect_str(p, eb), got_str(p, &r, gb), ok ? "pass" : "FAIL");
		}
		fflush(stdout);
	}
	sb_free(&addrs);
	*ran = i;
	return failed;
}

static void print_keep(void)
{
	const char **names;
	size_t i, n = lab_net_created(&names);
	struct strbuf sb = {0};

	for (i = 0; i < n; i++)
		sb_addf(&sb, " %s", names[i]);
	diag_note(NULL, "kept %zu namespaces (ip netns list); remove them with:\n"
			"  for ns in%s; do ip netns del \"$ns\"; done",
		  n, sb.buf ? sb.buf : "");
	sb_free(&sb);
}

static int lab_usable(void)
{
	if (geteuid() != 0) {
		diag_error(NULL, "needs root to create network namespaces");
		return -1;
	}
	if (access("/proc/self/ns/net", F_OK) < 0) {
		diag_error(NULL, "this kernel has no network namespaces "
				"(/proc/self/ns/net: %s)", strerror(errno));
		return -1;
	}
	return 0;
}

/* Reap, signals and cleanup as lab_main(), around lab_cluster_run(). */
static int cluster_main(const struct ir *ir, const char *policy, const struct ir *peer,
			const char *peer_policy, const char *target)
{
	int rc;

	lab_net_reap_stale();
	install_signals();
	atexit(cleanup_at_exit);
	rc = lab_cluster_run(ir, policy, peer, peer_policy, target);
	lab_net_cleanup();
	if (lab_interrupted) {
		diag_note(NULL, "interrupted, removing the lab");
		signal(lab_interrupted, SIG_DFL);
		raise(lab_interrupted);
	}
	return rc;
}

static int lab_main(struct lab *lab, bool no_apply, bool tsv, bool keep, unsigned sample)
{
	struct lab_plan plan = {0};
	size_t failed, ran;
	int rc = EXIT_SYSTEM;

	lab_net_reap_stale();
	install_signals();
	atexit(cleanup_at_exit);
	if (lab_net_build(lab) < 0 || lab_v6_build(lab) < 0 || lab_interrupted) {
		if (!lab_interrupted)
			diag_error(NULL, "cannot build the lab");
		goto out;
	}
	if (!no_apply && lab_net_apply_in(lab->gw_ns, lab->target, lab->policy) < 0)
		goto out;
	if (sample)
		lab_sample_build(lab, sample, &plan);
	else
		lab_plan_build(lab, &plan);
	failed = run_plan(lab, &plan, tsv, &ran);
	if (lab_interrupted)
		goto out;
	printf("%s%zu probes: %zu passed, %zu failed\n", tsv ? "# " : "", ran, ran - failed,
	       failed);
	rc = failed || ran == 0 ? EXIT_NO : EXIT_OK;
out:
	free(plan.v);
	if (lab_interrupted) {
		diag_note(NULL, "interrupted, removing the lab");
		keep = false;
	}
	if (keep && lab_net_created(&(const char **){NULL}) > 0) {
		keep_namespaces = true;
		print_keep();
	} else {
		lab_net_cleanup();
	}
	if (lab_interrupted) {
		signal(lab_interrupted, SIG_DFL);
		raise(lab_interrupted);
	}
	return rc;
}

enum {
	OPT_TARGET = 't',
	OPT_KEEP = 'k',
	OPT_NO_APPLY = CLI_LONG,
	OPT_TSV,
	OPT_SAMPLE,
	OPT_CLUSTER,
};

static const struct cli_opt lab_opts[] = {
	{OPT_TARGET, "target", "TARGET", "apply with this backend (nft, the default, or another)",
	 CLI_OPT_TARGET, NULL},
	{OPT_KEEP, "keep", NULL, "leave the namespaces for inspection and say how to remove them",
	 0, NULL},
	{OPT_NO_APPLY, "no-apply", NULL,
	 "probe the bare lab without applying POLICY (shows what\n"
	 "the probes catch when a gateway has no ruleset)",
	 0, NULL},
	{OPT_TSV, "tsv", NULL,
	 "print tab-separated rows: probe, expected, got, pass|FAIL,\n"
	 "the probe's first packet in 'masqgen explain' syntax and\n"
	 "the gateway's verdict on it (accept|drop; both empty when\n"
	 "the probe does not show one)",
	 0, NULL},
	{OPT_SAMPLE, "sample", "N",
	 "instead of the probes above, N drawn tcp and udp packets\n"
	 "(the same for the same policy path), each expected to\n"
	 "arrive where the policy sends it, or never",
	 0, NULL},
	{OPT_CLUSTER, "cluster", "PEER",
	 "instead of the probes above, an HA pair: POLICY and PEER\n"
	 "(the other node's policy) as two gateways running\n"
	 "conntrackd and keepalived; live tcp and udp connections\n"
	 "(with helper ftp, an ftp session and its passive data\n"
	 "connection) through the active node must survive its\n"
	 "failure and its return (prints the failover and\n"
	 "failback times)",
	 CLI_OPT_FILE, NULL},
	{0},
};

/* lab --cluster PEER POLICY */
static int lab_cluster(const struct cli_args *a)
{
	const char *peer_path = cli_arg(a, OPT_CLUSTER);
	struct ir *ir, *peer;
	int rc = EXIT_POLICY;

	if (cli_arg(a, OPT_KEEP) || cli_arg(a, OPT_NO_APPLY) || cli_arg(a, OPT_TSV) ||
	    cli_arg(a, OPT_SAMPLE))
		return cli_usage_error("lab", "--cluster takes none of --keep, --no-apply, "
				       "--tsv, --sample");
	ir = cli_compile(a->ops[0]);
	peer = ir ? cli_compile(peer_path) : NULL;
	if (ir && peer) {
		if (!ir->cluster.present || !peer->cluster.present)
			rc = cli_usage_error("lab", "--cluster: %s has no 'cluster' statement",
					     ir->cluster.present ? peer_path : a->ops[0]);
		else if (lab_usable() < 0)
			rc = EXIT_SYSTEM;
		else
			rc = cluster_main(ir, a->ops[0], peer, peer_path, a->target->name);
	}
	ir_free(peer);
	ir_free(ir);
	return rc;
}

static int lab_run(const struct cli_args *a)
{
	bool keep = cli_arg(a, OPT_KEEP) != NULL;
	const char *sample_arg = cli_arg(a, OPT_SAMPLE);
	unsigned long sample = 0;
	char *end;
	struct lab lab;
	struct ir *ir;
	int rc;

	if (sample_arg) {
		sample = strtoul(sample_arg, &end, 10);
		if (*end || !*sample_arg || *sample_arg == '-' || sample < 1 || sample > 1000)
			return cli_usage_error("lab", "--sample takes a count 1-1000, not '%s'",
					       sample_arg);
	}
	if (cli_arg(a, OPT_CLUSTER))
		return lab_cluster(a);
	ir = cli_compile(a->ops[0]);
	if (!ir)
		return EXIT_POLICY;
	memset(&lab, 0, sizeof(lab));
	lab.policy = a->ops[0];
	lab.target = a->target->name;
	lab.keep = keep;
	if (lab_usable() < 0 || lab_net_plan(&lab, ir) < 0) {
		rc = EXIT_SYSTEM;
	} else {
		lab_v6_plan(&lab);
		rc = lab_main(&lab, cli_arg(a, OPT_NO_APPLY) != NULL, cli_arg(a, OPT_TSV) != NULL,
			      keep, (unsigned)sample);
	}
	lab_net_free(&lab);
	ir_free(ir);
	return rc;
}

const struct cli_command cli_lab = {
	.name = "lab",
	.summary = "test a policy in throwaway namespaces",
	.operands = "POLICY",
	.min_ops = 1,
	.max_ops = 1,
	.missing = "a POLICY file is required",
	.help = "Build a throwaway lab of network namespaces (a gateway whose interfaces carry\n"
		"the policy's names, an Internet host on 203.0.113.0/24 with a far client\n"
		"198.51.100.10 behind it, a LAN host per internal network, a host per\n"
		"forwarded server), apply POLICY to the lab's gateway with 'masqgen apply',\n"
		"and probe it with real connections: the HOWTO's chapter 5 checks, masquerading\n"
		"over tcp and udp, every forward, reflection, 1:1 NAT, the strong firewall,\n"
		"allow rules, clamp-mss and the ftp helper; over IPv6 (each LAN gets its\n"
		"policy prefix or a test /64): LAN to Internet, to the gateway and between\n"
		"LANs, Internet to the LAN hosts and the gateway. Each probe is compared with what\n"
		"the policy says must happen. The host's own network is never touched. Needs\n"
		"root.\n",
	.trailer = "Exit status: 0 every probe passed, 5 a probe failed, 3 the lab could not be\n"
		   "built (not root, no namespace support, apply failed), 1 policy errors,\n"
		   "2 usage errors.\n",
	.opts = lab_opts,
	.target_use = CLI_T_LAB,
	.run = lab_run,
};
