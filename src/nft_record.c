// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft_record.c - the record of what masqgen's last apply committed
 * (nft_record.h).
 *
 * The file, in the machine's byte order (it never leaves the machine):
 *
 *   "MQNFTRC2"  shape u64  fingerprint u64  netns u64  genid u32  frame u64
 *               chains u32  per chain: its rules' hash u64  sets u32
 *   per set:    family u8  name length u16 (with its NUL)  name  elements u32
 *   per element: key length u8  data length u8  comment: bytes shared with
 *               the previous element's u16 (0xffff: no comment), bytes of
 *               its own u16; key  data  its own bytes
 *   "MQNFTEND"
 *
 * Comments are front coded: a forward map's comments are one path with
 * many line numbers, and sorted elements share most of it.
 */
#include "nft_record.h"

#include "nft_build.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/netfilter/nf_tables.h>

_Static_assert(NFT_KEY_MAX <= NFT_DATA_VALUE_MAXLEN, "an element key fits a netlink value");

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define REC_MAGIC "MQNFTRC2"
#define REC_END "MQNFTEND"
#define REC_NO_COMMENT 0xffffu

bool nft_record_keeps(const struct nft_set *s)
{
	return s->name && !s->interval && !s->dynamic;
}

uint64_t nft_record_netns(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	/* the cookie is never reused while the system runs; an inode may be */
	if (fd >= 0) {
		if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
			cookie = 0;
		close(fd);
	}
	if (cookie)
		return cookie;
	if (stat("/proc/self/ns/net", &st) < 0)
		return 0;
	return ((uint64_t)st.st_dev << 32) ^ (uint64_t)st.st_ino;
}

struct nft_welem *nft_record_wire(const struct nft_set *s, uint8_t **arena)
{
	struct nft_welem *v = xcalloc(s->n + 1, sizeof(*v));
	uint8_t key[NFT_DATA_VALUE_MAXLEN], data[NFT_DATA_VALUE_MAXLEN], *p;
	size_t i, total = 0;

	for (i = 0; i < s->n; i++)
		total += nft_elem_key(s, &s->v[i], key) + nft_elem_data(s, &s->v[i], data);
	*arena = p = xmalloc(total + 1);
	for (i = 0; i < s->n; i++) {
		v[i].klen = (uint8_t)nft_elem_key(s, &s->v[i], key);
		memcpy(p, key, v[i].klen);
		v[i].key = p;
		p += v[i].klen;
		v[i].dlen = (uint8_t)nft_elem_data(s, &s->v[i], data);
		memcpy(p, data, v[i].dlen);
		v[i].data = p;
		p += v[i].dlen;
		v[i].comment = s->v[i].comment;
	}
	return v;
}

static void put(struct strbuf *sb, const void *p, size_t n)
{
	sb_addn(sb, p, n);
}

#define PUT(sb, x) put((sb), &(x), sizeof(x))

/* Append @n bytes at @src to @p; returns the end. */
static uint8_t *emit(uint8_t *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

/* Set @s of family @fam: its header, then each element written in place (a map has 100,000). */
static void put_set(struct strbuf *sb, enum nft_fam fam, const struct nft_set *s)
{
	uint8_t f = (uint8_t)fam, key[NFT_DATA_VALUE_MAXLEN], data[NFT_DATA_VALUE_MAXLEN];
	uint16_t namelen = (uint16_t)(strlen(s->name) + 1), keep, own;
	uint32_t n = (uint32_t)s->n;
	const char *prev = NULL, *comment;
	uint8_t klen, dlen, *p;
	size_t i, clen;

	PUT(sb, f);
	PUT(sb, namelen);
	put(sb, s->name, namelen);
	PUT(sb, n);
	for (i = 0; i < s->n; i++) {
		comment = s->v[i].comment;
		klen = (uint8_t)nft_elem_key(s, &s->v[i], key);
		dlen = (uint8_t)nft_elem_data(s, &s->v[i], data);
		keep = REC_NO_COMMENT;
		own = 0;
		if (comment) {
			clen = strlen(comment);
			if (clen > UINT16_MAX - 1)
				clen = UINT16_MAX - 1;
			for (keep = 0; prev && keep < clen && prev[keep] == comment[keep]; keep++)
				;
			own = (uint16_t)(clen - keep);
		}
		util_grow(&sb->buf, &sb->cap, sb->len + 6 + klen + dlen + own + 1, 1);
		p = (uint8_t *)sb->buf + sb->len;
		p = emit(p, &klen, 1);
		p = emit(p, &dlen, 1);
		p = emit(p, &keep, 2);
		p = emit(p, &own, 2);
		p = emit(p, key, klen);
		p = emit(p, data, dlen);
		if (comment) {
			p = emit(p, comment + keep, own);
			prev = comment;
		}
		sb->len = (size_t)(p - (uint8_t *)sb->buf);
	}
	if (sb->buf)
		sb->buf[sb->len] = '\0';
}

void nft_record_write(const char *path, const struct nft_record *r, const struct nft_model *m)
{
	struct strbuf sb = {0};
	uint32_t n_sets = 0;
	uint32_t n_chains;
	char *tmp = xasprintf("%s.tmp", path);
	size_t i, count_at, size = 4096;
	FILE *f;
	int fam;

	for (fam = 0; fam < NFT_FAM_COUNT; fam++)
		for (i = 0; i < m->t[fam].n_sets; i++)
			size += m->t[fam].sets[i].n * 64;
	util_grow(&sb.buf, &sb.cap, size, 1);
	put(&sb, REC_MAGIC, 8);
	PUT(&sb, r->shape);
	PUT(&sb, r->fingerprint);
	PUT(&sb, r->netns);
	PUT(&sb, r->genid);
	PUT(&sb, r->frame);
	n_chains = (uint32_t)r->n_chains;
	PUT(&sb, n_chains);
	for (i = 0; i < r->n_chains; i++)
		PUT(&sb, r->chains[i]);
	count_at = sb.len;
	PUT(&sb, n_sets);
	for (fam = 0; fam < NFT_FAM_COUNT; fam++) {
		for (i = 0; i < m->t[fam].n_sets; i++) {
			if (!nft_record_keeps(&m->t[fam].sets[i]))
				continue;
			put_set(&sb, (enum nft_fam)fam, &m->t[fam].sets[i]);
			n_sets++;
		}
	}
	memcpy(sb.buf + count_at, &n_sets, sizeof(n_sets));
	put(&sb, REC_END, 8);
	f = fopen(tmp, "w");
	if (f && fchmod(fileno(f), 0600) == 0 && fwrite(sb.buf, 1, sb.len, f) == sb.len &&
	    fclose(f) == 0) {
		f = NULL;
		if (rename(tmp, path) == 0)
			goto out;
	}
	if (f)
		fclose(f);
	unlink(tmp);
	remove(path);
out:
	free(tmp);
	sb_free(&sb);
}

/* A reader of the record's bytes: every read checks the length left. */
struct cursor {
	const char *p, *end;
	bool bad;
};

static const void *take(struct cursor *c, size_t n)
{
	const char *p = c->p;

	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	return p;
}

#define TAKE(c, x) do {                                 \
		const void *_p = take((c), sizeof(x));  \
		if (_p)                                 \
			memcpy(&(x), _p, sizeof(x));    \
	} while (0)

/*
 * Parse the sets after the header: with @r->sets NULL, only check them
 * and count elements and comment bytes; else fill @r->sets and comments.
 */
static void parse_sets(struct cursor *c, struct nft_record *r, uint32_t n_sets, size_t *n_elems,
		       size_t *n_bytes)
{
	size_t s, i, at = 0, prev_len = 0;
	const char *prev = NULL;
	char *out = r->comments;

	for (s = 0; s < n_sets && !c->bad; s++) {
		struct nft_rec_set *rs = r->sets ? &r->sets[s] : NULL;
		uint8_t fam = 0;
		uint16_t namelen = 0;
		uint32_t n = 0;
		const char *name;

		TAKE(c, fam);
		TAKE(c, namelen);
		name = take(c, namelen);
		TAKE(c, n);
		if (c->bad || fam >= NFT_FAM_COUNT || !namelen || name[namelen - 1] != '\0') {
			c->bad = true;
			return;
		}
		if (rs) {
			rs->fam = (enum nft_fam)fam;
			rs->name = name;
			rs->n = n;
			rs->v = xcalloc(n + 1, sizeof(*rs->v));
		}
		prev = NULL;
		for (i = 0; i < n && !c->bad; i++) {
			uint8_t klen = 0, dlen = 0;
			uint16_t keep = 0, own = 0;
			const uint8_t *key, *data;
			const char *mine;

			TAKE(c, klen);
			TAKE(c, dlen);
			TAKE(c, keep);
			TAKE(c, own);
			key = take(c, klen);
			data = take(c, dlen);
			mine = take(c, keep == REC_NO_COMMENT ? 0 : own);
			if (c->bad || (keep != REC_NO_COMMENT && keep > (prev ? prev_len : 0))) {
				c->bad = true;
				return;
			}
			*n_elems += 1;
			if (rs) {
				rs->v[i].key = key;
				rs->v[i].data = data;
				rs->v[i].klen = klen;
				rs->v[i].dlen = dlen;
			}
			if (keep == REC_NO_COMMENT)
				continue;
			*n_bytes += (size_t)keep + own + 1;
			if (rs) {
				if (keep)
					memcpy(out + at, prev, keep);
				memcpy(out + at + keep, mine, own);
				out[at + keep + own] = '\0';
				rs->v[i].comment = out + at;
				prev = out + at;
				at += (size_t)keep + own + 1;
			} else {
				/* counting: any non-NULL stands for the previous comment */
				prev = mine;
			}
			prev_len = (size_t)keep + own;
		}
	}
}

void nft_record_free(struct nft_record *r)
{
	size_t i;

	for (i = 0; i < r->n_sets; i++)
		free(r->sets[i].v);
	free(r->sets);
	free(r->chains);
	if (r->map)
		munmap(r->map, r->size);
	free(r->comments);
	memset(r, 0, sizeof(*r));
}

/* Forget a record that does not parse. */
static void record_drop(struct nft_record *r, void *map, size_t size)
{
	munmap(map, size);
	memset(r, 0, sizeof(*r));
}

void nft_record_read(const char *path, struct nft_record *r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n_elems = 0, n_bytes = 0, size;
	uint32_t n_sets = 0, n_chains = 0;
	const char *head, *buf, *chains;
	struct cursor c;
	struct stat st;
	void *map;

	memset(r, 0, sizeof(*r));
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 16) {
		close(fd);
		return;
	}
	size = (size_t)st.st_size;
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	buf = map;
	c = (struct cursor){.p = buf, .end = buf + size - 8};
	if (memcmp(buf, REC_MAGIC, 8) != 0 || memcmp(c.end, REC_END, 8) != 0) {
		munmap(map, size);
		return;
	}
	take(&c, 8);
	TAKE(&c, r->shape);
	TAKE(&c, r->fingerprint);
	TAKE(&c, r->netns);
	TAKE(&c, r->genid);
	TAKE(&c, r->frame);
	TAKE(&c, n_chains);
	chains = take(&c, (size_t)n_chains * sizeof(*r->chains));
	TAKE(&c, n_sets);
	head = c.p;
	parse_sets(&c, r, n_sets, &n_elems, &n_bytes);
	if (c.bad || c.p != c.end || r->netns != nft_record_netns()) {
		record_drop(r, map, size);
		return;
	}
	r->map = map;
	r->size = size;
	r->chains = xcalloc((size_t)n_chains + 1, sizeof(*r->chains));
	memcpy(r->chains, chains, (size_t)n_chains * sizeof(*r->chains));
	r->n_chains = n_chains;
	r->comments = xmalloc(n_bytes + 1);
	r->sets = xcalloc(n_sets + 1, sizeof(*r->sets));
	r->n_sets = n_sets;
	c.p = head;
	parse_sets(&c, r, n_sets, &n_elems, &n_bytes);
}

const struct nft_rec_set *nft_record_set(const struct nft_record *r, uint32_t genid,
					 enum nft_fam fam, const char *name)
{
	size_t i;

	if (!r || !r->genid || r->genid != genid)
		return NULL;
	for (i = 0; i < r->n_sets; i++)
		if (r->sets[i].fam == fam && strcmp(r->sets[i].name, name) == 0)
			return &r->sets[i];
	return NULL;
}
