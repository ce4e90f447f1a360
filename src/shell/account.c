#include "dcdn_config.h"

#include "shell/account.h"

#include <stdlib.h>
#include <string.h>

int account_enter_domain_mode(account_t *account) {
  size_t count = account->domains.count * TASK_TYPE_COUNT;
  plan_cursor_t *cursors = calloc(count ? count : 1, sizeof(*cursors));
  if (cursors == NULL)
    return -1;
  free(account->domain_cursors);
  account->domain_cursors = cursors;
  account->domain_cursor_count = count;
  account->domain_mode = true;
  return 0;
}

account_t *account_create(conf_account_t *conf) {
  account_t *account = calloc(1, sizeof(*account));
  if (account == NULL)
    return NULL;
  account->conf = *conf;
  memset(conf, 0, sizeof(*conf));
  bool ok = api_client_init(&account->api, &account->conf) == 0;
  ok = ok && domtab_init(&account->domains, &account->conf) == 0;
  if (ok && account->conf.query_mode == CONF_QUERY_DOMAIN)
    ok = account_enter_domain_mode(account) == 0;
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
  if (account->api.conf != NULL)
    api_client_free(&account->api);
  domtab_free(&account->domains);
  tracker_free(&account->tracker);
  plan_idqueue_free(&account->by_id);
  ledger_free(&account->ledger);
  free(account->domain_cursors);
  conf_account_free(&account->conf);
  for (size_t i = 0; i < account->warned_count; i++)
    free(account->warned[i]);
  free(account);
}

bool account_first_warning(account_t *account, const char *value) {
  for (size_t i = 0; i < account->warned_count; i++)
    if (strcmp(account->warned[i], value) == 0)
      return false;
  /* Past the cap, a broken peer would flood the log: stay quiet. */
  if (account->warned_count == ACCOUNT_MAX_WARNED)
    return false;
  char *copy = strdup(value);
  if (copy != NULL)
    account->warned[account->warned_count++] = copy;
  return copy != NULL;
}
