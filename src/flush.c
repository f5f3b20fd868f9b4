// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flush.c - `masqgen flush`, the reverse of apply: the kernel settings
 * apply replaced are written back first (so forwarding stops before the
 * filter goes), then masqgen's tables or chains go.
 */
#include "apply.h"
#include "cli.h"
#include "diag.h"
#include "ipt.h"
#include "kernel_cmd.h"
#include "nft.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cmd_flush(int argc, char **argv)
{
	static const char help[] =
	    "usage: masqgen flush [-t nft|iptables]\n\n"
	    "Undo 'masqgen apply': first write back the kernel settings apply replaced\n"
	    "(so forwarding stops before the filter goes), then delete masqgen's tables\n"
	    "(ip masqgen, ip6 masqgen) in one transaction. No other table is touched.\n"
	    "Nothing loaded is not an error.\n\n"
	    "  -t, --target TARGET  nft (the default), or iptables: unhook and delete\n"
	    "                       masqgen's own iptables and ip6tables chains instead\n"
	    "  -h, --help           this text\n";
	struct kernel_cmd_opts o;
	char *state;
	int lock, rc = kernel_cmd_args(argc, argv, help, false, true, &o);

	if (rc >= 0)
		return rc;
	rc = EXIT_SYSTEM;
	lock = kernel_cmd_lock();
	if (lock < 0)
		return rc;
	state = kernel_cmd_state_path();
	if (!state)
		goto out;
	if (sysctls_restore(state) < 0) {
		diag_note(NULL, "masqgen's rules stay loaded, so nothing is routed without them");
		goto out;
	}
	if (strcmp(o.target, "iptables") == 0 ? ipt_flush() == 0 : nft_unload() == 0)
		rc = EXIT_OK;
out:
	free(state);
	close(lock);
	return rc;
}
