// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_yaml.c - libFuzzer target for the YAML front end. A policy that
 * loads cleanly must print as YAML that loads again and prints the same.
 * Its .masq form is only printed: YAML can hold what .masq cannot say (a
 * chain named "ouvput" reads back as a protocol), which eval rejects before
 * convert ever prints it.
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
	char *masq = ast_print_masq(f), *yaml = ast_print_yaml(f), *again;
	struct ast_file *h;

	h = parse("printed.yaml", yaml, strlen(yaml), true);
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
	struct ast_file *f = parse("fuzz.yaml", (const char *)data, size, true), *flat;

	if (diag_error_count() == 0)
		check_printers(f);
	flat = ast_flatten(f);
	ast_file_free(flat);
	ast_file_free(f);
	diag_reset();
	return 0;
}
