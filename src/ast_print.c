// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ast_print.c - a policy back to text, .masq or YAML, in canonical form:
 * the parts of each statement in ast_syntax[] order. A word that the
 * grammar would take for a keyword, or that holds characters a bare word
 * cannot, is quoted in .masq; a quoted string stays quoted in both forms.
 */
#include "ast.h"
#include "ast_syntax.h"
#include "diag.h"
#include "escape.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Does @p take the keyword @word bare (a chain name, tcp, on...)? */
static bool part_accepts(const struct ast_part *p, const char *word)
{
	size_t n = strlen(word);
	const char *a = p->accepts;

	while (a && (a = strstr(a, word))) {
		if ((a == p->accepts || a[-1] == ' ') && (a[n] == ' ' || !a[n]))
			return true;
		a += n;
	}
	return false;
}

static void masq_string(struct strbuf *sb, const char *text)
{
	sb_add(sb, "\"");
	escape_masq_string(sb, text);
	sb_add(sb, "\"");
}

static void masq_word(struct strbuf *sb, const struct ast_word *w, const struct ast_part *p,
		      bool quote, bool define_name)
{
	if (w->kind == AST_VAR) {
		sb_addf(sb, "$%s", w->text);
		return;
	}
	/*
	 * A keyword the grammar takes here is bare even when written as a
	 * string: the chain slot takes nothing else. So is a define's name,
	 * which may be any name, keywords too.
	 */
	if (!quote && ((masq_is_keyword(w->text) && part_accepts(p, w->text)) ||
		       (define_name && ast_is_name(w->text)))) {
		sb_add(sb, w->text);
		return;
	}
	if (w->kind == AST_WORD && !quote && masq_is_bare_word(w->text) &&
	    !masq_is_keyword(w->text)) {
		sb_add(sb, w->text);
		return;
	}
	masq_string(sb, w->text);
}

static void masq_stmt(struct strbuf *sb, const struct ast_stmt *st)
{
	const struct ast_syntax *syn = &ast_syntax[st->kind];
	bool braced;
	unsigned i;
	size_t j;

	sb_add(sb, syn->name);
	for (i = 0; i < syn->n; i++) {
		const struct ast_part *p = &syn->part[i];
		const struct ast_list *l;

		if (p->opts & AST_P_FLAG) {
			/* a negation is written with the list it negates */
			if ((st->flags & p->flag) && !(p->opts & AST_P_NEGATES))
				sb_addf(sb, " %s", p->kw);
			continue;
		}
		l = ast_get(st, p->slot);
		if (!l)
			continue;
		if (p->kw)
			sb_addf(sb, " %s", p->kw);
		if (i + 1 < syn->n && (syn->part[i + 1].opts & AST_P_NEGATES) &&
		    (st->flags & syn->part[i + 1].flag))
			sb_add(sb, " !");
		/* a set's elements are written in braces, as nft writes them */
		braced = l->braced || (st->kind == AST_SET && p->slot == AST_S_VALUE);
		sb_add(sb, braced ? " { " : " ");
		for (j = 0; j < l->n; j++) {
			if (j)
				sb_add(sb, ", ");
			masq_word(sb, &l->v[j], p, st->kind == AST_INCLUDE,
				  st->kind == AST_DEFINE && p->slot == AST_S_NAME);
		}
		if (braced)
			sb_add(sb, " }");
	}
	sb_add(sb, "\n");
}

char *ast_print_masq(const struct ast_file *f)
{
	struct strbuf sb = {0};
	size_t i;

	sb_add(&sb, "");
	for (i = 0; i < f->n; i++)
		masq_stmt(&sb, &f->stmts[i]);
	return sb.buf;
}

/* The YAML side: libyaml's emitter writing into a strbuf. */
struct ye {
	yaml_emitter_t em;
	struct strbuf out;
	bool failed;
};

static int ye_write(void *data, unsigned char *buf, size_t size)
{
	sb_addn(data, (const char *)buf, size);
	return 1;
}

static void ye_emit(struct ye *y, yaml_event_t *ev)
{
	if (y->failed)
		return;
	if (!yaml_emitter_emit(&y->em, ev)) {
		diag_error(NULL, "cannot write YAML: %s",
			   y->em.problem ? y->em.problem : "emitter error");
		y->failed = true;
	}
}

static void ye_scalar(struct ye *y, const char *text, yaml_scalar_style_t style)
{
	yaml_event_t ev;

	if (y->failed)
		return;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text,
					  (int)strlen(text), 1, 1, style)) {
		diag_error(NULL, "cannot write '%s' as YAML: it is not UTF-8 text", text);
		y->failed = true;
		return;
	}
	ye_emit(y, &ev);
}

static void ye_word(struct ye *y, const struct ast_word *w, const char *text, bool onoff)
{
	char *var;

	if (w->kind == AST_VAR) {
		var = xasprintf("$%s", w->text);
		ye_scalar(y, var, YAML_PLAIN_SCALAR_STYLE);
		free(var);
	} else if (w->kind == AST_STRING) {
		ye_scalar(y, text, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	} else if (onoff && (!strcmp(text, "on") || !strcmp(text, "off"))) {
		ye_scalar(y, text[1] == 'n' ? "true" : "false", YAML_PLAIN_SCALAR_STYLE);
	} else if (ast_yaml_null(text) || text[0] == '$' || (onoff && ast_yaml_bool(text) >= 0)) {
		/* plain, the loader would read it as null, a $name or a boolean */
		ye_scalar(y, text, YAML_SINGLE_QUOTED_SCALAR_STYLE);
	} else {
		ye_scalar(y, text, YAML_PLAIN_SCALAR_STYLE);
	}
}

static void ye_start(struct ye *y, bool map, bool flow)
{
	yaml_event_t ev;

	if (map)
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						    flow ? YAML_FLOW_MAPPING_STYLE :
							   YAML_BLOCK_MAPPING_STYLE);
	else
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     flow ? YAML_FLOW_SEQUENCE_STYLE :
							    YAML_BLOCK_SEQUENCE_STYLE);
	ye_emit(y, &ev);
}

static void ye_end(struct ye *y, bool map)
{
	yaml_event_t ev;

	if (map)
		yaml_mapping_end_event_initialize(&ev);
	else
		yaml_sequence_end_event_initialize(&ev);
	ye_emit(y, &ev);
}

static void ye_value(struct ye *y, const struct ast_list *l, const struct ast_part *p)
{
	size_t i;

	if (!(p->opts & AST_P_LIST)) {
		ye_word(y, &l->v[0], l->v[0].text, p->opts & AST_P_ONOFF);
		return;
	}
	ye_start(y, false, true);
	for (i = 0; i < l->n; i++)
		ye_word(y, &l->v[i], l->v[i].text, false);
	ye_end(y, false);
}

/* forward's TO HOST:PORTS ($name:PORTS) is written as to: HOST, to_ports: PORTS. */
static void ye_forward_to(struct ye *y, const struct ast_word *w)
{
	const char *colon = strchr(w->text, ':');
	struct ast_word host;
	char *text;

	ye_scalar(y, "to", YAML_PLAIN_SCALAR_STYLE);
	if (!colon) {
		ye_word(y, w, w->text, false);
		return;
	}
	host = *w;
	host.text = text = xstrndup(w->text, (size_t)(colon - w->text));
	ye_word(y, &host, text, false);
	free(text);
	ye_scalar(y, "to_ports", YAML_PLAIN_SCALAR_STYLE);
	host.kind = w->kind == AST_VAR ? AST_WORD : w->kind;
	ye_word(y, &host, colon + 1, false);
}

static bool is_rule(enum ast_kind k)
{
	return k == AST_ALLOW || k == AST_DENY || k == AST_REJECT;
}

static void ye_fields(struct ye *y, const struct ast_stmt *st)
{
	const struct ast_syntax *syn = &ast_syntax[st->kind];
	const struct ast_word *proto = ast_get1(st, AST_S_PROTO);
	unsigned i;

	ye_start(y, true, true);
	for (i = 0; i < syn->n; i++) {
		const struct ast_part *p = &syn->part[i];
		const struct ast_list *l;
		const char *key = p->key;

		if (p->opts & AST_P_FLAG) {
			if (!(st->flags & p->flag))
				continue;
			ye_scalar(y, key, YAML_PLAIN_SCALAR_STYLE);
			ye_scalar(y, p->opts & AST_P_INVERT ? "false" : "true",
				  YAML_PLAIN_SCALAR_STYLE);
			continue;
		}
		l = ast_get(st, p->slot);
		if (!l)
			continue;
		if (st->kind == AST_FORWARD && p->slot == AST_S_TO) {
			ye_forward_to(y, &l->v[0]);
			continue;
		}
		if (is_rule(st->kind) && p->slot == AST_S_PORTS && proto &&
		    strcmp(proto->text, "icmp") == 0)
			key = "types";
		ye_scalar(y, key, YAML_PLAIN_SCALAR_STYLE);
		ye_value(y, l, p);
	}
	ye_end(y, true);
}

static void ye_stmt(struct ye *y, const struct ast_stmt *st)
{
	const struct ast_syntax *syn = &ast_syntax[st->kind];
	const struct ast_list *l;

	ye_start(y, true, false);
	ye_scalar(y, syn->name, YAML_PLAIN_SCALAR_STYLE);
	if (st->kind == AST_LOG && !st->n_fields) {
		ye_scalar(y, st->flags & AST_F_OFF ? "false" : "true", YAML_PLAIN_SCALAR_STYLE);
	} else if (!syn->part[0].key) {
		l = ast_get(st, syn->part[0].slot);
		if (l)
			ye_value(y, l, &syn->part[0]);
		else /* clamp-mss without a value */
			ye_scalar(y, "pmtu", YAML_PLAIN_SCALAR_STYLE);
	} else {
		ye_fields(y, st);
	}
	ye_end(y, true);
}

char *ast_print_yaml(const struct ast_file *f)
{
	struct ye y = {0};
	yaml_event_t ev;
	size_t i;

	sb_add(&y.out, "");
	if (!yaml_emitter_initialize(&y.em)) {
		diag_error(NULL, "cannot start the YAML emitter");
		return y.out.buf;
	}
	yaml_emitter_set_output(&y.em, ye_write, &y.out);
	yaml_emitter_set_unicode(&y.em, 1);
	yaml_emitter_set_width(&y.em, -1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ye_emit(&y, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	ye_emit(&y, &ev);
	ye_start(&y, false, false);
	for (i = 0; i < f->n; i++)
		ye_stmt(&y, &f->stmts[i]);
	ye_end(&y, false);
	yaml_document_end_event_initialize(&ev, 1);
	ye_emit(&y, &ev);
	yaml_stream_end_event_initialize(&ev);
	ye_emit(&y, &ev);
	yaml_emitter_delete(&y.em);
	return y.out.buf;
}
