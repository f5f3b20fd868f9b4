// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * legacy_lookup.c - what the Linux 2.2 and 2.0 backends ask of the policy
 * as they write it: interfaces by name and by network, the user's rules,
 * the addresses the script reads when it runs, a helper module's ports.
 * The checks (legacy_check.c), the chains (legacy_chains.c), the script
 * (legacy.c) and each era's printer use them.
 */
#include "legacy.h"

#include "ir.h"

#include <stdio.h>
#include <string.h>

const char *legacy_ports(uint16_t lo, uint16_t hi, char *buf)
{
	if (lo == hi)
		snprintf(buf, 12, "%u", lo);
	else
		snprintf(buf, 12, "%u:%u", lo, hi);
	return buf;
}

size_t legacy_iface_index(const struct legacy_ctx *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->ir->n_ifaces; i++)
		if (strcmp(g->ir->ifaces[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

bool legacy_is_user_rule(const struct ir_rule *r)
{
	return r->tag == IR_T_USER && (r->family & IR_F_IPV4);
}

const struct ir_iface *legacy_net_iface(const struct legacy_ctx *g, const struct ir_net *n)
{
	size_t i;

	for (i = 0; i < g->ir->n_ifaces; i++) {
		const struct ir_iface *f = &g->ir->ifaces[i];

		if (n >= f->nets && n < f->nets + f->n_nets)
			return f;
	}
	return NULL;
}

/* Does the script read the address of interface @i when it runs? */
bool legacy_reads_ip(const struct legacy_ctx *g, size_t i)
{
	return g->uses_ip[i] && g->ir->ifaces[i].dynamic;
}

/* Add @p to the @n ports of @ports unless present; false once more than @max. */
static bool add_port(uint16_t *ports, size_t *n, size_t max, uint32_t p)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (ports[i] == p)
			return true;
	if (*n == max) {
		(*n)++;
		return false;
	}
	ports[(*n)++] = (uint16_t)p;
	return true;
}

/*
 * The module ports of helper @h: its own, and the public ports forwarded to
 * them (HOWTO 6.7.3: ip_masq_ftp ports=21,2121). More than @max: @max + 1.
 */
size_t legacy_helper_ports(const struct legacy_ctx *g, const struct ir_helper *h, uint16_t *ports,
			   size_t max)
{
	size_t n = 0, i, j;
	uint32_t p;

	for (i = 0; i < h->ports.n; i++) {
		const struct ir_port *hp = &h->ports.v[i];

		for (p = hp->lo; p <= hp->hi; p++)
			if (!add_port(ports, &n, max, p))
				return n;
		for (j = 0; j < g->ir->n_forwards; j++) {
			const struct ir_forward *f = &g->ir->forwards[j];

			if (f->proto != hp->proto)
				continue;
			for (p = f->lo; p <= f->hi; p++) {
				uint32_t to = f->to_lo + (p - f->lo);

				if (to >= hp->lo && to <= hp->hi && !add_port(ports, &n, max, p))
					return n;
			}
		}
	}
	return n;
}
