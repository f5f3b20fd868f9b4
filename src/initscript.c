// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * initscript.c - `masqgen init-script`: the boot-time wrapper around a
 * policy. For nft (the default) a SysV script or a systemd unit that runs
 * `masqgen apply` before the network and `masqgen flush` on stop; for the
 * older targets the HOWTO's pair, an rc.firewall-TARGET script holding the
 * generated rules and a chkconfig init wrapper that runs it. Besides, for
 * any target, the hook pppd and dhclient run when a link comes up, and for
 * a policy with `upnp` the /etc/default/miniupnpd Debian's miniupnpd reads.
 *
 * The text around the rules lives in templates/; every value that reaches
 * a shell or a unit goes through escape.h, or is text masqgen generated.
 */
#include "cli.h"
#include "diag.h"
#include "escape.h"
#include "ir.h"
#include "template.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * A path the generated file runs: absolute, and every character printable
 * (escape.h turns an unprintable one into '?', which would name another
 * file). Quoting is escape.h's business.
 */
static bool initscript_path_ok(const char *path)
{
	const char *p = path;
	size_t n;

	if (*p != '/')
		return false;
	for (; *p; p += n)
		if (!(n = escape_char_len(p)))
			return false;
	return true;
}

static int initscript_bad_path(const char *what, const char *path)
{
	struct strbuf shown = {0};
	int rc;

	escape_comment(&shown, path);
	rc = cli_usage_error("init-script", "%s '%s' holds a control character", what, shown.buf);
	sb_free(&shown);
	return rc;
}

/* The absolute path of this masqgen binary; caller owns it. */
static char *initscript_self(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n < 0) {
		diag_error(NULL, "cannot find masqgen's own path "
			"(/proc/self/exe): %s", strerror(errno));
		return NULL;
	}
	buf[n] = '\0';
	return xstrdup(buf);
}

/* @mode is set before the file takes its name (util_write_file_mode). */
static int initscript_write(const char *path, struct strbuf *sb, mode_t mode)
{
	return util_write_file_mode(path, sb->buf ? sb->buf : "", sb->len, mode);
}

/*
 * The directory of the scripts root runs at boot: anyone else who can
 * write there could swap them, so it must be root's and writable by root
 * alone. Returns 0, or -1 after saying why.
 */
static int initscript_dir_ok(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		diag_error(NULL, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		diag_error(NULL, "%s: refusing a directory that is not root's or that others "
			   "can write to (scripts there run as root)", dir);
		return -1;
	}
	return 0;
}

/*
 * @path as the installed system under @root sees it: the part after @root
 * (both absolute, @root resolved). NULL after a usage error if @path does
 * not lie below @root.
 */
static const char *initscript_below(const char *root, const char *what, const char *path)
{
	size_t n = strlen(root);

	while (n > 0 && root[n - 1] == '/')
		n--;
	if (strncmp(path, root, n) == 0 && path[n] == '/')
		return path + n;
	cli_usage_error("init-script", "%s '%s' is not below --root '%s'", what, path, root);
	return NULL;
}

/*
 * Ends the header comment of the SysV script and the unit for a policy with
 * `upnp`: what the ordering is for, and the file Debian's miniupnpd package
 * needs besides (--style miniupnpd).
 */
#define INITSCRIPT_UPNP_COMMENT \
	"\n# miniupnpd (the policy's `upnp`) starts after masqgen and stops before it:\n" \
	"# its table and chains come from masqgen apply. Debian's miniupnpd must not\n" \
	"# make its own (nft_init.sh is broken): install as /etc/default/miniupnpd\n" \
	"# what `masqgen init-script --style miniupnpd` writes."

/*
 * The unit's line for a policy with `upnp`: restart is stop (flush deletes
 * miniupnpd's table with its rules) and start, so a running miniupnpd is
 * restarted after the start to make its rules again. --no-block: its
 * restart job is ordered after this unit's start, which waits for the line.
 */
#define INITSCRIPT_UPNP_RESTART \
	"\nExecStartPost=-/bin/systemctl --no-block try-restart miniupnpd.service"

/*
 * The nft target: a SysV script or a systemd unit around masqgen itself.
 * @root (or NULL): the installed system's root, stripped from both paths.
 * With `upnp` in @ir, miniupnpd starts after it and stops before it: its
 * table and chains come from masqgen apply, and flush deletes them.
 * A cluster node's ruleset goes in before conntrackd and keepalived start
 * (LANGUAGE.md "Cluster"): their hooks commit connections it must admit.
 */
static int initscript_nft(const struct ir *ir, const char *style, const char *policy,
			  const char *root, const char *output)
{
	bool systemd = strcmp(style, "systemd") == 0;
	bool upnp = ir->upnp.iface != NULL;
	const char *unit = systemd ? ".service" : "";
	char *self = initscript_self(), *rootdir = NULL;
	const char *self_path, *policy_path;
	struct strbuf sb = {0}, before = {0};
	int rc = EXIT_SYSTEM;

	if (!self)
		return EXIT_SYSTEM;
	if (upnp)
		sb_addf(&before, " miniupnpd%s", unit);
	if (ir->cluster.present)
		sb_addf(&before, " conntrackd%s keepalived%s", unit, unit);
	self_path = self;
	policy_path = policy;
	if (root) {
		rootdir = realpath(root, NULL);
		if (!rootdir) {
			diag_error(NULL, "%s: %s", root, strerror(errno));
			goto out;
		}
		self_path = initscript_below(rootdir, "masqgen's path", self);
		policy_path = initscript_below(rootdir, "the policy path", policy);
		if (!self_path || !policy_path) {
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (!initscript_path_ok(self_path)) {
		rc = initscript_bad_path("masqgen's path", self_path);
		goto out;
	}
	if (!initscript_path_ok(policy_path)) {
		rc = initscript_bad_path("the policy path", policy_path);
		goto out;
	}
	{
		const struct template_var vars[] = {
			{"MASQGEN", self_path, systemd ? TEMPLATE_UNIT : TEMPLATE_SHELL},
			{"POLICY", policy_path, systemd ? TEMPLATE_UNIT : TEMPLATE_SHELL},
			{"POLICY_COMMENT", policy_path, TEMPLATE_COMMENT},
			{"BEFORE", before.buf ? before.buf : "", TEMPLATE_RAW},
			{"UPNP_COMMENT", upnp ? INITSCRIPT_UPNP_COMMENT : "", TEMPLATE_RAW},
			{"UPNP_RESTART", upnp ? INITSCRIPT_UPNP_RESTART : "", TEMPLATE_RAW},
		};

		if (template_fill(systemd ? "systemd.service.in" : "sysv.in", vars,
				  ARRAY_SIZE(vars), &sb) < 0)
			goto out;
	}
	rc = initscript_write(output, &sb, systemd ? 0644 : 0755) < 0 ? EXIT_SYSTEM : EXIT_OK;
out:
	sb_free(&sb);
	sb_free(&before);
	free(rootdir);
	free(self);
	return rc;
}

/* A target with its own init script: DIR/rc.firewall-TARGET and DIR/firewall-TARGET. */
static int initscript_pair(const struct cli_target *t, const char *policy, const char *dir)
{
	struct strbuf fw = {0}, init = {0};
	char *rc_path = NULL, *init_path = NULL, *absdir = NULL;
	struct ir *ir;
	int rc = EXIT_POLICY;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		diag_error(NULL, "%s: %s", dir, strerror(errno));
		return EXIT_SYSTEM;
	}
	absdir = realpath(dir, NULL);
	if (!absdir) {
		diag_error(NULL, "%s: %s", dir, strerror(errno));
		return EXIT_SYSTEM;
	}
	if (initscript_dir_ok(absdir) < 0) {
		free(absdir);
		return EXIT_SYSTEM;
	}
	rc_path = xasprintf("%s/rc.firewall-%s", strcmp(absdir, "/") ? absdir : "", t->name);
	init_path = xasprintf("%s/firewall-%s", strcmp(absdir, "/") ? absdir : "", t->name);
	if (!initscript_path_ok(rc_path)) {
		rc = initscript_bad_path("the output directory", absdir);
		goto out;
	}
	ir = cli_compile(policy);
	if (!ir)
		goto out;
	if ((t->init_rc ? t->init_rc(ir, policy, &fw) : t->emit(ir, &fw)) < 0) {
		ir_free(ir);
		goto out;
	}
	ir_free(ir);
	{
		const struct template_var vars[] = {
			{"TARGET", t->name, TEMPLATE_RAW},
			{"FIREWALL", rc_path, TEMPLATE_SHELL},
			{"FIREWALL_COMMENT", rc_path, TEMPLATE_COMMENT},
			{"POLICY_COMMENT", policy, TEMPLATE_COMMENT},
			{"STOP", t->init_stop, TEMPLATE_RAW},
			{"STATUS", t->init_status, TEMPLATE_RAW},
		};

		if (template_fill("firewall-init.in", vars, ARRAY_SIZE(vars), &init) < 0) {
			rc = EXIT_SYSTEM;
			goto out;
		}
	}
	rc = EXIT_SYSTEM;
	if (initscript_write(rc_path, &fw, 0700) < 0 || initscript_write(init_path, &init, 0755) < 0)
		goto out;
	printf("wrote %s and %s\n", rc_path, init_path);
	rc = EXIT_OK;
out:
	sb_free(&fw);
	sb_free(&init);
	free(rc_path);
	free(init_path);
	free(absdir);
	return rc;
}

enum {
	OPT_STYLE = 's',
	OPT_TARGET = 't',
	OPT_OUTPUT = 'o',
	OPT_ROOT = 'r',
};

static const struct cli_opt initscript_opts[] = {
	{OPT_STYLE, "style", "STYLE",
	 "sysv (the default): an LSB init script whose start,\n"
	 "restart, reload and force-reload run `masqgen apply\n"
	 "POLICY`, stop runs `masqgen flush`, status `masqgen\n"
	 "show`; systemd: a oneshot unit doing the same;\n"
	 "link-up: the hook pppd and dhclient run when an\n"
	 "external link comes up (routes of several uplinks,\n"
	 "accept_ra for IPv6, miniupnpd's restart), for every\n"
	 "target; miniupnpd: /etc/default/miniupnpd for Debian's\n"
	 "miniupnpd (masqgen makes its table: the package's\n"
	 "scripts must not), for a policy with `upnp`",
	 0, "sysv systemd link-up miniupnpd"},
	{OPT_TARGET, "target", "TARGET",
	 "nft (the default): the script runs masqgen itself; the\n"
	 "others: the HOWTO's pair, written into the directory -o\n"
	 "names: rc.firewall-TARGET (the generated rules; for\n"
	 "iptables both families) and firewall-TARGET (a\n"
	 "chkconfig init script running it)",
	 CLI_OPT_TARGET, NULL},
	{OPT_OUTPUT, "output", "FILE",
	 "write FILE (atomically) instead of stdout; a\n"
	 "directory for the targets other than nft",
	 CLI_OPT_FILE, NULL},
	{OPT_ROOT, "root", "DIR",
	 "the system is installed under DIR (a package or\n"
	 "image being built): the script names masqgen and\n"
	 "POLICY by their paths below DIR (-t nft only)",
	 CLI_OPT_DIR, NULL},
	{0},
};

/*
 * --style link-up: the hook pppd and dhclient run when an external link
 * comes up (templates/link-up.in). What it does follows @ir: with several
 * externals, `masqgen routes` (each uplink's table gets its default route
 * again); with IPv6 forwarding, accept_ra 2 on the link when it is 1 (a
 * PPP link made after apply starts with the default, and forwarding would
 * make the kernel ignore the provider's router advertisements); with
 * `upnp`, when pppd brings up its external interface, a restart of a
 * running miniupnpd through systemd or its SysV script (miniupnpd holds
 * the interface by index, and a new PPP link has a new one).
 */
static int initscript_link_up(const struct ir *ir, const char *policy, const char *output)
{
	struct strbuf ext = {0}, steps = {0}, what = {0}, sb = {0};
	char *self = initscript_self(), *word, *name;
	bool wan = false;
	size_t i, len;
	int rc = EXIT_SYSTEM;

	if (!self)
		return EXIT_SYSTEM;
	if (!initscript_path_ok(self)) {
		rc = initscript_bad_path("masqgen's path", self);
		goto out;
	}
	for (i = 0; i < ir->n_ifaces; i++) {
		const struct ir_iface *x = &ir->ifaces[i];

		if (x->role != IR_EXTERNAL)
			continue;
		wan |= x->wan != 0;
		/* a wildcard `ppp+` is the pattern 'ppp'* */
		len = strlen(x->name);
		name = xstrndup(x->name, x->name[len - 1] == '+' ? len - 1 : len);
		word = escape_shell_word(name);
		sb_addf(&ext, "%s%s%s", ext.len ? " | " : "", word, x->name[len - 1] == '+' ? "*" : "");
		free(word);
		free(name);
	}
	word = escape_shell_word(self);
	if (wan) {
		sb_addf(&steps, "\t%s routes || :\n", word);
		sb_add(&what, "#   - runs `masqgen routes`: the uplink's routing table gets its default\n"
			      "#     route again (several external interfaces);\n");
	}
	if (ir_ipv6_forwarding(ir)) {
		sb_add(&steps, "\tra=/proc/sys/net/ipv6/conf/$1/accept_ra\n"
			       "\tif [ \"$(cat \"$ra\" 2>/dev/null)\" = 1 ]; then echo 2 >\"$ra\" || :; fi\n");
		sb_add(&what, "#   - sets accept_ra to 2 where it is 1, so that the provider's router\n"
			      "#     advertisements still count with IPv6 forwarding on;\n");
	}
	free(word);
	if (ir->upnp.iface) {
		word = escape_shell_word(ir->upnp.ext);
		sb_addf(&steps, "\tif [ \"$1\" = %s ] && [ -z \"$2\" ]; then\n"
				"\t\tif [ -d /run/systemd/system ]; then\n"
				"\t\t\tsystemctl try-restart miniupnpd.service || :\n"
				"\t\telif [ -x /etc/init.d/miniupnpd ] &&\n"
				"\t\t\tkill -0 \"$(cat /run/miniupnpd.pid 2>/dev/null)\" 2>/dev/null; then\n"
				"\t\t\t/etc/init.d/miniupnpd restart || :\n"
				"\t\tfi\n"
				"\tfi\n", word);
		free(word);
		sb_add(&what, "#   - restarts miniupnpd when it runs and the link is its external\n"
			      "#     interface, brought up by pppd (miniupnpd knows the interface by\n"
			      "#     its index, which a new PPP link changes);\n");
	}
	if (!steps.len) {
		sb_add(&steps, "\t:\n");
		sb_add(&what, "#   - nothing: this policy has one external interface and no IPv6\n"
			      "#     forwarding;\n");
	}
	/* each fills a line of the template, which ends it */
	steps.buf[--steps.len] = '\0';
	what.buf[--what.len] = '\0';
	{
		const struct template_var vars[] = {
			{"POLICY_COMMENT", policy, TEMPLATE_COMMENT},
			{"EXTERNALS", ext.buf, TEMPLATE_RAW},
			{"STEPS", steps.buf, TEMPLATE_RAW},
			{"STEPS_COMMENT", what.buf, TEMPLATE_RAW},
		};

		if (template_fill("link-up.in", vars, ARRAY_SIZE(vars), &sb) < 0)
			goto out;
	}
	rc = initscript_write(output, &sb, 0755) < 0 ? EXIT_SYSTEM : EXIT_OK;
out:
	sb_free(&ext);
	sb_free(&steps);
	sb_free(&what);
	sb_free(&sb);
	free(self);
	return rc;
}

/*
 * --style miniupnpd: /etc/default/miniupnpd for a policy with `upnp`
 * (templates/miniupnpd.default.in). Debian's start helper sources that
 * file after whatever environment a unit or script passes it, so this file
 * is where MiniUPnPd_PRESTART_COMMAND and MiniUPnPd_POSTSTOP_COMMAND become
 * `true`: masqgen, not the helper, makes and removes miniupnpd's table.
 */
static int initscript_miniupnpd(const struct ir *ir, const char *policy, const char *output)
{
	struct strbuf sb = {0};
	int rc = EXIT_SYSTEM;

	if (!ir->upnp.iface) {
		diag_error(NULL, "the policy has no 'upnp' line: there is no "
			   "/etc/default/miniupnpd to write");
		return EXIT_POLICY;
	}
	{
		const struct template_var vars[] = {
			{"POLICY_COMMENT", policy, TEMPLATE_COMMENT},
		};

		if (template_fill("miniupnpd.default.in", vars, ARRAY_SIZE(vars), &sb) < 0)
			goto out;
	}
	rc = initscript_write(output, &sb, 0644) < 0 ? EXIT_SYSTEM : EXIT_OK;
out:
	sb_free(&sb);
	return rc;
}

static int initscript_run(const struct cli_args *a)
{
	const char *style = cli_arg(a, OPT_STYLE), *output = cli_arg(a, OPT_OUTPUT);
	const char *root = cli_arg(a, OPT_ROOT);
	const struct cli_target *t = a->target;
	bool pair = t->init_stop != NULL;
	char *policy = NULL;
	struct ir *ir;
	int rc;

	if (!style)
		style = "sysv";
	if (strcmp(style, "link-up") == 0 || strcmp(style, "miniupnpd") == 0) {
		if (root)
			return cli_usage_error(a->cmd->name, "--root goes with --style sysv or systemd");
		pair = false;
	}
	if (pair) {
		if (strcmp(style, "sysv") != 0)
			return cli_usage_error(a->cmd->name, "-t %s writes a chkconfig init script: "
					       "--style systemd needs -t nft", t->name);
		if (!output)
			return cli_usage_error(a->cmd->name, "-t %s writes two files: -o DIR names "
					       "their directory", t->name);
		if (root)
			return cli_usage_error(a->cmd->name, "--root goes with -t nft");
	}
	policy = realpath(a->ops[0], NULL);
	if (!policy) {
		diag_error(NULL, "%s: %s", a->ops[0], strerror(errno));
		return EXIT_POLICY;
	}
	if (pair) {
		rc = initscript_pair(t, policy, output);
		goto out;
	}
	/* a boot script for a policy that does not compile would fail at boot */
	ir = cli_compile(policy);
	if (!ir) {
		rc = EXIT_POLICY;
		goto out;
	}
	if (strcmp(style, "link-up") == 0)
		rc = initscript_link_up(ir, policy, output);
	else if (strcmp(style, "miniupnpd") == 0)
		rc = initscript_miniupnpd(ir, policy, output);
	else
		rc = initscript_nft(ir, style, policy, root, output);
	ir_free(ir);
out:
	free(policy);
	return rc;
}

const struct cli_command cli_init_script = {
	.name = "init-script",
	.summary = "boot-time script",
	.operands = "POLICY",
	.min_ops = 1,
	.max_ops = 1,
	.missing = "a POLICY file is required",
	.help = "Write what loads POLICY at boot, before the network comes up.\n",
	.trailer = "POLICY must compile; the script names it and masqgen by absolute path.\n",
	.opts = initscript_opts,
	.target_use = CLI_T_INIT,
	.run = initscript_run,
};
