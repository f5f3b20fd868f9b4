// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lab.c - the lab's plan without a kernel: the names and addresses it
 * gives the topology, and what each probe must observe, from the policy.
 * (tests/suite-kernel.sh runs the probes themselves, as root.)
 */
#include "ast.h"
#include "diag.h"
#include "ir.h"
#include "lab.h"
#include "masq_parse.h"
#include "unit.h"
#include "util.h"

#include <stdlib.h>

struct fixture {
	struct ir *ir;
	struct lab lab;
	struct lab_plan plan;
};

static int setup(struct fixture *fx, const char *text)
{
	const struct diag_source *src;
	struct ast_file *f;

	memset(fx, 0, sizeof(*fx));
	diag_reset();
	diag_quiet_warnings(true);
	src = diag_add_source("t.masq", text, strlen(text));
	f = ast_parse_masq(src);
	if (f && diag_error_count() == 0)
		fx->ir = ir_eval(f);
	ast_file_free(f);
	if (!fx->ir)
		return -1;
	fx->lab.policy = "t.masq";
	fx->lab.target = "nft";
	if (lab_net_plan(&fx->lab, fx->ir) < 0)
		return -1;
	/* as `masqgen lab` does */
	lab_v6_plan(&fx->lab);
	lab_plan_build(&fx->lab, &fx->plan);
	return 0;
}

static void teardown(struct fixture *fx)
{
	free(fx->plan.v);
	lab_net_free(&fx->lab);
	ir_free(fx->ir);
}

/* The probe whose name starts with @prefix, or NULL. */
static const struct lab_probe *probe(const struct fixture *fx, const char *prefix)
{
	size_t i;

	for (i = 0; i < fx->plan.n; i++)
		if (strncmp(fx->plan.v[i].name, prefix, strlen(prefix)) == 0)
			return &fx->plan.v[i];
	return NULL;
}

static void test_names_and_addresses(void)
{
	struct fixture fx;
	char a[16];

	CHECK(setup(&fx, "external ppp+ dynamic\n"
			 "external eth0 address 203.0.113.7\n"
			 "internal eth1 192.168.0.1/24\n"
			 "forward tcp http on eth0 to 192.168.0.2\n") == 0);
	if (!fx.ir)
		return;
	CHECK(fx.lab.n_links == 2);
	CHECK_STR(fx.lab.links[0].ifname, "ppp0");
	/* the dynamic link avoids the static address's /24 */
	CHECK_STR(ir_ip_str(fx.lab.links[0].gw_addr, a), "192.0.2.2");
	CHECK_STR(ir_ip_str(fx.lab.links[1].gw_addr, a), "203.0.113.7");
	CHECK_STR(ir_ip_str(fx.lab.links[1].inet_addr, a), "203.0.113.1");
	/* the LAN host skips the gateway and the forward target */
	CHECK_STR(fx.lab.hosts[0].label, "lan eth1");
	CHECK_STR(ir_ip_str(fx.lab.hosts[0].addr, a), "192.168.0.3");
	CHECK(lab_net_host(&fx.lab, 0xc0a80002) != NULL);
	CHECK(fx.lab.n_hosts == 2);
	teardown(&fx);
}

/* In a cluster no lab host takes the LAN's virtual address (the gateway's, when active). */
static void test_cluster_virtual_kept(void)
{
	struct fixture fx;
	char a[16];

	CHECK(setup(&fx, "cluster gw-a priority 150 peer 10.255.0.2 sync eth2\n"
			 "external eth0 address 203.0.113.2 virtual 203.0.113.10\n"
			 "internal eth1 192.168.0.2/24 virtual 192.168.0.1\n") == 0);
	if (!fx.ir)
		return;
	CHECK_STR(ir_ip_str(fx.lab.links[0].gw_addr, a), "203.0.113.10");
	CHECK_STR(fx.lab.hosts[0].label, "lan eth1");
	CHECK_STR(ir_ip_str(fx.lab.hosts[0].addr, a), "192.168.0.3");
	CHECK(fx.lab.spoof_addr != 0xc0a80001);
	teardown(&fx);
}

static void test_strong_expectations(void)
{
	const struct lab_probe *p;
	struct fixture fx;

	CHECK(setup(&fx, "external eth0 address 203.0.113.2\n"
			 "internal eth1 192.168.0.1/24\n"
			 "forward tcp 2222 to 192.168.0.3:22 noreflect\n"
			 "allow tcp ssh from 198.51.100.0/24\n"
			 "firewall strong\n") == 0);
	if (!fx.ir)
		return;
	p = probe(&fx, "5.7 lan eth1 -> internet tcp");
	CHECK(p && p->expect == LAB_EXP_SOURCE && p->want_src == 0xcb007102);
	p = probe(&fx, "internet -> gateway 203.0.113.2 tcp 2323");
	CHECK(p && p->expect == LAB_EXP_DROP);
	p = probe(&fx, "forward tcp 203.0.113.2:2222 -> 192.168.0.3:22");
	CHECK(p && p->expect == LAB_EXP_SOURCE && p->want_src == 0xc633640a && p->lport == 22);
	p = probe(&fx, "noreflect lan eth1 -> 203.0.113.2 tcp 2222");
	CHECK(p && p->expect == LAB_EXP_NOT_REACH);
	p = probe(&fx, "internet spoofing lan source");
	CHECK(p && p->kind == LAB_K_SNIFF && p->expect == LAB_EXP_DROP);
	p = probe(&fx, "allow input internet -> 203.0.113.2 tcp 22");
	CHECK(p && p->expect == LAB_EXP_REACH);
	CHECK(p && strcmp(p->explain, "tcp 198.51.100.10:40000 -> 203.0.113.2:22 in eth0") == 0);
	teardown(&fx);
}

static void test_simple_expectations(void)
{
	const struct lab_probe *p;
	struct fixture fx;

	CHECK(setup(&fx, "external ppp0 dynamic\n"
			 "internal eth1 192.168.0.1/24\n"
			 "masquerade 192.168.0.128/25\n"
			 "helper ftp\n"
			 "firewall simple\n") == 0);
	if (!fx.ir)
		return;
	/* simple input accepts: the listener in the gateway answers */
	p = probe(&fx, "internet -> gateway 203.0.113.2 tcp 2323");
	CHECK(p && p->expect == LAB_EXP_REACH);
	/* the LAN host 192.168.0.2 is not masqueraded, so not forwarded either */
	p = probe(&fx, "5.7 lan eth1 -> internet udp");
	CHECK(p && p->expect == LAB_EXP_DROP);
	CHECK(probe(&fx, "internet spoofing") == NULL);
	p = probe(&fx, "ftp active lan eth1 -> internet 203.0.113.1:21");
	CHECK(p && p->kind == LAB_K_FTP_ACTIVE);
	teardown(&fx);
}

/* Each identifier of a set rule is a host of its own: an extra address and a probe each. */
static void test_ifid_set_probes(void)
{
	const struct lab_probe *p;
	struct fixture fx;

	CHECK(setup(&fx, "external ppp0 dynamic\n"
			 "internal eth1 192.168.0.1/24, 2001:db8:1::1/64\n"
			 "allow forward tcp 8443 to ::10/::ffff:ffff:ffff:ffff, "
			 "::20/::ffff:ffff:ffff:ffff out eth1\n"
			 "firewall strong\n") == 0);
	if (!fx.ir)
		return;
	CHECK(fx.lab.n_v6_extra == 2);
	p = probe(&fx, "ipv6 allow forward internet -> 2001:db8:1::10 tcp 8443");
	CHECK(p && p->expect == LAB_EXP_SOURCE);
	p = probe(&fx, "ipv6 allow forward internet -> 2001:db8:1::20 tcp 8443");
	CHECK(p && p->expect == LAB_EXP_SOURCE);
	teardown(&fx);
}

int main(void)
{
	RUN(test_names_and_addresses);
	RUN(test_cluster_virtual_kept);
	RUN(test_strong_expectations);
	RUN(test_simple_expectations);
	RUN(test_ifid_set_probes);
	UNIT_EXIT();
}
