/* The runtime of one configured <Account>: what its read callback owns. */
#ifndef DCDN_ACCOUNT_H
#define DCDN_ACCOUNT_H

#include "core/conf.h"
#include "core/health.h"
#include "core/report.h"
#include "core/resp.h"
#include "core/site.h"
#include "core/site_quota.h"
#include "core/warnonce.h"
#include "core/watch.h"
#include "shell/api.h"
#include "shell/worker.h"

#include <stdbool.h>
#include <time.h>

typedef struct account_s {
  conf_account_t conf;
  double interval; /* seconds between polls: Interval, or collectd's */
  api_client_t api;
  watch_t watch; /* tasks, coverage and the poll's decisions */
  health_t health;
  resp_quota_t quota; /* the last DescribeDcdnRefreshQuota answer */
  bool have_quota;
  /* ESA: the sites ListSites named; each quota call's last answer; and
   * those, by site, as the last poll reports them. */
  sites_t sites;
  bool sites_refused; /* the key may not call ListSites */
  site_quota_slots_t quota_slots;
  report_site_quota_t *site_quotas;
  size_t site_quota_count;
  bool state_save_failing; /* warn once, not every interval */
  bool poll_failed; /* the last poll's calls failed (told by health) */
  /* Another process (collectd -T beside the daemon) holds the state file:
   * poll, but neither save the state nor notify. */
  bool read_only;
  int lock_fd; /* the held lock on <StateDir>/<account>.lock, or -1 */
  warnonce_t warned;
  worker_t worker; /* the thread that polls, and its latest values */
} account_t;

/* Takes ownership of *conf (zeroing it); interval is in seconds. Returns
 * NULL on failure. */
account_t *account_create(conf_account_t *conf, double interval);
/* The free_func of the read callback: ends the account's thread, then
 * frees everything and wipes secrets. */
void account_destroy(void *account);

#endif
