/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit.h - a minimal unit test harness. Each CHECK prints nothing when it
 * holds; a test function is reported "ok NAME" or "FAIL NAME: ..." and the
 * binary exits 1 if any failed. tests/suite-unit.sh counts the lines.
 */
#ifndef MASQGEN_UNIT_H
#define MASQGEN_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int unit_failed_checks, unit_failed_tests;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			printf("  %s:%d: check failed: %s\n", __FILE__,        \
			       __LINE__, #cond);                               \
			unit_failed_checks++;                                  \
		}                                                              \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *a_ = (a), *b_ = (b);                               \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                       \
			printf("  %s:%d: \"%s\" != \"%s\"\n", __FILE__,        \
			       __LINE__, a_ ? a_ : "(null)",                   \
			       b_ ? b_ : "(null)");                            \
			unit_failed_checks++;                                  \
		}                                                              \
	} while (0)

#define RUN(fn)                                                                \
	do {                                                                   \
		int before_ = unit_failed_checks;                              \
		fn();                                                          \
		if (unit_failed_checks == before_) {                           \
			printf("ok %s\n", #fn);                                \
		} else {                                                       \
			printf("FAIL %s\n", #fn);                              \
			unit_failed_tests++;                                   \
		}                                                              \
	} while (0)

/* Run @fn(@ctx) with stderr going to a file; returns what it wrote (caller frees). */
static inline char *unit_stderr_of(void (*fn)(void *ctx), void *ctx)
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	char *text = calloc(1, 4096);

	fflush(stderr);
	dup2(fileno(tmp), 2);
	fn(ctx);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	if (fread(text, 1, 4095, tmp) == 0)
		text[0] = '\0';
	fclose(tmp);
	return text;
}

#define UNIT_EXIT() return unit_failed_tests ? 1 : 0

#endif
