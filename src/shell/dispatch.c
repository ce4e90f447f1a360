#include "dcdn_config.h"

#include "collectd.h"

#include "plugin.h"
#include "shell/dispatch.h"
#include "utils/common/common.h"

void dispatch_report(const report_t *r, cdtime_t time, cdtime_t interval) {
  for (size_t i = 0; i < r->count; i++) {
    const report_value_t *v = &r->values[i];
    value_t value;
    if (v->derive)
      value.derive = (derive_t)v->counter;
    else
      value.gauge = v->gauge;
    value_list_t vl = VALUE_LIST_INIT;
    vl.values = &value;
    vl.values_len = 1;
    vl.time = time;
    vl.interval = interval;
    sstrncpy(vl.plugin, r->plugin, sizeof(vl.plugin));
    sstrncpy(vl.plugin_instance, report_text(r, v->plugin_instance),
             sizeof(vl.plugin_instance));
    sstrncpy(vl.type, v->type, sizeof(vl.type));
    sstrncpy(vl.type_instance, report_text(r, v->type_instance),
             sizeof(vl.type_instance));
    plugin_dispatch_values(&vl);
  }
}
