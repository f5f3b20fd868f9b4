// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipt_state.c - masqgen's iptables and ip6tables chains as loaded, in
 * either flavour: iptables-nft (chains in nftables' ip/ip6 filter, nat,
 * raw and mangle tables) and iptables-legacy (x_tables). `show`, `diff`
 * and `flush` act on what `apply -t iptables` loaded, whichever
 * iptables the system's alternative pointed at then.
 *
 * A flavour is read only where it can hold something: the nft flavour
 * when the nftables dump found a "masqgen-*" chain in those tables, the
 * legacy one when the kernel lists legacy tables
 * (/proc/net/ip_tables_names, ip6_tables_names). Its *-save output is then
 * parsed into an ipt_model, the same structure ipt_lower() builds, so
 * ipt_table_text() prints it and diff compares it line by line.
 */
#include "ipt.h"

#include "diag.h"
#include "util.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ipt_tools[IPT_FLAVOUR_COUNT][IPT_FAMILY_COUNT] = {
	[IPT_NFT] = {"iptables-nft", "ip6tables-nft"},
	[IPT_LEGACY] = {"iptables-legacy", "ip6tables-legacy"},
};

const char *ipt_tool_name(enum ipt_flavour fl, enum ipt_family fam)
{
	return ipt_tools[fl][fam];
}

/* The built-in chains jumps come from; a model's hook points at these. */
static const char *builtin(const char *name, size_t len)
{
	static const char *const names[] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT",
					    "POSTROUTING"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (strlen(names[i]) == len && strncmp(names[i], name, len) == 0)
			return names[i];
	return NULL;
}

static int table_index(const char *name, size_t len)
{
	int t;

	for (t = 0; t < IPT_TABLE_COUNT; t++)
		if (strlen(ipt_table_name((enum ipt_table)t)) == len &&
		    strncmp(ipt_table_name((enum ipt_table)t), name, len) == 0)
			return t;
	return -1;
}

static bool ours(const char *name)
{
	return strncmp(name, IPT_CHAIN_PREFIX, strlen(IPT_CHAIN_PREFIX)) == 0;
}

/*
 * iptables-save names a protocol from this machine's /etc/protocols when
 * it can ("-p ipv6" for 41, "-p sctp" for 132); masqgen writes the number
 * of every protocol it has no name of its own for. The rule @line (@len
 * bytes, no newline) with such a name as its number, caller-owned.
 */
static char *proto_numeric(const char *line, size_t len)
{
	static const char *const own[] = {"tcp", "udp", "icmp", "ipv6-icmp", "gre", "esp", "ah"};
	char *out = xstrndup(line, len), *name, *end, *res;
	const struct protoent *pe;
	size_t i;

	name = strstr(out, " -p ");
	if (!name)
		return out;
	name += 4 + (name[4] == '!' ? 2 : 0);
	end = name + strcspn(name, " ");
	if (*name >= '0' && *name <= '9')
		return out;
	for (i = 0; i < ARRAY_SIZE(own); i++)
		if ((size_t)(end - name) == strlen(own[i]) && !strncmp(name, own[i], end - name))
			return out;
	*end = '\0';
	pe = getprotobyname(name);
	if (!pe) {
		*end = ' ';
		return out;
	}
	*name = '\0';
	res = xasprintf("%s%d%s%s", out, pe->p_proto, end < out + len ? " " : "",
			end < out + len ? end + 1 : "");
	free(out);
	return res;
}

/* One "-A CHAIN ..." line of table @t into @l. */
static void parse_rule(struct ipt_loaded *l, enum ipt_flavour fl, enum ipt_family fam, int t,
		       const char *raw, size_t len)
{
	struct ipt_table_model *tm = &l->m[fl]->t[fam][t];
	char *line = proto_numeric(raw, len);
	size_t nlen = strcspn(line + 3, " \n");
	char *chain = xstrndup(line + 3, nlen);
	const char *jump = NULL, *p;
	struct ipt_chain *ch;

	len = strlen(line);

	for (p = line; (p = strstr(p, " -j " IPT_CHAIN_PREFIX)) && p < line + len; p++)
		jump = p + 4;
	if (ours(chain)) {
		ch = ipt_chain_get(tm, chain, NULL);
		sb_addn(&ch->rules, line, len);
		sb_add(&ch->rules, "\n");
		ch->n_rules++;
	} else if (jump) {
		char *target = xstrndup(jump, strcspn(jump, " \n"));

		/* every reference goes before the chains can; the marked jump is apply's */
		sb_addf(&l->refs[fl][fam][t], "-D%.*s\n", (int)(len - 2), line + 2);
		ch = ipt_chain_get(tm, target, NULL);
		if (strstr(line, " " IPT_JUMP_MATCH " -j "))
			ch->hook = builtin(chain, nlen);
		free(target);
	}
	free(chain);
	free(line);
}

/* Parse @save, the output of a *-save of flavour @fl and family @fam. */
static void parse_save(struct ipt_loaded *l, enum ipt_flavour fl, enum ipt_family fam,
		       const char *save)
{
	const char *line, *nl;
	size_t len;
	int t = -1;
	char *name;

	for (line = save; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (line[0] == '*') {
			t = table_index(line + 1, len - 1);
		} else if (t >= 0 && line[0] == ':' && ours(line + 1)) {
			name = xstrndup(line + 1, strcspn(line + 1, " \n"));
			ipt_chain_get(&l->m[fl]->t[fam][t], name, NULL);
			free(name);
		} else if (t >= 0 && strncmp(line, "-A ", 3) == 0) {
			parse_rule(l, fl, fam, t, line, len);
		}
	}
	for (t = 0; t < IPT_TABLE_COUNT; t++)
		if (l->m[fl]->t[fam][t].n)
			l->present[fl][fam] = true;
}

/* Whether the kernel lists legacy tables of @fam in this namespace. */
static bool legacy_tables(enum ipt_family fam)
{
	FILE *f = fopen(fam == IPT_V4 ? "/proc/net/ip_tables_names" : "/proc/net/ip6_tables_names",
			"r");
	bool any = false;

	if (f) {
		any = fgetc(f) != EOF;
		fclose(f);
	}
	return any;
}

int ipt_loaded_read(struct ipt_loaded *l, const bool nft_chains[IPT_FAMILY_COUNT])
{
	struct strbuf out = {0};
	int fl, fam, rc = 0;

	memset(l, 0, sizeof(*l));
	for (fl = 0; fl < IPT_FLAVOUR_COUNT; fl++)
		l->m[fl] = xcalloc(1, sizeof(*l->m[fl]));
	for (fl = 0; fl < IPT_FLAVOUR_COUNT; fl++) {
		for (fam = 0; fam < IPT_FAMILY_COUNT; fam++) {
			char *save = xasprintf("%s-save", ipt_tools[fl][fam]);
			char *argv[] = {save, NULL};
			int status;

			if (fl == IPT_NFT ? !nft_chains[fam] : !legacy_tables((enum ipt_family)fam)) {
				free(save);
				continue;
			}
			out.len = 0;
			status = util_run_stdout(argv, &out);
			if (status == 0) {
				parse_save(l, (enum ipt_flavour)fl, (enum ipt_family)fam,
					   out.buf ? out.buf : "");
			} else if (fl == IPT_NFT || status != 127) {
				/* a legacy table without the legacy tools cannot be masqgen's */
				diag_error(NULL, "cannot read masqgen's chains: %s exited %d", save,
					   status);
				rc = -1;
			}
			free(save);
		}
	}
	sb_free(&out);
	return rc;
}

bool ipt_loaded_any(const struct ipt_loaded *l)
{
	int fl, fam;

	for (fl = 0; fl < IPT_FLAVOUR_COUNT; fl++)
		for (fam = 0; fam < IPT_FAMILY_COUNT; fam++)
			if (l->present[fl][fam])
				return true;
	return false;
}

void ipt_loaded_free(struct ipt_loaded *l)
{
	int fl, fam, t;

	for (fl = 0; fl < IPT_FLAVOUR_COUNT; fl++) {
		ipt_model_free(l->m[fl]);
		for (fam = 0; fam < IPT_FAMILY_COUNT; fam++)
			for (t = 0; t < IPT_TABLE_COUNT; t++)
				sb_free(&l->refs[fl][fam][t]);
	}
	memset(l, 0, sizeof(*l));
}

void ipt_loaded_print(const struct ipt_loaded *l, struct strbuf *out)
{
	static const char *const how[IPT_FLAVOUR_COUNT] = {"nf_tables", "legacy"};
	int fl, fam, t;

	for (fl = 0; fl < IPT_FLAVOUR_COUNT; fl++) {
		for (fam = 0; fam < IPT_FAMILY_COUNT; fam++) {
			if (!l->present[fl][fam])
				continue;
			sb_addf(out, "# masqgen's chains in %s (%s)\n",
				ipt_family_tool((enum ipt_family)fam), how[fl]);
			for (t = 0; t < IPT_TABLE_COUNT; t++)
				ipt_table_text(&l->m[fl]->t[fam][t], (enum ipt_table)t, false, out);
		}
	}
}

int ipt_loaded_flush(const struct ipt_loaded *l)
{
	struct strbuf text = {0}, out = {0};
	int fl, fam, t, rc = 0;
	size_t i;

	for (fl = 0; fl < IPT_FLAVOUR_COUNT; fl++) {
		for (fam = 0; fam < IPT_FAMILY_COUNT; fam++) {
			char *restore = xasprintf("%s-restore", ipt_tools[fl][fam]);
			char *argv[] = {restore, (char *)"--noflush", (char *)"-w", NULL};

			text.len = out.len = 0;
			for (t = 0; l->present[fl][fam] && t < IPT_TABLE_COUNT; t++) {
				const struct ipt_table_model *tm = &l->m[fl]->t[fam][t];

				if (!tm->n)
					continue;
				/* unhook, then empty every chain, then delete them */
				sb_addf(&text, "*%s\n", ipt_table_name((enum ipt_table)t));
				sb_add(&text, l->refs[fl][fam][t].buf ? l->refs[fl][fam][t].buf : "");
				for (i = 0; i < tm->n; i++)
					sb_addf(&text, "-F %s\n", tm->chains[i].name);
				for (i = 0; i < tm->n; i++)
					sb_addf(&text, "-X %s\n", tm->chains[i].name);
				sb_add(&text, "COMMIT\n");
			}
			if (text.len && util_run(argv, text.buf, text.len, &out) != 0) {
				diag_error(NULL, "%s could not remove masqgen's chains: %.*s", restore,
					   (int)strcspn(out.buf ? out.buf : "", "\n"),
					   out.buf ? out.buf : "");
				rc = -1;
			}
			free(restore);
		}
	}
	sb_free(&text);
	sb_free(&out);
	return rc;
}
