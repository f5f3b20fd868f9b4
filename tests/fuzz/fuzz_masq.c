// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_masq.c - libFuzzer target for the .masq front end. Besides "no
 * crash, no leak", it checks the printers: a policy that parses cleanly
 * prints as .masq that parses cleanly to the same text, and as YAML that
 * the YAML loader takes without an error.
 */
#include "ast.h"
#include "diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ast_file *parse(const char *name, const char *text, size_t len, bool yaml)
{
	const struct diag_source *src = diag_add_source(name, text, len);

	return yaml ? ast_parse_yaml(src) : ast_parse_masq(src);
}

static void check_printers(const struct ast_file *f)
{
	char *masq = ast_print_masq(f), *again, *yaml = ast_print_yaml(f);
	struct ast_file *g, *h;

	g = parse("printed.masq", masq, strlen(masq), false);
	if (diag_error_count())
		abort(); /* the printed form must parse */
	again = ast_print_masq(g);
	if (strcmp(masq, again) != 0)
		abort(); /* and print the same */
	h = parse("printed.yaml", yaml, strlen(yaml), true);
	if (diag_error_count())
		abort(); /* the YAML form must load */
	ast_file_free(h);
	ast_file_free(g);
	free(again);
	free(yaml);
	free(masq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ast_file *f = parse("fuzz.masq", (const char *)data, size, false), *flat;

	if (diag_error_count() == 0)
		check_printers(f);
	flat = ast_flatten(f);
	ast_file_free(flat);
	ast_file_free(f);
	diag_reset();
	return 0;
}
