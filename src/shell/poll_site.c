#include "dcdn_config.h"

#include "collectd.h"

#include "shell/poll_site.h"

#include "core/site.h"
#include "shell/log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define POLL_SITES_PAGE 500 /* ListSites' largest PageSize */

/* Every page of ListSites, into *sites. Returns the call's status. */
static api_status_t poll_site_pages(account_t *a, sites_t *sites) {
  resp_sites_t page = {SITES_INIT, 0, 0};
  api_status_t st = API_OK;
  for (long number = 1; st == API_OK; number++) {
    params_t params = PARAMS_INIT;
    api_error_t err;
    st = params_add_long(&params, "PageNumber", number) ||
                 params_add_long(&params, "PageSize", POLL_SITES_PAGE)
             ? API_FAILED
             : api_call_sites(&a->api, &params, &page, &err);
    params_free(&params);
    if (st == API_FAILED)
      api_log_error(&a->api, api_product(&a->api)->sites_action, &err);
    /* A short page is the last, whatever TotalCount says. */
    if (st != API_OK || page.listed < POLL_SITES_PAGE ||
        number * POLL_SITES_PAGE >= page.total_count)
      break;
  }
  if (st == API_OK) {
    sites_free(sites);
    *sites = page.sites;
  } else
    sites_free(&page.sites);
  return st;
}

void poll_site_lookup(account_t *a) {
  domtab_t *tab = &a->watch.domains;
  if (!a->watch.by_site || !sites_lookup_due(tab) ||
      poll_site_pages(a, &a->sites) != API_OK)
    return;
  if (sites_assign(&a->sites, tab) == 0)
    return;
  for (size_t i = 0; i < tab->count; i++)
    if (tab->entries[i].type_mask != 0 && tab->entries[i].site_id == 0 &&
        warnonce_first(&a->warned, WARNONCE_NO_SITE, tab->entries[i].name))
      DCDN_ERROR("account \"%s\": domain %s: no %s site of the key holds it "
                 "(%s names %zu); set SiteId in its <Domain> or check the "
                 "name; its staleness grows, the other domains go on",
                 a->conf.name, tab->entries[i].name,
                 api_product(&a->api)->label,
                 api_product(&a->api)->sites_action, a->sites.count);
}

long poll_site_quota_count(const account_t *a) {
  site_quota_call_t *calls = NULL;
  long n = sites_quota_calls(api_product(&a->api), &a->watch.domains, &calls);
  free(calls);
  return n > 0 ? n : 0;
}

/* The entry of a site's quota, made when new; NULL when out of memory. */
static report_site_quota_t *poll_site_entry(account_t *a, const char *site) {
  for (size_t i = 0; i < a->site_quota_count; i++)
    if (strcmp(a->site_quotas[i].site, site) == 0)
      return &a->site_quotas[i];
  report_site_quota_t *grown =
      realloc(a->site_quotas, (a->site_quota_count + 1) * sizeof(*grown));
  if (grown == NULL)
    return NULL;
  a->site_quotas = grown;
  report_site_quota_t *e = &a->site_quotas[a->site_quota_count++];
  memset(e, 0, sizeof(*e));
  e->site = site;
  return e;
}

/* One answer's figures, named by the type asked for. */
static void poll_site_keep(report_site_quota_t *e, const resp_quota_t *q,
                           unsigned type) {
  for (size_t i = 0; i < q->count && e->quota.count < RESP_MAX_QUOTAS; i++) {
    resp_quota_item_t item = q->items[i];
    snprintf(item.kind, sizeof(item.kind), "%s", task_type_name(type));
    e->quota.items[e->quota.count++] = item;
  }
}

void poll_site_quota(account_t *a,
                     api_status_t (*call)(account_t *a,
                                          const params_t *params,
                                          resp_quota_t *out)) {
  a->site_quota_count = 0;
  site_quota_call_t *calls = NULL;
  long n = sites_quota_calls(api_product(&a->api), &a->watch.domains, &calls);
  for (long i = 0; i < n; i++) {
    const char *site = sites_name_of(&a->sites, &a->watch.domains,
                                     calls[i].site_id);
    char id[24];
    snprintf(id, sizeof(id), "%" PRIu64, calls[i].site_id);
    params_t params = PARAMS_INIT;
    resp_quota_t quota;
    api_status_t st = API_FAILED;
    if (params_add(&params, "SiteId", id) == 0 &&
        params_add(&params, "Type",
                   api_product(&a->api)->type_api[calls[i].type]) == 0)
      st = call(a, &params, &quota);
    params_free(&params);
    report_site_quota_t *e =
        st == API_OK && site ? poll_site_entry(a, site) : NULL;
    if (e != NULL)
      poll_site_keep(e, &quota, calls[i].type);
    if (st == API_NO_BUDGET || a->watch.quota_refused)
      break;
  }
  free(calls);
}
