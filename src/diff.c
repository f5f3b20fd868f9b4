// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diff.c - `masqgen diff POLICY`: the policy is loaded into a throwaway
 * network namespace through the same batch as apply, and both listings
 * are compared.
 */
#include "cli.h"
#include "diag.h"
#include "ir.h"
#include "kernel_cmd.h"
#include "nft.h"
#include "util.h"

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int diff_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Append @text with every `elements = { ... }` list rewritten one element
 * a line, sorted: a hash set lists its elements in an order that differs
 * from one load to the next, and one element a line makes a changed
 * forward one changed line.
 */
static void diff_normalize(const char *text, struct strbuf *out)
{
	static const char open[] = "elements = {";
	const char *p = text, *q;

	while ((q = strstr(p, open))) {
		const char *indent = q, *r = q + strlen(open), *start;
		char **elems = NULL;
		size_t n = 0, cap = 0, i;
		bool quoted = false;

		while (indent > text && (indent[-1] == '\t' || indent[-1] == ' '))
			indent--;
		sb_addn(out, p, (size_t)(q - p));
		for (start = r; *r && (quoted || *r != '}'); r++) {
			if (*r == '"')
				quoted = !quoted;
			if (!quoted && *r == ',') {
				*VEC_PUSH(elems, n, cap) = xstrndup(start, (size_t)(r - start));
				start = r + 1;
			}
		}
		*VEC_PUSH(elems, n, cap) = xstrndup(start, (size_t)(r - start));
		sb_add(out, "elements = {\n");
		for (i = 0; i < n; i++) {
			char *e = elems[i] + strspn(elems[i], " \t\n");
			size_t len = strlen(e);

			while (len && strchr(" \t\n", e[len - 1]))
				e[--len] = '\0';
			memmove(elems[i], e, len + 1);
		}
		qsort(elems, n, sizeof(*elems), diff_strcmp);
		for (i = 0; i < n; i++) {
			sb_addn(out, indent, (size_t)(q - indent));
			sb_addf(out, "\t%s%s\n", elems[i], i + 1 < n ? "," : "");
			free(elems[i]);
		}
		free(elems);
		sb_addn(out, indent, (size_t)(q - indent));
		sb_add(out, "}");
		p = *r ? r + 1 : r;
	}
	sb_add(out, p);
}

/* diff_throwaway's child: @arg is the model, its listing goes to @fd. */
static int diff_throwaway_child(const void *arg, int fd)
{
	struct strbuf text = {0};
	struct nft_state st;
	int rc = EXIT_SYSTEM;

	if (unshare(CLONE_NEWNET) < 0)
		diag_error(NULL, "cannot create a network namespace to load the policy into: %s",
			   strerror(errno));
	else if (nft_load(arg, true) == 0 && nft_state_read(&st) == 0 &&
		 nft_list(&st, true, &text) == 0)
		rc = EXIT_OK;
	if (rc == EXIT_OK && text.len && write(fd, text.buf, text.len) < 0)
		rc = EXIT_SYSTEM;
	return rc;
}

/*
 * What the kernel lists for @m: loaded into a new network namespace by a
 * child process, through the same batch as apply. Returns 0, or -1.
 */
static int diff_throwaway(const struct nft_model *m, struct strbuf *out)
{
	int rc = util_run_child(diff_throwaway_child, m, out);

	if (rc < 0)
		diag_error(NULL, "cannot start a child process: %s", strerror(-rc));
	return rc == EXIT_OK ? 0 : -1;
}

/* Write @sb to a new temporary file; returns its path (caller frees), or NULL. */
static char *diff_tmpfile(const struct strbuf *sb)
{
	const char *dir = kernel_cmd_dir("TMPDIR", "/tmp");
	char *path = xasprintf("%s/masqgen-diff.XXXXXX", dir);
	int fd = mkstemp(path);

	if (fd < 0 || (sb->len && write(fd, sb->buf, sb->len) != (ssize_t)sb->len)) {
		diag_error(NULL, "cannot write a temporary file in '%s': %s", dir, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

int cmd_diff(int argc, char **argv)
{
	static const char help[] =
	    "usage: masqgen diff POLICY\n\n"
	    "Show what 'masqgen apply POLICY' would change in masqgen's tables: the\n"
	    "loaded tables and the ones POLICY gives (loaded into a throwaway network\n"
	    "namespace to list them) as a unified diff of 'nft -s list table' output,\n"
	    "set elements one a line and sorted. Kernel settings are not compared.\n\n"
	    "  -h, --help  this text\n\n"
	    "Exit status: 0 identical, 5 different, 1 policy errors, 2 usage, 3 the\n"
	    "system refused.\n";
	struct strbuf have = {0}, want = {0}, a = {0}, b = {0};
	char *have_path = NULL, *want_path = NULL;
	struct kernel_cmd_opts o;
	struct nft_model *m;
	struct nft_state st;
	struct ir *ir;
	int rc;

	rc = kernel_cmd_args(argc, argv, help, true, false, &o);
	if (rc >= 0)
		return rc;
	rc = kernel_cmd_prepare(o.policy, &ir, &m);
	if (rc != EXIT_OK)
		return rc;
	rc = EXIT_SYSTEM;
	if (nft_state_read(&st) < 0 || nft_list(&st, true, &have) < 0 ||
	    diff_throwaway(m, &want) < 0)
		goto out;
	diff_normalize(have.buf ? have.buf : "", &a);
	diff_normalize(want.buf ? want.buf : "", &b);
	if (a.len == b.len && (a.len == 0 || memcmp(a.buf, b.buf, a.len) == 0)) {
		rc = EXIT_OK;
		goto out;
	}
	have_path = diff_tmpfile(&a);
	want_path = have_path ? diff_tmpfile(&b) : NULL;
	if (want_path) {
		char *dargv[] = {"diff",	 "-u",	    "--label", "loaded", "--label",
				 (char *)o.policy, have_path, want_path, NULL};
		struct strbuf shown = {0};

		rc = util_run(dargv, NULL, 0, &shown) == 1 ? EXIT_NO : EXIT_SYSTEM;
		if (rc == EXIT_NO)
			fwrite(shown.buf, 1, shown.len, stdout);
		else
			diag_error(NULL, "'diff -u' failed: %s", shown.buf ? shown.buf : "");
		sb_free(&shown);
	}
out:
	if (have_path)
		unlink(have_path);
	if (want_path)
		unlink(want_path);
	free(have_path);
	free(want_path);
	sb_free(&have);
	sb_free(&want);
	sb_free(&a);
	sb_free(&b);
	nft_model_free(m);
	ir_free(ir);
	return rc;
}
