/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmod.h - is a kernel module there? Read from /sys/module, the kernel
 * configuration (@proc/config.gz or /boot/config-RELEASE) and the module
 * lists of /lib/modules/RELEASE of the running kernel's release, below a
 * root directory @root ("" for the running system; tests point it at a
 * tree of their own) and a proc root @proc ("/proc").
 */
#ifndef MASQGEN_KMOD_H
#define MASQGEN_KMOD_H

#include <stdbool.h>

/* Loaded or built into the running kernel: nothing to load. */
bool kmod_present(const char *root, const char *proc, const char *name);

/*
 * Is module @name available: 1 (loaded, built in, or installed for the
 * running kernel), 0 (the kernel configuration or module lists say no),
 * -1 (nothing tells).
 */
int kmod_state(const char *root, const char *proc, const char *name);

#endif
