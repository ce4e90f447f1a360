/* A growable, always NUL-terminated string: requests, log lines, answers.
 *
 * Invariants, to keep in mind before touching a member:
 *
 *  1. data is NULL until the first append (or strbuf_str) allocates it, and
 *     again after strbuf_free and strbuf_take. Read the text through
 *     strbuf_str, which gives "" rather than NULL for an empty strbuf.
 *  2. When data is not NULL, it holds len bytes and a NUL: len < cap and
 *     data[len] == '\0'.
 *  3. len never passes max, the limit (STRBUF_NO_LIMIT unless strbuf_init
 *     set one), and cap never passes max + 1: growing cannot overflow.
 *  4. A failure is sticky. The first append that fails sets error, to
 *     STRBUF_TOO_LARGE (it would pass max) or STRBUF_NO_MEMORY (malloc
 *     failed), and leaves the text as it was; every later append does
 *     nothing and strbuf_str gives NULL, so that callers check once, at the
 *     end. Only strbuf_free (or strbuf_take) clears it.
 *  5. Every byte it held is wiped when data moves to a larger block and
 *     when it is freed: requests carry signatures and STS tokens, answers
 *     the metadata service's secrets. strbuf_reset wipes nothing (the next
 *     growth or free does).
 *  6. strbuf_take hands data to the caller, who owns it from then on (and
 *     wipes it before free when it may hold a secret); the strbuf is empty
 *     again, with the same limit. */
#ifndef DCDN_STRBUF_H
#define DCDN_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest limit: max + 1 (the NUL) still fits in a size_t. */
#define STRBUF_NO_LIMIT (SIZE_MAX - 1)

typedef enum {
  STRBUF_OK = 0,
  STRBUF_TOO_LARGE, /* an append would have passed max */
  STRBUF_NO_MEMORY  /* an allocation failed */
} strbuf_error_t;

typedef struct {
  char *data;
  size_t len;
  size_t cap;
  size_t max; /* the most bytes it may hold, the NUL not counted */
  strbuf_error_t error;
} strbuf_t;

#define STRBUF_INIT                                                            \
  { NULL, 0, 0, STRBUF_NO_LIMIT, STRBUF_OK }

/* An empty strbuf that holds at most max bytes (the NUL not counted). */
void strbuf_init(strbuf_t *sb, size_t max);
/* Wipes and frees data; the strbuf is empty and usable again, its limit
 * kept and its error cleared. */
void strbuf_free(strbuf_t *sb);
/* Empties the text and keeps the allocation (and any error). */
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
/* Returns the string ("" when empty), or NULL once an append failed (or
 * when even "" cannot be allocated). */
const char *strbuf_str(strbuf_t *sb);
/* Hands the string to the caller, who frees it (NULL after a failure: the
 * text is wiped and freed); the strbuf is empty again. */
char *strbuf_take(strbuf_t *sb);
/* Why an append failed, or STRBUF_OK. */
strbuf_error_t strbuf_error(const strbuf_t *sb);
/* Fails sb as why (what went wrong while making its text elsewhere); an
 * earlier failure is kept. */
void strbuf_fail(strbuf_t *sb, strbuf_error_t why);

#endif
