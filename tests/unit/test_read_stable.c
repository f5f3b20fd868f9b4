// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_read_stable.c - nft_read_stable() against the real kernel in a
 * network namespace of the test's own: a read that a commit falls into is
 * taken again, an interrupted one too, a failed one is reported once, and
 * a ruleset that never holds still is reported as such (needs root;
 * without it nothing is run and no test is counted as passed).
 */
#include "diag.h"
#include "nft.h"
#include "unit_netns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct reader {
	int calls, resets;
	int commit_calls;	/* the first this many reads commit something */
	int fail_errno;		/* the first read fails with this errno (0: none) */
	uint32_t seen;		/* the generation the last read was given */
};

/* A commit in the namespace: a table added, or deleted when it exists. */
static void commit_something(void)
{
	if (system("nft add table ip rs_probe 2>/dev/null") != 0 ||
	    system("nft delete table ip rs_probe") != 0)
		printf("  cannot commit with nft\n");
}

static int reader_read(struct mnl_socket *nl, uint32_t genid, void *ctx)
{
	struct reader *r = ctx;

	r->calls++;
	r->seen = genid;
	if (r->calls <= r->commit_calls)
		commit_something();
	if (r->calls == 1 && r->fail_errno) {
		errno = r->fail_errno;
		return -1;
	}
	return 0;
}

static void reader_reset(void *ctx)
{
	((struct reader *)ctx)->resets++;
}

struct run {
	struct reader *r;
	uint32_t genid;
};

static void run_read(void *ctx)
{
	struct run *run = ctx;

	run->genid = nft_read_stable(reader_read, reader_reset, run->r, "read the probe");
}

/* stderr of @r's run (caller frees), with nft_read_stable's result in *@genid. */
static char *run_captured(struct reader *r, uint32_t *genid)
{
	struct run run = {.r = r};
	char *err = unit_stderr_of(run_read, &run);

	*genid = run.genid;
	return err;
}

static void test_quiet_ruleset_read_once(void)
{
	struct reader r = {0};
	uint32_t g;
	char *err = run_captured(&r, &g);

	CHECK_STR(err, "");
	CHECK(r.calls == 1 && r.resets == 0);
	CHECK(g != 0 && g == r.seen && g == unit_genid());
	free(err);
}

static void test_commit_inside_read_is_read_again(void)
{
	struct reader r = {.commit_calls = 2};
	uint32_t g;
	char *err = run_captured(&r, &g);

	CHECK_STR(err, "");
	CHECK(r.calls == 3 && r.resets == 2);
	CHECK(g != 0 && g == r.seen && g == unit_genid());
	free(err);
}

static void test_interrupted_read_is_read_again(void)
{
	struct reader r = {.fail_errno = EINTR};
	uint32_t g;
	char *err = run_captured(&r, &g);

	CHECK_STR(err, "");
	CHECK(r.calls == 2 && r.resets == 1);
	CHECK(g != 0 && g == unit_genid());
	free(err);
}

static void test_failed_read_is_reported(void)
{
	struct reader r = {.fail_errno = EIO};
	uint32_t g;
	char *err = run_captured(&r, &g);

	CHECK(strstr(err, "cannot read the probe: Input/output error") != NULL);
	CHECK(r.calls == 1 && r.resets == 1);
	CHECK(g == 0);
	free(err);
}

static void test_restless_ruleset_is_reported(void)
{
	struct reader r = {.commit_calls = 1000};
	uint32_t g;
	char *err = run_captured(&r, &g);

	CHECK(strstr(err, "cannot read the probe: it keeps changing") != NULL);
	CHECK(r.calls == 5 && r.resets == 5);
	CHECK(g == 0);
	free(err);
}

static void tests(void)
{
	RUN(test_quiet_ruleset_read_once);
	RUN(test_commit_inside_read_is_read_again);
	RUN(test_interrupted_read_is_read_again);
	RUN(test_failed_read_is_reported);
	RUN(test_restless_ruleset_is_reported);
}

int main(void)
{
	return unit_netns_run("test_read_stable", tests);
}
