// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_cmd.c - the commands that act on the kernel through the nft
 * backend: apply, check --kernel, show, flush and diff.
 *
 * apply:  compile, lower, take the lock, send the batch with the
 *         generation id (retrying while only other tables changed), then
 *         load the helpers' NAT modules, write the kernel settings and
 *         delete the conntrack entries the new ruleset treats differently.
 *         With -t iptables the ruleset goes through ipt_apply() instead;
 *         everything after it is the same.
 * flush:  the reverse: settings back first, then masqgen's tables go.
 * show:   `nft list table` of masqgen's tables; nft's printer is the one
 *         admins know, and listing from the kernel shows what is loaded,
 *         not what masqgen meant to load.
 * diff:   the policy is loaded into a throwaway network namespace through
 *         the same batch, and both listings are compared.
 *
 * Files (state.h, one directory per network namespace): the lock under
 * /run/masqgen (MASQGEN_RUN_DIR), the record of replaced kernel settings
 * under /var/lib/masqgen (MASQGEN_STATE_DIR); the variables exist for
 * tests and containers.
 */
#include "apply.h"
#include "cli.h"
#include "confirm.h"
#include "diag.h"
#include "ipt.h"
#include "ir.h"
#include "nft.h"
#include "selfcheck.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NFT_CMD_ATTEMPTS 5

/* apply's --confirm SECS (0: none) and --force, set by nft_cmd_args() */
static unsigned nft_cmd_confirm_secs;
static bool nft_cmd_force;

static const char *nft_cmd_dir(const char *env, const char *fallback)
{
	const char *dir = getenv(env);

	return dir && *dir ? dir : fallback;
}

/* The record of kernel settings of this network namespace (state.h). */
static char *nft_cmd_state_path(void)
{
	return state_path("sysctls", true);
}

/*
 * Serialize masqgen runs that change the kernel: an exclusive flock on
 * the lock file, held until exit. Returns the descriptor, or -1.
 */
static int nft_cmd_lock(void)
{
	char *path = state_path("lock", false);
	int fd = -1;

	if (!path)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		diag_error(NULL, "cannot open the lock file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "masqgen: waiting for another masqgen run to finish (%s)\n", path);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno == EINTR)
				continue;
			diag_error(NULL, "cannot lock '%s': %s", path, strerror(errno));
			close(fd);
			fd = -1;
			break;
		}
	}
out:
	free(path);
	return fd;
}

/*
 * Replace masqgen's tables with @m, or with @m NULL delete them; @commit
 * false lets the kernel validate only. The generation id makes the kernel
 * refuse the batch if anything committed since masqgen read its tables:
 * then masqgen reads them again, and retries while they are unchanged
 * (another program's tables changed, not ours). Returns 0, or -1 after
 * reporting; nothing changed then.
 */
static int nft_cmd_send(const struct nft_model *m, bool commit)
{
	struct nft_state before, after;
	struct nft_batch *b;
	int attempt, rc = -1;
	uint32_t genid;

	for (attempt = 0; attempt < NFT_CMD_ATTEMPTS; attempt++) {
		genid = nft_genid();
		if (!genid || nft_state_read(&before) < 0)
			return -1;
		if (!m && !before.ip && !before.ip6)
			return 0;
		b = nft_batch_new(genid);
		rc = m ? nft_build(b, m, before.ip, before.ip6)
		       : nft_build_delete(b, before.ip, before.ip6);
		if (rc == 0)
			rc = nft_batch_send(b, commit);
		nft_batch_free(b);
		if (rc != -2)
			break;
		if (nft_state_read(&after) < 0)
			return -1;
		if (after.fingerprint != before.fingerprint) {
			diag_error(NULL, "another program changed masqgen's tables meanwhile; "
					 "nothing was changed (see 'masqgen show')");
			return -1;
		}
	}
	if (rc == -2)
		diag_error(NULL,
			   "the nftables ruleset kept changing (%d attempts); nothing was "
			   "changed",
			   NFT_CMD_ATTEMPTS);
	if (rc < 0 && m)
		diag_note(NULL, "masqgen's tables are as they were");
	return rc < 0 ? -1 : 0;
}

/*
 * Compile @policy and, with @m, lower it for nft. Returns EXIT_OK, or the
 * exit code after reporting.
 */
static int nft_cmd_prepare(const char *policy, struct ir **ir, struct nft_model **m)
{
	bool ok;

	*ir = cli_compile(policy);
	if (!*ir)
		return EXIT_POLICY;
	ok = ir_check_modern(*ir) == 0;
	if (m) {
		*m = ok ? nft_lower(*ir) : NULL;
		ok = *m != NULL;
	}
	if (!ok) {
		ir_free(*ir);
		*ir = NULL;
		return EXIT_POLICY;
	}
	return EXIT_OK;
}

int nft_check_kernel(const struct ir *ir)
{
	struct nft_model *m;
	int rc;

	if (ir_check_modern(ir) < 0)
		return -1;
	m = nft_lower(ir);
	if (!m)
		return -1;
	rc = nft_cmd_send(m, false);
	nft_model_free(m);
	return rc;
}

/* Load each helper's NAT module; a failure is a warning (containers, monolithic kernels). */
static void nft_cmd_modules(const struct ir *ir)
{
	size_t i, j;

	for (i = 0; i < ir->n_helpers; i++) {
		const struct ir_helper *h = &ir->helpers[i];
		char *argv[] = {"modprobe", "-q", (char *)h->nat_module, NULL};
		char *sysdir;
		bool seen = false;
		int rc;

		if (!h->nat_module)
			continue;
		for (j = 0; j < i && !seen; j++)
			seen = ir->helpers[j].nat_module &&
			       strcmp(ir->helpers[j].nat_module, h->nat_module) == 0;
		sysdir = xasprintf("/sys/module/%s", h->nat_module);
		if (!seen && access(sysdir, F_OK) < 0) {
			rc = util_run(argv, NULL, 0, NULL);
			if (rc != 0)
				diag_warning(&h->loc,
					     "cannot load kernel module '%s' (modprobe %s): "
					     "helper '%s' may not rewrite addresses behind NAT",
					     h->nat_module, rc == 127 ? "not found" : "failed",
					     h->name);
		}
		free(sysdir);
	}
}

/*
 * Parse the options of @argv: --help, -t TARGET when @target is given, and
 * for apply --confirm SECS and --force.
 * With @policy, exactly one operand, the policy; else none. Returns -1 to
 * go on, else the exit code.
 */
static int nft_cmd_args(int argc, char **argv, const char *help, const char **policy,
			const char **target)
{
	static const struct option lo[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"confirm", required_argument, NULL, 'c'},
	    {"force", no_argument, NULL, 'f'},
	    {"target", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	bool apply = strcmp(argv[0], "apply") == 0;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hc:ft:", lo, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			return EXIT_OK;
		}
		if (c == 't' && target) {
			if (strcmp(optarg, "nft") != 0 && strcmp(optarg, "iptables") != 0)
				return cli_usage_error(
				    argv[0], "unknown target '%s' (nft, iptables)", optarg);
			*target = optarg;
			continue;
		}
		if (apply && c == 'c') {
			if (confirm_parse_secs(optarg, &nft_cmd_confirm_secs) < 0)
				return EXIT_USAGE;
			continue;
		}
		if (apply && c == 'f') {
			nft_cmd_force = true;
			continue;
		}
		return cli_usage_error(argv[0], "unknown or incomplete option '%s'",
				       argv[optind - 1]);
	}
	if (!policy) {
		if (optind < argc)
			return cli_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (argc - optind != 1)
		return cli_usage_error(argv[0], argc == optind
						    ? "a POLICY file is required"
						    : "exactly one POLICY file is expected");
	*policy = argv[optind];
	return -1;
}

static const char nft_cmd_apply_help[] =
    "usage: masqgen apply [-t nft|iptables] [--confirm SECS] [--force] POLICY\n\n"
    "Compile POLICY and replace masqgen's nftables tables (ip masqgen, ip6 masqgen)\n"
    "in one transaction: the kernel takes all of it or none, and no other table is\n"
    "touched. Then load the helpers' NAT modules, set the kernel settings the policy\n"
    "needs (recording each replaced value for 'masqgen flush'), and delete the\n"
    "connection tracking entries the new ruleset treats differently.\n\n"
    "Before anything changes, the session you are logged in by (SSH_CONNECTION, or\n"
    "the connection of the sshd you came through) is checked against the new\n"
    "ruleset: apply refuses a policy that would drop it, naming the policy line.\n\n"
    "  -t, --target TARGET  nft (the default), or iptables: masqgen's own chains\n"
    "                       with iptables-restore --noflush, table by table\n"
    "  -c, --confirm SECS   keep the new ruleset only if confirmed within SECS\n"
    "                       seconds (Enter here, or 'masqgen confirm' from a new\n"
    "                       login); else, or on any signal that would end apply,\n"
    "                       put back masqgen's previous tables and kernel settings\n"
    "                       (nft only; a watchdog process does it if apply is killed)\n"
    "  -f, --force          apply even if the new ruleset would cut your session\n"
    "  -h, --help           this text\n\n"
    "Exit status: 0 applied, 1 policy errors or your session would be cut, 2 usage,\n"
    "3 the kernel or system refused (the ruleset is unchanged unless a message\n"
    "says otherwise), 4 not confirmed: the previous ruleset is back.\n";

int cmd_apply(int argc, char **argv)
{
	const char *policy = NULL, *target = "nft";
	struct nft_model *m = NULL;
	char *state = NULL;
	struct confirm *cf = NULL;
	struct sysctls_plan *plan;
	struct ir *ir;
	bool nft;
	long removed;
	int lock, rc;

	rc = nft_cmd_args(argc, argv, nft_cmd_apply_help, &policy, &target);
	if (rc >= 0)
		return rc;
	nft = strcmp(target, "nft") == 0;
	if (nft_cmd_confirm_secs && !nft)
		return cli_usage_error(argv[0], "--confirm works with the nft target only");
	rc = nft_cmd_prepare(policy, &ir, nft ? &m : NULL);
	if (rc != EXIT_OK)
		return rc;
	rc = EXIT_POLICY;
	if (selfcheck_run(ir, nft_cmd_force) < 0)
		goto out;
	rc = EXIT_SYSTEM;
	lock = nft_cmd_lock();
	if (lock < 0)
		goto out;
	state = nft_cmd_state_path();
	if (!state || (nft_cmd_confirm_secs && !(cf = confirm_save(state))))
		goto out_unlock;
	if (!nft)
		ipt_timeout_sysctls(ir);
	/* the record first: what cannot be recorded is not applied */
	plan = sysctls_plan(ir, state);
	if (!plan)
		goto out_unlock;
	if ((nft ? nft_cmd_send(m, true) : ipt_apply(ir)) < 0) {
		sysctls_cancel(plan);
		goto out_unlock;
	}
	printf("applied %s\n", policy);
	nft_cmd_modules(ir);
	if (sysctls_apply(plan) < 0) {
		diag_note(NULL, "the ruleset is loaded, the kernel settings above are not");
		goto out_unlock;
	}
	removed = ctclean_run(ir);
	if (removed < 0) {
		diag_note(NULL, "the ruleset and kernel settings are in place");
		goto out_unlock;
	}
	printf("removed %ld connection tracking %s the new ruleset treats differently\n", removed,
	       removed == 1 ? "entry" : "entries");
	rc = EXIT_OK;
out_unlock:
	if (cf)
		rc = confirm_finish(cf, rc, nft_cmd_confirm_secs);
	close(lock);
out:
	free(state);
	nft_model_free(m);
	ir_free(ir);
	return rc;
}

/* Append `nft [-s] list table FAMILY masqgen` for each loaded table. */
static int nft_cmd_list(const struct nft_state *st, bool stateless, struct strbuf *out)
{
	static const char *const families[] = {"ip", "ip6"};
	struct strbuf text = {0};
	int rc = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(families) && rc == 0; i++) {
		char *argv[7];
		size_t n = 0;

		if (!(i == 0 ? st->ip : st->ip6))
			continue;
		argv[n++] = "nft";
		if (stateless)
			argv[n++] = "-s";
		argv[n++] = "list";
		argv[n++] = "table";
		argv[n++] = (char *)families[i];
		argv[n++] = "masqgen";
		argv[n] = NULL;
		text.len = 0;
		if (util_run(argv, NULL, 0, &text) == 0) {
			sb_addn(out, text.buf ? text.buf : "", text.len);
			continue;
		}
		diag_error(NULL, "'nft list table %s masqgen' failed: %.*s", families[i],
			   (int)strcspn(text.buf ? text.buf : "", "\n"), text.buf ? text.buf : "");
		rc = -1;
	}
	sb_free(&text);
	return rc;
}

int cmd_show(int argc, char **argv)
{
	static const char help[] =
	    "usage: masqgen show\n\n"
	    "Print masqgen's loaded tables (ip masqgen, ip6 masqgen) as nft lists them,\n"
	    "with counters. Exit status 3 when none is loaded.\n\n"
	    "  -h, --help  this text\n";
	struct nft_state st;
	struct strbuf out = {0};
	int rc = nft_cmd_args(argc, argv, help, NULL, NULL);

	if (rc >= 0)
		return rc;
	if (nft_state_read(&st) < 0)
		return EXIT_SYSTEM;
	if (!st.ip && !st.ip6) {
		diag_error(NULL, "no masqgen table is loaded (see 'masqgen apply')");
		return EXIT_SYSTEM;
	}
	rc = nft_cmd_list(&st, false, &out) < 0 ? EXIT_SYSTEM : EXIT_OK;
	if (out.len)
		fwrite(out.buf, 1, out.len, stdout);
	sb_free(&out);
	return rc;
}

int cmd_flush(int argc, char **argv)
{
	static const char help[] =
	    "usage: masqgen flush [-t nft|iptables]\n\n"
	    "Undo 'masqgen apply': first write back the kernel settings apply replaced\n"
	    "(so forwarding stops before the filter goes), then delete masqgen's tables\n"
	    "(ip masqgen, ip6 masqgen) in one transaction. No other table is touched.\n"
	    "Nothing loaded is not an error.\n\n"
	    "  -t, --target TARGET  nft (the default), or iptables: unhook and delete\n"
	    "                       masqgen's own iptables and ip6tables chains instead\n"
	    "  -h, --help           this text\n";
	const char *target = "nft";
	char *state;
	int lock, rc = nft_cmd_args(argc, argv, help, NULL, &target);

	if (rc >= 0)
		return rc;
	rc = EXIT_SYSTEM;
	lock = nft_cmd_lock();
	if (lock < 0)
		return rc;
	state = nft_cmd_state_path();
	if (!state)
		goto out;
	if (sysctls_restore(state) < 0) {
		diag_note(NULL, "masqgen's rules stay loaded, so nothing is routed without them");
		goto out;
	}
	if (strcmp(target, "iptables") == 0 ? ipt_flush() == 0 : nft_cmd_send(NULL, true) == 0)
		rc = EXIT_OK;
out:
	free(state);
	close(lock);
	return rc;
}

static int nft_cmd_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Append @text with every `elements = { ... }` list rewritten one element
 * a line, sorted: a hash set lists its elements in an order that differs
 * from one load to the next, and one element a line makes a changed
 * forward one changed line.
 */
static void nft_cmd_normalize(const char *text, struct strbuf *out)
{
	static const char open[] = "elements = {";
	const char *p = text, *q;

	while ((q = strstr(p, open))) {
		const char *indent = q, *r = q + strlen(open), *start;
		char **elems = NULL;
		size_t n = 0, cap = 0, i;
		bool quoted = false;

		while (indent > text && (indent[-1] == '\t' || indent[-1] == ' '))
			indent--;
		sb_addn(out, p, (size_t)(q - p));
		for (start = r; *r && (quoted || *r != '}'); r++) {
			if (*r == '"')
				quoted = !quoted;
			if (!quoted && *r == ',') {
				*VEC_PUSH(elems, n, cap) = xstrndup(start, (size_t)(r - start));
				start = r + 1;
			}
		}
		*VEC_PUSH(elems, n, cap) = xstrndup(start, (size_t)(r - start));
		sb_add(out, "elements = {\n");
		for (i = 0; i < n; i++) {
			char *e = elems[i] + strspn(elems[i], " \t\n");
			size_t len = strlen(e);

			while (len && strchr(" \t\n", e[len - 1]))
				e[--len] = '\0';
			memmove(elems[i], e, len + 1);
		}
		qsort(elems, n, sizeof(*elems), nft_cmd_strcmp);
		for (i = 0; i < n; i++) {
			sb_addn(out, indent, (size_t)(q - indent));
			sb_addf(out, "\t%s%s\n", elems[i], i + 1 < n ? "," : "");
			free(elems[i]);
		}
		free(elems);
		sb_addn(out, indent, (size_t)(q - indent));
		sb_add(out, "}");
		p = *r ? r + 1 : r;
	}
	sb_add(out, p);
}

/* nft_cmd_throwaway's child: @arg is the model, its listing goes to @fd. */
static int nft_cmd_throwaway_child(const void *arg, int fd)
{
	struct strbuf text = {0};
	struct nft_state st;
	int rc = EXIT_SYSTEM;

	if (unshare(CLONE_NEWNET) < 0)
		diag_error(NULL, "cannot create a network namespace to load the policy into: %s",
			   strerror(errno));
	else if (nft_cmd_send(arg, true) == 0 && nft_state_read(&st) == 0 &&
		 nft_cmd_list(&st, true, &text) == 0)
		rc = EXIT_OK;
	if (rc == EXIT_OK && text.len && write(fd, text.buf, text.len) < 0)
		rc = EXIT_SYSTEM;
	return rc;
}

/*
 * What the kernel lists for @m: loaded into a new network namespace by a
 * child process, through the same batch as apply. Returns 0, or -1.
 */
static int nft_cmd_throwaway(const struct nft_model *m, struct strbuf *out)
{
	int rc = util_run_child(nft_cmd_throwaway_child, m, out);

	if (rc < 0)
		diag_error(NULL, "cannot start a child process: %s", strerror(-rc));
	return rc == EXIT_OK ? 0 : -1;
}

/* Write @sb to a new temporary file; returns its path (caller frees), or NULL. */
static char *nft_cmd_tmpfile(const struct strbuf *sb)
{
	const char *dir = nft_cmd_dir("TMPDIR", "/tmp");
	char *path = xasprintf("%s/masqgen-diff.XXXXXX", dir);
	int fd = mkstemp(path);

	if (fd < 0 || (sb->len && write(fd, sb->buf, sb->len) != (ssize_t)sb->len)) {
		diag_error(NULL, "cannot write a temporary file in '%s': %s", dir, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

int cmd_diff(int argc, char **argv)
{
	static const char help[] =
	    "usage: masqgen diff POLICY\n\n"
	    "Show what 'masqgen apply POLICY' would change in masqgen's tables: the\n"
	    "loaded tables and the ones POLICY gives (loaded into a throwaway network\n"
	    "namespace to list them) as a unified diff of 'nft -s list table' output,\n"
	    "set elements one a line and sorted. Kernel settings are not compared.\n\n"
	    "  -h, --help  this text\n\n"
	    "Exit status: 0 identical, 5 different, 1 policy errors, 2 usage, 3 the\n"
	    "system refused.\n";
	struct strbuf have = {0}, want = {0}, a = {0}, b = {0};
	char *have_path = NULL, *want_path = NULL;
	const char *policy = NULL;
	struct nft_model *m;
	struct nft_state st;
	struct ir *ir;
	int rc;

	rc = nft_cmd_args(argc, argv, help, &policy, NULL);
	if (rc >= 0)
		return rc;
	rc = nft_cmd_prepare(policy, &ir, &m);
	if (rc != EXIT_OK)
		return rc;
	rc = EXIT_SYSTEM;
	if (nft_state_read(&st) < 0 || nft_cmd_list(&st, true, &have) < 0 ||
	    nft_cmd_throwaway(m, &want) < 0)
		goto out;
	nft_cmd_normalize(have.buf ? have.buf : "", &a);
	nft_cmd_normalize(want.buf ? want.buf : "", &b);
	if (a.len == b.len && (a.len == 0 || memcmp(a.buf, b.buf, a.len) == 0)) {
		rc = EXIT_OK;
		goto out;
	}
	have_path = nft_cmd_tmpfile(&a);
	want_path = have_path ? nft_cmd_tmpfile(&b) : NULL;
	if (want_path) {
		char *dargv[] = {"diff",	 "-u",	    "--label", "loaded", "--label",
				 (char *)policy, have_path, want_path, NULL};
		struct strbuf shown = {0};

		rc = util_run(dargv, NULL, 0, &shown) == 1 ? EXIT_NO : EXIT_SYSTEM;
		if (rc == EXIT_NO)
			fwrite(shown.buf, 1, shown.len, stdout);
		else
			diag_error(NULL, "'diff -u' failed: %s", shown.buf ? shown.buf : "");
		sb_free(&shown);
	}
out:
	if (have_path)
		unlink(have_path);
	if (want_path)
		unlink(want_path);
	free(have_path);
	free(want_path);
	sb_free(&have);
	sb_free(&want);
	sb_free(&a);
	sb_free(&b);
	nft_model_free(m);
	ir_free(ir);
	return rc;
}
