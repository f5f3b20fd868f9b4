// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_eval.c - the evaluator: policies in, IR pictures out. With a file
 * argument it prints that policy's IR picture instead (for reading).
 */
#include "ast.h"
#include "diag.h"
#include "ir.h"
#include "unit.h"
#include "util.h"

#include "ir_dump.h"

#include <stdlib.h>

static struct ir *eval_text(const char *text)
{
	const struct diag_source *src = diag_add_source("t.masq", text, strlen(text));
	struct ast_file *f = ast_parse_masq(src);
	struct ir *ir = NULL;

	if (f && diag_error_count() == 0)
		ir = ir_eval(f);
	ast_file_free(f);
	return ir;
}

/* The IR picture of @text, or "error" when it does not compile. */
static char *picture(const char *text)
{
	struct strbuf sb = {0};
	struct ir *ir;

	diag_reset();
	diag_quiet_warnings(true);
	ir = eval_text(text);
	if (!ir)
		return xstrdup("error");
	dump_ir(&sb, ir);
	ir_free(ir);
	return sb.buf;
}

static int dump_file(const char *path)
{
	struct ast_file *f = ast_load(path);
	struct strbuf sb = {0};
	struct ir *ir = NULL;

	if (f && diag_error_count() == 0)
		ir = ir_eval(f);
	ast_file_free(f);
	if (!ir)
		return 1;
	dump_ir(&sb, ir);
	fputs(sb.buf, stdout);
	sb_free(&sb);
	ir_free(ir);
	return 0;
}

static void test_minimal(void)
{
	char *p = picture("external ppp0\ninternal eth1 192.168.0.1/24\n");

	CHECK(strstr(p, "snat oif ppp0 to 0.0.0.0 from {192.168.0.0/24}\n") != NULL);
	free(p);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return dump_file(argv[1]);
	RUN(test_minimal);
	UNIT_EXIT();
}
