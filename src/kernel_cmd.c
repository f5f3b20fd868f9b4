// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kernel_cmd.c - the pieces apply, flush, show and diff share
 * (kernel_cmd.h).
 */
#include "diag.h"
#include "kernel_cmd.h"
#include "nft_record.h"
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

char *kernel_cmd_routes_path(void)
{
	return state_path("routes", true);
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

int kernel_cmd_loaded(struct kernel_loaded *k)
{
	char *record = state_path(NFT_RECORD_FILE, false);
	struct nft_record rec = {0};
	int rc;

	memset(&k->il, 0, sizeof(k->il));
	if (record)
		nft_record_read(record, &rec);
	free(record);
	rc = nft_dump_read(&k->d, &rec);
	nft_record_free(&rec);
	if (rc < 0)
		return -1;
	if (ipt_loaded_read(&k->il, k->d.ipt_nft) == 0)
		return 0;
	kernel_cmd_loaded_free(k);
	return -1;
}

void kernel_cmd_loaded_free(struct kernel_loaded *k)
{
	ipt_loaded_free(&k->il);
	nft_dump_free(&k->d);
}
