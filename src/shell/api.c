#include "dcdn_config.h"

#include "shell/api.h"

#include "core/apicode.h"
#include "core/ascii.h"
#include "core/conf_proxy.h"
#include "core/cred.h"
#include "core/isotime.h"
#include "core/request.h"
#include "core/retry.h"
#include "core/strbuf.h"
#include "shell/file.h"
#include "shell/log.h"
#include "shell/stop.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

/* ProxyCredentialsFile's user and password, read at start, as libcurl's
 * CURLOPT_PROXYUSERPWD (conf_proxy_userpwd): NULL without one. Returns 0,
 * or -1 after logging why (never the text). */
static int api_proxy_credentials(const conf_account_t *conf, char **userpwd) {
  const char *path = conf->proxy_credentials_file;
  char why[256], *user = NULL, *password = NULL;
  *userpwd = NULL;
  if (path == NULL)
    return 0;
  char *text =
      file_read_text(path, CONF_PROXY_CREDENTIALS_MAX, why, sizeof(why));
  int status = text != NULL ? conf_proxy_parse_credentials(
                                  text, &user, &password, why, sizeof(why))
                            : -1;
  file_text_free(text);
  if (status == 0 && (*userpwd = conf_proxy_userpwd(user, password)) == NULL) {
    snprintf(why, sizeof(why), "out of memory");
    status = -1;
  }
  cred_wipe_free(user);
  cred_wipe_free(password);
  if (status != 0)
    DCDN_ERROR("account \"%s\": ProxyCredentialsFile %s: %s", conf->name, path,
               why);
  else
    cred_source_check_private(conf->name, path, "ProxyCredentialsFile");
  return status;
}

int api_http_proxy(http_client_t *http, const conf_account_t *conf,
                   const char *userpwd) {
  int status = http_client_proxy(http, conf->proxy, conf->no_proxy, userpwd);
  if (status != 0)
    DCDN_ERROR("account \"%s\": Proxy %s: %s", conf->name, conf->proxy,
               http->error);
  return status;
}

/* What api_client_init made but the lock; each part's free takes it
 * zeroed (as api_client_init's memset leaves what it did not reach). */
static void api_client_unwind(api_client_t *api) {
  cred_source_free(&api->creds);
  http_client_free(&api->http);
  cred_wipe_free(api->proxy_userpwd);
  api->proxy_userpwd = NULL;
  ratelimit_free(&api->limiter);
}

int api_client_init(api_client_t *api, const conf_account_t *conf) {
  memset(api, 0, sizeof(*api));
  if (api_proxy_credentials(conf, &api->proxy_userpwd) != 0 ||
      http_client_init(&api->http, conf->timeout, conf->cacert) != 0 ||
      api_http_proxy(&api->http, conf, api->proxy_userpwd) != 0 ||
      ratelimit_init(&api->limiter, conf->rate_limit) != 0 ||
      cred_source_init(&api->creds, conf, api->proxy_userpwd) != 0) {
    api_client_unwind(api);
    return -1;
  }
  api->http.max_body = (size_t)conf->max_response_size;
  pthread_mutex_init(&api->limiter_lock, NULL);
  api->conf = conf; /* set last: it marks a client that needs freeing */
  return 0;
}

void api_client_free(api_client_t *api) {
  api_client_unwind(api);
  pthread_mutex_destroy(&api->limiter_lock);
}

const product_t *api_product(const api_client_t *api) {
  return &products[api->conf->product];
}

time_t api_now(const api_client_t *api) {
  return apiclock_now(&api->clock, time(NULL));
}

static double api_monotonic_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps in slices, so that a stopping collectd is not kept waiting. */
/* Plans follow the API's clock; a large offset is this host's clock (or
 * the API's) gone wrong, worth one line. */
static void api_observe_clock(api_client_t *api, time_t date) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  double local = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
  if (apiclock_observe(&api->clock, date, local))
    DCDN_WARNING("account \"%s\": the API's clock (HTTP Date from %s) is "
                 "%ld s %s this host's: check NTP on this host; windows are "
                 "planned in the API's time",
                 api->conf->name, api->conf->endpoint, labs(api->clock.offset),
                 api->clock.offset > 0 ? "ahead of" : "behind");
}

static void api_sleep(double seconds) {
  while (seconds > 0 && !stop_requested()) {
    double slice = seconds < 0.1 ? seconds : 0.1;
    struct timespec ts = {0, (long)(slice * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !stop_requested())
      ;
    seconds -= slice;
  }
}

static void api_wait_for_turn(api_client_t *api) {
  pthread_mutex_lock(&api->limiter_lock);
  double at = ratelimit_reserve(&api->limiter, api_monotonic_now());
  pthread_mutex_unlock(&api->limiter_lock);
  api_sleep(at - api_monotonic_now());
}

static void api_call_ended(api_client_t *api) {
  pthread_mutex_lock(&api->limiter_lock);
  ratelimit_settle(&api->limiter, api_monotonic_now());
  pthread_mutex_unlock(&api->limiter_lock);
}

static int api_random_hex(char *out, size_t bytes) {
  unsigned char buf[32];
  if (bytes > sizeof(buf) || RAND_bytes(buf, (int)bytes) != 1)
    return -1;
  ascii_hex(out, buf, bytes, false);
  return 0;
}

static double api_jitter(void) {
  unsigned char byte = 0;
  RAND_bytes(&byte, 1);
  return byte / 256.0;
}

static int api_build(api_client_t *api, const cred_t *cred, time_t now,
                     const char *action, const params_t *params, request_t *req,
                     api_error_t *err) {
  char nonce[33], timestamp[ISOTIME_LEN];
  if (api_random_hex(nonce, 16) != 0) {
    snprintf(err->reason, sizeof(err->reason), "no random nonce");
    return -1;
  }
  isotime_format(now, timestamp);
  const conf_account_t *c = api->conf;
  request_spec_t spec = {
      .signature_version = c->signature_version,
      .endpoint = c->endpoint,
      .host = c->endpoint_host,
      .access_key_id = cred->access_key_id,
      .access_key_secret = cred->access_key_secret,
      .security_token = cred->security_token,
      .action = action,
      .api_params = params,
      .nonce = nonce,
      .timestamp = timestamp,
      .version = api_product(api)->version,
  };
  return request_build(&spec, req);
}

static void api_copy(char *dst, size_t size, const char *src) {
  snprintf(dst, size, "%s", src ? src : "");
}

/* How one action's answer is read, and freed between attempts. */
typedef struct {
  resp_status_t (*parse)(const product_t *product, const char *body,
                         void *out, resp_error_t *err, char *why,
                         size_t why_size);
  void (*release)(void *out);
} api_reader_t;

/* Turns an answer into the action's result, or into the reasons it is not
 * one. */
static api_status_t api_interpret(const product_t *product,
                                  const http_response_t *rsp,
                                  const api_reader_t *reader, void *out,
                                  api_error_t *err) {
  resp_error_t api_err;
  char why[256] = "";
  resp_status_t st =
      reader->parse(product, rsp->body, out, &api_err, why, sizeof(why));
  api_status_t status = API_OK;
  err->http_status = rsp->status;
  if (st == RESP_API_ERROR) {
    api_copy(err->code, sizeof(err->code), api_err.code);
    api_copy(err->request_id, sizeof(err->request_id), api_err.request_id);
    api_copy(err->message, sizeof(err->message), api_err.message);
    status = API_FAILED;
  } else if (st == RESP_MALFORMED || rsp->status != 200) {
    snprintf(err->reason, sizeof(err->reason), "an unusable answer: %s",
             st == RESP_MALFORMED ? why : "not an API error body");
    status = API_FAILED;
  }
  /* An error body whose Code is not a string has no Code to tell. */
  if (status == API_FAILED)
    err->kind = err->code[0] != '\0' ? API_FAIL_API
                : rsp->status == 200 ? API_FAIL_MALFORMED
                                     : API_FAIL_HTTP;
  resp_error_free(&api_err);
  return status;
}

api_status_t api_fail_not_sent(api_error_t *err) {
  err->kind = API_FAIL_NOT_SENT;
  err->http_status = 0;
  err->code[0] = err->request_id[0] = err->message[0] = '\0';
  return API_FAILED;
}

static api_status_t api_attempt(api_client_t *api, const char *action,
                                const params_t *params,
                                const api_reader_t *reader, void *out,
                                api_error_t *err) {
  request_t req;
  memset(err, 0, sizeof(*err));
  err->action = action;
  reader->release(out);
  /* Expirations are the API's times: judged on its clock (a host clock
   * behind it would keep an expired key); the request is stamped with
   * this host's, as the SDKs stamp it. */
  time_t now = time(NULL);
  const cred_t *cred = cred_source_get(&api->creds, api_now(api));
  if (cred == NULL) {
    api_fail_not_sent(err);
    err->kind = API_FAIL_NO_CREDENTIALS;
    snprintf(err->reason, sizeof(err->reason), "%s",
             cred_source_failure(&api->creds));
    err->logged = true;
    return API_FAILED;
  }
  if (api_build(api, cred, now, action, params, &req, err) != 0) {
    if (err->reason[0] == '\0')
      snprintf(err->reason, sizeof(err->reason),
               "could not build the request (out of memory)");
    return api_fail_not_sent(err);
  }
  api_wait_for_turn(api);
  http_response_t rsp;
  int rc = http_get(&api->http, &req, &rsp);
  api_call_ended(api);
  request_free(&req);
  api->budget_left--;
  selfstats_call(&api->stats, rsp.seconds);
  if (rc == 0)
    api_observe_clock(api, rsp.date);
  if (rc != 0) {
    snprintf(err->reason, sizeof(err->reason), "%s", api->http.error);
    err->kind = API_FAIL_TRANSPORT;
    return API_FAILED;
  }
  return api_interpret(api_product(api), &rsp, reader, out, err);
}

/* What a failure is counted under in the account's stats. */
static const char *api_error_name(const api_error_t *err, char *buf,
                                  size_t size) {
  switch (err->kind) {
  case API_FAIL_API:
    return err->code;
  case API_FAIL_TRANSPORT:
    return "transport";
  case API_FAIL_HTTP:
    snprintf(buf, size, "http_%ld", err->http_status);
    return buf;
  default:
    return "malformed";
  }
}

/* The Code for retry.c: NULL when the answer had none. */
static const char *api_code_or_null(const api_error_t *err) {
  return err->code[0] != '\0' ? err->code : NULL;
}

static void api_count_failure(api_client_t *api, const api_error_t *err) {
  char buf[32];
  if (retry_is_throttled(err->http_status, api_code_or_null(err)))
    selfstats_throttled(&api->stats);
  selfstats_error(&api->stats, api_error_name(err, buf, sizeof(buf)));
}

static api_status_t api_call(api_client_t *api, const char *action,
                             const params_t *params, const api_reader_t *reader,
                             void *out, api_error_t *err) {
  memset(err, 0, sizeof(*err));
  err->action = action;
  bool renewed = false; /* the credentials, for an earlier try */
  for (int attempt = 1;; attempt++) {
    if (stop_requested()) {
      snprintf(err->reason, sizeof(err->reason), "collectd is stopping");
      err->logged = true; /* not a fault worth a line */
      return api_fail_not_sent(err);
    }
    /* Retries may overdraw the budget: the limiter still holds the rate,
     * and a call given up for want of budget would fail the whole poll. */
    if (attempt == 1 && api->budget_left <= 0)
      return API_NO_BUDGET;
    if (api_attempt(api, action, params, reader, out, err) == API_OK)
      return API_OK;
    if (err->kind == API_FAIL_NOT_SENT || err->kind == API_FAIL_NO_CREDENTIALS)
      return API_FAILED;
    api_count_failure(api, err);
    retry_kind_t kind = retry_classify(err->http_status, api_code_or_null(err));
    /* Renewed before the next call whether or not this one is tried again
     * (the next poll's then starts with new credentials); a fixed key
     * cannot be, as if it had been already. */
    if (kind == RETRY_NEW_CREDS && !cred_source_expired(&api->creds))
      renewed = true;
    if (!retry_again(kind, attempt, renewed))
      return API_FAILED;
    renewed = renewed || kind == RETRY_NEW_CREDS;
    if (kind == RETRY_BACKOFF)
      api_sleep(retry_delay(attempt, api_jitter()));
  }
}

static resp_status_t api_parse_tasks(const product_t *product,
                                     const char *body, void *out,
                                     resp_error_t *err, char *why,
                                     size_t why_size) {
  return resp_parse_tasks(product, body, out, err, why, why_size);
}

/* ESA's DescribePreloadTasks names no type: its tasks are prefetches. */
static resp_status_t api_parse_preloads(const product_t *product,
                                        const char *body, void *out,
                                        resp_error_t *err, char *why,
                                        size_t why_size) {
  return resp_parse_tasks_as(product, TASK_TYPE_PRELOAD, body, out, err, why,
                             why_size);
}

static void api_release_tasks(void *out) { resp_page_free(out); }

api_status_t api_call_tasks(api_client_t *api, const char *action,
                            const params_t *params, resp_page_t *page,
                            api_error_t *err) {
  static const api_reader_t tasks = {api_parse_tasks, api_release_tasks};
  static const api_reader_t preloads = {api_parse_preloads, api_release_tasks};
  const char *preload_action = api_product(api)->preload_action;
  bool preload = preload_action && strcmp(action, preload_action) == 0;
  memset(page, 0, sizeof(*page));
  return api_call(api, action, params, preload ? &preloads : &tasks, page,
                  err);
}

static resp_status_t api_parse_quota(const product_t *product,
                                     const char *body, void *out,
                                     resp_error_t *err, char *why,
                                     size_t why_size) {
  return resp_parse_quota(product, body, out, err, why, why_size);
}

static void api_release_nothing(void *out) { (void)out; }

api_status_t api_call_quota(api_client_t *api, const params_t *params,
                            resp_quota_t *quota, api_error_t *err) {
  static const api_reader_t reader = {api_parse_quota, api_release_nothing};
  return api_call(api, api_product(api)->quota_action, params, &reader, quota,
                  err);
}

static resp_status_t api_parse_sites(const product_t *product,
                                     const char *body, void *out,
                                     resp_error_t *err, char *why,
                                     size_t why_size) {
  return resp_parse_sites(product, body, out, err, why, why_size);
}

api_status_t api_call_sites(api_client_t *api, const params_t *params,
                            resp_sites_t *page, api_error_t *err) {
  /* The sites already read stay: a failed page adds none of its own. */
  static const api_reader_t reader = {api_parse_sites, api_release_nothing};
  return api_call(api, api_product(api)->sites_action, params, &reader, page,
                  err);
}

/* Peer text goes into one log line: made printable and bounded, so that
 * the line (cut by collectd at 1024 bytes) keeps every field. */
static void api_append_peer_text(strbuf_t *line, const char *label,
                                 const char *text, size_t max) {
  strbuf_printf(line, ", %s \"", label);
  strbuf_append_printable(line, text[0] ? text : "(none)", max);
  strbuf_append_char(line, '"');
}

/* Where a request went: "ENDPOINT", or "ENDPOINT through Proxy URL" (a
 * proxy that fails is named; its password is never in the URL). */
static void api_append_peer(strbuf_t *line, const conf_account_t *conf) {
  strbuf_append(line, conf->endpoint);
  if (conf->proxy != NULL)
    strbuf_printf(line, " through Proxy %s", conf->proxy);
}

/* Only a proxy answers 407 (RFC 9110, 15.5.8): no API text to show. */
static void api_append_proxy_refusal(strbuf_t *line,
                                     const conf_account_t *conf) {
  if (conf->proxy != NULL)
    strbuf_printf(line,
                  "HTTP 407 from Proxy %s: proxy authentication "
                  "required (check ProxyCredentialsFile)",
                  conf->proxy);
  else
    strbuf_append(line, "HTTP 407 from the proxy of the environment "
                        "(http_proxy, https_proxy): proxy authentication "
                        "required");
}

void api_log_error(const api_client_t *api, const char *action,
                   const api_error_t *err) {
  if (err->logged)
    return;
  strbuf_t line = STRBUF_INIT;
  if (err->kind == API_FAIL_NOT_SENT) {
    strbuf_printf(&line, "account \"%s\": %s not sent: ", api->conf->name,
                  action);
    strbuf_append_printable(&line, err->reason, 512);
  } else if (err->kind == API_FAIL_TRANSPORT) {
    strbuf_printf(&line, "account \"%s\": %s to ", api->conf->name, action);
    api_append_peer(&line, api->conf);
    strbuf_append(&line, " failed: ");
    strbuf_append_printable(&line, err->reason, 512);
  } else if (err->kind != API_FAIL_API && err->http_status == 407) {
    strbuf_printf(&line, "account \"%s\": %s failed: ", api->conf->name,
                  action);
    api_append_proxy_refusal(&line, api->conf);
  } else if (err->kind != API_FAIL_API) {
    strbuf_printf(&line, "account \"%s\": %s failed: HTTP %ld from ",
                  api->conf->name, action, err->http_status);
    api_append_peer(&line, api->conf);
    strbuf_append(&line, " with ");
    strbuf_append_printable(&line, err->reason, 512);
  } else {
    strbuf_printf(&line, "account \"%s\": %s failed: HTTP %ld", api->conf->name,
                  action, err->http_status);
    api_append_peer_text(&line, "Code", err->code, 128);
    api_append_peer_text(&line, "RequestId", err->request_id, 128);
    api_append_peer_text(&line, "Message", err->message, 512);
  }
  if (apicode_is(err->code, APICODE_CLOCK))
    strbuf_append(&line, " (this host's clock is off: check NTP)");
  DCDN_ERROR("%s", strbuf_str(&line) ? line.data : action);
  strbuf_free(&line);
}
