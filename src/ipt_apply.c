// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipt_apply.c - `apply -t iptables`: load masqgen's chains with
 * iptables-restore --noflush, beside other software's rules.
 *
 * The promise is weaker than nft's single transaction: each table commits
 * on its own, filter first, then nat, then raw and mangle, and the jumps
 * from the built-in chains come last (IPv4, then IPv6), so a failure never
 * leaves forwarding open, but it can leave one table new and another old.
 *
 * The cost is a few processes, not one per rule: each family's tables are
 * read once (iptables-save) and loaded by one iptables-restore (a COMMIT
 * per table, then the missing jumps); chains the new ruleset no longer has
 * go in one last restore. Every iptables command reads its whole table,
 * so a -C or -S per jump would cost the table's size each.
 */
#include "ipt.h"
#include "ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The order in which apply commits the tables. */
static const enum ipt_table ipt_apply_order[] = {IPT_FILTER, IPT_NAT, IPT_RAW, IPT_MANGLE};

static const char *const ipt_family_name[IPT_FAMILY_COUNT] = {"IPv4", "IPv6"};

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

/* The number in iptables-restore's "line N" complaint, or 0. */
static unsigned long failed_line_no(const struct strbuf *out)
{
	const char *p = out->buf ? strstr(out->buf, "line ") : NULL;

	return p ? strtoul(p + 5, NULL, 10) : 0;
}

/* Line @n (from 1) of @text, or NULL. */
static const char *text_line(const char *text, unsigned long n)
{
	while (n > 1 && text) {
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
		n--;
	}
	return n == 1 && text && *text ? text : NULL;
}

/* The table a "*nat" line at @p starts, or -1. */
static int table_of_line(const char *p)
{
	size_t len = strcspn(p, "\n");
	int t;

	if (*p != '*')
		return -1;
	for (t = 0; t < IPT_TABLE_COUNT; t++)
		if (strlen(ipt_table_name((enum ipt_table)t)) == len - 1 &&
		    strncmp(p + 1, ipt_table_name((enum ipt_table)t), len - 1) == 0)
			return t;
	return -1;
}

/* The table whose section of restore input @text holds line @n, or @dflt. */
static enum ipt_table line_table(const char *text, unsigned long n, enum ipt_table dflt)
{
	enum ipt_table t = dflt;
	unsigned long i;

	for (i = 1; i <= n && text && *text; i++) {
		if (table_of_line(text) >= 0)
			t = (enum ipt_table)table_of_line(text);
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
	}
	return t;
}

/* Run TOOL-restore --noflush -w on @text: its exit status, its output into @out. */
static int restore(enum ipt_family fam, const struct strbuf *text, struct strbuf *out)
{
	char *name = xasprintf("%s-restore", ipt_family_tool(fam));
	char *argv[] = {name, (char *)"--noflush", (char *)"-w", NULL};
	int status = util_run(argv, text->buf, text->len, out);

	free(name);
	return status;
}

/*
 * What one family's tables hold before apply, as iptables-save prints
 * them: each table's section with a newline before its first line, so a
 * whole line is found as "\nLINE\n"; NULL where the table does not exist.
 */
struct ipt_saved {
	char *table[IPT_TABLE_COUNT];
};

static void saved_free(struct ipt_saved *l)
{
	int t;

	for (t = 0; t < IPT_TABLE_COUNT; t++)
		free(l->table[t]);
}

/* Read @fam's tables with one TOOL-save. Returns 0, or -1 (@out says why). */
static int saved_read(enum ipt_family fam, struct ipt_saved *l, struct strbuf *out)
{
	char *name = xasprintf("%s-save", ipt_family_tool(fam));
	char *argv[] = {name, NULL};
	const char *p, *end;
	int status, t;

	memset(l, 0, sizeof(*l));
	status = util_run(argv, NULL, 0, out);
	free(name);
	if (status != 0)
		return -1;
	for (p = out->buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		t = table_of_line(p);
		if (t < 0 || l->table[t])
			continue;
		end = strstr(p, "\nCOMMIT\n");
		end = end ? end + 1 : p + strlen(p);
		l->table[t] = xasprintf("\n%.*s", (int)(end - p), p);
	}
	return 0;
}

/* Does @l's table @t hold the whole line @line? */
static bool saved_has(const struct ipt_saved *l, enum ipt_table t, const char *line)
{
	char *needle;
	bool found;

	if (!l->table[t])
		return false;
	needle = xasprintf("\n%s\n", line);
	found = strstr(l->table[t], needle) != NULL;
	free(needle);
	return found;
}

/* The jump from @hook to @chain as iptables-save prints it, after "-A " or "-D ". */
static char *jump_spec(const char *hook, const char *chain)
{
	return xasprintf("%s " IPT_JUMP_MATCH " -j %s", hook, chain);
}

/*
 * Append to @text the jumps @m's chains of table @t need and @old lacks,
 * each inserted at the top of its built-in chain.
 */
static void missing_jumps(const struct ipt_table_model *tm, enum ipt_table t,
			  const struct ipt_saved *old, struct strbuf *text)
{
	size_t i, start = text->len;

	for (i = 0; i < tm->n; i++) {
		const struct ipt_chain *ch = &tm->chains[i];
		char *spec, *line;

		if (!ch->hook || !ch->n_rules)
			continue;
		spec = jump_spec(ch->hook, ch->name);
		line = xasprintf("-A %s", spec);
		if (!saved_has(old, t, line)) {
			if (text->len == start)
				sb_addf(text, "*%s\n", ipt_table_name(t));
			sb_addf(text, "-I %s 1 " IPT_JUMP_MATCH " -j %s\n", ch->hook, ch->name);
		}
		free(line);
		free(spec);
	}
	if (text->len != start)
		sb_add(text, "COMMIT\n");
}

static unsigned long count_lines(const struct strbuf *text)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; i < text->len; i++)
		n += text->buf[i] == '\n';
	return n;
}

/*
 * Load @fam's tables of @m with one restore: a section and COMMIT per
 * table, then a section per table for the jumps @old lacks. A refused
 * table ends the restore there, before any jump of the family.
 */
static int restore_family(const struct ipt_model *m, enum ipt_family fam,
			  const struct ipt_saved *old)
{
	struct strbuf text = {0}, out = {0};
	unsigned long n, tables;
	const char *line;
	char *first;
	enum ipt_table t;
	int rc = 0, status;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(ipt_apply_order); k++)
		ipt_table_text(&m->t[fam][ipt_apply_order[k]], ipt_apply_order[k], IPT_TEXT_CHAINS, &text);
	tables = count_lines(&text);
	for (k = 0; k < ARRAY_SIZE(ipt_apply_order); k++)
		missing_jumps(&m->t[fam][ipt_apply_order[k]], ipt_apply_order[k], old, &text);
	if (!text.len)
		goto out;
	status = restore(fam, &text, &out);
	if (status == 0)
		goto out;
	rc = -1;
	n = failed_line_no(&out);
	t = line_table(text.buf, n, ipt_apply_order[0]);
	first = first_line(&out);
	if (n > tables)
		diag_error(NULL, "%s-restore could not add the jumps to masqgen's chains (%s): %s",
			   ipt_family_tool(fam), ipt_family_name[fam], first);
	else
		diag_error(NULL, "%s-restore refused masqgen's %s table (%s): %s", ipt_family_tool(fam),
			   ipt_table_name(t), ipt_family_name[fam],
			   status == 127 && !out.len ? "it could not be run" : first);
	free(first);
	line = text_line(text.buf, n);
	if (line)
		diag_note(NULL, "the refused line: %.*s", (int)strcspn(line, "\n"), line);
	if (n <= tables && (fam != IPT_V4 || t != line_table(text.buf, 1, t)))
		diag_note(NULL, "the tables loaded before it hold masqgen's new rules, "
				"the others are unchanged, and no %s jump was added",
			  ipt_family_name[fam]);
out:
	sb_free(&text);
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
 * Append to @text the removal of table @t's masqgen chains in @old that
 * @m does not have: the jumps to them, then their rules, then the chains.
 */
static void stale_chains(const struct ipt_model *m, enum ipt_family fam, enum ipt_table t,
			 const struct ipt_saved *old, struct strbuf *text)
{
	const char *decl = "\n:" IPT_CHAIN_PREFIX, *p, *q;
	const char *const *hook;
	struct strbuf drop = {0};
	char **stale = NULL;
	size_t n = 0, cap = 0, i;

	for (p = old->table[t]; p && (p = strstr(p, decl)); p++) {
		char *name = xstrndup(p + 2, strcspn(p + 2, " \n"));

		if (model_has(&m->t[fam][t], name)) {
			free(name);
			continue;
		}
		*VEC_PUSH(stale, n, cap) = name;
	}
	if (n)
		sb_addf(text, "*%s\n", ipt_table_name(t));
	for (i = 0; i < n; i++) {
		for (hook = builtin_chains(t); *hook; hook++) {
			char *spec = jump_spec(*hook, stale[i]);
			char *line = xasprintf("\n-A %s\n", spec);

			/* -D removes one copy a line */
			for (q = old->table[t]; (q = strstr(q, line)); q++)
				sb_addf(text, "-D %s\n", spec);
			free(line);
			free(spec);
		}
		sb_addf(text, "-F %s\n", stale[i]);
		sb_addf(&drop, "-X %s\n", stale[i]);
	}
	if (n) {
		sb_add(text, drop.buf);
		sb_add(text, "COMMIT\n");
	}
	for (i = 0; i < n; i++)
		free(stale[i]);
	free(stale);
	sb_free(&drop);
}

/*
 * Remove @fam's masqgen chains that @m does not have, table by table: one
 * restore. A failure here is a warning:
 * after apply the new ruleset is in place already.
 */
static void remove_stale(const struct ipt_model *m, enum ipt_family fam,
			 const struct ipt_saved *old)
{
	struct strbuf text = {0}, out = {0};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(ipt_apply_order); k++)
		stale_chains(m, fam, ipt_apply_order[k], old, &text);
	if (text.len && restore(fam, &text, &out) != 0) {
		char *first = first_line(&out);

		diag_warning(NULL, "%s-restore could not remove masqgen's old chains (%s): %s",
			     ipt_family_tool(fam), ipt_family_name[fam], first);
		free(first);
	}
	sb_free(&text);
	sb_free(&out);
}

int ipt_apply(const struct ipt_model *m)
{
	struct ipt_saved old[IPT_FAMILY_COUNT] = {0};
	bool read[IPT_FAMILY_COUNT] = {false};
	struct strbuf out = {0};
	int f, rc = -1;

	for (f = 0; f < IPT_FAMILY_COUNT; f++) {
		read[f] = saved_read((enum ipt_family)f, &old[f], &out) == 0;
		if (!read[f] && (f == IPT_V4 || m->ipv6)) {
			char *first = first_line(&out);

			diag_error(NULL, "%s-save could not read the %s tables: %s", ipt_family_tool(f),
				   ipt_family_name[f], out.len ? first : "it could not be run");
			free(first);
			goto out;
		}
		sb_free(&out);
	}
	for (f = 0; f < IPT_FAMILY_COUNT; f++)
		if ((f == IPT_V4 || m->ipv6) && restore_family(m, (enum ipt_family)f, &old[f]) < 0)
			goto out;
	for (f = 0; f < IPT_FAMILY_COUNT; f++)
		if (read[f])
			remove_stale(m, (enum ipt_family)f, &old[f]);
	rc = 0;
out:
	sb_free(&out);
	for (f = 0; f < IPT_FAMILY_COUNT; f++)
		saved_free(&old[f]);
	return rc;
}

void *ipt_target_lower(const struct ir *ir)
{
	return ir_check_modern(ir) == 0 ? ipt_lower(ir) : NULL;
}

int ipt_target_load(const void *m, const struct ir *ir, const char *run_dir)
{
	return ipt_apply(m);
}

void ipt_target_release(void *m)
{
	ipt_model_free(m);
}
