// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli_args.c - the command line from the tables of cli.h: argv parsed by
 * a command's option table, its --help, the top-level usage, and the
 * `help` command (also what the bash completion asks).
 */
#include "cli.h"
#include "diag.h"
#include "escape.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The command table, in the order of the top-level usage. */
const struct cli_command *const cli_commands[] = {
	&cli_check,	  &cli_generate, &cli_apply,   &cli_confirm, &cli_show,
	&cli_diff,	  &cli_flush,	 &cli_routes, &cli_init_script, &cli_convert,
	&cli_explain,	  &cli_doctor,	 &cli_lab,	 &cli_set,	 &cli_help,
};

const size_t cli_n_commands = ARRAY_SIZE(cli_commands);

/* The --help every command takes. */
static const struct cli_opt cli_help_opt = {'h', "help", NULL, "this text", 0, NULL};

/* The @i-th option of @cmd, --help after its table; NULL past the end. */
static const struct cli_opt *cli_opt_at(const struct cli_command *cmd, size_t i)
{
	size_t n = 0;

	while (cmd->opts && cmd->opts[n].name)
		n++;
	if (i < n)
		return &cmd->opts[i];
	return i == n ? &cli_help_opt : NULL;
}

const struct cli_command *cli_command_find(const char *name)
{
	size_t i;

	for (i = 0; i < cli_n_commands; i++)
		if (strcmp(cli_commands[i]->name, name) == 0)
			return cli_commands[i];
	return NULL;
}

const struct cli_target *cli_target_find(const char *name, unsigned use)
{
	size_t i;

	for (i = 0; i < cli_n_targets; i++)
		if ((cli_targets[i].uses & use) && strcmp(cli_targets[i].name, name) == 0)
			return &cli_targets[i];
	return NULL;
}

/* Append the names of the targets serving @use, @sep between them. */
static void cli_target_names(unsigned use, const char *sep, struct strbuf *out)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < cli_n_targets; i++) {
		if (!(cli_targets[i].uses & use))
			continue;
		sb_addf(out, "%s%s", s, cli_targets[i].name);
		s = sep;
	}
}

const char *cli_arg(const struct cli_args *a, int key)
{
	size_t i = a->n_given;

	while (i-- > 0)
		if (a->given[i].key == key)
			return a->given[i].value;
	return NULL;
}

/* "masqgen[ CMD]: MSG" in one write, no control character from argv in it. */
static void cli_usage_line(const char *cmd, const char *msg)
{
	struct strbuf sb = {0};

	sb_addf(&sb, "masqgen%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	escape_comment(&sb, msg);
	sb_add(&sb, "\n");
	fflush(stdout);
	fwrite(sb.buf, 1, sb.len, stderr);
	sb_free(&sb);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cli_usage_line(cmd, msg);
	free(msg);
	fprintf(stderr, "Try 'masqgen %s --help'.\n", cmd);
	return EXIT_USAGE;
}

int cli_unknown_command(const char *name)
{
	char *msg = xasprintf("unknown command '%s'", name);

	cli_usage_line(NULL, msg);
	free(msg);
	cli_print_usage(stderr);
	return EXIT_USAGE;
}

/* The synopsis of @cmd after its name: " [-t TARGET] [--confirm SECS] POLICY". */
static void cli_synopsis(const struct cli_command *cmd, struct strbuf *out)
{
	const struct cli_opt *o;
	size_t i;

	for (i = 0; (o = cli_opt_at(cmd, i)) && o != &cli_help_opt; i++) {
		if (o->key < CLI_LONG)
			sb_addf(out, " [-%c", o->key);
		else
			sb_addf(out, " [--%s", o->name);
		if (o->arg)
			sb_addf(out, " %s", o->arg);
		sb_add(out, o->flags & CLI_OPT_MANY ? "]..." : "]");
	}
	if (*cmd->operands)
		sb_addf(out, " %s", cmd->operands);
}

void cli_print_help(const struct cli_command *cmd, FILE *out)
{
	const struct cli_opt *o;
	struct strbuf sb = {0};
	size_t i, width = 0, names = 0;

	for (i = 0; (o = cli_opt_at(cmd, i)); i++) {
		size_t w = strlen(o->name) + (o->arg ? strlen(o->arg) + 1 : 0);

		if (w > width)
			width = w;
	}
	sb_addf(&sb, "usage: masqgen %s", cmd->name);
	cli_synopsis(cmd, &sb);
	sb_addf(&sb, "\n\n%s", cmd->help);
	for (i = 0; cmd->help_targets && i < cli_n_targets; i++)
		if (cli_targets[i].uses & cmd->target_use && strlen(cli_targets[i].name) > names)
			names = strlen(cli_targets[i].name);
	for (i = 0; cmd->help_targets && i < cli_n_targets; i++)
		if (cli_targets[i].uses & cmd->target_use)
			sb_addf(&sb, "  %-*s %s\n", (int)names, cli_targets[i].name,
				cli_targets[i].summary);
	sb_add(&sb, "\n");
	for (i = 0; (o = cli_opt_at(cmd, i)); i++) {
		const char *p = o->help, *nl;
		size_t w = strlen(o->name) + (o->arg ? strlen(o->arg) + 1 : 0);

		if (o->key < CLI_LONG)
			sb_addf(&sb, "  -%c, --%s", o->key, o->name);
		else
			sb_addf(&sb, "      --%s", o->name);
		if (o->arg)
			sb_addf(&sb, " %s", o->arg);
		sb_addf(&sb, "%*s", (int)(width - w + 2), "");
		while ((nl = strchr(p, '\n'))) {
			sb_addf(&sb, "%.*s\n%*s", (int)(nl - p), p, (int)width + 10, "");
			p = nl + 1;
		}
		sb_addf(&sb, "%s\n", p);
		if (o->flags & CLI_OPT_TARGET) {
			sb_addf(&sb, "%*s%s: ", (int)width + 10, "", o->arg);
			cli_target_names(cmd->target_use, ", ", &sb);
			sb_add(&sb, "\n");
		}
	}
	if (cmd->trailer)
		sb_addf(&sb, "\n%s", cmd->trailer);
	fwrite(sb.buf, 1, sb.len, out);
	sb_free(&sb);
}

void cli_print_usage(FILE *out)
{
	size_t i;

	fputs("usage: masqgen COMMAND [OPTIONS] [ARGS]\n"
	      "       masqgen --help | --version\n\ncommands:\n",
	      out);
	/* a synopsis too long for the summary beside it gets a line of its own */
	for (i = 0; i < cli_n_commands; i++) {
		struct strbuf sb = {0};

		sb_add(&sb, cli_commands[i]->name);
		cli_synopsis(cli_commands[i], &sb);
		if (sb.len < 33)
			fprintf(out, "  %-33s%s\n", sb.buf, cli_commands[i]->summary);
		else
			fprintf(out, "  %s\n  %-33s%s\n", sb.buf, "", cli_commands[i]->summary);
		sb_free(&sb);
	}
	fputs("\n'masqgen help COMMAND' describes a command; see masqgen(8) and "
	      "masqgen.masq(5).\n",
	      out);
}

/* Is @value one of the space-separated words of @list? */
static bool cli_word_in(const char *value, const char *list)
{
	size_t n = strlen(value);
	const char *w;

	for (w = list; n && *w; w += strcspn(w, " "), w += strspn(w, " "))
		if (strncmp(w, value, n) == 0 && (w[n] == ' ' || !w[n]))
			return true;
	return false;
}

/* Take option @o with @value into @a. Returns -1 to go on, else the exit code. */
static int cli_take(struct cli_args *a, const struct cli_opt *o, const char *value)
{
	const struct cli_command *cmd = a->cmd;
	struct cli_given *g;

	if (o->flags & CLI_OPT_TARGET) {
		a->target = cli_target_find(value, cmd->target_use);
		if (!a->target) {
			struct strbuf names = {0};
			int rc;

			cli_target_names(cmd->target_use, ", ", &names);
			if (cli_target_find(value, ~0u))
				rc = cli_usage_error(cmd->name,
						     "target '%s' does not serve this command (%s)",
						     value, names.buf);
			else
				rc = cli_usage_error(cmd->name, "unknown target '%s' (%s)", value,
						     names.buf);
			sb_free(&names);
			return rc;
		}
	}
	if (o->values && !cli_word_in(value, o->values)) {
		struct strbuf list = {0};
		const char *v;
		int rc;

		for (v = o->values; *v; v++)
			sb_add(&list, *v == ' ' ? ", " : (char[]){*v, '\0'});
		rc = cli_usage_error(cmd->name, "unknown %s '%s' (%s)", o->name, value, list.buf);
		sb_free(&list);
		return rc;
	}
	g = VEC_PUSH(a->given, a->n_given, a->cap_given);
	g->key = o->key;
	g->value = value ? value : "";
	return -1;
}

/* The operands of @a against its command's counts. Returns -1 to go on, else the exit code. */
static int cli_check_ops(const struct cli_args *a)
{
	const struct cli_command *cmd = a->cmd;

	if ((unsigned)a->n_ops < cmd->min_ops)
		return cli_usage_error(cmd->name, "%s", cmd->missing);
	if (cmd->max_ops < 0 || a->n_ops <= cmd->max_ops)
		return -1;
	if (cmd->min_ops == 1 && cmd->max_ops == 1)
		return cli_usage_error(cmd->name, "exactly one %s file is expected", cmd->operands);
	return cli_usage_error(cmd->name, "unexpected argument '%s'", a->ops[cmd->max_ops]);
}

/*
 * Parse @argv by @cmd's table into @a. Returns -1 to go on, EXIT_OK after
 * --help, or EXIT_USAGE after reporting.
 */
static int cli_parse(const struct cli_command *cmd, int argc, char **argv, struct cli_args *a)
{
	struct strbuf shorts = {0};
	struct option *lo = NULL;
	const struct cli_opt *o;
	size_t i, n = 0, cap = 0;
	int c, rc = -1;

	*a = (struct cli_args){.cmd = cmd};
	sb_add(&shorts, "+");
	for (i = 0; (o = cli_opt_at(cmd, i)); i++) {
		*VEC_PUSH(lo, n, cap) = (struct option){
		    o->name, o->arg ? required_argument : no_argument, NULL, o->key};
		if (o->key < CLI_LONG)
			sb_addf(&shorts, "%c%s", o->key, o->arg ? ":" : "");
	}
	*VEC_PUSH(lo, n, cap) = (struct option){NULL, 0, NULL, 0};
	optind = 1;
	opterr = 0;
	while (rc < 0 && (c = getopt_long(argc, argv, shorts.buf, lo, NULL)) != -1) {
		for (i = 0; (o = cli_opt_at(cmd, i)) && o->key != c; i++)
			;
		if (c == 'h') {
			cli_print_help(cmd, stdout);
			rc = EXIT_OK;
		} else if (!o || c == '?') {
			rc = cli_usage_error(cmd->name, "unknown or incomplete option '%s'",
					     argv[optind - 1]);
		} else {
			rc = cli_take(a, o, optarg);
		}
	}
	sb_free(&shorts);
	free(lo);
	if (rc >= 0)
		return rc;
	for (i = 0; !a->target && i < cli_n_targets; i++)
		if (cli_targets[i].uses & cmd->target_use)
			a->target = &cli_targets[i];
	a->ops = argv + optind;
	a->n_ops = argc - optind;
	return cli_check_ops(a);
}

int cli_run(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_args a;
	int rc = cli_parse(cmd, argc, argv, &a);

	if (rc < 0) {
		diag_strict_widening(cli_arg(&a, CLI_STRICT) != NULL);
		rc = cmd->run(&a);
	}
	free(a.given);
	return rc;
}

/*
 * For the completion: the commands one a line, or @cmd's options one a
 * line: "--LONG -S VALUES", with "-" for no short form and for VALUES
 * nothing (a flag), the words it takes, <file>, <dir> or <value>.
 */
static void cli_complete(const struct cli_command *cmd)
{
	const struct cli_opt *o;
	size_t i;

	if (!cmd) {
		for (i = 0; i < cli_n_commands; i++)
			printf("%s\n", cli_commands[i]->name);
		return;
	}
	for (i = 0; (o = cli_opt_at(cmd, i)); i++) {
		struct strbuf sb = {0};

		sb_addf(&sb, "--%s ", o->name);
		if (o->key < CLI_LONG)
			sb_addf(&sb, "-%c", o->key);
		else
			sb_add(&sb, "-");
		if (o->flags & CLI_OPT_TARGET) {
			sb_add(&sb, " ");
			cli_target_names(cmd->target_use, " ", &sb);
		} else if (o->values) {
			sb_addf(&sb, " %s", o->values);
		} else if (o->arg) {
			sb_add(&sb, o->flags & CLI_OPT_FILE  ? " <file>"
				    : o->flags & CLI_OPT_DIR ? " <dir>"
							     : " <value>");
		}
		printf("%s\n", sb.buf);
		sb_free(&sb);
	}
}

enum {
	HELP_COMPLETE = CLI_LONG,
};

static const struct cli_opt cli_help_opts[] = {
    {HELP_COMPLETE, "complete", NULL,
     "for the bash completion: the commands, or COMMAND's options, one a\n"
     "line (--LONG, -SHORT or -, then the values it takes)",
     0, NULL},
    {0},
};

static int cli_help_run(const struct cli_args *a)
{
	const struct cli_command *cmd = NULL;

	if (a->n_ops) {
		cmd = cli_command_find(a->ops[0]);
		if (!cmd)
			return cli_usage_error(a->cmd->name, "unknown command '%s'", a->ops[0]);
	}
	if (cli_arg(a, HELP_COMPLETE))
		cli_complete(cmd);
	else if (cmd)
		cli_print_help(cmd, stdout);
	else
		cli_print_usage(stdout);
	return EXIT_OK;
}

const struct cli_command cli_help = {
    .name = "help",
    .summary = "the usage of masqgen or of COMMAND",
    .operands = "[COMMAND]",
    .max_ops = 1,
    .help = "Print the commands with every option they take, or what\n"
	    "'masqgen COMMAND --help' prints.\n",
    .opts = cli_help_opts,
    .run = cli_help_run,
};
