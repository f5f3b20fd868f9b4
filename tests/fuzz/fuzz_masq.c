// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_masq.c - libFuzzer target for the .masq front end. Besides "no
 * crash, no leak", it checks the printers: a policy that parses cleanly
 * prints as .masq that parses cleanly to the same text, and as YAML that
 * the YAML loader takes without an error.
 */
#include "fuzz.h"

static void check_printers(const struct ast_file *f)
{
	char *masq = ast_print_masq(f), *again, *yaml = ast_print_yaml(f);
	struct ast_file *g, *h;

	g = fuzz_parse("printed.masq", masq, strlen(masq), false);
	if (diag_error_count())
		abort(); /* the printed form must parse */
	again = ast_print_masq(g);
	if (strcmp(masq, again) != 0)
		abort(); /* and print the same */
	h = fuzz_parse("printed.yaml", yaml, strlen(yaml), true);
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
	return fuzz_one(data, size, false, check_printers);
}
