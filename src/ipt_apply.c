// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipt_apply.c - `apply -t iptables`: load masqgen's chains with
 * iptables-restore --noflush, beside other software's rules.
 *
 * The promise is weaker than nft's single transaction: each table commits
 * on its own, filter first, then nat, then raw and mangle, and the jumps
 * from the built-in chains come last, so a failure never leaves forwarding
 * open, but it can leave one table new and another old.
 */
#include "ipt.h"
#include "ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The order in which apply commits the tables. */
static const enum ipt_table ipt_apply_order[] = {IPT_FILTER, IPT_NAT, IPT_RAW, IPT_MANGLE};

static const char *const ipt_family_name[IPT_FAMILY_COUNT] = {"IPv4", "IPv6"};

static const char *tool(enum ipt_family fam)
{
	return fam == IPT_V4 ? "iptables" : "ip6tables";
}

/* The built-in chains of each table (where a stale jump may be). */
static const char *const *builtin_chains(enum ipt_table t)
{
	static const char *const raw[] = {"PREROUTING", "OUTPUT", NULL};
	static const char *const mangle[] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT",
					     "POSTROUTING", NULL};
	static const char *const nat[] = {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING", NULL};
	static const char *const filter[] = {"INPUT", "FORWARD", "OUTPUT", NULL};

	static const char *const *const chains[IPT_TABLE_COUNT] = {
		[IPT_RAW] = raw,
		[IPT_MANGLE] = mangle,
		[IPT_NAT] = nat,
		[IPT_FILTER] = filter,
	};

	return chains[t];
}

/* The first line of @out, for a one-line error. */
static char *first_line(const struct strbuf *out)
{
	const char *s = out->buf ? out->buf : "";

	return xstrndup(s, strcspn(s, "\n"));
}

/*
 * When iptables-restore names the line it refused ("line 7"), the line
 * itself says more than its number.
 */
static void note_failed_line(const struct strbuf *out, const char *text)
{
	const char *p = out->buf ? strstr(out->buf, "line ") : NULL;
	unsigned long n;
	char *end;

	if (!p)
		return;
	n = strtoul(p + 5, &end, 10);
	if (end == p + 5 || n == 0)
		return;
	while (--n && text)
		text = (text = strchr(text, '\n')) ? text + 1 : NULL;
	if (text && *text)
		diag_note(NULL, "the refused line: %.*s", (int)strcspn(text, "\n"), text);
}

static int restore_table(const struct ipt_model *m, enum ipt_family fam, enum ipt_table t)
{
	char *restore = xasprintf("%s-restore", tool(fam));
	char *argv[] = {restore, (char *)"--noflush", (char *)"-w", NULL};
	struct strbuf text = {0}, out = {0};
	int rc = 0, status;

	ipt_table_text(&m->t[fam][t], t, true, &text);
	if (!text.len)
		goto out;
	status = util_run(argv, text.buf, text.len, &out);
	if (status != 0) {
		char *line = first_line(&out);

		diag_error(NULL, "%s refused masqgen's %s table (%s): %s", restore,
			   ipt_table_name(t), ipt_family_name[fam],
			   status == 127 && !out.len ? "it could not be run" : line);
		note_failed_line(&out, text.buf);
		free(line);
		rc = -1;
	}
out:
	sb_free(&text);
	sb_free(&out);
	free(restore);
	return rc;
}

/* Run "TOOL -w -t TABLE @words...": its exit status; the output into @out. */
static int ipt_cmd(enum ipt_family fam, enum ipt_table t, const char *const *words,
		   struct strbuf *out)
{
	char *argv[16];
	size_t n = 0;

	argv[n++] = (char *)tool(fam);
	argv[n++] = (char *)"-w";
	argv[n++] = (char *)"-t";
	argv[n++] = (char *)ipt_table_name(t);
	while (*words && n < ARRAY_SIZE(argv) - 1)
		argv[n++] = (char *)*words++;
	argv[n] = NULL;
	return util_run(argv, NULL, 0, out);
}

/* @op on the jump from @hook to @chain: "-C", "-D" or "-I" (at the top). */
static int jump_cmd(enum ipt_family fam, enum ipt_table t, const char *op, const char *hook,
		    const char *chain, struct strbuf *out)
{
	const char *insert[] = {op, hook, "1", "-m", "comment", "--comment", "masqgen", "-j", chain,
				NULL};
	const char *other[] = {op, hook, "-m", "comment", "--comment", "masqgen", "-j", chain,
			       NULL};

	return ipt_cmd(fam, t, strcmp(op, "-I") == 0 ? insert : other, out);
}

/* Add the jump from @ch's built-in chain unless it is there (-C). */
static int ensure_jump(enum ipt_family fam, enum ipt_table t, const struct ipt_chain *ch)
{
	struct strbuf out = {0};
	int status, rc = 0;

	status = jump_cmd(fam, t, "-C", ch->hook, ch->name, &out);
	if (status == 1) {
		sb_free(&out);
		status = jump_cmd(fam, t, "-I", ch->hook, ch->name, &out);
	}
	if (status != 0) {
		char *line = first_line(&out);

		diag_error(NULL, "%s could not add the jump from %s to %s (%s table, %s): %s",
			   tool(fam), ch->hook, ch->name, ipt_table_name(t), ipt_family_name[fam],
			   line);
		free(line);
		rc = -1;
	}
	sb_free(&out);
	return rc;
}

static bool model_has(const struct ipt_table_model *tm, const char *name)
{
	size_t i;

	for (i = 0; tm && i < tm->n; i++)
		if (tm->chains[i].n_rules && strcmp(tm->chains[i].name, name) == 0)
			return true;
	return false;
}

/*
 * masqgen's chains in the kernel that the new ruleset does not have (an
 * option or a forward removed, `ipv6 open`; every one when @m is NULL):
 * unhook, empty, delete. A failure here is a warning: after apply the new
 * ruleset is in place already.
 */
static void remove_stale(const struct ipt_model *m, enum ipt_family fam, enum ipt_table t)
{
	const char *list[] = {"-S", NULL};
	const char *const *hook;
	struct strbuf out = {0};
	char **stale = NULL;
	size_t n = 0, cap = 0, i, k;
	const char *p;

	if (ipt_cmd(fam, t, list, &out) != 0)
		goto out;
	for (p = out.buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		size_t len = strcspn(p, "\n");
		char *name;

		if (strncmp(p, "-N " IPT_CHAIN_PREFIX, 3 + strlen(IPT_CHAIN_PREFIX)) != 0)
			continue;
		name = xstrndup(p + 3, len - 3);
		if (m && model_has(&m->t[fam][t], name)) {
			free(name);
			continue;
		}
		*VEC_PUSH(stale, n, cap) = name;
	}
	for (i = 0; i < n; i++) {
		/* -D removes one jump a call; a bound against a -D that never fails */
		for (hook = builtin_chains(t); *hook; hook++)
			for (k = 0; k < 64 && jump_cmd(fam, t, "-D", *hook, stale[i], NULL) == 0;
			     k++)
				;
	}
	for (k = 0; k < 2; k++) {
		for (i = 0; i < n; i++) {
			const char *flush[] = {k ? "-X" : "-F", stale[i], NULL};
			struct strbuf err = {0};

			if (ipt_cmd(fam, t, flush, &err) != 0) {
				char *line = first_line(&err);

				diag_warning(NULL, "%s could not %s the old chain %s (%s table): %s",
					     tool(fam), k ? "delete" : "empty", stale[i],
					     ipt_table_name(t), line);
				free(line);
			}
			sb_free(&err);
		}
	}
	for (i = 0; i < n; i++)
		free(stale[i]);
	free(stale);
out:
	sb_free(&out);
}

int ipt_apply(const struct ir *ir)
{
	struct ipt_model *m = ipt_lower(ir);
	int f, rc = -1;
	size_t k, i;

	if (!m)
		return -1;
	for (f = 0; f < IPT_FAMILY_COUNT; f++) {
		if (f == IPT_V6 && !m->ipv6)
			continue;
		for (k = 0; k < ARRAY_SIZE(ipt_apply_order); k++) {
			if (restore_table(m, (enum ipt_family)f, ipt_apply_order[k]) == 0)
				continue;
			if (f || k)
				diag_note(NULL, "the tables loaded before it hold masqgen's new "
						"rules, the others are unchanged, and no jump was "
						"added");
			goto out;
		}
	}
	/* the jumps last: until here the new chains are not entered */
	for (f = 0; f < IPT_FAMILY_COUNT; f++) {
		if (f == IPT_V6 && !m->ipv6)
			continue;
		for (k = 0; k < ARRAY_SIZE(ipt_apply_order); k++) {
			const struct ipt_table_model *tm = &m->t[f][ipt_apply_order[k]];

			for (i = 0; i < tm->n; i++) {
				const struct ipt_chain *ch = &tm->chains[i];

				if (ch->hook && ch->n_rules &&
				    ensure_jump((enum ipt_family)f, ipt_apply_order[k], ch) < 0)
					goto out;
			}
		}
	}
	for (f = 0; f < IPT_FAMILY_COUNT; f++)
		for (k = 0; k < ARRAY_SIZE(ipt_apply_order); k++)
			remove_stale(m, (enum ipt_family)f, ipt_apply_order[k]);
	rc = 0;
out:
	ipt_model_free(m);
	return rc;
}
