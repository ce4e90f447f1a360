#include "core/resp.h"

#include "core/ascii.h"
#include "core/conf_domain.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "core/isotime.h"
#include "core/strbuf.h"
#include "core/tasktable.h"

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

/* Every string from the network is made printable as it is read: no one
 * logs or notifies a peer's raw control bytes. */
static char *resp_strdup_member(yajl_val obj, const char *name) {
  yajl_val v = resp_member(obj, name);
  return YAJL_IS_STRING(v) ? strbuf_printable_dup(v->u.string) : NULL;
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

/* A task's members in the order they are checked; the optional ones may
 * be absent (or null). The names that differ are the product's; each is
 * static text, which resp_skipped_t.field points to. */
typedef struct {
  const char *name;
  bool required;
} resp_field_t;

enum { RESP_ID, RESP_PATH, RESP_TYPE, RESP_STATUS, RESP_CREATED, RESP_FIELDS };

/* What a list answered: the product's tasks, and the type of those that
 * name none (ESA's DescribePreloadTasks: its answer has no Type), or
 * TASK_TYPE_UNKNOWN when each must name its own. */
typedef struct {
  const product_t *product;
  task_type_t untyped;
} resp_list_t;

static void resp_task_fields(const resp_list_t *l, resp_field_t out[]) {
  const product_t *p = l->product;
  out[RESP_ID] = (resp_field_t){"TaskId", true};
  out[RESP_PATH] = (resp_field_t){p->path_member, true};
  out[RESP_TYPE] = (resp_field_t){p->type_member,
                                  l->untyped == TASK_TYPE_UNKNOWN};
  out[RESP_STATUS] = (resp_field_t){"Status", true};
  out[RESP_CREATED] = (resp_field_t){p->created_member, true};
  out[RESP_FIELDS] = (resp_field_t){"Process", false};
  out[RESP_FIELDS + 1] = (resp_field_t){"Description", false};
}

#define RESP_FIELD_COUNT (RESP_FIELDS + 2)

/* A string member's raw text, or NULL when absent or of another type. */
static const char *resp_task_string(yajl_val obj, const char *name) {
  yajl_val v = resp_member(obj, name);
  return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

/* The first member that makes the task unreadable (missing when required,
 * not a string, or not of its form), or NULL when every one reads; sets
 * the task's non-string fields. */
static const char *resp_unreadable_field(const resp_list_t *l, yajl_val obj,
                                         task_t *task) {
  const product_t *p = l->product;
  resp_field_t fields[RESP_FIELD_COUNT];
  resp_task_fields(l, fields);
  for (size_t i = 0; i < RESP_FIELD_COUNT; i++) {
    yajl_val v = resp_member(obj, fields[i].name);
    bool required = fields[i].required;
    /* An optional member may also be null: absent all the same. */
    bool absent = v == NULL || (!required && YAJL_IS_NULL(v));
    if (absent ? required : !YAJL_IS_STRING(v))
      return fields[i].name;
  }
  const char *created = resp_task_string(obj, p->created_member);
  if ((p->spaced_times ? isotime_parse_task(created, &task->created)
                       : isotime_parse_fraction(created, &task->created)) != 0)
    return p->created_member;
  const char *process = resp_task_string(obj, "Process");
  if (process != NULL && *process != '\0' &&
      task_progress_from_string(process, &task->progress) != 0)
    return "Process";
  const char *type = resp_task_string(obj, p->type_member);
  const char *status = resp_task_string(obj, "Status");
  task->type = type ? task_type_from_string(type) : l->untyped;
  task->status = task_status_from_string(status);
  return NULL;
}

/* The task's strings, each a printable copy. Returns 0, or -1 when out of
 * memory. */
static int resp_task_strings(const product_t *p, yajl_val obj, task_t *task) {
  const char *description = resp_task_string(obj, "Description");
  task->task_id = resp_strdup_member(obj, "TaskId");
  task->object_path = resp_strdup_member(obj, p->path_member);
  task->description = strbuf_printable_dup(description ? description : "");
  if (task->type == TASK_TYPE_UNKNOWN)
    task->unknown_type = resp_strdup_member(obj, p->type_member);
  if (task->status == TASK_STATUS_UNKNOWN)
    task->unknown_status = resp_strdup_member(obj, "Status");
  bool lost_raw =
      (task->type == TASK_TYPE_UNKNOWN && task->unknown_type == NULL) ||
      (task->status == TASK_STATUS_UNKNOWN && task->unknown_status == NULL);
  return task->task_id && task->object_path && task->description && !lost_raw
             ? 0
             : -1;
}

/* Records a task left out for its field. Returns 0, or -1 when out of
 * memory. */
static int resp_skip_task(resp_page_t *page, size_t capacity, yajl_val obj,
                          const char *field) {
  if (page->skipped == NULL) {
    page->skipped = calloc(capacity, sizeof(*page->skipped));
    if (page->skipped == NULL)
      return -1;
  }
  resp_skipped_t *skip = &page->skipped[page->skipped_count];
  const char *id = resp_task_string(obj, "TaskId");
  skip->task_id = id ? strbuf_printable_dup(id) : NULL;
  skip->field = field;
  if (id != NULL && skip->task_id == NULL)
    return -1;
  page->skipped_count++;
  return 0;
}

/* One element of the task array: kept, skipped, or (not an object, or
 * out of memory) the page's failure. */
static resp_status_t resp_parse_task(const resp_list_t *l, yajl_val obj,
                                     resp_page_t *page, size_t capacity,
                                     char *why, size_t why_size) {
  if (!YAJL_IS_OBJECT(obj))
    return resp_fail(why, why_size, "%s is not an object", "a task");
  task_t task = {0};
  const char *field = resp_unreadable_field(l, obj, &task);
  if (field != NULL)
    return resp_skip_task(page, capacity, obj, field) == 0
               ? RESP_OK
               : resp_fail(why, why_size, "%s", "out of memory");
  if (resp_task_strings(l->product, obj, &task) != 0) {
    task_free(&task);
    return resp_fail(why, why_size, "%s", "out of memory");
  }
  page->tasks[page->count++] = task;
  return RESP_OK;
}

/* Tasks.<wrapper> (a list answer: DCDN's Task, CDN's CDNTask) or a flat
 * Tasks array (by id, and ESA's lists). */
static resp_status_t resp_task_array(yajl_val root, const char *wrapper,
                                     yajl_val *array, char *why,
                                     size_t why_size) {
  yajl_val tasks = resp_member(root, "Tasks");
  *array = NULL;
  if (tasks == NULL || YAJL_IS_NULL(tasks))
    return RESP_OK;
  if (YAJL_IS_ARRAY(tasks)) {
    *array = tasks;
    return RESP_OK;
  }
  if (wrapper == NULL) /* the product's Tasks is a flat array */
    return resp_fail(why, why_size, "field \"%s\" is not an array", "Tasks");
  if (!YAJL_IS_OBJECT(tasks))
    return resp_fail(why, why_size, "field \"%s\" is not an object", "Tasks");
  yajl_val task = resp_member(tasks, wrapper);
  if (task == NULL || YAJL_IS_NULL(task))
    return RESP_OK;
  if (!YAJL_IS_ARRAY(task))
    return resp_fail(why, why_size, "field \"Tasks.%s\" is not an array",
                     wrapper);
  *array = task;
  return RESP_OK;
}

static resp_status_t resp_parse_page(yajl_val root, const resp_list_t *l,
                                     resp_page_t *page, char *why,
                                     size_t why_size) {
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
  resp_status_t st =
      resp_task_array(root, l->product->task_wrapper, &array, why, why_size);
  if (st != RESP_OK || array == NULL)
    return st;
  size_t n = YAJL_GET_ARRAY(array)->len;
  page->tasks = calloc(n ? n : 1, sizeof(*page->tasks));
  if (page->tasks == NULL)
    return resp_fail(why, why_size, "%s", "out of memory");
  for (size_t i = 0; i < n && st == RESP_OK; i++)
    st = resp_parse_task(l, YAJL_GET_ARRAY(array)->values[i], page, n, why,
                         why_size);
  return st;
}

typedef resp_status_t (*resp_body_fn)(yajl_val root, const product_t *product,
                                      void *out, char *why, size_t why_size);

/* The steps every answer shares: depth, JSON, object, API error. */
static resp_status_t resp_parse_body(const product_t *product,
                                     const char *body, resp_body_fn parse,
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
    st = parse(root, product, out, why, why_size);
  yajl_tree_free(root);
  return st;
}

/* A page to fill, and what the tasks that name no type are. */
typedef struct {
  resp_page_t *page;
  task_type_t untyped;
} resp_page_job_t;

static resp_status_t resp_page_body(yajl_val root, const product_t *product,
                                    void *out, char *why, size_t why_size) {
  const resp_page_job_t *job = out;
  const resp_list_t list = {product, job->untyped};
  return resp_parse_page(root, &list, job->page, why, why_size);
}

resp_status_t resp_parse_tasks_as(const product_t *product,
                                  task_type_t untyped, const char *body,
                                  resp_page_t *page, resp_error_t *err,
                                  char *why, size_t why_size) {
  memset(page, 0, sizeof(*page));
  resp_page_job_t job = {page, untyped};
  return resp_parse_body(product, body, resp_page_body, &job, err, why,
                         why_size);
}

resp_status_t resp_parse_tasks(const product_t *product, const char *body,
                               resp_page_t *page, resp_error_t *err, char *why,
                               size_t why_size) {
  return resp_parse_tasks_as(product, TASK_TYPE_UNKNOWN, body, page, err, why,
                             why_size);
}

typedef enum {
  RESP_QUOTA_NONE,   /* no *Quota, *Remain or *Usage member */
  RESP_QUOTA_KNOWN,  /* a documented kind: item is set */
  RESP_QUOTA_UNKNOWN /* such a member of another kind */
} resp_quota_key_t;

const char *const resp_quota_figure_names[RESP_QUOTA_FIGURES] = {
    [RESP_QUOTA_TOTAL] = "quota",
    [RESP_QUOTA_REMAIN] = "remain",
    [RESP_QUOTA_USED] = "used"};

/* The member suffixes, one per figure. */
static const char *const resp_quota_suffixes[RESP_QUOTA_FIGURES] = {
    [RESP_QUOTA_TOTAL] = "Quota",
    [RESP_QUOTA_REMAIN] = "Remain",
    [RESP_QUOTA_USED] = "Usage"};

/* What a member's key is; names match in any case, as the API's own
 * example spells "blockRemain". */
static resp_quota_key_t resp_quota_name(const product_t *product,
                                        const char *key,
                                        resp_quota_item_t *item) {
  size_t len = strlen(key), suffix = 0;
  for (int f = 0; f < RESP_QUOTA_FIGURES && suffix == 0; f++) {
    size_t n = strlen(resp_quota_suffixes[f]);
    if (len >= n && ascii_strcasecmp(key + len - n, resp_quota_suffixes[f]) == 0) {
      suffix = n;
      item->figure = (resp_quota_figure_t)f;
    }
  }
  if (suffix == 0)
    return RESP_QUOTA_NONE;
  for (size_t i = 0; i < product->quota_kind_count; i++) {
    const product_quota_kind_t *k = &product->quota_kinds[i];
    if (strlen(k->prefix) == len - suffix &&
        ascii_strncasecmp(key, k->prefix, len - suffix) == 0) {
      snprintf(item->kind, sizeof(item->kind), "%s", k->kind);
      return RESP_QUOTA_KNOWN;
    }
  }
  return RESP_QUOTA_UNKNOWN;
}

/* Keeps a printable, cut copy of an undocumented key for the caller's
 * warning. Returns -1 when out of memory. */
static int resp_quota_unknown(resp_quota_t *quota, const char *key) {
  if (quota->unknown_count == RESP_MAX_QUOTAS)
    return 0;
  char *printable = strbuf_printable_dup(key);
  if (printable == NULL)
    return -1;
  char *out = quota->unknown[quota->unknown_count++];
  size_t len = strbuf_utf8_fit(printable, sizeof(quota->unknown[0]) - 1);
  memcpy(out, printable, len);
  out[len] = '\0';
  free(printable);
  return 0;
}

static bool resp_quota_seen(const resp_quota_t *quota,
                            const resp_quota_item_t *item) {
  for (size_t i = 0; i < quota->count; i++)
    if (quota->items[i].figure == item->figure &&
        strcmp(quota->items[i].kind, item->kind) == 0)
      return true;
  return false;
}

/* A figure: a string of digits or a JSON number, not negative. */
static int resp_quota_value(yajl_val v, double *out) {
  char *end = NULL;
  if (YAJL_IS_STRING(v))
    *out = strtod(v->u.string, &end);
  else if (YAJL_IS_NUMBER(v))
    *out = YAJL_GET_DOUBLE(v);
  else
    return -1;
  /* Digits only: strtod would also take "inf", "0x10", " 5" or "-1". */
  if (YAJL_IS_STRING(v) &&
      (end == v->u.string || *end != '\0' ||
       v->u.string[strspn(v->u.string, "0123456789")] != '\0'))
    return -1;
  return *out >= 0 ? 0 : -1;
}

static resp_status_t resp_quota_body(yajl_val root, const product_t *product,
                                     void *out, char *why, size_t why_size) {
  resp_quota_t *quota = out;
  for (size_t i = 0; i < YAJL_GET_OBJECT(root)->len; i++) {
    const char *key = YAJL_GET_OBJECT(root)->keys[i];
    resp_quota_item_t item = {0};
    resp_quota_key_t what = resp_quota_name(product, key, &item);
    if (what == RESP_QUOTA_UNKNOWN && resp_quota_unknown(quota, key) != 0)
      return resp_fail(why, why_size, "%s", "out of memory");
    /* A kind named twice (in two spellings) is reported once. */
    if (what != RESP_QUOTA_KNOWN || resp_quota_seen(quota, &item) ||
        quota->count == RESP_MAX_QUOTAS)
      continue;
    if (resp_quota_value(YAJL_GET_OBJECT(root)->values[i], &item.value) != 0)
      return resp_fail(why, why_size, "field \"%s\" is not a number", key);
    quota->items[quota->count++] = item;
  }
  if (quota->count == 0)
    return resp_fail(why, why_size, "%s",
                     "no documented *Quota, *Remain or *Usage field");
  return RESP_OK;
}

resp_status_t resp_parse_quota(const product_t *product, const char *body,
                               resp_quota_t *quota, resp_error_t *err,
                               char *why, size_t why_size) {
  memset(quota, 0, sizeof(*quota));
  return resp_parse_body(product, body, resp_quota_body, quota, err, why,
                         why_size);
}

/* A site's SiteId: a JSON integer (a Long), or a string of digits as a
 * TaskId is (1 to 19, not 0). */
static int resp_site_id(yajl_val v, uint64_t *out) {
  if (YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) > 0) {
    *out = (uint64_t)YAJL_GET_INTEGER(v);
    return 0;
  }
  return YAJL_IS_STRING(v) ? tasktable_parse_id(v->u.string, out) : -1;
}

static resp_status_t resp_sites_body(yajl_val root, const product_t *product,
                                     void *out, char *why, size_t why_size) {
  (void)product;
  resp_sites_t *page = out;
  if (resp_get_long(root, "TotalCount", &page->total_count, true) != 0)
    return resp_fail(why, why_size,
                     "field \"%s\" is missing or not a whole number",
                     "TotalCount");
  yajl_val sites = resp_member(root, "Sites");
  if (sites == NULL || YAJL_IS_NULL(sites))
    return RESP_OK;
  if (!YAJL_IS_ARRAY(sites))
    return resp_fail(why, why_size, "field \"%s\" is not an array", "Sites");
  for (size_t i = 0; i < YAJL_GET_ARRAY(sites)->len; i++) {
    yajl_val site = YAJL_GET_ARRAY(sites)->values[i];
    uint64_t id = 0;
    yajl_val name = YAJL_IS_OBJECT(site) ? resp_member(site, "SiteName") : NULL;
    const char *bad = NULL;
    if (!YAJL_IS_OBJECT(site) || resp_site_id(resp_member(site, "SiteId"), &id))
      bad = "SiteId is not a site id";
    else if (!YAJL_IS_STRING(name) || !conf_valid_domain_name(name->u.string))
      bad = "SiteName is not a host name";
    else if (sites_add(&page->sites, id, name->u.string) != 0)
      return resp_fail(why, why_size, "%s", "out of memory");
    if (bad != NULL && page->skipped++ == 0)
      snprintf(page->skipped_why, sizeof(page->skipped_why), "Sites[%zu].%s",
               i, bad);
    page->listed += bad == NULL;
  }
  return RESP_OK;
}

resp_status_t resp_parse_sites(const product_t *product, const char *body,
                               resp_sites_t *page, resp_error_t *err,
                               char *why, size_t why_size) {
  page->total_count = 0;
  page->listed = page->skipped = 0;
  page->skipped_why[0] = '\0';
  return resp_parse_body(product, body, resp_sites_body, page, err, why,
                         why_size);
}

void resp_page_free(resp_page_t *page) {
  for (size_t i = 0; i < page->count; i++)
    task_free(&page->tasks[i]);
  free(page->tasks);
  for (size_t i = 0; i < page->skipped_count; i++)
    free(page->skipped[i].task_id);
  free(page->skipped);
  free(page->request_id);
  memset(page, 0, sizeof(*page));
}

void resp_error_free(resp_error_t *err) {
  free(err->code);
  free(err->message);
  free(err->request_id);
  memset(err, 0, sizeof(*err));
}
