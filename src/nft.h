/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft.h - the nftables backend's internal interfaces.
 *
 *   IR --nft_lower()--> struct nft_model --nft_text_print()--> `nft -f` text
 *                                         \-nft_build()------> netlink batch
 *
 * The model (nft_model.h, nft_lower.c) is the one description of
 * masqgen's `ip masqgen` and `ip6 masqgen` tables: tables, chains, sets and
 * maps with their elements, ct helper/timeout objects, rules as sequences of
 * matches and statements, each with its policy location. The text printer
 * and the netlink builder both walk it, so they describe the same ruleset.
 *
 * The batch (nft_batch.c) is the transport: large pages, a raised socket
 * buffer, the generation id in the batch-begin message, per-message policy
 * locations so a kernel error names the policy line, extended ack text.
 */
#ifndef MASQGEN_NFT_H
#define MASQGEN_NFT_H

#include "diag.h"
#include "util.h"

#include <stdbool.h>
#include <stdint.h>

struct ir;
struct nft_model;

/* The table miniupnpd works in (`upnp`, nft_upnp.c), family inet */
#define NFT_UPNP_TABLE "masqgen_upnp"
struct nft_batch;
struct mnl_socket;

/*
 * nft_lower.c: the model of both tables for @ir; caller owns it. NULL
 * after reporting what nft cannot express (ir_check_modern()).
 */
struct nft_model *nft_lower(const struct ir *ir);
void nft_model_free(struct nft_model *m);

/* nft_text.c: append the `nft -f` script for @m. */
void nft_text_print(const struct nft_model *m, struct strbuf *out);

/*
 * nft_build.c: append to @b the messages that replace masqgen's tables
 * with @m (for each family: add table, delete table, add table, then its
 * objects, sets, elements split into messages of at most 64 KiB, chains,
 * rules). The add and delete pair that clears an old table is left out
 * for a family whose @*_exists is false: the caller read the tables after
 * the generation id the batch carries, so if one appeared meanwhile the
 * kernel refuses the batch. nft_build_delete() deletes only the tables
 * @*_present names (flush; @upnp_present: table inet masqgen_upnp). Both
 * return 0 or -1 (reported through diag).
 */
int nft_build(struct nft_batch *b, const struct nft_model *m, bool ip_exists, bool ip6_exists);
int nft_build_delete(struct nft_batch *b, bool ip_present, bool ip6_present, bool upnp_present);

/*
 * nft_build.c: the same replace without deleting the tables @have (loaded,
 * nft_dump_read(), nothing foreign in them) holds: their chains are
 * flushed and deleted, their named sets but the kept ones and their
 * objects deleted, and @m's made. @keep[f][i] (f an enum nft_fam)
 * marks set i of @m->t[f] that stays as loaded, elements included (a live
 * set whose definition did not change); rules find it by name. A family
 * @have lacks is made, one @m lacks is deleted.
 */
int nft_build_in_place(struct nft_batch *b, const struct nft_model *m, const struct nft_model *have,
		       bool *const keep[]);

/*
 * nft_build.c: into the loaded tables, whose objects, sets and chains
 * are @m's (the caller knows it from its record): each chain i of
 * @m->t[f] that @changed[f][i] marks is flushed and gets @m's rules
 * again; everything else stays. Rules find named sets by name.
 */
void nft_build_chains_refill(struct nft_batch *b, const struct nft_model *m, bool *const changed[]);

/*
 * nft_build.c: append to @b what brings the UPnP table (nft_upnp.c) to
 * what @m wants, given whether it @exists now: create it whole when @m
 * has it and it is missing, delete it when @m lacks it, and otherwise
 * nothing, so miniupnpd's mappings survive. The fillers of apply call it
 * once; flush and the rollback of apply --confirm delete the table with
 * nft_build_delete(). Returns the number of changes appended (0 or 1).
 */
int nft_build_upnp(struct nft_batch *b, const struct nft_model *m, bool exists);

/*
 * nft_batch.c: a netlink batch to the nftables subsystem.
 *
 * nft_batch_new() starts the batch (its begin message carries @genid when
 * non-zero, so the kernel refuses the commit with ERESTART if anything
 * committed since the caller read the ruleset); it never fails, the socket
 * is opened by nft_batch_send().
 * For each message: write it at nft_batch_buf() with sequence number
 * nft_batch_seq() (libnftnl's *_nlmsg_build_hdr + *_nlmsg_build_payload),
 * then nft_batch_next(b, loc) records which policy place it came from.
 */
struct nft_batch *nft_batch_new(uint32_t genid);
void *nft_batch_buf(struct nft_batch *b);
uint32_t nft_batch_seq(const struct nft_batch *b);
void nft_batch_next(struct nft_batch *b, const struct loc *loc);

/*
 * Send the batch with its end message (@commit true) or without it (the
 * kernel validates everything and changes nothing: `check --kernel`).
 * Returns 0, -1 after printing the kernel's reason and the policy place of
 * the refused message, or -2 when the kernel answered ERESTART (the
 * generation changed: the caller re-reads and retries or reports).
 */
int nft_batch_send(struct nft_batch *b, bool commit);
void nft_batch_free(struct nft_batch *b);

/*
 * The current ruleset generation id (NFT_MSG_GETGEN) on netfilter socket
 * @nl, or 0 after reporting why it cannot be read.
 */
uint32_t nft_genid_on(struct mnl_socket *nl);

/*
 * Read the loaded ruleset with @read(@nl, GENID, @ctx) so that no commit
 * falls inside the read: GENID, read before, must still be the generation
 * after. A read
 * across a commit, or one the kernel interrupted (EINTR), is dropped with
 * @reset(@ctx) and taken again, a few times. Returns the generation the
 * read shows, or 0 after reporting "cannot @what: REASON".
 */
uint32_t nft_read_stable(int (*read)(struct mnl_socket *nl, uint32_t genid, void *ctx),
			 void (*reset)(void *ctx), void *ctx, const char *what);

/* nft_text.c: the `nft -f` script for @ir (the nft target of generate). */
int nft_text_emit(const struct ir *ir, struct strbuf *out);

/* miniupnpd.c: miniupnpd.conf for @ir's `upnp` line (generate -t miniupnpd). */
int miniupnpd_emit(const struct ir *ir, struct strbuf *out);

/*
 * nft_state.c: masqgen's tables as loaded: which of `ip masqgen` and
 * `ip6 masqgen` exist, and a fingerprint of their identity (tables,
 * chains, sets, objects and rules with their handles; not counters, not
 * set elements), which changes whenever another program adds, removes or
 * replaces any of them.
 */
struct nft_state {
	bool ip, ip6;
	bool upnp;	/* `table inet masqgen_upnp` exists (not in the fingerprint) */
	uint64_t fingerprint;
	uint32_t genid;	/* the generation the read shows: what nft_replace()'s batch carries */
};

/* Read the state from the kernel. Returns 0, or -1 after reporting why. */
int nft_state_read(struct nft_state *st);

/*
 * nft_delta.c: apply @m in place. When what is loaded is what masqgen
 * loaded last (the fingerprint in @record, a file under /run/masqgen,
 * nft_record.h) and @m differs from it only in the elements of named maps
 * and sets without intervals, one transaction changes just those
 * elements: rules, counters and the other objects stay; the loaded
 * elements are read from the kernel only when something committed since
 * that apply. Otherwise the tables are replaced (nft_load()). Then
 * @record describes what is loaded. Returns 0, or -1 after reporting;
 * nothing changed then.
 */
int nft_apply(const struct nft_model *m, const char *record);

/*
 * nft_kernel.c: one transaction on masqgen's tables. @fill appends to @b
 * the messages for the tables loaded now (@now), and returns 0, 1 when
 * there is nothing to send (nft_replace() then returns 0), or -1 after
 * reporting. The batch carries the generation id read before @now; when
 * the kernel refuses it because something committed in between, the
 * tables are read again and the whole is retried a few times, after
 * pauses that grow (about 1.5 s in all). Unless @flags has
 * NFT_REPLACE_ANYWAY, a retry happens only when masqgen's own tables did
 * not change meanwhile (another program's did), else it is an error.
 * NFT_REPLACE_CHECK sends the batch without its commit: the kernel
 * validates it and changes nothing. Returns 0, or -1 after reporting;
 * nothing changed then.
 */
typedef int (*nft_fill_fn)(struct nft_batch *b, const struct nft_state *now, const void *arg);

enum {
	NFT_REPLACE_CHECK = 1 << 0,
	NFT_REPLACE_ANYWAY = 1 << 1,
};

int nft_replace(nft_fill_fn fill, const void *arg, unsigned flags);

/*
 * nft_kernel.c: replace masqgen's tables with @m (@commit false: the
 * kernel only validates), or delete them (nothing loaded is no error).
 * Return 0, or -1 after reporting; nothing changed then.
 */
int nft_load(const struct nft_model *m, bool commit);
int nft_unload(void);

/*
 * The nft target of apply (cli.h): the model of @ir (NULL after reporting
 * what nft cannot express), loading it with nft_apply() (its record in
 * @run_dir; in nft_delta.c, which uses nft_kernel.c), freeing it.
 */
void *nft_target_lower(const struct ir *ir);
int nft_target_load(const void *m, const struct ir *ir, const char *run_dir);
void nft_target_release(void *m);

/* nft_kernel.c: `check --kernel`: lower @ir and let the kernel validate it. */
int nft_check_kernel(const struct ir *ir);

#endif
