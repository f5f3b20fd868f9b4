// SPDX-License-Identifier: GPL-2.0-or-later
/* ast.c - the parsed policy: slots, the statement syntax table, the arena */
#include "ast.h"
#include "ast_syntax.h"
#include "diag.h"
#include "util.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOT(s, k, y, o) {.slot = (s), .kw = (k), .key = (y), .opts = (o)}
#define FLAG(f, k, y, o) {.flag = (f), .kw = (k), .key = (y), .opts = AST_P_FLAG | (o)}
#define REQ AST_P_REQUIRED
#define LST AST_P_LIST

const struct ast_syntax ast_syntax[AST_KIND_COUNT] = {
	[AST_DEFINE] = {"define", {
		SLOT(AST_S_NAME, NULL, "name", REQ),
		SLOT(AST_S_VALUE, "=", "value", REQ | LST),
	}, 2},
	[AST_INCLUDE] = {"include", {
		SLOT(AST_S_PATH, NULL, NULL, REQ),
	}, 1},
	[AST_EXTERNAL] = {"external", {
		SLOT(AST_S_IFACE, NULL, "interface", REQ),
		FLAG(AST_F_DYNAMIC, "dynamic", "dynamic", 0),
		SLOT(AST_S_ADDRESS, "address", "address", 0),
		SLOT(AST_S_VIRTUAL, "virtual", "virtual", 0),
	}, 4},
	[AST_INTERNAL] = {"internal", {
		SLOT(AST_S_IFACE, NULL, "interface", REQ),
		SLOT(AST_S_NETWORKS, NULL, "networks", REQ | LST),
		SLOT(AST_S_VIRTUAL, "virtual", "virtual", 0),
	}, 3},
	[AST_PASSTHROUGH] = {"passthrough", {
		SLOT(AST_S_IFACES, NULL, NULL, REQ | LST),
	}, 1},
	[AST_IPV6] = {"ipv6", {
		{.slot = AST_S_MODE, .accepts = "firewall", .opts = REQ},
	}, 1},
	[AST_MASQUERADE] = {"masquerade", {
		SLOT(AST_S_SOURCES, NULL, "sources", REQ | LST),
		SLOT(AST_S_ON, "on", "interface", 0),
		SLOT(AST_S_TO, "to", "to", 0),
	}, 3},
	[AST_FORWARD] = {"forward", {
		{.slot = AST_S_PROTO, .key = "proto", .accepts = "tcp udp", .opts = REQ},
		SLOT(AST_S_PORTS, NULL, "ports", LST),
		SLOT(AST_S_ON, "on", "interface", 0),
		SLOT(AST_S_FROM, "from", "from", LST),
		SLOT(AST_S_TO, "to", "to", REQ),
		SLOT(AST_S_LIMIT, "limit", "limit", 0),
		SLOT(AST_S_BURST, "burst", "burst", 0),
		FLAG(AST_F_PER_SOURCE, "per-source", "per_source", 0),
		FLAG(AST_F_NOREFLECT, "noreflect", "reflect", AST_P_INVERT),
	}, 9},
	[AST_NAT] = {"nat", {
		SLOT(AST_S_PUBLIC, NULL, "public", REQ),
		SLOT(AST_S_PRIVATE, "to", "private", REQ),
		SLOT(AST_S_ON, "on", "interface", 0),
	}, 3},
	[AST_HELPER] = {"helper", {
		SLOT(AST_S_NAMES, NULL, "names", REQ | LST),
		SLOT(AST_S_PORTS, "ports", "ports", LST),
	}, 2},
	[AST_FIREWALL] = {"firewall", {
		SLOT(AST_S_LEVEL, NULL, NULL, REQ),
	}, 1},
#define RULE(name) {name, {                                                                 \
		{.slot = AST_S_CHAIN, .key = "chain", .accepts = "input forward output"},    \
		{.slot = AST_S_PROTO, .key = "proto", .accepts = "tcp udp"},                  \
		SLOT(AST_S_PORTS, NULL, "ports", LST),                                        \
		SLOT(AST_S_FROM, "from", "from", LST),                                        \
		FLAG(AST_F_NOT_FROM, "!", "not_from", AST_P_NEGATES),                         \
		SLOT(AST_S_TO, "to", "to", LST),                                              \
		FLAG(AST_F_NOT_TO, "!", "not_to", AST_P_NEGATES),                             \
		SLOT(AST_S_ON, "on", "interface", 0),                                         \
		SLOT(AST_S_OUT, "out", "out", 0),                                             \
		SLOT(AST_S_LIMIT, "limit", "limit", 0),                                       \
		SLOT(AST_S_BURST, "burst", "burst", 0),                                       \
		FLAG(AST_F_PER_SOURCE, "per-source", "per_source", 0),                        \
		FLAG(AST_F_LOG, "log", "log", 0),                                             \
	}, 13}
	[AST_ALLOW] = RULE("allow"),
	[AST_DENY] = RULE("deny"),
	[AST_REJECT] = RULE("reject"),
#undef RULE
	[AST_LOG] = {"log", {
		FLAG(AST_F_OFF, "off", "catchall", AST_P_INVERT),
		SLOT(AST_S_LIMIT, "limit", "limit", 0),
		SLOT(AST_S_PREFIX, "prefix", "prefix", 0),
		SLOT(AST_S_LEVEL, "level", "level", 0),
	}, 4},
	[AST_CLAMP_MSS] = {"clamp-mss", {
		SLOT(AST_S_VALUE, NULL, NULL, 0),
	}, 1},
	[AST_TIMEOUTS] = {"timeouts", {
		SLOT(AST_S_TCP, "tcp", "tcp", 0),
		SLOT(AST_S_TCPFIN, "tcpfin", "tcpfin", 0),
		SLOT(AST_S_UDP, "udp", "udp", 0),
	}, 3},
	[AST_OPTION] = {"option", {
		SLOT(AST_S_NAME, NULL, "name", REQ),
		{.slot = AST_S_VALUE, .key = "value", .accepts = "on off",
		 .opts = REQ | AST_P_ONOFF},
	}, 2},
	[AST_CLUSTER] = {"cluster", {
		SLOT(AST_S_NAME, NULL, "name", REQ),
		SLOT(AST_S_PRIORITY, "priority", "priority", REQ),
		SLOT(AST_S_PEER, "peer", "peer", REQ),
		SLOT(AST_S_SYNC, "sync", "sync", REQ),
		SLOT(AST_S_ID, "id", "id", 0),
	}, 5},
	[AST_UPNP] = {"upnp", {
		SLOT(AST_S_ON, "on", "interface", REQ),
		SLOT(AST_S_EXT, "ext", "ext", 0),
		SLOT(AST_S_PORTS, "ports", "ports", LST),
		SLOT(AST_S_SOURCES, "allow", "allow", LST),
	}, 4},
	[AST_SET] = {"set", {
		SLOT(AST_S_NAME, NULL, "name", REQ),
		SLOT(AST_S_TIMEOUT, "timeout", "timeout", 0),
		SLOT(AST_S_VALUE, "=", "elements", LST),
	}, 3},
};

#undef SLOT
#undef FLAG
#undef REQ
#undef LST

const char *ast_kind_name(enum ast_kind kind)
{
	return kind < AST_KIND_COUNT ? ast_syntax[kind].name : "?";
}

bool ast_kind_declares(enum ast_kind kind)
{
	return kind == AST_DEFINE || kind == AST_INCLUDE || kind == AST_EXTERNAL ||
	       kind == AST_INTERNAL || kind == AST_PASSTHROUGH || kind == AST_CLUSTER ||
	       kind == AST_SET;
}

int ast_kind_find(const char *name)
{
	int k;

	for (k = 0; k < AST_KIND_COUNT; k++)
		if (strcmp(ast_syntax[k].name, name) == 0)
			return k;
	return -1;
}

/* How a missing part without a YAML key is named: its slot's role. */
static const char *part_name(const struct ast_part *p)
{
	static const char *const role[AST_SLOT_COUNT] = {
		[AST_S_NAME] = "a name", [AST_S_VALUE] = "a value", [AST_S_PATH] = "a path",
		[AST_S_IFACE] = "an interface", [AST_S_NETWORKS] = "its networks",
		[AST_S_IFACES] = "interfaces", [AST_S_MODE] = "a mode (firewall, block, open)",
		[AST_S_SOURCES] = "sources", [AST_S_PROTO] = "a protocol",
		[AST_S_PUBLIC] = "a public address", [AST_S_NAMES] = "helper names",
		[AST_S_LEVEL] = "a level (simple, strong)",
	};

	return role[p->slot] ? role[p->slot] : "a value";
}

bool ast_is_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

size_t ast_var_name_len(const char *text)
{
	return strcspn(text, ":");
}

bool ast_check_stmt(const struct ast_stmt *st)
{
	const struct ast_syntax *syn = &ast_syntax[st->kind];
	const struct ast_word *name = ast_get1(st, AST_S_NAME);
	bool ok = true;
	unsigned i;

	for (i = 0; i < syn->n; i++) {
		const struct ast_part *p = &syn->part[i];

		if (!(p->opts & AST_P_REQUIRED) || ast_get(st, p->slot))
			continue;
		/* .masq's grammar asks for positional parts itself: only keys are missed */
		if (p->key)
			diag_error(&st->loc, "'%s' needs '%s'", syn->name, p->key);
		else
			diag_error(&st->loc, "'%s' needs %s", syn->name, part_name(p));
		ok = false;
	}
	if (st->kind == AST_DEFINE && name && !ast_is_name(name->text)) {
		diag_error(&name->loc, "'%s' is not a valid define name: use letters, digits, "
			   "'_' and '-', starting with a letter or '_'", name->text);
		ok = false;
	}
	return ok;
}

const struct ast_list *ast_get(const struct ast_stmt *st, enum ast_slot slot)
{
	unsigned i;

	for (i = 0; i < st->n_fields; i++)
		if (st->field[i].slot == slot)
			return st->field[i].list.n ? &st->field[i].list : NULL;
	return NULL;
}

const struct ast_word *ast_get1(const struct ast_stmt *st, enum ast_slot slot)
{
	const struct ast_list *l = ast_get(st, slot);

	return l ? &l->v[0] : NULL;
}

void ast_build_init(struct ast_build *b, enum ast_kind kind, const struct loc *loc)
{
	memset(&b->st, 0, sizeof(b->st));
	b->st.kind = kind;
	b->st.loc = *loc;
	b->st.field = b->field;
}

struct ast_list *ast_slot(struct ast_stmt *st, enum ast_slot slot)
{
	struct ast_field *f;
	unsigned i;

	for (i = 0; i < st->n_fields; i++)
		if (st->field[i].slot == slot)
			return &st->field[i].list;
	if (st->n_fields == AST_MAX_FIELDS) {
		diag_error(NULL, "internal error: too many slots in one statement");
		abort();
	}
	f = &st->field[st->n_fields++];
	memset(f, 0, sizeof(*f));
	f->slot = slot;
	return &f->list;
}

/* A piece of a file's arena; data follows. */
struct ast_chunk {
	struct ast_chunk *next;
	size_t size;
	max_align_t data[];
};

#define AST_CHUNK (64u << 10)

/*
 * @size bytes at a multiple of @align (a power of two) in @f's arena. The
 * AST's structs hold nothing more aligned than a pointer, and text needs
 * no alignment: a word's text takes its length and one byte.
 */
static void *arena_take(struct ast_file *f, size_t size, size_t align)
{
	struct ast_chunk *c;
	size_t at, n;

	if (!size) /* a statement without fields: a place all the same */
		size = 1;
	at = (f->chunk_used + align - 1) & ~(align - 1);
	if (!f->chunks || at > f->chunks->size || size > f->chunks->size - at) {
		n = size > AST_CHUNK / 4 ? size : AST_CHUNK;
		c = xmalloc(sizeof(*c) + n);
		c->size = n;
		if (n == size && f->chunks) {
			/* a big piece gets its own chunk, behind the one being filled */
			c->next = f->chunks->next;
			f->chunks->next = c;
			return c->data;
		}
		c->next = f->chunks;
		f->chunks = c;
		at = 0;
	}
	f->chunk_used = at + size;
	return (char *)f->chunks->data + at;
}

void *ast_alloc(struct ast_file *f, size_t size)
{
	return arena_take(f, size, _Alignof(void *));
}

const char *ast_strndup(struct ast_file *f, const char *s, size_t len)
{
	char *p = arena_take(f, len + 1, 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void ast_list_push(struct ast_file *f, struct ast_list *l, const struct ast_word *w)
{
	struct ast_word *v;

	if (l->n == l->cap) {
		/* the old array stays in the arena: at most as much again is wasted */
		l->cap = l->cap ? l->cap * 2 : 1;
		v = ast_alloc(f, l->cap * sizeof(*v));
		if (l->n)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
	}
	l->v[l->n++] = *w;
}

void ast_list_add(struct ast_file *f, struct ast_list *l, enum ast_word_kind kind,
		  const char *text, const struct loc *loc)
{
	struct ast_word w = {.kind = kind, .text = ast_strndup(f, text, strlen(text)),
			     .loc = *loc};

	ast_list_push(f, l, &w);
}

void ast_file_add(struct ast_file *f, const struct ast_stmt *st)
{
	struct ast_stmt *o = VEC_PUSH(f->stmts, f->n, f->cap);

	if (st->kind == AST_DEFINE || st->kind == AST_INCLUDE)
		f->expands = true;
	*o = *st;
	o->field = ast_alloc(f, st->n_fields * sizeof(*st->field));
	memcpy(o->field, st->field, st->n_fields * sizeof(*st->field));
}

void ast_file_reserve(struct ast_file *f, size_t n)
{
	util_grow(&f->stmts, &f->cap, f->n + n, sizeof(*f->stmts));
}

struct ast_file *ast_file_new(const struct diag_source *src)
{
	struct ast_file *f = xcalloc(1, sizeof(*f));

	f->src = src;
	f->path = xstrdup(diag_source_path(src));
	return f;
}

void ast_file_free(struct ast_file *f)
{
	struct ast_chunk *c;
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++)
		ast_file_free(f->stmts[i].included);
	while ((c = f->chunks)) {
		f->chunks = c->next;
		free(c);
	}
	free(f->stmts);
	free(f->path);
	free(f);
}

