// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmod.c - whether a kernel module is there (kmod.h): loaded (/sys/module),
 * built in (modules.builtin, or =y in the kernel configuration), or
 * installed (modules.dep).
 */
#include "kmod.h"

#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Does a line of @path (without what follows a ':') end in "/NAME.ko[.xz...]"? -1: no file */
static int kmod_listed(const char *path, const char *name)
{
	char *want = xasprintf("/%s.ko", name), line[1024], *hit;
	FILE *f = fopen(path, "r");
	int found = 0;

	if (!f) {
		free(want);
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, ":\n")] = '\0';
		hit = strstr(line, want);
		if (hit && (hit[strlen(want)] == '\0' || hit[strlen(want)] == '.'))
			found = 1;
	}
	fclose(f);
	free(want);
	return found;
}

/* The module list @list ("modules.builtin") of @release: 1 listed, 0 not, -1 no list. */
static int kmod_in_list(const char *root, const char *list, const char *name)
{
	struct utsname u;
	char *path;
	int listed;

	if (uname(&u) < 0)
		return -1;
	path = xasprintf("%s/lib/modules/%s/%s", root, u.release, list);
	listed = kmod_listed(path, name);
	free(path);
	return listed;
}

/*
 * What the kernel configuration says of @name (CONFIG_NF_NAT_FTP for
 * nf_nat_ftp): 'y', 'm', 'n' (not there), or 0 when no configuration is
 * readable.
 */
static char kmod_config(const char *root, const char *proc, const char *name)
{
	char *gz = xasprintf("%s/config.gz", proc);
	char *const zcat[] = {"zcat", gz, NULL};
	struct strbuf config = {0};
	char *sym = xasprintf("\nCONFIG_%s=", name), *hit, ans = 0;
	struct utsname u;
	size_t i;

	for (i = 8; sym[i] != '='; i++)
		sym[i] = (char)toupper((unsigned char)sym[i]);
	if ((access(gz, F_OK) != 0 || util_run(zcat, NULL, 0, &config) != 0) && uname(&u) == 0) {
		char *path = xasprintf("%s/boot/config-%s", root, u.release);
		FILE *f = fopen(path, "r");
		char line[512];

		sb_free(&config);
		while (f && fgets(line, sizeof(line), f))
			sb_add(&config, line);
		if (f)
			fclose(f);
		free(path);
	}
	if (config.len) {
		/* the symbol at the start of a line, the first line too */
		if (strncmp(config.buf, sym + 1, strlen(sym + 1)) == 0)
			ans = config.buf[strlen(sym + 1)];
		else
			ans = (hit = strstr(config.buf, sym)) ? hit[strlen(sym)] : 'n';
	}
	free(gz);
	free(sym);
	sb_free(&config);
	return ans;
}

bool kmod_present(const char *root, const char *proc, const char *name)
{
	char *path = xasprintf("%s/sys/module/%s", root, name);
	bool loaded = access(path, F_OK) == 0;

	free(path);
	return loaded || kmod_in_list(root, "modules.builtin", name) == 1 ||
	       kmod_config(root, proc, name) == 'y';
}

int kmod_state(const char *root, const char *proc, const char *name)
{
	char config;

	if (kmod_present(root, proc, name))
		return 1;
	config = kmod_config(root, proc, name);
	if (config && config != 'm')
		return 0;
	return kmod_in_list(root, "modules.dep", name);
}
