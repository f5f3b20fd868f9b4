// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * setcmd.c - `masqgen set add|del|list NAME ...`: the elements of a live
 * set (LANGUAGE.md, Gateway features) in the loaded tables. An address
 * goes to the half of its family (NAME_v4 in ip masqgen, NAME_v6 in ip6
 * masqgen). One transaction without a generation id: it changes only
 * that set, so it never conflicts with an apply (which carries the
 * elements over, nft_delta.c).
 */
#include "cli.h"
#include "diag.h"
#include "nft.h"
#include "nft_build.h"
#include "nft_dump.h"
#include "value.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A command-line operand as a policy word, so value.c reads and reports it. */
static struct ast_word setcmd_word(const char *what, const char *text)
{
	const struct diag_source *src = diag_add_source(what, text, strlen(text));
	struct ast_word w = {.kind = AST_WORD, .text = text,
			     .loc = {.src = src, .line = 1, .col = 1, .len = (unsigned)strlen(text)}};

	return w;
}

/* The loaded half of live set @name in @d's table @fam, or NULL after reporting. */
static const struct nft_set *setcmd_find(const struct nft_dump *d, enum nft_fam fam,
					 const char *name)
{
	const struct nft_table *t = &d->m->t[fam];
	char *half = nft_live_set_name(name, fam);
	size_t i = nft_set_find(t, half);

	free(half);
	if (!t->present) {
		diag_error(NULL, "masqgen's %s table is not loaded (see 'masqgen apply')",
			   fam == NFT_FAM_IP6 ? "ip6" : "ip");
		return NULL;
	}
	if (i == SIZE_MAX || !t->sets[i].live) {
		diag_error(NULL, "no live set '%s' is loaded for %s (declare it with 'set %s' "
			   "in the policy and apply it)", name, fam == NFT_FAM_IP6 ? "IPv6" : "IPv4",
			   name);
		return NULL;
	}
	return &t->sets[i];
}

static int setcmd_list(const struct nft_dump *d, const char *name)
{
	struct strbuf out = {0};
	bool found = false;
	size_t i;
	int f;

	for (f = 0; f < NFT_FAM_COUNT; f++) {
		const struct nft_table *t = &d->m->t[f];
		char *half = nft_live_set_name(name, (enum nft_fam)f);
		size_t k = nft_set_find(t, half);

		free(half);
		if (k == SIZE_MAX || !t->sets[k].live)
			continue;
		found = true;
		for (i = 0; i < t->sets[k].n; i++) {
			nft_text_elem(&out, &t->sets[k], &t->sets[k].v[i], false);
			sb_add(&out, "\n");
		}
	}
	if (!found) {
		diag_error(NULL, "no live set '%s' is loaded (declare it with 'set %s' in the policy "
			   "and apply it)", name, name);
		return EXIT_SYSTEM;
	}
	if (out.len)
		fwrite(out.buf, 1, out.len, stdout);
	sb_free(&out);
	return EXIT_OK;
}

/* add or del @addr (with @timeout seconds, 0: the set's own) in live set @name. */
static int setcmd_change(const struct nft_dump *d, bool del, const char *name,
			 const struct ir_addr *a, unsigned timeout, const char *text)
{
	enum nft_fam fam = a->family == IR_F_IPV6 ? NFT_FAM_IP6 : NFT_FAM_IP;
	const struct nft_set *s = setcmd_find(d, fam, name);
	struct nft_elem e = {0};
	const struct nft_elem *ep = &e;
	struct nft_batch *b;
	int rc;

	if (!s)
		return EXIT_SYSTEM;
	if (timeout && !s->timeout) {
		diag_error(NULL, "set '%s' has no timeout: declare it 'set %s timeout DURATION' "
			   "for elements that expire", name, name);
		return EXIT_SYSTEM;
	}
	e.k[0] = a->lo;
	e.hi = a->hi;
	e.k6 = a->lo6;
	e.hi6 = a->hi6;
	e.timeout = (uint64_t)timeout * 1000;
	b = nft_batch_new(0);
	nft_build_live_elems(b, fam == NFT_FAM_IP6, del, s, &ep, 1);
	rc = nft_batch_send(b, true);
	nft_batch_free(b);
	if (rc < 0) {
		if (del)
			diag_note(NULL, "%s is not an element of set '%s' (delete it as it was added)",
				  text, name);
		else
			diag_note(NULL, "adding %s to set '%s' failed", text, name);
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

static int setcmd_run(const struct cli_args *args)
{
	const char *verb = args->ops[0], *name = args->ops[1];
	bool add = strcmp(verb, "add") == 0, del = strcmp(verb, "del") == 0;
	bool list = strcmp(verb, "list") == 0;
	struct ir_addr a;
	struct nft_dump d = {0};
	unsigned timeout = 0;
	int rc;

	if (!add && !del && !list)
		return cli_usage_error("set", "unknown action '%s' (add, del or list)", verb);
	if (list && args->n_ops != 2)
		return cli_usage_error("set", "'set list' takes a set name only");
	if (!list && args->n_ops != 3 && !(add && args->n_ops == 5))
		return cli_usage_error("set", "usage: set add NAME ADDR [timeout DURATION], "
				       "set del NAME ADDR");
	if (args->n_ops == 5) {
		struct ast_word w = setcmd_word("timeout", args->ops[4]);

		if (strcmp(args->ops[3], "timeout") != 0)
			return cli_usage_error("set", "unexpected '%s' (expected 'timeout')",
					       args->ops[3]);
		if (value_duration(&w, &timeout) < 0)
			return EXIT_USAGE;
	}
	if (!list) {
		struct ast_word w = setcmd_word("address", args->ops[2]);

		if (value_addr(&w, &a) < 0)
			return EXIT_USAGE;
		if (a.mask6)
			return cli_usage_error("set", "'%s' is an interface identifier match: a set "
						      "holds addresses, prefixes and ranges",
					       args->ops[2]);
	}
	if (nft_dump_read(&d, NULL) < 0)
		return EXIT_SYSTEM;
	if (list)
		rc = setcmd_list(&d, name);
	else
		rc = setcmd_change(&d, del, name, &a, timeout, args->ops[2]);
	nft_dump_free(&d);
	return rc;
}

const struct cli_command cli_set = {
	.name = "set",
	.summary = "add, delete or list the elements of a live set",
	.operands = "add|del|list NAME [ADDR [timeout DURATION]]",
	.min_ops = 2,
	.max_ops = 5,
	.missing = "an action (add, del, list) and a set name",
	.help = "Change or list the run-time elements of live set NAME, declared in the\n"
		"applied policy with 'set NAME': 'add NAME ADDR [timeout DURATION]' adds an\n"
		"address, network or range (to the IPv4 or IPv6 half by its family; a\n"
		"timeout needs a set declared with one), 'del NAME ADDR' removes it, 'list\n"
		"NAME' prints every element of both halves with the time it has left.\n"
		"Elements survive apply. fail2ban's action.d/masqgen.conf calls it.\n",
	.trailer = "Exit status: 0 done, 2 usage, 3 the set is not loaded or the kernel refused.\n",
	.run = setcmd_run,
};
