// SPDX-License-Identifier: GPL-2.0-or-later
/* ir.c - the IR's helpers: freeing, lookups, printing, string interning */
#include "ir.h"
#include "util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Open addressing over ir->strings; slots hold index + 1, 0 is empty. */
struct ir_intern {
	size_t *slots;
	size_t n_slots;
};

static size_t intern_hash(const char *s)
{
	size_t h = 14695981039346656037u;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void intern_rehash(struct ir *ir)
{
	struct ir_intern *t = ir->intern;
	size_t i, j;

	free(t->slots);
	t->n_slots = t->n_slots ? t->n_slots * 2 : 64;
	t->slots = xcalloc(t->n_slots, sizeof(*t->slots));
	for (i = 0; i < ir->n_strings; i++) {
		j = intern_hash(ir->strings[i]) & (t->n_slots - 1);
		while (t->slots[j])
			j = (j + 1) & (t->n_slots - 1);
		t->slots[j] = i + 1;
	}
}

const char *ir_intern(struct ir *ir, const char *s)
{
	struct ir_intern *t;
	size_t j;

	if (!ir->intern)
		ir->intern = xcalloc(1, sizeof(*ir->intern));
	t = ir->intern;
	if ((ir->n_strings + 1) * 2 > t->n_slots)
		intern_rehash(ir);
	j = intern_hash(s) & (t->n_slots - 1);
	while (t->slots[j]) {
		if (strcmp(ir->strings[t->slots[j] - 1], s) == 0)
			return ir->strings[t->slots[j] - 1];
		j = (j + 1) & (t->n_slots - 1);
	}
	*VEC_PUSH(ir->strings, ir->n_strings, ir->cap_strings) = xstrdup(s);
	t->slots[j] = ir->n_strings;
	return ir->strings[ir->n_strings - 1];
}

void ir_rule_free(struct ir_rule *r)
{
	free(r->saddr.v);
	free(r->daddr.v);
	free(r->dports.v);
	free(r->sports.v);
	free(r->icmp_types);
	free(r->icmp_locs);
}

void ir_free(struct ir *ir)
{
	size_t i, j;

	if (!ir)
		return;
	for (i = 0; i < ir->n_ifaces; i++) {
		free(ir->ifaces[i].nets);
		free(ir->ifaces[i].nets6);
	}
	free(ir->ifaces);
	for (i = 0; i < ir->n_snats; i++)
		free(ir->snats[i].sources.v);
	free(ir->snats);
	for (i = 0; i < ir->n_forwards; i++)
		free(ir->forwards[i].from.v);
	free(ir->forwards);
	free(ir->nat1to1);
	for (i = 0; i < ir->n_helpers; i++)
		free(ir->helpers[i].ports.v);
	free(ir->helpers);
	for (i = 0; i < ir->n_sets; i++)
		free(ir->sets[i].elems.v);
	free(ir->sets);
	free(ir->upnp.allow.v);
	for (i = 0; i < IR_CH_COUNT; i++) {
		for (j = 0; j < ir->chain[i].n; j++)
			ir_rule_free(&ir->chain[i].rules[j]);
		free(ir->chain[i].rules);
	}
	free(ir->sysctls);
	for (i = 0; i < ir->n_strings; i++)
		free(ir->strings[i]);
	free(ir->strings);
	if (ir->intern)
		free(ir->intern->slots);
	free(ir->intern);
	free(ir);
}

const struct ir_iface *ir_iface_find(const struct ir *ir, const char *name)
{
	size_t i;

	for (i = 0; i < ir->n_ifaces; i++)
		if (strcmp(ir->ifaces[i].name, name) == 0)
			return &ir->ifaces[i];
	return NULL;
}

bool ir_external_addrs(const struct ir *ir, struct ir_addrs *out)
{
	struct ir_addr *a;
	size_t i;

	for (i = 0; i < ir->n_ifaces; i++)
		if (ir->ifaces[i].role == IR_EXTERNAL && !ir->ifaces[i].addr)
			return false;
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *ifc = &ir->ifaces[i];

		if (ifc->role != IR_EXTERNAL)
			continue;
		a = VEC_PUSH(out->v, out->n, out->cap);
		*a = ir_addr_make(IR_F_IPV4, ifc->addr, ifc->addr, &ifc->loc);
	}
	return true;
}

ir_u128 ir_family_max(unsigned family)
{
	return family == IR_F_IPV6 ? ~(ir_u128)0 : UINT32_MAX;
}

ir_u128 ir_prefix_mask6(unsigned len)
{
	return len ? ~(ir_u128)0 << (128 - len) : 0;
}

ir_u128 ir_addr_lo(const struct ir_addr *a)
{
	return a->family == IR_F_IPV6 ? a->lo6 : a->lo;
}

ir_u128 ir_addr_mask6(const struct ir_addr *a)
{
	return a->family == IR_F_IPV6 ? a->mask6 : 0;
}

ir_u128 ir_addr_hi(const struct ir_addr *a)
{
	return a->family == IR_F_IPV6 ? a->hi6 : a->hi;
}

ir_u128 ir_net_lo(const struct ir_net *n)
{
	return n->family == IR_F_IPV6 ? n->net6 : n->net;
}

ir_u128 ir_net_hi(const struct ir_net *n)
{
	unsigned bits = n->family == IR_F_IPV6 ? 128 : 32;

	return ir_net_lo(n) | (n->len >= bits ? 0 : ir_family_max(n->family) >> n->len);
}

struct ir_addr ir_addr_make(unsigned family, ir_u128 lo, ir_u128 hi, const struct loc *loc)
{
	struct ir_addr a = {.family = (uint8_t)family};

	if (family == IR_F_IPV6) {
		a.lo6 = lo;
		a.hi6 = hi;
	} else {
		a.lo = (uint32_t)lo;
		a.hi = (uint32_t)hi;
	}
	if (loc)
		a.loc = *loc;
	return a;
}

bool ir_addr_prefix(const struct ir_addr *a, unsigned *len)
{
	ir_u128 lo = ir_addr_lo(a), size = ir_addr_hi(a) - lo;
	unsigned n;

	/* aligned: size + 1 is a power of two and lo is a multiple of it */
	if (size & (size + 1))
		return false;
	if (lo & size)
		return false;
	for (n = a->family == IR_F_IPV6 ? 128 : 32; size; size >>= 1)
		n--;
	*len = n;
	return true;
}

const char *ir_ip_str(uint32_t addr, char *buf)
{
	char *p = buf;
	int shift;

	/* by hand, not snprintf: the iptables backend prints a few per forward */
	for (shift = 24; shift >= 0; shift -= 8) {
		unsigned byte = (addr >> shift) & 0xff;

		if (byte >= 100)
			*p++ = (char)('0' + byte / 100);
		if (byte >= 10)
			*p++ = (char)('0' + byte / 10 % 10);
		*p++ = (char)('0' + byte % 10);
		*p++ = shift ? '.' : '\0';
	}
	return buf;
}

void ir_ip6_bytes(ir_u128 addr, uint8_t *out)
{
	int i;

	for (i = 15; i >= 0; i--, addr >>= 8)
		out[i] = (uint8_t)addr;
}

ir_u128 ir_ip6_of_bytes(const uint8_t *in)
{
	ir_u128 v = 0;
	int i;

	for (i = 0; i < 16; i++)
		v = v << 8 | in[i];
	return v;
}

const char *ir_ip6_str(ir_u128 addr, char *buf)
{
	uint8_t b[16];

	ir_ip6_bytes(addr, b);
	/* nft prints addresses with inet_ntop: the same text */
	return inet_ntop(AF_INET6, b, buf, INET6_ADDRSTRLEN);
}

/* One address of @a's family. */
static const char *one_str(const struct ir_addr *a, ir_u128 v, char *buf)
{
	return a->family == IR_F_IPV6 ? ir_ip6_str(v, buf) : ir_ip_str((uint32_t)v, buf);
}

const char *ir_addr_str(const struct ir_addr *a, char *buf)
{
	char lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];
	unsigned len;

	if (ir_addr_mask6(a)) {
		snprintf(buf, IR_ADDR_STRLEN, "%s/%s", ir_ip6_str(a->lo6, lo),
			 ir_ip6_str(a->mask6, hi));
		return buf;
	}
	if (ir_addr_lo(a) == ir_addr_hi(a))
		return one_str(a, ir_addr_lo(a), buf);
	if (ir_addr_prefix(a, &len))
		snprintf(buf, IR_ADDR_STRLEN, "%s/%u", one_str(a, ir_addr_lo(a), lo), len);
	else
		snprintf(buf, IR_ADDR_STRLEN, "%s-%s", one_str(a, ir_addr_lo(a), lo),
			 one_str(a, ir_addr_hi(a), hi));
	return buf;
}

const char *ir_net_str(const struct ir_net *n, char *buf)
{
	struct ir_addr a = ir_addr_make(n->family, ir_net_lo(n), ir_net_lo(n), NULL);
	char ip[INET6_ADDRSTRLEN];

	snprintf(buf, IR_ADDR_STRLEN, "%s/%u", ir_addr_str(&a, ip), n->len);
	return buf;
}

const char *ir_tag_name(enum ir_rule_tag tag)
{
	static const char *const names[] = {
		[IR_T_USER] = "rule",
		[IR_T_LOOPBACK] = "loopback",
		[IR_T_INVALID] = "invalid",
		[IR_T_ESTABLISHED] = "established",
		[IR_T_LAN] = "lan",
		[IR_T_INTERNAL] = "internal",
		[IR_T_DHCP] = "dhcp",
		[IR_T_FORWARDED] = "forwarded",
		[IR_T_PASSTHROUGH] = "passthrough",
		[IR_T_ANTISPOOF] = "anti-spoofing",
		[IR_T_IPV6] = "ipv6",
		[IR_T_CLUSTER] = "cluster",
		[IR_T_CATCHALL] = "catch-all",
		[IR_T_UPNP] = "upnp",
	};

	return names[tag];
}

const char *ir_proto_name(uint8_t proto)
{
	/* the others by number, each written once (the program has one thread) */
	static char numbers[256][4];

	switch (proto) {
	case IR_P_ANY:
		return "any";
	case IR_P_ICMP:
		return "icmp";
	case IR_P_TCP:
		return "tcp";
	case IR_P_UDP:
		return "udp";
	case IR_P_GRE:
		return "gre";
	case IR_P_ESP:
		return "esp";
	case IR_P_AH:
		return "ah";
	case IR_P_ICMPV6:
		return "icmpv6";
	}
	if (!numbers[proto][0])
		snprintf(numbers[proto], sizeof(numbers[proto]), "%u", proto);
	return numbers[proto];
}

unsigned ir_limit_expiry(const struct ir_limit *l)
{
	static const unsigned secs[] = {[IR_PER_SECOND] = 1, [IR_PER_MINUTE] = 60,
					 [IR_PER_HOUR] = 3600};
	unsigned long long t = (unsigned long long)l->burst * secs[l->unit];

	return l->rate ? (unsigned)((t + l->rate - 1) / l->rate) : 0;
}

int ir_check_modern(const struct ir *ir)
{
	int rc = 0;
	size_t i;

	for (i = 0; i < ir->n_helpers; i++) {
		const struct ir_helper *h = &ir->helpers[i];

		if (h->modern)
			continue;
		diag_error(&h->loc,
			   "helper '%s' exists only for Linux 2.2 and 2.0 (%s); kernels since 2.4 "
			   "have none (HOWTO 2.6): remove it, or generate -t ipchains or ipfwadm",
			   h->name, h->legacy_module);
		rc = -1;
	}
	return rc;
}

const struct loc *ir_ipv6_forwarding(const struct ir *ir)
{
	size_t i;

	if (ir->ipv6 == IR_IPV6_BLOCK)
		return NULL;
	if (ir->ipv6_loc.src)
		return &ir->ipv6_loc;
	for (i = 0; i < ir->n_ifaces; i++)
		if (ir->ifaces[i].n_nets6)
			return &ir->ifaces[i].nets6[0].loc;
	return NULL;
}

char *ir_sysctl_path(const char *key, const char *iface)
{
	char *path = xstrdup(key);
	char *last = strrchr(path, '.');
	char *keep = NULL;
	char *p;

	if (iface && last) {
		size_t n = strlen(iface);

		if ((size_t)(last - path) > n && last[-(ptrdiff_t)n - 1] == '.' &&
		    strncmp(last - n, iface, n) == 0)
			keep = last - n;
	}
	for (p = path; *p; p++) {
		if (p == keep)
			p += strlen(iface);
		if (*p == '.')
			*p = '/';
	}
	return path;
}

const struct ir_set *ir_set_find(const struct ir *ir, const char *name)
{
	size_t i;

	for (i = 0; i < ir->n_sets; i++)
		if (strcmp(ir->sets[i].name, name) == 0)
			return &ir->sets[i];
	return NULL;
}

int ir_check_no_sets(const struct ir *ir, const char *target)
{
	size_t i;

	for (i = 0; i < ir->n_sets; i++)
		diag_error(&ir->sets[i].loc, "%s cannot hold live set '%s': sets need the nft "
			   "target", target, ir->sets[i].name);
	return ir->n_sets ? -1 : 0;
}
