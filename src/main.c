// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c - the command table and the commands that only compile a policy */
#include "ast.h"
#include "cli.h"
#include "diag.h"
#include "ir.h"
#include "nft.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MASQGEN_VERSION
#define MASQGEN_VERSION "0.0-dev"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;
};

static const struct command commands[] = {
	{"check", cmd_check, "check [--kernel] POLICY          validate a policy"},
	{"generate", cmd_generate,
	 "generate [-t TARGET] [-o FILE] POLICY  print the ruleset (nft, iptables, ipchains, "
	 "ipfwadm, yaml)"},
	{"apply", cmd_apply, "apply [--confirm SECS] POLICY    apply atomically and set kernel settings"},
	{"confirm", cmd_confirm, "confirm                          keep a ruleset applied with --confirm"},
	{"show", cmd_show, "show                             print masqgen's loaded tables"},
	{"diff", cmd_diff, "diff POLICY                      what apply would change"},
	{"flush", cmd_flush, "flush                            remove masqgen's tables"},
	{"init-script", cmd_init_script,
	 "init-script [--style sysv|systemd] [-t TARGET] [-o FILE] POLICY  boot-time script"},
	{"convert", cmd_convert, "convert [-o FILE] POLICY         .masq <-> YAML"},
	{"explain", cmd_explain, "explain POLICY PACKET            which rule decides a packet"},
	{"doctor", cmd_doctor, "doctor                           check this kernel for masquerading"},
	{"lab", cmd_lab, "lab POLICY                       test a policy in throwaway namespaces"},
};

static void usage(FILE *out)
{
	size_t i;

	fputs("usage: masqgen COMMAND [OPTIONS] [ARGS]\n"
	      "       masqgen --help | --version\n\ncommands:\n",
	      out);
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %s\n", commands[i].synopsis);
	fputs("\n'masqgen COMMAND --help' describes a command; see masqgen(8) and "
	      "masqgen.masq(5).\n",
	      out);
}

/*
 * Parse the options every policy command shares. @short_opts/@long_opts
 * add the command's own; unknown ones are usage errors. Returns the index
 * of the first operand, -1 after --help (printed), -2 on a usage error.
 */
static int parse_simple(int argc, char **argv, const char *usage_text, const char *optstr,
			const struct option *longopts, int (*take)(int opt, const char *arg))
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstr, longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return -1;
		}
		if (c == '?' || !take || take(c, optarg) < 0) {
			if (optopt && c == '?')
				cli_usage_error(argv[0], "unknown or incomplete option '-%c'", optopt);
			else if (c == '?')
				cli_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
			return -2;
		}
	}
	return optind;
}

static const char *opt_target, *opt_output;
static bool opt_kernel;

static int take_opt(int opt, const char *arg)
{
	switch (opt) {
	case 't':
		opt_target = arg;
		return 0;
	case 'o':
		opt_output = arg;
		return 0;
	case 'k':
		opt_kernel = true;
		return 0;
	}
	return -1;
}

static int one_policy(int argc, char **argv, int first, const char **policy)
{
	if (first < 0)
		return first == -1 ? EXIT_OK : EXIT_USAGE;
	if (argc - first != 1)
		return cli_usage_error(argv[0], argc == first ? "a POLICY file is required"
							      : "exactly one POLICY file is expected");
	*policy = argv[first];
	return -1;
}

int cmd_check(int argc, char **argv)
{
	static const struct option lo[] = {
		{"help", no_argument, NULL, 'h'},
		{"kernel", no_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	static const char help[] =
		"usage: masqgen check [--kernel] POLICY\n\n"
		"Read POLICY (.masq, or .yaml/.yml), report every error and warning,\n"
		"and exit 0 when it compiles, 1 when it has errors.\n\n"
		"  -k, --kernel  also send the nftables batch to the kernel without its\n"
		"                commit message: the kernel validates it, nothing changes\n"
		"  -h, --help    this text\n";
	const char *policy = NULL;
	struct ir *ir;
	int rc;

	opt_kernel = false;
	rc = one_policy(argc, argv, parse_simple(argc, argv, help, "+hk", lo, take_opt), &policy);
	if (rc >= 0)
		return rc;
	ir = cli_compile(policy);
	if (!ir)
		return EXIT_POLICY;
	/* without -t, check judges against nft (LANGUAGE.md, helpers) */
	if (ir_check_modern(ir) < 0) {
		ir_free(ir);
		return EXIT_POLICY;
	}
	rc = EXIT_OK;
	if (opt_kernel && nft_check_kernel(ir) < 0)
		rc = EXIT_SYSTEM;
	ir_free(ir);
	return rc;
}

static int write_result(struct strbuf *sb)
{
	int rc = util_write_file(opt_output, sb->buf ? sb->buf : "", sb->len);

	sb_free(sb);
	return rc < 0 ? EXIT_SYSTEM : EXIT_OK;
}

int cmd_generate(int argc, char **argv)
{
	static const struct option lo[] = {
		{"help", no_argument, NULL, 'h'},
		{"target", required_argument, NULL, 't'},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	static const char help[] =
		"usage: masqgen generate [-t TARGET] [-o FILE] POLICY\n\n"
		"Compile POLICY and print the ruleset for TARGET:\n"
		"  nft       an nft -f script for masqgen's tables (the default)\n"
		"  iptables  iptables-restore input (IPv6 part for ip6tables-restore)\n"
		"  ipchains  a Linux 2.2 shell script (ipchains, ipmasqadm)\n"
		"  ipfwadm   a Linux 2.0 shell script (ipfwadm, ipportfw)\n"
		"  yaml      the policy itself, includes and defines resolved, as YAML\n\n"
		"  -t, --target TARGET  the output format\n"
		"  -o, --output FILE    write FILE (atomically) instead of stdout\n"
		"  -h, --help           this text\n";
	const struct cli_target *t = NULL;
	struct strbuf sb = {0};
	const char *policy = NULL;
	struct ir *ir;
	int rc;

	opt_target = "nft";
	opt_output = NULL;
	rc = one_policy(argc, argv, parse_simple(argc, argv, help, "+ht:o:", lo, take_opt),
			&policy);
	if (rc >= 0)
		return rc;
	if (strcmp(opt_target, "yaml") != 0) {
		t = cli_target_find(opt_target);
		if (!t)
			return cli_usage_error(argv[0],
					       "unknown target '%s' (nft, iptables, ipchains, "
					       "ipfwadm, yaml)",
					       opt_target);
	}
	ir = cli_compile(policy);
	if (!ir)
		return EXIT_POLICY;
	if (t) {
		rc = t->emit(ir, &sb);
		ir_free(ir);
		if (rc < 0) {
			sb_free(&sb);
			return EXIT_POLICY;
		}
		return write_result(&sb);
	}
	ir_free(ir);
	{
		struct ast_file *f = ast_load(policy);
		struct ast_file *flat;

		if (!f)
			return EXIT_POLICY;
		flat = ast_flatten(f);
		sb.buf = ast_print_yaml(flat);
		sb.len = strlen(sb.buf);
		ast_file_free(flat);
		ast_file_free(f);
	}
	return write_result(&sb);
}

static bool is_yaml_path(const char *path)
{
	size_t n = strlen(path);

	return (n > 5 && strcmp(path + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(path + n - 4, ".yml") == 0);
}

int cmd_convert(int argc, char **argv)
{
	static const struct option lo[] = {
		{"help", no_argument, NULL, 'h'},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	static const char help[] =
		"usage: masqgen convert [-o FILE] POLICY\n\n"
		"Print a .masq POLICY as YAML, or a .yaml/.yml POLICY as .masq. The policy\n"
		"must compile. Includes stay includes; comments are not kept.\n\n"
		"  -o, --output FILE  write FILE (atomically) instead of stdout\n"
		"  -h, --help         this text\n";
	struct strbuf sb = {0};
	const char *policy = NULL;
	struct ast_file *f;
	struct ir *ir;
	int rc;

	opt_output = NULL;
	rc = one_policy(argc, argv, parse_simple(argc, argv, help, "+ho:", lo, take_opt),
			&policy);
	if (rc >= 0)
		return rc;
	ir = cli_compile(policy);
	if (!ir)
		return EXIT_POLICY;
	ir_free(ir);
	f = ast_load(policy);
	if (!f)
		return EXIT_POLICY;
	sb.buf = is_yaml_path(policy) ? ast_print_masq(f) : ast_print_yaml(f);
	sb.len = strlen(sb.buf);
	ast_file_free(f);
	return write_result(&sb);
}

int main(int argc, char **argv)
{
	size_t i;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("masqgen %s\n", MASQGEN_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			rc = commands[i].run(argc - 1, argv + 1);
			diag_reset();
			return rc;
		}
	}
	fprintf(stderr, "masqgen: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
