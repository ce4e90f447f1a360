#include "core/resp.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "core/isotime.h"

bool resp_too_deep(const char *body) {
  int depth = 0;
  bool in_string = false;
  for (const char *p = body; *p; p++) {
    if (in_string) {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '"')
        in_string = false;
    } else if (*p == '/' && (p[1] == '*' || p[1] == '/')) {
      /* yajl_tree_parse allows comments: a quote in one starts no string. */
      const char *end = p[1] == '*' ? strstr(p + 2, "*/") : strchr(p, '\n');
      if (end == NULL)
        break;
      p = p[1] == '*' ? end + 1 : end;
    } else if (*p == '"') {
      in_string = true;
    } else if (*p == '{' || *p == '[') {
      if (++depth > RESP_MAX_DEPTH)
        return true;
    } else if (*p == '}' || *p == ']') {
      depth--;
    }
  }
  return false;
}

static yajl_val resp_member(yajl_val obj, const char *name) {
  const char *path[] = {name, NULL};
  return yajl_tree_get(obj, path, yajl_t_any);
}

static char *resp_strdup_member(yajl_val obj, const char *name) {
  yajl_val v = resp_member(obj, name);
  return YAJL_IS_STRING(v) ? strdup(v->u.string) : NULL;
}

__attribute__((format(printf, 3, 4))) static resp_status_t
resp_fail(char *why, size_t why_size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, why_size, fmt, ap);
  va_end(ap);
  return RESP_MALFORMED;
}

static resp_status_t resp_parse_error(yajl_val root, resp_error_t *err) {
  err->code = resp_strdup_member(root, "Code");
  err->message = resp_strdup_member(root, "Message");
  err->request_id = resp_strdup_member(root, "RequestId");
  return RESP_API_ERROR;
}

/* An optional integer member: absent leaves *out as it is. */
static int resp_get_long(yajl_val obj, const char *name, long *out,
                         bool required) {
  yajl_val v = resp_member(obj, name);
  if (v == NULL)
    return required ? -1 : 0;
  if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0)
    return -1;
  *out = (long)YAJL_GET_INTEGER(v);
  return 0;
}

/* A string member; NULL when absent or of another type (*present tells). */
static const char *resp_get_string(yajl_val obj, const char *name,
                                   bool *wrong_type) {
  yajl_val v = resp_member(obj, name);
  *wrong_type = v != NULL && !YAJL_IS_STRING(v);
  return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

static const char *const resp_required_task_fields[] = {
    "TaskId", "ObjectPath", "ObjectType", "Status", "CreationTime"};

static resp_status_t resp_check_task_fields(yajl_val obj, char *why,
                                            size_t why_size) {
  bool wrong = false;
  for (size_t i = 0; i < sizeof(resp_required_task_fields) /
                             sizeof(resp_required_task_fields[0]);
       i++) {
    const char *name = resp_required_task_fields[i];
    if (resp_get_string(obj, name, &wrong) == NULL)
      return resp_fail(why, why_size,
                       wrong ? "task field \"%s\" is not a string"
                             : "task field \"%s\" is missing",
                       name);
  }
  const char *optional[] = {"Process", "Description"};
  for (size_t i = 0; i < 2; i++)
    if (resp_get_string(obj, optional[i], &wrong) == NULL && wrong)
      return resp_fail(why, why_size, "task field \"%s\" is not a string",
                       optional[i]);
  return RESP_OK;
}

static resp_status_t resp_parse_task(yajl_val obj, task_t *task, char *why,
                                     size_t why_size) {
  if (!YAJL_IS_OBJECT(obj))
    return resp_fail(why, why_size, "%s is not an object", "a task");
  resp_status_t st = resp_check_task_fields(obj, why, why_size);
  if (st != RESP_OK)
    return st;
  bool wrong = false;
  const char *type = resp_get_string(obj, "ObjectType", &wrong);
  const char *status = resp_get_string(obj, "Status", &wrong);
  const char *created = resp_get_string(obj, "CreationTime", &wrong);
  const char *process = resp_get_string(obj, "Process", &wrong);
  const char *description = resp_get_string(obj, "Description", &wrong);
  if (isotime_parse(created, &task->created) != 0)
    return resp_fail(why, why_size,
                     "task field \"%s\" is not yyyy-MM-ddTHH:mm:ssZ",
                     "CreationTime");
  if (process != NULL && *process != '\0' &&
      task_progress_from_string(process, &task->progress) != 0)
    return resp_fail(why, why_size, "task field \"%s\" is not a percentage",
                     "Process");
  task->type = task_type_from_string(type);
  task->status = task_status_from_string(status);
  task->task_id = resp_strdup_member(obj, "TaskId");
  task->object_path = resp_strdup_member(obj, "ObjectPath");
  task->description = strdup(description ? description : "");
  if (task->type == TASK_TYPE_UNKNOWN)
    task->unknown_type = strdup(type);
  if (task->status == TASK_STATUS_UNKNOWN)
    task->unknown_status = strdup(status);
  if (task->task_id == NULL || task->object_path == NULL ||
      task->description == NULL ||
      (task->type == TASK_TYPE_UNKNOWN && task->unknown_type == NULL) ||
      (task->status == TASK_STATUS_UNKNOWN && task->unknown_status == NULL))
    return resp_fail(why, why_size, "%s", "out of memory");
  return RESP_OK;
}

/* Tasks.Task (DescribeDcdnRefreshTasks) or a flat Tasks array (ById). */
static resp_status_t resp_task_array(yajl_val root, yajl_val *array, char *why,
                                     size_t why_size) {
  yajl_val tasks = resp_member(root, "Tasks");
  *array = NULL;
  if (tasks == NULL || YAJL_IS_NULL(tasks))
    return RESP_OK;
  if (YAJL_IS_ARRAY(tasks)) {
    *array = tasks;
    return RESP_OK;
  }
  if (!YAJL_IS_OBJECT(tasks))
    return resp_fail(why, why_size, "field \"%s\" is not an object", "Tasks");
  yajl_val task = resp_member(tasks, "Task");
  if (task == NULL || YAJL_IS_NULL(task))
    return RESP_OK;
  if (!YAJL_IS_ARRAY(task))
    return resp_fail(why, why_size, "field \"%s\" is not an array",
                     "Tasks.Task");
  *array = task;
  return RESP_OK;
}

static resp_status_t resp_parse_page(yajl_val root, resp_page_t *page,
                                     char *why, size_t why_size) {
  if (resp_get_long(root, "TotalCount", &page->total_count, true) != 0)
    return resp_fail(why, why_size,
                     "field \"%s\" is missing or not a whole number",
                     "TotalCount");
  if (resp_get_long(root, "PageNumber", &page->page_number, false) != 0)
    return resp_fail(why, why_size, "field \"%s\" is not a whole number",
                     "PageNumber");
  if (resp_get_long(root, "PageSize", &page->page_size, false) != 0)
    return resp_fail(why, why_size, "field \"%s\" is not a whole number",
                     "PageSize");
  page->request_id = resp_strdup_member(root, "RequestId");
  yajl_val array = NULL;
  resp_status_t st = resp_task_array(root, &array, why, why_size);
  if (st != RESP_OK || array == NULL)
    return st;
  size_t n = YAJL_GET_ARRAY(array)->len;
  page->tasks = calloc(n ? n : 1, sizeof(*page->tasks));
  if (page->tasks == NULL)
    return resp_fail(why, why_size, "%s", "out of memory");
  for (size_t i = 0; i < n; i++) {
    page->count = i + 1;
    st = resp_parse_task(YAJL_GET_ARRAY(array)->values[i], &page->tasks[i], why,
                         why_size);
    if (st != RESP_OK)
      return st;
  }
  return RESP_OK;
}

typedef resp_status_t (*resp_body_fn)(yajl_val root, void *out, char *why,
                                      size_t why_size);

/* The steps every answer shares: depth, JSON, object, API error. */
static resp_status_t resp_parse_body(const char *body, resp_body_fn parse,
                                     void *out, resp_error_t *err, char *why,
                                     size_t why_size) {
  memset(err, 0, sizeof(*err));
  if (resp_too_deep(body))
    return resp_fail(why, why_size, "%s", "JSON nested too deeply");
  char errbuf[256] = "";
  yajl_val root = yajl_tree_parse(body, errbuf, sizeof(errbuf));
  if (root == NULL) {
    errbuf[strcspn(errbuf, "\r\n")] = '\0';
    return resp_fail(why, why_size, "not valid JSON: %s", errbuf);
  }
  resp_status_t st;
  if (!YAJL_IS_OBJECT(root))
    st = resp_fail(why, why_size, "%s", "body is not a JSON object");
  else if (resp_member(root, "Code") != NULL)
    st = resp_parse_error(root, err);
  else
    st = parse(root, out, why, why_size);
  yajl_tree_free(root);
  return st;
}

static resp_status_t resp_page_body(yajl_val root, void *out, char *why,
                                    size_t why_size) {
  return resp_parse_page(root, out, why, why_size);
}

resp_status_t resp_parse_tasks(const char *body, resp_page_t *page,
                               resp_error_t *err, char *why, size_t why_size) {
  memset(page, 0, sizeof(*page));
  return resp_parse_body(body, resp_page_body, page, err, why, why_size);
}

/* "IgnoreParamsRemain" -> "ignore_params", remain. */
static bool resp_quota_name(const char *key, resp_quota_item_t *item) {
  size_t len = strlen(key);
  size_t suffix = 0;
  if (len > 6 && strcmp(key + len - 6, "Remain") == 0)
    suffix = 6;
  else if (len > 5 && strcmp(key + len - 5, "Quota") == 0)
    suffix = 5;
  if (suffix == 0 || len - suffix >= sizeof(item->kind) / 2)
    return false;
  item->remain = suffix == 6;
  size_t o = 0;
  for (size_t i = 0; i < len - suffix; i++) {
    if (isupper((unsigned char)key[i]) && i > 0)
      item->kind[o++] = '_';
    item->kind[o++] = (char)tolower((unsigned char)key[i]);
  }
  item->kind[o] = '\0';
  return true;
}

static resp_status_t resp_quota_body(yajl_val root, void *out, char *why,
                                     size_t why_size) {
  resp_quota_t *quota = out;
  for (size_t i = 0; i < YAJL_GET_OBJECT(root)->len; i++) {
    const char *key = YAJL_GET_OBJECT(root)->keys[i];
    yajl_val v = YAJL_GET_OBJECT(root)->values[i];
    resp_quota_item_t item = {0};
    if (!resp_quota_name(key, &item) || quota->count == RESP_MAX_QUOTAS)
      continue;
    char *end = NULL;
    if (YAJL_IS_STRING(v))
      item.value = strtod(v->u.string, &end);
    else if (YAJL_IS_NUMBER(v))
      item.value = YAJL_GET_DOUBLE(v);
    /* Digits only: strtod would also take "inf", "0x10", " 5" or "-1". */
    if ((YAJL_IS_STRING(v) &&
         (end == v->u.string || *end != '\0' ||
          v->u.string[strspn(v->u.string, "0123456789")] != '\0')) ||
        (!YAJL_IS_STRING(v) && !YAJL_IS_NUMBER(v)) || !(item.value >= 0))
      return resp_fail(why, why_size, "field \"%s\" is not a number", key);
    quota->items[quota->count++] = item;
  }
  if (quota->count == 0)
    return resp_fail(why, why_size, "%s", "no *Quota or *Remain field");
  return RESP_OK;
}

resp_status_t resp_parse_quota(const char *body, resp_quota_t *quota,
                               resp_error_t *err, char *why, size_t why_size) {
  memset(quota, 0, sizeof(*quota));
  return resp_parse_body(body, resp_quota_body, quota, err, why, why_size);
}

void resp_page_free(resp_page_t *page) {
  for (size_t i = 0; i < page->count; i++)
    task_free(&page->tasks[i]);
  free(page->tasks);
  free(page->request_id);
  memset(page, 0, sizeof(*page));
}

void resp_error_free(resp_error_t *err) {
  free(err->code);
  free(err->message);
  free(err->request_id);
  memset(err, 0, sizeof(*err));
}
