// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipt_init.c - the iptables target of `masqgen init-script`: the
 * rc.firewall-iptables script, written from the model's per-table text
 * (both families loaded with --noflush into masqgen's own chains, the
 * jumps from the built-in chains added when missing, then the kernel
 * settings), and the shell lines of its wrapper's stop and status.
 */
#include "escape.h"
#include "ipt.h"
#include "ir.h"
#include "template.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Forwarding is already off when this runs (the wrapper's stop). */
const char ipt_init_stop[] =
    "\tfor ipt in iptables ip6tables; do for t in raw mangle nat filter; do\n"
    "\t\t\"$ipt\"-save -t \"$t\" 2>/dev/null | sed -n 's/^-A \\([A-Z]*\\) \\(.*-j "
    "masqgen-[a-z0-9-]*\\)$/\\1 \\2/p' |\n"
    "\t\t\twhile read -r chain rule; do\n"
    "\t\t\t\t# shellcheck disable=SC2086 # the rule's words, as iptables-save wrote them\n"
    "\t\t\t\t\"$ipt\" -t \"$t\" -D \"$chain\" $rule\n"
    "\t\t\tdone\n"
    "\t\tchains=$(\"$ipt\"-save -t \"$t\" 2>/dev/null |\n"
    "\t\t\tsed -n 's/^:\\(masqgen-[a-z0-9-]*\\) .*/\\1/p')\n"
    "\t\tfor chain in $chains; do \"$ipt\" -t \"$t\" -F \"$chain\"; done\n"
    "\t\tfor chain in $chains; do \"$ipt\" -t \"$t\" -X \"$chain\"; done\n"
    "\tdone; done";

const char ipt_init_status[] = "\tiptables-save | grep -e '^\\*' -e masqgen\n"
			       "\tip6tables-save | grep -e '^\\*' -e masqgen";

/* The /proc/sys path of sysctl @key (ir_sysctl_path()), shell-quoted. */
static char *ipt_init_sysctl_path(const char *key, const char *iface)
{
	char *rel = ir_sysctl_path(key, iface), *path = xasprintf("/proc/sys/%s", rel);
	char *q = escape_shell_word(path);

	free(rel);
	free(path);
	return q;
}

/* One family's restore input (@rules) and its `jump` lines (@jumps). */
static void ipt_init_family(const struct ipt_model *m, enum ipt_family fam, struct strbuf *rules,
			    struct strbuf *jumps)
{
	int t;
	size_t i;

	for (t = 0; t < IPT_TABLE_COUNT; t++) {
		const struct ipt_table_model *tm = &m->t[fam][t];

		ipt_table_text(tm, (enum ipt_table)t, IPT_TEXT_CHAINS, rules);
		for (i = 0; i < tm->n; i++)
			if (tm->chains[i].hook && tm->chains[i].n_rules)
				sb_addf(jumps, "jump %s %s %s %s\n",
					ipt_family_tool(fam),
					ipt_table_name((enum ipt_table)t), tm->chains[i].hook,
					tm->chains[i].name);
	}
}

int ipt_init_rc(const struct ir *ir, const char *policy, struct strbuf *out)
{
	struct strbuf v4 = {0}, v6 = {0}, six = {0}, jumps = {0}, sysctls = {0};
	struct ipt_model *m = ipt_lower(ir);
	size_t i;
	int rc;

	if (!m)
		return -1;
	ipt_init_family(m, IPT_V4, &v4, &jumps);
	if (m->ipv6)
		ipt_init_family(m, IPT_V6, &v6, &jumps);
	if (v6.len)
		sb_addf(&six, "echo \"rc.firewall-iptables: loading masqgen's IPv6 chains\"\n"
			"ip6tables-restore --noflush <<'MASQGEN_IPV6'\n%sMASQGEN_IPV6\n", v6.buf);
	for (i = 0; i < ir->n_sysctls; i++) {
		const struct ir_sysctl *s = &ir->sysctls[i];
		char *path, *value, *from;

		if (!s->value || (s->iface && s->iface[strlen(s->iface) - 1] == '+'))
			continue;	/* recorded only, by apply; a wildcard has no path */
		path = ipt_init_sysctl_path(s->key, s->iface);
		value = escape_shell_word(s->value);
		/* a per-interface setting of a link that is not up yet is skipped */
		if (s->only_from) {
			from = escape_shell_word(s->only_from);
			sb_addf(&sysctls, "if [ \"$(cat %s 2>/dev/null)\" = %s ]; then echo %s >%s; fi\n",
				path, from, value, path);
			free(from);
		} else if (s->iface) {
			sb_addf(&sysctls, "if [ -e %s ]; then echo %s >%s; fi\n", path, value, path);
		} else {
			sb_addf(&sysctls, "echo %s >%s\n", value, path);
		}
		free(value);
		free(path);
	}
	/* iptables has no per-connection timeouts: the global conntrack sysctls */
	for (i = 0; i < m->n_sysctls; i++) {
		char *path = ipt_init_sysctl_path(m->sysctls[i].key, NULL);

		sb_addf(&sysctls, "echo %u >%s\n", m->sysctls[i].value, path);
		free(path);
	}
	{
		const struct template_var vars[] = {
			{"POLICY_COMMENT", policy, TEMPLATE_COMMENT},
			{"RULES4", v4.buf ? v4.buf : "", TEMPLATE_RAW},
			{"RULES6", six.buf ? six.buf : "", TEMPLATE_RAW},
			{"JUMPS", jumps.buf ? jumps.buf : "", TEMPLATE_RAW},
			{"SYSCTLS", sysctls.buf ? sysctls.buf : "", TEMPLATE_RAW},
		};

		rc = template_fill("rc.firewall-iptables.in", vars, ARRAY_SIZE(vars), out);
	}
	ipt_model_free(m);
	sb_free(&v4);
	sb_free(&v6);
	sb_free(&six);
	sb_free(&jumps);
	sb_free(&sysctls);
	return rc;
}
