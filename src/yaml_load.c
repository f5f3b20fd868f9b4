// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * yaml_load.c - a YAML policy into the same AST as .masq. The policy is a
 * list of one-key mappings (statement: fields); ast_syntax[] says which key
 * fills which slot, so this file holds no per-statement code beyond the
 * two YAML-only keys (to_ports folds into forward's TO, types is the ICMP
 * name of a rule's ports).
 */
#include "ast.h"
#include "ast_syntax.h"
#include "diag.h"
#include "suggest.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* Longest YAML value taken, in bytes (as for a quoted .masq string). */
#define YL_MAX_VALUE 1024

struct yl {
	const struct diag_source *src;
	yaml_document_t *doc;
	struct ast_file *file;
	size_t words;		/* values taken; aliases can repeat a list many times */
};

static struct loc yl_loc(const struct yl *y, const yaml_node_t *n)
{
	struct loc loc = {.src = y->src, .line = (unsigned)n->start_mark.line + 1,
			  .col = (unsigned)n->start_mark.column + 1, .len = 1};

	if (n->end_mark.line == n->start_mark.line &&
	    n->end_mark.column > n->start_mark.column)
		loc.len = (unsigned)(n->end_mark.column - n->start_mark.column);
	return loc;
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

bool ast_yaml_null(const char *s)
{
	return !*s || strcmp(s, "~") == 0 || strcasecmp(s, "null") == 0;
}

int ast_yaml_bool(const char *s)
{
	static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

static bool is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool is_null(const yaml_node_t *n)
{
	return is_plain(n) && ast_yaml_null(scalar(n));
}

static int yl_bool(const yaml_node_t *n)
{
	return is_plain(n) ? ast_yaml_bool(scalar(n)) : -1;
}

static const char *node_kind(const yaml_node_t *n)
{
	return n->type == YAML_MAPPING_NODE ? "a mapping" :
	       n->type == YAML_SEQUENCE_NODE ? "a list" : "a value";
}

/* NAME or NAME:PORT (what follows '$'). */
static bool is_var(const char *s)
{
	size_t len = ast_var_name_len(s);
	char *name = xstrndup(s, len);
	bool ok = ast_is_name(name) && (!s[len] || s[len + 1]);

	free(name);
	return ok;
}

/*
 * Is scalar @n free of NUL and control characters (C0, DEL, C1)? Else the
 * error, which does not quote it: a message must not carry a terminal
 * escape. @key names the value's key; NULL: @n is a key itself.
 */
static bool yl_text(const struct yl *y, const yaml_node_t *n, const char *key)
{
	const unsigned char *p = n->data.scalar.value;
	const unsigned char *end = p + n->data.scalar.length;
	struct loc loc = yl_loc(y, n);
	unsigned c;

	for (; p < end; p++) {
		if (*p < 0x20 || *p == 0x7f)
			break;
		if (*p == 0xc2 && p + 1 < end && p[1] >= 0x80 && p[1] <= 0x9f) {
			p++; /* U+0080-U+009F: the code point is the second byte */
			break;
		}
	}
	if (p == end)
		return true;
	c = *p;
	if (!c && key)
		diag_error(&loc, "NUL byte in the value of '%s'", key);
	else if (!c)
		diag_error(&loc, "NUL byte in a key");
	else if (key)
		diag_error(&loc, "control character 0x%02x in the value of '%s'", c, key);
	else
		diag_error(&loc, "control character 0x%02x in a key", c);
	return false;
}

/* Add scalar @n to @l as a word: plain and 'single' words, "double" strings, $names. */
static bool yl_word(struct yl *y, const yaml_node_t *n, const char *key, bool onoff,
		    struct ast_list *l)
{
	struct loc loc = yl_loc(y, n);
	const char *s;
	enum ast_word_kind kind = AST_WORD;
	int b = onoff ? yl_bool(n) : -1;

	if (n->type != YAML_SCALAR_NODE) {
		diag_error(&loc, "'%s' takes a value, not %s", key, node_kind(n));
		return false;
	}
	if (y->words == AST_MAX_WORDS) {
		y->words++;
		diag_error(&loc, "the policy holds more than %u values (an alias used too often?)",
			   AST_MAX_WORDS);
	}
	if (y->words > AST_MAX_WORDS) {
		y->file->lost_decl = true;
		return false;
	}
	y->words++;
	if (b >= 0) {
		ast_list_add(y->file, l, AST_WORD, b ? "on" : "off", &loc);
		return true;
	}
	if (is_null(n)) {
		diag_error(&loc, "missing value for '%s'", key);
		return false;
	}
	s = scalar(n);
	if (n->data.scalar.length > YL_MAX_VALUE) {
		diag_error(&loc, "the value of '%s' is too long (%zu bytes, at most %d)", key,
			   n->data.scalar.length, YL_MAX_VALUE);
		return false;
	}
	if (!yl_text(y, n, key))
		return false;
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && s[0] == '$') {
		if (!is_var(s + 1)) {
			diag_error(&loc, "'%s' is not a $name: a $name starts with a letter or "
				   "'_' and stands alone as a value or as $name:PORT", s);
			return false;
		}
		kind = AST_VAR;
		s++;
		y->file->expands = true;
	} else if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
		   n->data.scalar.style != YAML_SINGLE_QUOTED_SCALAR_STYLE) {
		kind = AST_STRING;
	}
	ast_list_add(y->file, l, kind, s, &loc);
	return true;
}

/* A value or a list of values into @l. */
static bool yl_list(struct yl *y, const yaml_node_t *n, const char *key, bool onoff,
		    struct ast_list *l)
{
	yaml_node_item_t *it;
	bool ok = true;

	if (n->type != YAML_SEQUENCE_NODE)
		return yl_word(y, n, key, onoff, l);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const yaml_node_t *e = yaml_document_get_node(y->doc, *it);
		struct loc loc = yl_loc(y, e);

		if (e->type != YAML_SCALAR_NODE) {
			diag_error(&loc, "'%s' takes a list of values, not a list of %s", key,
				   e->type == YAML_MAPPING_NODE ? "mappings" : "lists");
			ok = false;
			continue;
		}
		ok &= yl_word(y, e, key, onoff, l);
	}
	if (ok && !l->n) {
		struct loc loc = yl_loc(y, n);

		diag_error(&loc, "'%s' is an empty list", key);
		ok = false;
	}
	return ok;
}

/* Put @n into the slot of part @p of @st. */
static bool yl_part(struct yl *y, struct ast_stmt *st, const struct ast_part *p,
		    const char *key, const yaml_node_t *n)
{
	struct loc loc = yl_loc(y, n);
	int b;

	if (p->opts & AST_P_FLAG) {
		b = yl_bool(n);
		if (b < 0 && n->type == YAML_SCALAR_NODE && !yl_text(y, n, key))
			return false;
		if (b < 0) {
			diag_error(&loc, "'%s' is true or false, not '%s'", key,
				   n->type == YAML_SCALAR_NODE ? scalar(n) : node_kind(n));
			return false;
		}
		if (b != !!(p->opts & AST_P_INVERT)) {
			st->flags |= p->flag;
			st->flag_loc = loc;
		}
		return true;
	}
	if (p->opts & AST_P_LIST)
		return yl_list(y, n, key, p->opts & AST_P_ONOFF, ast_slot(st, p->slot));
	return yl_word(y, n, key, p->opts & AST_P_ONOFF, ast_slot(st, p->slot));
}

/* to_ports: HOST becomes HOST:PORTS in forward's TO. */
static bool yl_to_ports(struct yl *y, struct ast_stmt *st, const yaml_node_t *n)
{
	struct ast_list ports = {0};
	struct ast_list *to = ast_slot(st, AST_S_TO);
	struct loc loc = yl_loc(y, n);
	char *joined;

	if (!yl_word(y, n, "to_ports", false, &ports))
		return false;
	if (ports.v[0].kind == AST_VAR) {
		diag_error(&loc, "'to_ports' cannot be a $name: write the port");
	} else if (!to->n) {
		diag_error(&loc, "'to_ports' needs 'to'");
	} else if (strchr(to->v[0].text, ':')) {
		diag_error(&loc, "'to' already has a port; drop 'to_ports'");
	} else {
		joined = xasprintf("%s:%s", to->v[0].text, ports.v[0].text);
		to->v[0].text = ast_strndup(y->file, joined, strlen(joined));
		free(joined);
		return true;
	}
	return false;
}

/* Keys of kind @k (with its YAML-only ones) for "did you mean". */
static size_t yl_keys(enum ast_kind k, const char **keys)
{
	const struct ast_syntax *syn = &ast_syntax[k];
	size_t n = 0;
	unsigned i;

	for (i = 0; i < syn->n; i++)
		if (syn->part[i].key)
			keys[n++] = syn->part[i].key;
	if (k == AST_FORWARD)
		keys[n++] = "to_ports";
	if (k == AST_ALLOW || k == AST_DENY || k == AST_REJECT)
		keys[n++] = "types";
	return n;
}

static bool yl_mapping(struct yl *y, struct ast_stmt *st, const yaml_node_t *map)
{
	const struct ast_syntax *syn = &ast_syntax[st->kind];
	const char *keys[AST_MAX_PARTS + 2], *hint;
	const yaml_node_t *to_ports = NULL;
	yaml_node_pair_t *pair;
	unsigned seen = 0, i;
	size_t n_keys = yl_keys(st->kind, keys);
	bool ok = true;

	for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
		const yaml_node_t *k = yaml_document_get_node(y->doc, pair->key);
		const yaml_node_t *v = yaml_document_get_node(y->doc, pair->value);
		struct loc kloc = yl_loc(y, k);
		const char *key;

		if (k->type != YAML_SCALAR_NODE) {
			diag_error(&kloc, "a key of '%s' is %s, not a name", syn->name,
				   node_kind(k));
			ok = false;
			continue;
		}
		if (!yl_text(y, k, NULL)) {
			ok = false;
			continue;
		}
		key = scalar(k);
		/* types is a rule's ports under its ICMP name */
		if (strcmp(key, "types") == 0 && n_keys > syn->n)
			key = "ports";
		for (i = 0; i < syn->n && !(syn->part[i].key && !strcmp(syn->part[i].key, key));
		     i++)
			;
		if (i == syn->n && st->kind == AST_FORWARD && strcmp(key, "to_ports") == 0) {
			if (to_ports) {
				diag_error(&kloc, "'to_ports' is given twice");
				ok = false;
			}
			to_ports = v;
			continue;
		}
		if (i == syn->n) {
			hint = suggest(key, keys, n_keys, sizeof(keys[0]));
			if (hint)
				diag_error(&kloc, "unknown key '%s' in '%s'; did you mean '%s'?",
					   key, syn->name, hint);
			else
				diag_error(&kloc, "unknown key '%s' in '%s'", key, syn->name);
			ok = false;
			continue;
		}
		if (seen & (1u << i)) {
			diag_error(&kloc, "'%s' is given twice", scalar(k));
			ok = false;
			continue;
		}
		seen |= 1u << i;
		if (is_null(v)) {
			diag_error(&kloc, "missing value for '%s'", scalar(k));
			ok = false;
			continue;
		}
		ok &= yl_part(y, st, &syn->part[i], scalar(k), v);
	}
	if (ok && to_ports)
		ok = yl_to_ports(y, st, to_ports);
	return ok;
}

/* One statement: @key names its kind, @val holds its fields. */
static void yl_stmt(struct yl *y, const yaml_node_t *key, const yaml_node_t *val)
{
	struct ast_build bst;
	struct ast_stmt *st = &bst.st;
	struct loc kloc = yl_loc(y, key);
	const struct ast_syntax *syn;
	const char *hint;
	int kind, b;
	bool ok;

	if (key->type != YAML_SCALAR_NODE) {
		diag_error(&kloc, "a statement starts with its keyword, not %s", node_kind(key));
		y->file->lost_decl = true;
		return;
	}
	if (!yl_text(y, key, NULL)) {
		y->file->lost_decl = true;
		return;
	}
	kind = ast_kind_find(scalar(key));
	if (kind < 0) {
		hint = suggest(scalar(key), ast_syntax, AST_KIND_COUNT, sizeof(ast_syntax[0]));
		if (hint)
			diag_error(&kloc, "unknown statement '%s'; did you mean '%s'?",
				   scalar(key), hint);
		else
			diag_error(&kloc, "unknown statement '%s'", scalar(key));
		y->file->lost_decl = true;
		return;
	}
	syn = &ast_syntax[kind];
	ast_build_init(&bst, (enum ast_kind)kind, &kloc);
	b = kind == AST_LOG ? yl_bool(val) : -1;
	if (b >= 0) {
		/* log: false is "log off", log: true is plain "log" */
		if (!b)
			st->flags = AST_F_OFF, st->flag_loc = yl_loc(y, val);
		ok = true;
	} else if (val->type == YAML_MAPPING_NODE && syn->part[0].key) {
		ok = yl_mapping(y, st, val);
	} else if (is_null(val)) {
		ok = true;
	} else if (!syn->part[0].key || (syn->part[0].opts & AST_P_LIST)) {
		ok = yl_part(y, st, &syn->part[0], syn->name, val);
	} else {
		struct loc vloc = yl_loc(y, val);

		diag_error(&vloc, "'%s' takes a mapping of its fields ('%s: {%s: ...}'), not %s",
			   syn->name, syn->name, syn->part[0].key, node_kind(val));
		ok = false;
	}
	if (ok && ast_check_stmt(st)) {
		ast_file_add(y->file, st);
		return;
	}
	y->file->lost_decl |= ast_kind_declares(st->kind);
}

static void yl_policy(struct yl *y, const yaml_node_t *root)
{
	struct loc loc = yl_loc(y, root);
	yaml_node_item_t *it;

	if (is_null(root))
		return;
	if (root->type != YAML_SEQUENCE_NODE) {
		diag_error(&loc, "a YAML policy is a list of statements ('- external: {...}'), "
			   "not %s", node_kind(root));
		y->file->lost_decl = true;
		return;
	}
	ast_file_reserve(y->file, (size_t)(root->data.sequence.items.top -
					   root->data.sequence.items.start));
	for (it = root->data.sequence.items.start; it < root->data.sequence.items.top; it++) {
		const yaml_node_t *n = yaml_document_get_node(y->doc, *it);
		yaml_node_pair_t *pair = NULL;

		loc = yl_loc(y, n);
		if (n->type == YAML_MAPPING_NODE)
			pair = n->data.mapping.pairs.start;
		if (!pair || n->data.mapping.pairs.top - pair != 1) {
			diag_error(&loc, "a statement is a mapping with one key, its keyword "
				   "('- firewall: strong'), not %s",
				   !pair ? node_kind(n) :
				   pair == n->data.mapping.pairs.top ? "an empty mapping" :
				   "a mapping of several keys");
			y->file->lost_decl = true;
			continue;
		}
		yl_stmt(y, yaml_document_get_node(y->doc, pair->key),
			yaml_document_get_node(y->doc, pair->value));
	}
}

/* Where libyaml's reader stopped: it reports a byte offset, not a mark. */
static struct loc offset_loc(const struct diag_source *src, size_t offset)
{
	struct loc loc = {.src = src, .line = 1, .col = 1, .len = 1};
	const char *text;
	size_t len, i;

	text = diag_source_text(src, &len);
	for (i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n')
			loc.line++, loc.col = 1;
		else
			loc.col++;
	}
	return loc;
}

static void yl_parse_error(const struct diag_source *src, const yaml_parser_t *p)
{
	struct loc loc = {.src = src, .line = (unsigned)p->problem_mark.line + 1,
			  .col = (unsigned)p->problem_mark.column + 1, .len = 1};

	if (p->error == YAML_READER_ERROR) {
		loc = offset_loc(src, p->problem_offset);
		if (p->problem_value >= 0)
			diag_error(&loc, "invalid YAML: %s (byte 0x%02x)", p->problem,
				   (unsigned)p->problem_value & 0xff);
		else
			diag_error(&loc, "invalid YAML: %s", p->problem);
	} else if (p->error == YAML_MEMORY_ERROR) {
		diag_error(&loc, "invalid YAML: out of memory");
	} else if (p->context) {
		struct loc ctx = {.src = src, .line = (unsigned)p->context_mark.line + 1,
				  .col = (unsigned)p->context_mark.column + 1, .len = 1};
		const char *what = p->context;

		if (strncmp(what, "while parsing ", 14) == 0)
			what += 14;
		diag_error(&loc, "invalid YAML: %s (%s)", p->problem, p->context);
		diag_note(&ctx, "%s starts here", what);
	} else {
		diag_error(&loc, "invalid YAML: %s", p->problem ? p->problem : "unknown error");
	}
}

struct ast_file *ast_parse_yaml(const struct diag_source *src)
{
	struct yl y = {.src = src};
	yaml_document_t doc, more;
	yaml_parser_t parser;
	yaml_node_t *root;
	const char *text;
	size_t len;

	y.file = ast_file_new(src);
	text = diag_source_text(src, &len);
	if (!yaml_parser_initialize(&parser)) {
		diag_error(NULL, "cannot start the YAML parser");
		return y.file;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yl_parse_error(src, &parser);
		y.file->lost_decl = true;
		goto out_parser;
	}
	y.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root) {
		yl_policy(&y, root);
		if (!yaml_parser_load(&parser, &more)) {
			yl_parse_error(src, &parser);
		} else {
			struct loc loc = {.src = src, .line = (unsigned)more.start_mark.line + 1,
					  .col = (unsigned)more.start_mark.column + 1, .len = 1};

			if (yaml_document_get_root_node(&more))
				diag_error(&loc, "a YAML policy is one document; this is a second");
			yaml_document_delete(&more);
		}
	}
	yaml_document_delete(&doc);
out_parser:
	yaml_parser_delete(&parser);
	return y.file;
}
