// SPDX-License-Identifier: GPL-2.0-or-later
/* main.c - find the command in the table (cli.h) and run it */
#include "cli.h"
#include "diag.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MASQGEN_VERSION
#define MASQGEN_VERSION "0.0-dev"
#endif

/*
 * A large policy builds tens of megabytes of small objects, and on a
 * virtual machine each 4 KB page touched for the first time costs a trap of
 * several microseconds: page faults were a third of the time of an apply
 * of 100,000 forwards. Where the kernel hands out transparent huge pages on
 * request, the first allocation creates malloc's heap with HEAP_PAD to
 * spare (address space only: a page costs memory when it is touched), and
 * masqgen asks for huge pages over it, so that 2 MB fill at one fault.
 * HEAP_PAD covers the whole heap of tens of thousands of forwards; beyond
 * it the heap grows in small pages, which keeps the peak memory of 100,000
 * forwards within the 64 MB that tests/bench/run.sh holds it to. Where the
 * kernel never gives huge pages, or something allocated before main(), the
 * heap is left as it is.
 */
#define HEAP_PAD ((size_t)32 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

static bool huge_pages_on_request(void)
{
	char mode[128];
	ssize_t n = -1;
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, mode, sizeof(mode) - 1);
		close(fd);
	}
	if (n <= 0)
		return false;
	mode[n] = '\0';
	return strstr(mode, "[always]") || strstr(mode, "[madvise]");
}

static void heap_huge_pages(void)
{
	uintptr_t lo, hi;
	void *volatile grow; /* volatile: the compiler may not drop the malloc */

	if (!huge_pages_on_request() || !mallopt(M_TOP_PAD, (int)HEAP_PAD))
		return;
	lo = (uintptr_t)sbrk(0);
	grow = malloc(1);
	if (grow)
		free(grow);
	hi = (uintptr_t)sbrk(0);
	lo = (lo + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	hi &= ~(HUGE_PAGE - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
	else
		mallopt(M_TOP_PAD, 128 << 10); /* glibc's own */
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;
	int rc;

	if (argc < 2) {
		cli_print_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_print_usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("masqgen %s\n", MASQGEN_VERSION);
		return EXIT_OK;
	}
	heap_huge_pages();
	cmd = cli_command_find(argv[1]);
	if (!cmd)
		return cli_unknown_command(argv[1]);
	rc = cli_run(cmd, argc - 1, argv + 1);
	diag_reset();
	return rc;
}
