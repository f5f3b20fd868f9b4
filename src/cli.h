/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - the command table's contract: exit codes, shared helpers, and
 * one entry point per command (each in the file of the stage it drives).
 */
#ifndef MASQGEN_CLI_H
#define MASQGEN_CLI_H

#include "util.h"

#include <stdbool.h>

struct ir;
struct ast_file;

/* Exit codes (ARCHITECTURE.md). */
enum {
	EXIT_OK = 0,
	EXIT_POLICY = 1,	/* the policy has errors */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_SYSTEM = 3,	/* the kernel or system refused; nothing changed */
	EXIT_ROLLED_BACK = 4,	/* --confirm timed out, previous ruleset restored */
	EXIT_NO = 5,		/* diff found differences, doctor found a failure */
	EXIT_FALLBACK = 6,	/* apply --fallback-last-good: the last good ruleset instead */
};

/*
 * Each command gets argv with argv[0] the command name, parses its own
 * options (getopt_long, "--help" prints its usage to stdout and returns 0)
 * and returns an exit code.
 */
int cmd_check(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_confirm(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_init_script(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_lab(int argc, char **argv);

/* Print "masqgen CMD: MESSAGE" and a hint to --help on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Load and evaluate the policy at @path. Returns the IR, or NULL after the
 * errors were printed (the command then exits EXIT_POLICY). Caller owns it.
 */
struct ir *cli_compile(const char *path);

/*
 * A backend that turns the IR into text. Returns 0 and appends to @out, or
 * -1 after reporting through diag why the target cannot express the policy.
 */
typedef int (*cli_emit_fn)(const struct ir *ir, struct strbuf *out);

struct cli_target {
	const char *name;
	cli_emit_fn emit;
};

/* The target named @name, or NULL (yaml is handled by generate itself). */
const struct cli_target *cli_target_find(const char *name);

#endif
