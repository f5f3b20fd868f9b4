// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kernel_cmd.c - the pieces apply, flush, show and diff share
 * (kernel_cmd.h).
 */
#include "cli.h"
#include "diag.h"
#include "ipt.h"
#include "ir.h"
#include "kernel_cmd.h"
#include "nft.h"
#include "nft_dump.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

char *kernel_cmd_state_path(void)
{
	return state_path("sysctls", true);
}

int kernel_cmd_lock(void)
{
	char *path = state_path("lock", false);
	int fd = -1;

	if (!path)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		diag_error(NULL, "cannot open the lock file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		diag_info("waiting for another masqgen run to finish (%s)", path);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno == EINTR)
				continue;
			diag_error(NULL, "cannot lock '%s': %s", path, strerror(errno));
			close(fd);
			fd = -1;
			break;
		}
	}
out:
	free(path);
	return fd;
}

int kernel_cmd_prepare(const char *policy, struct ir **ir, struct nft_model **m)
{
	bool ok;

	*ir = cli_compile(policy);
	if (!*ir)
		return EXIT_POLICY;
	ok = ir_check_modern(*ir) == 0;
	if (m) {
		*m = ok ? nft_lower(*ir) : NULL;
		ok = *m != NULL;
	}
	if (!ok) {
		ir_free(*ir);
		*ir = NULL;
		return EXIT_POLICY;
	}
	return EXIT_OK;
}

int kernel_cmd_loaded(struct nft_dump *d, struct ipt_loaded *il, bool ipt)
{
	memset(il, 0, sizeof(*il));
	if (nft_dump_read(d) < 0)
		return -1;
	if (!ipt || ipt_loaded_read(il, d->ipt_nft) == 0)
		return 0;
	ipt_loaded_free(il);
	nft_dump_free(d);
	return -1;
}
