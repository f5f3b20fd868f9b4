/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * parser.y - the .masq grammar (LANGUAGE.md, Statements). It knows which
 * keyword starts which slot of each statement and fills struct ast_stmt;
 * it gives words no meaning (eval.c does, by slot). A statement is built in
 * ps->pending and moved into the file once complete; an error discards it
 * and parsing resumes at the next line, up to MASQ_MAX_ERRORS errors.
 */
%code requires {
#include "ast.h"

struct masq_parse;
#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif
}

%code {
#include "ast_syntax.h"
#include "diag.h"
#include "masq_parse.h"
#include "scanner.h"
#include "suggest.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* A span covers its first to its last token when they share a line. */
#define YYLLOC_DEFAULT(cur, rhs, n)                                                        \
	do {                                                                               \
		if (n) {                                                                   \
			(cur) = YYRHSLOC(rhs, 1);                                          \
			if (YYRHSLOC(rhs, n).line == (cur).line &&                         \
			    YYRHSLOC(rhs, n).col >= (cur).col)                             \
				(cur).len = YYRHSLOC(rhs, n).col + YYRHSLOC(rhs, n).len -  \
					    (cur).col;                                     \
		} else {                                                                   \
			(cur) = YYRHSLOC(rhs, 0);                                          \
			(cur).col += (cur).len;                                            \
			(cur).len = 1;                                                     \
		}                                                                          \
	} while (0)

static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct masq_parse *ps, const char *msg);
static struct ast_word mkword(enum ast_word_kind kind, const char *text, const struct loc *loc);
static void put(struct masq_parse *ps, enum ast_slot slot, struct ast_list *l,
		const struct loc *kw_loc, const char *kw);
static void put1(struct masq_parse *ps, enum ast_slot slot, struct ast_word *w,
		 const struct loc *kw_loc, const char *kw);
static void set_flag(struct masq_parse *ps, enum ast_flag flag, const struct loc *loc,
		     const char *kw);
static void commit(struct masq_parse *ps, enum ast_kind kind, const struct loc *loc);
}

%define api.pure full
%define api.location.type {struct loc}
%define parse.error custom
%define parse.lac full
%locations
%lex-param {yyscan_t scanner}
%parse-param {yyscan_t scanner} {struct masq_parse *ps}

%initial-action {
	@$.src = ps->src;
	@$.line = 1;
	@$.col = 1;
	@$.len = 1;
}

%union {
	const char *text;
	struct ast_word word;
	struct ast_list list;
	int kind;
}

%token <text> WORD "word" STRING "string" VAR "$name"
%token EOL "end of line" LEXERR "invalid token"
%token ADDRESS "address" ALLOW "allow" BURST "burst" CLAMP_MSS "clamp-mss" CLUSTER "cluster"
%token DEFINE "define" DENY "deny" ID "id" PEER "peer" PRIORITY "priority" SYNC "sync" VIRTUAL "virtual"
%token DYNAMIC "dynamic" EXT "ext" EXTERNAL "external" FIREWALL "firewall" FORWARD "forward" FROM "from"
%token HELPER "helper" INCLUDE "include" INPUT "input" INTERNAL "internal" IPV6 "ipv6"
%token LEVEL "level" LIMIT "limit" LOG "log" MASQUERADE "masquerade" NAT "nat"
%token NOREFLECT "noreflect" OFF "off" ON "on" OPTION "option" OUT "out" OUTPUT "output"
%token PASSTHROUGH "passthrough" PER_SOURCE "per-source" PORTS "ports" PREFIX "prefix" REJECT "reject"
%token SET "set" TCP "tcp" TCPFIN "tcpfin" TIMEOUT "timeout" TIMEOUTS "timeouts" TO "to" UDP "udp"
%token UPNP "upnp"

%type <word> word proto mode onoff
%type <list> list items
%type <kind> verb

%%

policy		: %empty
		| policy line
		;

line		: EOL
		| stmt EOL
		| error EOL
			{
				ps->pending.st.n_fields = 0;
				ps->pending.st.flags = 0;
				if (ps->errors >= MASQ_MAX_ERRORS) {
					diag_note(&@1, "too many errors, giving up on this file");
					ps->file->lost_decl = true;
					YYABORT;
				}
				yyerrok;
			}
		;

stmt		: DEFINE define_name '=' list
			{ put(ps, AST_S_VALUE, &$4, &@4, "="); commit(ps, AST_DEFINE, &@1); }
		| INCLUDE word
			{ put1(ps, AST_S_PATH, &$2, &@1, "include"); commit(ps, AST_INCLUDE, &@1); }
		| EXTERNAL word ext_opts
			{ put1(ps, AST_S_IFACE, &$2, &@1, "external"); commit(ps, AST_EXTERNAL, &@1); }
		| INTERNAL word list int_opts
			{
				put1(ps, AST_S_IFACE, &$2, &@1, "internal");
				put(ps, AST_S_NETWORKS, &$3, &@3, "internal");
				commit(ps, AST_INTERNAL, &@1);
			}
		| PASSTHROUGH list
			{
				put(ps, AST_S_IFACES, &$2, &@2, "passthrough");
				commit(ps, AST_PASSTHROUGH, &@1);
			}
		| IPV6 mode
			{ put1(ps, AST_S_MODE, &$2, &@2, "ipv6"); commit(ps, AST_IPV6, &@1); }
		| MASQUERADE list masq_opts
			{
				put(ps, AST_S_SOURCES, &$2, &@2, "masquerade");
				commit(ps, AST_MASQUERADE, &@1);
			}
		| FORWARD proto fwd_ports fwd_opts
			{ put1(ps, AST_S_PROTO, &$2, &@2, "forward"); commit(ps, AST_FORWARD, &@1); }
		| NAT word TO word nat_opts
			{
				put1(ps, AST_S_PUBLIC, &$2, &@2, "nat");
				put1(ps, AST_S_PRIVATE, &$4, &@3, "to");
				commit(ps, AST_NAT, &@1);
			}
		| HELPER list helper_opt
			{ put(ps, AST_S_NAMES, &$2, &@2, "helper"); commit(ps, AST_HELPER, &@1); }
		| FIREWALL word
			{ put1(ps, AST_S_LEVEL, &$2, &@2, "firewall"); commit(ps, AST_FIREWALL, &@1); }
		| verb chain rule_proto rule_opts
			{ commit(ps, (enum ast_kind)$1, &@1); }
		| LOG log_opts
			{ commit(ps, AST_LOG, &@1); }
		| CLAMP_MSS
			{ commit(ps, AST_CLAMP_MSS, &@1); }
		| CLAMP_MSS word
			{ put1(ps, AST_S_VALUE, &$2, &@2, "clamp-mss"); commit(ps, AST_CLAMP_MSS, &@1); }
		| TIMEOUTS timeouts
			{ commit(ps, AST_TIMEOUTS, &@1); }
		| SET word set_opts
			{ put1(ps, AST_S_NAME, &$2, &@1, "set"); commit(ps, AST_SET, &@1); }
		| OPTION word onoff
			{
				put1(ps, AST_S_NAME, &$2, &@2, "option");
				put1(ps, AST_S_VALUE, &$3, &@3, "option");
				commit(ps, AST_OPTION, &@1);
			}
		| CLUSTER word cluster_opts
			{ put1(ps, AST_S_NAME, &$2, &@2, "cluster"); commit(ps, AST_CLUSTER, &@1); }
		| UPNP ON word upnp_opts
			{ put1(ps, AST_S_ON, &$3, &@2, "on"); commit(ps, AST_UPNP, &@1); }
		;

define_name	: WORD
			{
				struct ast_word w = mkword(AST_WORD, $1, &@1);
				put1(ps, AST_S_NAME, &w, &@1, "define");
			}
		| STRING
			{
				struct ast_word w = mkword(AST_STRING, $1, &@1);
				put1(ps, AST_S_NAME, &w, &@1, "define");
			}
		;

word		: WORD		{ $$ = mkword(AST_WORD, $1, &@1); }
		| STRING	{ $$ = mkword(AST_STRING, $1, &@1); }
		| VAR		{ $$ = mkword(AST_VAR, $1, &@1); }
		;

list		: items
		| '{' items '}'	{ $$ = $2; $$.braced = true; }
		;

items		: word		{ memset(&$$, 0, sizeof($$)); ast_list_push(ps->file, &$$, &$1); }
		| items ',' word { $$ = $1; ast_list_push(ps->file, &$$, &$3); }
		;

ext_opts	: %empty
		| ext_opts DYNAMIC		{ set_flag(ps, AST_F_DYNAMIC, &@2, "dynamic"); }
		| ext_opts ADDRESS word		{ put1(ps, AST_S_ADDRESS, &$3, &@2, "address"); }
		| ext_opts VIRTUAL word		{ put1(ps, AST_S_VIRTUAL, &$3, &@2, "virtual"); }
		;

int_opts	: %empty
		| VIRTUAL word			{ put1(ps, AST_S_VIRTUAL, &$2, &@1, "virtual"); }
		;

cluster_opts	: %empty
		| cluster_opts PRIORITY word	{ put1(ps, AST_S_PRIORITY, &$3, &@2, "priority"); }
		| cluster_opts PEER word	{ put1(ps, AST_S_PEER, &$3, &@2, "peer"); }
		| cluster_opts SYNC word	{ put1(ps, AST_S_SYNC, &$3, &@2, "sync"); }
		| cluster_opts ID word		{ put1(ps, AST_S_ID, &$3, &@2, "id"); }
		;

mode		: word
		| FIREWALL	{ $$ = mkword(AST_WORD, "firewall", &@1); }
		;

masq_opts	: %empty
		| masq_opts ON word		{ put1(ps, AST_S_ON, &$3, &@2, "on"); }
		| masq_opts TO word		{ put1(ps, AST_S_TO, &$3, &@2, "to"); }
		;

proto		: word
		| TCP		{ $$ = mkword(AST_WORD, "tcp", &@1); }
		| UDP		{ $$ = mkword(AST_WORD, "udp", &@1); }
		;

fwd_ports	: %empty
		| list				{ put(ps, AST_S_PORTS, &$1, &@1, "ports"); }
		;

fwd_opts	: %empty
		| fwd_opts ON word		{ put1(ps, AST_S_ON, &$3, &@2, "on"); }
		| fwd_opts FROM list		{ put(ps, AST_S_FROM, &$3, &@2, "from"); }
		| fwd_opts TO word		{ put1(ps, AST_S_TO, &$3, &@2, "to"); }
		| fwd_opts NOREFLECT		{ set_flag(ps, AST_F_NOREFLECT, &@2, "noreflect"); }
		| fwd_opts limit
		;

set_opts	: %empty
		| set_opts TIMEOUT word		{ put1(ps, AST_S_TIMEOUT, &$3, &@2, "timeout"); }
		| set_opts '=' list		{ put(ps, AST_S_VALUE, &$3, &@2, "="); }
		;

nat_opts	: %empty
		| ON word			{ put1(ps, AST_S_ON, &$2, &@1, "on"); }
		;

helper_opt	: %empty
		| PORTS list			{ put(ps, AST_S_PORTS, &$2, &@1, "ports"); }
		;

verb		: ALLOW		{ $$ = AST_ALLOW; }
		| DENY		{ $$ = AST_DENY; }
		| REJECT	{ $$ = AST_REJECT; }
		;

chain		: %empty
		| INPUT
			{
				struct ast_word w = mkword(AST_WORD, "input", &@1);
				put1(ps, AST_S_CHAIN, &w, &@1, "input");
			}
		| FORWARD
			{
				struct ast_word w = mkword(AST_WORD, "forward", &@1);
				put1(ps, AST_S_CHAIN, &w, &@1, "forward");
			}
		| OUTPUT
			{
				struct ast_word w = mkword(AST_WORD, "output", &@1);
				put1(ps, AST_S_CHAIN, &w, &@1, "output");
			}
		;

rule_proto	: %empty
		| proto				{ put1(ps, AST_S_PROTO, &$1, &@1, "proto"); }
		| proto list
			{
				put1(ps, AST_S_PROTO, &$1, &@1, "proto");
				put(ps, AST_S_PORTS, &$2, &@2, "ports");
			}
		;

rule_opts	: %empty
		| rule_opts FROM list		{ put(ps, AST_S_FROM, &$3, &@2, "from"); }
		| rule_opts FROM '!' list
			{
				put(ps, AST_S_FROM, &$4, &@2, "from");
				set_flag(ps, AST_F_NOT_FROM, &@3, "!");
			}
		| rule_opts TO list		{ put(ps, AST_S_TO, &$3, &@2, "to"); }
		| rule_opts TO '!' list
			{
				put(ps, AST_S_TO, &$4, &@2, "to");
				set_flag(ps, AST_F_NOT_TO, &@3, "!");
			}
		| rule_opts ON word		{ put1(ps, AST_S_ON, &$3, &@2, "on"); }
		| rule_opts OUT word		{ put1(ps, AST_S_OUT, &$3, &@2, "out"); }
		| rule_opts LOG			{ set_flag(ps, AST_F_LOG, &@2, "log"); }
		| rule_opts limit
		;

/* limit RATE [burst N] [per-source], of a rule or a forward */
limit		: LIMIT word			{ put1(ps, AST_S_LIMIT, &$2, &@1, "limit"); }
		| BURST word			{ put1(ps, AST_S_BURST, &$2, &@1, "burst"); }
		| PER_SOURCE			{ set_flag(ps, AST_F_PER_SOURCE, &@1, "per-source"); }
		;

log_opts	: %empty
		| log_opts OFF			{ set_flag(ps, AST_F_OFF, &@2, "off"); }
		| log_opts LIMIT word		{ put1(ps, AST_S_LIMIT, &$3, &@2, "limit"); }
		| log_opts PREFIX word		{ put1(ps, AST_S_PREFIX, &$3, &@2, "prefix"); }
		| log_opts LEVEL word		{ put1(ps, AST_S_LEVEL, &$3, &@2, "level"); }
		;

timeouts	: timeout
		| timeouts timeout
		;

timeout		: TCP word			{ put1(ps, AST_S_TCP, &$2, &@1, "tcp"); }
		| TCPFIN word			{ put1(ps, AST_S_TCPFIN, &$2, &@1, "tcpfin"); }
		| UDP word			{ put1(ps, AST_S_UDP, &$2, &@1, "udp"); }
		;

upnp_opts	: %empty
		| upnp_opts EXT word		{ put1(ps, AST_S_EXT, &$3, &@2, "ext"); }
		| upnp_opts PORTS list		{ put(ps, AST_S_PORTS, &$3, &@2, "ports"); }
		| upnp_opts ALLOW list		{ put(ps, AST_S_SOURCES, &$3, &@2, "allow"); }
		;

onoff		: word
		| ON		{ $$ = mkword(AST_WORD, "on", &@1); }
		| OFF		{ $$ = mkword(AST_WORD, "off", &@1); }
		;

%%

static void yyerror(YYLTYPE *loc, yyscan_t scanner, struct masq_parse *ps, const char *msg)
{
	(void)scanner;
	masq_count_error(ps);
	diag_error(loc, "%s", msg);
}

static struct ast_word mkword(enum ast_word_kind kind, const char *text, const struct loc *loc)
{
	struct ast_word w = {.kind = kind, .text = text, .loc = *loc};

	return w;
}

static bool pending_has(struct masq_parse *ps, enum ast_slot slot, const struct loc *kw_loc,
			const char *kw)
{
	if (!ast_get(&ps->pending.st, slot))
		return false;
	masq_count_error(ps);
	diag_error(kw_loc, "'%s' is given twice in one statement", kw);
	return true;
}

/* Move the list *l into the pending statement's @slot. */
static void put(struct masq_parse *ps, enum ast_slot slot, struct ast_list *l,
		const struct loc *kw_loc, const char *kw)
{
	if (pending_has(ps, slot, kw_loc, kw))
		return;
	*ast_slot(&ps->pending.st, slot) = *l;
}

static void put1(struct masq_parse *ps, enum ast_slot slot, struct ast_word *w,
		 const struct loc *kw_loc, const char *kw)
{
	if (pending_has(ps, slot, kw_loc, kw))
		return;
	ast_list_push(ps->file, ast_slot(&ps->pending.st, slot), w);
}

static void set_flag(struct masq_parse *ps, enum ast_flag flag, const struct loc *loc,
		     const char *kw)
{
	if (ps->pending.st.flags & flag) {
		masq_count_error(ps);
		diag_error(loc, "'%s' is given twice in one statement", kw);
		return;
	}
	ps->pending.st.flags |= flag;
	ps->pending.st.flag_loc = *loc;
}

/* Move the pending statement into the file, unless it lacks a required part. */
static void commit(struct masq_parse *ps, enum ast_kind kind, const struct loc *loc)
{
	struct ast_stmt *st = &ps->pending.st;
	unsigned before = diag_error_count();

	st->kind = kind;
	st->loc = *loc;
	if (!ast_check_stmt(st)) {
		ps->errors += diag_error_count() - before;
		ps->file->lost_decl |= ast_kind_declares(kind);
	} else {
		ast_file_add(ps->file, st);
	}
	st->n_fields = 0;
	st->flags = 0;
}

/* How a token is named in "expected ..." lists. */
static void symbol_desc(yysymbol_kind_t sym, char *buf, size_t size)
{
	const char *name = yysymbol_name(sym);

	switch (sym) {
	case YYSYMBOL_WORD:
	case YYSYMBOL_STRING:
	case YYSYMBOL_VAR:
		snprintf(buf, size, "a value");
		return;
	default:
		break;
	}
	if (masq_keyword_token(name))
		snprintf(buf, size, "'%s'", name);
	else
		snprintf(buf, size, "%s", name);
}

/* How the token in @t is quoted in a message. */
static void token_desc(yysymbol_kind_t sym, const struct masq_token *t, char *buf, size_t size)
{
	if (sym == YYSYMBOL_EOL && t->text[0] != ';')
		snprintf(buf, size, "%s", t->text);
	else if (sym == YYSYMBOL_STRING)
		snprintf(buf, size, "%s", t->text);
	else
		snprintf(buf, size, "'%s'", t->text);
}

/* "a, b or c" from the expected tokens, each named once. */
static void expected_list(const yysymbol_kind_t *exp, int n, struct strbuf *sb)
{
	char desc[YYNTOKENS][32];
	int i, j, m = 0;

	for (i = 0; i < n; i++) {
		symbol_desc(exp[i], desc[m], sizeof(desc[m]));
		for (j = 0; j < m && strcmp(desc[j], desc[m]) != 0; j++)
			;
		if (j == m)
			m++;
	}
	for (i = 0; i < m; i++) {
		if (i)
			sb_add(sb, i == m - 1 ? " or " : ", ");
		sb_add(sb, desc[i]);
	}
}

static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner,
				 struct masq_parse *ps)
{
	yysymbol_kind_t la = yypcontext_token(ctx), exp[YYNTOKENS];
	const struct loc *loc = yypcontext_location(ctx);
	int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS), i;
	const char *kws[YYNTOKENS], *hint = NULL;
	bool want_value = false, want_stmt = false, la_kw;
	char tok[MASQ_TOKEN_ECHO + 8];
	struct strbuf sb = {0};
	size_t nkw = 0;

	(void)scanner;
	if (la == YYSYMBOL_LEXERR)
		return 0; /* the scanner has said what is wrong */
	masq_count_error(ps);
	for (i = 0; i < n; i++) {
		if (exp[i] == YYSYMBOL_WORD)
			want_value = true;
		if (exp[i] == YYSYMBOL_DEFINE)
			want_stmt = true;
		if (masq_keyword_token(yysymbol_name(exp[i])))
			kws[nkw++] = yysymbol_name(exp[i]);
	}
	la_kw = la != YYSYMBOL_EOL && la != YYSYMBOL_STRING && la != YYSYMBOL_VAR &&
		masq_keyword_token(ps->cur.text);
	if (la == YYSYMBOL_WORD || la_kw)
		hint = suggest(ps->cur.text, kws, nkw, sizeof(kws[0]));
	token_desc(la, &ps->cur, tok, sizeof(tok));
	if (want_stmt && la == YYSYMBOL_WORD && hint)
		diag_error(loc, "unknown statement %s; did you mean '%s'?", tok, hint);
	else if (want_stmt && la == YYSYMBOL_WORD)
		diag_error(loc, "unknown statement %s", tok);
	else if (want_stmt && la_kw)
		diag_error(loc, "%s does not start a statement", tok);
	else if (want_stmt)
		diag_error(loc, "a statement starts with its keyword, not %s", tok);
	else if (want_value && la_kw)
		diag_error(loc, "expected a value, found keyword %s (a value that is a keyword "
			   "is written in double quotes: \"%s\")", tok, ps->cur.text);
	else if (want_value && la == YYSYMBOL_EOL)
		diag_error(&ps->prev.loc, "missing value after '%s'", ps->prev.text);
	else if (n == 1 && nkw == 1 && la == YYSYMBOL_EOL)
		diag_error(&ps->prev.loc, "missing '%s' after '%s'", kws[0], ps->prev.text);
	else if (hint)
		diag_error(loc, "unexpected %s; did you mean '%s'?", tok, hint);
	else {
		expected_list(exp, n, &sb);
		if (sb.len)
			diag_error(loc, "unexpected %s, expected %s", tok, sb.buf);
		else
			diag_error(loc, "unexpected %s", tok);
		sb_free(&sb);
	}
	return 0;
}

/*
 * The lines of @text: at most one statement each, mostly (';' adds more).
 * Pages of the array that stay unused are never touched, so reserving
 * them costs no memory; past the value limit no policy is that long.
 */
static size_t line_count(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	size_t n = 1;

	while (n < AST_MAX_WORDS && (p = memchr(p, '\n', (size_t)(end - p)))) {
		p++;
		n++;
	}
	return n;
}

struct ast_file *ast_parse_masq(const struct diag_source *src)
{
	struct masq_parse ps = {.src = src, .line = 1, .col = 1, .at_eol = true};
	YY_BUFFER_STATE buf;
	const char *text;
	yyscan_t scanner;
	size_t len;

	ps.file = ast_file_new(src);
	ps.pending.st.field = ps.pending.field;
	text = diag_source_text(src, &len);
	ast_file_reserve(ps.file, line_count(text, len));
	if (yylex_init_extra(&ps, &scanner) != 0) {
		diag_error(NULL, "cannot start the scanner");
		return ps.file;
	}
	buf = yy_scan_bytes(text, (int)len, scanner);
	yyparse(scanner, &ps);
	yy_delete_buffer(buf, scanner);
	yylex_destroy(scanner);
	return ps.file;
}
