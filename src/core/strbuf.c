#include "core/strbuf.h"

#include "core/ascii.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* The first block: most strings are short. */
#define STRBUF_FIRST_CAP 64

/* What strbuf.h promises of any strbuf, checked where it changes. */
static void strbuf_check(const strbuf_t *sb) {
  assert(sb->max <= STRBUF_NO_LIMIT);
  assert(sb->len <= sb->max);
  assert(sb->cap <= sb->max + 1);
  assert(sb->data == NULL ? sb->len == 0 && sb->cap == 0
                          : sb->len < sb->cap && sb->data[sb->len] == '\0');
}

/* A capacity of at least need bytes (need <= limit): doubled from cap, or
 * from the first block, and never past limit. No step can overflow, since
 * none goes past limit. */
static size_t strbuf_next_cap(size_t cap, size_t need, size_t limit) {
  if (cap == 0)
    cap = STRBUF_FIRST_CAP < limit ? STRBUF_FIRST_CAP : limit;
  while (cap < need)
    cap = cap > limit / 2 ? limit : cap * 2;
  return cap;
}

static bool strbuf_reserve(strbuf_t *sb, size_t extra) {
  strbuf_check(sb);
  if (sb->error != STRBUF_OK)
    return false;
  /* Compared this way round, len + extra cannot wrap. */
  if (extra > sb->max - sb->len) {
    sb->error = STRBUF_TOO_LARGE;
    return false;
  }
  size_t need = sb->len + extra + 1;
  if (need <= sb->cap)
    return true;
  size_t cap = strbuf_next_cap(sb->cap, need, sb->max + 1);
  assert(cap >= need && cap <= sb->max + 1);
  /* Not realloc: a request's buffer holds signatures and STS tokens, and
   * realloc would leave a copy of them behind, unwiped. */
  char *data = malloc(cap);
  if (data == NULL) {
    sb->error = STRBUF_NO_MEMORY;
    return false;
  }
  if (sb->data != NULL) {
    memcpy(data, sb->data, sb->len + 1);
    OPENSSL_cleanse(sb->data, sb->cap);
    free(sb->data);
  } else {
    data[0] = '\0';
  }
  sb->data = data;
  sb->cap = cap;
  return true;
}

void strbuf_init(strbuf_t *sb, size_t max) {
  assert(max <= STRBUF_NO_LIMIT);
  *sb = (strbuf_t)STRBUF_INIT;
  sb->max = max;
}

void strbuf_free(strbuf_t *sb) {
  strbuf_check(sb);
  if (sb->data != NULL)
    OPENSSL_cleanse(sb->data, sb->cap);
  free(sb->data);
  strbuf_init(sb, sb->max);
}

void strbuf_reset(strbuf_t *sb) {
  sb->len = 0;
  if (sb->data != NULL)
    sb->data[0] = '\0';
}

strbuf_error_t strbuf_error(const strbuf_t *sb) { return sb->error; }

void strbuf_fail(strbuf_t *sb, strbuf_error_t why) {
  assert(why != STRBUF_OK);
  if (sb->error == STRBUF_OK)
    sb->error = why;
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

static bool strbuf_is_continuation(unsigned char c) {
  return c >= 0x80 && c <= 0xBF;
}

size_t strbuf_utf8_char_len(const char *str) {
  const unsigned char *s = (const unsigned char *)str;
  /* The second byte's range rules out overlong forms, surrogates and code
   * points past U+10FFFF (RFC 3629, section 4). */
  unsigned char lo = 0x80, hi = 0xBF;
  size_t len;
  if (s[0] < 0x80)
    return s[0] != '\0';
  if (s[0] >= 0xC2 && s[0] <= 0xDF)
    len = 2;
  else if (s[0] >= 0xE0 && s[0] <= 0xEF)
    len = 3;
  else if (s[0] >= 0xF0 && s[0] <= 0xF4)
    len = 4;
  else
    return 0;
  if (s[0] == 0xE0)
    lo = 0xA0;
  else if (s[0] == 0xED)
    hi = 0x9F;
  else if (s[0] == 0xF0)
    lo = 0x90;
  else if (s[0] == 0xF4)
    hi = 0x8F;
  if (s[1] < lo || s[1] > hi)
    return 0;
  /* A NUL is no continuation byte: nothing is read past the string. */
  for (size_t i = 2; i < len; i++)
    if (!strbuf_is_continuation(s[i]))
      return 0;
  return len;
}

size_t strbuf_utf8_fit(const char *s, size_t max) {
  size_t i = 0;
  while (s[i] != '\0') {
    size_t n = strbuf_utf8_char_len(s + i);
    n = n ? n : 1;
    if (i + n > max)
      break;
    i += n;
  }
  return i;
}

/* A control character in either encoding: C0 and DEL as one byte, C1
 * (U+0080..U+009F, which terminals also obey) as 0xC2 0x80..0x9F. */
static bool strbuf_is_control(const char *s, size_t len) {
  return (len == 1 && ascii_is_cntrl((unsigned char)s[0])) ||
         (len == 2 && (unsigned char)s[0] == 0xC2 &&
          (unsigned char)s[1] <= 0x9F);
}

void strbuf_append_printable(strbuf_t *sb, const char *s, size_t max) {
  size_t i = 0;
  while (s[i] != '\0') {
    size_t len = strbuf_utf8_char_len(s + i);
    if (i + (len ? len : 1) > max)
      break;
    if (len == 0)
      strbuf_append(sb, "\xEF\xBF\xBD"); /* U+FFFD REPLACEMENT CHARACTER */
    else if (strbuf_is_control(s + i, len))
      strbuf_append_char(sb, ' ');
    else
      strbuf_append_len(sb, s + i, len);
    i += len ? len : 1;
  }
  if (s[i] != '\0')
    strbuf_append(sb, "...");
}

char *strbuf_printable_dup(const char *s) {
  strbuf_t sb = STRBUF_INIT;
  strbuf_append_printable(&sb, s, SIZE_MAX);
  return strbuf_take(&sb);
}

void strbuf_vprintf(strbuf_t *sb, const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  /* vsnprintf fails on text past INT_MAX bytes: too large as well. */
  if (n < 0) {
    strbuf_fail(sb, STRBUF_TOO_LARGE);
    return;
  }
  if (!strbuf_reserve(sb, (size_t)n))
    return;
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
  if (sb->error != STRBUF_OK)
    return NULL;
  if (sb->data == NULL && !strbuf_reserve(sb, 0))
    return NULL;
  strbuf_check(sb);
  return sb->data;
}

char *strbuf_take(strbuf_t *sb) {
  if (strbuf_str(sb) == NULL) {
    strbuf_free(sb);
    return NULL;
  }
  char *out = sb->data;
  strbuf_init(sb, sb->max);
  return out;
}
