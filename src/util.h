/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util.h - allocation helpers that abort on failure, and growable arrays.
 *
 * Every x*() allocator returns memory the caller owns; they never return
 * NULL (out of memory prints a message and exits with 3).
 */
#ifndef MASQGEN_UTIL_H
#define MASQGEN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Print "out of memory" and exit 3 (for allocations made by libraries). */
void util_oom(void) __attribute__((noreturn));

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
/* @p from a library allocator (libnftnl's *_alloc()): exits like the above when NULL. */
void *xnonnull(void *p);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/*
 * Grow the array *v of element size @size so it holds at least @need
 * elements; *cap is its current capacity. Doubles, so appends are O(1)
 * amortized.
 */
void util_grow(void *v, size_t *cap, size_t need, size_t size);

/* Append one element to a (v, n, cap) array; evaluates to its address. */
#define VEC_PUSH(v, n, cap)                                                    \
	(util_grow(&(v), &(cap), (n) + 1, sizeof(*(v))), &(v)[(n)++])

struct util_out;

/*
 * A growable string buffer; buf is always NUL-terminated once used. With
 * spill set, sb_spill() hands the text written so far to that output.
 */
struct strbuf {
	char *buf;
	size_t len, cap;
	struct util_out *spill;	/* not owned */
};

void sb_add(struct strbuf *sb, const char *s);
void sb_addn(struct strbuf *sb, const char *s, size_t n);
/* @v in decimal, as "%lu" prints it (without printf: the nft text prints millions) */
void sb_addu(struct strbuf *sb, unsigned long v);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_free(struct strbuf *sb);
/*
 * util_write.c: once @sb holds a megabyte and has a spill output, write its text there
 * and empty it (a writer calls this where what it wrote is final, so a
 * big ruleset is never held whole). A failed write is reported by
 * util_out_close().
 */
void sb_spill(struct strbuf *sb);

/* Write all @len bytes of @data to @fd (EINTR retried). Returns 0, or -1 with errno. */
int util_write_all(int fd, const char *data, size_t len);

/*
 * util_write.c: write @len bytes of @data to @path as "-o FILE" does. A regular file (or
 * a new one) is replaced through a temporary file in the same directory
 * and a rename, so a failure never leaves half a file; it gets @mode (set
 * before the rename), or with @mode 0 the mode of the file it replaces (a
 * new one: 0600). A character device or a FIFO is written into, opened
 * as a shell's "> FILE" opens it, and stays what it is. A symbolic link
 * stays a link: what it points to is written by the same rules. Anything
 * else (a directory, a block device, a socket) is refused. @path "-" or
 * NULL means stdout. Returns 0, or -1 after printing why.
 */
int util_write_file_mode(const char *path, const char *data, size_t len, mode_t mode);

/* util_write_file_mode() with @mode 0. */
int util_write_file(const char *path, const char *data, size_t len);

/*
 * util_write_file() for a record of kernel state that a reboot resets (the
 * settings and routes apply changed): replaced as atomically for every
 * process, but not synced to disk. A crash may leave the old record or an
 * empty one; either describes the state a reboot leaves as well as the
 * lost one would, and the first apply of a new boot reads its settings
 * afresh where the record lacks them. What must outlive a reboot (the
 * last good ruleset, boot scripts, -o files) is synced.
 */
int util_write_record(const char *path, const char *data, size_t len);

/*
 * The first half of util_write_file() for a regular file @path or a new
 * one: @data in a new temporary file beside it (the mode of the file it
 * will replace, or 0600), synced. Returns its name for the caller to
 * rename over @path or remove (and free), or NULL when it was not written
 * (@path is something else, or an error: util_write_file() then says
 * which). Reports nothing, so a thread may call it.
 */
char *util_write_temp(const char *path, const char *data, size_t len);

/*
 * Remove the temporary files util_write_temp() made beside @path that
 * nobody renamed or removed (a process killed in between): every
 * "@path.XXXXXX" in its directory. For a caller that holds the lock of
 * everything that writes @path.
 */
void util_remove_temps(const char *path);

/*
 * The same output written in pieces: util_out_new() takes @path and @mode
 * as util_write_file_mode() does (the caller owns the result until
 * util_out_close()); the output is opened at the first util_out_write(),
 * so nothing is touched before something is written. After a failure
 * (printed once) writes do nothing. util_out_close(@o, true) finishes the
 * output (renames a regular file's temporary file into place; an empty
 * one when nothing was written), @commit false removes the temporary file
 * (stdout, a device or a FIFO keep what they got); it frees @o and
 * returns 0, or -1 when the output failed or was not committed.
 */
struct util_out *util_out_new(const char *path, mode_t mode);
int util_out_write(struct util_out *o, const char *data, size_t len);
int util_out_close(struct util_out *o, bool commit);

/*
 * Run @argv (argv[0] searched in PATH, no shell) with @input (@len bytes;
 * NULL: /dev/null) on its stdin, appending what it prints on stdout and
 * stderr to @out (may be NULL). Returns its exit status, or 127 when it
 * could not be run or did not exit normally.
 */
int util_run(char *const argv[], const char *input, size_t len, struct strbuf *out);
/* The same with nothing on stdin, and only stdout in @out (stderr is discarded). */
int util_run_stdout(char *const argv[], struct strbuf *out);

/*
 * Run @fn(@arg, FD) in a forked child (it may unshare namespaces freely),
 * appending what it writes to FD to @out (may be NULL); the child exits
 * with what @fn returns. Returns that exit status, 127 when the child did
 * not exit normally, or -errno when it could not be started.
 */
int util_run_child(int (*fn)(const void *arg, int fd), const void *arg, struct strbuf *out);

/*
 * The interface of this namespace that holds address @addr of @family
 * (AF_INET: 4 bytes, AF_INET6: 16, network order), an alias label counting
 * as its device; with @only, just that device counts. Its name goes to
 * @name (IF_NAMESIZE bytes) when not NULL. 0, or -1 when none holds it.
 */
int util_addr_iface(int family, const void *addr, const char *only, char *name);

/* CLOCK_MONOTONIC in milliseconds: for deadlines. */
long util_now_ms(void);

/* FNV-1a, 64 bits: @h (start from UTIL_HASH_INIT) mixed with @len bytes at @data. */
#define UTIL_HASH_INIT 0xcbf29ce484222325ull
uint64_t util_hash(uint64_t h, const void *data, size_t len);

/*
 * The positions 0..@n-1 of @keys in ascending order of their key, equal
 * keys in position order: a stable radix sort, linear in @n (a comparison
 * sort of 100,000 set elements costs milliseconds). Free the result.
 */
size_t *util_sort_keys(const uint64_t *keys, size_t n);

#endif
