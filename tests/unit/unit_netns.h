/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit_netns.h - run a unit test binary's tests in a child process inside
 * a network namespace of its own, so the host's is never touched. Needs
 * root: without it nothing runs and no test is counted as passed.
 */
#ifndef MASQGEN_UNIT_NETNS_H
#define MASQGEN_UNIT_NETNS_H

#include "nft.h"
#include "nl.h"
#include "unit.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run @tests (which call RUN()) in a new network namespace; main's exit code. */
static int unit_netns_run(const char *name, void (*tests)(void))
{
	pid_t pid;
	int status;

	if (geteuid() != 0) {
		printf("  %s: needs root, not run\n", name);
		return 0;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0) {
			printf("FAIL %s: unshare: %s\n", name, strerror(errno));
			_exit(1);
		}
		tests();
		fflush(stdout);
		_exit(unit_failed_tests ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* The current nftables generation of this namespace, 0 on error. */
static inline uint32_t unit_genid(void)
{
	struct mnl_socket *nl = nl_open();
	uint32_t genid = nl ? nft_genid_on(nl) : 0;

	if (nl)
		mnl_socket_close(nl);
	return genid;
}

#endif
