#include "dcdn_config.h"

#include "collectd.h"

#include "plugin.h"
#include "shell/notify.h"
#include "utils/common/common.h"

#include "shell/log.h"

static void notify_init(notification_t *n, int severity,
                        const char *plugin_instance, const char *type,
                        const char *type_instance) {
  /* plugin_dispatch_notification fills in nothing itself. */
  *n = (notification_t){.severity = severity, .time = cdtime()};
  sstrncpy(n->host, hostname_g, sizeof(n->host));
  sstrncpy(n->plugin, "dcdn", sizeof(n->plugin));
  sstrncpy(n->plugin_instance, plugin_instance, sizeof(n->plugin_instance));
  sstrncpy(n->type, type, sizeof(n->type));
  sstrncpy(n->type_instance, type_instance, sizeof(n->type_instance));
}

static void notify_send(notification_t *n) {
  plugin_dispatch_notification(n);
  plugin_notification_meta_free(n->meta);
  n->meta = NULL;
}

static void notify_task_meta(notification_t *n, const account_t *account,
                             const domtab_entry_t *domain, const task_t *task) {
  plugin_notification_meta_add_string(n, "task_id", task->task_id);
  plugin_notification_meta_add_string(n, "object_path", task->object_path);
  plugin_notification_meta_add_string(n, "object_type",
                                      task_type_name(task->type));
  plugin_notification_meta_add_string(n, "status",
                                      task_status_name(task->status));
  plugin_notification_meta_add_string(n, "description", task->description);
  plugin_notification_meta_add_string(n, "domain", domain->name);
  plugin_notification_meta_add_string(n, "account", account->conf.name);
}

static int notify_severity(notify_kind_t kind) {
  return kind == NOTIFY_FAILED  ? NOTIF_FAILURE
         : kind == NOTIFY_STUCK ? NOTIF_WARNING
                                : NOTIF_OKAY;
}

void notify_task(const account_t *account, const domtab_entry_t *domain,
                 const task_t *task, notify_kind_t kind, time_t now) {
  notification_t n;
  notify_init(&n, notify_severity(kind), domain->name, "task",
              task_type_name(task->type));
  long age = (long)(now - task->created);
  const char *type = task_type_name(task->type);
  if (kind == NOTIFY_FAILED)
    ssnprintf(n.message, sizeof(n.message), "DCDN %s task %s (%s) failed: %s",
              type, task->task_id, task->object_path,
              task->description[0] ? task->description : "no reason given");
  else if (kind == NOTIFY_STUCK)
    ssnprintf(n.message, sizeof(n.message),
              "DCDN %s task %s (%s) has been %s for %ld s, longer than "
              "StuckAfter %d s",
              type, task->task_id, task->object_path,
              task_status_name(task->status), age, domain->stuck_after);
  else
    ssnprintf(n.message, sizeof(n.message),
              "DCDN %s task %s (%s) completed after %ld s", type, task->task_id,
              task->object_path, age);
  notify_task_meta(&n, account, domain, task);
  notify_send(&n);
}

void notify_account(const account_t *account, bool failed, const char *why) {
  notification_t n;
  notify_init(&n, failed ? NOTIF_FAILURE : NOTIF_OKAY, account->conf.name,
              "account", "health");
  if (failed)
    ssnprintf(n.message, sizeof(n.message),
              "DCDN account \"%s\": API calls fail and need attention: %s",
              account->conf.name, why);
  else
    ssnprintf(n.message, sizeof(n.message),
              "DCDN account \"%s\": API calls succeed again",
              account->conf.name);
  plugin_notification_meta_add_string(&n, "account", account->conf.name);
  notify_send(&n);
}
