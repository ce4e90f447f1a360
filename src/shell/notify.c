#include "dcdn_config.h"

#include "collectd.h"

#include "plugin.h"
#include "shell/notify.h"
#include "utils/common/common.h"

#include "shell/log.h"

#include "core/message.h"
#include "core/strbuf.h"

#include <stdlib.h>

/* message_task and message_account fit what collectd keeps. */
_Static_assert(sizeof(((notification_t *)0)->message) == MESSAGE_SIZE,
               "MESSAGE_SIZE is collectd's NOTIF_MAX_MSG_LEN");

static void notify_init(notification_t *n, const account_t *account,
                        int severity, const char *plugin_instance,
                        const char *type, const char *type_instance) {
  /* plugin_dispatch_notification fills in nothing itself. */
  *n = (notification_t){.severity = severity, .time = cdtime()};
  sstrncpy(n->host, hostname_g, sizeof(n->host));
  /* The product names the plugin, as in the values. */
  sstrncpy(n->plugin, products[account->conf.product].name, sizeof(n->plugin));
  sstrncpy(n->plugin_instance, plugin_instance, sizeof(n->plugin_instance));
  sstrncpy(n->type, type, sizeof(n->type));
  sstrncpy(n->type_instance, type_instance, sizeof(n->type_instance));
}

static void notify_send(notification_t *n) {
  plugin_dispatch_notification(n);
  plugin_notification_meta_free(n->meta);
  n->meta = NULL;
}

/* Meta strings come from the network (and collectd passes them on to
 * scripts and peers): printable, like the message. */
static void notify_meta(notification_t *n, const char *name,
                        const char *value) {
  char *printable = strbuf_printable_dup(value);
  if (printable != NULL)
    plugin_notification_meta_add_string(n, name, printable);
  free(printable);
}

static void notify_task_meta(notification_t *n, const account_t *account,
                             const domtab_entry_t *domain, const task_t *task) {
  notify_meta(n, "task_id", task->task_id);
  notify_meta(n, "object_path", task->object_path);
  notify_meta(n, "object_type", task_type_name(task->type));
  notify_meta(n, "status", task_status_name(task->status));
  notify_meta(n, "description", task->description);
  notify_meta(n, "domain", domain->name);
  notify_meta(n, "account", account->conf.name);
}

static const struct {
  int severity;
  message_task_kind_t message;
} notify_kinds[] = {
    [NOTIFY_FAILED] = {NOTIF_FAILURE, MESSAGE_TASK_FAILED},
    [NOTIFY_STUCK] = {NOTIF_WARNING, MESSAGE_TASK_STUCK},
    [NOTIFY_RECOVERED] = {NOTIF_OKAY, MESSAGE_TASK_COMPLETED},
};

void notify_task(const account_t *account, const domtab_entry_t *domain,
                 const task_t *task, notify_kind_t kind, time_t now) {
  notification_t n;
  notify_init(&n, account, notify_kinds[kind].severity, domain->name, "task",
              task_type_name(task->type));
  message_task(notify_kinds[kind].message,
               &(message_task_t){.product = products[account->conf.product].label,
                                 .type = task_type_name(task->type),
                                 .task_id = task->task_id,
                                 .object_path = task->object_path,
                                 .status = task_status_name(task->status),
                                 .reason = task->description,
                                 .age = (long)(now - task->created),
                                 .stuck_after = domain->stuck_after},
               n.message, sizeof(n.message));
  notify_task_meta(&n, account, domain, task);
  notify_send(&n);
}

void notify_account(const account_t *account, bool failed, const char *why) {
  notification_t n;
  notify_init(&n, account, failed ? NOTIF_FAILURE : NOTIF_OKAY,
              account->conf.name, "account", "health");
  message_account(products[account->conf.product].label, account->conf.name,
                  failed ? why : NULL, n.message,
                  sizeof(n.message));
  notify_meta(&n, "account", account->conf.name);
  notify_send(&n);
}
