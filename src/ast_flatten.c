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
	struct ast_list value;		/* expanded; owned */
};

struct flat {
	struct flat_def *defs;
	size_t n, cap;
	size_t *slots;			/* open addressing: index + 1, 0 empty */
	size_t n_slots;
};

static size_t flat_hash(const char *s)
{
	uint64_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (size_t)h;
}

static struct flat_def *flat_find(const struct flat *fl, const char *name)
{
	size_t i;

	if (!fl->n_slots)
		return NULL;
	for (i = flat_hash(name) & (fl->n_slots - 1); fl->slots[i];
	     i = (i + 1) & (fl->n_slots - 1))
		if (strcmp(fl->defs[fl->slots[i] - 1].name, name) == 0)
			return &fl->defs[fl->slots[i] - 1];
	return NULL;
}

static void flat_place(struct flat *fl, size_t idx)
{
	size_t j = flat_hash(fl->defs[idx].name) & (fl->n_slots - 1);

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
		if (st->kind != AST_DEFINE || !name || flat_find(fl, name->text))
			continue;
		d = VEC_PUSH(fl->defs, fl->n, fl->cap);
		memset(d, 0, sizeof(*d));
		d->name = name->text;
		d->loc = name->loc;
		flat_index_last(fl);
	}
}

/* Append @w to @out, a $name replaced by its define's words. */
static void flat_expand_word(const struct flat *fl, const struct ast_word *w,
			     struct ast_list *out)
{
	const struct flat_def *d;
	const char *hint;
	size_t i;

	if (w->kind != AST_VAR) {
		ast_list_add(out, w->kind, w->text, &w->loc);
		return;
	}
	d = flat_find(fl, w->text);
	if (d && d->defined) {
		for (i = 0; i < d->value.n; i++)
			ast_list_add(out, d->value.v[i].kind, d->value.v[i].text,
				     &d->value.v[i].loc);
		return;
	}
	if (d) {
		diag_error(&w->loc, "'$%s' is used before its define", w->text);
		diag_note(&d->loc, "'%s' is defined here", d->name);
		return;
	}
	hint = suggest(w->text, fl->defs, fl->n, sizeof(fl->defs[0]));
	if (hint)
		diag_error(&w->loc, "undefined name '$%s'; did you mean '$%s'?", w->text, hint);
	else
		diag_error(&w->loc, "undefined name '$%s'", w->text);
}

static void flat_expand(const struct flat *fl, const struct ast_list *in, struct ast_list *out)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		flat_expand_word(fl, &in->v[i], out);
	out->braced = in->braced;
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
	flat_expand(fl, value, &d->value);
	d->defined = true;
}

static void flat_file(struct flat *fl, const struct ast_file *f, struct ast_file *out)
{
	size_t i;
	unsigned j;

	for (i = 0; f && i < f->n; i++) {
		const struct ast_stmt *st = &f->stmts[i];
		struct ast_stmt *o;

		if (st->kind == AST_DEFINE) {
			flat_define(fl, st);
			continue;
		}
		if (st->kind == AST_INCLUDE) {
			flat_file(fl, st->included, out);
			continue;
		}
		o = ast_file_add(out, st->kind, &st->loc);
		o->flags = st->flags;
		o->flag_loc = st->flag_loc;
		for (j = 0; j < st->n_fields; j++)
			flat_expand(fl, &st->field[j].list, ast_slot(o, st->field[j].slot));
	}
}

struct ast_file *ast_flatten(const struct ast_file *f)
{
	struct ast_file *out = xcalloc(1, sizeof(*out));
	struct flat fl = {0};
	size_t i;

	out->src = f->src;
	out->path = xstrdup(f->path);
	flat_collect(&fl, f);
	flat_file(&fl, f, out);
	for (i = 0; i < fl.n; i++)
		ast_list_clear(&fl.defs[i].value);
	free(fl.defs);
	free(fl.slots);
	return out;
}
