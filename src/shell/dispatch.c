#include "dcdn_config.h"

#include "collectd.h"

#include "plugin.h"
#include "shell/dispatch.h"
#include "utils/common/common.h"

static void dispatch_gauge(const char *plugin_instance, const char *type,
                           const char *type_instance, gauge_t value) {
  value_list_t vl = VALUE_LIST_INIT;
  vl.values = &(value_t){.gauge = value};
  vl.values_len = 1;
  sstrncpy(vl.plugin, "dcdn", sizeof(vl.plugin));
  sstrncpy(vl.plugin_instance, plugin_instance, sizeof(vl.plugin_instance));
  sstrncpy(vl.type, type, sizeof(vl.type));
  sstrncpy(vl.type_instance, type_instance, sizeof(vl.type_instance));
  plugin_dispatch_values(&vl);
}

void dispatch_counts(const conf_account_t *account, const tally_t *counts) {
  for (size_t d = 0; d < account->domain_count; d++) {
    const conf_domain_t *domain = &account->domains[d];
    for (int t = 0; t < TASK_TYPE_COUNT; t++) {
      if (!(domain->type_mask & (1u << t)))
        continue;
      for (int s = 0; s < TASK_STATUS_COUNT; s++) {
        char type_instance[DATA_MAX_NAME_LEN];
        ssnprintf(type_instance, sizeof(type_instance), "%s-%s",
                  task_type_name((task_type_t)t),
                  task_status_name((task_status_t)s));
        dispatch_gauge(domain->name, "count", type_instance,
                       (gauge_t)counts[d].count[t][s]);
      }
    }
  }
}
