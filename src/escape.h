/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * escape.h - one escaping function per language of generated text.
 *
 * Every string from outside masqgen that reaches generated text (the
 * policy path, rule comments, log prefixes, interface names) goes through
 * the function of the language it lands in, so a newline in a path cannot
 * start a line of its own in an nft script, iptables-restore input, a
 * shell script or a systemd unit.
 *
 * None of them lets a control character through: a C0 control, DEL, a C1
 * control written in UTF-8, or a byte that is not part of valid UTF-8 is
 * "unprintable" and becomes '?' ('_' in nft strings). Everything else
 * comes out so that the language reads back exactly the input with those
 * replacements (tests/fuzz/fuzz_escape.c checks that).
 */
#ifndef MASQGEN_ESCAPE_H
#define MASQGEN_ESCAPE_H

#include "util.h"

#include <stddef.h>

/*
 * The length in bytes of the printable character @s starts with (1 to 4),
 * or 0 when it is unprintable (or the end of the string).
 */
size_t escape_char_len(const char *s);

/* Text for a '#' comment line (shell, nft, iptables-restore, YAML). */
void escape_comment(struct strbuf *sb, const char *s);

/*
 * The inside of an nft double-quoted string (the caller writes the quotes):
 * nft has no escapes, so '"' and '\' become '_' as unprintable ones do.
 * A log prefix holding '$' needs nft_text.c's define as well.
 */
void escape_nft_string(struct strbuf *sb, const char *s);

/* How many bytes at the start of @s escape_nft_string() copies as they are. */
size_t escape_nft_plain_len(const char *s);

/*
 * One word of an iptables-restore line: bare when iptables-save writes it
 * so, else in double quotes with '"', '\' and '\'' escaped by '\'.
 */
void escape_ipt_word(struct strbuf *sb, const char *s);

/* One POSIX shell word, in single quotes; the caller owns the result. */
char *escape_shell_word(const char *s);

/*
 * One word of a systemd unit's command line (ExecStart=): bare when made
 * of letters, digits and /._+-@:,=, else double-quoted with '\' and '"'
 * escaped; '%' and '$' are doubled, so no specifier or variable expands.
 */
void escape_unit_word(struct strbuf *sb, const char *s);

/* The inside of a .masq double-quoted string: '"' and '\' escaped by '\'. */
void escape_masq_string(struct strbuf *sb, const char *s);

#endif
