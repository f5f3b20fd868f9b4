/* SPDX-License-Identifier: GPL-2.0-or-later */
/* suggest.h - "did you mean" for misspelled names */
#ifndef MASQGEN_SUGGEST_H
#define MASQGEN_SUGGEST_H

#include <stddef.h>

/*
 * The candidate closest to @word by edit distance, or NULL when none is
 * close enough to be a plausible typo. @cands is an array of @n strings
 * spaced @stride bytes apart (so it can walk a field of a struct table).
 */
const char *suggest(const char *word, const void *cands, size_t n, size_t stride);

#endif
