/* One signed, rate-limited API call of an account, with its failures
 * logged in full (account, action, HTTP status, Code, Message, RequestId). */
#ifndef DCDN_API_H
#define DCDN_API_H

#include "core/conf.h"
#include "core/ratelimit.h"
#include "core/resp.h"
#include "shell/http.h"

#include <pthread.h>

typedef struct {
  const conf_account_t *conf;
  http_client_t http;
  ratelimit_t limiter;
  /* Every call of the account draws from one limiter, whichever thread. */
  pthread_mutex_t limiter_lock;
} api_client_t;

int api_client_init(api_client_t *api, const conf_account_t *conf);
void api_client_free(api_client_t *api);

/* Calls a task-listing action. Returns 0 with *page filled, or -1 after
 * logging why (the caller frees *page either way). */
int api_call_tasks(api_client_t *api, const char *action,
                   const params_t *params, resp_page_t *page);

#endif
