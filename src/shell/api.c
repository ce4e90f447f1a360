#include "dcdn_config.h"

#include "shell/api.h"

#include "core/isotime.h"
#include "core/request.h"
#include "core/strbuf.h"
#include "shell/log.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

int api_client_init(api_client_t *api, const conf_account_t *conf) {
  memset(api, 0, sizeof(*api));
  api->conf = conf;
  if (http_client_init(&api->http, conf->timeout, conf->cacert) != 0)
    return -1;
  if (ratelimit_init(&api->limiter, conf->rate_limit) != 0) {
    http_client_free(&api->http);
    return -1;
  }
  pthread_mutex_init(&api->limiter_lock, NULL);
  return 0;
}

void api_client_free(api_client_t *api) {
  http_client_free(&api->http);
  ratelimit_free(&api->limiter);
  pthread_mutex_destroy(&api->limiter_lock);
}

static double api_monotonic_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void api_wait_for_turn(api_client_t *api) {
  pthread_mutex_lock(&api->limiter_lock);
  double at = ratelimit_reserve(&api->limiter, api_monotonic_now());
  pthread_mutex_unlock(&api->limiter_lock);
  double delay = at - api_monotonic_now();
  if (delay <= 0)
    return;
  struct timespec ts = {(time_t)delay, (long)((delay - floor(delay)) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

static int api_nonce(char out[33]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1)
    return -1;
  for (size_t i = 0; i < sizeof(bytes); i++) {
    out[2 * i] = hex[bytes[i] >> 4];
    out[2 * i + 1] = hex[bytes[i] & 0x0f];
  }
  out[32] = '\0';
  return 0;
}

static int api_build(const api_client_t *api, const char *action,
                     const params_t *params, request_t *req) {
  char nonce[33], timestamp[ISOTIME_LEN];
  if (api_nonce(nonce) != 0)
    return -1;
  isotime_format(time(NULL), timestamp);
  const conf_account_t *c = api->conf;
  request_spec_t spec = {
      .signature_version = c->signature_version,
      .endpoint = c->endpoint,
      .host = c->endpoint_host,
      .access_key_id = c->access_key_id,
      .access_key_secret = c->access_key_secret,
      .security_token = NULL,
      .action = action,
      .api_params = params,
      .nonce = nonce,
      .timestamp = timestamp,
  };
  return request_build(&spec, req);
}

/* Peer text goes into one log line: made printable and bounded, so that
 * the line (cut by collectd at 1024 bytes) keeps every field. */
static void api_append_peer_text(strbuf_t *line, const char *label,
                                 const char *text, size_t max) {
  strbuf_printf(line, ", %s \"", label);
  strbuf_append_printable(line, text ? text : "(none)", max);
  strbuf_append_char(line, '"');
}

static int api_report_error(const api_client_t *api, const char *action,
                            long http_status, const resp_error_t *err) {
  strbuf_t line = STRBUF_INIT;
  strbuf_printf(&line, "account \"%s\": %s failed: HTTP %ld", api->conf->name,
                action, http_status);
  api_append_peer_text(&line, "Code", err->code, 128);
  api_append_peer_text(&line, "RequestId", err->request_id, 128);
  api_append_peer_text(&line, "Message", err->message, 512);
  DCDN_ERROR("%s", strbuf_str(&line) ? line.data : action);
  strbuf_free(&line);
  return -1;
}

static int api_interpret(const api_client_t *api, const char *action,
                         const http_response_t *rsp, resp_page_t *page) {
  resp_error_t err;
  char why[256] = "";
  resp_status_t st = resp_parse_tasks(rsp->body, page, &err, why, sizeof(why));
  int status = 0;
  if (st == RESP_API_ERROR)
    status = api_report_error(api, action, rsp->status, &err);
  else if (st == RESP_MALFORMED || rsp->status != 200) {
    DCDN_ERROR("account \"%s\": %s failed: HTTP %ld from %s with an "
               "unusable answer: %s",
               api->conf->name, action, rsp->status, api->conf->endpoint,
               st == RESP_MALFORMED ? why : "not an API error body");
    status = -1;
  }
  resp_error_free(&err);
  return status;
}

int api_call_tasks(api_client_t *api, const char *action,
                   const params_t *params, resp_page_t *page) {
  request_t req;
  memset(page, 0, sizeof(*page));
  if (api_build(api, action, params, &req) != 0) {
    DCDN_ERROR("account \"%s\": %s: could not build the request "
               "(out of memory or no random nonce)",
               api->conf->name, action);
    return -1;
  }
  api_wait_for_turn(api);
  http_response_t rsp;
  int status = http_get(&api->http, &req, &rsp);
  request_free(&req);
  if (status != 0) {
    DCDN_ERROR("account \"%s\": %s to %s failed: %s", api->conf->name, action,
               api->conf->endpoint, api->http.error);
    return -1;
  }
  return api_interpret(api, action, &rsp, page);
}
