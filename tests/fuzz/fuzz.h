/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h - what the libFuzzer targets share: register the bytes as a
 * source, parse them, run the target's printer checks on a clean parse,
 * flatten, and free everything (so the leak checker sees every byte).
 */
#ifndef MASQGEN_FUZZ_H
#define MASQGEN_FUZZ_H

#include "ast.h"
#include "diag.h"
#include "masq_parse.h"
#include "yaml_load.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ast_file *fuzz_parse(const char *name, const char *text, size_t len, bool yaml)
{
	const struct diag_source *src = diag_add_source(name, text, len);

	return yaml ? ast_parse_yaml(src) : ast_parse_masq(src);
}

static int fuzz_one(const uint8_t *data, size_t size, bool yaml,
		    void (*check)(const struct ast_file *f))
{
	struct ast_file *f, *flat;

	f = fuzz_parse(yaml ? "fuzz.yaml" : "fuzz.masq", (const char *)data, size, yaml);
	if (diag_error_count() == 0)
		check(f);
	flat = ast_flatten(f);
	ast_file_free(flat);
	ast_file_free(f);
	diag_reset();
	return 0;
}

#endif
