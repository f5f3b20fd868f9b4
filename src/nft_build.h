/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_build.h - shared by nft_build.c (objects, sets, chains, rules) and
 * nft_build_expr.c (a rule's expressions).
 */
#ifndef MASQGEN_NFT_BUILD_H
#define MASQGEN_NFT_BUILD_H

#include "nft_model.h"

#include <stdbool.h>
#include <stdint.h>

struct nftnl_rule;

/* nft's datatype numbers (its datatype.h), combined 6 bits a field for concatenations. */
enum {
	DT_IPADDR = 7,
	DT_IP6ADDR = 8,
	DT_INET_PROTO = 12,
	DT_INET_SERVICE = 13,
	DT_ICMP_TYPE = 14,
	DT_ICMP6_TYPE = 29,
};
#define DT_CONCAT2(a, b) (((a) << 6) | (b))
#define DT_CONCAT3(a, b, c) (((((a) << 6) | (b)) << 6) | (c))

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The netfilter hook number of each model hook. */
extern const uint32_t nft_hook_nums[NFT_HOOK_COUNT];

/* The key type (nft datatype number) and length of a set of @kind. */
void nft_set_key_type(enum nft_set_kind kind, uint32_t *type, uint32_t *len);

/*
 * Add to @nr the expressions of model rule @r of table @t (@v6: the ip6
 * table), in the order and form nft generates them. @set_ids maps the
 * table's set numbers to the batch's set ids.
 */
void nft_build_exprs(struct nftnl_rule *nr, const struct nft_table *t, const struct nft_rule *r,
		     bool v6, const uint32_t *set_ids);

/* The longest set key (ipv6_addr . inet_proto . inet_service). */
#define NFT_KEY_MAX 24

/*
 * An element as netlink carries it in set @s: its key (returns the
 * length; @key must hold NFT_KEY_MAX bytes, all of which are written),
 * and its map data (at most 8 bytes; 0 for a set).
 */
size_t nft_elem_key(const struct nft_set *s, const struct nft_elem *e, uint8_t *key);
size_t nft_elem_data(const struct nft_set *s, const struct nft_elem *e, uint8_t *data);

/*
 * Append to @b the change of named set @s of the ip (or, @v6, ip6) table
 * that is loaded: delete the @n_del elements whose keys (@klen bytes each)
 * are @del, then add @add.
 */
/*
 * Append to @b the addition (@del: the removal) of the run-time elements
 * @add (@n) of live set @s of the ip (@v6: ip6) table; an added one has
 * its timeout and the time it has left when @s has a timeout and the
 * element gives them (ms; nft_delta.c carries elements over a replace,
 * `masqgen set` adds and deletes them).
 */
struct nft_batch;
void nft_build_live_elems(struct nft_batch *b, bool v6, bool del, const struct nft_set *s,
			  const struct nft_elem *const *add, size_t n);

void nft_build_elems_change(struct nft_batch *b, bool v6, const struct nft_set *s,
			    const uint8_t *const *del, size_t n_del, size_t klen,
			    const struct nft_elem *const *add, size_t n_add);

#endif
