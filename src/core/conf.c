#include "core/conf.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "core/strbuf.h"

typedef struct {
  conf_t *conf;
  conf_account_t *account;
  char *err;
  size_t err_size;
  conf_warn_fn warn;
  void *warn_ctx;
} conf_ctx_t;

/* Options whose values must never be echoed in a message. */
static bool conf_is_secret(const char *option) {
  return strcasecmp(option, "AccessKeySecret") == 0 ||
         strcasecmp(option, "SecurityToken") == 0;
}

static void conf_format_values(strbuf_t *sb, const oconfig_item_t *item) {
  if (conf_is_secret(item->key)) {
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
static int conf_failv(conf_ctx_t *ctx, const oconfig_item_t *item,
                      const char *fmt, va_list ap) {
  strbuf_t sb = STRBUF_INIT;
  strbuf_printf(&sb, "Account \"%s\": ",
                ctx->account && ctx->account->name ? ctx->account->name : "?");
  if (item != NULL) {
    strbuf_printf(&sb, "option \"%s\" = ", item->key);
    conf_format_values(&sb, item);
    strbuf_append(&sb, ": ");
  }
  strbuf_vprintf(&sb, fmt, ap);
  snprintf(ctx->err, ctx->err_size, "%s",
           strbuf_str(&sb) ? sb.data : "out of memory");
  strbuf_free(&sb);
  return -1;
}

__attribute__((format(printf, 2, 3))) static int
conf_fail_account(conf_ctx_t *ctx, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  conf_failv(ctx, NULL, fmt, ap);
  va_end(ap);
  return -1;
}

__attribute__((format(printf, 3, 4))) static int
conf_fail(conf_ctx_t *ctx, const oconfig_item_t *item, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  conf_failv(ctx, item, fmt, ap);
  va_end(ap);
  return -1;
}

__attribute__((format(printf, 2, 3))) static void
conf_warn(conf_ctx_t *ctx, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if (ctx->warn != NULL)
    ctx->warn(ctx->warn_ctx, msg);
}

static int conf_get_string(conf_ctx_t *ctx, const oconfig_item_t *item,
                           char **out) {
  if (item->values_num != 1 || item->values[0].type != OCONFIG_TYPE_STRING)
    return conf_fail(ctx, item, "expected exactly one string");
  if (item->values[0].value.string[0] == '\0')
    return conf_fail(ctx, item, "must not be empty");
  char *copy = strdup(item->values[0].value.string);
  if (copy == NULL)
    return conf_fail(ctx, item, "out of memory");
  if (*out != NULL && conf_is_secret(item->key))
    OPENSSL_cleanse(*out, strlen(*out));
  free(*out);
  *out = copy;
  return 0;
}

static int conf_get_number(conf_ctx_t *ctx, const oconfig_item_t *item,
                           double min, double max, double *out) {
  if (item->values_num != 1 || item->values[0].type != OCONFIG_TYPE_NUMBER)
    return conf_fail(ctx, item, "expected exactly one number");
  double v = item->values[0].value.number;
  if (!isfinite(v) || v < min || v > max)
    return conf_fail(ctx, item, "must be between %g and %g", min, max);
  *out = v;
  return 0;
}

static int conf_get_integer(conf_ctx_t *ctx, const oconfig_item_t *item,
                            int min, int max, int *out) {
  double v = 0;
  if (conf_get_number(ctx, item, min, max, &v) != 0)
    return -1;
  if (v != floor(v))
    return conf_fail(ctx, item, "must be a whole number");
  *out = (int)v;
  return 0;
}

int conf_parse_endpoint(const char *url, char **endpoint, char **host,
                        bool *tls, char *err, size_t err_size) {
  const char *rest;
  if (strncasecmp(url, "https://", 8) == 0) {
    *tls = true;
    rest = url + 8;
  } else if (strncasecmp(url, "http://", 7) == 0) {
    *tls = false;
    rest = url + 7;
  } else {
    snprintf(err, err_size, "must start with https:// or http://");
    return -1;
  }
  size_t len = strcspn(rest, "/?#");
  if (strspn(rest + len, "/") != strlen(rest + len)) {
    snprintf(err, err_size, "must not have a path, query or fragment");
    return -1;
  }
  const char *port = NULL;
  size_t host_len = len;
  if (rest[0] == '[') { /* IPv6 literal */
    const char *close = memchr(rest, ']', len);
    if (close == NULL) {
      snprintf(err, err_size, "has an unterminated IPv6 address");
      return -1;
    }
    host_len = (size_t)(close - rest) + 1;
  } else {
    const char *colon = memchr(rest, ':', len);
    if (colon != NULL)
      host_len = (size_t)(colon - rest);
  }
  if (host_len < len) {
    if (rest[host_len] != ':') {
      snprintf(err, err_size, "has junk after the host");
      return -1;
    }
    port = rest + host_len + 1;
  }
  if (host_len == 0 || (rest[0] != '[' && strcspn(rest, " @\t") < host_len)) {
    snprintf(err, err_size, "has no valid host");
    return -1;
  }
  long port_num = 0;
  if (port != NULL) {
    /* Digits only: strtol alone would take " 80" and "+80". */
    size_t digits = strspn(port, "0123456789");
    port_num = digits >= 1 && digits <= 5 ? strtol(port, NULL, 10) : 0;
    if (port + digits != rest + len || port_num < 1 || port_num > 65535) {
      snprintf(err, err_size, "has a port outside 1..65535");
      return -1;
    }
  }
  /* curl leaves the scheme's default port out of the Host header; the
   * signature covers that header, so do the same. */
  bool default_port = port_num == 0 || port_num == (*tls ? 443 : 80);
  size_t host_hdr_len = default_port ? host_len : len;
  *host = strndup(rest, host_hdr_len);
  *endpoint = strndup(url, (size_t)(rest - url) + len);
  if (*host == NULL || *endpoint == NULL) {
    snprintf(err, err_size, "out of memory");
    return -1;
  }
  for (char *c = *host; *c; c++)
    *c = (char)tolower((unsigned char)*c);
  return 0;
}

static int conf_opt_access_key_id(conf_ctx_t *ctx, const oconfig_item_t *it) {
  return conf_get_string(ctx, it, &ctx->account->access_key_id);
}

static int conf_opt_security_token(conf_ctx_t *ctx, const oconfig_item_t *it) {
  return conf_get_string(ctx, it, &ctx->account->security_token);
}

static int conf_opt_secret_file(conf_ctx_t *ctx, const oconfig_item_t *it) {
  return conf_get_string(ctx, it, &ctx->account->secret_file);
}

static int conf_opt_credentials_file(conf_ctx_t *ctx,
                                     const oconfig_item_t *it) {
  return conf_get_string(ctx, it, &ctx->account->credentials_file);
}

static int conf_opt_profile(conf_ctx_t *ctx, const oconfig_item_t *it) {
  return conf_get_string(ctx, it, &ctx->account->profile);
}

/* RamRole "name", or RamRole true to ask the metadata service. */
static int conf_opt_ram_role(conf_ctx_t *ctx, const oconfig_item_t *it) {
  free(ctx->account->ram_role);
  ctx->account->ram_role = NULL;
  if (it->values_num == 1 && it->values[0].type == OCONFIG_TYPE_BOOLEAN) {
    if (it->values[0].value.boolean)
      ctx->account->ram_role = strdup("");
    return 0;
  }
  return conf_get_string(ctx, it, &ctx->account->ram_role);
}

static int conf_opt_metadata_endpoint(conf_ctx_t *ctx,
                                      const oconfig_item_t *it) {
  char *url = NULL, *endpoint = NULL, *host = NULL, reason[128];
  bool tls;
  if (conf_get_string(ctx, it, &url) != 0)
    return -1;
  int status =
      conf_parse_endpoint(url, &endpoint, &host, &tls, reason, sizeof(reason));
  free(url);
  free(host);
  if (status != 0) {
    free(endpoint);
    return conf_fail(ctx, it, "%s", reason);
  }
  free(ctx->account->metadata_endpoint);
  ctx->account->metadata_endpoint = endpoint;
  return 0;
}

static int conf_opt_access_key_secret(conf_ctx_t *ctx,
                                      const oconfig_item_t *it) {
  return conf_get_string(ctx, it, &ctx->account->access_key_secret);
}

static int conf_opt_endpoint(conf_ctx_t *ctx, const oconfig_item_t *it) {
  char *url = NULL, reason[128];
  conf_account_t *a = ctx->account;
  if (conf_get_string(ctx, it, &url) != 0)
    return -1;
  free(a->endpoint);
  free(a->endpoint_host);
  a->endpoint = a->endpoint_host = NULL;
  int status = conf_parse_endpoint(url, &a->endpoint, &a->endpoint_host,
                                   &a->endpoint_tls, reason, sizeof(reason));
  free(url);
  return status == 0 ? 0 : conf_fail(ctx, it, "%s", reason);
}

static int conf_opt_signature_version(conf_ctx_t *ctx,
                                      const oconfig_item_t *it) {
  int v = 0;
  if (conf_get_integer(ctx, it, 1, 3, &v) != 0)
    return -1;
  if (v == 2)
    return conf_fail(ctx, it, "must be 1 (HMAC-SHA1) or 3 (ACS3-HMAC-SHA256)");
  ctx->account->signature_version = v;
  return 0;
}

static int conf_opt_max_response_size(conf_ctx_t *ctx,
                                      const oconfig_item_t *it) {
  return conf_get_integer(ctx, it, CONF_MIN_MAX_RESPONSE_SIZE,
                          CONF_MAX_MAX_RESPONSE_SIZE,
                          &ctx->account->max_response_size);
}

static int conf_opt_timeout(conf_ctx_t *ctx, const oconfig_item_t *it) {
  return conf_get_number(ctx, it, 0.1, 300, &ctx->account->timeout);
}

static int conf_opt_cacert(conf_ctx_t *ctx, const oconfig_item_t *it) {
  return conf_get_string(ctx, it, &ctx->account->cacert);
}

static int conf_opt_interval(conf_ctx_t *ctx, const oconfig_item_t *it) {
  return conf_get_number(ctx, it, 0.001, 86400, &ctx->account->interval);
}

static int conf_opt_lookback(conf_ctx_t *ctx, const oconfig_item_t *it) {
  return conf_get_integer(ctx, it, CONF_MIN_LOOKBACK, CONF_MAX_LOOKBACK,
                          &ctx->account->lookback);
}

static int conf_opt_query_mode(conf_ctx_t *ctx, const oconfig_item_t *it) {
  static const char *const names[] = {"auto", "account", "domain"};
  char *mode = NULL;
  if (conf_get_string(ctx, it, &mode) != 0)
    return -1;
  int found = -1;
  for (int i = 0; i < 3; i++)
    if (strcasecmp(mode, names[i]) == 0)
      found = i;
  free(mode);
  if (found < 0)
    return conf_fail(ctx, it, "must be \"auto\", \"account\" or \"domain\"");
  ctx->account->query_mode = (conf_query_mode_t)found;
  return 0;
}

static int conf_opt_rate_limit(conf_ctx_t *ctx, const oconfig_item_t *it) {
  if (conf_get_number(ctx, it, 0.01, 1000, &ctx->account->rate_limit) != 0)
    return -1;
  if (ctx->account->rate_limit > CONF_DOCUMENTED_RATE_LIMIT)
    conf_warn(ctx,
              "Account \"%s\": RateLimit %g is above the API's documented "
              "%g calls per second: expect throttling",
              ctx->account->name, ctx->account->rate_limit,
              CONF_DOCUMENTED_RATE_LIMIT);
  return 0;
}

/* One label: 1 to 63 letters, digits and '-', no '-' at either end. */
static bool conf_valid_label(const char *label, size_t len) {
  if (len == 0 || len > CONF_MAX_LABEL_LEN || label[0] == '-' ||
      label[len - 1] == '-')
    return false;
  for (size_t i = 0; i < len; i++)
    if (!isalnum((unsigned char)label[i]) && label[i] != '-')
      return false;
  return true;
}

bool conf_valid_domain_name(const char *name) {
  if (strlen(name) > CONF_MAX_HOST_NAME_LEN)
    return false;
  for (;;) {
    size_t len = strcspn(name, ".");
    if (!conf_valid_label(name, len))
      return false;
    if (name[len] == '\0')
      return true;
    name += len + 1;
  }
}

static const char *conf_domain_owner(const conf_ctx_t *ctx, const char *name) {
  /* Each account may report the domains its own tasks name. */
  bool wildcard = strcmp(name, CONF_WILDCARD_DOMAIN) == 0;
  for (size_t i = 0; i < ctx->conf->count && !wildcard; i++)
    if (conf_find_domain(&ctx->conf->accounts[i], name) != NULL)
      return ctx->conf->accounts[i].name;
  for (size_t i = 0; i < ctx->account->domain_count; i++)
    if (strcmp(ctx->account->domains[i].name, name) == 0)
      return ctx->account->name;
  return NULL;
}

static int conf_add_domain(conf_ctx_t *ctx, const oconfig_item_t *it,
                           const char *raw, conf_domain_t settings) {
  conf_account_t *a = ctx->account;
  char *name = strdup(raw);
  if (name == NULL)
    return conf_fail(ctx, it, "out of memory");
  for (char *c = name; *c; c++)
    *c = (char)tolower((unsigned char)*c);
  const char *owner = conf_domain_owner(ctx, name);
  int status = 0;
  if (strcmp(name, CONF_WILDCARD_DOMAIN) != 0 && !conf_valid_domain_name(name))
    status = conf_fail(ctx, it,
                       "\"%s\" is not a host name such as example.com "
                       "(dot-separated labels of 1 to %d letters, digits "
                       "and '-', not starting or ending with '-'; at most "
                       "%d characters)",
                       raw, CONF_MAX_LABEL_LEN, CONF_MAX_HOST_NAME_LEN);
  else if (strlen(name) > CONF_MAX_DOMAIN_LEN)
    status = conf_fail(ctx, it,
                       "domain \"%s\" has %zu characters: collectd's "
                       "plugin_instance, which names the domain's metrics, "
                       "holds %d",
                       raw, strlen(name), CONF_MAX_DOMAIN_LEN);
  else if (owner != NULL)
    status = conf_fail(ctx, it,
                       "domain \"%s\" is already listed in "
                       "account \"%s\"",
                       name, owner);
  conf_domain_t *domains =
      status ? NULL
             : realloc(a->domains, (a->domain_count + 1) * sizeof(*domains));
  if (status == 0 && domains == NULL)
    status = conf_fail(ctx, it, "out of memory");
  if (status != 0) {
    free(name);
    return status;
  }
  a->domains = domains;
  settings.name = name;
  a->domains[a->domain_count++] = settings;
  return 0;
}

static int conf_object_types(conf_ctx_t *ctx, const oconfig_item_t *it,
                             unsigned *mask) {
  if (it->values_num < 1)
    return conf_fail(ctx, it,
                     "expected one or more of file, directory, "
                     "regex, preload");
  *mask = 0;
  for (int i = 0; i < it->values_num; i++) {
    const oconfig_value_t *v = &it->values[i];
    task_type_t t = v->type == OCONFIG_TYPE_STRING
                        ? task_type_from_string(v->value.string)
                        : TASK_TYPE_UNKNOWN;
    /* "path" is the API's answer, not a type users configure. */
    if (t == TASK_TYPE_UNKNOWN || strcasecmp(v->value.string, "path") == 0)
      return conf_fail(ctx, it,
                       "each value must be one of file, directory, "
                       "regex, preload");
    *mask |= 1u << t;
  }
  return 0;
}

/* Notify "failed" "stuck" "account"; inside a <Domain>, "account" means
 * nothing and is refused. */
static int conf_notify_kinds(conf_ctx_t *ctx, const oconfig_item_t *it,
                             bool in_domain, unsigned *out) {
  static const char *const names[] = {"failed", "stuck", "account"};
  *out = 0;
  for (int i = 0; i < it->values_num; i++) {
    const oconfig_value_t *v = &it->values[i];
    int found = -1;
    for (int k = 0; k < 3 && v->type == OCONFIG_TYPE_STRING; k++)
      if (strcasecmp(v->value.string, names[k]) == 0)
        found = k;
    if (found < 0 || (in_domain && found == 2))
      return conf_fail(ctx, it,
                       "each value must be one of \"failed\", "
                       "\"stuck\"%s",
                       in_domain ? "" : ", \"account\"");
    *out |= 1u << found;
  }
  return 0;
}

static const conf_domain_t conf_domain_defaults = {NULL, CONF_TYPES_ALL,
                                                   CONF_INHERIT, CONF_INHERIT};

static int conf_domain_option(conf_ctx_t *ctx, const oconfig_item_t *child,
                              const char *domain, conf_domain_t *d) {
  unsigned notify = 0;
  if (strcasecmp(child->key, "ObjectType") == 0)
    return conf_object_types(ctx, child, &d->type_mask);
  if (strcasecmp(child->key, "StuckAfter") == 0)
    return conf_get_integer(ctx, child, 1, CONF_MAX_LOOKBACK, &d->stuck_after);
  if (strcasecmp(child->key, "Notify") == 0) {
    if (conf_notify_kinds(ctx, child, true, &notify) != 0)
      return -1;
    d->notify = (int)notify;
    return 0;
  }
  return conf_fail(ctx, child, "unknown option in <Domain \"%s\">", domain);
}

static int conf_domain_block(conf_ctx_t *ctx, const oconfig_item_t *it) {
  conf_domain_t d = conf_domain_defaults;
  if (it->values_num != 1 || it->values[0].type != OCONFIG_TYPE_STRING)
    return conf_fail(ctx, it, "a <Domain> block takes exactly one name");
  for (int i = 0; i < it->children_num; i++)
    if (conf_domain_option(ctx, &it->children[i], it->values[0].value.string,
                           &d) != 0)
      return -1;
  return conf_add_domain(ctx, it, it->values[0].value.string, d);
}

static int conf_opt_domain(conf_ctx_t *ctx, const oconfig_item_t *it) {
  if (it->children_num > 0)
    return conf_domain_block(ctx, it);
  if (it->values_num < 1)
    return conf_fail(ctx, it, "expected one or more domain names");
  for (int i = 0; i < it->values_num; i++) {
    if (it->values[i].type != OCONFIG_TYPE_STRING)
      return conf_fail(ctx, it, "every domain name must be a string");
    if (conf_add_domain(ctx, it, it->values[i].value.string,
                        conf_domain_defaults) != 0)
      return -1;
  }
  return 0;
}

static int conf_opt_stuck_after(conf_ctx_t *ctx, const oconfig_item_t *it) {
  return conf_get_integer(ctx, it, 1, CONF_MAX_LOOKBACK,
                          &ctx->account->stuck_after);
}

static int conf_opt_notify(conf_ctx_t *ctx, const oconfig_item_t *it) {
  unsigned notify = 0;
  if (conf_notify_kinds(ctx, it, false, &notify) != 0)
    return -1;
  ctx->account->notify = (int)notify;
  return 0;
}

static int conf_opt_collect_quota(conf_ctx_t *ctx, const oconfig_item_t *it) {
  if (it->values_num != 1 || it->values[0].type != OCONFIG_TYPE_BOOLEAN)
    return conf_fail(ctx, it, "expected true or false");
  ctx->account->collect_quota = it->values[0].value.boolean;
  return 0;
}

static int conf_opt_state_dir(conf_ctx_t *ctx, const oconfig_item_t *it) {
  if (conf_get_string(ctx, it, &ctx->account->state_dir) != 0)
    return -1;
  if (ctx->account->state_dir[0] != '/')
    return conf_fail(ctx, it, "must be an absolute path");
  return 0;
}

typedef int (*conf_option_fn)(conf_ctx_t *ctx, const oconfig_item_t *item);

static const struct {
  const char *name;
  conf_option_fn parse;
} conf_account_options[] = {
    {"AccessKeyId", conf_opt_access_key_id},
    {"AccessKeySecret", conf_opt_access_key_secret},
    {"SecurityToken", conf_opt_security_token},
    {"AccessKeySecretFile", conf_opt_secret_file},
    {"CredentialsFile", conf_opt_credentials_file},
    {"Profile", conf_opt_profile},
    {"RamRole", conf_opt_ram_role},
    {"MetadataEndpoint", conf_opt_metadata_endpoint},
    {"Endpoint", conf_opt_endpoint},
    {"SignatureVersion", conf_opt_signature_version},
    {"Timeout", conf_opt_timeout},
    {"MaxResponseSize", conf_opt_max_response_size},
    {"CACert", conf_opt_cacert},
    {"Interval", conf_opt_interval},
    {"Lookback", conf_opt_lookback},
    {"RateLimit", conf_opt_rate_limit},
    {"QueryMode", conf_opt_query_mode},
    {"StuckAfter", conf_opt_stuck_after},
    {"Notify", conf_opt_notify},
    {"CollectQuota", conf_opt_collect_quota},
    {"StateDir", conf_opt_state_dir},
    {"Domain", conf_opt_domain},
};

static int conf_account_option(conf_ctx_t *ctx, const oconfig_item_t *it) {
  for (size_t i = 0;
       i < sizeof(conf_account_options) / sizeof(conf_account_options[0]); i++)
    if (strcasecmp(it->key, conf_account_options[i].name) == 0)
      return conf_account_options[i].parse(ctx, it);
  return conf_fail(ctx, it, "unknown option");
}

static int conf_set_defaults(conf_account_t *a) {
  a->signature_version = 3;
  a->timeout = CONF_DEFAULT_TIMEOUT;
  a->max_response_size = CONF_DEFAULT_MAX_RESPONSE_SIZE;
  a->lookback = CONF_DEFAULT_LOOKBACK;
  a->rate_limit = CONF_DEFAULT_RATE_LIMIT;
  a->stuck_after = CONF_DEFAULT_STUCK_AFTER;
  a->notify = CONF_NOTIFY_ALL;
  a->collect_quota = true;
  a->state_dir = strdup(CONF_DEFAULT_STATE_DIR);
  a->metadata_endpoint = strdup(CONF_DEFAULT_METADATA_ENDPOINT);
  a->endpoint = strdup(CONF_DEFAULT_ENDPOINT);
  a->endpoint_host = strdup(CONF_DEFAULT_ENDPOINT + strlen("https://"));
  a->endpoint_tls = true;
  return a->endpoint && a->endpoint_host && a->state_dir && a->metadata_endpoint
             ? 0
             : -1;
}

static bool conf_valid_account_name(const char *name) {
  if (name[0] == '\0')
    return false;
  for (const char *c = name; *c; c++)
    if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
      return false;
  return true;
}

static int conf_check_account_name(conf_ctx_t *ctx, const oconfig_item_t *it) {
  if (it->values_num != 1 || it->values[0].type != OCONFIG_TYPE_STRING)
    return conf_fail(ctx, it, "an <Account> block takes exactly one name");
  const char *name = it->values[0].value.string;
  if (!conf_valid_account_name(name))
    return conf_fail(ctx, it,
                     "the name may hold only letters, digits, "
                     "'-', '_' and '.'");
  /* Cut names could collide: two accounts would share metrics. */
  if (strlen(name) > CONF_MAX_ACCOUNT_NAME_LEN)
    return conf_fail(ctx, it,
                     "the name has %zu characters, at most %zu fit: "
                     "collectd's plugin_instance and the read callback's "
                     "name (\"" CONF_READ_CALLBACK_PREFIX "<name>\") hold %d",
                     strlen(name), CONF_MAX_ACCOUNT_NAME_LEN,
                     CONF_COLLECTD_NAME_MAX);
  for (size_t i = 0; i < ctx->conf->count; i++)
    if (strcmp(ctx->conf->accounts[i].name, name) == 0)
      return conf_fail(ctx, it, "an account of this name already exists");
  ctx->account->name = strdup(name);
  return ctx->account->name ? 0 : conf_fail(ctx, it, "out of memory");
}

static int conf_domain_compare(const void *a, const void *b) {
  return strcmp(((const conf_domain_t *)a)->name,
                ((const conf_domain_t *)b)->name);
}

/* Exactly one source; AccessKeyId goes with the two that need it. */
static int conf_credential_source(conf_ctx_t *ctx) {
  conf_account_t *a = ctx->account;
  const struct {
    bool set;
    const char *name;
    conf_cred_source_t source;
  } sources[] = {
      {a->access_key_secret != NULL, "AccessKeySecret", CONF_CRED_STATIC},
      {a->secret_file != NULL, "AccessKeySecretFile", CONF_CRED_SECRET_FILE},
      {a->credentials_file != NULL || a->profile != NULL,
       a->credentials_file ? "CredentialsFile" : "Profile", CONF_CRED_PROFILE},
      {a->ram_role != NULL, "RamRole", CONF_CRED_RAM_ROLE},
  };
  const char *first = NULL;
  a->cred_source = CONF_CRED_ENVIRONMENT;
  for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
    if (!sources[i].set)
      continue;
    if (first != NULL)
      return conf_fail_account(ctx,
                               "options \"%s\" and \"%s\" are two "
                               "credential sources: configure one",
                               first, sources[i].name);
    first = sources[i].name;
    a->cred_source = sources[i].source;
  }
  bool needs_id = a->cred_source == CONF_CRED_STATIC ||
                  a->cred_source == CONF_CRED_SECRET_FILE;
  if (needs_id && a->access_key_id == NULL)
    return conf_fail_account(ctx,
                             "option \"AccessKeyId\" is required with "
                             "\"%s\"",
                             first);
  if (!needs_id && a->access_key_id != NULL)
    return conf_fail_account(ctx, "option \"AccessKeyId\" needs "
                                  "\"AccessKeySecret\" or "
                                  "\"AccessKeySecretFile\"");
  if (a->security_token != NULL && !needs_id)
    return conf_fail_account(ctx, "option \"SecurityToken\" goes with "
                                  "\"AccessKeyId\"");
  return 0;
}

static int conf_finish_account(conf_ctx_t *ctx) {
  conf_account_t *a = ctx->account;
  if (conf_credential_source(ctx) != 0)
    return -1;
  if (a->domain_count == 0)
    return conf_fail_account(ctx, "at least one Domain is required");
  qsort(a->domains, a->domain_count, sizeof(*a->domains), conf_domain_compare);
  if (a->query_mode == CONF_QUERY_DOMAIN &&
      conf_find_domain(a, CONF_WILDCARD_DOMAIN) != NULL)
    return conf_fail_account(ctx, "Domain \"*\" needs QueryMode \"account\" "
                                  "or \"auto\": domain queries need names");
  if (!a->endpoint_tls)
    conf_warn(ctx,
              "Account \"%s\": Endpoint \"%s\" is plain http: requests "
              "will not be encrypted",
              a->name, a->endpoint);
  return 0;
}

static int conf_parse_account(conf_ctx_t *ctx, const oconfig_item_t *it) {
  if (conf_set_defaults(ctx->account) != 0)
    return conf_fail(ctx, it, "out of memory");
  if (conf_check_account_name(ctx, it) != 0)
    return -1;
  for (int i = 0; i < it->children_num; i++)
    if (conf_account_option(ctx, &it->children[i]) != 0)
      return -1;
  return conf_finish_account(ctx);
}

static int conf_append_account(conf_t *conf, conf_account_t *account) {
  conf_account_t *accounts =
      realloc(conf->accounts, (conf->count + 1) * sizeof(*accounts));
  if (accounts == NULL)
    return -1;
  conf->accounts = accounts;
  conf->accounts[conf->count++] = *account;
  return 0;
}

int conf_add_block(conf_t *conf, const oconfig_item_t *block, char *err,
                   size_t err_size, conf_warn_fn warn, void *warn_ctx) {
  size_t first_new = conf->count;
  for (int i = 0; i < block->children_num; i++) {
    const oconfig_item_t *it = &block->children[i];
    conf_account_t account = {0};
    conf_ctx_t ctx = {conf, &account, err, err_size, warn, warn_ctx};
    int status = strcasecmp(it->key, "Account") == 0
                     ? conf_parse_account(&ctx, it)
                     : conf_fail(&ctx, it,
                                 "unknown option (only <Account> "
                                 "blocks belong here)");
    if (status == 0 && conf_append_account(conf, &account) != 0)
      status = conf_fail(&ctx, it, "out of memory");
    if (status != 0) {
      conf_account_free(&account);
      while (conf->count > first_new)
        conf_account_free(&conf->accounts[--conf->count]);
      return -1;
    }
  }
  return 0;
}

const conf_domain_t *conf_find_domain(const conf_account_t *account,
                                      const char *name) {
  conf_domain_t key = {.name = (char *)name};
  return bsearch(&key, account->domains, account->domain_count,
                 sizeof(*account->domains), conf_domain_compare);
}

void conf_account_free(conf_account_t *a) {
  if (a->access_key_secret != NULL)
    OPENSSL_cleanse(a->access_key_secret, strlen(a->access_key_secret));
  free(a->name);
  free(a->access_key_id);
  free(a->access_key_secret);
  free(a->endpoint);
  free(a->endpoint_host);
  free(a->cacert);
  if (a->security_token != NULL)
    OPENSSL_cleanse(a->security_token, strlen(a->security_token));
  free(a->security_token);
  free(a->secret_file);
  free(a->credentials_file);
  free(a->profile);
  free(a->ram_role);
  free(a->metadata_endpoint);
  free(a->state_dir);
  for (size_t i = 0; i < a->domain_count; i++)
    free(a->domains[i].name);
  free(a->domains);
  memset(a, 0, sizeof(*a));
}

void conf_free(conf_t *conf) {
  for (size_t i = 0; i < conf->count; i++)
    conf_account_free(&conf->accounts[i]);
  free(conf->accounts);
  *conf = (conf_t)CONF_INIT;
}
