// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_kernel.c - the nft backend's operations on the running kernel:
 * replace masqgen's tables in one transaction (load, unload, the kernel's
 * validation for `check --kernel`), and list them with nft's printer.
 *
 * Every transaction carries the generation id its read of masqgen's
 * tables shows (the same before and after the read), so the kernel
 * refuses it if anything committed since; nft_replace() then reads again
 * and retries (nft.h).
 */
#include "diag.h"
#include "ir.h"
#include "nft.h"
#include "nft_model.h"
#include "util.h"

#include <errno.h>
#include <time.h>

/*
 * Retries after another program's commit: each after a pause that doubles
 * (1 ms, 2 ms, ... at most 500 ms; about 1.5 s in all), so a burst of
 * commits (fail2ban banning a subnet address by address) ends before apply
 * gives up, and a quiet ruleset costs no wait.
 */
#define NFT_REPLACE_ATTEMPTS 12
#define NFT_REPLACE_PAUSE_MAX_MS 500L

/* The pause before retry @attempt (1, 2, ...). */
static void nft_replace_pause(int attempt)
{
	long ms = attempt <= 9 ? 1L << (attempt - 1) : NFT_REPLACE_PAUSE_MAX_MS;
	struct timespec ts;

	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int nft_replace(nft_fill_fn fill, const void *arg, unsigned flags)
{
	struct nft_state before, after;
	struct nft_batch *b;
	int attempt, rc = -1;

	for (attempt = 0; attempt < NFT_REPLACE_ATTEMPTS; attempt++) {
		if (attempt)
			nft_replace_pause(attempt);
		if (nft_state_read(&before) < 0)
			return -1;
		b = nft_batch_new(before.genid);
		rc = fill(b, &before, arg);
		if (rc == 0)
			rc = nft_batch_send(b, !(flags & NFT_REPLACE_CHECK));
		nft_batch_free(b);
		if (rc == 1)
			return 0;
		if (rc != -2)
			break;
		if (flags & NFT_REPLACE_ANYWAY)
			continue;
		if (nft_state_read(&after) < 0)
			return -1;
		if (after.fingerprint != before.fingerprint) {
			diag_error(NULL, "another program changed masqgen's tables meanwhile; "
					 "nothing was changed (see 'masqgen show')");
			return -1;
		}
	}
	if (rc == -2)
		diag_error(NULL,
			   "the nftables ruleset kept changing (%d attempts); nothing was "
			   "changed",
			   NFT_REPLACE_ATTEMPTS);
	return rc < 0 ? -1 : 0;
}

/* nft_replace()'s filler for nft_load(): @arg is the model. */
static int nft_load_fill(struct nft_batch *b, const struct nft_state *now, const void *arg)
{
	nft_build_upnp(b, arg, now->upnp);
	return nft_build(b, arg, now->ip, now->ip6);
}

/* nft_replace()'s filler for nft_unload(): nothing to send when nothing is loaded. */
static int nft_unload_fill(struct nft_batch *b, const struct nft_state *now, const void *arg)
{
	if (!now->ip && !now->ip6 && !now->upnp)
		return 1;
	return nft_build_delete(b, now->ip, now->ip6, now->upnp);
}

int nft_load(const struct nft_model *m, bool commit)
{
	if (nft_replace(nft_load_fill, m, commit ? 0 : NFT_REPLACE_CHECK) == 0)
		return 0;
	diag_note(NULL, "masqgen's tables are as they were");
	return -1;
}

int nft_unload(void)
{
	return nft_replace(nft_unload_fill, NULL, 0);
}

void *nft_target_lower(const struct ir *ir)
{
	return ir_check_modern(ir) == 0 ? nft_lower(ir) : NULL;
}

void nft_target_release(void *m)
{
	nft_model_free(m);
}

int nft_check_kernel(const struct ir *ir)
{
	struct nft_model *m = nft_target_lower(ir);
	int rc;

	if (!m)
		return -1;
	rc = nft_load(m, false);
	nft_model_free(m);
	return rc;
}
