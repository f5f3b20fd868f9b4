// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * show.c - `masqgen show`: `nft list table` of masqgen's tables. nft's
 * printer is the one admins know, and listing from the kernel shows what
 * is loaded, not what masqgen meant to load.
 */
#include "cli.h"
#include "diag.h"
#include "kernel_cmd.h"
#include "nft.h"
#include "util.h"

#include <stdio.h>

int cmd_show(int argc, char **argv)
{
	static const char help[] =
	    "usage: masqgen show\n\n"
	    "Print masqgen's loaded tables (ip masqgen, ip6 masqgen) as nft lists them,\n"
	    "with counters. Exit status 3 when none is loaded.\n\n"
	    "  -h, --help  this text\n";
	struct kernel_cmd_opts o;
	struct nft_state st;
	struct strbuf out = {0};
	int rc = kernel_cmd_args(argc, argv, help, false, false, &o);

	if (rc >= 0)
		return rc;
	if (nft_state_read(&st) < 0)
		return EXIT_SYSTEM;
	if (!st.ip && !st.ip6) {
		diag_error(NULL, "no masqgen table is loaded (see 'masqgen apply')");
		return EXIT_SYSTEM;
	}
	rc = nft_list(&st, false, &out) < 0 ? EXIT_SYSTEM : EXIT_OK;
	if (out.len)
		fwrite(out.buf, 1, out.len, stdout);
	sb_free(&out);
	return rc;
}
