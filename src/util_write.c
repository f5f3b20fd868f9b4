// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util_write.c - writing a file as "-o FILE" does (util.h), its failures
 * reported through diag like every other system error.
 */
#include "util.h"

#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write into an existing non-regular file (a device, a FIFO) as "> FILE" would. */
static int write_into(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 || util_write_all(fd, data, len) < 0) {
		diag_error(NULL, "cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		diag_error(NULL, "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Write @data into a new temporary file beside @path, named in *tmp (the
 * caller frees it), with @mode (0: mkstemp's 0600), synced and closed.
 * Returns 0; -1 with errno when it cannot be created (*tmp is the
 * pattern), -2 with errno when it cannot be written (it is removed).
 * Reports nothing: util_write_temp() runs in a thread.
 */
static int write_temp(const char *path, const char *data, size_t len, mode_t mode, char **tmp)
{
	int fd, err;

	*tmp = xasprintf("%s.XXXXXX", path);
	fd = mkstemp(*tmp);
	if (fd < 0)
		return -1;
	if (util_write_all(fd, data, len) < 0 || (mode && fchmod(fd, mode) < 0) || fsync(fd) < 0) {
		err = errno;
		close(fd);
		unlink(*tmp);
		errno = err;
		return -2;
	}
	if (close(fd) < 0) {
		err = errno;
		unlink(*tmp);
		errno = err;
		return -2;
	}
	return 0;
}

/* Replace regular file @path (or create it) through a temporary file and a rename. */
static int write_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	char *tmp;
	int rc = write_temp(path, data, len, mode, &tmp);

	if (rc == -1) {
		diag_error(NULL, "cannot write '%s': %s", path, strerror(errno));
	} else if (rc == -2) {
		diag_error(NULL, "cannot write '%s': %s", tmp, strerror(errno));
	} else if (rename(tmp, path) < 0) {
		diag_error(NULL, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		rc = -1;
	}
	free(tmp);
	return rc < 0 ? -1 : 0;
}

char *util_write_temp(const char *path, const char *data, size_t len)
{
	struct stat st;
	mode_t mode = 0;
	char *tmp;

	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode))
			return NULL;
		mode = st.st_mode & 07777;
	} else if (errno != ENOENT) {
		return NULL;
	}
	if (write_temp(path, data, len, mode, &tmp) == 0)
		return tmp;
	free(tmp);
	return NULL;
}

int util_write_file_mode(const char *path, const char *data, size_t len, mode_t mode)
{
	char *target = NULL;
	struct stat st;
	int rc = -1;

	if (!path || strcmp(path, "-") == 0) {
		if (util_write_all(STDOUT_FILENO, data, len) < 0) {
			diag_error(NULL, "cannot write the output: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return write_atomic(path, data, len, mode);
		diag_error(NULL, "cannot write '%s': %s", path, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		/* the link stays: what it points to is written */
		target = realpath(path, NULL);
		if (!target || stat(target, &st) < 0) {
			diag_error(NULL, "cannot write '%s': a symbolic link to a file that cannot "
					 "be reached: %s", path, strerror(errno));
			goto out;
		}
		path = target;
	}
	if (S_ISREG(st.st_mode))
		rc = write_atomic(path, data, len, mode ? mode : st.st_mode & 07777);
	else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
		rc = write_into(path, data, len);
	else
		diag_error(NULL, "cannot write '%s': not a regular file, a character device or "
				 "a FIFO", path);
out:
	free(target);
	return rc;
}

int util_write_file(const char *path, const char *data, size_t len)
{
	return util_write_file_mode(path, data, len, 0);
}
