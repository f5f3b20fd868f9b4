// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_kmod.c - whether a kernel module is there, read from a tree of the
 * test's own (a root for /sys, /lib/modules and /boot, and a proc root):
 * a module built into the kernel needs no loading, so apply does not warn
 * that it cannot load it.
 */
#include "kmod.h"
#include "unit.h"
#include "util.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static char root[64], proc[80];
static struct utsname uts;

static void put(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", root, rel), *dir = xstrdup(path), *slash;
	FILE *f;

	for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(dir);
	free(path);
}

static void clean(void)
{
	char *const rm[] = {"rm", "-rf", root, NULL};

	util_run(rm, NULL, 0, NULL);
	CHECK(mkdir(root, 0700) == 0);
	CHECK(mkdir(proc, 0700) == 0);
}

static char *lib(const char *list)
{
	return xasprintf("lib/modules/%s/%s", uts.release, list);
}

static void test_builtin(void)
{
	char *p = lib("modules.builtin");

	clean();
	/* nothing tells */
	CHECK(!kmod_present(root, proc, "nf_nat_ftp"));
	CHECK(kmod_state(root, proc, "nf_nat_ftp") == -1);
	/* built in: listed in modules.builtin, not in /sys/module */
	put(p, "kernel/net/netfilter/nf_nat_sip.ko\nkernel/net/netfilter/nf_nat_ftp.ko\n");
	CHECK(kmod_present(root, proc, "nf_nat_ftp"));
	CHECK(kmod_state(root, proc, "nf_nat_ftp") == 1);
	CHECK(!kmod_present(root, proc, "nf_nat_irc"));
	/* a longer name is not a match */
	CHECK(!kmod_present(root, proc, "nf_nat"));
	free(p);
}

static void test_loaded_and_installed(void)
{
	char *p = lib("modules.dep");

	clean();
	put("sys/module/nf_nat_irc/refcnt", "0\n");
	CHECK(kmod_present(root, proc, "nf_nat_irc"));
	/* installed as a module: available, but it must be loaded */
	put(p, "kernel/net/netfilter/nf_nat_tftp.ko.xz: kernel/net/netfilter/nf_nat.ko.xz\n");
	CHECK(!kmod_present(root, proc, "nf_nat_tftp"));
	CHECK(kmod_state(root, proc, "nf_nat_tftp") == 1);
	CHECK(kmod_state(root, proc, "nf_nat_amanda") == 0);
	free(p);
}

static void test_config(void)
{
	char *p = xasprintf("boot/config-%s", uts.release);

	clean();
	put(p, "CONFIG_NF_NAT_FTP=y\nCONFIG_NF_NAT_SIP=m\n# CONFIG_NF_NAT_IRC is not set\n");
	CHECK(kmod_present(root, proc, "nf_nat_ftp"));
	CHECK(!kmod_present(root, proc, "nf_nat_sip"));
	CHECK(kmod_state(root, proc, "nf_nat_sip") == -1);
	CHECK(kmod_state(root, proc, "nf_nat_irc") == 0);
	free(p);
}

int main(void)
{
	char *const rm[] = {"rm", "-rf", root, NULL};

	snprintf(root, sizeof(root), "/tmp/masqgen-kmod-%d", (int)getpid());
	snprintf(proc, sizeof(proc), "%s/proc", root);
	if (uname(&uts) < 0)
		return 1;
	RUN(test_builtin);
	RUN(test_loaded_and_installed);
	RUN(test_config);
	util_run(rm, NULL, 0, NULL);
	UNIT_EXIT();
}
