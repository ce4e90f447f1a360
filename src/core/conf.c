/* The block walk and the table: every option of <Plugin dcdn>, <Account>
 * and <Domain> is one row of conf_options[] below. To add an option, add
 * its field to conf_account_t or conf_domain_t, its row here, and its
 * entry in the README and collectd-dcdn(5) (t/integration/test_docs.py
 * reads this table). */
#include "core/conf.h"
#include "core/ascii.h"

#include "core/conf_cred.h"
#include "core/conf_domain.h"
#include "core/conf_option.h"
#include "core/conf_product.h"
#include "core/conf_proxy.h"
#include "core/conf_url.h"
#include "core/conf_value.h"

#include <stdlib.h>
#include <string.h>

static int conf_rule_signature_version(conf_ctx_t *ctx,
                                       const oconfig_item_t *it, void *field) {
  if (*(int *)field == 2)
    return conf_fail(ctx, it, "must be 1 (HMAC-SHA1) or 3 (ACS3-HMAC-SHA256)");
  return 0;
}

/* Accepted: other tools may have a higher limit granted; warned, as the
 * API throttles above it. */
static int conf_rule_rate_limit(conf_ctx_t *ctx, const oconfig_item_t *it,
                                void *field) {
  (void)it;
  double rate = *(double *)field;
  if (rate > CONF_DOCUMENTED_RATE_LIMIT)
    conf_warn(ctx,
              "Account \"%s\": RateLimit %g is above the API's documented "
              "%g calls per second: expect throttling",
              ctx->account->name, rate, CONF_DOCUMENTED_RATE_LIMIT);
  return 0;
}

static int conf_rule_query_mode(conf_ctx_t *ctx, const oconfig_item_t *it,
                                void *field) {
  /* In the order of conf_query_mode_t. */
  static const char *const modes[] = {"auto", "account", "domain", NULL};
  int mode = 0;
  if (conf_get_choice(ctx, it, modes, &mode) != 0)
    return -1;
  *(conf_query_mode_t *)field = (conf_query_mode_t)mode;
  return 0;
}

/* collectd's working directory is not ours to depend on. */
static int conf_rule_state_dir(conf_ctx_t *ctx, const oconfig_item_t *it,
                               void *field) {
  if ((*(char **)field)[0] != '/')
    return conf_fail(ctx, it, "must be an absolute path");
  return 0;
}

/* A list of words -> bits 1 << the word's index in names, into an int.
 * Words at or past domain_words mean nothing inside a <Domain>. "none"
 * alone is no bit: collectd's parser takes no option without a value. */
static int conf_words_to_bits(conf_ctx_t *ctx, const oconfig_item_t *it,
                              const char *const *names, int domain_words,
                              const char *expected, void *field) {
  bool in_domain = ctx->domain != NULL;
  unsigned bits = 0;
  if (it->values_num == 1 && it->values[0].type == OCONFIG_TYPE_STRING &&
      ascii_strcasecmp(it->values[0].value.string, "none") == 0) {
    *(int *)field = 0;
    return 0;
  }
  for (int i = 0; i < it->values_num; i++) {
    const oconfig_value_t *v = &it->values[i];
    int found = v->type == OCONFIG_TYPE_STRING
                    ? conf_choice_index(names, v->value.string)
                    : -1;
    if (found < 0 || (in_domain && found >= domain_words))
      return conf_fail(ctx, it, "each value must be one of %s (or \"none\" alone)",
                       expected);
    bits |= 1u << found;
  }
  *(int *)field = (int)bits;
  return 0;
}

/* Notify "failed" "stuck" "account": CONF_NOTIFY_* bits. Inside a
 * <Domain>, "account" means nothing and is refused. */
static int conf_rule_notify(conf_ctx_t *ctx, const oconfig_item_t *it,
                            void *field) {
  static const char *const names[] = {"failed", "stuck", "account", NULL};
  return conf_words_to_bits(
      ctx, it, names, 2,
      ctx->domain ? "\"failed\", \"stuck\""
                  : "\"failed\", \"stuck\", \"account\"",
      field);
}

/* Report "counts" "rates" "durations" "progress" "staleness": the
 * CONF_REPORT_* families of a domain's values, in the order of their bits. */
static int conf_rule_report(conf_ctx_t *ctx, const oconfig_item_t *it,
                            void *field) {
  static const char *const names[] = {"counts",   "rates",     "durations",
                                      "progress", "staleness", NULL};
  return conf_words_to_bits(ctx, it, names, 5,
                            "\"counts\", \"rates\", \"durations\", "
                            "\"progress\", \"staleness\"",
                            field);
}

static bool conf_valid_account_name(const char *name) {
  if (name[0] == '\0')
    return false;
  for (const char *c = name; *c; c++)
    if (!ascii_is_alnum((unsigned char)*c) && *c != '-' && *c != '_' &&
        *c != '.')
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

/* <Account "name">: its name first, so that the defaults' rules can name
 * the account; then the options; then what concerns several of them. */
static int conf_rule_account(conf_ctx_t *ctx, const oconfig_item_t *it,
                             void *field) {
  (void)field;
  if (conf_check_account_name(ctx, it) != 0 ||
      conf_set_defaults(ctx, CONF_IN_ACCOUNT, ctx->account) != 0 ||
      conf_walk(ctx, it, CONF_IN_ACCOUNT, ctx->account) != 0 ||
      conf_product_finish(ctx) != 0 || conf_credential_source(ctx) != 0 || conf_proxy_finish(ctx) != 0 ||
      conf_domains_finish(ctx) != 0)
    return -1;
  conf_warn_plain_http(ctx);
  return 0;
}

/* The table's words, so that a row fits a line or two. */
#define ACCOUNT(f) CONF_ACCOUNT_FIELD(f)
#define DOMAIN(f) CONF_DOMAIN_FIELD(f)
#define NOWHERE 0
#define RANGE(min, max) (min), (max)
#define NO_RANGE 0, 0
#define NUMBER(n)                                                              \
  { true, (n), NULL }
#define STRING(s)                                                              \
  { true, 0, (s) }
#define NO_DEFAULT                                                             \
  { false, 0, NULL }
#define SECRET true
#define SHOWN false

/* Every option, once: {name, type, range, default, scope, secret, account
 * field, domain field, rule}. */
const conf_option_t conf_options[] = {
    {"Account", CONF_BLOCK, NO_RANGE, NO_DEFAULT, CONF_IN_PLUGIN, SHOWN,
     NOWHERE, NOWHERE, conf_rule_account},
    /* Credentials: one source per account (conf_credential_source). */
    {"AccessKeyId", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(access_key_id), NOWHERE, NULL},
    {"AccessKeySecret", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT,
     SECRET, ACCOUNT(access_key_secret), NOWHERE, NULL},
    {"SecurityToken", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT,
     SECRET, ACCOUNT(security_token), NOWHERE, NULL},
    {"AccessKeySecretFile", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT,
     SHOWN, ACCOUNT(secret_file), NOWHERE, NULL},
    {"CredentialsFile", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT,
     SHOWN, ACCOUNT(credentials_file), NOWHERE, NULL},
    {"Profile", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(profile), NOWHERE, NULL},
    {"RamRole", CONF_STRING_OR_BOOLEAN, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT,
     SHOWN, ACCOUNT(ram_role), NOWHERE, conf_rule_ram_role},
    {"MetadataEndpoint", CONF_STRING, NO_RANGE,
     STRING(CONF_DEFAULT_METADATA_ENDPOINT), CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(metadata_endpoint), NOWHERE, conf_rule_metadata_endpoint},
    /* AssumeRole: the role the credentials above (the base) assume. */
    {"RoleArn", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(role.arn), NOWHERE, NULL},
    {"RoleSessionName", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT,
     SHOWN, ACCOUNT(role.session_name), NOWHERE, NULL},
    {"ExternalId", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(role.external_id), NOWHERE, NULL},
    {"Policy", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(role.policy), NOWHERE, NULL},
    /* Unset (0) without a default: STS_DEFAULT_DURATION is sent, and a
     * DurationSeconds given without a role is an error. */
    {"DurationSeconds", CONF_INTEGER, RANGE(900, 43200), NO_DEFAULT,
     CONF_IN_ACCOUNT, SHOWN, ACCOUNT(role.duration), NOWHERE, NULL},
    {"STSEndpoint", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(sts_endpoint), NOWHERE, conf_rule_metadata_endpoint},
    /* The API and how it is called. */
    {"Product", CONF_CHOICE, NO_RANGE, STRING("dcdn"), CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(product), NOWHERE, conf_rule_product},
    {"Region", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(region), NOWHERE, conf_rule_region},
    /* Default: the Region's or the product's (conf_product_finish). */
    {"Endpoint", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(endpoint), NOWHERE, conf_rule_endpoint},
    {"SignatureVersion", CONF_INTEGER, RANGE(1, 3), NUMBER(3), CONF_IN_ACCOUNT,
     SHOWN, ACCOUNT(signature_version), NOWHERE, conf_rule_signature_version},
    {"Timeout", CONF_NUMBER, RANGE(0.1, 300), NUMBER(CONF_DEFAULT_TIMEOUT),
     CONF_IN_ACCOUNT, SHOWN, ACCOUNT(timeout), NOWHERE, NULL},
    {"MaxResponseSize", CONF_INTEGER,
     RANGE(CONF_MIN_MAX_RESPONSE_SIZE, CONF_MAX_MAX_RESPONSE_SIZE),
     NUMBER(CONF_DEFAULT_MAX_RESPONSE_SIZE), CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(max_response_size), NOWHERE, NULL},
    {"CACert", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(cacert), NOWHERE, NULL},
    /* API requests only: the metadata service is never proxied. */
    {"Proxy", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(proxy), NOWHERE, conf_rule_proxy},
    {"ProxyCredentialsFile", CONF_STRING, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT,
     SHOWN, ACCOUNT(proxy_credentials_file), NOWHERE, NULL},
    {"NoProxy", CONF_STRINGS, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(no_proxy), NOWHERE, conf_rule_no_proxy},
    /* Polling. Interval's unset 0 is collectd's interval. */
    {"Interval", CONF_NUMBER, RANGE(0.001, 86400), NO_DEFAULT, CONF_IN_ACCOUNT,
     SHOWN, ACCOUNT(interval), NOWHERE, NULL},
    {"Lookback", CONF_INTEGER, RANGE(CONF_MIN_LOOKBACK, CONF_MAX_LOOKBACK),
     NUMBER(CONF_DEFAULT_LOOKBACK), CONF_IN_ACCOUNT, SHOWN, ACCOUNT(lookback),
     NOWHERE, NULL},
    {"RateLimit", CONF_NUMBER, RANGE(0.01, 1000),
     NUMBER(CONF_DEFAULT_RATE_LIMIT), CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(rate_limit), NOWHERE, conf_rule_rate_limit},
    {"QueryMode", CONF_CHOICE, NO_RANGE, STRING("auto"), CONF_IN_ACCOUNT, SHOWN,
     ACCOUNT(query_mode), NOWHERE, conf_rule_query_mode},
    {"CollectQuota", CONF_BOOLEAN, NO_RANGE, NUMBER(true), CONF_IN_ACCOUNT,
     SHOWN, ACCOUNT(collect_quota), NOWHERE, NULL},
    {"StateDir", CONF_STRING, NO_RANGE, STRING(CONF_DEFAULT_STATE_DIR),
     CONF_IN_ACCOUNT, SHOWN, ACCOUNT(state_dir), NOWHERE, conf_rule_state_dir},
    /* Notifications: an account's, or a <Domain>'s own. */
    {"StuckAfter", CONF_INTEGER, RANGE(1, CONF_MAX_LOOKBACK),
     NUMBER(CONF_DEFAULT_STUCK_AFTER), CONF_IN_ACCOUNT | CONF_IN_DOMAIN, SHOWN,
     ACCOUNT(stuck_after), DOMAIN(stuck_after), NULL},
    {"Notify", CONF_STRINGS, NO_RANGE, NUMBER(CONF_NOTIFY_ALL),
     CONF_IN_ACCOUNT | CONF_IN_DOMAIN, SHOWN, ACCOUNT(notify), DOMAIN(notify),
     conf_rule_notify},
    /* Which of a domain's values are sent. */
    {"Report", CONF_STRINGS, NO_RANGE, NUMBER(CONF_REPORT_ALL),
     CONF_IN_ACCOUNT | CONF_IN_DOMAIN, SHOWN, ACCOUNT(report), DOMAIN(report),
     conf_rule_report},
    /* Domains. */
    {"Domain", CONF_STRINGS, NO_RANGE, NO_DEFAULT, CONF_IN_ACCOUNT, SHOWN,
     NOWHERE, NOWHERE, conf_rule_domain},
    /* Default (0): the product's types (conf_product_finish). */
    {"ObjectType", CONF_STRINGS, NO_RANGE, NO_DEFAULT, CONF_IN_DOMAIN, SHOWN,
     NOWHERE, DOMAIN(type_mask), conf_rule_object_type},
    {"SiteId", CONF_STRING_OR_NUMBER, NO_RANGE, NO_DEFAULT, CONF_IN_DOMAIN, SHOWN,
     NOWHERE, DOMAIN(site_id), conf_rule_site_id},
};
const size_t conf_option_count = sizeof(conf_options) / sizeof(conf_options[0]);

#undef ACCOUNT
#undef DOMAIN
#undef NOWHERE
#undef RANGE
#undef NO_RANGE
#undef NUMBER
#undef STRING
#undef NO_DEFAULT
#undef SECRET
#undef SHOWN

const conf_option_t *conf_option_find(unsigned scope, const char *name) {
  for (size_t i = 0; i < conf_option_count; i++)
    if ((conf_options[i].scope & scope) &&
        ascii_strcasecmp(name, conf_options[i].name) == 0)
      return &conf_options[i];
  return NULL;
}

static void *conf_field(const conf_option_t *o, unsigned scope, void *base) {
  size_t at = scope == CONF_IN_ACCOUNT  ? o->account
              : scope == CONF_IN_DOMAIN ? o->domain
                                        : 0;
  return at == 0 ? NULL : (char *)base + at - 1;
}

/* Reads it by o's type into field, then o's rule. */
static int conf_read(conf_ctx_t *ctx, const conf_option_t *o,
                     const oconfig_item_t *it, void *field) {
  int status;
  switch (o->type) {
  case CONF_STRING:
    status = conf_get_string(ctx, it, field);
    break;
  case CONF_NUMBER:
    status = conf_get_number(ctx, it, o->min, o->max, field);
    break;
  case CONF_INTEGER:
    status = conf_get_integer(ctx, it, o->min, o->max, field);
    break;
  case CONF_BOOLEAN:
    status = conf_get_boolean(ctx, it, field);
    break;
  default: /* read by its rule */
    return o->rule(ctx, it, field);
  }
  return status == 0 && o->rule != NULL ? o->rule(ctx, it, field) : status;
}

/* Reads it by o, which alone knows whether its value may be shown. */
static int conf_read_as(conf_ctx_t *ctx, const conf_option_t *o,
                        const oconfig_item_t *it, void *field) {
  bool outer = ctx->secret;
  ctx->secret = o->secret;
  int status = conf_read(ctx, o, it, field);
  ctx->secret = outer;
  return status;
}

static int conf_fail_unknown(conf_ctx_t *ctx, const oconfig_item_t *it,
                             unsigned scope) {
  if (scope == CONF_IN_PLUGIN)
    return conf_fail(ctx, it,
                     "unknown option (only <Account> "
                     "blocks belong here)");
  if (scope == CONF_IN_DOMAIN)
    return conf_fail(ctx, it, "unknown option in <Domain \"%s\">", ctx->domain);
  return conf_fail(ctx, it, "unknown option");
}

int conf_read_option(conf_ctx_t *ctx, const oconfig_item_t *item,
                     unsigned scope, void *base) {
  const conf_option_t *o = conf_option_find(scope, item->key);
  if (o == NULL)
    return conf_fail_unknown(ctx, item, scope);
  return conf_read_as(ctx, o, item, conf_field(o, scope, base));
}

int conf_walk(conf_ctx_t *ctx, const oconfig_item_t *block, unsigned scope,
              void *base) {
  for (int i = 0; i < block->children_num; i++)
    if (conf_read_option(ctx, &block->children[i], scope, base) != 0)
      return -1;
  return 0;
}

static void conf_store_int(void *field, int value) {
  memcpy(field, &value, sizeof(value));
}

/* o's default, read as if configured: one value of o's type. */
static int conf_set_default(conf_ctx_t *ctx, const conf_option_t *o,
                            void *field) {
  oconfig_value_t value = {.type = OCONFIG_TYPE_NUMBER};
  if (o->type == CONF_STRINGS) {
    conf_store_int(field, (int)o->def.number);
    return 0;
  }
  if (o->type == CONF_STRING || o->type == CONF_CHOICE) {
    value.type = OCONFIG_TYPE_STRING;
    value.value.string = (char *)o->def.string;
  } else if (o->type == CONF_BOOLEAN) {
    value.type = OCONFIG_TYPE_BOOLEAN;
    value.value.boolean = o->def.number != 0;
  } else {
    value.value.number = o->def.number;
  }
  oconfig_item_t item = {
      .key = (char *)o->name, .values = &value, .values_num = 1};
  return conf_read_as(ctx, o, &item, field);
}

int conf_set_defaults(conf_ctx_t *ctx, unsigned scope, void *base) {
  for (size_t i = 0; i < conf_option_count; i++) {
    const conf_option_t *o = &conf_options[i];
    void *field = conf_field(o, scope, base);
    if (field == NULL)
      continue;
    if (scope == CONF_IN_DOMAIN && (o->scope & CONF_IN_ACCOUNT))
      conf_store_int(field, CONF_INHERIT);
    else if (o->def.set && conf_set_default(ctx, o, field) != 0)
      return -1;
  }
  return 0;
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
    conf_ctx_t ctx = {.conf = conf,
                      .account = &account,
                      .err = err,
                      .err_size = err_size,
                      .warn = warn,
                      .warn_ctx = warn_ctx};
    int status = conf_read_option(&ctx, it, CONF_IN_PLUGIN, NULL);
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

/* Every string an option holds, by the table: secrets wiped first. */
void conf_account_free(conf_account_t *a) {
  for (size_t i = 0; i < conf_option_count; i++) {
    const conf_option_t *o = &conf_options[i];
    if (o->account != 0 &&
        (o->type == CONF_STRING || o->type == CONF_STRING_OR_BOOLEAN))
      conf_free_string(conf_field(o, CONF_IN_ACCOUNT, a), o->secret);
  }
  free(a->name);
  free(a->endpoint_host);
  free(a->no_proxy); /* CONF_STRINGS: its rule's string, not the walk's */
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
