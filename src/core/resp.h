/* Response bodies of the refresh-task APIs -> tasks or an API error.
 * Pure (yajl only). */
#ifndef DCDN_RESP_H
#define DCDN_RESP_H

#include "core/product.h"
#include "core/site.h"
#include "core/task.h"

#include <stdbool.h>
#include <stddef.h>

/* Deeper JSON than this is refused before parsing: no API answer nests more
 * than four levels, and the tree parser recurses when freeing. */
#define RESP_MAX_DEPTH 32

/* Whether a body nests JSON deeper than RESP_MAX_DEPTH (as yajl_tree_parse
 * reads it: strings and comments hold no nesting). */
bool resp_too_deep(const char *body);

/* A task left out of its page because one of its members could not be
 * read: one per task, naming the first such member. */
typedef struct {
  char *task_id;     /* printable copy; NULL when TaskId was unreadable */
  const char *field; /* static name of the JSON member, e.g. "Process" */
} resp_skipped_t;

/* Every string in it (the tasks', the skipped ones' ids, request_id) is
 * a printable copy: see strbuf_append_printable. */
typedef struct {
  task_t *tasks;
  size_t count;
  /* count + skipped_count is how many tasks the page held, which is what
   * tells a full page (and so whether another follows). */
  resp_skipped_t *skipped;
  size_t skipped_count;
  long page_number;
  long page_size;
  long total_count;
  char *request_id;
} resp_page_t;

typedef struct {
  char *code;
  char *message;
  char *request_id;
} resp_error_t;

typedef enum {
  RESP_OK = 0,
  RESP_API_ERROR = 1, /* the body has a Code member: see resp_error_t */
  RESP_MALFORMED = -1 /* see the why text */
} resp_status_t;

/* Parses a NUL-terminated body of the product's list action (Tasks.Task,
 * CDN's Tasks.CDNTask: the row's task_wrapper) or its by-id action (Tasks
 * as an array). A task whose required
 * member (TaskId, ObjectPath, ObjectType, Status, CreationTime) is missing,
 * or whose member is not a string (an optional Process or Description may
 * be null) or not of its form (CreationTime yyyy-MM-ddTHH:mm:ss[.fff]Z,
 * Process a percentage), is skipped: see
 * resp_skipped_t. What makes the page unreadable (not JSON, TotalCount,
 * PageNumber, PageSize, Tasks, Tasks.Task, a task that is no object) is
 * RESP_MALFORMED, and why names it. page and err are zeroed first and must
 * be freed by the caller whatever the result. */
resp_status_t resp_parse_tasks(const product_t *product, const char *body,
                               resp_page_t *page, resp_error_t *err, char *why,
                               size_t why_size);
/* The same, for a list whose tasks name no type: they are of untyped
 * (ESA's DescribePreloadTasks); one that names a type is read as such. */
resp_status_t resp_parse_tasks_as(const product_t *product,
                                  task_type_t untyped, const char *body,
                                  resp_page_t *page, resp_error_t *err,
                                  char *why, size_t why_size);

#define RESP_MAX_QUOTAS 16

/* What a quota member tells, by its suffix; the names are the metrics'
 * ("count-remain-url"). */
typedef enum {
  RESP_QUOTA_TOTAL,  /* *Quota: the daily total */
  RESP_QUOTA_REMAIN, /* *Remain: what is left today */
  RESP_QUOTA_USED,   /* *Usage (ESA): what was used today */
  RESP_QUOTA_FIGURES
} resp_quota_figure_t;

extern const char *const resp_quota_figure_names[RESP_QUOTA_FIGURES];

/* One quota figure: "UrlRemain" -> kind "url", figure REMAIN. */
typedef struct {
  char kind[32]; /* url, dir, preload, block, regex, ignore_params; ESA's
                    purge type, set by the caller */
  resp_quota_figure_t figure;
  double value;
} resp_quota_item_t;

typedef struct {
  resp_quota_item_t items[RESP_MAX_QUOTAS];
  size_t count;
  /* Keys ending in Quota or Remain of no documented kind (not reported):
   * printable copies, cut to 32 bytes, for a warning. */
  char unknown[RESP_MAX_QUOTAS][33];
  size_t unknown_count;
} resp_quota_t;

/* The documented *Quota and *Remain members (Url, Dir, Preload, Block,
 * Regex, IgnoreParams; names in any case), strings of digits or numbers;
 * a kind given twice counts once. An answer with none is malformed. */
resp_status_t resp_parse_quota(const product_t *product, const char *body,
                               resp_quota_t *quota, resp_error_t *err,
                               char *why, size_t why_size);

void resp_page_free(resp_page_t *page);
void resp_error_free(resp_error_t *err);

/* One page of ListSites: its sites are appended to sites (which the
 * caller owns and frees, page after page); total_count, listed and
 * skipped are this page's. A site whose SiteId or SiteName does not read
 * (an id past 2^64, a name that is no ASCII host name) is left out, and
 * skipped_why names the first. */
typedef struct {
  sites_t sites;
  long total_count;
  size_t listed;
  size_t skipped;
  char skipped_why[96];
} resp_sites_t;

resp_status_t resp_parse_sites(const product_t *product, const char *body,
                               resp_sites_t *page, resp_error_t *err,
                               char *why, size_t why_size);

#endif
