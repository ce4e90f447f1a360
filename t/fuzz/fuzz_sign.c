/* Canonicalisation and signing. The input's lines are name=value pairs (a
 * line without '=' is a name with an empty value); they become both the
 * query and the V3 headers. Checks: percent-encoding leaves only RFC 3986
 * unreserved characters and %XX and decodes back to its input; the
 * canonical query lists the sorted pairs; both signatures succeed with
 * their fixed shapes. */
#include "core/sign.h"

#include "fuzz.h"

#include <ctype.h>

#define FUZZ_SECRET "testsecret"
#define FUZZ_KEY_ID "testid"

static int fuzz_unreserved(unsigned char c) {
  return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

static int fuzz_hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1; /* lowercase hex is not canonical */
}

/* Decodes what sign_percent_encode wrote; checks it is canonical. */
static char *fuzz_decode(const char *enc) {
  char *out = malloc(strlen(enc) + 1), *o = out;
  FUZZ_CHECK(out != NULL);
  for (const char *p = enc; *p; p++) {
    if (*p == '%') {
      int hi = fuzz_hexval(p[1]), lo = hi < 0 ? -1 : fuzz_hexval(p[2]);
      FUZZ_CHECK(hi >= 0 && lo >= 0);
      unsigned char c = (unsigned char)(hi * 16 + lo);
      FUZZ_CHECK(c != 0 && !fuzz_unreserved(c));
      *o++ = (char)c;
      p += 2;
    } else {
      FUZZ_CHECK(fuzz_unreserved((unsigned char)*p));
      *o++ = *p;
    }
  }
  *o = '\0';
  return out;
}

static void fuzz_encode_roundtrip(const char *s) {
  strbuf_t enc = STRBUF_INIT;
  sign_percent_encode(&enc, s);
  const char *e = strbuf_str(&enc);
  FUZZ_CHECK(e != NULL);
  char *dec = fuzz_decode(e);
  FUZZ_CHECK(strcmp(dec, s) == 0);
  free(dec);
  strbuf_free(&enc);
}

static void fuzz_params(const char *text, params_t *p) {
  char *copy = strdup(text), *rest = copy, *line;
  FUZZ_CHECK(copy != NULL);
  while ((line = strsep(&rest, "\n")) != NULL) {
    if (line[0] == '\0')
      continue;
    char *eq = strchr(line, '=');
    if (eq != NULL)
      *eq++ = '\0';
    FUZZ_CHECK(params_add(p, line, eq ? eq : "") == 0);
  }
  free(copy);
}

/* The canonical query: the pairs, sorted, each part encoded. */
static void fuzz_check_query(params_t *p) {
  strbuf_t q = STRBUF_INIT;
  sign_canonical_query(&q, p);
  const char *s = strbuf_str(&q);
  FUZZ_CHECK(s != NULL);
  char *copy = strdup(s), *rest = copy, *pair;
  FUZZ_CHECK(copy != NULL);
  size_t i = 0;
  while (p->count > 0 && (pair = strsep(&rest, "&")) != NULL) {
    FUZZ_CHECK(i < p->count);
    char *eq = strchr(pair, '=');
    FUZZ_CHECK(eq != NULL);
    *eq = '\0';
    char *name = fuzz_decode(pair), *value = fuzz_decode(eq + 1);
    FUZZ_CHECK(strcmp(name, p->items[i].name) == 0);
    FUZZ_CHECK(strcmp(value, p->items[i].value) == 0);
    if (i > 0)
      FUZZ_CHECK(strcmp(p->items[i - 1].name, p->items[i].name) <= 0);
    free(name);
    free(value);
    i++;
  }
  FUZZ_CHECK(i == p->count);
  free(copy);
  strbuf_free(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_text(data, size);
  fuzz_encode_roundtrip(text);

  params_t query = PARAMS_INIT, headers = PARAMS_INIT;
  fuzz_params(text, &query);
  fuzz_params(text, &headers);
  for (size_t i = 0; i < query.count; i++) {
    fuzz_encode_roundtrip(query.items[i].name);
    fuzz_encode_roundtrip(query.items[i].value);
  }
  fuzz_check_query(&query);

  strbuf_t out = STRBUF_INIT;
  FUZZ_CHECK(sign_v1_signature(&out, "GET", &query, FUZZ_SECRET) == 0);
  FUZZ_CHECK(out.len == 28); /* Base64 of a 20-byte HMAC-SHA1 */
  strbuf_free(&out);

  sign_v3_request_t req = {"POST", &query, &headers, SIGN_EMPTY_BODY_SHA256};
  FUZZ_CHECK(sign_v3_authorization(&out, &req, FUZZ_KEY_ID, FUZZ_SECRET) == 0);
  const char *auth = strbuf_str(&out);
  FUZZ_CHECK(auth != NULL);
  FUZZ_CHECK(strncmp(auth,
                     "ACS3-HMAC-SHA256 Credential=" FUZZ_KEY_ID
                     ",SignedHeaders=",
                     strlen("ACS3-HMAC-SHA256 Credential=" FUZZ_KEY_ID
                            ",SignedHeaders=")) == 0);
  const char *sig = strstr(auth, ",Signature=");
  FUZZ_CHECK(sig != NULL && strlen(sig + strlen(",Signature=")) == 64);
  for (size_t i = 0; i < headers.count; i++)
    for (const char *c = headers.items[i].name; *c; c++)
      FUZZ_CHECK(!isupper((unsigned char)*c));
  strbuf_free(&out);

  params_free(&query);
  params_free(&headers);
  free(text);
  return 0;
}
