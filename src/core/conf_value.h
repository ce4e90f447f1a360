/* Reading one option's value, and the error text that names the account,
 * the option and the value: never a secret's value. Internal to conf*.c. */
#ifndef DCDN_CONF_VALUE_H
#define DCDN_CONF_VALUE_H

#include "core/conf.h"

#include <stdbool.h>
#include <stddef.h>

#include "liboconfig/oconfig.h"

/* What a configuration walk is reading, and where its errors go. */
typedef struct {
  conf_t *conf;            /* the accounts of earlier blocks and accounts */
  conf_account_t *account; /* the account being read */
  const char *domain;      /* the <Domain> block being read, or NULL */
  bool secret; /* the option being read holds a secret: never shown */
  char *err;
  size_t err_size;
  conf_warn_fn warn;
  void *warn_ctx;
} conf_ctx_t;

/* "Account "prod": option "Lookback" = 30: <reason>" in ctx->err (the
 * value shown as "(hidden)" when ctx->secret); returns -1. */
__attribute__((format(printf, 3, 4))) int
conf_fail(conf_ctx_t *ctx, const oconfig_item_t *item, const char *fmt, ...);

/* "Account "prod": <reason>", for what no one option says; returns -1. */
__attribute__((format(printf, 2, 3))) int
conf_fail_account(conf_ctx_t *ctx, const char *fmt, ...);

__attribute__((format(printf, 2, 3))) void conf_warn(conf_ctx_t *ctx,
                                                     const char *fmt, ...);

/* Each reads item's one value into *out, or fails with conf_fail. */
int conf_get_string(conf_ctx_t *ctx, const oconfig_item_t *item, char **out);
int conf_get_number(conf_ctx_t *ctx, const oconfig_item_t *item, double min,
                    double max, double *out);
int conf_get_integer(conf_ctx_t *ctx, const oconfig_item_t *item, double min,
                     double max, int *out);
int conf_get_boolean(conf_ctx_t *ctx, const oconfig_item_t *item, bool *out);

/* Which of choices (NULL-terminated, case-insensitive) item's one string
 * is: its index in *out. */
int conf_get_choice(conf_ctx_t *ctx, const oconfig_item_t *item,
                    const char *const *choices, int *out);

/* Whether s is one of choices (NULL-terminated, case-insensitive): its
 * index, else -1. */
int conf_choice_index(const char *const *choices, const char *s);

/* Frees *s, wiping it first when it held a secret. */
void conf_free_string(char **s, bool secret);

#endif
