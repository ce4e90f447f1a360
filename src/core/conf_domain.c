#include "core/conf_domain.h"
#include "core/ascii.h"

#include "core/conf_option.h"

#include <stdlib.h>
#include <string.h>

/* One label: 1 to 63 letters, digits and '-', no '-' at either end. */
static bool conf_valid_label(const char *label, size_t len) {
  if (len == 0 || len > CONF_MAX_LABEL_LEN || label[0] == '-' ||
      label[len - 1] == '-')
    return false;
  for (size_t i = 0; i < len; i++)
    if (!ascii_is_alnum((unsigned char)label[i]) && label[i] != '-')
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

/* A domain listed twice in this account. Other accounts are checked once
 * the block is read (conf_domains_finish), when its Product is known. */
static const char *conf_domain_owner(const conf_ctx_t *ctx, const char *name) {
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
    *c = ascii_tolower(*c);
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

int conf_rule_object_type(conf_ctx_t *ctx, const oconfig_item_t *it,
                          void *field) {
  unsigned *mask = field;
  static const char types[] =
      "file, directory, regex, preload (DCDN, CDN) or file, directory, "
      "cachetag, ignore_params, hostname, purgeall, preload (ESA)";
  if (it->values_num < 1)
    return conf_fail(ctx, it, "expected one or more of %s", types);
  *mask = 0;
  for (int i = 0; i < it->values_num; i++) {
    const oconfig_value_t *v = &it->values[i];
    task_type_t t = v->type == OCONFIG_TYPE_STRING
                        ? task_type_from_string(v->value.string)
                        : TASK_TYPE_UNKNOWN;
    /* "path" is the API's answer, not a type users configure. */
    if (t == TASK_TYPE_UNKNOWN ||
        ascii_strcasecmp(v->value.string, "path") == 0)
      return conf_fail(ctx, it, "each value must be one of %s", types);
    *mask |= 1u << t;
  }
  return 0;
}

static int conf_domain_block(conf_ctx_t *ctx, const oconfig_item_t *it,
                             conf_domain_t d) {
  if (it->values_num != 1 || it->values[0].type != OCONFIG_TYPE_STRING)
    return conf_fail(ctx, it, "a <Domain> block takes exactly one name");
  const char *name = it->values[0].value.string;
  ctx->domain = name;
  int status = conf_walk(ctx, it, CONF_IN_DOMAIN, &d);
  ctx->domain = NULL;
  return status == 0 ? conf_add_domain(ctx, it, name, d) : -1;
}

int conf_rule_domain(conf_ctx_t *ctx, const oconfig_item_t *it, void *field) {
  (void)field;
  conf_domain_t d = {0};
  if (conf_set_defaults(ctx, CONF_IN_DOMAIN, &d) != 0)
    return -1;
  if (it->children_num > 0)
    return conf_domain_block(ctx, it, d);
  if (it->values_num < 1)
    return conf_fail(ctx, it, "expected one or more domain names");
  for (int i = 0; i < it->values_num; i++) {
    if (it->values[i].type != OCONFIG_TYPE_STRING)
      return conf_fail(ctx, it, "every domain name must be a string");
    if (conf_add_domain(ctx, it, it->values[i].value.string, d) != 0)
      return -1;
  }
  return 0;
}

static int conf_domain_compare(const void *a, const void *b) {
  return strcmp(((const conf_domain_t *)a)->name,
                ((const conf_domain_t *)b)->name);
}

/* Two accounts of one product would send the same domain's values under
 * one name; each account may report the domains its own tasks name ("*"),
 * and a domain on two products is one account of each (collectd's plugin
 * field, the product's name, keeps them apart). */
static int conf_domains_unique(conf_ctx_t *ctx) {
  const conf_account_t *a = ctx->account;
  bool star = conf_find_domain(a, CONF_WILDCARD_DOMAIN) != NULL;
  for (size_t i = 0; i < ctx->conf->count; i++) {
    const conf_account_t *other = &ctx->conf->accounts[i];
    /* What Domain "*" finds is known only at run time. */
    if (other->product == a->product &&
        (star || conf_find_domain(other, CONF_WILDCARD_DOMAIN) != NULL)) {
      conf_warn(ctx,
                "Account \"%s\": Domain \"*\" in account \"%s\" may report "
                "a domain that the other also reports (same Product): its "
                "values would be sent twice under one name; name the "
                "domains instead",
                a->name, star ? a->name : other->name);
      break;
    }
  }
  for (size_t d = 0; d < a->domain_count; d++) {
    const char *name = a->domains[d].name;
    for (size_t i = 0; i < ctx->conf->count; i++) {
      const conf_account_t *other = &ctx->conf->accounts[i];
      if (other->product == a->product &&
          strcmp(name, CONF_WILDCARD_DOMAIN) != 0 &&
          conf_find_domain(other, name) != NULL)
        return conf_fail_account(ctx,
                                 "option \"Domain\" = \"%s\": domain \"%s\" "
                                 "is already listed in account \"%s\"",
                                 name, name, other->name);
    }
  }
  return 0;
}

int conf_domains_finish(conf_ctx_t *ctx) {
  conf_account_t *a = ctx->account;
  if (a->domain_count == 0)
    return conf_fail_account(ctx, "at least one Domain is required");
  qsort(a->domains, a->domain_count, sizeof(*a->domains), conf_domain_compare);
  if (conf_domains_unique(ctx) != 0)
    return -1;
  if (a->query_mode == CONF_QUERY_DOMAIN &&
      conf_find_domain(a, CONF_WILDCARD_DOMAIN) != NULL)
    return conf_fail_account(ctx, "Domain \"*\" needs QueryMode \"account\" "
                                  "or \"auto\": domain queries need names");
  return 0;
}

const conf_domain_t *conf_find_domain(const conf_account_t *account,
                                      const char *name) {
  conf_domain_t key = {.name = (char *)name};
  return bsearch(&key, account->domains, account->domain_count,
                 sizeof(*account->domains), conf_domain_compare);
}
