/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - the command line. Two tables describe it:
 *
 *   the commands (each defined beside its run function, listed in cli_args.c),
 *   every one with its table of options: cli_args.c parses argv by it and
 *   prints --help, the top-level usage and `masqgen help --complete` (what
 *   the bash completion asks) from it;
 *
 *   the targets (targets.c): what each backend serves (generate, apply,
 *   flush and diff, lab, init-script) and the functions that do it; -t of
 *   every command takes the targets that serve it.
 *
 * Exit codes and the helpers every command shares are here too.
 */
#ifndef MASQGEN_CLI_H
#define MASQGEN_CLI_H

#include "util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct ir;
struct kernel_loaded;

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

/* What a target serves: the commands whose -t takes it. */
enum {
	CLI_T_GENERATE = 1 << 0,
	CLI_T_APPLY = 1 << 1,	/* apply, flush, show and diff */
	CLI_T_LAB = 1 << 2,
	CLI_T_INIT = 1 << 3,	/* init-script */
};

/* One row of the target table: adding a target is a row and the backend's own files. */
struct cli_target {
	const char *name;
	const char *summary;	/* one line, for --help */
	unsigned uses;		/* CLI_T_* */
	/* generate: append the ruleset as text; -1 after reporting. NULL: yaml */
	int (*emit)(const struct ir *ir, struct strbuf *out);
	/*
	 * apply: @lower turns the IR into what @load sends (NULL after
	 * reporting what the target cannot express: a policy error);
	 * @sysctls (or NULL) adds to ir->sysctls what the target needs
	 * written, before they are recorded; @load replaces masqgen's ruleset
	 * in the kernel with it (keeping what it needs to remember under
	 * @run_dir; 0, or -1 after reporting); @release frees it. @confirm:
	 * apply --confirm can put the previous ruleset back. @keep (or NULL)
	 * starts keeping the ruleset as the last good one, for apply
	 * --fallback-last-good, and @kept ends it: kept when @ok (the apply
	 * succeeded), else dropped.
	 */
	void *(*lower)(const struct ir *ir);
	void (*sysctls)(struct ir *ir);
	int (*load)(const void *ruleset, const struct ir *ir, const char *run_dir);
	void (*release)(void *ruleset);
	bool confirm;
	void *(*keep)(const void *ruleset, const struct ir *ir);
	void (*kept)(void *keeping, bool ok);
	/*
	 * flush, show, diff: what the target loaded, in what
	 * kernel_cmd_loaded() read (kernel_cmd.h). @loaded: is any of it
	 * there. @show appends it as generate prints a policy (and warns
	 * of what it leaves out). @unload removes it: 0, or -1 after
	 * reporting. @diff appends what loading @ruleset (from @lower)
	 * would change, a line each, and returns how many. Every target
	 * with CLI_T_APPLY has all of @lower to @diff but @sysctls and @keep.
	 */
	bool (*loaded)(const struct kernel_loaded *k);
	void (*show)(const struct kernel_loaded *k, struct strbuf *out);
	int (*unload)(const struct kernel_loaded *k);
	long (*diff)(const struct kernel_loaded *k, const void *ruleset, struct strbuf *out);
	/*
	 * init-script: the shell lines of the chkconfig wrapper's stop and
	 * status around rc.firewall-TARGET, which @init_rc writes (NULL: the
	 * ruleset as @emit prints it). With CLI_T_INIT and no @init_stop the
	 * boot script runs masqgen itself (nft).
	 */
	const char *init_stop, *init_status;
	int (*init_rc)(const struct ir *ir, const char *policy, struct strbuf *out);
};

extern const struct cli_target cli_targets[];
extern const size_t cli_n_targets;

/* The target named @name that serves @use (CLI_T_*), or NULL. */
const struct cli_target *cli_target_find(const char *name, unsigned use);

/* One option of a command; a command's table ends with a zeroed entry. */
struct cli_opt {
	int key;		/* a letter: also the short option -KEY; else >= CLI_LONG */
	const char *name;	/* the long option, without "--" */
	const char *arg;	/* the value's name ("SECS"); NULL: a flag */
	const char *help;	/* --help text; each "\n" starts a continuation line */
	unsigned flags;		/* CLI_OPT_* */
	const char *values;	/* the only values it takes, space separated, or NULL */
};

enum {
	CLI_LONG = 256,		/* the first key of a long-only option */
	CLI_STRICT = 512,	/* --strict (CLI_STRICT_OPT) */
};

/*
 * --strict, a row of the commands that compile a policy to use it (check,
 * generate, apply): a widening (a restriction in one family that the
 * other is not held to) is an error, not a warning. cli_run() sets it.
 */
#define CLI_STRICT_OPT                                                                        \
	{CLI_STRICT, "strict", NULL,                                                          \
	 "a restriction written in one family that the other\n"                              \
	 "family is not held to is an error, not a warning",                                  \
	 0, NULL}

enum {
	CLI_OPT_MANY = 1 << 0,		/* may be given more than once */
	CLI_OPT_FILE = 1 << 1,		/* the value names a file (completion) */
	CLI_OPT_DIR = 1 << 2,		/* the value names a directory (completion) */
	CLI_OPT_TARGET = 1 << 3,	/* a target serving the command's target_use */
};

struct cli_args;

/* One command: its options, operands, help, and what runs it. */
struct cli_command {
	const char *name;
	const char *summary;	/* one line, for the top-level usage */
	const char *operands;	/* as the usage shows them: "POLICY", "" */
	unsigned min_ops;	/* operands required */
	int max_ops;		/* operands allowed; -1: any number */
	const char *missing;	/* the usage error when fewer than min_ops are given */
	const char *help;	/* between the usage line and the options */
	bool help_targets;	/* after @help, each target of target_use and its summary */
	const char *trailer;	/* after the options, or NULL */
	const struct cli_opt *opts;	/* --help is every command's, not listed */
	unsigned target_use;	/* CLI_T_* of the targets its -t takes */
	int (*run)(const struct cli_args *a);
};

/* A parsed command line. */
struct cli_args {
	const struct cli_command *cmd;
	char **ops;		/* the operands */
	int n_ops;
	struct cli_given {
		int key;
		const char *value;	/* "" for a flag */
	} *given;		/* every option given, in order */
	size_t n_given, cap_given;
	const struct cli_target *target;	/* -t, or the first target serving target_use */
};

/* The last value given for option @key, "" for a flag, or NULL. */
const char *cli_arg(const struct cli_args *a, int key);

/* The commands, each defined beside its run function. */
extern const struct cli_command cli_check, cli_generate, cli_apply, cli_confirm, cli_show,
	cli_diff, cli_flush, cli_routes, cli_init_script, cli_convert, cli_explain, cli_doctor,
	cli_lab, cli_set, cli_help;

/* The command table (cli_args.c), in the order of the top-level usage. */
extern const struct cli_command *const cli_commands[];
extern const size_t cli_n_commands;

/* The command named @name, or NULL. */
const struct cli_command *cli_command_find(const char *name);

/*
 * Parse @argv (argv[0] the command's name) by @cmd's table, then run it.
 * --help prints the help. Returns the exit code.
 */
int cli_run(const struct cli_command *cmd, int argc, char **argv);

/* @cmd's --help text. */
void cli_print_help(const struct cli_command *cmd, FILE *out);

/* The top-level usage: every command with every option. */
void cli_print_usage(FILE *out);

/* Print "masqgen CMD: MESSAGE" and a hint to --help on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "masqgen: unknown command 'NAME'" and the top-level usage on stderr; returns EXIT_USAGE. */
int cli_unknown_command(const char *name);

/*
 * Load and evaluate the policy at @path. Returns the IR, or NULL after the
 * errors were printed (the command then exits EXIT_POLICY). Caller owns it.
 */
struct ir *cli_compile(const char *path);

#endif
