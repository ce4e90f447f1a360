/* A growable, always NUL-terminated string used to assemble requests. */
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
/* Appends at most max bytes of s for a log line: control characters (a
 * peer's newlines, escape sequences) become spaces, and a cut is marked
 * with "...". */
void strbuf_append_printable(strbuf_t *sb, const char *s, size_t max);
__attribute__((format(printf, 2, 0))) void
strbuf_vprintf(strbuf_t *sb, const char *fmt, va_list ap);
/* Returns the string ("" when empty) or NULL after an allocation failure. */
const char *strbuf_str(strbuf_t *sb);
/* Hands the buffer to the caller (who frees it); the strbuf becomes empty. */
char *strbuf_take(strbuf_t *sb);

#endif
