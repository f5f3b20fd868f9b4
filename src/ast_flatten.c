// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ast_flatten.c - one file with includes inlined and $names expanded, what
 * eval reads. A name must be defined before its use (in file order, an
 * include counting where it stands), and only once.
 */
#include "ast.h"
#include "ast_syntax.h"
#include "diag.h"
#include "suggest.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct flat_def {
	const char *name;		/* first: suggest() walks the names */
	struct loc loc;			/* its first define */
	bool defined;			/* its define has been passed */
	bool broken;			/* its value had an error: uses are dropped */
	struct ast_list value;		/* expanded, in the flat file's arena */
};

struct flat {
	struct ast_file *out;		/* the flat policy: its arena holds the lists */
	struct flat_def *defs;
	size_t n, cap;
	size_t *slots;			/* open addressing: index + 1, 0 empty */
	size_t n_slots;
	size_t stmts;			/* statements the flat policy will hold */
	size_t words;			/* in the flat policy and the defines' values */
	bool full;			/* AST_MAX_WORDS reached: expansion stopped */
};

static size_t flat_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return (size_t)h;
}

/* The def named by the first @len bytes of @name. */
static struct flat_def *flat_find_n(const struct flat *fl, const char *name, size_t len)
{
	const char *d;
	size_t i;

	if (!fl->n_slots)
		return NULL;
	for (i = flat_hash(name, len) & (fl->n_slots - 1); fl->slots[i];
	     i = (i + 1) & (fl->n_slots - 1)) {
		d = fl->defs[fl->slots[i] - 1].name;
		if (strncmp(d, name, len) == 0 && !d[len])
			return &fl->defs[fl->slots[i] - 1];
	}
	return NULL;
}

static struct flat_def *flat_find(const struct flat *fl, const char *name)
{
	return flat_find_n(fl, name, strlen(name));
}

static void flat_place(struct flat *fl, size_t idx)
{
	const char *name = fl->defs[idx].name;
	size_t j = flat_hash(name, strlen(name)) & (fl->n_slots - 1);

	while (fl->slots[j])
		j = (j + 1) & (fl->n_slots - 1);
	fl->slots[j] = idx + 1;
}

/* Index the newest def; the table stays at most half full. */
static void flat_index_last(struct flat *fl)
{
	size_t i;

	if (fl->n * 2 <= fl->n_slots) {
		flat_place(fl, fl->n - 1);
		return;
	}
	free(fl->slots);
	fl->n_slots = fl->n_slots ? fl->n_slots * 2 : 64;
	fl->slots = xcalloc(fl->n_slots, sizeof(*fl->slots));
	for (i = 0; i < fl->n; i++)
		flat_place(fl, i);
}

/* Every name the tree defines, with its first define (so a use can tell "later"). */
static void flat_collect(struct flat *fl, const struct ast_file *f)
{
	size_t i;

	for (i = 0; f && i < f->n; i++) {
		const struct ast_stmt *st = &f->stmts[i];
		const struct ast_word *name = ast_get1(st, AST_S_NAME);
		struct flat_def *d;

		if (st->kind == AST_INCLUDE)
			flat_collect(fl, st->included);
		else if (st->kind != AST_DEFINE)
			fl->stmts++;
		if (st->kind != AST_DEFINE || !name || flat_find(fl, name->text))
			continue;
		d = VEC_PUSH(fl->defs, fl->n, fl->cap);
		memset(d, 0, sizeof(*d));
		d->name = name->text;
		d->loc = name->loc;
		flat_index_last(fl);
	}
}

/* Room for @n more words in the flat policy? Else the error, once, at @w. */
static bool flat_room(struct flat *fl, const struct ast_word *w, size_t n)
{
	if (fl->full)
		return false;
	if (n <= AST_MAX_WORDS - fl->words) {
		fl->words += n;
		return true;
	}
	diag_error(&w->loc, "expanding '$%.*s' makes the policy larger than %u values",
		   (int)ast_var_name_len(w->text), w->text, AST_MAX_WORDS);
	fl->full = true;
	return false;
}

/* $name:PORT: the define's single address with the port appended. */
static bool flat_expand_port(struct flat *fl, const struct flat_def *d,
			     const struct ast_word *w, const char *port, struct ast_list *out)
{
	char *text;

	if (d->value.n != 1) {
		diag_error(&w->loc, "'$%s' holds %u values: ':PORT' follows a single address",
			   d->name, d->value.n);
		return false;
	}
	if (strchr(d->value.v[0].text, ':')) {
		diag_error(&w->loc, "'$%s' is '%s', which already has a port: write '$%s' alone",
			   d->name, d->value.v[0].text, d->name);
		return false;
	}
	if (!flat_room(fl, w, 1))
		return false;
	text = xasprintf("%s:%s", d->value.v[0].text, port);
	ast_list_add(fl->out, out, AST_WORD, text, &w->loc);
	free(text);
	return true;
}

/*
 * Append @w to @out, a $name replaced by its define's words. False after
 * an error, or when the define is broken (its own error said why).
 */
static bool flat_expand_word(struct flat *fl, const struct ast_word *w, struct ast_list *out)
{
	const struct flat_def *d;
	const char *hint, *port;
	size_t i, len;
	char *name;

	if (w->kind != AST_VAR) {
		if (!flat_room(fl, w, 1))
			return false;
		ast_list_push(fl->out, out, w);
		return true;
	}
	len = ast_var_name_len(w->text);
	port = w->text[len] ? w->text + len + 1 : NULL;
	d = flat_find_n(fl, w->text, len);
	if (d && d->defined && d->broken)
		return false;
	if (d && d->defined && port)
		return flat_expand_port(fl, d, w, port, out);
	if (d && d->defined) {
		if (!flat_room(fl, w, d->value.n))
			return false;
		for (i = 0; i < d->value.n; i++)
			ast_list_push(fl->out, out, &d->value.v[i]);
		return true;
	}
	if (d) {
		diag_error(&w->loc, "'$%s' is used before its define", d->name);
		diag_note(&d->loc, "'%s' is defined here", d->name);
		return false;
	}
	name = xstrndup(w->text, len);
	hint = suggest(name, fl->defs, fl->n, sizeof(fl->defs[0]));
	if (hint)
		diag_error(&w->loc, "undefined name '$%s'; did you mean '$%s'?", name, hint);
	else
		diag_error(&w->loc, "undefined name '$%s'", name);
	free(name);
	return false;
}

static bool flat_expand(struct flat *fl, const struct ast_list *in, struct ast_list *out)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < in->n; i++)
		ok &= flat_expand_word(fl, &in->v[i], out);
	out->braced = in->braced;
	return ok;
}

static void flat_define(struct flat *fl, const struct ast_stmt *st)
{
	const struct ast_word *name = ast_get1(st, AST_S_NAME);
	const struct ast_list *value = ast_get(st, AST_S_VALUE);
	struct flat_def *d;

	if (!name || !value)
		return;
	d = flat_find(fl, name->text);
	if (d->defined) {
		diag_error(&name->loc, "'%s' is defined twice", name->text);
		diag_note(&d->loc, "first defined here");
		return;
	}
	d->broken = !flat_expand(fl, value, &d->value);
	d->defined = true;
}

/*
 * A statement whose words cannot all be expanded is left out (its error
 * is reported); eval then reads the rest unless it depends on that one.
 */
static void flat_file(struct flat *fl, const struct ast_file *f, struct ast_file *out)
{
	size_t i;
	unsigned j;
	bool ok;

	for (i = 0; f && i < f->n; i++) {
		const struct ast_stmt *st = &f->stmts[i];
		struct ast_build b;

		if (st->kind == AST_DEFINE) {
			flat_define(fl, st);
			continue;
		}
		if (st->kind == AST_INCLUDE) {
			flat_file(fl, st->included, out);
			continue;
		}
		ast_build_init(&b, st->kind, &st->loc);
		b.st.flags = st->flags;
		b.st.flag_loc = st->flag_loc;
		ok = true;
		for (j = 0; j < st->n_fields; j++)
			ok &= flat_expand(fl, &st->field[j].list,
					  ast_slot(&b.st, st->field[j].slot));
		if (ok)
			ast_file_add(out, &b.st);
		else
			out->lost_decl |= ast_kind_declares(st->kind);
	}
}

struct ast_file *ast_flatten(const struct ast_file *f)
{
	struct ast_file *out = xcalloc(1, sizeof(*out));
	struct flat fl = {.out = out};

	out->src = f->src;
	out->path = xstrdup(f->path);
	flat_collect(&fl, f);
	ast_file_reserve(out, fl.stmts);
	flat_file(&fl, f, out);
	out->lost_decl |= fl.full;
	free(fl.defs);
	free(fl.slots);
	return out;
}
