/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diff_model.h - what applying a policy would change in masqgen's nftables
 * tables, by meaning (`masqgen diff`).
 *
 * diff_models() compares the tables masqgen has loaded (read back by
 * nft_dump_read()) with the tables a policy compiles to (nft_lower()):
 * objects, chains and their attributes, rules in order, and the elements
 * of named sets and maps. Where a rule or an element came from (its
 * comment, the policy's path as given, its line) never counts: a moved
 * line or the same file by another path is no change. Named sets are
 * paired by name, or by content when only their generated name moved.
 *
 * Each change is one line in the caller's buffer, in the policy's words
 * where it has them:
 *
 *   - forward tcp 8080 to 192.168.0.10:80  (gw.masq:11)
 *   + forward tcp 8081 to 192.168.0.10:80  (gw.masq:12)
 *   + allow tcp 22 from 198.51.100.0/24  (gw.masq:5)      a new rule: its line
 *   - ip input: tcp dport 23 accept  (gw.masq:5)          a loaded rule: nft words
 *   ~ ip chain forward: policy accept -> policy drop
 *   + ip set input_3_saddr: 10.0.0.0/8  (gw.masq:7)
 *
 * Lines are in table, object, set, chain order; a line equal to the one
 * before (one policy line lowered into several rules) is printed once.
 */
#ifndef MASQGEN_DIFF_MODEL_H
#define MASQGEN_DIFF_MODEL_H

#include "nft_model.h"
#include "util.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Append to @out the changes that turn @have into @want (either may have
 * absent tables). Returns the number of lines appended: 0 means the same
 * meaning.
 */
size_t diff_models(const struct nft_model *have, const struct nft_model *want,
		   struct strbuf *out);

/* What the diff of one ruleset kind shares (diff_model.c, diff_ipt.c). */
struct diff_ctx {
	struct strbuf *out;
	struct strbuf last;	/* the line printed last (repeats are dropped) */
	size_t n;		/* lines printed */
	enum nft_fam fam;
	const char *fname;
};

/* Print "SIGN TEXT  (PLACE)" (no place when NULL) unless it repeats the line before. */
void diff_emit(struct diff_ctx *d, char sign, const char *text, const char *place);

/*
 * Align sequences @ka and @kb of keys by their longest common subsequence
 * (after their common start and end; beyond DIFF_LCS_CELLS the middle is
 * all removed, then all added) and call @cb for each key only one side has:
 * '-' with its index in @ka, '+' with its index in @kb, in order.
 */
#define DIFF_LCS_CELLS (4u * 1024 * 1024)
void diff_align(const uint64_t *ka, size_t na, const uint64_t *kb, size_t nb,
		void (*cb)(void *arg, char sign, size_t idx), void *arg);

/*
 * diff_ipt.c: the same for masqgen's iptables chains: @have as loaded
 * (ipt_state.c), @want compiled (ipt_lower()). Rules compare without
 * their comment. Returns the number of lines appended.
 */
struct ipt_model;
size_t diff_ipt(const struct ipt_model *have, const struct ipt_model *want, struct strbuf *out);

#endif
