// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysctls.c - the kernel settings apply writes after the commit, and the
 * record of what they were before, so flush can put them back. The record
 * is written before the commit: what cannot be recorded is not applied.
 * It is not synced to disk (util_write_record()): the settings it
 * describes do not outlive a reboot either.
 *
 * The record keeps the value a setting had before masqgen first wrote it:
 * a second apply does not overwrite it with masqgen's own value. It names
 * settings by their path below /proc/sys ("net/ipv4/conf/eth0.10/rp_filter"),
 * which, unlike the dotted key, stays unambiguous for interface names with
 * a dot. Only paths below net/ are ever written back from it.
 *
 * Settings are written in the IR's order and put back in the reverse one;
 * a setting with a value to write only from another value (accept_ra)
 * is left alone, with a note, when it holds neither; a recorded-only one
 * (the forwarding values IPv6's all.forwarding rewrites) is never written
 * by apply, only put back.
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
	rc = util_write_record(state_path, sb.buf, sb.len);
	sb_free(&sb);
	return rc;
}

/*
 * Write back each entry of @r for which @keep is NULL or false, last
 * first (the reverse of apply: IPv6 forwarding before accept_ra), each
 * only when it differs (writing IPv6's all.forwarding rewrites every
 * interface's).
 */
static int sysctls_put_back(const struct sysctls_record *r, const bool *keep)
{
	size_t i;
	int rc = 0;

	for (i = r->n; i-- > 0;) {
		char *now;
		bool same;

		if (keep && keep[i])
			continue;
		now = sysctls_read(r->v[i].path);
		same = now && strcmp(now, r->v[i].value) == 0;
		free(now);
		if (same)
			continue;
		if (sysctls_write(r->v[i].path, r->v[i].value) < 0 && errno != ENOENT) {
			diag_error(NULL, "cannot restore %s to '%s': %s", r->v[i].path,
				   r->v[i].value, strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

struct sysctls_plan {
	const struct ir *ir;
	char *state_path;
	struct sysctls_record old;  /* the record before */
	struct sysctls_record next; /* the record after: the originals of ir's settings */
	bool *keep;		    /* per old entry: ir still names it */
	bool dropped;		    /* some old entry is not kept: the record saved is not next */
	bool saved;		    /* the record was rewritten (else it was already what apply needs) */
	bool *skip;		    /* per ir setting: not written (missing interface) */
	char **paths;		    /* per ir setting: its path below /proc/sys */
};

static void sysctls_plan_free(struct sysctls_plan *p)
{
	size_t i;

	sysctls_record_free(&p->old);
	sysctls_record_free(&p->next);
	for (i = 0; i < p->ir->n_sysctls; i++)
		free(p->paths[i]);
	free(p->paths);
	free(p->skip);
	free(p->keep);
	free(p->state_path);
	free(p);
}

/* Do @a and @b hold the same entries in the same order (so save the same text)? */
static bool sysctls_same(const struct sysctls_record *a, const struct sysctls_record *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].path, b->v[i].path) != 0 ||
		    strcmp(a->v[i].value, b->v[i].value) != 0)
			return false;
	return true;
}

/* Has masqgen already changed setting @key (dotted, no interface): is it in @old? */
static bool sysctls_changed(const struct sysctls_record *old, const char *key)
{
	char *path = ir_sysctl_path(key, NULL);
	bool changed = sysctls_find(old, path) != NULL;

	free(path);
	return changed;
}

/* The original of each setting of p->ir into p->next; -1 after reporting one unreadable. */
static int sysctls_plan_originals(struct sysctls_plan *p)
{
	int rc = 0;
	size_t i;

	for (i = 0; i < p->ir->n_sysctls; i++) {
		const struct ir_sysctl *s = &p->ir->sysctls[i];
		struct sysctls_entry *was, *e;
		char *value;

		p->paths[i] = ir_sysctl_path(s->key, s->iface);
		if (s->iface && s->iface[strlen(s->iface) - 1] == '+') {
			p->skip[i] = true;
			diag_warning(&s->loc, "'%s' is a wildcard: %s cannot be set ahead; a link "
				     "of it that comes up needs it from its up hook (pppd's "
				     "/etc/ppp/ipv6-up.d)", s->iface, s->key);
			continue;
		}
		was = sysctls_find(&p->old, p->paths[i]);
		if (sysctls_find(&p->next, p->paths[i]))
			continue;
		if (was) {
			p->keep[was - p->old.v] = true;
			value = xstrdup(was->value);
		} else if (!s->value && sysctls_changed(&p->old, s->changed_by)) {
			/* its value now is masqgen's doing: putting back changed_by restores it */
			p->skip[i] = true;
			continue;
		} else {
			value = sysctls_read(p->paths[i]);
		}
		if (!value) {
			p->skip[i] = true;
			if (!s->value && errno == ENOENT)
				continue;	/* recorded only: nothing to record */
			if (s->iface && errno == ENOENT) {
				diag_warning(&s->loc, "interface '%s' does not exist: %s not set",
					     s->iface, s->key);
			} else {
				diag_error(&s->loc, "cannot read %s: %s", s->key, strerror(errno));
				rc = -1;
			}
			continue;
		}
		e = VEC_PUSH(p->next.v, p->next.n, p->next.cap);
		e->path = xstrdup(p->paths[i]);
		e->value = value;
	}
	return rc;
}

struct sysctls_plan *sysctls_plan(const struct ir *ir, const char *state_path)
{
	struct sysctls_plan *p = xcalloc(1, sizeof(*p));
	struct sysctls_record both = {0};
	size_t i;
	int rc;

	p->ir = ir;
	p->state_path = xstrdup(state_path);
	p->skip = xcalloc(ir->n_sysctls + 1, sizeof(*p->skip));
	p->paths = xcalloc(ir->n_sysctls + 1, sizeof(*p->paths));
	if (sysctls_load(state_path, &p->old) < 0)
		goto fail;
	p->keep = xcalloc(p->old.n + 1, sizeof(*p->keep));
	if (sysctls_plan_originals(p) < 0)
		goto fail;
	/*
	 * Until the settings ir no longer names are put back, the record
	 * keeps their originals beside the new ones: entries are borrowed.
	 */
	for (i = 0; i < p->next.n; i++)
		*VEC_PUSH(both.v, both.n, both.cap) = p->next.v[i];
	for (i = 0; i < p->old.n; i++)
		if (!p->keep[i]) {
			*VEC_PUSH(both.v, both.n, both.cap) = p->old.v[i];
			p->dropped = true;
		}
	/* unchanged (every apply after the first): no rewrite */
	p->saved = !sysctls_same(&both, &p->old);
	rc = p->saved ? sysctls_save(state_path, &both) : 0;
	free(both.v);
	if (rc == 0)
		return p;
fail:
	sysctls_plan_free(p);
	return NULL;
}

void sysctls_cancel(struct sysctls_plan *p)
{
	if (p->saved)
		sysctls_save(p->state_path, &p->old);
	sysctls_plan_free(p);
}

int sysctls_apply(struct sysctls_plan *p)
{
	size_t i;
	int rc;

	rc = sysctls_put_back(&p->old, p->keep);
	for (i = 0; i < p->ir->n_sysctls; i++) {
		const struct ir_sysctl *s = &p->ir->sysctls[i];
		char *now;
		bool same, other;

		if (p->skip[i] || !s->value)
			continue;
		now = sysctls_read(p->paths[i]);
		same = now && strcmp(now, s->value) == 0;
		other = now && s->only_from && !same && strcmp(now, s->only_from) != 0;
		if (other)
			diag_note(&s->loc, "%s is %s: left as it is (masqgen changes it only from %s)",
				  s->key, now, s->only_from);
		free(now);
		if (same || other)
			continue;
		if (sysctls_write(p->paths[i], s->value) < 0) {
			diag_error(&s->loc, "cannot set %s=%s: %s", s->key, s->value,
				   strerror(errno));
			rc = -1;
		}
	}
	/* the record saved before the commit is next already unless it kept dropped entries */
	if (p->dropped && sysctls_save(p->state_path, &p->next) < 0)
		rc = -1;
	sysctls_plan_free(p);
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
		now = j == i && s->value ? sysctls_read(paths[i]) : NULL;
		if (now && strcmp(now, s->value) != 0 &&
		    (!s->only_from || strcmp(now, s->only_from) == 0)) {
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

int sysctls_forwarding_off(void)
{
	static const char *const paths[] = {"net/ipv4/ip_forward", "net/ipv6/conf/all/forwarding"};
	size_t i;
	int rc = 0;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		if (sysctls_write(paths[i], "0") < 0 && errno != ENOENT) {
			diag_error(NULL, "cannot write %s=0: %s", paths[i], strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

void sysctls_check_cluster(const struct ir *ir)
{
	char *v;

	if (!ir->cluster.present)
		return;
	v = sysctls_read("net/netfilter/nf_conntrack_tcp_loose");
	if (!v || strcmp(v, "1") != 0)
		diag_warning(&ir->cluster.loc,
			     "net.netfilter.nf_conntrack_tcp_loose is %s, not 1: connections "
			     "conntrackd moves to this node in mid-stream will be dropped",
			     v ? v : "unreadable");
	free(v);
}
