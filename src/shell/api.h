/* One API call of an account: signed, rate-limited, retried with backoff
 * when that can help, counted in the account's self-monitoring (selfstats), and
 * drawn from the interval's call budget. */
#ifndef DCDN_API_H
#define DCDN_API_H

#include "core/apiclock.h"
#include "core/conf.h"
#include "core/ratelimit.h"
#include "core/resp.h"
#include "core/selfstats.h"
#include "shell/cred_source.h"
#include "shell/http.h"

#include <pthread.h>
#include <stdbool.h>

typedef struct {
  const conf_account_t *conf;
  http_client_t http;
  ratelimit_t limiter;
  /* Every call of the account draws from one limiter, whichever thread. */
  pthread_mutex_t limiter_lock;
  selfstats_t stats;
  long budget_left; /* calls this interval may still make */
  apiclock_t clock; /* the API's time, from its answers' Date headers */
  cred_source_t creds;
  /* ProxyCredentialsFile's line, read once at start, as CURLOPT_PROXYUSERPWD
   * wants it (conf_proxy_userpwd); NULL: none. Every client of the
   * account sets it (the API's, STS's); wiped when freed. */
  char *proxy_userpwd;
} api_client_t;

typedef enum {
  API_OK = 0,
  API_FAILED = -1,
  API_NO_BUDGET = 1 /* nothing was sent: the interval's budget is spent */
} api_status_t;

/* How the last attempt of a call failed. */
typedef enum {
  API_FAIL_NONE = 0,       /* it did not: the call succeeded */
  API_FAIL_NOT_SENT,       /* nothing went out (out of memory, collectd
                              stopping): reason says why */
  API_FAIL_NO_CREDENTIALS, /* nothing went out: no credentials to sign with;
                              reason is the source's own failure, already
                              logged (cred_source_failure) */
  API_FAIL_TRANSPORT, /* no answer came (connection, TLS, timeout, an answer
                         past MaxResponseSize): reason says why */
  API_FAIL_HTTP,      /* an HTTP error status without a Code: reason */
  API_FAIL_API,       /* the API's error: code, request_id, message */
  API_FAIL_MALFORMED  /* HTTP 200 with a body that does not read: reason */
} api_fail_t;

/* Why the last attempt of a call failed. */
typedef struct {
  const char *action;
  api_fail_t kind;
  long http_status;              /* the answer's status; 0 when none came */
  char code[SELFSTATS_CODE_LEN]; /* the API's Code (API_FAIL_API), or "" */
  char request_id[128];
  char message[512];
  char reason[CURL_ERROR_SIZE + 64]; /* transport or parse trouble */
  bool logged; /* the cause was logged where it arose (credentials) */
} api_error_t;

/* Marks err as a call that never went out (the caller sets the reason):
 * no answer, so no status and no Code, whatever an earlier attempt got.
 * Returns API_FAILED. */
api_status_t api_fail_not_sent(api_error_t *err);

int api_client_init(api_client_t *api, const conf_account_t *conf);
/* The account's Proxy and NoProxy, with userpwd (api_client_t's
 * proxy_userpwd, read at start; NULL: none), for any client that calls out
 * on the account's behalf: the API's, STS's. Returns 0, or -1 after
 * logging. */
int api_http_proxy(http_client_t *http, const conf_account_t *conf,
                   const char *userpwd);
void api_client_free(api_client_t *api);

/* Calls a task-listing action (DescribeDcdnRefreshTasks or ...ById). On
 * API_OK *page is filled; the caller frees it whatever the result. */
api_status_t api_call_tasks(api_client_t *api, const char *action,
                            const params_t *params, resp_page_t *page,
                            api_error_t *err);
/* The account's product: its actions, version, pages and members. */
const product_t *api_product(const api_client_t *api);

/* Now on the API's clock (this host's, corrected by the offset its
 * answers showed). */
time_t api_now(const api_client_t *api);

/* The account's daily refresh and prefetch quota (ESA's: of the site and
 * type params name). */
api_status_t api_call_quota(api_client_t *api, const params_t *params,
                            resp_quota_t *quota, api_error_t *err);
/* One page of the product's sites (ListSites), appended to page->sites. */
api_status_t api_call_sites(api_client_t *api, const params_t *params,
                            resp_sites_t *page, api_error_t *err);

/* One error line naming account, action, HTTP status, Code, RequestId and
 * Message (or the transport reason). */
void api_log_error(const api_client_t *api, const char *action,
                   const api_error_t *err);

#endif
