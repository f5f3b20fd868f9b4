// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fwdcheck.c - other software's drops at the forward hook (fwdcheck.h).
 *
 * nftables is read over netlink: one dump of the chains finds the base
 * chains at the forward hook of the ip, ip6 and inet families (tables of
 * iptables-nft included) outside masqgen's own tables, their policy, and
 * Docker's DOCKER-USER chains; then the rules of each of those chains
 * alone are dumped (not every table's: masqgen's own iptables-nft chains
 * can hold tens of thousands of rules) to count drop verdicts, and the
 * accepts in DOCKER-USER. iptables-legacy, which nftables cannot see, is
 * read from iptables-legacy-save when ip_tables is loaded.
 */
#include "fwdcheck.h"

#include "diag.h"
#include "ir.h"
#include "nl.h"
#include "util.h"

#include <errno.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* A table with DOCKER-USER, and the accepts found in that chain. */
struct fwdcheck_docker {
	char *family, *table;
	unsigned accepts;
};

/* A chain whose rules are read: at the forward hook, or DOCKER-USER. */
struct fwdcheck_read {
	uint32_t family;
	char *table, *chain;
};

struct fwdcheck_ctx {
	struct fwdcheck *fc;
	struct fwdcheck_docker *docker;
	size_t n_docker, cap_docker;
	struct fwdcheck_read *read;
	size_t n_read, cap_read;
};

/* The families whose forward hook routes IP: "ip", "ip6", "inet"; else NULL. */
static const char *fwdcheck_family(uint32_t f)
{
	if (f != NFPROTO_IPV4 && f != NFPROTO_IPV6 && f != NFPROTO_INET)
		return NULL;
	return nl_family_name(f);
}

static struct fwdcheck_chain *fwdcheck_add(struct fwdcheck *fc, const char *family,
					   const char *table, const char *chain, bool legacy)
{
	struct fwdcheck_chain *c = VEC_PUSH(fc->v, fc->n, fc->cap);

	memset(c, 0, sizeof(*c));
	c->family = xstrdup(family);
	c->table = xstrdup(table);
	c->chain = xstrdup(chain);
	c->legacy = legacy;
	return c;
}

static struct fwdcheck_chain *fwdcheck_find(struct fwdcheck *fc, const char *family,
					    const char *table, const char *chain, bool legacy)
{
	size_t i;

	for (i = 0; i < fc->n; i++) {
		struct fwdcheck_chain *c = &fc->v[i];

		if (c->legacy == legacy && strcmp(c->family, family) == 0 &&
		    strcmp(c->table, table) == 0 && strcmp(c->chain, chain) == 0)
			return c;
	}
	return NULL;
}

static struct fwdcheck_docker *fwdcheck_docker(struct fwdcheck_ctx *x, const char *family,
					       const char *table, bool add)
{
	struct fwdcheck_docker *d;
	size_t i;

	for (i = 0; i < x->n_docker; i++)
		if (strcmp(x->docker[i].family, family) == 0 && strcmp(x->docker[i].table, table) == 0)
			return &x->docker[i];
	if (!add)
		return NULL;
	d = VEC_PUSH(x->docker, x->n_docker, x->cap_docker);
	d->family = xstrdup(family);
	d->table = xstrdup(table);
	d->accepts = 0;
	return d;
}

static int fwdcheck_chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fwdcheck_ctx *x = data;
	struct nftnl_chain *ch = nftnl_chain_alloc();
	const char *family, *table, *name;
	struct fwdcheck_chain *c;
	struct fwdcheck_read *rd;
	uint32_t f;

	if (nftnl_chain_nlmsg_parse(nlh, ch) < 0)
		goto out;
	f = nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY);
	family = fwdcheck_family(f);
	table = nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE);
	name = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME);
	/* masqgen's own tables decide nothing against its policy */
	if (!family || !table || !name || strncmp(table, "masqgen", 7) == 0)
		goto out;
	if (strcmp(name, "DOCKER-USER") == 0)
		fwdcheck_docker(x, family, table, true);
	else if (!nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM) ||
		 nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM) != NF_INET_FORWARD)
		goto out;
	rd = VEC_PUSH(x->read, x->n_read, x->cap_read);
	rd->family = f;
	rd->table = xstrdup(table);
	rd->chain = xstrdup(name);
	if (strcmp(name, "DOCKER-USER") == 0)
		goto out;
	c = fwdcheck_add(x->fc, family, table, name, false);
	c->policy_drop = nftnl_chain_is_set(ch, NFTNL_CHAIN_POLICY) &&
			 nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) == NF_DROP;
out:
	nftnl_chain_free(ch);
	return MNL_CB_OK;
}

/* The rule's verdict (an immediate NF_DROP, NF_ACCEPT, ...), or -1 for none. */
static int fwdcheck_expr_cb(struct nftnl_expr *e, void *data)
{
	int *verdict = data;

	if (strcmp(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), "immediate") == 0 &&
	    nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT))
		*verdict = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
	return 0;
}

static int fwdcheck_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fwdcheck_ctx *x = data;
	struct nftnl_rule *r = nftnl_rule_alloc();
	const char *family, *table, *chain;
	struct fwdcheck_docker *d;
	struct fwdcheck_chain *c;
	int verdict = -1;

	if (nftnl_rule_nlmsg_parse(nlh, r) < 0)
		goto out;
	family = fwdcheck_family(nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY));
	table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	if (!family || !table || !chain)
		goto out;
	nftnl_expr_foreach(r, fwdcheck_expr_cb, &verdict);
	c = fwdcheck_find(x->fc, family, table, chain, false);
	if (c) {
		c->rules++;
		c->drop_rules += verdict == NF_DROP;
	}
	d = strcmp(chain, "DOCKER-USER") == 0 ? fwdcheck_docker(x, family, table, false) : NULL;
	if (d && verdict == NF_ACCEPT)
		d->accepts++;
out:
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int fwdcheck_nft(struct fwdcheck_ctx *x)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh;
	size_t i;
	int rc = -1;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto out;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, nl_seq());
	if (nl_request(nl, nlh, fwdcheck_chain_cb, x) < 0)
		goto out;
	for (i = 0; i < x->n_read; i++) {
		struct nftnl_rule *r = nftnl_rule_alloc();

		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, x->read[i].table);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, x->read[i].chain);
		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, (uint16_t)x->read[i].family,
					    NLM_F_DUMP, nl_seq());
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nftnl_rule_free(r);
		if (nl_request(nl, nlh, fwdcheck_rule_cb, x) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		x->fc->error = xasprintf("cannot read the nftables chains: %s", strerror(errno));
	if (nl)
		mnl_socket_close(nl);
	return rc;
}

/* Does an iptables-save rule line end in "-j TARGET"? */
static bool fwdcheck_jumps(const char *line, size_t len, const char *target)
{
	size_t n = strlen(target);

	return len > n + 4 && strncmp(line + len - n - 4, " -j ", 4) == 0 &&
	       strncmp(line + len - n, target, n) == 0;
}

/* Does the table list @names (/proc/net/ip_tables_names) hold "filter"? */
static bool fwdcheck_has_filter(const char *names)
{
	FILE *f = fopen(names, "r");
	char line[64];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strcmp(line, "filter\n") == 0;
	if (f)
		fclose(f);
	return found;
}

/* iptables-legacy (@family "ip") or ip6tables-legacy ("ip6"): its filter FORWARD. */
static void fwdcheck_legacy(const char *proc, const char *family, struct fwdcheck *fc)
{
	bool v6 = strcmp(family, "ip6") == 0;
	char *names = xasprintf("%s/net/%s", proc, v6 ? "ip6_tables_names" : "ip_tables_names");
	char *const save[] = {v6 ? "ip6tables-legacy-save" : "iptables-legacy-save", "-t", "filter",
			      NULL};
	struct strbuf out = {0};
	struct fwdcheck_chain c = {0};
	const char *line, *next;
	bool docker = false;
	int rc;

	/* only a loaded filter table: listing it must not load one */
	if (!fwdcheck_has_filter(names))
		goto out;
	rc = util_run(save, NULL, 0, &out);
	if (rc != 0) {
		if (!fc->error)
			fc->error = xasprintf("ip_tables is loaded but %s %s", save[0],
					      rc == 127 ? "is missing" : "failed");
		goto out;
	}
	for (line = out.buf; line && *line; line = next) {
		size_t len = strcspn(line, "\n");

		next = line[len] ? line + len + 1 : line + len;
		if (strncmp(line, ":FORWARD DROP", 13) == 0)
			c.policy_drop = true;
		else if (strncmp(line, ":DOCKER-USER ", 13) == 0)
			docker = true;
		if (strncmp(line, "-A FORWARD ", 11) == 0) {
			c.rules++;
			c.drop_rules += fwdcheck_jumps(line, len, "DROP");
		}
		if (strncmp(line, "-A DOCKER-USER ", 15) == 0)
			c.docker_accepts += fwdcheck_jumps(line, len, "ACCEPT");
	}
	if (c.policy_drop || c.drop_rules) {
		struct fwdcheck_chain *n = fwdcheck_add(fc, family, "filter", "FORWARD", true);

		n->policy_drop = c.policy_drop;
		n->rules = c.rules;
		n->drop_rules = c.drop_rules;
		n->docker = docker;
		n->docker_accepts = c.docker_accepts;
	}
out:
	sb_free(&out);
	free(names);
}

int fwdcheck_scan(const char *proc, struct fwdcheck *fc)
{
	struct fwdcheck_ctx x = {.fc = fc};
	size_t i, kept = 0;

	memset(fc, 0, sizeof(*fc));
	fwdcheck_nft(&x);
	for (i = 0; i < fc->n; i++) {
		struct fwdcheck_chain *c = &fc->v[i];
		struct fwdcheck_docker *d = fwdcheck_docker(&x, c->family, c->table, false);

		if (!c->policy_drop && !c->drop_rules) {
			free(c->family);
			free(c->table);
			free(c->chain);
			continue;
		}
		c->docker = d != NULL;
		c->docker_accepts = d ? d->accepts : 0;
		fc->v[kept++] = *c;
	}
	fc->n = kept;
	for (i = 0; i < x.n_docker; i++) {
		free(x.docker[i].family);
		free(x.docker[i].table);
	}
	free(x.docker);
	for (i = 0; i < x.n_read; i++) {
		free(x.read[i].table);
		free(x.read[i].chain);
	}
	free(x.read);
	fwdcheck_legacy(proc, "ip", fc);
	fwdcheck_legacy(proc, "ip6", fc);
	return 0;
}

bool fwdcheck_surely(const struct fwdcheck_chain *c)
{
	if (!c->policy_drop)
		return false;
	return c->docker ? c->docker_accepts == 0 : c->rules == c->drop_rules;
}

/* The first interface of @role in @ir, as @nft or iptables names a wildcard. */
static char *fwdcheck_iface(const struct ir *ir, enum ir_role role, bool nft, const char *none)
{
	size_t i, n;

	for (i = 0; ir && i < ir->n_ifaces; i++) {
		if (ir->ifaces[i].role != role)
			continue;
		n = strlen(ir->ifaces[i].name);
		if (nft && n && ir->ifaces[i].name[n - 1] == '+')
			return xasprintf("%.*s*", (int)(n - 1), ir->ifaces[i].name);
		return xstrdup(ir->ifaces[i].name);
	}
	return xstrdup(none);
}

void fwdcheck_describe(const struct fwdcheck_chain *c, const struct ir *ir, struct strbuf *what,
		       struct strbuf *fix)
{
	bool nft = !c->legacy && !c->docker;
	char *in = fwdcheck_iface(ir, IR_INTERNAL, nft, "LAN_IFACE");
	char *ext = fwdcheck_iface(ir, IR_EXTERNAL, nft, "EXT_IFACE");
	const char *tool = strcmp(c->family, "ip6") == 0 ? "ip6tables" : "iptables";

	if (c->legacy)
		sb_addf(what, "%s-legacy table filter, chain FORWARD", tool);
	else
		sb_addf(what, "nftables table %s %s, chain %s (forward hook)", c->family, c->table,
			c->chain);
	if (fwdcheck_surely(c))
		sb_addf(what, ": policy drop drops the LAN's forwarded traffic (%s to %s), whatever "
			"masqgen accepts", in, ext);
	else if (c->policy_drop)
		sb_addf(what, ": policy drop drops the LAN's forwarded traffic unless one of its %u "
			"other rules accepts it", c->rules - c->drop_rules);
	else
		sb_addf(what, ": %u drop rule%s may drop the LAN's forwarded traffic", c->drop_rules,
			c->drop_rules == 1 ? "" : "s");
	if (c->docker)
		sb_addf(fix, "Docker's: let the LAN through in DOCKER-USER: %s%s -I DOCKER-USER -i %s "
			"-o %s -j ACCEPT, and -I DOCKER-USER -i %s -o %s -m conntrack --ctstate "
			"RELATED,ESTABLISHED -j ACCEPT; name Docker's bridges (docker0, br-+) "
			"passthrough in the policy", tool, c->legacy ? "-legacy" : "", in, ext, ext, in);
	else if (c->legacy)
		sb_addf(fix, "accept the LAN there before the drop: %s-legacy -I FORWARD -i %s -o %s "
			"-j ACCEPT, and -I FORWARD -i %s -o %s -m conntrack --ctstate "
			"RELATED,ESTABLISHED -j ACCEPT; or remove the drop", tool, in, ext, ext, in);
	else
		sb_addf(fix, "accept the LAN there before the drop: nft insert rule %s %s %s iifname "
			"\"%s\" oifname \"%s\" accept, and ... ct state established,related accept; "
			"or remove the drop", c->family, c->table, c->chain, in, ext);
	free(in);
	free(ext);
}

void fwdcheck_warn(const struct ir *ir)
{
	struct fwdcheck fc;
	size_t i;

	fwdcheck_scan("/proc", &fc);
	for (i = 0; i < fc.n; i++) {
		struct strbuf what = {0}, fix = {0};

		fwdcheck_describe(&fc.v[i], ir, &what, &fix);
		diag_warning(NULL, "%s", what.buf);
		diag_note(NULL, "%s", fix.buf);
		sb_free(&what);
		sb_free(&fix);
	}
	fwdcheck_free(&fc);
}

void fwdcheck_free(struct fwdcheck *fc)
{
	size_t i;

	for (i = 0; i < fc->n; i++) {
		free(fc->v[i].family);
		free(fc->v[i].table);
		free(fc->v[i].chain);
	}
	free(fc->v);
	free(fc->error);
	memset(fc, 0, sizeof(*fc));
}
