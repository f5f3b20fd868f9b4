// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_yaml.c - libFuzzer target for the YAML front end. A policy that
 * loads cleanly must print as YAML that loads again and prints the same.
 * Its .masq form is only printed: YAML can hold what .masq cannot say (a
 * chain named "ouvput" reads back as a protocol), which eval rejects before
 * convert ever prints it.
 */
#include "fuzz.h"

static void check_printers(const struct ast_file *f)
{
	char *masq = ast_print_masq(f), *yaml = ast_print_yaml(f), *again;
	struct ast_file *h;

	h = fuzz_parse("printed.yaml", yaml, strlen(yaml), true);
	if (diag_error_count())
		abort(); /* the YAML form must load */
	again = ast_print_yaml(h);
	if (strcmp(yaml, again) != 0)
		abort(); /* and print the same */
	ast_file_free(h);
	free(again);
	free(yaml);
	free(masq);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_one(data, size, true, check_printers);
}
