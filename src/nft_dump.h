/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_dump.h - masqgen's loaded nftables tables, read back into the model.
 *
 * nft_dump_read() reads `ip masqgen` and `ip6 masqgen` in process, through
 * netlink dumps parsed by libnftnl (tables, ct objects, sets and every
 * set's elements, chains, rules), and decodes each rule's expressions back
 * into the model's matches and statements: the inverse of nft_build() and
 * nft_build_exprs(). The result is a struct nft_model (nft_model.h) like
 * the one nft_lower() compiles, so that:
 *
 *   - nft_text_print() prints it (`masqgen show`), counters with values;
 *   - diff_models() (diff_model.h) compares it with a compiled policy;
 *   - an apply can build a transaction from the difference.
 *
 * What differs from a compiled model:
 *   - every table has `loaded` set; strings (chain names, interface
 *     names, log prefixes, object names) are owned by the table (strs);
 *   - rules and elements carry the comment the kernel holds (the policy
 *     place of the apply that loaded them) and no struct loc;
 *   - NFT_S_COUNTER statements carry packets and bytes;
 *   - set elements are sorted by key (nft_set_normalize() order); interval
 *     sets are read back as intervals, anonymous sets keep their numbers
 *     in the table's set array and have name NULL;
 *   - a `meta l4proto` test that only guards a transport field (nft's
 *     dependency) is not a match of its own, as in a compiled rule.
 *
 * A chain, rule, set or object masqgen never makes (someone edited
 * masqgen's table by hand) is left out of the model and named in
 * foreign: show warns about it, diff counts it as a change, flush removes
 * it with the table.
 *
 * The dump is consistent: the generation id is read before and after, and
 * the whole dump is read again (a few times) when a commit came between.
 */
#ifndef MASQGEN_NFT_DUMP_H
#define MASQGEN_NFT_DUMP_H

#include "nft_model.h"
#include "util.h"

#include <stdbool.h>
#include <stdint.h>

struct nft_dump {
	struct nft_model *m;	/* both families; t[f].present when loaded */
	uint32_t genid;		/* the generation the dump shows (for NFNL_BATCH_GENID) */
	/*
	 * masqgen's iptables chains ("masqgen-*") found in the ip and ip6
	 * tables iptables-nft keeps (filter, nat, raw, mangle).
	 */
	bool ipt_nft[NFT_FAM_COUNT];
	/*
	 * What masqgen's tables hold that masqgen does not make (someone
	 * added it by hand): "ip chain intruder: not a base chain masqgen
	 * makes". Such chains, rules, sets and objects are left out of m.
	 */
	char **foreign;
	size_t n_foreign, cap_foreign;
};

/*
 * Read masqgen's loaded tables into @d (caller frees with
 * nft_dump_free()). The elements of a set that @rec (NULL: none) holds
 * at the generation read are taken from it, not dumped (nft_record.h).
 * Returns 0, or -1 after reporting why.
 */
struct nft_record;
int nft_dump_read(struct nft_dump *d, const struct nft_record *rec);
void nft_dump_free(struct nft_dump *d);

/* Whether @d holds any masqgen nftables table. */
bool nft_dump_loaded(const struct nft_dump *d);

/* One set element as netlink carries it (the comment from its user data). */
struct nft_welem {
	const uint8_t *key, *data;
	uint8_t klen, dlen;
	bool end;			/* NFT_SET_ELEM_INTERVAL_END */
	const char *comment;		/* NULL: none */
	uint64_t timeout, expires;	/* ms; 0: none (a live set's element) */
};

/* Elements of one set, and the bytes they point into. */
struct nft_welems {
	struct nft_welem *v;
	size_t n, cap;
	struct strbuf bytes;
};

/*
 * Dump the elements of named set @name of masqgen's table of family @fam
 * into @out (free with nft_welems_free(), also after an error). Returns 0,
 * or -1 with errno set; prints nothing.
 */
struct mnl_socket;
int nft_dump_welems(struct mnl_socket *nl, enum nft_fam fam, const char *name,
		    struct nft_welems *out);
void nft_welems_free(struct nft_welems *w);

/*
 * nft_dump_expr.c: decode the expressions of rule @nr (a struct
 * nftnl_rule) into @r of table @t (@v6: the ip6 table). Set lookups name
 * the table's sets: @set_names[i] is set i's kernel name ("__set0" for an
 * anonymous one). Returns 0, or -1 when the rule is not one masqgen makes.
 */
struct nftnl_rule;
int nft_dump_rule(struct nft_table *t, struct nft_rule *r, const struct nftnl_rule *nr, bool v6,
		  char *const *set_names);

#endif
