// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iptables.c - `generate -t iptables`: iptables-restore input.
 *
 * The IPv4 ruleset comes first, in iptables-save's layout, and loads as
 * printed with iptables-restore. The IPv6 ruleset follows with every line
 * prefixed "#6 ": a comment to iptables-restore, and ip6tables-restore
 * input once the prefix is removed (sed -n 's/^#6 //p'). Loading the file
 * by hand replaces whole tables; `masqgen apply -t iptables` loads the same
 * chains with --noflush and keeps other software's rules.
 */
#include "escape.h"
#include "ipt.h"
#include "ir.h"

#include <stdio.h>
#include <string.h>

/* The prefix that hides the IPv6 part from iptables-restore. */
#define IPT_V6_PREFIX "#6 "

static bool chain_used(const struct ipt_chain *ch)
{
	return ch->n_rules > 0;
}

void ipt_table_text(const struct ipt_table_model *tm, enum ipt_table t, enum ipt_text what,
		    struct strbuf *out)
{
	size_t i;

	for (i = 0; i < tm->n && !chain_used(&tm->chains[i]); i++)
		;
	if (i == tm->n)
		return;
	sb_addf(out, "*%s\n", ipt_table_name(t));
	for (i = 0; i < tm->n; i++)
		if (chain_used(&tm->chains[i]))
			sb_addf(out, ":%s - [0:0]\n", tm->chains[i].name);
	for (i = 0; i < tm->n; i++) {
		const struct ipt_chain *ch = &tm->chains[i];

		if (!chain_used(ch))
			continue;
		if (what == IPT_TEXT_FLUSH)
			sb_addf(out, "-F %s\n", ch->name);
		else if (what == IPT_TEXT_JUMPS && ch->hook)
			sb_addf(out, "-A %s " IPT_JUMP_MATCH " -j %s\n", ch->hook, ch->name);
	}
	for (i = 0; i < tm->n; i++)
		if (chain_used(&tm->chains[i]))
			sb_add(out, tm->chains[i].rules.buf);
	sb_add(out, "COMMIT\n");
}

/* Append @text with @prefix before each of its lines. */
static void add_prefixed(struct strbuf *out, const char *text, const char *prefix)
{
	const char *nl;

	while (*text) {
		nl = strchr(text, '\n');
		sb_add(out, prefix);
		if (!nl) {
			sb_add(out, text);
			sb_add(out, "\n");
			return;
		}
		sb_addn(out, text, (size_t)(nl - text + 1));
		text = nl + 1;
	}
}

int ipt_emit(const struct ir *ir, struct strbuf *out)
{
	struct ipt_model *m = ipt_lower(ir);
	struct strbuf v6 = {0};
	size_t i;
	int t;

	if (!m)
		return -1;
	sb_add(out, "# masqgen: iptables-restore input for ");
	escape_comment(out, m->policy_path ? m->policy_path : "-");
	sb_add(out, "\n"
		    "# Every rule is in masqgen's own chains, entered by one jump from each\n"
		    "# built-in chain. iptables-restore < FILE replaces these tables whole;\n"
		    "# masqgen apply -t iptables loads the same chains with --noflush and keeps\n"
		    "# other software's rules.\n");
	if (m->n_sysctls) {
		sb_add(out, "# conntrack timeouts: iptables has none per connection, so\n"
			    "# masqgen apply -t iptables sets these global sysctls, which\n"
			    "# affect every connection of this host:\n");
		for (i = 0; i < m->n_sysctls; i++)
			sb_addf(out, "#   %s = %u\n", m->sysctls[i].key, m->sysctls[i].value);
	}
	for (t = 0; t < IPT_TABLE_COUNT; t++)
		ipt_table_text(&m->t[IPT_V4][t], (enum ipt_table)t, IPT_TEXT_JUMPS, out);
	if (!m->ipv6) {
		sb_add(out, "# IPv6: open (ipv6 open), no ip6tables rules\n");
		ipt_model_free(m);
		return 0;
	}
	for (t = 0; t < IPT_TABLE_COUNT; t++)
		ipt_table_text(&m->t[IPT_V6][t], (enum ipt_table)t, IPT_TEXT_JUMPS, &v6);
	sb_add(out, "# IPv6: ip6tables-restore input, each line below without its \"" IPT_V6_PREFIX
		    "\"\n"
		    "# (sed -n 's/^" IPT_V6_PREFIX "//p' FILE | ip6tables-restore)\n");
	if (v6.len)
		add_prefixed(out, v6.buf, IPT_V6_PREFIX);
	sb_free(&v6);
	ipt_model_free(m);
	return 0;
}
