// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iptables.c - `generate -t iptables` and `generate -t ip6tables`: the
 * restore input of one family each, in iptables-save's layout, loadable
 * as printed (iptables-persistent's rules.v4 and rules.v6). Both come from
 * the same model, lowered once for both families (ipt_lower()). Loading a
 * file by hand replaces whole tables; `masqgen apply -t iptables` loads the
 * same chains of both families with --noflush and keeps other software's
 * rules.
 */
#include "escape.h"
#include "ipt.h"
#include "ir.h"

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
		if (what == IPT_TEXT_JUMPS && ch->hook)
			sb_addf(out, "-A %s " IPT_JUMP_MATCH " -j %s\n", ch->hook, ch->name);
	}
	for (i = 0; i < tm->n; i++) {
		if (!chain_used(&tm->chains[i]))
			continue;
		sb_add(out, tm->chains[i].rules.buf);
		sb_spill(out); /* generate: out as it is printed, not held whole */
	}
	sb_add(out, "COMMIT\n");
}

/* The restore input of family @fam for @ir. */
static int ipt_emit_family(const struct ir *ir, enum ipt_family fam, struct strbuf *out)
{
	static const char *const rules_file[IPT_FAMILY_COUNT] = {"rules.v4", "rules.v6"};
	struct ipt_model *m = ipt_lower(ir);
	enum ipt_family other = fam == IPT_V4 ? IPT_V6 : IPT_V4;
	size_t i;
	int t;

	if (!m)
		return -1;
	sb_addf(out, "# masqgen: %s-restore input for ", ipt_family_tool(fam));
	escape_comment(out, m->policy_path ? m->policy_path : "-");
	sb_addf(out,
		"\n"
		"# IPv%c only (iptables-persistent's %s); the IPv%c part is\n"
		"# masqgen generate -t %s.\n"
		"# Every rule is in masqgen's own chains, entered by one jump from each\n"
		"# built-in chain. %s-restore < FILE replaces these tables whole;\n"
		"# masqgen apply -t iptables loads the same chains of both families with\n"
		"# --noflush and keeps other software's rules.\n",
		fam == IPT_V4 ? '4' : '6', rules_file[fam], other == IPT_V4 ? '4' : '6',
		ipt_family_tool(other), ipt_family_tool(fam));
	if (m->n_sysctls) {
		sb_add(out, "# conntrack timeouts: iptables has none per connection, so\n"
			    "# masqgen apply -t iptables sets these global sysctls, which\n"
			    "# affect every connection of this host:\n");
		for (i = 0; i < m->n_sysctls; i++)
			sb_addf(out, "#   %s = %u\n", m->sysctls[i].key, m->sysctls[i].value);
	}
	if (fam == IPT_V6 && !m->ipv6)
		sb_add(out, "# ipv6 open: masqgen filters no IPv6, so there is nothing to load;\n"
			    "# this file changes no table.\n");
	else
		for (t = 0; t < IPT_TABLE_COUNT; t++)
			ipt_table_text(&m->t[fam][t], (enum ipt_table)t, IPT_TEXT_JUMPS, out);
	ipt_model_free(m);
	return 0;
}

int ipt_emit(const struct ir *ir, struct strbuf *out)
{
	return ipt_emit_family(ir, IPT_V4, out);
}

int ip6t_emit(const struct ir *ir, struct strbuf *out)
{
	return ipt_emit_family(ir, IPT_V6, out);
}
