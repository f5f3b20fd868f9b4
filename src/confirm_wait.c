// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * confirm_wait.c - after `apply --confirm SECS` loaded the new ruleset:
 * wait for the admin to confirm it, else roll back (confirm.c); and the
 * `masqgen confirm` command.
 *
 * Two ways to confirm. Enter on the terminal apply runs on, when it runs
 * in the terminal's foreground (a background job reading the terminal
 * would be stopped). And `masqgen confirm` from another login: it
 * connects to a unix socket under the run directory (mode 0600, created
 * only once the new ruleset is loaded). That login is a new connection
 * through the new ruleset, which is what the admin needs to know; Enter
 * in the old session proves less, and the message says so. Without a
 * terminal (`ssh host masqgen apply ...`, automation) only the socket
 * counts.
 *
 * SIGHUP (the session died), SIGTERM and SIGINT roll back at once. They
 * are held in a signalfd from the moment the snapshot is taken, so a
 * signal that arrives while apply is still loading is not lost, and
 * masqgen never dies between loading and rolling back.
 */
#include "confirm_int.h"

#include "cli.h"
#include "diag.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CONFIRM_SOCK "confirm.sock"
#define CONFIRM_REQUEST "confirm\n"
#define CONFIRM_REPLY "kept\n"
#define CONFIRM_SECS_MAX 86400
/* How long each side waits for the other's one line. */
#define CONFIRM_TALK_MS 5000

enum confirm_outcome {
	CONFIRM_WAITING,
	CONFIRM_KEPT,
	CONFIRM_TIMEOUT,
	CONFIRM_SIGNAL,
	CONFIRM_TTY_CLOSED,
	CONFIRM_ERROR,
};

struct confirm_wait {
	int listen_fd;
	int tty_fd;		/* -1: no terminal to read */
	char *sock_path;
	int signo;		/* the signal that ended the wait */
};

int confirm_signals_hold(struct confirm *cf)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, &cf->oldmask) < 0)
		goto fail;
	cf->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (cf->sigfd >= 0)
		return 0;
	sigprocmask(SIG_SETMASK, &cf->oldmask, NULL);
fail:
	diag_error(NULL, "cannot hold signals for --confirm: %s", strerror(errno));
	return -1;
}

void confirm_signals_release(struct confirm *cf)
{
	close(cf->sigfd);
	cf->sigfd = -1;
	sigprocmask(SIG_SETMASK, &cf->oldmask, NULL);
}


/* The socket `masqgen confirm` connects to; apply holds the lock, so an old one is stale. */
static int confirm_listen(struct confirm_wait *w)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	mode_t old;
	int fd;

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

/* Wait up to @ms for @events on @fd. */
static bool confirm_poll1(int fd, short events, int ms)
{
	struct pollfd p = {.fd = fd, .events = events};

	while (poll(&p, 1, ms) < 0)
		if (errno != EINTR)
			return false;
	return p.revents & events;
}

/*
 * A connection on the socket: it confirms when it comes from root or our
 * own user and says CONFIRM_REQUEST; it is answered once the decision to
 * keep is made.
 */
static bool confirm_accept(struct confirm_wait *w)
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

static enum confirm_outcome confirm_tty_read(int fd)
{
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? CONFIRM_WAITING : CONFIRM_TTY_CLOSED;
	if (n == 0)
		return CONFIRM_TTY_CLOSED;
	return memchr(buf, '\n', (size_t)n) ? CONFIRM_KEPT : CONFIRM_WAITING;
}

static long confirm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static enum confirm_outcome confirm_loop(const struct confirm *cf, struct confirm_wait *w,
					 unsigned secs)
{
	long deadline = confirm_now_ms() + secs * 1000L;
	struct signalfd_siginfo si;

	for (;;) {
		struct pollfd p[3] = {
			{.fd = cf->sigfd, .events = POLLIN},
			{.fd = w->listen_fd, .events = POLLIN},
			{.fd = w->tty_fd, .events = POLLIN},
		};
		long left = deadline - confirm_now_ms();

		if (left <= 0)
			return CONFIRM_TIMEOUT;
		if (poll(p, w->tty_fd >= 0 ? 3 : 2, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			diag_error(NULL, "cannot wait for the confirmation: %s", strerror(errno));
			return CONFIRM_ERROR;
		}
		if (p[0].revents && read(cf->sigfd, &si, sizeof(si)) == sizeof(si)) {
			w->signo = (int)si.ssi_signo;
			return CONFIRM_SIGNAL;
		}
		if (p[1].revents && confirm_accept(w))
			return CONFIRM_KEPT;
		if (w->tty_fd >= 0 && p[2].revents) {
			enum confirm_outcome o = confirm_tty_read(w->tty_fd);

			if (o != CONFIRM_WAITING)
				return o;
		}
	}
}

static void confirm_announce(const struct confirm_wait *w, unsigned secs)
{
	fprintf(stderr,
		"masqgen: the new ruleset stays only if confirmed within %u second%s, else the "
		"previous one comes back:\n",
		secs, secs == 1 ? "" : "s");
	fprintf(stderr, "masqgen:   run 'masqgen confirm' from a new login (proof that new "
			"connections get through)\n");
	if (w->tty_fd >= 0)
		fprintf(stderr, "masqgen:   or press Enter here (proves only that this "
				"session still works)\n");
	else
		fprintf(stderr, "masqgen:   (no terminal to answer on here)\n");
}

static void confirm_why(enum confirm_outcome o, const struct confirm_wait *w, unsigned secs)
{
	switch (o) {
	case CONFIRM_TIMEOUT:
		fprintf(stderr, "masqgen: not confirmed within %u second%s: rolling back\n", secs,
			secs == 1 ? "" : "s");
		break;
	case CONFIRM_SIGNAL:
		fprintf(stderr, "masqgen: SIG%s received: rolling back\n",
			sigabbrev_np(w->signo) ? sigabbrev_np(w->signo) : "?");
		break;
	case CONFIRM_TTY_CLOSED:
		fprintf(stderr, "masqgen: the terminal closed before a confirmation: rolling back\n");
		break;
	default:
		fprintf(stderr, "masqgen: rolling back\n");
		break;
	}
}

int confirm_finish(struct confirm *cf, int rc, unsigned secs)
{
	struct confirm_wait w = {.listen_fd = -1, .tty_fd = -1};
	enum confirm_outcome o = CONFIRM_ERROR;

	if (rc != EXIT_OK) {
		/* a failed apply: undo what it changed, if it got that far */
		if (confirm_changed(cf)) {
			diag_note(NULL, "apply failed after loading the new ruleset: rolling back");
			rc = confirm_rollback(cf) < 0 ? EXIT_SYSTEM : rc;
		}
		goto out;
	}
	/* what apply printed comes before the question */
	fflush(stdout);
	w.sock_path = state_path(CONFIRM_SOCK, false);
	if (w.sock_path && confirm_listen(&w) == 0) {
		w.tty_fd = confirm_tty();
		confirm_announce(&w, secs);
		o = confirm_loop(cf, &w, secs);
		close(w.listen_fd);
		if (w.tty_fd >= 0)
			close(w.tty_fd);
		unlink(w.sock_path);
	}
	if (o == CONFIRM_KEPT) {
		printf("confirmed: the new ruleset stays\n");
		goto out;
	}
	confirm_why(o, &w, secs);
	if (confirm_rollback(cf) < 0) {
		rc = EXIT_SYSTEM;
		goto out;
	}
	fprintf(stderr, "masqgen: rolled back: masqgen's tables and kernel settings are as they "
			"were before this apply\n");
	rc = EXIT_ROLLED_BACK;
out:
	free(w.sock_path);
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

int cmd_confirm(int argc, char **argv)
{
	static const struct option lo[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char help[] =
		"usage: masqgen confirm\n\n"
		"Keep the ruleset that a waiting 'masqgen apply --confirm SECS' loaded; without\n"
		"a confirmation in time that apply puts the previous ruleset back. Run it from\n"
		"a new login to the gateway: that the login got through shows the new ruleset\n"
		"lets new connections in. It talks to the waiting apply over the unix socket\n"
		"/run/masqgen/NETNS/" CONFIRM_SOCK " (root only), NETNS naming this network\n"
		"namespace (init, or its 'ip netns' name).\n\n"
		"  -h, --help  this text\n\n"
		"Exit status: 0 kept, 2 usage, 3 no apply is waiting for a confirmation.\n";
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char *path = NULL;
	char buf[sizeof(CONFIRM_REPLY)] = "";
	int c, fd = -1, rc = EXIT_USAGE;
	ssize_t n = -1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		if (c == 'h') {
			fputs(help, stdout);
			rc = EXIT_OK;
		} else {
			cli_usage_error(argv[0], "unknown option '%s'", argv[optind - 1]);
		}
		goto out;
	}
	if (optind < argc) {
		cli_usage_error(argv[0], "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	rc = EXIT_SYSTEM;
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
