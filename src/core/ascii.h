/* Character classes of protocol and configuration text, in ASCII whatever
 * the process locale says: <ctype.h> follows LC_CTYPE, which another plugin
 * in the same collectd may set (in tr_TR, tolower('I') is not 'i'; in a
 * Latin-1 locale, 0xE9 is alphanumeric). And the one table of hex digits. */
#ifndef DCDN_ASCII_H
#define DCDN_ASCII_H

#include <stdbool.h>
#include <stddef.h>

bool ascii_is_digit(unsigned char c); /* 0-9 */
bool ascii_is_alpha(unsigned char c); /* A-Z, a-z */
bool ascii_is_alnum(unsigned char c);
/* Space, \t, \n, \v, \f, \r: what isspace() means in the C locale. */
bool ascii_is_space(unsigned char c);
/* C0 controls and DEL; bytes past 0x7F are no ASCII controls. */
bool ascii_is_cntrl(unsigned char c);
/* A-Z become a-z; every other byte stays. */
char ascii_tolower(char c);

/* strcasecmp and strncasecmp in ASCII: glibc's follow the locale. */
int ascii_strcasecmp(const char *a, const char *b);
int ascii_strncasecmp(const char *a, const char *b, size_t n);

/* Writes two hex digits (0-9 and a-f, or A-F when upper) for each of the
 * len bytes and a NUL: out holds 2 * len + 1 chars. */
void ascii_hex(char *out, const unsigned char *bytes, size_t len, bool upper);

#endif
