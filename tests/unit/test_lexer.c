// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lexer.c - the .masq scanner and grammar: the keyword table, words
 * that hold '-', '/', ':' and '+', locations, and parse time.
 */
#include "ast.h"
#include "diag.h"
#include "masq_parse.h"
#include "util.h"
#include "unit.h"

#include <time.h>

static struct ast_file *parse(const char *text)
{
	const struct diag_source *src = diag_add_source("test.masq", text, strlen(text));

	return ast_parse_masq(src);
}

static const char *word(const struct ast_file *f, size_t i, enum ast_slot slot, size_t j)
{
	const struct ast_list *l;

	if (!f || i >= f->n)
		return NULL;
	l = ast_get(&f->stmts[i], slot);
	return l && j < l->n ? l->v[j].text : NULL;
}

static void test_keywords_sorted(void)
{
	size_t i;

	CHECK(masq_n_keywords > 30);
	for (i = 1; i < masq_n_keywords; i++)
		CHECK(strcmp(masq_keywords[i - 1].name, masq_keywords[i].name) < 0);
	for (i = 0; i < masq_n_keywords; i++)
		CHECK(masq_keyword_token(masq_keywords[i].name) == masq_keywords[i].token);
	CHECK(masq_keyword_token("externa") == 0);
	CHECK(masq_keyword_token("externals") == 0);
	CHECK(masq_keyword_token("") == 0);
	CHECK(masq_keyword_token("ON") == 0);
}

static void test_tricky_words(void)
{
	struct ast_file *f = parse("internal br-lan 10.0.0.0/8, 192.168.0.1-192.168.0.9\n"
				   "forward udp 27960-27963 on ppp+ to 192.168.0.3:22\n"
				   "allow tcp/udp 53 from 10.0.0.0/8\n"
				   "log limit 5/minute prefix \"masq: \"\n"
				   "external eth0:1\n");

	CHECK(diag_error_count() == 0);
	CHECK(f->n == 5);
	CHECK_STR(word(f, 0, AST_S_IFACE, 0), "br-lan");
	CHECK_STR(word(f, 0, AST_S_NETWORKS, 0), "10.0.0.0/8");
	CHECK_STR(word(f, 0, AST_S_NETWORKS, 1), "192.168.0.1-192.168.0.9");
	CHECK_STR(word(f, 1, AST_S_PROTO, 0), "udp");
	CHECK_STR(word(f, 1, AST_S_PORTS, 0), "27960-27963");
	CHECK_STR(word(f, 1, AST_S_ON, 0), "ppp+");
	CHECK_STR(word(f, 1, AST_S_TO, 0), "192.168.0.3:22");
	CHECK_STR(word(f, 2, AST_S_PROTO, 0), "tcp/udp");
	CHECK_STR(word(f, 3, AST_S_LIMIT, 0), "5/minute");
	CHECK_STR(word(f, 3, AST_S_PREFIX, 0), "masq: ");
	CHECK(f->stmts[3].field[1].list.v[0].kind == AST_STRING);
	/* eval says why eth0:1 is no interface; the scanner keeps it whole */
	CHECK_STR(word(f, 4, AST_S_IFACE, 0), "eth0:1");
	ast_file_free(f);
	diag_reset();
}

static void test_slots(void)
{
	struct ast_file *f = parse("allow forward icmp echo-request, time-exceeded to 10.0.0.5 "
				   "on \"log\" log\n"
				   "option rp_filter on; ipv6 firewall\n"
				   "define lan = { 10.0.0.0/8, $other }\n"
				   "timeouts tcp 2h \\\n  udp 3m # continued\n"
				   "external ppp0 dynamic\n");
	const struct ast_list *l;

	CHECK(diag_error_count() == 0);
	CHECK(f->n == 6);
	CHECK(f->stmts[0].kind == AST_ALLOW);
	CHECK_STR(word(f, 0, AST_S_CHAIN, 0), "forward");
	CHECK_STR(word(f, 0, AST_S_PROTO, 0), "icmp");
	CHECK_STR(word(f, 0, AST_S_PORTS, 1), "time-exceeded");
	CHECK_STR(word(f, 0, AST_S_ON, 0), "log");
	CHECK(f->stmts[0].flags == AST_F_LOG);
	CHECK_STR(word(f, 1, AST_S_VALUE, 0), "on");
	CHECK_STR(word(f, 2, AST_S_MODE, 0), "firewall");
	l = ast_get(&f->stmts[3], AST_S_VALUE);
	CHECK(l && l->braced && l->n == 2 && l->v[1].kind == AST_VAR);
	CHECK_STR(word(f, 3, AST_S_VALUE, 1), "other");
	CHECK_STR(word(f, 4, AST_S_UDP, 0), "3m");
	CHECK(f->stmts[4].loc.line == 4 && f->stmts[4].loc.col == 1);
	CHECK(ast_get1(&f->stmts[4], AST_S_UDP)->loc.line == 5);
	CHECK(ast_get1(&f->stmts[4], AST_S_UDP)->loc.col == 7);
	CHECK(f->stmts[5].flags == AST_F_DYNAMIC && f->stmts[5].flag_loc.col == 15);
	CHECK(f->stmts[2].loc.line == 2 && f->stmts[2].loc.col == 22);
	ast_file_free(f);
	diag_reset();
}

static void test_errors_recover(void)
{
	struct ast_file *f = parse("external ppp0\nbogus line here\ninternal eth1 10.0.0.0/8\n"
				   "external \"unterminated\ninternal eth2 10.1.0.0/16");

	CHECK(diag_error_count() == 2);
	CHECK(f->n == 3);
	ast_file_free(f);
	diag_reset();
}

/* A statement without values, first in a file, gets a place like any other. */
static void test_no_fields(void)
{
	struct ast_file *f = parse("clamp-mss\nlog\n");

	CHECK(f->n == 2);
	CHECK(f->stmts[0].kind == AST_CLAMP_MSS && f->stmts[0].n_fields == 0);
	CHECK(f->stmts[1].kind == AST_LOG && f->stmts[1].n_fields == 0);
	CHECK(diag_error_count() == 0);
	ast_file_free(f);
	diag_reset();
}

static void test_error_cap(void)
{
	struct strbuf sb = {0};
	struct ast_file *f;
	int i;

	for (i = 0; i < 200; i++)
		sb_add(&sb, "nonsense\n");
	f = parse(sb.buf);
	CHECK(diag_error_count() == MASQ_MAX_ERRORS);
	ast_file_free(f);
	sb_free(&sb);
	diag_reset();
}

/*
 * 100,000 forwards parse in well under half a second of CPU (no quadratic
 * step); CPU time, so other load on the machine does not fail the test.
 */
static void test_parse_100k_lines(void)
{
	struct strbuf sb = {0};
	struct timespec t0, t1;
	struct ast_file *f;
	double limit = 0.5, secs;
	int i;

#if defined(__SANITIZE_ADDRESS__)
	limit *= 10;
#endif
	for (i = 0; i < 100000; i++)
		sb_addf(&sb, "forward tcp %d to 192.168.0.10\n", 1 + i % 65535);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	f = parse(sb.buf);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(f->n == 100000);
	CHECK(diag_error_count() == 0);
	if (secs >= limit)
		printf("  parsing 100,000 lines took %.3f s\n", secs);
	CHECK(secs < limit);
	ast_file_free(f);
	sb_free(&sb);
	diag_reset();
}

int main(void)
{
	RUN(test_keywords_sorted);
	RUN(test_tricky_words);
	RUN(test_slots);
	RUN(test_errors_recover);
	RUN(test_no_fields);
	RUN(test_error_cap);
	RUN(test_parse_100k_lines);
	UNIT_EXIT();
}
