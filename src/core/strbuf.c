#include "core/strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool strbuf_reserve(strbuf_t *sb, size_t extra) {
  if (sb->failed)
    return false;
  size_t need = sb->len + extra + 1;
  if (need <= sb->cap)
    return true;
  size_t cap = sb->cap ? sb->cap : 64;
  while (cap < need)
    cap *= 2;
  char *data = realloc(sb->data, cap);
  if (data == NULL) {
    sb->failed = true;
    return false;
  }
  sb->data = data;
  sb->cap = cap;
  return true;
}

void strbuf_free(strbuf_t *sb) {
  free(sb->data);
  *sb = (strbuf_t)STRBUF_INIT;
}

void strbuf_reset(strbuf_t *sb) {
  sb->len = 0;
  if (sb->data != NULL)
    sb->data[0] = '\0';
}

void strbuf_append_len(strbuf_t *sb, const char *s, size_t len) {
  if (!strbuf_reserve(sb, len))
    return;
  memcpy(sb->data + sb->len, s, len);
  sb->len += len;
  sb->data[sb->len] = '\0';
}

void strbuf_append(strbuf_t *sb, const char *s) {
  strbuf_append_len(sb, s, strlen(s));
}

void strbuf_append_char(strbuf_t *sb, char c) { strbuf_append_len(sb, &c, 1); }

void strbuf_append_printable(strbuf_t *sb, const char *s, size_t max) {
  size_t i = 0;
  for (; s[i] != '\0' && i < max; i++)
    strbuf_append_char(sb, iscntrl((unsigned char)s[i]) ? ' ' : s[i]);
  if (s[i] != '\0')
    strbuf_append(sb, "...");
}

void strbuf_vprintf(strbuf_t *sb, const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (n < 0 || !strbuf_reserve(sb, (size_t)n)) {
    sb->failed = true;
    return;
  }
  vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
  sb->len += (size_t)n;
}

void strbuf_printf(strbuf_t *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  strbuf_vprintf(sb, fmt, ap);
  va_end(ap);
}

const char *strbuf_str(strbuf_t *sb) {
  if (sb->failed)
    return NULL;
  if (sb->data == NULL && !strbuf_reserve(sb, 0))
    return NULL;
  if (sb->len == 0)
    sb->data[0] = '\0';
  return sb->data;
}

char *strbuf_take(strbuf_t *sb) {
  const char *s = strbuf_str(sb);
  char *out = s ? sb->data : NULL;
  if (out == NULL)
    free(sb->data);
  *sb = (strbuf_t)STRBUF_INIT;
  return out;
}
