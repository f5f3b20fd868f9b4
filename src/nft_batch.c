// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_batch.c - the transport of the nft backend: one netlink transaction
 * to nf_tables, built the way nft builds big rulesets.
 *
 * Messages are written into libnftnl batch pages of 2 MiB (with room for
 * one more message of the largest size past the page end), so a ruleset
 * of any size is one transaction. The begin message is ours: libnftnl's
 * helper cannot carry NFNL_BATCH_GENID. Every message gets its own
 * sequence number, and the policy location it came from is kept at that
 * number, so the kernel's error for a message names the policy line.
 *
 * nfnetlink handles a batch inside sendmsg(): when it returns, every
 * answer is already queued on our socket. Only errors are answered (no
 * NLM_F_ACK), so the queue is read without blocking until it is empty.
 */
#include "nft.h"

#include "nl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#define NFT_BATCH_PAGE_SIZE (2u * 1024 * 1024)
/* The largest message: a set element list, whose nest length is 16 bits. */
#define NFT_BATCH_MSG_MAX (UINT16_MAX + 4096u)
/* Room for one error answer even when the kernel cannot cap it. */
#define NFT_BATCH_RECV_SIZE (NFT_BATCH_MSG_MAX + 4096u)

struct nft_batch {
	struct nftnl_batch *pages;
	uint32_t seq_base; /* the begin message's sequence number */
	uint32_t seq;	   /* the next message's sequence number */
	struct loc *locs;  /* [seq - seq_base]: where each message came from */
	uint32_t page_len; /* bytes of messages in the current page */
	uint32_t zeroed;   /* bytes from the current page's start known to be zero */
	size_t n_locs, cap_locs;
	bool ended; /* the end message has been written */
};

/*
 * Zero the room of the next message: libmnl leaves the padding after an
 * attribute of odd length unwritten, and the kernel (and valgrind) should
 * not see stale heap bytes. A message starts at most NFT_BATCH_PAGE_SIZE
 * bytes into its page (the message that crosses that moves to the next
 * page) and is at most NFT_BATCH_MSG_MAX long, which is what a page
 * allocates past NFT_BATCH_PAGE_SIZE. So the NFT_BATCH_MSG_MAX bytes from
 * the current position are zeroed, each byte of a page once (@new_page:
 * the page was just started), rather than the whole page up front: a
 * small batch touches little memory.
 */
static void nft_batch_zero_next(struct nft_batch *b, bool new_page)
{
	uint8_t *pos = nftnl_batch_buffer(b->pages);
	uint32_t len = nftnl_batch_buffer_len(b->pages), want = len + NFT_BATCH_MSG_MAX;

	if (new_page || b->zeroed < len)
		b->zeroed = len;
	if (want > b->zeroed) {
		memset(pos + (b->zeroed - len), 0, want - b->zeroed);
		b->zeroed = want;
	}
}

/* Close the message just written at nftnl_batch_buffer(); a new page if needed. */
static void nft_batch_advance(struct nft_batch *b, const struct loc *loc)
{
	struct loc *slot = VEC_PUSH(b->locs, b->n_locs, b->cap_locs);

	if (loc)
		*slot = *loc;
	else
		memset(slot, 0, sizeof(*slot));
	if (nftnl_batch_update(b->pages) < 0)
		util_oom();
	/* a new page holds only the message that did not fit the last one */
	nft_batch_zero_next(b, nftnl_batch_buffer_len(b->pages) < b->page_len);
	b->page_len = nftnl_batch_buffer_len(b->pages);
	b->seq++;
}

/* A batch control message (begin or end) for the nftables subsystem. */
static struct nlmsghdr *nft_batch_ctl(void *buf, uint16_t type, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(NFNL_SUBSYS_NFTABLES);
	return nlh;
}

struct nft_batch *nft_batch_new(uint32_t genid)
{
	struct nft_batch *b = xcalloc(1, sizeof(*b));
	struct nlmsghdr *nlh;

	b->pages = nftnl_batch_alloc(NFT_BATCH_PAGE_SIZE, NFT_BATCH_MSG_MAX);
	if (!b->pages)
		util_oom();
	b->seq_base = nl_seq();
	b->seq = b->seq_base;
	nft_batch_zero_next(b, true);
	nlh = nft_batch_ctl(nftnl_batch_buffer(b->pages), NFNL_MSG_BATCH_BEGIN, b->seq);
	if (genid)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	nft_batch_advance(b, NULL);
	return b;
}

void *nft_batch_buf(struct nft_batch *b)
{
	return nftnl_batch_buffer(b->pages);
}

uint32_t nft_batch_seq(const struct nft_batch *b)
{
	return b->seq;
}

void nft_batch_next(struct nft_batch *b, const struct loc *loc)
{
	nft_batch_advance(b, loc);
}

void nft_batch_free(struct nft_batch *b)
{
	if (!b)
		return;
	nftnl_batch_free(b->pages);
	free(b->locs);
	free(b);
}

/*
 * Make the socket buffers hold the whole batch and every answer. Forcing
 * needs CAP_NET_ADMIN; without it, the plain option up to the system
 * maximum is the best there is, and sendmsg() says EMSGSIZE if too small.
 */
static void nft_batch_buffers(struct mnl_socket *nl, const struct iovec *iov, int n_iov,
			      size_t n_msgs)
{
	int fd = mnl_socket_get_fd(nl);
	size_t want_rcv = n_msgs * 1024, send_len = 0;
	int snd, rcv, i;

	for (i = 0; i < n_iov; i++)
		send_len += iov[i].iov_len;

	snd = send_len > INT32_MAX / 2 ? INT32_MAX / 2 : (int)send_len + 4096;
	rcv = want_rcv > INT32_MAX / 2 ? INT32_MAX / 2 : (int)want_rcv;
	if (rcv < MNL_SOCKET_BUFFER_SIZE * 32)
		rcv = MNL_SOCKET_BUFFER_SIZE * 32;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
}

static int nft_batch_err_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type <= NLMSGERR_ATTR_MAX)
		tb[type] = attr;
	return MNL_CB_OK;
}

/* The kernel's extended ack text in the error @nlh, or NULL. */
static const char *nft_batch_ext_ack(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {NULL};
	size_t off = sizeof(*err);
	const char *text;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (mnl_nlmsg_size(off) > nlh->nlmsg_len)
		return NULL;
	if (mnl_attr_parse(nlh, off, nft_batch_err_attr, tb) != MNL_CB_OK)
		return NULL;
	if (!tb[NLMSGERR_ATTR_MSG] || mnl_attr_validate(tb[NLMSGERR_ATTR_MSG], MNL_TYPE_NUL_STRING))
		return NULL;
	text = mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]);
	return *text ? text : NULL;
}

/* The policy place of the message with sequence number @seq, or NULL. */
static const struct loc *nft_batch_loc(const struct nft_batch *b, uint32_t seq)
{
	uint32_t i = seq - b->seq_base;

	if (i >= b->n_locs || !b->locs[i].src)
		return NULL;
	return &b->locs[i];
}

/*
 * The kernel answers every refused message, and one refusal often makes
 * the messages after it fail the same way (they name a table or chain it
 * refused). So each reason is reported once, by its first message, and
 * the rest are counted.
 */
#define NFT_BATCH_REASONS 8

struct nft_batch_answers {
	unsigned errors, repeated;
	int reasons[NFT_BATCH_REASONS];
	size_t n_reasons;
	bool restart;
};

static bool nft_batch_reported(struct nft_batch_answers *ans, int error)
{
	size_t i;

	for (i = 0; i < ans->n_reasons; i++)
		if (ans->reasons[i] == error)
			return true;
	if (ans->n_reasons == NFT_BATCH_REASONS)
		return true;
	ans->reasons[ans->n_reasons++] = error;
	return false;
}

/* Report one error answer; ERESTART on the begin message is the genid check. */
static void nft_batch_answer(const struct nft_batch *b, const struct nlmsghdr *nlh,
			     struct nft_batch_answers *ans)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const char *text;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)) || err->error == 0)
		return;
	if (err->error == -ERESTART && nlh->nlmsg_seq == b->seq_base) {
		ans->restart = true;
		return;
	}
	ans->errors++;
	if (nft_batch_reported(ans, err->error)) {
		ans->repeated++;
		return;
	}
	text = nft_batch_ext_ack(nlh);
	if (text)
		diag_error(nft_batch_loc(b, nlh->nlmsg_seq),
			   "the kernel refused the ruleset: %s (%s)", strerror(-err->error), text);
	else
		diag_error(nft_batch_loc(b, nlh->nlmsg_seq), "the kernel refused the ruleset: %s",
			   strerror(-err->error));
}

/* Read every queued answer. Returns 0, or -1 if answers were lost. */
static int nft_batch_read(const struct nft_batch *b, struct mnl_socket *nl,
			  struct nft_batch_answers *ans)
{
	char *buf = xmalloc(NFT_BATCH_RECV_SIZE);
	uint32_t portid = mnl_socket_get_portid(nl);
	const struct nlmsghdr *nlh;
	int len, rc = 0;

	for (;;) {
		len = (int)recv(mnl_socket_get_fd(nl), buf, NFT_BATCH_RECV_SIZE, MSG_DONTWAIT);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				diag_error(NULL, "cannot read the kernel's answer: %s",
					   strerror(errno));
				rc = -1;
			}
			break;
		}
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_pid != portid && nlh->nlmsg_pid != 0)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				nft_batch_answer(b, nlh, ans);
		}
	}
	free(buf);
	return rc;
}

int nft_batch_send(struct nft_batch *b, bool commit)
{
	struct nft_batch_answers ans = {0};
	struct sockaddr_nl snl = {.nl_family = AF_NETLINK};
	struct msghdr msg = {0};
	struct mnl_socket *nl;
	struct iovec *iov;
	int n_iov, rc = -1;

	if (commit && !b->ended) {
		nft_batch_ctl(nftnl_batch_buffer(b->pages), NFNL_MSG_BATCH_END, b->seq);
		nft_batch_advance(b, NULL);
		b->ended = true;
	}
	nl = nl_open();
	if (!nl)
		return -1;
	n_iov = nftnl_batch_iovec_len(b->pages);
	iov = xcalloc((size_t)n_iov, sizeof(*iov));
	nftnl_batch_iovec(b->pages, iov, (uint32_t)n_iov);
	nft_batch_buffers(nl, iov, n_iov, b->n_locs);
	msg.msg_name = &snl;
	msg.msg_namelen = sizeof(snl);
	msg.msg_iov = iov;
	msg.msg_iovlen = (size_t)n_iov;
	if (sendmsg(mnl_socket_get_fd(nl), &msg, 0) < 0) {
		diag_error(NULL, "cannot send the ruleset to the kernel: %s", strerror(errno));
		goto out;
	}
	if (nft_batch_read(b, nl, &ans) < 0)
		goto out;
	if (ans.repeated)
		diag_note(NULL, "%u more %s of the batch %s refused for the same %s", ans.repeated,
			  ans.repeated == 1 ? "message" : "messages",
			  ans.repeated == 1 ? "was" : "were",
			  ans.n_reasons == 1 ? "reason" : "reasons");
	if (ans.restart)
		rc = -2;
	else if (ans.errors == 0)
		rc = 0;
out:
	free(iov);
	mnl_socket_close(nl);
	return rc;
}

static int nft_batch_genid_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN))
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(attr) == NFTA_GEN_ID &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			*(uint32_t *)data = ntohl(mnl_attr_get_u32(attr));
	}
	return MNL_CB_OK;
}

uint32_t nft_genid_on(struct mnl_socket *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t genid = 0;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, 0);
	if (nl_request(nl, nlh, nft_batch_genid_cb, &genid) < 0) {
		diag_error(NULL, "cannot read the nftables generation: %s", strerror(errno));
		genid = 0;
	}
	return genid;
}

#define READ_TRIES 5

uint32_t nft_read_stable(int (*read)(struct mnl_socket *nl, uint32_t genid, void *ctx),
			 void (*reset)(void *ctx), void *ctx, const char *what)
{
	struct mnl_socket *nl = nl_open();
	uint32_t before = 0, after;
	int tries, rc, err;

	if (!nl)
		return 0;
	for (tries = 0; tries < READ_TRIES; tries++) {
		/* the generation on the read's own socket: no socket of its own */
		before = nft_genid_on(nl);
		if (!before)
			break;
		rc = read(nl, before, ctx);
		err = errno;
		after = nft_genid_on(nl);
		if (rc == 0 && after == before)
			break;
		reset(ctx);
		if (rc < 0 && after == before && err != EINTR) {
			diag_error(NULL, "cannot %s: %s", what, strerror(err));
			before = 0;
			break;
		}
	}
	if (tries == READ_TRIES) {
		diag_error(NULL, "cannot %s: it keeps changing", what);
		before = 0;
	}
	mnl_socket_close(nl);
	return before;
}
