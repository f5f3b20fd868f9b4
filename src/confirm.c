// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * confirm.c - the snapshot behind `apply --confirm`: masqgen's tables as
 * the kernel holds them, and the kernel settings apply may change; the
 * rollback that puts both back. The watchdog that decides and rolls back
 * is in confirm_watch.c; apply's side of the wait and the `confirm`
 * command are in confirm_wait.c.
 *
 * The tables are dumped through netlink into libnftnl objects (tables,
 * stateful objects, sets with their elements, chains, rules), in the
 * kernel's own order, which is the order `nft list` prints. Replayed as
 * NEW messages without their handles, they make the same tables again:
 * the rollback is one transaction that deletes masqgen's tables and
 * creates the saved ones, so the kernel never holds half of either.
 * Anonymous sets keep their kernel names (`__set0`), so the rules that
 * look them up by name find them again. Counters come back with the
 * values they had when saved.
 *
 * Kernel settings: apply records in its state file the value each
 * setting had before masqgen first wrote it. The snapshot keeps that file
 * and the current value of every setting it names; settings new to the
 * record after the apply had, before it, the value the apply recorded.
 * Together they give the value of every setting apply can have touched,
 * which sysctls_restore() writes back.
 *
 * The UPnP table (nft_upnp.c) is miniupnpd's to fill: the snapshot keeps
 * it too, mappings and all, and the rollback recreates it only when the
 * apply deleted it (a policy without `upnp`), deletes it when the apply
 * created it, and otherwise leaves it, with the mappings made meanwhile.
 *
 * Routing rules (several externals, routes.c): the snapshot keeps their
 * record; the rollback, last, makes the rules and per-external tables
 * those of that record again.
 */
#include "confirm_int.h"

#include "apply.h"
#include "cli.h"
#include "diag.h"
#include "nft.h"
#include "nl.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#define CONFIRM_TABLE "masqgen"
/* A dump request: a header and a table and set name, zeroed padding included */
#define CONFIRM_REQ_SIZE 1024

struct confirm_dump {
	struct confirm *cf;
	const char *table;	/* the table whose objects are kept */
	uint16_t type;		/* the NEW message the object is replayed as */
	uint16_t family;
	int err;
};

static void confirm_obj_free(struct confirm_obj *o)
{
	switch (o->type) {
	case NFT_MSG_NEWTABLE:
		nftnl_table_free(o->obj);
		break;
	case NFT_MSG_NEWOBJ:
		nftnl_obj_free(o->obj);
		break;
	case NFT_MSG_NEWSET:
		nftnl_set_free(o->obj);
		break;
	case NFT_MSG_NEWCHAIN:
		nftnl_chain_free(o->obj);
		break;
	case NFT_MSG_NEWRULE:
		nftnl_rule_free(o->obj);
		break;
	}
}

static void confirm_objs_free(void *ctx)
{
	struct confirm *cf = ctx;
	size_t i;

	for (i = 0; i < cf->n; i++)
		confirm_obj_free(&cf->v[i]);
	free(cf->v);
	cf->v = NULL;
	cf->n = cf->n_own = cf->cap = 0;
}

/*
 * What the kernel lists but refuses to be given back: an expression that
 * writes a TCP option (`tcp option maxseg size set rt mtu`, clamp-mss) is
 * dumped with NFTA_EXTHDR_FLAGS, which the kernel refuses beside
 * NFTA_EXTHDR_SREG. Such an attribute is cut from the dump before parsing.
 */
static const struct {
	const char *expr;
	uint16_t when;	  /* with this attribute present... */
	uint16_t refused; /* ...this one is refused */
} confirm_refused[] = {
	{"exthdr", NFTA_EXTHDR_SREG, NFTA_EXTHDR_FLAGS},
};

/* The attribute of @data (an expression named @name) to cut, or NULL. */
static struct nlattr *confirm_refused_attr(const char *name, struct nlattr *data)
{
	struct nlattr *a, *cut;
	bool when;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(confirm_refused); i++) {
		if (strcmp(name, confirm_refused[i].expr) != 0)
			continue;
		when = false;
		cut = NULL;
		mnl_attr_for_each_nested(a, data) {
			if (mnl_attr_get_type(a) == confirm_refused[i].when)
				when = true;
			else if (mnl_attr_get_type(a) == confirm_refused[i].refused)
				cut = a;
		}
		if (when && cut)
			return cut;
	}
	return NULL;
}

/* Remove @a from @nlh, shrinking the @n nests @nests (which hold it) too. */
static void confirm_attr_cut(struct nlmsghdr *nlh, struct nlattr *const *nests, size_t n,
			     struct nlattr *a)
{
	char *end = (char *)nlh + nlh->nlmsg_len;
	size_t len = MNL_ALIGN(a->nla_len), i;

	if (len > (size_t)(end - (char *)a))
		len = (size_t)(end - (char *)a);
	memmove(a, (char *)a + len, (size_t)(end - (char *)a) - len);
	nlh->nlmsg_len -= (uint32_t)len;
	for (i = 0; i < n; i++)
		nests[i]->nla_len -= (uint16_t)len;
}

/* Cut from the rule message @nlh every attribute confirm_refused names. */
static void confirm_rule_fix(struct nlmsghdr *nlh)
{
	struct nlattr *a, *elem, *exprs, *data, *cut;
	const char *name;

again:
	exprs = NULL;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS)
			exprs = a;
	if (!exprs)
		return;
	mnl_attr_for_each_nested(elem, exprs) {
		name = NULL;
		data = NULL;
		mnl_attr_for_each_nested(a, elem) {
			if (mnl_attr_get_type(a) == NFTA_EXPR_NAME &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				name = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == NFTA_EXPR_DATA)
				data = a;
		}
		if (name && data && (cut = confirm_refused_attr(name, data))) {
			confirm_attr_cut(nlh, (struct nlattr *[]){exprs, elem, data}, 3, cut);
			goto again;
		}
	}
}

/*
 * Parse one dumped object; keep it when it belongs to the table d->table,
 * without what only the kernel may set (handles, use counts, positions),
 * so the kernel takes it as a new object.
 */
static int confirm_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct confirm_dump *d = data;
	const char *table = NULL;
	struct confirm_obj o = {.type = d->type, .family = d->family};
	struct nlmsghdr *copy;
	int parsed;

	switch (d->type) {
	case NFT_MSG_NEWTABLE:
		o.obj = xnonnull(nftnl_table_alloc());
		if (nftnl_table_nlmsg_parse(nlh, o.obj) < 0)
			break;
		table = nftnl_table_get_str(o.obj, NFTNL_TABLE_NAME);
		nftnl_table_unset(o.obj, NFTNL_TABLE_HANDLE);
		nftnl_table_unset(o.obj, NFTNL_TABLE_USE);
		nftnl_table_unset(o.obj, NFTNL_TABLE_OWNER);
		break;
	case NFT_MSG_NEWOBJ:
		o.obj = xnonnull(nftnl_obj_alloc());
		if (nftnl_obj_nlmsg_parse(nlh, o.obj) < 0)
			break;
		/* libnftnl cannot unset them; NEWOBJ ignores handle and use */
		table = nftnl_obj_get_str(o.obj, NFTNL_OBJ_TABLE);
		break;
	case NFT_MSG_NEWSET:
		o.obj = xnonnull(nftnl_set_alloc());
		if (nftnl_set_nlmsg_parse(nlh, o.obj) < 0)
			break;
		table = nftnl_set_get_str(o.obj, NFTNL_SET_TABLE);
		nftnl_set_unset(o.obj, NFTNL_SET_HANDLE);
		/* NEWSET needs an id unique in its transaction */
		nftnl_set_set_u32(o.obj, NFTNL_SET_ID, (uint32_t)d->cf->n + 1);
		break;
	case NFT_MSG_NEWCHAIN:
		o.obj = xnonnull(nftnl_chain_alloc());
		if (nftnl_chain_nlmsg_parse(nlh, o.obj) < 0)
			break;
		table = nftnl_chain_get_str(o.obj, NFTNL_CHAIN_TABLE);
		nftnl_chain_unset(o.obj, NFTNL_CHAIN_HANDLE);
		nftnl_chain_unset(o.obj, NFTNL_CHAIN_USE);
		nftnl_chain_unset(o.obj, NFTNL_CHAIN_ID);
		break;
	case NFT_MSG_NEWRULE:
		o.obj = xnonnull(nftnl_rule_alloc());
		copy = xmalloc(nlh->nlmsg_len);
		memcpy(copy, nlh, nlh->nlmsg_len);
		confirm_rule_fix(copy);
		parsed = nftnl_rule_nlmsg_parse(copy, o.obj);
		free(copy);
		if (parsed < 0)
			break;
		table = nftnl_rule_get_str(o.obj, NFTNL_RULE_TABLE);
		nftnl_rule_unset(o.obj, NFTNL_RULE_HANDLE);
		nftnl_rule_unset(o.obj, NFTNL_RULE_POSITION);
		nftnl_rule_unset(o.obj, NFTNL_RULE_ID);
		nftnl_rule_unset(o.obj, NFTNL_RULE_POSITION_ID);
		break;
	}
	if (!table) {
		confirm_obj_free(&o);
		d->err = EPROTO;
		return MNL_CB_ERROR;
	}
	if (strcmp(table, d->table) != 0) {
		confirm_obj_free(&o);
		return MNL_CB_OK;
	}
	*VEC_PUSH(d->cf->v, d->cf->n, d->cf->cap) = o;
	return MNL_CB_OK;
}

static int confirm_elems_cb(const struct nlmsghdr *nlh, void *data)
{
	return nftnl_set_elems_nlmsg_parse(nlh, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

/*
 * A live set's elements as the kernel takes them back: it leaves out a
 * timeout that is the set's own, but takes the time left (expiration)
 * only beside a timeout; an interval's end takes neither.
 */
static void confirm_elems_timeouts(struct nftnl_set *s)
{
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *e;
	uint64_t timeout;

	if (!nftnl_set_is_set(s, NFTNL_SET_TIMEOUT))
		return;
	timeout = nftnl_set_get_u64(s, NFTNL_SET_TIMEOUT);
	it = xnonnull(nftnl_set_elems_iter_create(s));
	for (e = nftnl_set_elems_iter_next(it); e; e = nftnl_set_elems_iter_next(it)) {
		bool end = nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS) &&
			   (nftnl_set_elem_get_u32(e, NFTNL_SET_ELEM_FLAGS) &
			    NFT_SET_ELEM_INTERVAL_END);

		if (end) {
			nftnl_set_elem_unset(e, NFTNL_SET_ELEM_TIMEOUT);
			nftnl_set_elem_unset(e, NFTNL_SET_ELEM_EXPIRATION);
		} else if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_EXPIRATION) &&
			   !nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_TIMEOUT)) {
			nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, timeout);
		}
	}
	nftnl_set_elems_iter_destroy(it);
}

/* Every element of the set @s, added to @s. Returns 0, or -1 with errno set. */
static int confirm_dump_elems(struct mnl_socket *nl, uint16_t family, struct nftnl_set *s)
{
	char buf[CONFIRM_REQ_SIZE] = {0};
	struct nftnl_set *req = xnonnull(nftnl_set_alloc());
	struct nlmsghdr *nlh;
	int rc;

	nftnl_set_set_str(req, NFTNL_SET_TABLE, nftnl_set_get_str(s, NFTNL_SET_TABLE));
	nftnl_set_set_str(req, NFTNL_SET_NAME, nftnl_set_get_str(s, NFTNL_SET_NAME));
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, family, NLM_F_DUMP, 0);
	nftnl_set_elems_nlmsg_build_payload(nlh, req);
	nftnl_set_free(req);
	rc = nl_request(nl, nlh, confirm_elems_cb, s);
	if (rc == 0)
		confirm_elems_timeouts(s);
	return rc;
}

/* Table @table of @family with everything in it, appended to cf->v. */
static int confirm_dump_table(struct mnl_socket *nl, struct confirm *cf, uint16_t family,
			      const char *table)
{
	static const uint16_t kinds[][2] = {
		{NFT_MSG_GETTABLE, NFT_MSG_NEWTABLE}, {NFT_MSG_GETOBJ, NFT_MSG_NEWOBJ},
		{NFT_MSG_GETSET, NFT_MSG_NEWSET},     {NFT_MSG_GETCHAIN, NFT_MSG_NEWCHAIN},
		{NFT_MSG_GETRULE, NFT_MSG_NEWRULE},
	};
	char buf[CONFIRM_REQ_SIZE] = {0};
	struct confirm_dump d = {.cf = cf, .table = table, .family = family};
	struct nlmsghdr *nlh;
	size_t i, first = cf->n;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		d.type = kinds[i][1];
		nlh = nftnl_nlmsg_build_hdr(buf, kinds[i][0], family, NLM_F_DUMP, 0);
		if (nl_request(nl, nlh, confirm_dump_cb, &d) < 0) {
			if (d.err)
				errno = d.err;
			return -1;
		}
		/* no table of ours in this family: nothing else can be ours */
		if (i == 0 && cf->n == first)
			return 0;
	}
	for (i = first; i < cf->n; i++)
		if (cf->v[i].type == NFT_MSG_NEWSET &&
		    confirm_dump_elems(nl, family, cf->v[i].obj) < 0)
			return -1;
	return 0;
}

/* masqgen's two tables, then the UPnP table (cf->n_own: where it begins) */
static int confirm_dump_all(struct mnl_socket *nl, uint32_t genid, void *ctx)
{
	struct confirm *cf = ctx;

	if (confirm_dump_table(nl, cf, NFPROTO_IPV4, CONFIRM_TABLE) < 0 ||
	    confirm_dump_table(nl, cf, NFPROTO_IPV6, CONFIRM_TABLE) < 0)
		return -1;
	cf->n_own = cf->n;
	return confirm_dump_table(nl, cf, NFPROTO_INET, NFT_UPNP_TABLE);
}

/* Dump the tables with no commit inside. Returns 0, or -1 after reporting. */
static int confirm_dump(struct confirm *cf)
{
	confirm_objs_free(cf);
	if (!nft_read_stable(confirm_dump_all, confirm_objs_free, cf,
			     "save masqgen's loaded tables"))
		return -1;
	return 0;
}

/* The NEW messages that make saved objects [@from, @to) again, appended to @b. */
static void confirm_replay(const struct confirm *cf, struct nft_batch *b, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++) {
		const struct confirm_obj *o = &cf->v[i];
		uint16_t flags = NLM_F_CREATE;
		struct nftnl_set_elems_iter *it;
		struct nlmsghdr *nlh;
		int more;

		if (o->type == NFT_MSG_NEWRULE)
			flags |= NLM_F_APPEND;
		nlh = nftnl_nlmsg_build_hdr(nft_batch_buf(b), o->type, o->family, flags,
					    nft_batch_seq(b));
		switch (o->type) {
		case NFT_MSG_NEWTABLE:
			nftnl_table_nlmsg_build_payload(nlh, o->obj);
			break;
		case NFT_MSG_NEWOBJ:
			nftnl_obj_nlmsg_build_payload(nlh, o->obj);
			break;
		case NFT_MSG_NEWSET:
			nftnl_set_nlmsg_build_payload(nlh, o->obj);
			break;
		case NFT_MSG_NEWCHAIN:
			nftnl_chain_nlmsg_build_payload(nlh, o->obj);
			break;
		case NFT_MSG_NEWRULE:
			nftnl_rule_nlmsg_build_payload(nlh, o->obj);
			break;
		}
		nft_batch_next(b, NULL);
		if (o->type != NFT_MSG_NEWSET)
			continue;
		/* elements in messages of at most 64 KiB, as apply sends them */
		it = xnonnull(nftnl_set_elems_iter_create(o->obj));
		more = nftnl_set_elems_iter_cur(it) != NULL;
		while (more > 0) {
			nlh = nftnl_nlmsg_build_hdr(nft_batch_buf(b), NFT_MSG_NEWSETELEM,
						    o->family, NLM_F_CREATE, nft_batch_seq(b));
			more = nftnl_set_elems_nlmsg_build_payload_iter(nlh, it);
			nft_batch_next(b, NULL);
		}
		nftnl_set_elems_iter_destroy(it);
	}
}

/*
 * nft_replace()'s filler: delete masqgen's tables as they are now, create
 * the saved ones; the UPnP table only when it came or went.
 */
static int confirm_restore_fill(struct nft_batch *b, const struct nft_state *now, const void *arg)
{
	const struct confirm *cf = arg;
	bool upnp = cf->n > cf->n_own;

	if (!now->ip && !now->ip6 && cf->n_own == 0 && now->upnp == upnp)
		return 1;
	nft_build_delete(b, now->ip, now->ip6, now->upnp && !upnp);
	confirm_replay(cf, b, 0, cf->n_own);
	if (upnp && !now->upnp)
		confirm_replay(cf, b, cf->n_own, cf->n);
	return 0;
}

/*
 * One transaction back to the saved tables, retried while other programs'
 * commits get in between (whatever masqgen's tables hold now goes); with
 * @commit false the kernel only validates it. Returns 0, or -1 after
 * reporting.
 */
static int confirm_restore_tables(const struct confirm *cf, bool commit)
{
	return nft_replace(confirm_restore_fill, cf,
			   NFT_REPLACE_ANYWAY | (commit ? 0 : NFT_REPLACE_CHECK));
}

/* The current value of /proc/sys/@path without its newline, or NULL. */
static char *confirm_sysctl_read(const char *path)
{
	char *file = xasprintf("/proc/sys/%s", path);
	char buf[128];
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	free(file);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

/* Does the record text @rec name the setting @path (length @len)? */
static bool confirm_record_has(const char *rec, const char *path, size_t len)
{
	const char *line = rec;

	while (line && *line) {
		if (strncmp(line, path, len) == 0 && line[len] == '=')
			return true;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

/*
 * Append to @out "PATH=VALUE\n" for each line of the record text @rec:
 * with @now the setting's current value, else the recorded one; @skip
 * (a record text, may be NULL) names settings to leave out.
 */
static void confirm_record_walk(const char *rec, bool now, const char *skip, struct strbuf *out)
{
	const char *line = rec, *eq, *end;

	for (; line && *line; line = *end ? end + 1 : end) {
		char *path, *value;

		end = line + strcspn(line, "\n");
		eq = memchr(line, '=', (size_t)(end - line));
		if (!eq || (skip && confirm_record_has(skip, line, (size_t)(eq - line))))
			continue;
		path = xstrndup(line, (size_t)(eq - line));
		value = now ? confirm_sysctl_read(path) : xstrndup(eq + 1, (size_t)(end - eq - 1));
		if (value)
			sb_addf(out, "%s=%s\n", path, value);
		free(path);
		free(value);
	}
}

/* The whole file at @path (NUL-terminated), or NULL when it does not exist. */
static char *confirm_read_file(const char *path, size_t *len, int *err)
{
	struct strbuf sb = {0};
	char buf[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*err = 0;
	if (fd < 0) {
		*err = errno == ENOENT ? 0 : errno;
		return NULL;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			break;
		}
		sb_addn(&sb, buf, (size_t)n);
	}
	close(fd);
	sb_add(&sb, "");
	*len = sb.len;
	if (*err) {
		sb_free(&sb);
		return NULL;
	}
	return sb.buf;
}

/*
 * Hold in a signalfd every signal whose default would end or stop the
 * process: each means "roll back". SIGCHLD, SIGCONT, SIGURG and SIGWINCH
 * are no reason to. Returns 0, or -1 after reporting.
 */
static int confirm_signals_hold(struct confirm *cf)
{
	sigset_t set;

	sigfillset(&set);
	sigdelset(&set, SIGKILL);
	sigdelset(&set, SIGSTOP);
	sigdelset(&set, SIGCHLD);
	sigdelset(&set, SIGCONT);
	sigdelset(&set, SIGURG);
	sigdelset(&set, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &set, &cf->oldmask) < 0)
		goto fail;
	cf->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (cf->sigfd >= 0)
		return 0;
	sigprocmask(SIG_SETMASK, &cf->oldmask, NULL);
fail:
	diag_error(NULL, "cannot hold signals for --confirm: %s", strerror(errno));
	return -1;
}

void confirm_signals_release(struct confirm *cf)
{
	close(cf->sigfd);
	cf->sigfd = -1;
	sigprocmask(SIG_SETMASK, &cf->oldmask, NULL);
}

/* The saved kernel settings and their record. Returns 0, or -1 after reporting. */
static int confirm_restore_sysctls(const struct confirm *cf)
{
	struct strbuf values = {0};
	char *after, *tmp;
	size_t len;
	int err, rc = 0;

	after = confirm_read_file(cf->state_path, &len, &err);
	sb_addn(&values, cf->before.buf ? cf->before.buf : "", cf->before.len);
	confirm_record_walk(after, false, cf->record, &values);
	free(after);
	if (values.len) {
		tmp = xasprintf("%s.rollback", cf->state_path);
		rc = util_write_record(tmp, values.buf, values.len);
		if (rc == 0)
			rc = sysctls_restore(tmp);
		unlink(tmp);
		free(tmp);
	}
	sb_free(&values);
	if (cf->record) {
		if (util_write_record(cf->state_path, cf->record, cf->record_len) < 0)
			rc = -1;
	} else if (unlink(cf->state_path) < 0 && errno != ENOENT) {
		diag_error(NULL, "cannot remove '%s': %s", cf->state_path, strerror(errno));
		rc = -1;
	}
	return rc;
}

/*
 * Tables first: they were validated by confirm_snapshot(), so a failure leaves
 * the new ruleset with its own settings, never with the old ones. With no
 * table to bring back it is a flush: settings first, so nothing is routed
 * once the filter is gone.
 * The routing rules come last: without the marks of the new ruleset they
 * match nothing.
 */
int confirm_rollback(const struct confirm *cf)
{
	bool tables_first = cf->n_own > 0;
	int rc = 0;

	if (!tables_first && confirm_restore_sysctls(cf) < 0) {
		diag_error(NULL, "the previous kernel settings could not all be restored: "
				 "masqgen's tables stay loaded, so nothing is routed without them");
		return -1;
	}
	if (confirm_restore_tables(cf, true) < 0) {
		diag_error(NULL, "the rollback failed: the new ruleset stays loaded with its "
				 "kernel settings (see 'masqgen show')");
		return -1;
	}
	if (tables_first && confirm_restore_sysctls(cf) < 0) {
		diag_note(NULL, "the previous kernel settings could not all be restored");
		rc = -1;
	}
	if (routes_rollback(cf->routes_path, cf->routes, cf->routes_len) < 0) {
		diag_note(NULL, "the previous routing rules could not all be restored "
				"('masqgen routes' tries again)");
		rc = -1;
	}
	return rc;
}

bool confirm_changed(const struct confirm *cf)
{
	struct nft_state now;

	return nft_state_read(&now) < 0 || now.fingerprint != cf->fingerprint;
}

struct confirm *confirm_snapshot(const char *state_path, const char *routes_path)
{
	struct confirm *cf = xcalloc(1, sizeof(*cf));
	struct nft_state st;
	int err;

	cf->sigfd = -1;
	cf->chan = -1;
	cf->state_path = xstrdup(state_path);
	cf->record = confirm_read_file(state_path, &cf->record_len, &err);
	if (err) {
		diag_error(NULL, "cannot read '%s': %s", state_path, strerror(err));
		goto out_free;
	}
	cf->routes_path = xstrdup(routes_path);
	cf->routes = confirm_read_file(routes_path, &cf->routes_len, &err);
	if (err) {
		diag_error(NULL, "cannot read '%s': %s", routes_path, strerror(err));
		goto out_free;
	}
	confirm_record_walk(cf->record, true, NULL, &cf->before);
	if (confirm_signals_hold(cf) < 0)
		goto out_free;
	if (confirm_dump(cf) < 0 || nft_state_read(&st) < 0)
		goto out_signals;
	if (confirm_restore_tables(cf, false) < 0) {
		diag_error(NULL, "the loaded tables could not be restored after a rollback: "
				 "nothing was applied (apply without --confirm, or flush first)");
		goto out_signals;
	}
	cf->fingerprint = st.fingerprint;
	return cf;
out_signals:
	confirm_signals_release(cf);
out_free:
	confirm_free(cf);
	return NULL;
}

void confirm_free(struct confirm *cf)
{
	if (cf->chan >= 0)
		close(cf->chan);
	confirm_objs_free(cf);
	free(cf->state_path);
	free(cf->record);
	free(cf->routes_path);
	free(cf->routes);
	sb_free(&cf->before);
	free(cf);
}
