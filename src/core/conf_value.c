#include "core/conf_value.h"

#include "core/ascii.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "core/strbuf.h"

static void conf_format_values(strbuf_t *sb, const oconfig_item_t *item,
                               bool secret) {
  if (secret) {
    strbuf_append(sb, "(hidden)");
    return;
  }
  if (item->values_num == 0)
    strbuf_append(sb, "(none)");
  for (int i = 0; i < item->values_num; i++) {
    const oconfig_value_t *v = &item->values[i];
    if (i > 0)
      strbuf_append_char(sb, ' ');
    if (v->type == OCONFIG_TYPE_STRING)
      strbuf_printf(sb, "\"%s\"", v->value.string);
    else if (v->type == OCONFIG_TYPE_NUMBER)
      strbuf_printf(sb, "%g", v->value.number);
    else
      strbuf_append(sb, v->value.boolean ? "true" : "false");
  }
}

/* "Account "prod": [option "Lookback" = 30: ]<reason>" */
__attribute__((format(printf, 3, 0))) static int
conf_failv(conf_ctx_t *ctx, const oconfig_item_t *item, const char *fmt,
           va_list ap) {
  strbuf_t sb = STRBUF_INIT;
  strbuf_printf(&sb, "Account \"%s\": ",
                ctx->account && ctx->account->name ? ctx->account->name : "?");
  if (item != NULL) {
    strbuf_printf(&sb, "option \"%s\" = ", item->key);
    conf_format_values(&sb, item, ctx->secret);
    strbuf_append(&sb, ": ");
  }
  strbuf_vprintf(&sb, fmt, ap);
  snprintf(ctx->err, ctx->err_size, "%s",
           strbuf_str(&sb) ? sb.data : "out of memory");
  strbuf_free(&sb);
  return -1;
}

int conf_fail_account(conf_ctx_t *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  conf_failv(ctx, NULL, fmt, ap);
  va_end(ap);
  return -1;
}

int conf_fail(conf_ctx_t *ctx, const oconfig_item_t *item, const char *fmt,
              ...) {
  va_list ap;
  va_start(ap, fmt);
  conf_failv(ctx, item, fmt, ap);
  va_end(ap);
  return -1;
}

void conf_warn(conf_ctx_t *ctx, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (ctx->warn != NULL)
    ctx->warn(ctx->warn_ctx, msg);
}

void conf_free_string(char **s, bool secret) {
  if (*s != NULL && secret)
    OPENSSL_cleanse(*s, strlen(*s));
  free(*s);
  *s = NULL;
}

int conf_get_string(conf_ctx_t *ctx, const oconfig_item_t *item, char **out) {
  if (item->values_num != 1 || item->values[0].type != OCONFIG_TYPE_STRING)
    return conf_fail(ctx, item, "expected exactly one string");
  if (item->values[0].value.string[0] == '\0')
    return conf_fail(ctx, item, "must not be empty");
  char *copy = strdup(item->values[0].value.string);
  if (copy == NULL)
    return conf_fail(ctx, item, "out of memory");
  conf_free_string(out, ctx->secret);
  *out = copy;
  return 0;
}

int conf_get_number(conf_ctx_t *ctx, const oconfig_item_t *item, double min,
                    double max, double *out) {
  if (item->values_num != 1 || item->values[0].type != OCONFIG_TYPE_NUMBER)
    return conf_fail(ctx, item, "expected exactly one number");
  double v = item->values[0].value.number;
  if (!isfinite(v) || v < min || v > max)
    return conf_fail(ctx, item, "must be between %g and %g", min, max);
  *out = v;
  return 0;
}

int conf_get_integer(conf_ctx_t *ctx, const oconfig_item_t *item, double min,
                     double max, int *out) {
  double v = 0;
  if (conf_get_number(ctx, item, min, max, &v) != 0)
    return -1;
  if (v != floor(v))
    return conf_fail(ctx, item, "must be a whole number");
  *out = (int)v;
  return 0;
}

int conf_get_boolean(conf_ctx_t *ctx, const oconfig_item_t *item, bool *out) {
  if (item->values_num != 1 || item->values[0].type != OCONFIG_TYPE_BOOLEAN)
    return conf_fail(ctx, item, "expected true or false");
  *out = item->values[0].value.boolean;
  return 0;
}

int conf_choice_index(const char *const *choices, const char *s) {
  for (int i = 0; choices[i] != NULL; i++)
    if (ascii_strcasecmp(s, choices[i]) == 0)
      return i;
  return -1;
}

/* "must be "auto", "account" or "domain"" */
static int conf_fail_choice(conf_ctx_t *ctx, const oconfig_item_t *item,
                            const char *const *choices) {
  strbuf_t sb = STRBUF_INIT;
  for (int i = 0; choices[i] != NULL; i++)
    strbuf_printf(&sb, "%s\"%s\"",
                  i == 0                   ? ""
                  : choices[i + 1] == NULL ? " or "
                                           : ", ",
                  choices[i]);
  conf_fail(ctx, item, "must be %s",
            strbuf_str(&sb) ? sb.data : "(out of memory)");
  strbuf_free(&sb);
  return -1;
}

int conf_get_choice(conf_ctx_t *ctx, const oconfig_item_t *item,
                    const char *const *choices, int *out) {
  char *word = NULL;
  if (conf_get_string(ctx, item, &word) != 0)
    return -1;
  int found = conf_choice_index(choices, word);
  conf_free_string(&word, ctx->secret);
  if (found < 0)
    return conf_fail_choice(ctx, item, choices);
  *out = found;
  return 0;
}
