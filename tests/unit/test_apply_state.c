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
    {.key = "net.ipv4.ip_forward", .value = "1"},
    {.key = "net.ipv4.conf.d0.5.rp_filter", .value = "1", .iface = "d0.5"},
    {.key = "net.ipv4.conf.nope0.rp_filter", .value = "1", .iface = "nope0"},
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

#define ALL6 "net.ipv6.conf.all.forwarding"

/* IPv6 forwarding as eval writes it: ir.h's order for struct ir_sysctl. */
static struct ir_sysctl settings6[] = {
    {.key = "net.ipv6.conf.d6a.accept_ra", .value = "2", .iface = "d6a", .only_from = "1"},
    {.key = "net.ipv6.conf.d6b.accept_ra", .value = "2", .iface = "d6b", .only_from = "1"},
    {.key = "net.ipv6.conf.default.forwarding", .changed_by = ALL6},
    {.key = "net.ipv6.conf.d6a.forwarding", .iface = "d6a", .changed_by = ALL6},
    {.key = "net.ipv6.conf.d6b.forwarding", .iface = "d6b", .changed_by = ALL6},
    {.key = "net.ipv6.conf.d6c.forwarding", .iface = "d6c", .changed_by = ALL6},
    {.key = ALL6, .value = "1"},
};

#define P6 "/proc/sys/net/ipv6/conf/"

/* Each "SETTING", "VALUE" pair of @want (to a NULL) below P6 holds. */
static void check_v6(const char *const *want)
{
	for (; *want; want += 2) {
		char *path = xasprintf(P6 "%s", want[0]);

		if (!proc_is(path, want[1]))
			printf("  %s is not %s\n", path, want[1]);
		CHECK(proc_is(path, want[1]));
		free(path);
	}
}

/*
 * accept_ra goes from 1 to 2 (never from 0), the forwarding values that
 * writing `all` changes are recorded, and the record is put back last
 * first: `all` (which resets every interface), then each interface's own
 * forwarding (d6b's individual 1 survives only in that order), then
 * accept_ra. An interface that appears after masqgen turned forwarding on
 * inherits masqgen's value: it is not recorded as an original.
 */
static void test_sysctls_ipv6_forwarding(void)
{
	struct ir ir = {.sysctls = settings6, .n_sysctls = ARRAY_SIZE(settings6)};
	struct sysctls_plan *plan;

	CHECK(system("ip link add d6a type veth peer name d6b") == 0);
	set_proc(P6 "all/forwarding", "0");
	set_proc(P6 "d6a/accept_ra", "1");
	set_proc(P6 "d6b/accept_ra", "0");
	set_proc(P6 "d6b/forwarding", "1");

	plan = sysctls_plan(&ir, state_path);
	CHECK(plan != NULL);
	CHECK_STR(read_file(state_path), "net/ipv6/conf/d6a/accept_ra=1\n"
					 "net/ipv6/conf/d6b/accept_ra=0\n"
					 "net/ipv6/conf/default/forwarding=0\n"
					 "net/ipv6/conf/d6a/forwarding=0\n"
					 "net/ipv6/conf/d6b/forwarding=1\n"
					 "net/ipv6/conf/all/forwarding=0\n");
	CHECK(sysctls_apply(plan) == 0);
	check_v6((const char *const[]){"d6a/accept_ra", "2", "d6b/accept_ra", "0", "all/forwarding",
				       "1", "default/forwarding", "1", "d6a/forwarding", "1", NULL});

	/* d6c appears with masqgen's forwarding; a re-apply does not take it for an original */
	CHECK(system("ip link add d6c type veth peer name d6d") == 0);
	CHECK(proc_is(P6 "d6c/forwarding", "1"));
	CHECK(sysctls_apply(sysctls_plan(&ir, state_path)) == 0);
	CHECK(!strstr(read_file(state_path), "d6c"));

	CHECK(sysctls_restore(state_path) == 0);
	check_v6((const char *const[]){"all/forwarding", "0", "default/forwarding", "0",
				       "d6a/forwarding", "0", "d6b/forwarding", "1",
				       "d6c/forwarding", "0", "d6a/accept_ra", "1", "d6b/accept_ra",
				       "0", NULL});
	CHECK(access(state_path, F_OK) < 0);
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
	RUN(test_sysctls_ipv6_forwarding);
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
