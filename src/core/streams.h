/* The coverage of every stream an account reports: one cursor per
 * (domain, object type), [domain * TASK_TYPE_COUNT + type], growing with
 * the domain table (Domain "*" adds domains while a scan runs), plus one
 * per object type for the domains that Domain "*" has not found yet. The
 * only place that knows the indexing. */
#ifndef DCDN_STREAMS_H
#define DCDN_STREAMS_H

#include "core/plan.h"
#include "core/task.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
  plan_cursor_t *cursors; /* [domain * TASK_TYPE_COUNT + type] */
  size_t domains;         /* domains the array holds room for */
  /* Domain "*": what is known of domains not found yet, per type. A domain
   * found in a task starts with this coverage: no task of it was there. */
  plan_cursor_t wildcard[TASK_TYPE_COUNT];
} streams_t;

#define STREAMS_INIT                                                           \
  {                                                                            \
    NULL, 0, {                                                                 \
      { 0 }                                                                    \
    }                                                                          \
  }

/* The cursor of a domain and type, made (zeroed) when new. NULL when out
 * of memory or type is not one of the four. */
plan_cursor_t *streams_at(streams_t *s, uint32_t domain, unsigned type);
/* The cursor if it was ever made, else NULL. */
const plan_cursor_t *streams_get(const streams_t *s, uint32_t domain,
                                 unsigned type);
/* Calls fn(cursor, arg) on every cursor ever made, the wildcard ones
 * included. */
void streams_each(streams_t *s, void (*fn)(plan_cursor_t *c, time_t arg),
                  time_t arg);
void streams_free(streams_t *s);

#endif
