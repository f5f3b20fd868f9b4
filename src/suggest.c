// SPDX-License-Identifier: GPL-2.0-or-later
/* suggest.c - the closest known name to a misspelled one */
#include "suggest.h"

#include <string.h>

/* Longest name compared; longer words are not typos of our short names. */
#define SUGGEST_MAX 32

/* Optimal string alignment distance (transpositions count as one edit). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];

	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *suggest(const char *word, const void *cands, size_t n, size_t stride)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, limit, i;

	if (strlen(word) > SUGGEST_MAX)
		return NULL;
	/* one edit for short names, two from five characters, three from nine */
	limit = strlen(word) < 5 ? 1 : strlen(word) < 9 ? 2 : 3;
	for (i = 0; i < n; i++) {
		const char *c = *(const char *const *)((const char *)cands + i * stride);
		size_t d;

		if (!c || strlen(c) > SUGGEST_MAX)
			continue;
		d = distance(word, c);
		if (d < best_d) {
			best_d = d;
			best = c;
		}
	}
	return best_d <= limit ? best : NULL;
}
