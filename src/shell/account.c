#include "dcdn_config.h"

#include "shell/account.h"

#include <stdlib.h>
#include <string.h>

account_t *account_create(conf_account_t *conf) {
  account_t *account = calloc(1, sizeof(*account));
  if (account == NULL)
    return NULL;
  account->conf = *conf;
  memset(conf, 0, sizeof(*conf));
  if (api_client_init(&account->api, &account->conf) != 0) {
    conf_account_free(&account->conf);
    free(account);
    return NULL;
  }
  return account;
}

void account_destroy(void *ptr) {
  account_t *account = ptr;
  if (account == NULL)
    return;
  api_client_free(&account->api);
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
