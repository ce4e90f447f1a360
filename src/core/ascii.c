#include "core/ascii.h"

bool ascii_is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

bool ascii_is_alpha(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool ascii_is_alnum(unsigned char c) {
  return ascii_is_digit(c) || ascii_is_alpha(c);
}

bool ascii_is_space(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

bool ascii_is_cntrl(unsigned char c) { return c < 0x20 || c == 0x7f; }

char ascii_tolower(char c) {
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int ascii_strncasecmp(const char *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char x = (unsigned char)ascii_tolower(a[i]);
    unsigned char y = (unsigned char)ascii_tolower(b[i]);
    if (x != y || x == '\0')
      return x - y;
  }
  return 0;
}

int ascii_strcasecmp(const char *a, const char *b) {
  return ascii_strncasecmp(a, b, (size_t)-1);
}

void ascii_hex(char *out, const unsigned char *bytes, size_t len, bool upper) {
  static const char digits[2][17] = {"0123456789abcdef", "0123456789ABCDEF"};
  const char *d = digits[upper];
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = d[bytes[i] >> 4];
    out[2 * i + 1] = d[bytes[i] & 0x0f];
  }
  out[2 * len] = '\0';
}
