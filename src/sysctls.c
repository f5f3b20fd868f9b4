// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysctls.c - the kernel settings apply writes after the commit, and the
 * record of what they were before, so flush can put them back.
 *
 * The record keeps the value a setting had before masqgen first wrote it:
 * a second apply does not overwrite it with masqgen's own value. It names
 * settings by their path below /proc/sys ("net/ipv4/conf/eth0.10/rp_filter"),
 * which, unlike the dotted key, stays unambiguous for interface names with
 * a dot. Only paths below net/ are ever written back from it.
 */
#include "apply.h"

#include "diag.h"
#include "ir.h"
#include "util.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSCTLS_ROOT "/proc/sys/"
#define SYSCTLS_VALUE_MAX 64

struct sysctls_entry {
	char *path; /* below /proc/sys */
	char *value;
};

struct sysctls_record {
	struct sysctls_entry *v;
	size_t n, cap;
};

static void sysctls_record_free(struct sysctls_record *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].path);
		free(r->v[i].value);
	}
	free(r->v);
}

static struct sysctls_entry *sysctls_find(const struct sysctls_record *r, const char *path)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].path, path) == 0)
			return &r->v[i];
	return NULL;
}

/* A path from the record that is safe to write: below net/, no "..". */
static bool sysctls_path_ok(const char *path)
{
	return strncmp(path, "net/", 4) == 0 && !strstr(path, "..") &&
	       strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-/") ==
		   strlen(path);
}

/* Read the setting at @path (below /proc/sys); NULL with errno set. */
static char *sysctls_read(const char *path)
{
	char *full = xasprintf(SYSCTLS_ROOT "%s", path);
	char buf[SYSCTLS_VALUE_MAX];
	FILE *f = fopen(full, "r");
	char *value = NULL;

	free(full);
	if (!f)
		return NULL;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\n")] = '\0';
		value = xstrdup(buf);
	} else {
		errno = EIO;
	}
	fclose(f);
	return value;
}

static int sysctls_write(const char *path, const char *value)
{
	char *full = xasprintf(SYSCTLS_ROOT "%s", path);
	FILE *f = fopen(full, "w");
	int rc = -1;

	free(full);
	if (!f)
		return -1;
	if (fprintf(f, "%s\n", value) >= 0)
		rc = 0;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* Load the record; a missing file is an empty record. */
static int sysctls_load(const char *state_path, struct sysctls_record *r)
{
	FILE *f = fopen(state_path, "r");
	char line[512];
	unsigned lineno = 0;

	memset(r, 0, sizeof(*r));
	if (!f) {
		if (errno == ENOENT)
			return 0;
		diag_error(NULL, "cannot read '%s': %s", state_path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '=');
		struct sysctls_entry *e;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (eq)
			*eq = '\0';
		if (!eq || !sysctls_path_ok(line)) {
			diag_warning(NULL, "'%s' line %u: not a setting masqgen recorded, ignored",
				     state_path, lineno);
			continue;
		}
		e = VEC_PUSH(r->v, r->n, r->cap);
		e->path = xstrdup(line);
		e->value = xstrdup(eq + 1);
	}
	fclose(f);
	return 0;
}

/* Save the record atomically, or remove it when it is empty. */
static int sysctls_save(const char *state_path, const struct sysctls_record *r)
{
	struct strbuf sb = {0};
	size_t i;
	int rc;

	if (r->n == 0) {
		if (unlink(state_path) < 0 && errno != ENOENT) {
			diag_error(NULL, "cannot remove '%s': %s", state_path, strerror(errno));
			return -1;
		}
		return 0;
	}
	for (i = 0; i < r->n; i++)
		sb_addf(&sb, "%s=%s\n", r->v[i].path, r->v[i].value);
	rc = util_write_file(state_path, sb.buf, sb.len);
	sb_free(&sb);
	return rc;
}

/* Write back each entry of @r for which @keep is NULL or false. */
static int sysctls_put_back(const struct sysctls_record *r, const bool *keep)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->n; i++) {
		if (keep && keep[i])
			continue;
		if (sysctls_write(r->v[i].path, r->v[i].value) < 0 && errno != ENOENT) {
			diag_error(NULL, "cannot restore %s to '%s': %s", r->v[i].path,
				   r->v[i].value, strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

int sysctls_apply(const struct ir *ir, const char *state_path)
{
	struct sysctls_record old = {0}, next = {0};
	bool *keep = NULL, *skip = xcalloc(ir->n_sysctls + 1, sizeof(*skip));
	char **paths = xcalloc(ir->n_sysctls + 1, sizeof(*paths));
	bool failed = false;
	size_t i;
	int rc = -1;

	if (sysctls_load(state_path, &old) < 0)
		goto out;
	keep = xcalloc(old.n + 1, sizeof(*keep));
	for (i = 0; i < ir->n_sysctls; i++) {
		const struct ir_sysctl *s = &ir->sysctls[i];
		struct sysctls_entry *was, *e;
		char *value;

		paths[i] = ir_sysctl_path(s->key, s->iface);
		was = sysctls_find(&old, paths[i]);
		if (sysctls_find(&next, paths[i]))
			continue;
		if (was) {
			keep[was - old.v] = true;
			value = xstrdup(was->value);
		} else {
			value = sysctls_read(paths[i]);
		}
		if (!value) {
			skip[i] = true;
			if (s->iface && errno == ENOENT) {
				diag_warning(&s->loc, "interface '%s' does not exist: %s not set",
					     s->iface, s->key);
			} else {
				diag_error(&s->loc, "cannot read %s: %s", s->key, strerror(errno));
				failed = true;
			}
			continue;
		}
		e = VEC_PUSH(next.v, next.n, next.cap);
		e->path = xstrdup(paths[i]);
		e->value = value;
	}
	/* The record must hold every original before the first write. */
	if (sysctls_save(state_path, &next) < 0)
		goto out;
	rc = sysctls_put_back(&old, keep);
	for (i = 0; i < ir->n_sysctls; i++) {
		const struct ir_sysctl *s = &ir->sysctls[i];

		if (skip[i])
			continue;
		if (sysctls_write(paths[i], s->value) < 0) {
			diag_error(&s->loc, "cannot set %s=%s: %s", s->key, s->value,
				   strerror(errno));
			rc = -1;
		}
	}
	if (failed)
		rc = -1;
out:
	sysctls_record_free(&old);
	for (i = 0; i < ir->n_sysctls; i++)
		free(paths[i]);
	free(paths);
	free(skip);
	free(keep);
	sysctls_record_free(&next);
	return rc;
}

int sysctls_restore(const char *state_path)
{
	struct sysctls_record r;
	int rc;

	if (sysctls_load(state_path, &r) < 0)
		return -1;
	rc = sysctls_put_back(&r, NULL);
	if (rc == 0)
		rc = sysctls_save(state_path, &(struct sysctls_record){0});
	sysctls_record_free(&r);
	return rc;
}

/* @path below /proc/sys as a dotted key, for people. */
static char *sysctls_key(const char *path)
{
	char *key = xstrdup(path), *p;

	for (p = key; *p; p++)
		if (*p == '/')
			*p = '.';
	return key;
}

static void sysctls_diff_line(struct strbuf *out, const char *path, const char *now,
			      const char *want, const char *why)
{
	char *key = sysctls_key(path);

	sb_addf(out, "~ setting %s: %s -> %s  (%s)\n", key, now, want, why);
	free(key);
}

size_t sysctls_diff(const struct ir *ir, const char *state_path, struct strbuf *out)
{
	struct sysctls_record rec = {0};
	char **paths = xcalloc(ir->n_sysctls + 1, sizeof(*paths));
	size_t i, j, n = 0;
	char *now, *where;

	if (state_path && sysctls_load(state_path, &rec) < 0)
		memset(&rec, 0, sizeof(rec));
	for (i = 0; i < ir->n_sysctls; i++) {
		const struct ir_sysctl *s = &ir->sysctls[i];

		paths[i] = ir_sysctl_path(s->key, s->iface);
		for (j = 0; j < i && strcmp(paths[j], paths[i]) != 0; j++)
			;
		now = j == i ? sysctls_read(paths[i]) : NULL;
		if (now && strcmp(now, s->value) != 0) {
			where = s->loc.src ? diag_loc_str(&s->loc) : xstrdup("built-in");
			sysctls_diff_line(out, paths[i], now, s->value, where);
			free(where);
			n++;
		}
		free(now);
	}
	/* what apply writes back because the policy no longer names it */
	for (i = 0; i < rec.n; i++) {
		for (j = 0; j < ir->n_sysctls && strcmp(paths[j], rec.v[i].path) != 0; j++)
			;
		now = j == ir->n_sysctls ? sysctls_read(rec.v[i].path) : NULL;
		if (now && strcmp(now, rec.v[i].value) != 0) {
			sysctls_diff_line(out, rec.v[i].path, now, rec.v[i].value,
					  "put back: no longer in the policy");
			n++;
		}
		free(now);
	}
	for (i = 0; i < ir->n_sysctls; i++)
		free(paths[i]);
	free(paths);
	sysctls_record_free(&rec);
	return n;
}
