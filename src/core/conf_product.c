#include "core/conf_product.h"

#include "core/ascii.h"
#include "core/conf.h"
#include "core/conf_domain.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int conf_rule_product(conf_ctx_t *ctx, const oconfig_item_t *it, void *field) {
  int product = 0;
  if (conf_get_choice(ctx, it, product_names, &product) != 0)
    return -1;
  *(product_id_t *)field = (product_id_t)product;
  return 0;
}

int conf_rule_region(conf_ctx_t *ctx, const oconfig_item_t *it, void *field) {
  const char *region = *(char **)field;
  /* It becomes a host name's label: nothing else may get into the URL. */
  size_t len = strlen(region);
  for (size_t i = 0; i < len; i++)
    if (!ascii_is_alnum((unsigned char)region[i]) && region[i] != '-')
      len = 0;
  if (len == 0 || len > CONF_MAX_LABEL_LEN || region[0] == '-')
    return conf_fail(ctx, it,
                     "must be a region id such as cn-hangzhou or "
                     "ap-southeast-1 (letters, digits and '-')");
  return 0;
}

/* A SiteId's digits: not all zero, and at most UINT64_MAX. */
static int conf_site_id_of(const char *s, uint64_t *out) {
  size_t len = strlen(s);
  if (len == 0 || len > 20 || s[strspn(s, "0123456789")] != '\0')
    return -1;
  errno = 0;
  *out = strtoull(s, NULL, 10);
  return *out != 0 && errno == 0 ? 0 : -1;
}

int conf_rule_site_id(conf_ctx_t *ctx, const oconfig_item_t *it, void *field) {
  uint64_t id = 0;
  int status = -1;
  if (it->values_num == 1 && it->values[0].type == OCONFIG_TYPE_STRING)
    status = conf_site_id_of(it->values[0].value.string, &id);
  else if (it->values_num == 1 && it->values[0].type == OCONFIG_TYPE_NUMBER) {
    double v = it->values[0].value.number;
    /* A double holds whole numbers exactly up to 2^53 only. */
    if (v >= 1 && v <= 9007199254740992.0 && v == (double)(uint64_t)v) {
      id = (uint64_t)v;
      status = 0;
    }
  }
  if (status != 0)
    return conf_fail(ctx, it,
                     "must be the site's id, a whole number above 0 (as a "
                     "string of digits above 2^53)");
  *(uint64_t *)field = id;
  return 0;
}

/* Endpoint, else the Region's, else the product's. */
static int conf_product_endpoint(conf_ctx_t *ctx, const product_t *p) {
  conf_account_t *a = ctx->account;
  if (a->region != NULL && p->regional_endpoint == NULL)
    return conf_fail_account(ctx, "option \"Region\" is for Product \"esa\" "
                                  "only: %s has one endpoint",
                             p->label);
  if (a->region != NULL && a->endpoint != NULL)
    return conf_fail_account(ctx, "options \"Region\" and \"Endpoint\" "
                                  "both name the endpoint: give one");
  if (a->endpoint != NULL)
    return 0;
  char url[CONF_MAX_LABEL_LEN + 64], reason[128];
  /* regional_endpoint is "https://esa.%s.aliyuncs.com": the text around
   * its one "%s", with the region between. */
  if (a->region != NULL) {
    const char *at = strstr(p->regional_endpoint, "%s");
    snprintf(url, sizeof(url), "%.*s%s%s", (int)(at - p->regional_endpoint),
             p->regional_endpoint, a->region, at + 2);
  } else
    snprintf(url, sizeof(url), "%s", p->endpoint);
  if (conf_parse_endpoint(url, &a->endpoint, &a->endpoint_host,
                          &a->endpoint_tls, reason, sizeof(reason)) != 0)
    return conf_fail_account(ctx, "%s", reason);
  return 0;
}

/* A domain's ObjectType: the product's types when not given (0), else
 * only types the product has. */
static int conf_product_types(conf_ctx_t *ctx, const product_t *p,
                              conf_domain_t *d) {
  if (d->type_mask == 0)
    d->type_mask = p->types;
  unsigned foreign = d->type_mask & ~p->types;
  if (foreign == 0)
    return 0;
  unsigned t = 0;
  while (!(foreign & (1u << t)))
    t++;
  char types[160];
  product_type_list(p, types, sizeof(types));
  return conf_fail_account(ctx,
                           "domain \"%s\": option \"ObjectType\" = \"%s\": "
                           "%s has the types %s",
                           d->name, task_type_name(t), p->label, types);
}

/* What a product that lists by site (ESA) cannot do: an account-wide
 * list (QueryMode "account", Domain "*"). A SiteId is only for it. */
static int conf_product_domain(conf_ctx_t *ctx, const product_t *p,
                               const conf_domain_t *d) {
  bool by_site = p->sites_action != NULL;
  if (!by_site && d->site_id != 0)
    return conf_fail_account(ctx,
                             "domain \"%s\": option \"SiteId\" is for "
                             "Product \"esa\" only",
                             d->name);
  if (by_site && strcmp(d->name, CONF_WILDCARD_DOMAIN) == 0)
    return conf_fail_account(ctx,
                             "option \"Domain\" = \"*\": %s lists tasks site "
                             "by site, not account-wide: list the domains "
                             "(or the sites' names)",
                             p->label);
  return 0;
}

int conf_product_finish(conf_ctx_t *ctx) {
  conf_account_t *a = ctx->account;
  const product_t *p = &products[a->product];
  if (conf_product_endpoint(ctx, p) != 0)
    return -1;
  if (!p->account_list && a->query_mode == CONF_QUERY_ACCOUNT)
    return conf_fail_account(ctx,
                             "option \"QueryMode\" = \"account\": %s has no "
                             "account-wide list (\"auto\" and \"domain\" "
                             "query domain by domain)",
                             p->label);
  for (size_t i = 0; i < a->domain_count; i++)
    if (conf_product_domain(ctx, p, &a->domains[i]) != 0 ||
        conf_product_types(ctx, p, &a->domains[i]) != 0)
      return -1;
  return 0;
}
