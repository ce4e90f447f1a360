#include "core/request.h"

#include "core/sign.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define REQUEST_METHOD "GET"

static int request_copy_params(params_t *dst, const params_t *src) {
  for (size_t i = 0; i < src->count; i++)
    if (params_add(dst, src->items[i].name, src->items[i].value) != 0)
      return -1;
  return 0;
}

static const char *request_version(const request_spec_t *spec) {
  return spec->version ? spec->version : DCDN_API_VERSION;
}

static int request_add_v1_common(params_t *q, const request_spec_t *spec) {
  int status = params_add(q, "Action", spec->action) |
               params_add(q, "Version", request_version(spec)) |
               params_add(q, "Format", "JSON") |
               params_add(q, "AccessKeyId", spec->access_key_id) |
               params_add(q, "SignatureMethod", "HMAC-SHA1") |
               params_add(q, "SignatureVersion", "1.0") |
               params_add(q, "SignatureNonce", spec->nonce) |
               params_add(q, "Timestamp", spec->timestamp);
  if (spec->security_token != NULL)
    status |= params_add(q, "SecurityToken", spec->security_token);
  return status;
}

static int request_build_v1(const request_spec_t *spec, params_t *query,
                            strbuf_t *url) {
  strbuf_t signature = STRBUF_INIT;
  int status = request_add_v1_common(query, spec);
  if (status == 0)
    status = sign_v1_signature(&signature, REQUEST_METHOD, query,
                               spec->access_key_secret);
  if (status == 0) {
    strbuf_printf(url, "%s/?", spec->endpoint);
    sign_canonical_query(url, query);
    strbuf_append(url, "&Signature=");
    sign_percent_encode(url, signature.data);
  }
  strbuf_free(&signature);
  return status;
}

static int request_add_v3_headers(params_t *h, const request_spec_t *spec) {
  int status = params_add(h, "host", spec->host) |
               params_add(h, "x-acs-action", spec->action) |
               params_add(h, "x-acs-version", request_version(spec)) |
               params_add(h, "x-acs-date", spec->timestamp) |
               params_add(h, "x-acs-signature-nonce", spec->nonce) |
               params_add(h, "x-acs-content-sha256", SIGN_EMPTY_BODY_SHA256);
  if (spec->security_token != NULL)
    status |= params_add(h, "x-acs-security-token", spec->security_token);
  return status;
}

static int request_build_v3(const request_spec_t *spec, params_t *query,
                            strbuf_t *url, params_t *headers) {
  strbuf_t auth = STRBUF_INIT;
  int status = request_add_v3_headers(headers, spec);
  sign_v3_request_t v3 = {REQUEST_METHOD, query, headers,
                          SIGN_EMPTY_BODY_SHA256};
  if (status == 0)
    status = sign_v3_authorization(&auth, &v3, spec->access_key_id,
                                   spec->access_key_secret);
  if (status == 0)
    status = params_add(headers, "Authorization", auth.data);
  if (status == 0) {
    strbuf_printf(url, "%s/", spec->endpoint);
    if (query->count > 0) {
      strbuf_append_char(url, '?');
      sign_canonical_query(url, query);
    }
  }
  strbuf_free(&auth);
  return status;
}

int request_build(const request_spec_t *spec, request_t *out) {
  params_t query = PARAMS_INIT;
  strbuf_t url = STRBUF_INIT;
  *out = (request_t){NULL, PARAMS_INIT};
  int status = request_copy_params(&query, spec->api_params);
  if (status == 0)
    status = spec->signature_version == 1
                 ? request_build_v1(spec, &query, &url)
                 : request_build_v3(spec, &query, &url, &out->headers);
  params_free(&query);
  out->url = strbuf_take(&url);
  if (status != 0 || out->url == NULL) {
    request_free(out);
    return -1;
  }
  return 0;
}

void request_free(request_t *req) {
  /* A V1 URL carries the signature and the STS token. */
  if (req->url != NULL)
    OPENSSL_cleanse(req->url, strlen(req->url));
  free(req->url);
  req->url = NULL;
  params_free(&req->headers);
}
