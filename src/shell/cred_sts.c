#include "dcdn_config.h"

#include "shell/cred_sts.h"

#include "core/ascii.h"
#include "core/isotime.h"
#include "core/request.h"
#include "core/strbuf.h"
#include "core/sts.h"
#include "shell/api.h"
#include "shell/http.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

static int cred_sts_build(const char *endpoint, const cred_role_t *role,
                          const cred_t *base, request_t *req) {
  unsigned char random[16];
  char nonce[2 * sizeof(random) + 1], timestamp[ISOTIME_LEN];
  if (RAND_bytes(random, sizeof(random)) != 1)
    return -1;
  ascii_hex(nonce, random, sizeof(random), false);
  isotime_format(time(NULL), timestamp);
  params_t params = PARAMS_INIT;
  int status = sts_params(role, &params);
  /* V1 with every parameter in the query of a GET, as the Python SDK
   * sends it; the signature covers them all. */
  request_spec_t spec = {
      .signature_version = 1,
      .endpoint = endpoint,
      .access_key_id = base->access_key_id,
      .access_key_secret = base->access_key_secret,
      .security_token = base->security_token,
      .action = STS_ACTION,
      .version = STS_API_VERSION,
      .api_params = &params,
      .nonce = nonce,
      .timestamp = timestamp,
  };
  if (status == 0)
    status = request_build(&spec, req);
  params_free(&params);
  return status;
}

/* The error answer, as one printable, bounded reason. */
static void cred_sts_why(const http_response_t *rsp, char *why,
                         size_t why_size) {
  sts_error_t err;
  sts_parse_error(rsp->body, &err);
  strbuf_t line = STRBUF_INIT;
  strbuf_printf(&line, "HTTP %ld", rsp->status);
  const struct {
    const char *label, *value;
  } parts[] = {{"Code", err.code},
               {"RequestId", err.request_id},
               {"Message", err.message}};
  for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
    strbuf_printf(&line, ", %s \"", parts[i].label);
    strbuf_append_printable(&line,
                            parts[i].value[0] ? parts[i].value : "(none)", 256);
    strbuf_append_char(&line, '"');
  }
  snprintf(why, why_size, "%s", strbuf_str(&line) ? line.data : "HTTP error");
  strbuf_free(&line);
}

int cred_sts_assume(const conf_account_t *conf, const char *proxy_userpwd,
                    const char *endpoint, const cred_role_t *role,
                    const cred_t *base, cred_t *out, char *why,
                    size_t why_size) {
  memset(out, 0, sizeof(*out));
  request_t req;
  if (cred_sts_build(endpoint, role, base, &req) != 0) {
    snprintf(why, why_size, "could not build the request (out of memory)");
    return -1;
  }
  http_client_t http;
  if (http_client_init(&http, conf->timeout, conf->cacert) != 0) {
    request_free(&req);
    snprintf(why, why_size, "libcurl failed");
    return -1;
  }
  /* STS is reached the way the API is: through the account's Proxy. */
  if (api_http_proxy(&http, conf, proxy_userpwd) != 0) {
    http_client_free(&http);
    request_free(&req);
    snprintf(why, why_size, "the Proxy could not be set up");
    return -1;
  }
  http.max_body = (size_t)conf->max_response_size;
  http_response_t rsp;
  int status = http_get(&http, &req, &rsp);
  request_free(&req); /* the URL holds the signature and any token */
  char reason[200];
  if (status != 0)
    snprintf(why, why_size, "%s", http.error);
  else if (rsp.status != 200)
    cred_sts_why(&rsp, why, why_size);
  else if (sts_parse_answer(rsp.body, out, reason, sizeof(reason)) != 0)
    snprintf(why, why_size, "an unusable answer: %s", reason);
  status = status == 0 && rsp.status == 200 && out->access_key_id ? 0 : -1;
  http_client_free(&http); /* wipes the answer */
  return status;
}
