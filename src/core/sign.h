/* Canonicalisation and signatures of Alibaba Cloud RPC requests.
 * Pure: the caller supplies the nonce, the timestamp and the secret. */
#ifndef DCDN_SIGN_H
#define DCDN_SIGN_H

#include "core/params.h"
#include "core/strbuf.h"

/* SHA-256 of an empty body, in hex: every request we send has one. */
#define SIGN_EMPTY_BODY_SHA256                                                 \
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* RFC 3986 percent-encoding with uppercase hex, as both versions need. */
void sign_percent_encode(strbuf_t *out, const char *s);

/* name=value pairs, each encoded, sorted by name, joined with '&'.
 * Sorts params in place. */
void sign_canonical_query(strbuf_t *out, params_t *params);

/* V1 (HMAC-SHA1). params holds every parameter except Signature. */
void sign_v1_string_to_sign(strbuf_t *out, const char *method,
                            params_t *params);
/* Writes the Base64 signature. Returns 0, or -1 on a crypto failure. */
int sign_v1_signature(strbuf_t *out, const char *method, params_t *params,
                      const char *secret);

/* V3 (ACS3-HMAC-SHA256). headers holds host, content-type (if sent) and
 * every x-acs-* header; names are lowercased and the list sorted in place. */
typedef struct {
  const char *method;
  params_t *query;
  params_t *headers;
  const char *body_sha256_hex;
} sign_v3_request_t;

void sign_v3_canonical_request(strbuf_t *out, strbuf_t *signed_headers,
                               sign_v3_request_t *req);
/* Writes the Authorization header's value. Returns 0, or -1 on failure. */
int sign_v3_authorization(strbuf_t *out, sign_v3_request_t *req,
                          const char *access_key_id, const char *secret);

#endif
