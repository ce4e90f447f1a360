/* A growable, always NUL-terminated string used to assemble requests.
 * Invariants: data is NULL until the first append (strbuf_str then gives
 * NULL only after a failure); once an allocation fails, failed stays set
 * and every later append does nothing; the bytes it held are wiped
 * whenever it grows or is freed (requests carry signatures and tokens). */
#ifndef DCDN_STRBUF_H
#define DCDN_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
  char *data;
  size_t len;
  size_t cap;
  /* Set once an allocation fails; later appends are no-ops so callers can
   * check once at the end instead of after every append. */
  bool failed;
} strbuf_t;

#define STRBUF_INIT                                                            \
  { NULL, 0, 0, false }

void strbuf_free(strbuf_t *sb);
void strbuf_reset(strbuf_t *sb);
void strbuf_append(strbuf_t *sb, const char *s);
void strbuf_append_len(strbuf_t *sb, const char *s, size_t len);
void strbuf_append_char(strbuf_t *sb, char c);
__attribute__((format(printf, 2, 3))) void strbuf_printf(strbuf_t *sb,
                                                         const char *fmt, ...);
/* Appends at most max bytes of s for a log line or a notification:
 * control characters (a peer's newlines, escape sequences, C1 controls)
 * become spaces, each byte that is not part of valid UTF-8 becomes U+FFFD,
 * valid UTF-8 stays as it is, a cut falls between characters and is
 * marked with "...". */
void strbuf_append_printable(strbuf_t *sb, const char *s, size_t max);
/* A printable copy (as strbuf_append_printable makes it, uncut) for the
 * caller to free; NULL when out of memory. */
char *strbuf_printable_dup(const char *s);
/* The bytes of the valid UTF-8 character s starts with (1 to 4), or 0 for
 * none: NUL, a stray continuation byte, an overlong form, a surrogate, a
 * code point past U+10FFFF or a sequence cut short. */
size_t strbuf_utf8_char_len(const char *s);
/* The longest prefix of s of at most max bytes that splits no character
 * (a byte of invalid UTF-8 counts as one). */
size_t strbuf_utf8_fit(const char *s, size_t max);
__attribute__((format(printf, 2, 0))) void
strbuf_vprintf(strbuf_t *sb, const char *fmt, va_list ap);
/* Returns the string ("" when empty) or NULL after an allocation failure. */
const char *strbuf_str(strbuf_t *sb);
/* Hands the buffer to the caller (who frees it); the strbuf becomes empty. */
char *strbuf_take(strbuf_t *sb);

#endif
