#include "dcdn_config.h"

#include "collectd.h"

#include "shell/poll_site.h"

#include "core/apicode.h"
#include "core/site.h"
#include "core/site_quota.h"
#include "shell/log.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define POLL_SITES_PAGE 500 /* ListSites' largest PageSize */

/* A refused ListSites: one warning. */
static void poll_site_refused(account_t *a, const api_error_t *err) {
  const product_t *p = api_product(&a->api);
  if (a->sites_refused)
    return;
  a->sites_refused = true;
  DCDN_WARNING("account \"%s\": the key may not call %s (%s): only domains "
               "with a SiteId are read; grant %s:%s (%s) or give each "
               "<Domain> its SiteId",
               a->conf.name, p->sites_action, err->code, p->name,
               p->sites_action, p->ram_policy);
}

static void poll_site_warn_skipped(account_t *a, const resp_sites_t *page) {
  if (page->skipped > 0 &&
      warnonce_first(&a->warned, WARNONCE_UNREADABLE_FIELD, page->skipped_why))
    DCDN_WARNING("account \"%s\": %s: %s; such sites are left out (the "
                 "others count)",
                 a->conf.name, api_product(&a->api)->sites_action,
                 page->skipped_why);
}

/* Every page of ListSites, into *sites (kept as they were on a failure). */
static api_status_t poll_site_pages(account_t *a, sites_t *sites,
                                    api_error_t *err) {
  resp_sites_t page = {SITES_INIT, 0, 0, 0, ""};
  api_status_t st = API_OK;
  for (long number = 1; st == API_OK; number++) {
    params_t params = PARAMS_INIT;
    st = params_add_long(&params, "PageNumber", number) ||
                 params_add_long(&params, "PageSize", POLL_SITES_PAGE)
             ? API_FAILED
             : api_call_sites(&a->api, &params, &page, err);
    params_free(&params);
    poll_site_warn_skipped(a, &page);
    /* A short page is the last, whatever TotalCount says. */
    if (st != API_OK || page.listed + page.skipped < POLL_SITES_PAGE ||
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

static void poll_site_warn_unknown(account_t *a) {
  const domtab_t *tab = &a->watch.domains;
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

api_status_t poll_site_lookup(account_t *a, api_error_t *err) {
  const domtab_t *tab = &a->watch.domains;
  /* Refused once: the domains with a SiteId go on, and it is not asked
   * again; with none, nothing can be read: asked each poll, so that a
   * grant is seen, and each refusal fails the poll (the health tells). */
  bool any_site = sites_any_known(tab);
  if (!a->watch.by_site || !sites_lookup_due(tab) ||
      (a->sites_refused && any_site))
    return API_OK;
  api_status_t st = poll_site_pages(a, &a->sites, err);
  if (st == API_FAILED && apicode_is(err->code, APICODE_REFUSED)) {
    poll_site_refused(a, err);
    return any_site ? API_OK : API_FAILED;
  }
  if (st != API_OK)
    return st;
  a->sites_refused = false;
  if (sites_assign(&a->sites, &a->watch.domains, a->watch.hostless_types) > 0)
    poll_site_warn_unknown(a);
  return API_OK;
}

long poll_site_quota_wanted(account_t *a) {
  site_quota_call_t *calls = NULL;
  long n = sites_quota_calls(api_product(&a->api), &a->watch.domains, &calls);
  if (n >= 0 && site_quota_sync(&a->quota_slots, calls, (size_t)n) != 0)
    n = -1;
  free(calls);
  return n;
}

/* One site's quota of one type; a refusal marks the slot. */
static void poll_site_ask(account_t *a, site_quota_slot_t *slot) {
  const product_t *p = api_product(&a->api);
  params_t params = PARAMS_INIT;
  api_error_t err = {0};
  resp_quota_t quota;
  api_status_t st = API_FAILED;
  if (product_pair_query(p, NULL, slot->call.site_id, slot->call.type,
                         &params) != NULL)
    st = api_call_quota(&a->api, &params, &quota, &err);
  params_free(&params);
  if (st == API_OK) {
    slot->answer = quota;
    slot->have = true;
  } else if (st == API_FAILED && apicode_is(err.code, APICODE_REFUSED)) {
    slot->refused = true;
    DCDN_WARNING("account \"%s\": the key may not call %s for site %" PRIu64
                 ", type %s (%s): not asked for it any more; grant %s:%s (%s)",
                 a->conf.name, p->quota_action, slot->call.site_id,
                 task_type_name(slot->call.type), err.code, p->name,
                 p->quota_action, p->ram_policy);
  } else if (st == API_FAILED)
    api_log_error(&a->api, p->quota_action, &err);
}

/* The entry of an owner's figures, made when new; NULL when out of
 * memory. */
static report_site_quota_t *poll_site_entry(account_t *a, const char *owner) {
  for (size_t i = 0; i < a->site_quota_count; i++)
    if (strcmp(a->site_quotas[i].site, owner) == 0)
      return &a->site_quotas[i];
  report_site_quota_t *grown =
      realloc(a->site_quotas, (a->site_quota_count + 1) * sizeof(*grown));
  if (grown == NULL)
    return NULL;
  a->site_quotas = grown;
  report_site_quota_t *e = &a->site_quotas[a->site_quota_count++];
  memset(e, 0, sizeof(*e));
  snprintf(e->site, sizeof(e->site), "%s", owner);
  return e;
}

/* Every slot's last figures, named by the type asked for, under the
 * site's owner. */
static void poll_site_report(account_t *a) {
  a->site_quota_count = 0;
  const domtab_t *tab = &a->watch.domains;
  for (size_t i = 0; i < a->quota_slots.count; i++) {
    const site_quota_slot_t *slot = &a->quota_slots.items[i];
    uint32_t owner = sites_owner(tab, slot->call.site_id, TASK_TYPE_UNKNOWN);
    report_site_quota_t *e =
        slot->have && owner != DOMTAB_NONE
            ? poll_site_entry(a, tab->entries[owner].name)
            : NULL;
    for (size_t k = 0; e && k < slot->answer.count &&
                       e->quota.count < RESP_MAX_QUOTAS;
         k++) {
      resp_quota_item_t item = slot->answer.items[k];
      snprintf(item.kind, sizeof(item.kind), "%s",
               task_type_name(slot->call.type));
      e->quota.items[e->quota.count++] = item;
    }
  }
}

void poll_site_quota(account_t *a, long share) {
  site_quota_slots_t *slots = &a->quota_slots;
  size_t *turn = calloc(slots->count ? slots->count : 1, sizeof(*turn));
  size_t n = turn ? site_quota_turn(slots, share, turn) : 0;
  for (size_t i = 0; i < n; i++)
    poll_site_ask(a, &slots->items[turn[i]]);
  free(turn);
  poll_site_report(a);
}
