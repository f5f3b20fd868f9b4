// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ast_load.c - a policy's files read from disk: each file to its parser
 * (.masq or YAML), then its includes, relative to it, with cycles, depth,
 * file count and size capped. It sits above both parsers, which know
 * nothing of files.
 */
#include "ast_load.h"
#include "diag.h"
#include "masq_parse.h"
#include "util.h"
#include "yaml_load.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Includes nest at most this deep below the policy itself. */
#define AST_MAX_DEPTH 16
/* A policy file larger than this is refused, not parsed. */
#define AST_MAX_FILE (64u << 20)

static bool is_yaml(const char *path)
{
	size_t n = strlen(path);

	return (n >= 5 && strcmp(path + n - 5, ".yaml") == 0) ||
	       (n >= 4 && strcmp(path + n - 4, ".yml") == 0);
}

/* What a file that is not a regular file is, for the error. */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	return "a special file";
}

/*
 * Read all of @path into *sb; -1 with errno set on failure, or -1 with
 * *kind set when @path is no regular file. A FIFO or a device is never
 * opened for reading: the read could block forever or have side effects.
 */
static int read_all(const char *path, struct strbuf *sb, const char **kind)
{
	struct stat st;
	char buf[65536];
	ssize_t got;
	int fd, err;

	*kind = NULL;
	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		*kind = file_kind(st.st_mode);
		return -1;
	}
	/* non-blocking: the path may have been swapped for a FIFO since stat() */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto out_err;
	if (!S_ISREG(st.st_mode)) {
		*kind = file_kind(st.st_mode);
		close(fd);
		return -1;
	}
	if (st.st_size > AST_MAX_FILE) {
		errno = EFBIG;
		goto out_err;
	}
	/* room for the whole file at once (it may still grow while read) */
	util_grow(&sb->buf, &sb->cap, (size_t)st.st_size + 1, 1);
	while ((got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			goto out_err;
		}
		if (sb->len + (size_t)got > AST_MAX_FILE) {
			errno = EFBIG;
			goto out_err;
		}
		sb_addn(sb, buf, (size_t)got);
	}
	close(fd);
	return 0;
out_err:
	err = errno;
	close(fd);
	sb_free(sb);
	errno = err;
	return -1;
}

/* What one policy's files may hold together. */
struct load_budget {
	unsigned files;			/* loaded so far */
	size_t words;			/* values in them */
	bool reported;			/* the limit's error is said once */
};

/* The files being loaded, outermost first: their real paths find cycles. */
struct load_stack {
	const struct load_stack *up;
	const char *real;
	const char *path;
	unsigned depth;
	struct load_budget *budget;
};

static struct ast_file *load(const char *path, const struct loc *from,
			     const struct load_stack *up);

/* @inc relative to the directory of @from (unless absolute); caller frees. */
static char *include_path(const char *from, const char *inc)
{
	const char *slash = strrchr(from, '/');

	if (inc[0] == '/' || !slash)
		return xstrdup(inc);
	return xasprintf("%.*s/%s", (int)(slash - from), from, inc);
}

static void cycle_error(const struct loc *loc, const struct load_stack *top, const char *real,
			const char *path)
{
	const struct load_stack *order[AST_MAX_DEPTH + 2], *s;
	struct strbuf chain = {0};
	size_t n = 0, i;

	/* from the file that comes back, down to the one that includes it again */
	for (s = top; s; s = s->up) {
		order[n++] = s;
		if (strcmp(s->real, real) == 0)
			break;
	}
	for (i = n; i-- > 0;) {
		sb_add(&chain, order[i]->path);
		sb_add(&chain, " -> ");
	}
	sb_add(&chain, path);
	diag_error(loc, "include cycle: %s", chain.buf);
	sb_free(&chain);
}

/* The file include statement @st names, or NULL after an error. */
static struct ast_file *load_include(const struct ast_stmt *st, const struct ast_word *w,
				     const struct load_stack *me)
{
	const struct load_stack *s;
	struct ast_file *inc = NULL;
	char *path, *real;

	if (w->kind == AST_VAR) {
		diag_error(&w->loc, "an include path cannot be a $name: write the path");
		return NULL;
	}
	if (me->depth >= AST_MAX_DEPTH) {
		diag_error(&st->loc, "includes nest deeper than %d levels at '%s'", AST_MAX_DEPTH,
			   w->text);
		return NULL;
	}
	if (me->budget->files >= AST_MAX_FILES || me->budget->words > AST_MAX_WORDS) {
		if (me->budget->reported)
			;
		else if (me->budget->files >= AST_MAX_FILES)
			diag_error(&st->loc, "the policy includes more than %u files: includes fan "
				   "out too far", AST_MAX_FILES);
		else
			diag_error(&st->loc, "the policy and its includes hold more than %u values",
				   AST_MAX_WORDS);
		me->budget->reported = true;
		return NULL;
	}
	path = include_path(me->path, w->text);
	real = realpath(path, NULL);
	if (!real) {
		diag_error(&w->loc, "cannot include '%s': %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	for (s = me; s; s = s->up)
		if (strcmp(s->real, real) == 0)
			break;
	if (s)
		cycle_error(&w->loc, me, real, path);
	else
		inc = load(path, &w->loc, &(struct load_stack){
			.up = me, .real = real, .path = path, .depth = me->depth + 1,
			.budget = me->budget});
	free(real);
	free(path);
	return inc;
}

static void load_includes(struct ast_file *f, const struct load_stack *me)
{
	const struct ast_word *w;
	unsigned j;
	size_t i;

	me->budget->files++;
	for (i = 0; i < f->n; i++) {
		struct ast_stmt *st = &f->stmts[i];

		for (j = 0; j < st->n_fields; j++)
			me->budget->words += st->field[j].list.n;
		if (st->kind != AST_INCLUDE || !(w = ast_get1(st, AST_S_PATH)))
			continue;
		st->included = load_include(st, w, me);
		/* what an include that failed would declare is unknown */
		if (!st->included || st->included->lost_decl)
			f->lost_decl = true;
	}
}

static struct ast_file *load(const char *path, const struct loc *from,
			     const struct load_stack *me)
{
	const struct diag_source *src;
	struct strbuf sb = {0};
	const char *kind;
	struct ast_file *f;

	if (read_all(path, &sb, &kind) < 0) {
		if (kind)
			diag_error(from, "cannot read '%s': %s, not a regular file", path,
				   kind);
		else if (errno == EFBIG)
			diag_error(from, "cannot read '%s': larger than %u MiB", path,
				   AST_MAX_FILE >> 20);
		else
			diag_error(from, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	src = diag_add_source(path, sb.buf ? sb.buf : "", sb.len);
	sb_free(&sb);
	f = is_yaml(path) ? ast_parse_yaml(src) : ast_parse_masq(src);
	load_includes(f, me);
	return f;
}

struct ast_file *ast_load(const char *path)
{
	struct load_budget budget = {0};
	struct ast_file *f;
	char *real = realpath(path, NULL);

	if (!real) {
		diag_error(NULL, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	f = load(path, NULL, &(struct load_stack){.real = real, .path = path, .budget = &budget});
	free(real);
	return f;
}
