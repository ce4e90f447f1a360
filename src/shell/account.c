#include "dcdn_config.h"

#include "shell/account.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

account_t *account_create(conf_account_t *conf, double interval) {
  account_t *account = calloc(1, sizeof(*account));
  if (account == NULL)
    return NULL;
  account->lock_fd = -1;
  account->interval = interval;
  account->conf = *conf;
  memset(conf, 0, sizeof(*conf));
  bool ok = worker_init(&account->worker) == 0;
  ok = ok && api_client_init(&account->api, &account->conf) == 0;
  ok = ok && watch_init(&account->watch, &account->conf) == 0;
  if (!ok) {
    account_destroy(account);
    return NULL;
  }
  return account;
}

void account_destroy(void *ptr) {
  account_t *account = ptr;
  if (account == NULL)
    return;
  worker_stop(&account->worker); /* first: the thread uses the rest */
  if (account->api.conf != NULL)
    api_client_free(&account->api);
  watch_free(&account->watch);
  sites_free(&account->sites);
  site_quota_free(&account->quota_slots);
  free(account->site_quotas);
  if (account->lock_fd >= 0)
    close(account->lock_fd); /* releases the lock */
  conf_account_free(&account->conf);
  free(account);
}
