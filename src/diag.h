/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diag.h - source files and compiler-style diagnostics.
 *
 * Every file masqgen reads (policy, include, YAML) is registered once with
 * diag_add_source(); a struct loc points into that registry, so locations
 * stay valid until diag_reset(). Messages print as
 *
 *	FILE:LINE:COL: error: MESSAGE
 *	<source line>
 *	    ^~~~
 *
 * lowercase, no trailing period, the bad token quoted in the message.
 */
#ifndef MASQGEN_DIAG_H
#define MASQGEN_DIAG_H

#include <stdbool.h>
#include <stddef.h>

struct diag_source;

/* A place in a policy: 1-based line and column, length in bytes (>= 1). */
struct loc {
	const struct diag_source *src;	/* NULL: no place (built-in) */
	unsigned line, col, len;
};

/*
 * Register @path with its full @text (copied; it may contain NUL bytes,
 * hence @len). Returns the registry entry, owned by the registry.
 */
const struct diag_source *diag_add_source(const char *path, const char *text, size_t len);
const char *diag_source_path(const struct diag_source *src);
const char *diag_source_text(const struct diag_source *src, size_t *len);

/*
 * The text of the source line @loc points at (without its newline), or
 * NULL for a built-in place; *len gets its length. Owned by the registry.
 */
const char *diag_loc_line(const struct loc *loc, size_t *len);

/* "FILE:LINE" for rule comments; the caller owns the result. */
char *diag_loc_str(const struct loc *loc);

/*
 * Print an error / warning / note at @loc (NULL or no source: no place),
 * each in one write, control characters shown as '?'. Past the first 100
 * warnings the rest are only counted; diag_reset() notes how many.
 * The one channel for messages: a policy error names its place; a system
 * error (a file, a process, the kernel refusing) is diag_error(NULL, ...),
 * "masqgen: error: MESSAGE". Only usage errors go elsewhere
 * (cli_usage_error()).
 */
void diag_error(const struct loc *loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_warning(const struct loc *loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_note(const struct loc *loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * What a command is doing, on stderr, the same way: "masqgen: MESSAGE"
 * (waiting for the lock, rolling back, the confirmation it waits for).
 */
void diag_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A widening (LANGUAGE.md "No silent widening"): a restriction written in
 * one family that the other family's traffic is not held to. A warning,
 * or an error once diag_strict_widening(true) was called (--strict).
 */
void diag_widening(const struct loc *loc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_strict_widening(bool strict);

/* Number of errors since the last diag_reset(). */
unsigned diag_error_count(void);

/* Number of widenings reported since the last diag_reset(), shown or not. */
unsigned diag_widening_count(void);

/* Silence warnings (for commands that compile a policy only to query it). */
void diag_quiet_warnings(bool quiet);

/*
 * Note the warnings not shown, then forget all sources and counts; every
 * struct loc becomes invalid.
 */
void diag_reset(void);

#endif
