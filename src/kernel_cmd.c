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
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *kernel_cmd_dir(const char *env, const char *fallback)
{
	const char *dir = getenv(env);

	return dir && *dir ? dir : fallback;
}

/* Create @dir (one level) if missing. Returns 0, or -1 after reporting. */
static int kernel_cmd_mkdir(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		diag_error(NULL, "cannot create '%s': %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

char *kernel_cmd_state_path(void)
{
	const char *dir = kernel_cmd_dir("MASQGEN_STATE_DIR", "/var/lib/masqgen");

	if (kernel_cmd_mkdir(dir) < 0)
		return NULL;
	return xasprintf("%s/sysctls", dir);
}

int kernel_cmd_lock(void)
{
	const char *dir = kernel_cmd_dir("MASQGEN_RUN_DIR", "/run/masqgen");
	char *path;
	int fd;

	if (kernel_cmd_mkdir(dir) < 0)
		return -1;
	path = xasprintf("%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		diag_error(NULL, "cannot open the lock file '%s': %s", path, strerror(errno));
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		fprintf(stderr, "masqgen: waiting for another masqgen run to finish (%s)\n", path);
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
