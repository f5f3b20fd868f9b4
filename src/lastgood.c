// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lastgood.c - the last good ruleset: what the last successful apply (not
 * rolled back) loaded, kept so that a policy broken by a typo never boots
 * a gateway open.
 *
 * One file, written atomically under the state directory of a lasting
 * namespace (state.h): the `nft -f` text of the tables, preceded by one
 * comment line per kernel setting ("# setting<TAB>KEY<TAB>VALUE<TAB>IFACE<TAB>
 * ONLY_FROM<TAB>CHANGED_BY", an empty field for none; files written before
 * the last two fields existed have three).
 * nft reads the comments as comments; the fallback reads them back into
 * the settings it writes, through the same record as apply (apply.h).
 */
#include "apply.h"

#include "diag.h"
#include "ir.h"
#include "nft.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LASTGOOD_FILE "last-good.nft"
#define LASTGOOD_SETTING "# setting\t"

/* The file's text: a comment line per setting of @ir, then @ruleset's nft text. */
static void lastgood_text(const void *ruleset, const struct ir *ir, struct strbuf *sb)
{
	size_t i;

	sb_add(sb, "# masqgen: the last good ruleset, for 'masqgen apply --fallback-last-good'\n");
	for (i = 0; i < ir->n_sysctls; i++) {
		const struct ir_sysctl *s = &ir->sysctls[i];

		sb_addf(sb, LASTGOOD_SETTING "%s\t%s\t%s\t%s\t%s\n", s->key,
			s->value ? s->value : "", s->iface ? s->iface : "",
			s->only_from ? s->only_from : "", s->changed_by ? s->changed_by : "");
	}
	nft_text_print(ruleset, sb);
}

/*
 * The last good ruleset on its way: apply starts writing it before its
 * commit, in a thread, so that printing the text and syncing the file
 * take no time of their own; it takes the name last-good.nft only after
 * a successful apply.
 */
struct lastgood {
	const void *ruleset;
	const struct ir *ir;
	char *path;
	char *tmp; /* the text, written and synced beside path; NULL: not written */
	pthread_t thread;
	bool started;
};

/* The thread: nothing it calls reports (the caller writes again, and reports, when tmp is NULL). */
static void *lastgood_write(void *arg)
{
	struct lastgood *lg = arg;
	struct strbuf sb = {0};

	lastgood_text(lg->ruleset, lg->ir, &sb);
	lg->tmp = util_write_temp(lg->path, sb.buf, sb.len);
	sb_free(&sb);
	return NULL;
}

void *lastgood_begin(const void *ruleset, const struct ir *ir)
{
	struct lastgood *lg;

	if (!state_lasting())
		return NULL;
	lg = xcalloc(1, sizeof(*lg));
	lg->ruleset = ruleset;
	lg->ir = ir;
	lg->path = state_path(LASTGOOD_FILE, true);
	if (lg->path) {
		/* what an apply killed during its commit left unnamed */
		util_remove_temps(lg->path);
		lg->started = pthread_create(&lg->thread, NULL, lastgood_write, lg) == 0;
	}
	return lg;
}

void lastgood_end(void *keeping, bool keep)
{
	struct lastgood *lg = keeping;
	struct strbuf sb = {0};
	bool kept = false;

	if (!lg)
		return;
	if (lg->started)
		pthread_join(lg->thread, NULL);
	if (lg->tmp) {
		kept = keep && rename(lg->tmp, lg->path) == 0;
		if (!kept)
			unlink(lg->tmp);
	}
	/*
	 * not written ahead, or not renamed: write it here as util_write_file()
	 * does, saying why it fails
	 */
	if (keep && !kept && lg->path) {
		lastgood_text(lg->ruleset, lg->ir, &sb);
		if (util_write_file(lg->path, sb.buf, sb.len) < 0)
			diag_warning(NULL, "the ruleset is applied, but not kept as the last good one");
		sb_free(&sb);
	}
	free(lg->tmp);
	free(lg->path);
	free(lg);
}

/* The settings of the last good text @text, into @ir (pointing into @text). */
static void lastgood_settings(char *text, struct ir *ir)
{
	char *line, *next, *f[5];
	size_t i;

	for (line = text; line && *line; line = next) {
		struct ir_sysctl *s;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, LASTGOOD_SETTING, strlen(LASTGOOD_SETTING)) != 0)
			continue;
		f[0] = line + strlen(LASTGOOD_SETTING);
		for (i = 1; i < 5; i++) {
			f[i] = f[i - 1] ? strchr(f[i - 1], '\t') : NULL;
			if (f[i])
				*f[i]++ = '\0';
		}
		if (!f[1] || !f[2] || (!*f[1] && (!f[4] || !*f[4])))
			continue;
		s = VEC_PUSH(ir->sysctls, ir->n_sysctls, ir->cap_sysctls);
		*s = (struct ir_sysctl){
			.key = f[0],
			.value = *f[1] ? f[1] : NULL,
			.iface = *f[2] ? f[2] : NULL,
			.only_from = f[3] && *f[3] ? f[3] : NULL,
			.changed_by = f[4] && *f[4] ? f[4] : NULL,
		};
	}
}

int lastgood_restore(void)
{
	struct ir ir = {0};
	struct sysctls_plan *plan;
	struct strbuf out = {0};
	char *path = NULL, *state = NULL, *text = NULL, when[64] = "?";
	char *argv[] = {"nft", "-f", NULL, NULL};
	struct stat st;
	FILE *f;
	long len;
	int rc = -1;

	if (!state_lasting()) {
		diag_error(NULL, "an unnamed network namespace keeps no last good ruleset");
		return -1;
	}
	path = state_path(LASTGOOD_FILE, true);
	state = state_path("sysctls", true);
	if (!path || !state)
		goto out;
	f = fopen(path, "r");
	if (!f) {
		diag_error(NULL, "no last good ruleset: '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &st) == 0)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&st.st_mtime));
	len = st.st_size;
	text = xmalloc((size_t)len + 1);
	len = (long)fread(text, 1, (size_t)len, f);
	fclose(f);
	text[len] = '\0';
	lastgood_settings(text, &ir);
	plan = sysctls_plan(&ir, state);
	if (!plan)
		goto out;
	argv[2] = path;
	if (util_run(argv, NULL, 0, &out) != 0) {
		diag_error(NULL, "'nft -f %s' failed: %s", path, out.buf ? out.buf : "");
		sysctls_cancel(plan);
		goto out;
	}
	rc = sysctls_apply(plan);
	if (rc == 0)
		diag_info("loaded the last good ruleset, applied %s", when);
out:
	free(ir.sysctls);
	free(text);
	free(path);
	free(state);
	sb_free(&out);
	return rc;
}
