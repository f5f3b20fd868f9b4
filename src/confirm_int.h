/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * confirm_int.h - what confirm.c (the snapshot and the rollback),
 * confirm_watch.c (the watchdog that decides and rolls back) and
 * confirm_wait.c (apply's side of the wait, `masqgen confirm`) share.
 */
#ifndef MASQGEN_CONFIRM_INT_H
#define MASQGEN_CONFIRM_INT_H

#include "confirm.h"
#include "util.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define CONFIRM_SOCK "confirm.sock"
#define CONFIRM_REQUEST "confirm\n"
#define CONFIRM_REPLY "kept\n"
/* How long each side of the confirm socket waits for the other's one line. */
#define CONFIRM_TALK_MS 5000

/* One saved object: a libnftnl table, obj, set (with elements), chain or rule. */
struct confirm_obj {
	uint16_t type;		/* the NEW message that recreates it */
	uint16_t family;
	void *obj;
};

struct confirm {
	struct confirm_obj *v;	/* in the order they are recreated */
	size_t n, cap;
	size_t n_own;		/* v[0..n_own): masqgen's tables; the rest: the UPnP table */
	char *state_path;	/* the record of kernel settings */
	char *record;		/* its text before the apply; NULL: there was none */
	size_t record_len;
	struct strbuf before;	/* "PATH=VALUE" lines: the recorded settings' values before */
	char *routes_path;	/* the record of routing rules (apply.h routes_*) */
	char *routes;		/* its text before the apply; NULL: there was none */
	size_t routes_len;
	uint64_t fingerprint;	/* masqgen's tables before (apply.h) */
	int sigfd;		/* every deadly signal, held since the save */
	sigset_t oldmask;
	pid_t watch;		/* the watchdog (confirm_watch.c), or 0 */
	int chan;		/* apply's end of the socket pair to it, or -1 */
};

/* The messages between apply and the watchdog (confirm_watch.c). */
enum confirm_msg_kind {
	CONFIRM_MSG_ARM = 1,	    /* arg: the seconds to wait */
	CONFIRM_MSG_FAILED,
	CONFIRM_MSG_KEEP,
	CONFIRM_MSG_ROLLBACK,	    /* arg: the signal, or 0: the terminal closed */
	CONFIRM_MSG_LISTENING,
	CONFIRM_MSG_KEPT,
	CONFIRM_MSG_ROLLED_BACK,
	CONFIRM_MSG_ROLLBACK_FAILED,
};

struct confirm_msg {
	int kind;
	int arg;
};

/*
 * confirm.c, the lowest of the three: confirm_watch.c uses it,
 * confirm_wait.c uses both.
 *
 * confirm_snapshot() is confirm_save() without the watchdog: the snapshot,
 * checked, with the signals held. Returns it (the caller owns it), or NULL
 * after reporting (no signal held). confirm_signals_release() lets the
 * held signals go.
 */
struct confirm *confirm_snapshot(const char *state_path, const char *routes_path);
void confirm_signals_release(struct confirm *cf);
int confirm_rollback(const struct confirm *cf);
/* Did anything change masqgen's tables since the save (or can that not be read)? */
bool confirm_changed(const struct confirm *cf);
void confirm_free(struct confirm *cf);

/* confirm_watch.c: wait up to @ms for @events on @fd. */
bool confirm_poll1(int fd, short events, int ms);

/*
 * Fork the watchdog, which owns a copy of @cf from here
 * on; sets cf->watch and cf->chan. Returns 0, or -1 after reporting.
 */
int confirm_watch_start(struct confirm *cf);
/* One message over the socket pair: 0, or -1 (the other end is gone). */
int confirm_msg_send(int fd, enum confirm_msg_kind kind, int arg);
int confirm_msg_recv(int fd, struct confirm_msg *m);

#endif
