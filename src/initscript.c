// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * initscript.c - `masqgen init-script`: the boot-time wrapper around a
 * policy. For nft (the default) a SysV script or a systemd unit that runs
 * `masqgen apply` before the network and `masqgen flush` on stop; for the
 * older targets the HOWTO's pair, an rc.firewall-TARGET script holding the
 * generated rules and a chkconfig init wrapper that runs it.
 *
 * The text around the rules lives in templates/; every value that reaches
 * a shell or a unit goes through escape.h, or is text masqgen generated.
 */
#include "cli.h"
#include "diag.h"
#include "escape.h"
#include "ipt.h"
#include "ir.h"
#include "template.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct initscript_legacy {
	const char *target;
	const char *stop;	/* shell lines of the wrapper's stop */
	const char *status;
};

/* Forwarding is already off when these run (the wrapper's stop). */
static const struct initscript_legacy initscript_legacy[] = {
	{"iptables",
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
	 "\tdone; done",
	 "\tiptables-save | grep -e '^\\*' -e masqgen\n"
	 "\tip6tables-save | grep -e '^\\*' -e masqgen"},
	{"ipchains",
	 "\tipchains -P forward DENY\n"
	 "\tipchains -F forward\n"
	 "\tipchains -F input\n"
	 "\tipchains -F output\n"
	 "\tipchains -X\n"
	 "\tipchains -P input ACCEPT\n"
	 "\tipchains -P output ACCEPT\n"
	 "\tif command -v ipmasqadm >/dev/null; then ipmasqadm portfw -f; fi",
	 "\tipchains -L -n"},
	{"ipfwadm",
	 "\tipfwadm -F -p deny\n"
	 "\tipfwadm -F -f\n"
	 "\tipfwadm -I -f\n"
	 "\tipfwadm -O -f\n"
	 "\tipfwadm -I -p accept\n"
	 "\tipfwadm -O -p accept\n"
	 "\tif command -v ipportfw >/dev/null; then ipportfw -C; fi",
	 "\tipfwadm -I -l -n\n"
	 "\tipfwadm -F -l -n\n"
	 "\tipfwadm -O -l -n"},
};

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
		fprintf(stderr, "masqgen init-script: cannot find masqgen's own path "
			"(/proc/self/exe): %s\n", strerror(errno));
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
		fprintf(stderr, "masqgen init-script: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		fprintf(stderr, "masqgen init-script: %s: refusing a directory that is not "
			"root's or that others can write to (scripts there run as root)\n", dir);
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
 * The nft target: a SysV script or a systemd unit around masqgen itself.
 * @root (or NULL): the installed system's root, stripped from both paths.
 */
static int initscript_nft(const char *style, const char *policy, const char *root,
			  const char *output)
{
	bool systemd = strcmp(style, "systemd") == 0;
	char *self = initscript_self(), *rootdir = NULL;
	const char *self_path, *policy_path;
	struct strbuf sb = {0};
	int rc = EXIT_SYSTEM;

	if (!self)
		return EXIT_SYSTEM;
	self_path = self;
	policy_path = policy;
	if (root) {
		rootdir = realpath(root, NULL);
		if (!rootdir) {
			fprintf(stderr, "masqgen init-script: %s: %s\n", root, strerror(errno));
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
		};

		if (template_fill(systemd ? "systemd.service.in" : "sysv.in", vars,
				  ARRAY_SIZE(vars), &sb) < 0)
			goto out;
	}
	rc = initscript_write(output, &sb, systemd ? 0644 : 0755) < 0 ? EXIT_SYSTEM : EXIT_OK;
out:
	sb_free(&sb);
	free(rootdir);
	free(self);
	return rc;
}

/* A table or chain name from the emitter, safe to stand unquoted in a script. */
static bool initscript_name_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return n > 0;
}

/*
 * Split `generate -t iptables` output (IPv4 restore input, then the IPv6
 * part behind "#6 ") into restore input for --noflush without the jumps
 * from built-in chains (@v4, @v6), and `jump` lines adding those jumps
 * only when missing (@jumps). Returns 0, or -1 on a line it cannot place.
 */
static int initscript_split_ipt(const char *text, struct strbuf *v4, struct strbuf *v6,
				struct strbuf *jumps)
{
	static const char jump_match[] = " -m comment --comment masqgen -j ";
	char table[32] = "", table6[32] = "";
	const char *line, *nl, *hook, *chain;
	size_t len, hook_len;

	for (line = text; *line; line = nl ? nl + 1 : line + len) {
		bool six = strncmp(line, "#6 ", 3) == 0;
		struct strbuf *out = six ? v6 : v4;
		char *tbl = six ? table6 : table;

		if (six)
			line += 3;
		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (len == 0 || line[0] == '#')
			continue;
		if (line[0] == '*' && len < sizeof(table)) {
			if (!initscript_name_ok(line + 1, len - 1))
				return -1;
			snprintf(tbl, sizeof(table), "%.*s", (int)len - 1, line + 1);
		}
		hook = line + 3;
		hook_len = strspn(hook, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		if (strncmp(line, "-A ", 3) == 0 && hook_len &&
		    strncmp(hook + hook_len, jump_match, sizeof(jump_match) - 1) == 0) {
			chain = hook + hook_len + sizeof(jump_match) - 1;
			if (!tbl[0] || !initscript_name_ok(chain, (size_t)(line + len - chain)))
				return -1;
			sb_addf(jumps, "jump %s %s %.*s %.*s\n", six ? "ip6tables" : "iptables", tbl,
				(int)hook_len, hook, (int)(line + len - chain), chain);
			continue;
		}
		sb_addn(out, line, len);
		sb_add(out, "\n");
	}
	return 0;
}

/*
 * The /proc/sys path of sysctl @key, shell-quoted: "net.ipv4.conf.ppp0.rp_filter"
 * is net/ipv4/conf/ppp0/rp_filter (the dots of an interface name stay).
 */
static char *initscript_sysctl_path(const char *key, const char *iface)
{
	char *path = xasprintf("/proc/sys/%s", key), *name = NULL, *p, *q;
	size_t n = 0;

	if (iface) {
		char *dotted = xasprintf(".%s.", iface);

		name = strstr(path, dotted);
		n = strlen(iface);
		free(dotted);
	}
	for (p = path; *p; p++)
		if (*p == '.' && !(name && p > name && p <= name + n))
			*p = '/';
	q = escape_shell_word(path);
	free(path);
	return q;
}

/*
 * The rc.firewall-iptables script around @rules (generate -t iptables):
 * both families loaded with --noflush into masqgen's own chains, the
 * jumps added when missing, then the kernel settings.
 */
static int initscript_rc_iptables(const struct ir *ir, const char *policy, struct strbuf *rules,
				  struct strbuf *out)
{
	struct strbuf v4 = {0}, v6 = {0}, six = {0}, jumps = {0}, sysctls = {0};
	struct ipt_model *m;
	size_t i;
	int rc = -1;

	if (initscript_split_ipt(rules->buf ? rules->buf : "", &v4, &v6, &jumps) < 0) {
		fprintf(stderr, "masqgen init-script: cannot read the iptables backend's output\n");
		goto out;
	}
	if (v6.len)
		sb_addf(&six, "echo \"rc.firewall-iptables: loading masqgen's IPv6 chains\"\n"
			"ip6tables-restore --noflush <<'MASQGEN_IPV6'\n%sMASQGEN_IPV6\n", v6.buf);
	for (i = 0; i < ir->n_sysctls; i++) {
		const struct ir_sysctl *s = &ir->sysctls[i];
		char *path = initscript_sysctl_path(s->key, s->iface);
		char *value = escape_shell_word(s->value);

		/* a per-interface setting of a link that is not up yet is skipped */
		if (s->iface)
			sb_addf(&sysctls, "if [ -e %s ]; then echo %s >%s; fi\n", path, value, path);
		else
			sb_addf(&sysctls, "echo %s >%s\n", value, path);
		free(value);
		free(path);
	}
	/* iptables has no per-connection timeouts: the global conntrack sysctls */
	diag_quiet_warnings(true);
	m = ipt_lower(ir);
	diag_quiet_warnings(false);
	for (i = 0; m && i < m->n_sysctls; i++) {
		char *path = initscript_sysctl_path(m->sysctls[i].key, NULL);

		sb_addf(&sysctls, "echo %u >%s\n", m->sysctls[i].value, path);
		free(path);
	}
	ipt_model_free(m);
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
out:
	sb_free(&v4);
	sb_free(&v6);
	sb_free(&six);
	sb_free(&jumps);
	sb_free(&sysctls);
	return rc;
}

/* -t iptables|ipchains|ipfwadm: DIR/rc.firewall-TARGET and DIR/firewall-TARGET. */
static int initscript_legacy_pair(const struct initscript_legacy *l, const char *policy,
				  const char *dir)
{
	const struct cli_target *t = cli_target_find(l->target);
	struct strbuf rules = {0}, fw = {0}, init = {0};
	char *rc_path = NULL, *init_path = NULL, *absdir = NULL;
	struct ir *ir;
	int rc = EXIT_POLICY;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "masqgen init-script: %s: %s\n", dir, strerror(errno));
		return EXIT_SYSTEM;
	}
	absdir = realpath(dir, NULL);
	if (!absdir) {
		fprintf(stderr, "masqgen init-script: %s: %s\n", dir, strerror(errno));
		return EXIT_SYSTEM;
	}
	if (initscript_dir_ok(absdir) < 0) {
		free(absdir);
		return EXIT_SYSTEM;
	}
	rc_path = xasprintf("%s/rc.firewall-%s", strcmp(absdir, "/") ? absdir : "", l->target);
	init_path = xasprintf("%s/firewall-%s", strcmp(absdir, "/") ? absdir : "", l->target);
	if (!initscript_path_ok(rc_path)) {
		rc = initscript_bad_path("the output directory", absdir);
		goto out;
	}
	ir = cli_compile(policy);
	if (!ir)
		goto out;
	if (t->emit(ir, &rules) < 0) {
		ir_free(ir);
		goto out;
	}
	if (strcmp(l->target, "iptables") == 0) {
		if (initscript_rc_iptables(ir, policy, &rules, &fw) < 0) {
			ir_free(ir);
			rc = EXIT_SYSTEM;
			goto out;
		}
	} else {
		fw = rules;
		rules = (struct strbuf){0};
	}
	ir_free(ir);
	{
		const struct template_var vars[] = {
			{"TARGET", l->target, TEMPLATE_RAW},
			{"FIREWALL", rc_path, TEMPLATE_SHELL},
			{"FIREWALL_COMMENT", rc_path, TEMPLATE_COMMENT},
			{"POLICY_COMMENT", policy, TEMPLATE_COMMENT},
			{"STOP", l->stop, TEMPLATE_RAW},
			{"STATUS", l->status, TEMPLATE_RAW},
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
	sb_free(&rules);
	sb_free(&fw);
	sb_free(&init);
	free(rc_path);
	free(init_path);
	free(absdir);
	return rc;
}

int cmd_init_script(int argc, char **argv)
{
	static const struct option lo[] = {
		{"help", no_argument, NULL, 'h'},
		{"style", required_argument, NULL, 's'},
		{"target", required_argument, NULL, 't'},
		{"output", required_argument, NULL, 'o'},
		{"root", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0},
	};
	static const char help[] =
		"usage: masqgen init-script [--style sysv|systemd] [-t TARGET] [-o FILE]\n"
		"                           [--root DIR] POLICY\n\n"
		"Write what loads POLICY at boot, before the network comes up.\n\n"
		"  -s, --style sysv     an LSB init script (the default): start, restart,\n"
		"                       reload and force-reload run `masqgen apply POLICY`,\n"
		"                       stop runs `masqgen flush`, status `masqgen show`\n"
		"  -s, --style systemd  a oneshot unit doing the same\n"
		"  -t, --target nft     the default: the script runs masqgen itself\n"
		"  -t, --target iptables|ipchains|ipfwadm\n"
		"                       the HOWTO's pair, written into the directory -o names:\n"
		"                       rc.firewall-TARGET (the generated rules) and\n"
		"                       firewall-TARGET (a chkconfig init script running it)\n"
		"  -o, --output FILE    write FILE (atomically) instead of stdout; a\n"
		"                       directory for iptables, ipchains and ipfwadm\n"
		"  -r, --root DIR       the system is installed under DIR (a package or\n"
		"                       image being built): the script names masqgen and\n"
		"                       POLICY by their paths below DIR (-t nft only)\n"
		"  -h, --help           this text\n\n"
		"POLICY must compile; the script names it and masqgen by absolute path.\n";
	const char *style = "sysv", *target = "nft", *output = NULL, *root = NULL;
	char *policy = NULL;
	struct ir *ir;
	size_t i;
	int opt, rc;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hs:t:o:", lo, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(help, stdout);
			return EXIT_OK;
		case 's':
			style = optarg;
			break;
		case 't':
			target = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		default:
			return cli_usage_error(argv[0], "unknown or incomplete option '%s'",
					       argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(argv[0], argc == optind ? "a POLICY file is required"
							      : "exactly one POLICY file is expected");
	if (strcmp(style, "sysv") != 0 && strcmp(style, "systemd") != 0)
		return cli_usage_error(argv[0], "unknown style '%s' (sysv, systemd)", style);
	for (i = 0; i < ARRAY_SIZE(initscript_legacy); i++)
		if (strcmp(target, initscript_legacy[i].target) == 0)
			break;
	if (strcmp(target, "nft") != 0 && i == ARRAY_SIZE(initscript_legacy))
		return cli_usage_error(argv[0], "unknown target '%s' (nft, iptables, ipchains, "
				       "ipfwadm)", target);
	if (i < ARRAY_SIZE(initscript_legacy)) {
		if (strcmp(style, "sysv") != 0)
			return cli_usage_error(argv[0], "-t %s writes a chkconfig init script: "
					       "--style systemd needs -t nft", target);
		if (!output)
			return cli_usage_error(argv[0], "-t %s writes two files: -o DIR names "
					       "their directory", target);
		if (root)
			return cli_usage_error(argv[0], "--root goes with -t nft");
	}
	policy = realpath(argv[optind], NULL);
	if (!policy) {
		fprintf(stderr, "masqgen init-script: %s: %s\n", argv[optind], strerror(errno));
		return EXIT_POLICY;
	}
	if (i < ARRAY_SIZE(initscript_legacy)) {
		rc = initscript_legacy_pair(&initscript_legacy[i], policy, output);
		goto out;
	}
	/* a boot script for a policy that does not compile would fail at boot */
	ir = cli_compile(policy);
	if (!ir) {
		rc = EXIT_POLICY;
		goto out;
	}
	ir_free(ir);
	rc = initscript_nft(style, policy, root, output);
out:
	free(policy);
	return rc;
}
