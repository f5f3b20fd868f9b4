// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nft_batch.c - the netlink transport against the real kernel, in a
 * network namespace of its own (needs root; without it nothing is run and
 * no test is counted as passed).
 *
 * Messages are built by hand here with libnftnl and libmnl, so the
 * transport is tested on its own: commit, check mode, a refused message
 * reported with its policy place, a stale generation, and a transaction
 * of several batch pages.
 */
#include "diag.h"
#include "nft.h"
#include "unit_netns.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

static const struct loc *no_loc;

static void add_table(struct nft_batch *b, const char *name, const struct loc *loc)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nlh = nftnl_nlmsg_build_hdr(nft_batch_buf(b), NFT_MSG_NEWTABLE, NFPROTO_IPV4, NLM_F_CREATE,
				    nft_batch_seq(b));
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	nft_batch_next(b, loc);
}

static void add_chain(struct nft_batch *b, const char *table, const char *name,
		      const struct loc *loc)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nlh = nftnl_nlmsg_build_hdr(nft_batch_buf(b), NFT_MSG_NEWCHAIN, NFPROTO_IPV4, NLM_F_CREATE,
				    nft_batch_seq(b));
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	nft_batch_next(b, loc);
}

/* Does `nft list tables` in this namespace name table ip @name? */
static bool table_listed(const char *name)
{
	char line[256], want[128];
	bool found = false;
	FILE *p = popen("nft list tables", "r");

	if (!p)
		return false;
	snprintf(want, sizeof(want), "table ip %s\n", name);
	while (fgets(line, sizeof(line), p))
		if (strcmp(line, want) == 0)
			found = true;
	pclose(p);
	return found;
}

static void test_commit_and_check(void)
{
	struct nft_batch *b;
	uint32_t before = unit_genid();

	CHECK(before != 0);
	b = nft_batch_new(before);
	add_table(b, "t_commit", no_loc);
	CHECK(nft_batch_send(b, true) == 0);
	nft_batch_free(b);
	CHECK(table_listed("t_commit"));
	CHECK(unit_genid() != before);

	b = nft_batch_new(unit_genid());
	add_table(b, "t_check", no_loc);
	CHECK(nft_batch_send(b, false) == 0);
	nft_batch_free(b);
	CHECK(!table_listed("t_check"));
}

static int send_refused(void)
{
	static const char policy[] = "external ppp0\nforward tcp 80 to 192.168.0.10\n";
	const struct diag_source *src = diag_add_source("p.masq", policy, sizeof(policy) - 1);
	struct loc where = {src, 2, 1, 7};
	struct nft_batch *b = nft_batch_new(0);
	int rc;

	add_table(b, "t_refused", no_loc);
	add_chain(b, "no_such_table", "c", &where);
	rc = nft_batch_send(b, true);
	nft_batch_free(b);
	return rc;
}

static void send_refused_rc(void *rc)
{
	*(int *)rc = send_refused();
}

static void test_refused(void)
{
	int rc;
	char *err = unit_stderr_of(send_refused_rc, &rc);

	CHECK(rc == -1);
	CHECK(strstr(err, "p.masq:2:1: error: the kernel refused the ruleset: "
			  "No such file or directory") != NULL);
	CHECK(strstr(err, "forward tcp 80 to 192.168.0.10\n^~~~~~~") != NULL);
	CHECK(!table_listed("t_refused"));
	free(err);
}

static void test_stale_genid(void)
{
	uint32_t old = unit_genid();
	struct nft_batch *b = nft_batch_new(0);

	add_table(b, "t_moved_on", no_loc);
	CHECK(nft_batch_send(b, true) == 0);
	nft_batch_free(b);

	b = nft_batch_new(old);
	add_table(b, "t_stale", no_loc);
	CHECK(nft_batch_send(b, true) == -2);
	nft_batch_free(b);
	CHECK(!table_listed("t_stale"));
}

/* One set of 300,000 addresses: about 5 MiB of messages, so several pages. */
static void test_many_pages(void)
{
	enum { N = 300000, PER_MSG = 3500 };
	struct nftnl_set *s = nftnl_set_alloc();
	struct nft_batch *b = nft_batch_new(unit_genid());
	struct nlmsghdr *nlh;
	struct nlattr *list, *elem, *key;
	uint32_t i = 0, j;

	add_table(b, "t_big", no_loc);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, "t_big");
	nftnl_set_set_str(s, NFTNL_SET_NAME, "addrs");
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, 7); /* ipv4_addr */
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 4);
	nftnl_set_set_u32(s, NFTNL_SET_ID, 1);
	nlh = nftnl_nlmsg_build_hdr(nft_batch_buf(b), NFT_MSG_NEWSET, NFPROTO_IPV4, NLM_F_CREATE,
				    nft_batch_seq(b));
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	nft_batch_next(b, no_loc);
	while (i < N) {
		nlh = nftnl_nlmsg_build_hdr(nft_batch_buf(b), NFT_MSG_NEWSETELEM, NFPROTO_IPV4,
					    NLM_F_CREATE, nft_batch_seq(b));
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, "t_big");
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, "addrs");
		list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
		for (j = 0; j < PER_MSG && i < N; j++, i++) {
			elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
			key = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
			mnl_attr_put_u32(nlh, NFTA_DATA_VALUE, htonl(0x0a000000 + i));
			mnl_attr_nest_end(nlh, key);
			mnl_attr_nest_end(nlh, elem);
		}
		mnl_attr_nest_end(nlh, list);
		nft_batch_next(b, no_loc);
	}
	CHECK(nft_batch_send(b, true) == 0);
	nft_batch_free(b);

	/* A lookup, not a listing: a hash set being resized may list partially. */
	CHECK(system("nft get element ip t_big addrs '{ 10.0.0.0, 10.4.147.223 }' >/dev/null") ==
	      0);
	CHECK(system("nft get element ip t_big addrs '{ 10.4.147.224 }' >/dev/null 2>&1") != 0);
}

static void tests(void)
{
	RUN(test_commit_and_check);
	RUN(test_refused);
	RUN(test_stale_genid);
	RUN(test_many_pages);
}

int main(void)
{
	return unit_netns_run("test_nft_batch", tests);
}
