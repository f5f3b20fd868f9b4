// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_state.c - masqgen's tables as the kernel has them: which exist, and
 * a fingerprint of what they hold.
 *
 * apply sends its batch with the generation id it read first; the kernel
 * answers ERESTART when anything committed meanwhile, which includes every
 * Docker or libvirt change. Only a change to masqgen's own tables is a
 * conflict, so apply compares fingerprints taken before and after. The
 * fingerprint covers identities (names and handles of the tables, chains,
 * sets, objects and rules): a handle is new whenever an object is added or
 * replaced, and counters or set element timeouts never enter it.
 */
#include "nft.h"
#include "nft_model.h"

#include "diag.h"
#include "nl.h"
#include "util.h"

#include <string.h>

#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#define NFT_STATE_TABLE "masqgen"
#define NFT_STATE_ATTRS 32

/* What identifies one object of a kind: its table attribute, and the rest. */
struct nft_state_kind {
	uint16_t get;	     /* NFT_MSG_GET* dump request */
	uint16_t table_attr; /* the attribute that names the table */
	uint16_t ident[3];   /* attributes hashed, 0 terminated */
};

static const struct nft_state_kind nft_state_kinds[] = {
    {NFT_MSG_GETTABLE, NFTA_TABLE_NAME, {NFTA_TABLE_HANDLE, 0}},
    {NFT_MSG_GETCHAIN, NFTA_CHAIN_TABLE, {NFTA_CHAIN_NAME, NFTA_CHAIN_HANDLE, 0}},
    {NFT_MSG_GETSET, NFTA_SET_TABLE, {NFTA_SET_NAME, NFTA_SET_HANDLE, 0}},
    {NFT_MSG_GETOBJ, NFTA_OBJ_TABLE, {NFTA_OBJ_NAME, NFTA_OBJ_HANDLE, 0}},
    {NFT_MSG_GETRULE, NFTA_RULE_TABLE, {NFTA_RULE_CHAIN, NFTA_RULE_HANDLE, 0}},
};

struct nft_state_walk {
	const struct nft_state_kind *kind;
	struct nft_state *st;
};

static int nft_state_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type < NFT_STATE_ATTRS)
		tb[type] = attr;
	return MNL_CB_OK;
}

static int nft_state_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct nft_state_walk *w = data;
	const struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NFT_STATE_ATTRS] = {NULL};
	const struct nlattr *name;
	uint64_t *h = &w->st->fingerprint;
	size_t i;

	if (nfg->nfgen_family != NFPROTO_IPV4 && nfg->nfgen_family != NFPROTO_IPV6 &&
	    nfg->nfgen_family != NFPROTO_INET)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*nfg), nft_state_attr, tb) != MNL_CB_OK)
		return MNL_CB_ERROR;
	name = tb[w->kind->table_attr];
	if (!name || mnl_attr_validate(name, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	/* miniupnpd changes its table at will: only whether it exists counts */
	if (nfg->nfgen_family == NFPROTO_INET) {
		if (w->kind->get == NFT_MSG_GETTABLE &&
		    strcmp(mnl_attr_get_str(name), NFT_UPNP_TABLE) == 0)
			w->st->upnp = true;
		return MNL_CB_OK;
	}
	if (strcmp(mnl_attr_get_str(name), NFT_STATE_TABLE) != 0)
		return MNL_CB_OK;
	if (w->kind->get == NFT_MSG_GETTABLE) {
		if (nfg->nfgen_family == NFPROTO_IPV4)
			w->st->ip = true;
		else
			w->st->ip6 = true;
	}
	*h = util_hash(*h, &w->kind->get, sizeof(w->kind->get));
	*h = util_hash(*h, &nfg->nfgen_family, sizeof(nfg->nfgen_family));
	for (i = 0; w->kind->ident[i]; i++) {
		const struct nlattr *a = tb[w->kind->ident[i]];

		if (a)
			*h = util_hash(*h, mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	}
	return MNL_CB_OK;
}

static int state_read_once(struct mnl_socket *nl, uint32_t genid, void *ctx)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nft_state_walk w = {.st = ctx};
	struct nlmsghdr *nlh;
	size_t i;

	memset(w.st, 0, sizeof(*w.st));
	w.st->fingerprint = UTIL_HASH_INIT;
	for (i = 0; i < ARRAY_SIZE(nft_state_kinds); i++) {
		w.kind = &nft_state_kinds[i];
		nlh = nftnl_nlmsg_build_hdr(buf, w.kind->get, NFPROTO_UNSPEC, NLM_F_DUMP, 0);
		if (nl_request(nl, nlh, nft_state_msg, &w) < 0)
			return -1;
	}
	return 0;
}

/* Nothing of a torn read is kept: the next read starts from zero. */
static void state_read_reset(void *ctx)
{
}

int nft_state_read(struct nft_state *st)
{
	uint32_t genid = nft_read_stable(state_read_once, state_read_reset, st,
					 "read the loaded nftables ruleset");

	if (!genid)
		return -1;
	st->genid = genid;
	return 0;
}
