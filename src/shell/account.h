/* The runtime of one configured <Account>: what its read callback owns. */
#ifndef DCDN_ACCOUNT_H
#define DCDN_ACCOUNT_H

#include "core/conf.h"
#include "shell/api.h"

#include <stdbool.h>

#define ACCOUNT_MAX_WARNED 64

typedef struct {
  conf_account_t conf;
  api_client_t api;
  /* Unknown ObjectType/Status values already warned about: once each. */
  char *warned[ACCOUNT_MAX_WARNED];
  size_t warned_count;
} account_t;

/* Takes ownership of *conf (zeroing it). Returns NULL on failure. */
account_t *account_create(conf_account_t *conf);
/* The free_func of the read callback: frees everything, wipes secrets. */
void account_destroy(void *account);
/* True the first time a value is seen (then remembered). */
bool account_first_warning(account_t *account, const char *value);

#endif
