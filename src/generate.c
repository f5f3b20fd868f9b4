// SPDX-License-Identifier: GPL-2.0-or-later
/* generate.c - the commands that only compile a policy: check, generate, convert */
#include "ast_load.h"
#include "cli.h"
#include "ir.h"
#include "nft.h"

#include <string.h>

enum {
	OPT_KERNEL = 'k',
	OPT_OUTPUT = 'o',
	OPT_TARGET = 't',
};

static const struct cli_opt check_opts[] = {
	{OPT_KERNEL, "kernel", NULL,
	 "also send the nftables batch to the kernel without its\n"
	 "commit message: the kernel validates it, nothing changes",
	 0, NULL},
	CLI_STRICT_OPT,
	{0},
};

static int check_run(const struct cli_args *a)
{
	struct ir *ir = cli_compile(a->ops[0]);
	int rc;

	if (!ir)
		return EXIT_POLICY;
	/* without -t, check judges against nft (LANGUAGE.md, helpers) */
	if (ir_check_modern(ir) < 0) {
		ir_free(ir);
		return EXIT_POLICY;
	}
	rc = EXIT_OK;
	if (cli_arg(a, OPT_KERNEL) && nft_check_kernel(ir) < 0)
		rc = EXIT_SYSTEM;
	ir_free(ir);
	return rc;
}

const struct cli_command cli_check = {
	.name = "check",
	.summary = "validate a policy",
	.operands = "POLICY",
	.min_ops = 1,
	.max_ops = 1,
	.missing = "a POLICY file is required",
	.help = "Read POLICY (.masq, or .yaml/.yml), report every error and warning,\n"
		"and exit 0 when it compiles, 1 when it has errors (with --strict,\n"
		"also when a restriction in one family leaves the other open).\n",
	.opts = check_opts,
	.run = check_run,
};

/*
 * What @sb holds to -o's output (the rest of it, when it spilled there as
 * it was printed), as util_write_file() writes; frees @sb's text.
 */
static int write_result(const struct cli_args *a, struct strbuf *sb)
{
	struct util_out *o = sb->spill ? sb->spill : util_out_new(cli_arg(a, OPT_OUTPUT), 0);
	int rc = util_out_write(o, sb->buf ? sb->buf : "", sb->len);

	rc = util_out_close(o, rc == 0);
	sb->spill = NULL;
	sb_free(sb);
	return rc < 0 ? EXIT_SYSTEM : EXIT_OK;
}

static const struct cli_opt generate_opts[] = {
	{OPT_TARGET, "target", "TARGET", "the output format (above)", CLI_OPT_TARGET, NULL},
	{OPT_OUTPUT, "output", "FILE", "write FILE (atomically) instead of stdout", CLI_OPT_FILE,
	 NULL},
	CLI_STRICT_OPT,
	{0},
};

static int generate_run(const struct cli_args *a)
{
	const char *policy = a->ops[0];
	struct strbuf sb = {0};
	struct ir *ir;
	int rc;

	ir = cli_compile(policy);
	if (!ir)
		return EXIT_POLICY;
	if (a->target->emit) {
		/* a big ruleset goes out as it is printed (sb_spill), not held whole */
		sb.spill = util_out_new(cli_arg(a, OPT_OUTPUT), 0);
		rc = a->target->emit(ir, &sb);
		ir_free(ir);
		if (rc < 0) {
			util_out_close(sb.spill, false);
			sb_free(&sb);
			return EXIT_POLICY;
		}
		return write_result(a, &sb);
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
	return write_result(a, &sb);
}

const struct cli_command cli_generate = {
	.name = "generate",
	.summary = "print the ruleset for a target",
	.operands = "POLICY",
	.min_ops = 1,
	.max_ops = 1,
	.missing = "a POLICY file is required",
	.help = "Compile POLICY and print the ruleset for TARGET:\n",
	.help_targets = true,
	.opts = generate_opts,
	.target_use = CLI_T_GENERATE,
	.run = generate_run,
};

static bool is_yaml_path(const char *path)
{
	size_t n = strlen(path);

	return (n > 5 && strcmp(path + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(path + n - 4, ".yml") == 0);
}

static const struct cli_opt convert_opts[] = {
	{OPT_OUTPUT, "output", "FILE", "write FILE (atomically) instead of stdout", CLI_OPT_FILE,
	 NULL},
	{0},
};

static int convert_run(const struct cli_args *a)
{
	const char *policy = a->ops[0];
	struct strbuf sb = {0};
	struct ast_file *f;
	struct ir *ir;

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
	return write_result(a, &sb);
}

const struct cli_command cli_convert = {
	.name = "convert",
	.summary = ".masq <-> YAML",
	.operands = "POLICY",
	.min_ops = 1,
	.max_ops = 1,
	.missing = "a POLICY file is required",
	.help = "Print a .masq POLICY as YAML, or a .yaml/.yml POLICY as .masq. The policy\n"
		"must compile. Includes stay includes; comments are not kept.\n",
	.opts = convert_opts,
	.run = convert_run,
};
