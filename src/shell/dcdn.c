/* collectd glue: config, init, read registration and shutdown. */
#include "dcdn_config.h"

#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "core/conf.h"
#include "daemon/configfile.h"
#include "shell/account.h"
#include "shell/dispatch.h"
#include "shell/log.h"
#include "shell/poll.h"
#include "shell/state.h"
#include "shell/stop.h"

#include <curl/curl.h>

static conf_t dcdn_conf = CONF_INIT;
/* One bad block must keep every account from starting, and only them: a
 * config callback's error would stop collectd itself (and the host's cpu,
 * memory and load with it), so the error fails the plugin's init instead
 * (collectd unloads the plugin; collectd -T still exits non-zero). */
static bool dcdn_config_failed;
static bool dcdn_curl_ready;

static void dcdn_conf_warning(void *ctx, const char *message) {
  (void)ctx;
  DCDN_WARNING("%s", message);
}

static int dcdn_config(oconfig_item_t *ci) {
  char err[1024];
  if (conf_add_block(&dcdn_conf, ci, err, sizeof(err), dcdn_conf_warning,
                     NULL) != 0) {
    DCDN_ERROR("configuration error: %s; the plugin will not start", err);
    dcdn_config_failed = true;
  }
  return 0;
}

/* collectd -T runs one read of each callback and starts no read thread
 * (it sets ReadThreads to -1): the poll is then made in the read callback
 * itself, so that the test read is a complete poll. */
static bool dcdn_test_read(void) {
  const char *threads = global_option_get("ReadThreads");
  return threads != NULL && atoi(threads) == -1;
}

/* The values of the poll the account's thread finished since the last
 * read, with the time it ended. */
static void dcdn_send_poll(account_t *account) {
  report_t poll;
  cdtime_t time;
  cdtime_t began = cdtime();
  if (!worker_take(&account->worker, &poll, &time))
    return;
  dispatch_report(&poll, time, DOUBLE_TO_CDTIME_T(account->interval));
  report_free(&poll);
  worker_read_took(&account->worker, CDTIME_T_TO_DOUBLE(cdtime() - began));
}

/* collectd -T starts no thread: the read is one complete poll. A poll
 * whose calls fail (a wrong key, an endpoint away) fails the read, so that
 * -T exits non-zero: the check wanted before a restart. */
static int dcdn_poll_here(account_t *account) {
  report_t r = REPORT_INIT;
  if (poll_once(account, &r) == 0)
    dispatch_report(&r, cdtime(), DOUBLE_TO_CDTIME_T(account->interval));
  report_free(&r);
  state_save(account);
  return dcdn_test_read() && account->poll_failed ? -1 : 0;
}

/* The read callback: sends what the account's thread found and returns at
 * once. A failed poll has been logged and told by the account's health:
 * collectd's backoff (doubling up to MaxReadInterval, a day by default)
 * would only delay seeing the recovery. */
static int dcdn_read(user_data_t *user_data) {
  account_t *account = user_data->data;
  if (!account->worker.started)
    return dcdn_poll_here(account);
  dcdn_send_poll(account);
  return 0;
}

/* An account ready to poll: its runtime, its StateDir checked and locked,
 * its state loaded; NULL after logging why. */
static account_t *dcdn_prepare_account(conf_account_t *conf) {
  char account_name[DATA_MAX_NAME_LEN];
  sstrncpy(account_name, conf->name, sizeof(account_name));
  /* In init, collectd's context holds the plugin's interval (its
   * <LoadPlugin> Interval or the global one): the thread keeps it. */
  cdtime_t interval = conf->interval > 0 ? DOUBLE_TO_CDTIME_T(conf->interval)
                                         : plugin_get_interval();
  account_t *account = account_create(conf, CDTIME_T_TO_DOUBLE(interval));
  if (account == NULL) {
    DCDN_ERROR("account \"%s\": could not be set up (see the line above, if "
               "any; else out of memory)",
               account_name);
    return NULL;
  }
  if (state_open(account) != 0) {
    account_destroy(account);
    return NULL;
  }
  state_load(account);
  return account;
}

/* Its read callback and, unless under collectd -T, its thread. */
static int dcdn_start_account(account_t *account) {
  char name[DATA_MAX_NAME_LEN];
  ssnprintf(name, sizeof(name), CONF_READ_CALLBACK_PREFIX "%s",
            account->conf.name);
  /* On failure collectd itself calls account_destroy. */
  int status = plugin_register_complex_read(
      "dcdn", name, dcdn_read, DOUBLE_TO_CDTIME_T(account->interval),
      &(user_data_t){.data = account, .free_func = account_destroy});
  if (status != 0 || dcdn_test_read())
    return status;
  status = worker_start(account);
  if (status != 0)
    DCDN_ERROR("account \"%s\": could not start its thread (%s); it is "
               "polled in collectd's read thread instead",
               account->conf.name, STRERROR(status));
  return 0;
}

/* Every account is set up before any starts: one that cannot be (its
 * StateDir refused, say) keeps them all from starting, as a bad block
 * does. collectd would unload the plugin but keep read callbacks named
 * otherwise than "dcdn" running. */
static int dcdn_start_all(void) {
  size_t n = dcdn_conf.count;
  account_t **accounts = calloc(n, sizeof(*accounts));
  bool ready = accounts != NULL;
  for (size_t i = 0; ready && i < n; i++)
    ready = (accounts[i] = dcdn_prepare_account(&dcdn_conf.accounts[i])) != NULL;
  if (!ready) {
    for (size_t i = 0; accounts != NULL && i < n; i++)
      account_destroy(accounts[i]);
    free(accounts); /* the account's own line said the plugin stops */
    return -1;
  }
  int status = 0;
  for (size_t i = 0; i < n; i++)
    if (dcdn_start_account(accounts[i]) != 0)
      status = -1;
  free(accounts);
  if (status == 0)
    DCDN_INFO("version %s: polling %zu account(s)", DCDN_VERSION, n);
  return status;
}

static int dcdn_init(void) {
  if (dcdn_config_failed) {
    conf_free(&dcdn_conf);
    return -1;
  }
  if (dcdn_conf.count == 0) {
    DCDN_WARNING("no <Account> configured: nothing to poll");
    return 0;
  }
  stop_watch_signals();
  if (!dcdn_curl_ready) {
    if (curl_global_init(CURL_GLOBAL_SSL) != CURLE_OK) {
      DCDN_ERROR("curl_global_init failed");
      return -1;
    }
    dcdn_curl_ready = true;
  }
  int status = dcdn_start_all();
  conf_free(&dcdn_conf);
  return status;
}

static int dcdn_shutdown(void) {
  conf_free(&dcdn_conf);
  if (dcdn_curl_ready) {
    curl_global_cleanup();
    dcdn_curl_ready = false;
  }
  return 0;
}

void module_register(void) {
  plugin_register_complex_config("dcdn", dcdn_config);
  plugin_register_init("dcdn", dcdn_init);
  plugin_register_shutdown("dcdn", dcdn_shutdown);
}
