// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * confirm_wait.c - apply's side of `apply --confirm SECS` (the snapshot,
 * then the watchdog started; once the new ruleset is loaded, the wait),
 * and the `masqgen confirm` command. The watchdog
 * (confirm_watch.c) keeps the clock and the confirm socket, decides and
 * rolls back; apply relays what only it can see and reports the outcome.
 *
 * Two ways to confirm. Enter on the terminal apply runs on, when it runs
 * in the terminal's foreground (a background job reading the terminal
 * would be stopped). And `masqgen confirm` from another login: it
 * connects to the watchdog's unix socket under the run directory (mode
 * 0600, created only once the new ruleset is loaded). That login is a new
 * connection through the new ruleset, which is what the admin needs to
 * know; Enter in the old session proves less, and the message says so.
 * Without a terminal (`ssh host masqgen apply ...`, automation) only the
 * socket counts.
 *
 * Every signal that would end apply (SIGHUP: the session died; SIGTERM,
 * SIGINT, SIGQUIT, SIGUSR1, SIGALRM...) rolls back at once. They are held
 * in a signalfd from the moment the snapshot is taken, so a signal that
 * arrives while apply is still loading is not lost; SIGKILL ends apply,
 * and the watchdog rolls back when it sees apply gone.
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
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CONFIRM_SECS_MAX 86400

/* The terminal to read Enter from: ours, and we are in its foreground. */
static int confirm_tty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (!isatty(fd) || tcgetpgrp(fd) != getpgrp()) {
		close(fd);
		return -1;
	}
	/* only an Enter typed after the question counts */
	tcflush(fd, TCIFLUSH);
	return fd;
}

/* Enter typed: 1; nothing yet: 0; the terminal closed: -1. */
static int confirm_tty_read(int fd)
{
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	return memchr(buf, '\n', (size_t)n) ? 1 : 0;
}

static void confirm_announce(bool tty, unsigned secs)
{
	diag_info("the new ruleset stays only if confirmed within %u second%s, else the "
		  "previous one comes back:",
		  secs, secs == 1 ? "" : "s");
	diag_info("  run 'masqgen confirm' from a new login (proof that new connections get "
		  "through)");
	if (tty)
		diag_info("  or press Enter here (proves only that this session still works)");
	else
		diag_info("  (no terminal to answer on here)");
}

/*
 * Relay to the watchdog what happens here (a signal, Enter, the terminal
 * closing) until it tells the outcome. Returns it, or 0 when the watchdog
 * is gone without telling.
 */
static int confirm_relay(struct confirm *cf, int tty_fd)
{
	struct signalfd_siginfo si;
	struct confirm_msg m;
	int r;

	for (;;) {
		struct pollfd p[3] = {
			{.fd = cf->chan, .events = POLLIN},
			{.fd = cf->sigfd, .events = POLLIN},
			{.fd = tty_fd, .events = POLLIN},
		};

		if (poll(p, tty_fd >= 0 ? 3 : 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 0;
		}
		if (p[0].revents)
			return confirm_msg_recv(cf->chan, &m) < 0 ? 0 : m.kind;
		if (p[1].revents && read(cf->sigfd, &si, sizeof(si)) == sizeof(si))
			confirm_msg_send(cf->chan, CONFIRM_MSG_ROLLBACK, (int)si.ssi_signo);
		if (tty_fd >= 0 && p[2].revents) {
			r = confirm_tty_read(tty_fd);
			if (r != 0) {
				confirm_msg_send(cf->chan, r > 0 ? CONFIRM_MSG_KEEP
								 : CONFIRM_MSG_ROLLBACK, 0);
				tty_fd = -1;
			}
		}
	}
}

struct confirm *confirm_save(const char *state_path, const char *routes_path)
{
	struct confirm *cf = confirm_snapshot(state_path, routes_path);

	if (cf && confirm_watch_start(cf) < 0) {
		confirm_signals_release(cf);
		confirm_free(cf);
		return NULL;
	}
	return cf;
}

/* Tell the watchdog @kind (ARM with @secs, or FAILED); its answer, or 0 when it is gone. */
static int confirm_tell(struct confirm *cf, enum confirm_msg_kind kind, unsigned secs)
{
	struct confirm_msg m;

	if (confirm_msg_send(cf->chan, kind, (int)secs) < 0 || confirm_msg_recv(cf->chan, &m) < 0)
		return 0;
	return m.kind;
}

int confirm_finish(struct confirm *cf, int rc, unsigned secs)
{
	int outcome, tty_fd = -1;

	/* what apply printed comes before the question */
	fflush(stdout);
	if (rc != EXIT_OK) {
		/* a failed apply: undo what it changed, if it got that far */
		outcome = confirm_tell(cf, CONFIRM_MSG_FAILED, 0);
	} else {
		outcome = confirm_tell(cf, CONFIRM_MSG_ARM, secs);
		if (outcome == CONFIRM_MSG_LISTENING) {
			tty_fd = confirm_tty();
			confirm_announce(tty_fd >= 0, secs);
			outcome = confirm_relay(cf, tty_fd);
			if (tty_fd >= 0)
				close(tty_fd);
		}
	}
	if (!outcome) {
		/* the watchdog is gone (SIGKILL): apply still has the snapshot */
		diag_info("the --confirm watchdog is gone: rolling back");
		outcome = confirm_rollback(cf) < 0 ? CONFIRM_MSG_ROLLBACK_FAILED
						    : CONFIRM_MSG_ROLLED_BACK;
	}
	close(cf->chan);
	cf->chan = -1;
	while (waitpid(cf->watch, NULL, 0) < 0 && errno == EINTR)
		;
	if (outcome == CONFIRM_MSG_ROLLBACK_FAILED)
		rc = EXIT_SYSTEM;
	else if (rc == EXIT_OK && outcome == CONFIRM_MSG_KEPT)
		printf("confirmed: the new ruleset stays\n");
	else if (rc == EXIT_OK)
		rc = EXIT_ROLLED_BACK;
	/* signals stay held: the decision is made and masqgen is about to exit */
	close(cf->sigfd);
	confirm_free(cf);
	return rc;
}

int confirm_parse_secs(const char *arg, unsigned *secs)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || *arg == '-' || v < 1 || v > CONFIRM_SECS_MAX) {
		cli_usage_error("apply", "--confirm takes a number of seconds from 1 to %d, not '%s'",
				CONFIRM_SECS_MAX, arg);
		return -1;
	}
	*secs = (unsigned)v;
	return 0;
}

static int confirm_run(const struct cli_args *a)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char *path = NULL;
	char buf[sizeof(CONFIRM_REPLY)] = "";
	int fd = -1, rc = EXIT_SYSTEM;
	ssize_t n = -1;

	path = state_path(CONFIRM_SOCK, false);
	if (!path)
		goto out;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		diag_error(NULL, "the socket path '%s' is too long", path);
		goto out;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			diag_error(NULL, "no 'masqgen apply --confirm' is waiting for a confirmation");
		else
			diag_error(NULL, "cannot reach the waiting apply at '%s': %s", path,
				   strerror(errno));
		goto out;
	}
	if (send(fd, CONFIRM_REQUEST, strlen(CONFIRM_REQUEST), MSG_NOSIGNAL) ==
		(ssize_t)strlen(CONFIRM_REQUEST) &&
	    confirm_poll1(fd, POLLIN, CONFIRM_TALK_MS))
		n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n != (ssize_t)strlen(CONFIRM_REPLY) || strcmp(buf, CONFIRM_REPLY) != 0) {
		diag_error(NULL, "the waiting apply did not take the confirmation (it is rolling "
				 "back, or it was not masqgen's)");
		goto out;
	}
	printf("confirmed: the new ruleset stays\n");
	rc = EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

const struct cli_command cli_confirm = {
	.name = "confirm",
	.summary = "keep a ruleset applied with --confirm",
	.operands = "",
	.help = "Keep the ruleset that a waiting 'masqgen apply --confirm SECS' loaded; without\n"
		"a confirmation in time that apply puts the previous ruleset back. Run it from\n"
		"a new login to the gateway: that the login got through shows the new ruleset\n"
		"lets new connections in. It talks to the waiting apply over the unix socket\n"
		"/run/masqgen/NETNS/" CONFIRM_SOCK " (root only), NETNS naming this network\n"
		"namespace (init, or its 'ip netns' name).\n",
	.trailer = "Exit status: 0 kept, 2 usage, 3 no apply is waiting for a confirmation.\n",
	.run = confirm_run,
};
