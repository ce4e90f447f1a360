/* collectd glue: config, init, read registration and shutdown. */
#include "dcdn_config.h"

#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include "core/conf.h"
#include "shell/account.h"
#include "shell/log.h"
#include "shell/poll.h"
#include "shell/state.h"
#include "shell/stop.h"

#include <curl/curl.h>

static conf_t dcdn_conf = CONF_INIT;
/* One bad block must keep every account from starting. */
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
    return -1;
  }
  return 0;
}

static int dcdn_register_account(conf_account_t *conf) {
  char name[DATA_MAX_NAME_LEN], account_name[DATA_MAX_NAME_LEN];
  sstrncpy(account_name, conf->name, sizeof(account_name));
  ssnprintf(name, sizeof(name), CONF_READ_CALLBACK_PREFIX "%s", conf->name);
  cdtime_t interval = DOUBLE_TO_CDTIME_T(conf->interval);
  account_t *account = account_create(conf);
  if (account == NULL) {
    DCDN_ERROR("account \"%s\": could not set up (out of memory or "
               "libcurl failed)",
               account_name);
    return -1;
  }
  if (state_open(account) != 0) {
    account_destroy(account);
    return -1;
  }
  state_load(account);
  /* On failure collectd itself calls account_destroy. */
  return plugin_register_complex_read(
      "dcdn", name, poll_account, interval,
      &(user_data_t){.data = account, .free_func = account_destroy});
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
  int status = 0;
  for (size_t i = 0; i < dcdn_conf.count; i++)
    if (dcdn_register_account(&dcdn_conf.accounts[i]) != 0)
      status = -1;
  DCDN_INFO("version %s: polling %zu account(s)", DCDN_VERSION,
            dcdn_conf.count);
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
