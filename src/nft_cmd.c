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
 * show:   masqgen's tables read back from the kernel (nft_dump.h) and
 *         printed by nft_text.c: what is loaded, not what masqgen meant to
 *         load, in the words `generate -t nft` uses.
 * diff:   the loaded tables against the compiled policy, by meaning
 *         (diff.h), and the kernel settings apply would change.
 *
 * Files: the lock under /run/masqgen (MASQGEN_RUN_DIR), the record of
 * replaced kernel settings under /var/lib/masqgen (MASQGEN_STATE_DIR);
 * the variables exist for tests and containers.
 */
#include "apply.h"
#include "cli.h"
#include "confirm.h"
#include "diag.h"
#include "diff.h"
#include "ipt.h"
#include "ir.h"
#include "nft.h"
#include "nft_dump.h"
#include "selfcheck.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
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

/* Create @dir (one level) if missing. Returns 0, or -1 after reporting. */
static int nft_cmd_mkdir(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		diag_error(NULL, "cannot create '%s': %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static char *nft_cmd_state_path(void)
{
	const char *dir = nft_cmd_dir("MASQGEN_STATE_DIR", "/var/lib/masqgen");

	if (nft_cmd_mkdir(dir) < 0)
		return NULL;
	return xasprintf("%s/sysctls", dir);
}

/*
 * Serialize masqgen runs that change the kernel: an exclusive flock on
 * the lock file, held until exit. Returns the descriptor, or -1.
 */
static int nft_cmd_lock(void)
{
	const char *dir = nft_cmd_dir("MASQGEN_RUN_DIR", "/run/masqgen");
	char *path;
	int fd;

	if (nft_cmd_mkdir(dir) < 0)
		return -1;
	path = xasprintf("%s/lock", dir);
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
    "                       login); else, or on SIGHUP/SIGTERM/SIGINT, put back\n"
    "                       masqgen's previous tables and kernel settings (nft only)\n"
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
	if (!state || (nft_cmd_confirm_secs && !(cf = confirm_save(state))) ||
	    (nft ? nft_cmd_send(m, true) : ipt_apply(ir)) < 0)
		goto out_unlock;
	if (!nft)
		ipt_timeout_sysctls(ir);
	printf("applied %s\n", policy);
	nft_cmd_modules(ir);
	if (sysctls_apply(ir, state) < 0) {
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

/*
 * What masqgen has loaded: its nftables tables, and with @ipt its
 * iptables chains of either flavour. Returns 0, or -1 after reporting
 * (nothing to free then).
 */
static int nft_cmd_loaded(struct nft_dump *d, struct ipt_loaded *il, bool ipt)
{
	memset(il, 0, sizeof(*il));
	if (nft_dump_read(d) < 0)
		return -1;
	if (!ipt || ipt_loaded_read(il, d->ipt_nft) == 0)
		return 0;
	ipt_loaded_free(il);
	nft_dump_free(d);
	return -1;
}

int cmd_show(int argc, char **argv)
{
	static const char help[] =
	    "usage: masqgen show\n\n"
	    "Print what masqgen has loaded, read from the kernel: its nftables tables (ip\n"
	    "masqgen, ip6 masqgen) with counters, as 'masqgen generate -t nft' prints a\n"
	    "policy, and the iptables and ip6tables chains 'apply -t iptables' loaded\n"
	    "(iptables-nft or iptables-legacy), as 'generate -t iptables' prints them.\n"
	    "Exit status 3 when nothing is loaded.\n\n"
	    "  -h, --help  this text\n";
	struct strbuf out = {0};
	struct ipt_loaded il;
	struct nft_dump d;
	int rc = nft_cmd_args(argc, argv, help, NULL, NULL);

	if (rc >= 0)
		return rc;
	if (nft_cmd_loaded(&d, &il, true) < 0)
		return EXIT_SYSTEM;
	if (!nft_dump_loaded(&d) && !ipt_loaded_any(&il)) {
		diag_error(NULL, "nothing of masqgen's is loaded (see 'masqgen apply')");
		rc = EXIT_SYSTEM;
		goto out;
	}
	if (nft_dump_loaded(&d))
		nft_text_print(d.m, &out);
	ipt_loaded_print(&il, &out);
	fwrite(out.buf, 1, out.len, stdout);
	rc = EXIT_OK;
out:
	sb_free(&out);
	ipt_loaded_free(&il);
	nft_dump_free(&d);
	return rc;
}

int cmd_flush(int argc, char **argv)
{
	static const char help[] =
	    "usage: masqgen flush [-t nft|iptables]\n\n"
	    "Undo 'masqgen apply', whichever target loaded it: first write back the kernel\n"
	    "settings apply replaced (so forwarding stops before the filter goes), then\n"
	    "delete masqgen's nftables tables (ip masqgen, ip6 masqgen) in one transaction,\n"
	    "and unhook and delete masqgen's iptables and ip6tables chains (iptables-nft\n"
	    "and iptables-legacy). No other table, chain or rule is touched. Nothing\n"
	    "loaded is not an error.\n\n"
	    "  -t, --target TARGET  remove only what that target loaded: nft or iptables\n"
	    "  -h, --help           this text\n";
	const char *target = NULL;
	struct ipt_loaded il;
	struct nft_dump d;
	char *state;
	int lock, rc = nft_cmd_args(argc, argv, help, NULL, &target);
	bool nft, ipt;

	if (rc >= 0)
		return rc;
	nft = !target || strcmp(target, "nft") == 0;
	ipt = !target || strcmp(target, "iptables") == 0;
	rc = EXIT_SYSTEM;
	lock = nft_cmd_lock();
	if (lock < 0)
		return rc;
	state = nft_cmd_state_path();
	if (!state || nft_cmd_loaded(&d, &il, ipt) < 0)
		goto out;
	if (sysctls_restore(state) < 0) {
		diag_note(NULL, "masqgen's rules stay loaded, so nothing is routed without them");
		goto out_free;
	}
	rc = EXIT_OK;
	if (nft && nft_dump_loaded(&d) && nft_cmd_send(NULL, true) < 0)
		rc = EXIT_SYSTEM;
	if (ipt_loaded_flush(&il) < 0)
		rc = EXIT_SYSTEM;
out_free:
	ipt_loaded_free(&il);
	nft_dump_free(&d);
out:
	free(state);
	close(lock);
	return rc;
}

/*
 * Append to @out what applying @ir as @target would change against what
 * is loaded; @m is @ir lowered for nft. Returns the number of lines, or
 * -1 after reporting.
 */
static long nft_cmd_diff(struct ir *ir, const struct nft_model *m, const char *target,
			 const struct nft_dump *d, const struct ipt_loaded *il,
			 struct strbuf *out)
{
	char *state = xasprintf("%s/sysctls", nft_cmd_dir("MASQGEN_STATE_DIR", "/var/lib/masqgen"));
	struct ipt_model *want;
	long n;

	if (strcmp(target, "nft") == 0) {
		n = (long)diff_models(d->m, m, out);
	} else {
		ipt_timeout_sysctls(ir);
		want = ipt_lower(ir);
		n = want ? (long)diff_ipt(il->present[IPT_NFT][IPT_V4] ||
						  il->present[IPT_NFT][IPT_V6]
					      ? il->m[IPT_NFT]
					      : il->m[IPT_LEGACY],
					  want, out)
			 : -1;
		ipt_model_free(want);
	}
	if (n >= 0)
		n += (long)sysctls_diff(ir, state, out);
	free(state);
	return n;
}

int cmd_diff(int argc, char **argv)
{
	static const char help[] =
	    "usage: masqgen diff [-t nft|iptables] POLICY\n\n"
	    "Show what 'masqgen apply POLICY' would change: what masqgen has loaded (read\n"
	    "from the kernel) against what POLICY compiles to, compared by meaning: rules\n"
	    "in order, set and map elements, chains and objects, and the kernel settings\n"
	    "apply writes. Where a rule came from in the policy (its line, the path it was\n"
	    "given by) does not count. One line per change, in the policy's words where\n"
	    "it has them:\n\n"
	    "  + forward tcp 8081 to 192.168.0.10:80  (gw.masq:12)\n\n"
	    "  -t, --target TARGET  compare as that target: nft, or iptables (masqgen's\n"
	    "                       iptables chains); by default the target that loaded\n"
	    "                       what is there, nft when nothing is\n"
	    "  -h, --help           this text\n\n"
	    "Exit status: 0 same meaning, 5 different, 1 policy errors, 2 usage, 3 the\n"
	    "system refused.\n";
	const char *policy = NULL, *target = NULL;
	struct nft_model *m = NULL;
	struct strbuf out = {0};
	struct ipt_loaded il;
	struct nft_dump d;
	struct ir *ir;
	long n;
	int rc;

	rc = nft_cmd_args(argc, argv, help, &policy, &target);
	if (rc >= 0)
		return rc;
	if (nft_cmd_loaded(&d, &il, true) < 0)
		return EXIT_SYSTEM;
	if (!target)
		target = !nft_dump_loaded(&d) && ipt_loaded_any(&il) ? "iptables" : "nft";
	if (strcmp(target, "nft") == 0 && ipt_loaded_any(&il))
		diag_note(NULL, "masqgen's iptables chains are loaded as well ('masqgen show'; "
				"'masqgen diff -t iptables' compares them)");
	rc = nft_cmd_prepare(policy, &ir, strcmp(target, "nft") == 0 ? &m : NULL);
	if (rc != EXIT_OK)
		goto out;
	n = nft_cmd_diff(ir, m, target, &d, &il, &out);
	rc = n < 0 ? EXIT_POLICY : n ? EXIT_NO : EXIT_OK;
	if (n > 0)
		printf("--- loaded\n+++ %s\n%.*s", policy, (int)out.len, out.buf);
	nft_model_free(m);
	ir_free(ir);
out:
	sb_free(&out);
	ipt_loaded_free(&il);
	nft_dump_free(&d);
	return rc;
}
