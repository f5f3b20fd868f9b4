/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * confirm_int.h - what confirm.c (the snapshot and the rollback) and
 * confirm_wait.c (waiting for the confirmation, `masqgen confirm`) share.
 */
#ifndef MASQGEN_CONFIRM_INT_H
#define MASQGEN_CONFIRM_INT_H

#include "confirm.h"
#include "util.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* One saved object: a libnftnl table, obj, set (with elements), chain or rule. */
struct confirm_obj {
	uint16_t type;		/* the NEW message that recreates it */
	uint16_t family;
	void *obj;
};

struct confirm {
	struct confirm_obj *v;	/* in the order they are recreated */
	size_t n, cap;
	char *state_path;	/* the record of kernel settings */
	char *record;		/* its text before the apply; NULL: there was none */
	size_t record_len;
	struct strbuf before;	/* "PATH=VALUE" lines: the recorded settings' values before */
	uint64_t fingerprint;	/* masqgen's tables before (apply.h) */
	int sigfd;		/* SIGHUP, SIGTERM, SIGINT, held since the save */
	sigset_t oldmask;
};

/* confirm.c */
int confirm_rollback(const struct confirm *cf);
/* Did anything change masqgen's tables since the save (or can that not be read)? */
bool confirm_changed(const struct confirm *cf);
void confirm_free(struct confirm *cf);

#endif
