// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_apply_state.c - the kernel settings record (sysctls.c) and the
 * loaded-table fingerprint (nft_state.c), against the real kernel in a
 * network namespace of the test's own (needs root; without it nothing is
 * run and no test is counted as passed).
 */
#include "apply.h"
#include "diag.h"
#include "ir.h"
#include "nft.h"
#include "unit_netns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

static char state_path[64];

static char *read_file(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool proc_is(const char *path, const char *value)
{
	char *text = read_file(path);

	return text && strncmp(text, value, strlen(value)) == 0 && text[strlen(value)] == '\n';
}

static void set_proc(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fprintf(f, "%s\n", value);
		fclose(f);
	}
}

static struct ir_sysctl settings[] = {
    {"net.ipv4.ip_forward", "1", NULL, {0}},
    {"net.ipv4.conf.d0.5.rp_filter", "1", "d0.5", {0}},
    {"net.ipv4.conf.nope0.rp_filter", "1", "nope0", {0}},
};

static void test_sysctls_record_and_restore(void)
{
	struct ir ir = {.sysctls = settings, .n_sysctls = 3};
	struct sysctls_plan *plan;
	char *text;

	CHECK(system("ip link add d0.5 type veth peer name d0p") == 0);
	set_proc("/proc/sys/net/ipv4/ip_forward", "0");
	set_proc("/proc/sys/net/ipv4/conf/d0.5/rp_filter", "2");

	/* the record comes first, before anything is written */
	plan = sysctls_plan(&ir, state_path);
	CHECK(plan != NULL);
	CHECK(proc_is("/proc/sys/net/ipv4/ip_forward", "0"));
	CHECK_STR(read_file(state_path), "net/ipv4/ip_forward=0\nnet/ipv4/conf/d0.5/rp_filter=2\n");
	CHECK(sysctls_apply(plan) == 0);
	CHECK(proc_is("/proc/sys/net/ipv4/ip_forward", "1"));
	CHECK(proc_is("/proc/sys/net/ipv4/conf/d0.5/rp_filter", "1"));
	text = read_file(state_path);
	CHECK_STR(text, "net/ipv4/ip_forward=0\nnet/ipv4/conf/d0.5/rp_filter=2\n");

	/* A second apply keeps the first originals, not masqgen's own values. */
	CHECK(sysctls_apply(sysctls_plan(&ir, state_path)) == 0);
	CHECK_STR(read_file(state_path), "net/ipv4/ip_forward=0\nnet/ipv4/conf/d0.5/rp_filter=2\n");

	/* A setting the policy dropped goes back at once. */
	ir.n_sysctls = 1;
	/* until it is put back, the dropped setting stays in the record; a cancel keeps it */
	plan = sysctls_plan(&ir, state_path);
	CHECK_STR(read_file(state_path), "net/ipv4/ip_forward=0\nnet/ipv4/conf/d0.5/rp_filter=2\n");
	sysctls_cancel(plan);
	CHECK_STR(read_file(state_path), "net/ipv4/ip_forward=0\nnet/ipv4/conf/d0.5/rp_filter=2\n");
	CHECK(sysctls_apply(sysctls_plan(&ir, state_path)) == 0);
	CHECK(proc_is("/proc/sys/net/ipv4/conf/d0.5/rp_filter", "2"));
	CHECK_STR(read_file(state_path), "net/ipv4/ip_forward=0\n");

	CHECK(sysctls_restore(state_path) == 0);
	CHECK(proc_is("/proc/sys/net/ipv4/ip_forward", "0"));
	CHECK(access(state_path, F_OK) < 0);
	CHECK(sysctls_restore(state_path) == 0);
}

static void add_table_chain(const char *chain)
{
	struct nft_batch *b = nft_batch_new(0);
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "masqgen");
	nlh = nftnl_nlmsg_build_hdr(nft_batch_buf(b), NFT_MSG_NEWTABLE, NFPROTO_IPV4, NLM_F_CREATE,
				    nft_batch_seq(b));
	nftnl_table_nlmsg_build_payload(nlh, t);
	nft_batch_next(b, NULL);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, "masqgen");
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
	nlh = nftnl_nlmsg_build_hdr(nft_batch_buf(b), NFT_MSG_NEWCHAIN, NFPROTO_IPV4, NLM_F_CREATE,
				    nft_batch_seq(b));
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nft_batch_next(b, NULL);
	CHECK(nft_batch_send(b, true) == 0);
	nft_batch_free(b);
	nftnl_table_free(t);
	nftnl_chain_free(c);
}

static void test_state_fingerprint(void)
{
	struct nft_state a, b, c;

	CHECK(nft_state_read(&a) == 0);
	CHECK(!a.ip && !a.ip6);
	add_table_chain("one");
	CHECK(nft_state_read(&b) == 0);
	CHECK(b.ip && !b.ip6);
	CHECK(b.fingerprint != a.fingerprint);
	/* Another table's change is not masqgen's. */
	CHECK(system("nft add table ip other && nft add chain ip other c") == 0);
	CHECK(nft_state_read(&c) == 0);
	CHECK(c.fingerprint == b.fingerprint);
	add_table_chain("two");
	CHECK(nft_state_read(&c) == 0);
	CHECK(c.fingerprint != b.fingerprint);
}

static void tests(void)
{
	RUN(test_sysctls_record_and_restore);
	RUN(test_state_fingerprint);
}

int main(void)
{
	int rc;

	snprintf(state_path, sizeof(state_path), "/tmp/masqgen-unit-%d.sysctls", (int)getpid());
	rc = unit_netns_run("test_apply_state", tests);
	unlink(state_path);
	return rc;
}
