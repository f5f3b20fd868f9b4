/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_record.h - what masqgen's last apply committed, kept so that the
 * next apply, diff and show need not read big sets back from the kernel.
 *
 * Reading a set's elements is the one expensive read: the kernel fills
 * each dump message of at most 32 KiB by walking the set from its start,
 * so a set of 100,000 elements costs it time quadratic in its size.
 *
 * After each apply, the record (one file per network namespace, under the
 * run directory) holds the namespace's cookie, the shape and fingerprint
 * nft_delta.c compares (with the frame and a hash of each chain's rules),
 * the generation id the commit made, and the
 * elements of every named set without intervals exactly as they were sent:
 * keys and map data as netlink carries them, and comments. The generation
 * id is global to the namespace and every commit of any program bumps it
 * (a flush, a rollback, another table's change, iptables-nft), while the
 * elements of these sets change only by a commit: as long as the kernel's
 * generation id equals the recorded one, those sets hold exactly the
 * recorded elements. Anything whose content changes without a commit (a
 * set the packet path or a timeout updates, such as the live sets of the
 * gateway-features issue) must never be recorded: it is read from the
 * kernel every time.
 *
 * The file is written without fsync (a lost record costs one dump) and
 * read with every length checked; anything that does not parse is no
 * record.
 */
#ifndef MASQGEN_NFT_RECORD_H
#define MASQGEN_NFT_RECORD_H

#include "nft_dump.h"
#include "nft_model.h"

#include <stddef.h>
#include <stdint.h>

struct nft_rec_set {
	enum nft_fam fam;
	const char *name;
	struct nft_welem *v;
	size_t n;
};

struct nft_record {
	uint64_t shape, fingerprint, netns;
	uint32_t genid;			/* 0: the elements are not known to be loaded */
	uint64_t frame;			/* the shape but the chains' rules (nft_delta.c) */
	uint64_t *chains;		/* each chain's rules, hashed, in model order */
	size_t n_chains;
	struct nft_rec_set *sets;
	size_t n_sets;
	void *map;			/* the file, mapped, and its size */
	size_t size;
	char *comments;			/* the comments, whole */
};

/* The record's file in the namespace's run directory (state.h). */
#define NFT_RECORD_FILE "nft-loaded"

/* Whether the record keeps the elements of @s (a named set without intervals, no meter). */
bool nft_record_keeps(const struct nft_set *s);

/* This network namespace's identity for the record (its cookie), 0 when unknown. */
uint64_t nft_record_netns(void);

/*
 * Read @path into @r: zeroed when there is no valid record, or when it was
 * made in another network namespace. Free with nft_record_free().
 */
void nft_record_read(const char *path, struct nft_record *r);
void nft_record_free(struct nft_record *r);

/*
 * The recorded elements of set @name of family @fam when the kernel's
 * generation is still @genid, the one the record was made at; else NULL.
 */
const struct nft_rec_set *nft_record_set(const struct nft_record *r, uint32_t genid,
					 enum nft_fam fam, const char *name);

/*
 * Write the record of model @m (the elements of the sets it keeps) with
 * @r's shape, fingerprint, netns, genid, frame and chain hashes (its sets
 * are not used), to @path atomically; a failure removes @path.
 */
void nft_record_write(const char *path, const struct nft_record *r, const struct nft_model *m);

/*
 * The elements of set @s in netlink's form, in @s's order, their bytes in
 * @*arena (caller frees). The returned array has @s->n entries.
 */
struct nft_welem *nft_record_wire(const struct nft_set *s, uint8_t **arena);

#endif
