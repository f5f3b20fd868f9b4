// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * state.c - the per network namespace directories of state.h.
 *
 * A namespace is named the way `ip netns identify` finds the name: the
 * file /proc/self/ns/net and the files under /run/netns that `ip netns
 * add` bound to namespaces are compared by device and inode.
 */
#include "state.h"

#include "diag.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STATE_NETNS_DIR "/run/netns"

/* This namespace's key (caller frees); *lasting tells whether it lasts. */
static char *state_key(bool *lasting)
{
	struct stat self, st;
	struct dirent *e;
	char *key = NULL, *path;
	DIR *d;

	*lasting = true;
	if (stat("/proc/self/ns/net", &self) < 0) {
		diag_error(NULL, "cannot identify the network namespace: /proc/self/ns/net: %s",
			   strerror(errno));
		return NULL;
	}
	if (stat("/proc/1/ns/net", &st) == 0 && st.st_dev == self.st_dev &&
	    st.st_ino == self.st_ino)
		return xstrdup("init");
	d = opendir(STATE_NETNS_DIR);
	while (d && !key && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		path = xasprintf(STATE_NETNS_DIR "/%s", e->d_name);
		/* a name that reads like another key is no name */
		if (strcmp(e->d_name, "init") != 0 && strncmp(e->d_name, "netns-", 6) != 0 &&
		    stat(path, &st) == 0 && st.st_dev == self.st_dev && st.st_ino == self.st_ino)
			key = xstrdup(e->d_name);
		free(path);
	}
	if (d)
		closedir(d);
	if (key)
		return key;
	*lasting = false;
	return xasprintf("netns-%llu", (unsigned long long)self.st_ino);
}

/* Create @dir (one level) if missing. Returns 0, or -1 after reporting. */
static int state_mkdir(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		diag_error(NULL, "cannot create '%s': %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

bool state_lasting(void)
{
	bool lasting;

	free(state_key(&lasting));
	return lasting;
}

char *state_dir(bool lasting)
{
	bool key_lasts, persistent;
	char *key, *dir;
	const char *top;

	key = state_key(&key_lasts);
	if (!key)
		return NULL;
	persistent = lasting && key_lasts;
	top = getenv(persistent ? "MASQGEN_STATE_DIR" : "MASQGEN_RUN_DIR");
	if (!top || !*top)
		top = persistent ? "/var/lib/masqgen" : "/run/masqgen";
	dir = xasprintf("%s/%s", top, key);
	free(key);
	if (state_mkdir(top) == 0 && state_mkdir(dir) == 0)
		return dir;
	free(dir);
	return NULL;
}

char *state_path(const char *file, bool lasting)
{
	char *dir = state_dir(lasting), *path;

	if (!dir)
		return NULL;
	path = xasprintf("%s/%s", dir, file);
	free(dir);
	return path;
}
