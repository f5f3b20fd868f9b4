// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eval_util.c - the evaluator's small readers that all its files share: the
 * one word of a slot, a keyword out of a list, a host address and a
 * declared interface, each reporting its error at the word.
 */
#include "eval.h"
#include "suggest.h"
#include "value.h"

#include <string.h>

/* The slot's single word; more than one is an error at the second. */
const struct ast_word *eval_one(const struct ast_stmt *st, enum ast_slot slot, const char *what)
{
	const struct ast_list *l = ast_get(st, slot);

	if (!l)
		return NULL;
	if (l->n > 1)
		diag_error(&l->v[1].loc, "%s takes one %s, not a list", ast_kind_name(st->kind),
			   what);
	return &l->v[0];
}

/* Addresses a host cannot have: 0.0.0.0, loopback, multicast and class E. */
static bool unusable_host(uint32_t a)
{
	return a == 0 || (a >> 24) == 127 || (a >> 28) >= 0xe;
}

int eval_host_addr(const struct ast_word *w, uint32_t *addr)
{
	if (value_ipv4(w, addr) < 0)
		return -1;
	if (unusable_host(*addr)) {
		diag_error(&w->loc, "'%s' cannot be a host address", w->text);
		return -1;
	}
	return 0;
}

struct ir_iface *eval_iface(const struct eval *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->ir->n_ifaces; i++)
		if (e->ir->ifaces[i].name == name)
			return &e->ir->ifaces[i];
	return NULL;
}

int eval_keyword(const struct ast_word *w, const char *const *names, size_t n,
		   const char *what)
{
	const char *hint;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(w->text, names[i]) == 0)
			return (int)i;
	hint = suggest(w->text, names, n, sizeof(names[0]));
	if (hint)
		diag_error(&w->loc, "unknown %s '%s' (did you mean '%s'?)", what, w->text, hint);
	else
		diag_error(&w->loc, "unknown %s '%s'", what, w->text);
	return -1;
}
