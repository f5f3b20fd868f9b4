// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * confirm_watch.c - the watchdog of `apply --confirm`: a process of its
 * own that rolls back unless the new ruleset is confirmed in time, so the
 * rollback does not depend on the apply process staying alive.
 *
 * confirm_save() forks it once the snapshot is taken and checked; it has
 * the snapshot in its own memory, shares the masqgen lock (the same open
 * file), and runs in a session of its own, so a terminal's hangup or ^C
 * reaches only apply. The two talk over a socket pair (struct
 * confirm_msg). The watchdog alone decides and rolls back:
 *
 *   apply -> watchdog  ARM (the apply succeeded: start the clock), FAILED
 *                      (roll back what the failed apply changed), KEEP
 *                      (Enter on the terminal), ROLLBACK (a signal reached
 *                      apply, or its terminal closed)
 *   watchdog -> apply  LISTENING (the confirm socket is up), then the
 *                      outcome: KEPT, ROLLED_BACK or ROLLBACK_FAILED
 *
 * The end of the socket pair is news too: apply gone (SIGKILL, a crash)
 * means roll back at once; the watchdog gone means apply rolls back
 * itself (confirm_wait.c). Every signal that would end the watchdog
 * (confirm_signals_hold()) rolls back at once. `masqgen confirm` talks to
 * the watchdog's socket under the run directory.
 */
#include "confirm_int.h"

#include "cli.h"
#include "diag.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct confirm_watch {
	struct confirm *cf;
	int listen_fd;
	char *sock_path;
};

bool confirm_poll1(int fd, short events, int ms)
{
	struct pollfd p = {.fd = fd, .events = events};

	while (poll(&p, 1, ms) < 0)
		if (errno != EINTR)
			return false;
	return p.revents & events;
}

int confirm_msg_send(int fd, enum confirm_msg_kind kind, int arg)
{
	struct confirm_msg m = {.kind = kind, .arg = arg};

	return send(fd, &m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m) ? 0 : -1;
}

int confirm_msg_recv(int fd, struct confirm_msg *m)
{
	ssize_t n;

	do
		n = recv(fd, m, sizeof(*m), 0);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(*m) ? 0 : -1;
}

/* The socket `masqgen confirm` connects to; the lock is held, so an old one is stale. */
static int confirm_listen(struct confirm_watch *w)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	mode_t old;
	int fd = -1;

	w->sock_path = state_path(CONFIRM_SOCK, false);
	if (!w->sock_path)
		return -1;
	if (strlen(w->sock_path) >= sizeof(sun.sun_path)) {
		diag_error(NULL, "the socket path '%s' is too long", w->sock_path);
		return -1;
	}
	strcpy(sun.sun_path, w->sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	unlink(w->sock_path);
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		umask(old);
		goto fail;
	}
	umask(old);
	if (chmod(w->sock_path, 0600) < 0 || listen(fd, 4) < 0)
		goto fail;
	w->listen_fd = fd;
	return 0;
fail:
	diag_error(NULL, "cannot listen on '%s': %s", w->sock_path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/*
 * A connection on the socket: it confirms when it comes from root or our
 * own user and says CONFIRM_REQUEST; it is answered once the decision to
 * keep is made.
 */
static bool confirm_accept(struct confirm_watch *w)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char buf[sizeof(CONFIRM_REQUEST)] = "";
	ssize_t n = -1;
	int fd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return false;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	    (cred.uid == 0 || cred.uid == geteuid()) && confirm_poll1(fd, POLLIN, CONFIRM_TALK_MS))
		n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n != (ssize_t)strlen(CONFIRM_REQUEST) || strcmp(buf, CONFIRM_REQUEST) != 0) {
		close(fd);
		return false;
	}
	unlink(w->sock_path);
	send(fd, CONFIRM_REPLY, strlen(CONFIRM_REPLY), MSG_NOSIGNAL);
	close(fd);
	return true;
}

/* Roll back, saying why first; the outcome for apply. */
static enum confirm_msg_kind confirm_watch_rollback(const struct confirm *cf, const char *why)
{
	diag_info("%s: rolling back", why);
	if (confirm_rollback(cf) < 0)
		return CONFIRM_MSG_ROLLBACK_FAILED;
	diag_info("rolled back: masqgen's tables and kernel settings are as they were before "
		  "this apply");
	return CONFIRM_MSG_ROLLED_BACK;
}

static const char *confirm_signame(int signo)
{
	const char *name = sigabbrev_np(signo);

	return name ? name : "?";
}

/* Wait (up to @secs once armed) for the decision; returns the outcome. */
static enum confirm_msg_kind confirm_watch_wait(struct confirm_watch *w, int chan)
{
	struct confirm *cf = w->cf;
	struct signalfd_siginfo si;
	struct confirm_msg m;
	long deadline = -1;
	unsigned secs = 0;
	char why[96];

	for (;;) {
		struct pollfd p[3] = {
			{.fd = cf->sigfd, .events = POLLIN},
			{.fd = chan, .events = POLLIN},
			{.fd = w->listen_fd, .events = POLLIN},
		};
		long left = deadline < 0 ? -1 : deadline - util_now_ms();

		if (deadline >= 0 && left <= 0) {
			snprintf(why, sizeof(why), "not confirmed within %u second%s", secs,
				 secs == 1 ? "" : "s");
			return confirm_watch_rollback(cf, why);
		}
		if (poll(p, w->listen_fd >= 0 ? 3 : 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			return confirm_watch_rollback(cf, "cannot wait for the confirmation");
		}
		if (p[0].revents && read(cf->sigfd, &si, sizeof(si)) == sizeof(si)) {
			snprintf(why, sizeof(why), "SIG%s received by the watchdog",
				 confirm_signame((int)si.ssi_signo));
			return confirm_watch_rollback(cf, why);
		}
		if (p[1].revents) {
			if (confirm_msg_recv(chan, &m) < 0)
				return confirm_watch_rollback(cf, "the apply process is gone");
			switch (m.kind) {
			case CONFIRM_MSG_ARM:
				secs = (unsigned)m.arg;
				if (confirm_listen(w) < 0)
					return confirm_watch_rollback(cf, "no way to confirm");
				confirm_msg_send(chan, CONFIRM_MSG_LISTENING, 0);
				deadline = util_now_ms() + secs * 1000L;
				break;
			case CONFIRM_MSG_FAILED:
				if (!confirm_changed(cf))
					return CONFIRM_MSG_KEPT;
				return confirm_watch_rollback(
				    cf, "apply failed after loading the new ruleset");
			case CONFIRM_MSG_KEEP:
				return CONFIRM_MSG_KEPT;
			case CONFIRM_MSG_ROLLBACK:
				if (m.arg)
					snprintf(why, sizeof(why), "SIG%s received",
						 confirm_signame(m.arg));
				else
					snprintf(why, sizeof(why),
						 "the terminal closed before a confirmation");
				return confirm_watch_rollback(cf, why);
			default:
				return confirm_watch_rollback(cf, "a garbled message from apply");
			}
		}
		if (w->listen_fd >= 0 && p[2].revents && confirm_accept(w))
			return CONFIRM_MSG_KEPT;
	}
}

/* The watchdog process: never returns. */
static void confirm_watch_run(struct confirm *cf, int chan)
{
	struct confirm_watch w = {.cf = cf, .listen_fd = -1};
	enum confirm_msg_kind outcome;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	setsid();
	/* stderr stays: the rollback's messages belong to apply's output */
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	outcome = confirm_watch_wait(&w, chan);
	if (w.listen_fd >= 0) {
		close(w.listen_fd);
		unlink(w.sock_path);
	}
	confirm_msg_send(chan, outcome, 0);
	fflush(stderr);
	_exit(outcome == CONFIRM_MSG_ROLLBACK_FAILED ? EXIT_SYSTEM : EXIT_OK);
}

int confirm_watch_start(struct confirm *cf)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		diag_error(NULL, "cannot start the --confirm watchdog: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		diag_error(NULL, "cannot start the --confirm watchdog: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		confirm_watch_run(cf, sv[1]);
	}
	close(sv[1]);
	cf->watch = pid;
	cf->chan = sv[0];
	return 0;
}
