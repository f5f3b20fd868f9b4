// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util_write.c - writing a file as "-o FILE" does (util.h), whole or in
 * pieces (a strbuf's spill), its failures reported through diag like every
 * other system error.
 */
#include "util.h"

#include "diag.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

void util_remove_temps(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
	const char *base = slash ? slash + 1 : path;
	size_t len = strlen(base);
	DIR *d = opendir(*dir ? dir : "/");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *name;

		/* mkstemp()'s six characters after "@path." */
		if (strncmp(e->d_name, base, len) != 0 || e->d_name[len] != '.' ||
		    strlen(e->d_name + len + 1) != 6)
			continue;
		name = xasprintf("%s/%s", dir, e->d_name);
		unlink(name);
		free(name);
	}
	if (d)
		closedir(d);
	free(dir);
}

/*
 * An output opened at its first write: fd is STDOUT_FILENO for stdout, a
 * device or FIFO opened as "> FILE" opens it, or the temporary file (tmp)
 * beside a regular file that util_out_close() renames over it.
 */
struct util_out {
	char *path;		/* as given; NULL: stdout */
	char *target;		/* a symbolic link's target, written in its place */
	char *tmp;		/* the temporary file of a regular file */
	mode_t mode;
	int fd;			/* -1 until opened */
	bool failed;
	bool unsynced;		/* a record of kernel state: renamed without fsync() */
};

struct util_out *util_out_new(const char *path, mode_t mode)
{
	struct util_out *o = xcalloc(1, sizeof(*o));

	o->path = path && strcmp(path, "-") != 0 ? xstrdup(path) : NULL;
	o->mode = mode;
	o->fd = -1;
	return o;
}

/* Open @o as util_write_file_mode() describes; -1 after saying why. */
static int out_open(struct util_out *o)
{
	const char *path = o->path;
	struct stat st;

	if (!path) {
		o->fd = STDOUT_FILENO;
		return 0;
	}
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT) {
			diag_error(NULL, "cannot write '%s': %s", path, strerror(errno));
			return -1;
		}
		st.st_mode = S_IFREG; /* a new file: mkstemp's 0600 unless @mode */
	} else if (S_ISLNK(st.st_mode)) {
		/* the link stays: what it points to is written */
		o->target = realpath(path, NULL);
		if (!o->target || stat(o->target, &st) < 0) {
			diag_error(NULL, "cannot write '%s': a symbolic link to a file that cannot "
					 "be reached: %s", path, strerror(errno));
			return -1;
		}
		path = o->target;
	}
	if (S_ISREG(st.st_mode)) {
		if (!o->mode)
			o->mode = st.st_mode & 07777;
		o->tmp = xasprintf("%s.XXXXXX", path);
		o->fd = mkstemp(o->tmp);
		if (o->fd < 0) {
			diag_error(NULL, "cannot write '%s': %s", path, strerror(errno));
			free(o->tmp);
			o->tmp = NULL;
			return -1;
		}
		return 0;
	}
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
		o->fd = open(path, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);
		if (o->fd < 0) {
			diag_error(NULL, "cannot write '%s': %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	diag_error(NULL, "cannot write '%s': not a regular file, a character device or a FIFO",
		   path);
	return -1;
}

/* Say that writing @o failed (errno), naming what was being written. */
static void out_error(const struct util_out *o)
{
	if (!o->path)
		diag_error(NULL, "cannot write the output: %s", strerror(errno));
	else
		diag_error(NULL, "cannot write '%s': %s",
			   o->tmp ? o->tmp : o->target ? o->target : o->path, strerror(errno));
}

int util_out_write(struct util_out *o, const char *data, size_t len)
{
	if (o->failed)
		return -1;
	if (o->fd < 0 && out_open(o) < 0) {
		o->failed = true;
		return -1;
	}
	if (util_write_all(o->fd, data, len) < 0) {
		out_error(o);
		o->failed = true;
		return -1;
	}
	return 0;
}

int util_out_close(struct util_out *o, bool commit)
{
	int rc = -1;

	if (commit && !o->failed && o->fd < 0)
		util_out_write(o, "", 0); /* nothing written: still an (empty) file */
	commit = commit && !o->failed;
	if (o->fd < 0 || o->fd == STDOUT_FILENO) {
		rc = commit ? 0 : -1;
		goto out_free;
	}
	if (o->tmp && commit &&
	    ((o->mode && fchmod(o->fd, o->mode) < 0) || (!o->unsynced && fsync(o->fd) < 0))) {
		out_error(o);
		commit = false;
	}
	if (close(o->fd) < 0 && commit) {
		out_error(o);
		commit = false;
	}
	if (o->tmp) {
		if (commit && rename(o->tmp, o->target ? o->target : o->path) < 0) {
			diag_error(NULL, "cannot write '%s': %s", o->target ? o->target : o->path,
				   strerror(errno));
			commit = false;
		}
		if (!commit)
			unlink(o->tmp);
	}
	rc = commit ? 0 : -1;
out_free:
	free(o->tmp);
	free(o->target);
	free(o->path);
	free(o);
	return rc;
}

#define SB_SPILL (1u << 20)

void sb_spill(struct strbuf *sb)
{
	if (!sb->spill || sb->len < SB_SPILL)
		return;
	util_out_write(sb->spill, sb->buf, sb->len);
	sb->len = 0;
	sb->buf[0] = '\0';
}

/* util_write_file_mode(), @unsynced as util_write_record() has it. */
static int write_file(const char *path, const char *data, size_t len, mode_t mode, bool unsynced)
{
	struct util_out *o = util_out_new(path, mode);
	int rc;

	o->unsynced = unsynced;
	rc = util_out_write(o, data, len);
	return util_out_close(o, rc == 0);
}

int util_write_file_mode(const char *path, const char *data, size_t len, mode_t mode)
{
	return write_file(path, data, len, mode, false);
}

int util_write_file(const char *path, const char *data, size_t len)
{
	return write_file(path, data, len, 0, false);
}

int util_write_record(const char *path, const char *data, size_t len)
{
	return write_file(path, data, len, 0, true);
}
