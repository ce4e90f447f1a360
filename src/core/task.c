#include "core/task.h"

#include "core/ascii.h"
#include "core/conf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const task_type_names[TASK_TYPE_COUNT] = {
    "file",     "directory",     "regex",    "preload",
    "cachetag", "ignore_params", "hostname", "purgeall"};
static const char *const task_status_names[TASK_STATUS_COUNT] = {
    "pending", "refreshing", "complete", "failed"};

const char *task_type_name(task_type_t type) {
  return type < TASK_TYPE_COUNT ? task_type_names[type] : "unknown";
}

const char *task_status_name(task_status_t status) {
  return status < TASK_STATUS_COUNT ? task_status_names[status] : "unknown";
}

/* Equal in any case, with the underscores of name left out of s:
 * "ignoreParams" is ignore_params. */
static bool task_name_is(const char *s, const char *name) {
  for (;; s++, name++) {
    if (*name == '_' && ascii_tolower(*s) != '_')
      name++;
    if (ascii_tolower(*s) != ascii_tolower(*name))
      return false;
    if (*s == '\0')
      return true;
  }
}

task_type_t task_type_from_string(const char *s) {
  if (ascii_strcasecmp(s, "path") == 0)
    return TASK_TYPE_DIRECTORY;
  for (int t = 0; t < TASK_TYPE_COUNT; t++)
    if (task_name_is(s, task_type_names[t]))
      return (task_type_t)t;
  return TASK_TYPE_UNKNOWN;
}

task_status_t task_status_from_string(const char *s) {
  for (int st = 0; st < TASK_STATUS_COUNT; st++)
    if (ascii_strcasecmp(s, task_status_names[st]) == 0)
      return (task_status_t)st;
  return TASK_STATUS_UNKNOWN;
}

int task_progress_from_string(const char *s, double *out) {
  /* strtod alone would also take "0x10", "inf" and "1e2". */
  if (s[strspn(s, "0123456789. %\t")] != '\0')
    return -1;
  char *end = NULL;
  double v = strtod(s, &end);
  if (end == s)
    return -1;
  while (ascii_is_space((unsigned char)*end))
    end++;
  if (*end == '%')
    end++;
  while (ascii_is_space((unsigned char)*end))
    end++;
  if (*end != '\0' || !(v >= 0.0 && v <= 100.0))
    return -1;
  *out = v;
  return 0;
}

int task_domain_of_path(const char *object_path, char *out, size_t out_size) {
  /* A scheme only when "://" comes before the path: "a.b/?u=http://c" has
   * none. */
  const char *host = strstr(object_path, "://");
  host = host && host < object_path + strcspn(object_path, "/?#") ? host + 3
                                                                  : object_path;
  size_t len = strcspn(host, ":/?#");
  if (len == 0 || len >= out_size)
    return -1;
  for (size_t i = 0; i < len; i++)
    out[i] = ascii_tolower(host[i]);
  out[len] = '\0';
  /* The host names a plugin_instance and a state file's domain: only what
   * a configured domain may be, so no peer's spaces, newlines or "..". */
  if (!conf_valid_domain_name(out)) {
    out[0] = '\0';
    return -1;
  }
  return 0;
}

void task_free(task_t *task) {
  free(task->task_id);
  free(task->object_path);
  free(task->description);
  free(task->unknown_type);
  free(task->unknown_status);
  memset(task, 0, sizeof(*task));
}
