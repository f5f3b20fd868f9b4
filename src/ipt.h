/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipt.h - the iptables backend.
 *
 *   IR --ipt_lower()--> struct ipt_model --ipt_emit()----> iptables-restore text
 *                                         |-ip6t_emit()---> ip6tables-restore text
 *                                         \-ipt_apply()--> (ip6)iptables-restore --noflush
 *
 * Every masqgen rule lives in masqgen's own chains, entered by one jump
 * from each built-in chain (IPT_JUMP_MATCH): raw masqgen-raw-prerouting
 * and masqgen-raw-output (anti-spoofing, helper assignment), mangle
 * masqgen-mangle-forward (MSS clamping), nat masqgen-prerouting and
 * masqgen-postrouting (with the sub-chain masqgen-reflect), filter
 * masqgen-input, masqgen-forward and masqgen-output. Built-in chains and
 * their policies are never declared, so loading with --noflush leaves
 * them as their owner set them: a chain with a drop policy ends in its own
 * DROP rule, a chain with an accept policy returns.
 *
 * The model is one text per chain, already in iptables-save's canonical
 * form (what iptables-save prints back), for each family and table.
 */
#ifndef MASQGEN_IPT_H
#define MASQGEN_IPT_H

#include "diag.h"
#include "ir.h"
#include "util.h"

#include <stdbool.h>
#include <stddef.h>

struct ir;
struct ir_rule;

enum ipt_family {
	IPT_V4,
	IPT_V6,
	IPT_FAMILY_COUNT
};

/* In iptables-save's order, which is also the printed order. */
enum ipt_table {
	IPT_RAW,
	IPT_MANGLE,
	IPT_NAT,
	IPT_FILTER,
	IPT_TABLE_COUNT
};

/* The match every jump from a built-in chain carries (for -C and -I). */
#define IPT_JUMP_MATCH "-m comment --comment masqgen"

/* The prefix of every chain masqgen owns. */
#define IPT_CHAIN_PREFIX "masqgen-"

struct ipt_chain {
	const char *name;	/* "masqgen-input" */
	const char *hook;	/* the built-in chain that jumps here; NULL: a sub-chain */
	struct strbuf rules;	/* "-A masqgen-input ...\n" lines */
	size_t n_rules;
};

struct ipt_table_model {
	struct ipt_chain *chains;	/* in printed order */
	size_t n, cap;
	/* chains by name (ipt_chain_get()): position + 1 per slot, 0 empty */
	size_t *index, index_cap;
};

/* A global conntrack sysctl standing in for a policy `timeouts` value. */
struct ipt_sysctl {
	const char *key;	/* "net.netfilter.nf_conntrack_tcp_timeout_established" */
	unsigned value;
};

struct ipt_model {
	const char *policy_path;
	bool ipv6;			/* false: `ipv6 open`, no IPv6 part */
	struct ipt_table_model t[IPT_FAMILY_COUNT][IPT_TABLE_COUNT];
	struct ipt_sysctl *sysctls;
	size_t n_sysctls, cap_sysctls;
};

/* "raw", "mangle", "nat", "filter". */
const char *ipt_table_name(enum ipt_table t);

/* "iptables" or "ip6tables": the tool of family @fam (its -save and -restore). */
const char *ipt_family_tool(enum ipt_family fam);

/*
 * ipt_lower.c: the model of @ir. Returns NULL after reporting through
 * diag what iptables cannot express. Warns once, at the `timeouts` line,
 * that the conntrack timeouts become global sysctls. Caller owns the model.
 */
struct ipt_model *ipt_lower(const struct ir *ir);
void ipt_model_free(struct ipt_model *m);

/*
 * ipt_rule.c: the chain named @name in @tm, created (with @hook) when
 * missing.
 */
struct ipt_chain *ipt_chain_get(struct ipt_table_model *tm, const char *name, const char *hook);

/*
 * ipt_rule.c: append to @ch the rules for one IR filter rule (its log
 * rule before each verdict rule, a reject split by protocol, lists
 * expanded to one rule per element or per multiport group). @tm receives
 * the sub-chains a negated list needs.
 */
void ipt_rule_lower(struct ipt_table_model *tm, struct ipt_chain *ch, const struct ir *ir,
		    const struct ir_rule *r, enum ipt_family fam);

/*
 * ipt_rule.c: the one place that writes a rule line. Everything but the
 * target is in @spec (" -s 10.0.0.0/8 -i eth1 -p tcp -m tcp --dport 22",
 * each part with its leading space, in iptables-save's order: addresses,
 * interfaces, protocol, matches); the comment names @loc (and @tag, when
 * not NULL); @target is " -j ACCEPT" and the like.
 */
void ipt_rule_add(struct ipt_chain *ch, const char *spec, const struct loc *loc, const char *tag,
		  const char *target);

/* One address element: " -s 10.0.0.0/8", or for a range an iprange part. */
struct ipt_addr_part {
	char addr[IR_ADDR_STRLEN + 16];	/* " -s 10.0.0.0/8" for the address section, or "" */
	char range[IR_ADDR_STRLEN + 24];	/* " --src-range a-b" for an iprange match, or "" */
	const struct loc *loc;
};

/* ipt_rule.c: @a as a source (@flag 's') or destination ('d'), negated with @neg. */
struct ir_addr;
void ipt_addr_part(struct ipt_addr_part *p, const struct ir_addr *a, bool neg, char flag);

/* ipt_rule.c: append " -j LOG ..." with @prefix and the policy's log level. */
void ipt_log_target(struct strbuf *sb, const struct ir *ir, const char *prefix);

/* What ipt_table_text() writes between the chain declarations and the rules. */
enum ipt_text {
	IPT_TEXT_JUMPS,		/* the jumps from the built-in chains (generate) */
	/*
	 * nothing: the caller adds the jumps (init-script, apply). Under
	 * --noflush the declaration of a chain that exists empties it, in
	 * both flavours, so no "-F" is needed.
	 */
	IPT_TEXT_CHAINS,
};

/*
 * iptables.c: append the iptables-restore text of one family's table @t:
 * "*table", the chain declarations, what @what says, then the rules and
 * COMMIT. Nothing when the table holds no rule.
 */
void ipt_table_text(const struct ipt_table_model *tm, enum ipt_table t, enum ipt_text what,
		    struct strbuf *out);

/*
 * iptables.c: the iptables-restore text of @ir's IPv4 rules (generate -t
 * iptables) and the ip6tables-restore text of its IPv6 rules (generate -t
 * ip6tables: under `ipv6 open`, comments only, which change no table).
 */
int ipt_emit(const struct ir *ir, struct strbuf *out);
int ip6t_emit(const struct ir *ir, struct strbuf *out);

/*
 * ipt_apply.c: load @m into the running kernel with iptables-restore
 * --noflush and ip6tables-restore --noflush, keeping other software's
 * rules: per family, one TOOL-save reads the tables once and one restore
 * loads the tables filter, nat, raw, mangle in that order, each with its
 * own commit, declaring (so emptying) masqgen's chains and refilling
 * them, then the jumps from the built-in chains the saved tables lack,
 * inserted at the top; then masqgen's chains the new ruleset no longer
 * has are unhooked and deleted. A failure stops there:
 * the tables loaded before it stay new, the rest stay as they were, and no
 * jump is added. Kernel settings are not written here: the caller writes
 * ir->sysctls afterwards, as for nft, after ipt_timeout_sysctls().
 * Returns 0, or -1 after reporting what failed.
 */
int ipt_apply(const struct ipt_model *m);

/*
 * ipt_apply.c: the iptables target of apply (cli.h): the model of @ir
 * (NULL after reporting what iptables cannot express), loading it with
 * ipt_apply(), freeing it; ipt_timeout_sysctls() adds its settings.
 */
void *ipt_target_lower(const struct ir *ir);
int ipt_target_load(const void *m, const struct ir *ir, const char *run_dir);
void ipt_target_release(void *m);

/*
 * ipt_init.c: init-script -t iptables: the rc.firewall-iptables script for
 * @ir (-1 after reporting what iptables cannot express), and the shell
 * lines of its wrapper's stop and status.
 */
int ipt_init_rc(const struct ir *ir, const char *policy, struct strbuf *out);
extern const char ipt_init_stop[], ipt_init_status[];

/* The two iptables of a Linux system: over nftables, and the legacy x_tables. */
enum ipt_flavour {
	IPT_NFT,
	IPT_LEGACY,
	IPT_FLAVOUR_COUNT
};

/* "iptables-nft", "ip6tables-legacy", ... */
const char *ipt_tool_name(enum ipt_flavour fl, enum ipt_family fam);

/*
 * ipt_state.c: masqgen's chains as loaded, per flavour: m[fl] holds the
 * "masqgen-*" chains (rules as *-save prints them, hook set where the
 * marked jump from a built-in chain exists), refs the "-D" lines that
 * remove every reference to them from other chains.
 */
struct ipt_loaded {
	struct ipt_model *m[IPT_FLAVOUR_COUNT];
	struct strbuf refs[IPT_FLAVOUR_COUNT][IPT_FAMILY_COUNT][IPT_TABLE_COUNT];
	bool present[IPT_FLAVOUR_COUNT][IPT_FAMILY_COUNT];
};

/*
 * Read masqgen's chains of both flavours: the nft flavour of a family only
 * when @nft_chains says the nftables dump saw one (nft_dump.h), the legacy
 * one only when the kernel has legacy tables. Returns 0, or -1 after
 * reporting (what could be read is in @l; free it either way).
 */
int ipt_loaded_read(struct ipt_loaded *l, const bool nft_chains[IPT_FAMILY_COUNT]);
bool ipt_loaded_any(const struct ipt_loaded *l);
void ipt_loaded_free(struct ipt_loaded *l);
/* Append the chains as `generate -t iptables` prints them, one header per flavour and family. */
void ipt_loaded_print(const struct ipt_loaded *l, struct strbuf *out);
/*
 * Remove every chain of @l: one *-restore --noflush per flavour and family
 * that deletes the references, empties and deletes the chains, table by
 * table. Returns 0, or -1 after reporting.
 */
int ipt_loaded_flush(const struct ipt_loaded *l);

/*
 * ipt_tree.c: turn each long run of rules matching one TCP or UDP
 * destination port in @tm's chains into a tree of sub-chains by port
 * (the chain name, "-t" or "-u" and the port's high byte, then its
 * 16-port group in hex), so a packet crosses a few dozen rules, not the
 * run. The first rule that matches a packet stays the same.
 */
void ipt_tree(struct ipt_table_model *tm);

/*
 * ipt_lower.c: append to ir->sysctls the global conntrack sysctls that
 * stand in for the policy's `timeouts` under iptables (values interned in
 * @ir). For apply -t iptables and init scripts of the iptables target.
 */
void ipt_timeout_sysctls(struct ir *ir);

#endif
