/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ast.h - a parsed policy, the same for .masq (grammar/) and YAML
 * (yaml_load.c); ast_load.h reads a policy's files into it.
 *
 * The parser does not interpret values: every value is a word with its
 * location (its text and the file's arrays live in the file's arena, freed
 * with the file), and each statement keeps its words in named slots. eval.c gives
 * the words their meaning by slot (an address, a port, an interface...), so
 * "-" and "/" are read by what the statement expects at that place, and the
 * same checks serve both input formats. The printers (ast_print.c) are
 * table driven over the same slots.
 */
#ifndef MASQGEN_AST_H
#define MASQGEN_AST_H

#include "diag.h"

#include <stdbool.h>
#include <stddef.h>

/* At most this many values (words) in a policy with its $names expanded. */
#define AST_MAX_WORDS 1000000u

enum ast_word_kind {
	AST_WORD,	/* bare word: 192.168.0.1/24, ppp0, 27960-27963, tcp/udp */
	AST_STRING,	/* "double quoted"; text without the quotes */
	AST_VAR,	/* $name or $name:PORT; text is that without the $ */
};

struct ast_word {
	enum ast_word_kind kind;
	const char *text;	/* in an arena (see struct ast_file) or static */
	struct loc loc;
};

/* A value: one word, or a list written "a, b" or "{ a, b }". */
struct ast_list {
	struct ast_word *v;	/* in the file's arena */
	unsigned n;		/* at most AST_MAX_WORDS */
	unsigned cap : 31;	/* (a bit field: a statement's fields stay 24 bytes) */
	unsigned braced : 1;	/* written with { } (kept for printing) */
};

enum ast_kind {
	AST_DEFINE,
	AST_INCLUDE,
	AST_EXTERNAL,
	AST_INTERNAL,
	AST_PASSTHROUGH,
	AST_IPV6,
	AST_MASQUERADE,
	AST_FORWARD,
	AST_NAT,
	AST_HELPER,
	AST_FIREWALL,
	AST_ALLOW,
	AST_DENY,
	AST_REJECT,
	AST_LOG,
	AST_CLAMP_MSS,
	AST_TIMEOUTS,
	AST_OPTION,
	AST_CLUSTER,
	AST_UPNP,
	AST_SET,
	AST_KIND_COUNT
};

/*
 * Where a statement keeps its words. A slot is absent when its list is
 * empty (n == 0). Which slots each kind uses:
 *
 *   define      NAME (1), VALUE (list)
 *   include     PATH (1, a string)
 *   external    IFACE (1), ADDRESS (1), VIRTUAL (1); flag DYNAMIC when "dynamic" written
 *   internal    IFACE (1), NETWORKS (list), VIRTUAL (1)
 *   passthrough IFACES (list)
 *   ipv6        MODE (1: firewall|block|open)
 *   masquerade  SOURCES (list), ON (1), TO (1)
 *   forward     PROTO (1), PORTS (list), ON (1), FROM (list), TO (1: HOST[:PORT[-PORT]]),
 *               LIMIT (1: RATE), BURST (1); flags NOREFLECT, PER_SOURCE
 *   nat         PUBLIC (1), PRIVATE (1), ON (1)
 *   helper      NAMES (list), PORTS (list)
 *   firewall    LEVEL (1)
 *   allow/deny/reject
 *               CHAIN (1), PROTO (1), PORTS (list; ICMP types when PROTO is icmp),
 *               FROM (list), TO (list), ON (1), OUT (1: forward only), LIMIT (1:
 *               RATE), BURST (1); flags LOG, NOT_FROM, NOT_TO (`!` before the FROM
 *               or TO list), PER_SOURCE
 *   log         LIMIT (1), PREFIX (1), LEVEL (1); flag OFF for "log off"
 *   clamp-mss   VALUE (1: pmtu or BYTES; absent means pmtu)
 *   timeouts    TCP (1), TCPFIN (1), UDP (1)
 *   option      NAME (1), VALUE (1)
 *   cluster     NAME (1), PRIORITY (1), PEER (1), SYNC (1), ID (1)
 *   upnp        ON (1), EXT (1), PORTS (list: one range), SOURCES (list: `allow`)
 *   set         NAME (1), TIMEOUT (1), VALUE (list: the initial elements)
 */
enum ast_slot {
	AST_S_NAME,
	AST_S_VALUE,
	AST_S_PATH,
	AST_S_IFACE,
	AST_S_ADDRESS,
	AST_S_NETWORKS,
	AST_S_IFACES,
	AST_S_MODE,
	AST_S_SOURCES,
	AST_S_ON,
	AST_S_OUT,
	AST_S_TO,
	AST_S_PROTO,
	AST_S_PORTS,
	AST_S_FROM,
	AST_S_PUBLIC,
	AST_S_PRIVATE,
	AST_S_NAMES,
	AST_S_LEVEL,
	AST_S_CHAIN,
	AST_S_LIMIT,
	AST_S_BURST,
	AST_S_PREFIX,
	AST_S_TCP,
	AST_S_TCPFIN,
	AST_S_UDP,
	AST_S_VIRTUAL,
	AST_S_PRIORITY,
	AST_S_PEER,
	AST_S_SYNC,
	AST_S_ID,
	AST_S_EXT,
	AST_S_TIMEOUT,
	AST_SLOT_COUNT
};

enum ast_flag {
	AST_F_DYNAMIC = 1 << 0,
	AST_F_NOREFLECT = 1 << 1,
	AST_F_LOG = 1 << 2,
	AST_F_OFF = 1 << 3,
	AST_F_NOT_FROM = 1 << 4,	/* from ! LIST */
	AST_F_NOT_TO = 1 << 5,		/* to ! LIST */
	AST_F_PER_SOURCE = 1 << 6,	/* limit ... per-source */
};

/* At most this many slots are used by any one statement kind. */
#define AST_MAX_FIELDS 9

struct ast_field {
	enum ast_slot slot;
	struct ast_list list;
};

struct ast_file;

/*
 * A statement. Its fields are an array in the file's arena, as many as it
 * uses; one being built (struct ast_build) has room for AST_MAX_FIELDS.
 */
struct ast_stmt {
	enum ast_kind kind;
	unsigned flags;			/* enum ast_flag */
	unsigned n_fields;
	struct loc loc;			/* the statement's keyword */
	struct loc flag_loc;		/* where the (last) flag word stands */
	struct ast_field *field;
	struct ast_file *included;	/* AST_INCLUDE: the file, once loaded; owned */
};

/* A statement being built, with room for every field it may get. */
struct ast_build {
	struct ast_stmt st;
	struct ast_field field[AST_MAX_FIELDS];
};

struct ast_chunk;

/*
 * One policy file: its statements in order. Words, their text and every
 * array of a statement come from the file's arena, a list of chunks freed
 * at once with the file (a parse makes millions of small pieces).
 */
struct ast_file {
	const struct diag_source *src;
	char *path;			/* as opened; owned */
	struct ast_stmt *stmts;		/* owned */
	size_t n, cap;
	struct ast_chunk *chunks;	/* the arena */
	size_t chunk_used;		/* bytes taken from the first chunk */
	/*
	 * An error lost a statement that may declare an interface or a name
	 * (here or in an include): the other statements' meaning is then
	 * unknown, so they are not evaluated (their errors would be guesses).
	 */
	bool lost_decl;
	/* it holds a define, an include or a $name: ast_flatten() has work */
	bool expands;
};

/* Do other statements depend on a statement of @kind (define, include, interfaces, cluster)? */
bool ast_kind_declares(enum ast_kind kind);

/* The keyword that starts a statement of @kind ("clamp-mss"). */
const char *ast_kind_name(enum ast_kind kind);

/* The slot's list in @st, or NULL when the slot is absent. */
const struct ast_list *ast_get(const struct ast_stmt *st, enum ast_slot slot);
/* The slot's first word, or NULL when absent. */
const struct ast_word *ast_get1(const struct ast_stmt *st, enum ast_slot slot);

/* Start building a statement of @kind at @loc in @b. */
void ast_build_init(struct ast_build *b, enum ast_kind kind, const struct loc *loc);
/* The slot's list in a statement being built, created empty if absent. */
struct ast_list *ast_slot(struct ast_stmt *st, enum ast_slot slot);

/* @size bytes (aligned for any AST struct) from @f's arena. */
void *ast_alloc(struct ast_file *f, size_t size);
/* The first @len bytes of @s, NUL-terminated, in @f's arena. */
const char *ast_strndup(struct ast_file *f, const char *s, size_t len);

/* Append @w to @l, its text as it is (it must live as long as @f). */
void ast_list_push(struct ast_file *f, struct ast_list *l, const struct ast_word *w);
/* Append a word with a copy of @text (in @f's arena). */
void ast_list_add(struct ast_file *f, struct ast_list *l, enum ast_word_kind kind,
		  const char *text, const struct loc *loc);

/* Append a copy of statement @st (its fields copied into @f's arena). */
void ast_file_add(struct ast_file *f, const struct ast_stmt *st);

/* Length of the name in an AST_VAR's text (the part before ':PORT'). */
size_t ast_var_name_len(const char *text);

/*
 * Make room for @n statements in @f at once (so the array is neither
 * copied as it grows nor left half empty).
 */
void ast_file_reserve(struct ast_file *f, size_t n);

/* Free @f and everything it owns, included files too. */
void ast_file_free(struct ast_file *f);

/*
 * A new file with every include inlined and every $name expanded, define
 * statements dropped: what eval reads. Its words' text is @f's (and the
 * result's own for $name:PORT): free the result before @f. A $name expands to the define's
 * words (a list splices into the list it stands in); expanded words keep
 * the location of the define's value ($name:PORT: of the use). An undefined
 * name, or one used before its define, is an error reported here, and its
 * statement is left out (lost_decl set when it declares). Expansion stops
 * with an error past AST_MAX_WORDS values. The caller owns the result.
 */
struct ast_file *ast_flatten(const struct ast_file *f);

/*
 * Print @f (not its included files) as .masq or YAML text into a
 * caller-owned, NUL-terminated string. Comments are not kept.
 */
char *ast_print_masq(const struct ast_file *f);
char *ast_print_yaml(const struct ast_file *f);

#endif
