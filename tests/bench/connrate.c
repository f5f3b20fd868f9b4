// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * connrate.c - new TCP connections per second, for tests/bench/connrate.sh.
 *
 *   connrate server PORT                  accept and close, until killed
 *   connrate client SRC DST PORT SECONDS  connect from SRC again and again
 *
 * The client closes with a reset (SO_LINGER 0) so no TIME_WAIT piles up;
 * every connect is a new conntrack entry through the gateway. It prints
 * "CONNECTS SECONDS RATE" and exits 1 when not one connection succeeded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int server(unsigned port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	struct linger lg = {1, 0};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 4096) < 0) {
		perror("connrate server");
		return 1;
	}
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			continue;
		setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(c);
	}
}

static int client(const char *src, const char *dst, unsigned port, double seconds)
{
	struct sockaddr_in from = {.sin_family = AF_INET}, to = {.sin_family = AF_INET};
	struct timeval tv = {1, 0};
	struct linger lg = {1, 0};
	unsigned long ok = 0, failed = 0;
	int last_err = 0;
	double start, end;

	to.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, src, &from.sin_addr) != 1 ||
	    inet_pton(AF_INET, dst, &to.sin_addr) != 1) {
		fprintf(stderr, "connrate client: bad address\n");
		return 2;
	}
	start = now();
	end = start + seconds;
	while (now() < end) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0) {
			perror("socket");
			return 2;
		}
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		if (bind(fd, (struct sockaddr *)&from, sizeof(from)) == 0 &&
		    connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0) {
			ok++;
		} else {
			failed++;
			last_err = errno;
		}
		close(fd);
	}
	seconds = now() - start;
	printf("%lu %.3f %.0f\n", ok, seconds, (double)ok / seconds);
	if (failed)
		fprintf(stderr, "connrate client: %lu connects failed, the last: %s\n", failed,
			strerror(last_err));
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "server") == 0)
		return server((unsigned)atoi(argv[2]));
	if (argc == 6 && strcmp(argv[1], "client") == 0)
		return client(argv[2], argv[3], (unsigned)atoi(argv[4]), atof(argv[5]));
	fprintf(stderr, "usage: connrate server PORT | connrate client SRC DST PORT SECONDS\n");
	return 2;
}
