/* A refresh or prefetch task as the API reports it. */
#ifndef DCDN_TASK_H
#define DCDN_TASK_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Every product's object types. The numbers are in state files: a new
 * type is appended, never inserted. Which product has which is its row's
 * (core/product.c). */
typedef enum {
  TASK_TYPE_FILE,
  TASK_TYPE_DIRECTORY,
  TASK_TYPE_REGEX,
  TASK_TYPE_PRELOAD,
  TASK_TYPE_CACHETAG,      /* ESA's purge types from here on */
  TASK_TYPE_IGNORE_PARAMS, /* the API's "ignoreParams" */
  TASK_TYPE_HOSTNAME,
  TASK_TYPE_PURGEALL,
  TASK_TYPE_COUNT,
  TASK_TYPE_UNKNOWN = TASK_TYPE_COUNT
} task_type_t;

typedef enum {
  TASK_STATUS_PENDING,
  TASK_STATUS_REFRESHING,
  TASK_STATUS_COMPLETE,
  TASK_STATUS_FAILED,
  TASK_STATUS_COUNT,
  TASK_STATUS_UNKNOWN = TASK_STATUS_COUNT
} task_status_t;

typedef struct {
  char *task_id;
  char *object_path;
  char *description; /* failure reason; "" when none */
  /* The raw strings, kept only when they are not recognised, so that the
   * caller can warn about them. */
  char *unknown_type;
  char *unknown_status;
  task_type_t type;
  task_status_t status;
  double progress; /* percent, 0..100 */
  time_t created;
  /* Not owned; NULL for most tasks. The domain a task whose content names
   * no host (an ESA cache tag) counts for: its site's owner (sites_owner). */
  const char *owner_host;
  /* The site whose list answered it (ESA); 0: listed by domain. Only a
   * domain of that site may count it. */
  uint64_t site_id;
} task_t;

/* Names as they appear in metric names: "file", "directory", ... */
const char *task_type_name(task_type_t type);
const char *task_status_name(task_status_t status);
/* Accepts the API's spellings: "path" means directory, "ignoreParams"
 * ignore_params; case-insensitive. */
task_type_t task_type_from_string(const char *s);
task_status_t task_status_from_string(const char *s);
/* "10", "100%", " 55.5 % ". Returns 0, or -1 if not a number in 0..100. */
int task_progress_from_string(const char *s, double *out);

/* Writes the lowercased host of an object path ("http://Ex.com:80/a" ->
 * "ex.com") into out. Returns 0, or -1 if it has no host, is too long for
 * out or is no host name by conf_valid_domain_name. */
int task_domain_of_path(const char *object_path, char *out, size_t out_size);

void task_free(task_t *task);

#endif
