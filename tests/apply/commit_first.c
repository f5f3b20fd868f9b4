// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * commit_first.c - an LD_PRELOAD shim for tests/suite-apply.sh: right
 * before masqgen sends its first batch (its first sendmsg), run the shell
 * command $SHIM_COMMIT, so another program commits between masqgen reading
 * the ruleset generation and sending its batch. At exit, the number of
 * batches sent goes to the file $SHIM_COUNT.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

static int batches;

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, const struct msghdr *, int);
	const char *cmd = getenv("SHIM_COMMIT");

	if (!real)
		real = (ssize_t(*)(int, const struct msghdr *, int))dlsym(RTLD_NEXT, "sendmsg");
	if (batches++ == 0 && cmd) {
		unsetenv("LD_PRELOAD");
		if (system(cmd) != 0)
			fprintf(stderr, "commit_first: '%s' failed\n", cmd);
	}
	return real(fd, msg, flags);
}

__attribute__((destructor)) static void commit_first_report(void)
{
	const char *path = getenv("SHIM_COUNT");
	FILE *f = path ? fopen(path, "w") : NULL;

	if (f) {
		fprintf(f, "%d\n", batches);
		fclose(f);
	}
}
