// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_upnp.c - the table miniupnpd works in (`upnp`, LANGUAGE.md "Gateway
 * features"): `table inet masqgen_upnp`.
 *
 * miniupnpd (nftables build) only adds rules to chains that exist, and a
 * jump cannot leave its table, so it gets a table of its own: three
 * regular chains it fills (forward accepts, DNAT, SNAT) and three base
 * chains masqgen fills. The nat chains run right after masqgen's own
 * (dstnat + 1: masqgen's forwards win on a shared port) and right before
 * (srcnat - 1). The filter forward chain, just before masqgen's, marks a
 * new translated connection with IR_UPNP_MARK, hands it to miniupnpd's
 * chain and takes the mark off again unless miniupnpd's rule accepted it;
 * masqgen's forward chain admits what still carries the mark
 * (nft_lower_filter.c).
 *
 * Nothing in it depends on the policy beyond its presence, so apply
 * creates it when it is missing and otherwise leaves it alone: the
 * mappings in the regular chains survive every apply (nft_build_upnp()).
 */
#include "nft.h"
#include "nft_model.h"
#include "util.h"

void nft_upnp_lower(struct nft_table *t)
{
	static const struct {
		const char *name, *target;
		bool nat;
		enum nft_hook hook;
		int prio;
	} base[] = {
		{"prerouting", NFT_UPNP_PREROUTING, true, NFT_HOOK_PREROUTING, -100 + 1},
		{"postrouting", NFT_UPNP_POSTROUTING, true, NFT_HOOK_POSTROUTING, 100 - 1},
		{"forward", NFT_UPNP_FORWARD, false, NFT_HOOK_FORWARD, 0 - 1},
	};
	struct nft_chain *c;
	struct nft_rule *r;
	size_t i;

	t->present = true;
	for (i = 0; i < ARRAY_SIZE(base); i++)
		nft_chain_begin(t, base[i].target, false, NFT_HOOK_COUNT, 0, false)->regular = true;
	for (i = 0; i < ARRAY_SIZE(base); i++) {
		c = nft_chain_begin(t, base[i].name, base[i].nat, base[i].hook, base[i].prio, false);
		r = nft_rule_add(c, NULL, NULL);
		if (base[i].hook == NFT_HOOK_FORWARD) {
			nft_match_eq(r, NFT_SEL_CT_STATE, IR_CT_NEW);
			nft_match_flag(r, NFT_SEL_CT_DNAT);
			nft_stmt_add(r, NFT_S_MARK_UPNP_SET);
		}
		nft_stmt_add(r, NFT_S_JUMP)->str = base[i].target;
		if (base[i].hook == NFT_HOOK_FORWARD)
			nft_stmt_add(nft_rule_add(c, NULL, NULL), NFT_S_MARK_UPNP_CLEAR);
	}
}
