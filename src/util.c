// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - allocation helpers, string buffers, atomic file writes, quoting, running programs */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void util_oom(void)
{
	fputs("masqgen: out of memory\n", stderr);
	exit(3);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		util_oom();
	return p;
}

void *xnonnull(void *p)
{
	if (!p)
		util_oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		util_oom();
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		util_oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		util_oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

#define UTIL_GROW_FIRST 64

void util_grow(void *v, size_t *cap, size_t need, size_t size)
{
	void **pv = v;
	/* start near 64 bytes: most of the AST's lists hold one word */
	size_t ncap = *cap ? *cap : size < UTIL_GROW_FIRST ? UTIL_GROW_FIRST / size : 1;

	if (need <= *cap)
		return;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / size)
			util_oom();
		ncap *= 2;
	}
	*pv = xrealloc(*pv, ncap * size);
	*cap = ncap;
}

void sb_addn(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n >= sb->cap)
		util_grow(&sb->buf, &sb->cap, sb->len + n + 1, 1);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_add(struct strbuf *sb, const char *s)
{
	sb_addn(sb, s, strlen(s));
}

void sb_addu(struct strbuf *sb, unsigned long v)
{
	char digits[24];
	size_t n = 0;

	do
		digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
	while ((v /= 10));
	sb_addn(sb, digits + sizeof(digits) - n, n);
}

/* Formats straight into the buffer: the nft text is a few calls per set element. */
void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	util_grow(&sb->buf, &sb->cap, sb->len + 1, 1);
	room = sb->cap - sb->len;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		util_oom();
	if ((size_t)n >= room) {
		util_grow(&sb->buf, &sb->cap, sb->len + (size_t)n + 1, 1);
		va_start(ap, fmt);
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	sb->len += (size_t)n;
}

void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

int util_write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * The input goes through an unlinked in-memory file rather than a pipe, so
 * a child that prints much before it has read all of it cannot deadlock
 * with us.
 */
static int input_fd(const char *input, size_t len)
{
	int fd;

	if (!input)
		return open("/dev/null", O_RDONLY | O_CLOEXEC);
	fd = memfd_create("masqgen-input", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (util_write_all(fd, input, len) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int util_run_child(int (*fn)(const void *arg, int fd), const void *arg, struct strbuf *out)
{
	int fds[2], status, e;
	char buf[4096];
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(fds[0]);
		close(fds[1]);
		return -e;
	}
	if (pid == 0) {
		close(fds[0]);
		status = fn(arg, fds[1]);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	close(fds[1]);
	while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (out)
			sb_addn(out, buf, (size_t)n);
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return 127;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 127;
}

struct util_exec {
	char *const *argv;
	int in;
	int err;	/* stderr: -1 for the same as stdout */
};

/* util_run's child: @fd becomes stdout, and stderr unless x->err says otherwise. */
static int util_exec(const void *arg, int fd)
{
	const struct util_exec *x = arg;
	sigset_t none;

	/* the program gets no blocked signal of ours (apply --confirm holds them) */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	dup2(x->in, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(x->err < 0 ? fd : x->err, STDERR_FILENO);
	execvp(x->argv[0], x->argv);
	fprintf(stderr, "cannot run '%s': %s\n", x->argv[0], strerror(errno));
	return 127;
}

int util_run(char *const argv[], const char *input, size_t len, struct strbuf *out)
{
	struct util_exec x = {.argv = argv, .err = -1};
	int rc;

	x.in = input_fd(input, len);
	if (x.in < 0)
		return 127;
	rc = util_run_child(util_exec, &x, out);
	close(x.in);
	return rc < 0 ? 127 : rc;
}

uint64_t util_hash(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Bits of key a pass of util_sort_keys() sorts by. */
#define SORT_BITS 11u
#define SORT_MASK ((1u << SORT_BITS) - 1)
/* At most this many keys: an insertion sort, cheaper than one radix pass. */
#define SORT_SMALL 48u

size_t *util_sort_keys(const uint64_t *keys, size_t n)
{
	size_t *order = xmalloc((n + 1) * sizeof(*order));
	size_t *tmp, *swap, count[1u << SORT_BITS], i, j, d, sum;
	uint64_t vary = 0;
	unsigned shift;

	for (i = 0; i < n; i++) {
		order[i] = i;
		vary |= keys[i] ^ keys[0];
	}
	if (n <= SORT_SMALL) {
		for (i = 1; i < n; i++) {
			for (j = i; j > 0 && keys[order[j - 1]] > keys[i]; j--)
				order[j] = order[j - 1];
			order[j] = i;
		}
		return order;
	}
	tmp = xmalloc((n + 1) * sizeof(*tmp));
	/* least significant digit first; a digit every key shares moves nothing */
	for (shift = 0; shift < 64; shift += SORT_BITS) {
		if (!((vary >> shift) & SORT_MASK))
			continue;
		memset(count, 0, sizeof(count));
		for (i = 0; i < n; i++)
			count[(keys[i] >> shift) & SORT_MASK]++;
		for (d = 0, sum = 0; d < ARRAY_SIZE(count); d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			tmp[count[(keys[order[i]] >> shift) & SORT_MASK]++] = order[i];
		swap = order;
		order = tmp;
		tmp = swap;
	}
	free(tmp);
	return order;
}

int util_run_stdout(char *const argv[], struct strbuf *out)
{
	struct util_exec x = {.argv = argv};
	int rc = 127;

	x.in = input_fd(NULL, 0);
	x.err = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (x.in >= 0 && x.err >= 0)
		rc = util_run_child(util_exec, &x, out);
	if (x.in >= 0)
		close(x.in);
	if (x.err >= 0)
		close(x.err);
	return rc < 0 ? 127 : rc;
}

int util_addr_iface(int family, const void *addr, const char *only, char *name)
{
	struct ifaddrs *all, *i;
	int rc = -1;

	if (getifaddrs(&all) < 0)
		return -1;
	for (i = all; i && rc < 0; i = i->ifa_next) {
		size_t dev = strcspn(i->ifa_name, ":");
		const void *a;

		if (!i->ifa_addr || i->ifa_addr->sa_family != family)
			continue;
		if (family == AF_INET)
			a = &((const struct sockaddr_in *)(const void *)i->ifa_addr)->sin_addr;
		else
			a = &((const struct sockaddr_in6 *)(const void *)i->ifa_addr)->sin6_addr;
		if (memcmp(a, addr, family == AF_INET ? 4 : 16) != 0 ||
		    (only && (strncmp(i->ifa_name, only, dev) != 0 || only[dev] != '\0')))
			continue;
		if (name)
			snprintf(name, IF_NAMESIZE, "%.*s", (int)dev, i->ifa_name);
		rc = 0;
	}
	freeifaddrs(all);
	return rc;
}

long util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}
