#include "core/sign.h"

#include "core/ascii.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

/* RFC 3986's unreserved set, in ASCII: a byte past 0x7F is always encoded,
 * whatever the locale. */
static bool sign_is_unreserved(unsigned char c) {
  return ascii_is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

void sign_percent_encode(strbuf_t *out, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (sign_is_unreserved(*p)) {
      strbuf_append_char(out, (char)*p);
    } else {
      char esc[4] = "%";
      ascii_hex(esc + 1, p, 1, true);
      strbuf_append_len(out, esc, 3);
    }
  }
}

void sign_canonical_query(strbuf_t *out, params_t *params) {
  params_sort(params);
  for (size_t i = 0; i < params->count; i++) {
    if (i > 0)
      strbuf_append_char(out, '&');
    sign_percent_encode(out, params->items[i].name);
    strbuf_append_char(out, '=');
    sign_percent_encode(out, params->items[i].value);
  }
}

void sign_v1_string_to_sign(strbuf_t *out, const char *method,
                            params_t *params) {
  strbuf_t query = STRBUF_INIT;
  sign_canonical_query(&query, params);
  strbuf_append(out, method);
  strbuf_append(out, "&%2F&");
  const char *q = strbuf_str(&query);
  if (q == NULL)
    strbuf_fail(out, strbuf_error(&query));
  else
    sign_percent_encode(out, q);
  strbuf_free(&query);
}

/* Lowercase hex of a digest or a MAC (at most EVP_MAX_MD_SIZE bytes). */
static void sign_hex(strbuf_t *out, const unsigned char *bytes, size_t len) {
  char hex[2 * EVP_MAX_MD_SIZE + 1];
  assert(len <= EVP_MAX_MD_SIZE);
  ascii_hex(hex, bytes, len, false);
  strbuf_append_len(out, hex, 2 * len);
}

static void sign_sha256_hex(strbuf_t *out, const char *data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256((const unsigned char *)data, strlen(data), digest);
  sign_hex(out, digest, sizeof(digest));
}

int sign_v1_signature(strbuf_t *out, const char *method, params_t *params,
                      const char *secret) {
  strbuf_t sts = STRBUF_INIT, key = STRBUF_INIT;
  sign_v1_string_to_sign(&sts, method, params);
  strbuf_append(&key, secret);
  strbuf_append_char(&key, '&');
  const char *sts_str = strbuf_str(&sts);
  const char *key_str = strbuf_str(&key);
  int status = -1;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (sts_str != NULL && key_str != NULL &&
      HMAC(EVP_sha1(), key_str, (int)key.len, (const unsigned char *)sts_str,
           sts.len, mac, &mac_len) != NULL) {
    char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    EVP_EncodeBlock((unsigned char *)b64, mac, (int)mac_len);
    strbuf_append(out, b64);
    status = strbuf_error(out) == STRBUF_OK ? 0 : -1;
  }
  if (key.data != NULL)
    OPENSSL_cleanse(key.data, key.len);
  strbuf_free(&key);
  strbuf_free(&sts);
  return status;
}

static void sign_v3_lowercase_names(params_t *headers) {
  for (size_t i = 0; i < headers->count; i++)
    for (char *c = headers->items[i].name; *c; c++)
      *c = ascii_tolower(*c);
}

/* Values are trimmed of surrounding blanks, as the canonical form requires. */
static void sign_append_trimmed(strbuf_t *out, const char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t len = strlen(s);
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
    len--;
  strbuf_append_len(out, s, len);
}

void sign_v3_canonical_request(strbuf_t *out, strbuf_t *signed_headers,
                               sign_v3_request_t *req) {
  sign_v3_lowercase_names(req->headers);
  params_sort(req->headers);
  strbuf_append(out, req->method);
  strbuf_append(out, "\n/\n");
  sign_canonical_query(out, req->query);
  strbuf_append_char(out, '\n');
  for (size_t i = 0; i < req->headers->count; i++) {
    strbuf_append(out, req->headers->items[i].name);
    strbuf_append_char(out, ':');
    sign_append_trimmed(out, req->headers->items[i].value);
    strbuf_append_char(out, '\n');
    if (i > 0)
      strbuf_append_char(signed_headers, ';');
    strbuf_append(signed_headers, req->headers->items[i].name);
  }
  strbuf_append_char(out, '\n');
  strbuf_append(out, strbuf_str(signed_headers) ? signed_headers->data : "");
  strbuf_append_char(out, '\n');
  strbuf_append(out, req->body_sha256_hex);
}

int sign_v3_authorization(strbuf_t *out, sign_v3_request_t *req,
                          const char *access_key_id, const char *secret) {
  strbuf_t canonical = STRBUF_INIT, signed_headers = STRBUF_INIT,
           sts = STRBUF_INIT;
  sign_v3_canonical_request(&canonical, &signed_headers, req);
  int status = -1;
  const char *canonical_str = strbuf_str(&canonical);
  if (canonical_str != NULL) {
    strbuf_append(&sts, "ACS3-HMAC-SHA256\n");
    sign_sha256_hex(&sts, canonical_str);
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  const char *sts_str = strbuf_str(&sts);
  if (canonical_str != NULL && sts_str != NULL &&
      HMAC(EVP_sha256(), secret, (int)strlen(secret),
           (const unsigned char *)sts_str, sts.len, mac, &mac_len) != NULL) {
    strbuf_printf(out, "ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,",
                  access_key_id, signed_headers.data);
    strbuf_append(out, "Signature=");
    sign_hex(out, mac, mac_len);
    status = strbuf_error(out) == STRBUF_OK ? 0 : -1;
  }
  strbuf_free(&canonical);
  strbuf_free(&signed_headers);
  strbuf_free(&sts);
  return status;
}
