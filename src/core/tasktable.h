/* The tasks an account knows, held compactly (24 bytes each) and keyed by
 * TaskId: finished tasks never change, so they are kept until they leave
 * the Lookback window instead of being fetched again.
 *
 * Invariant: past TASKTABLE_MIN_CAP slots, the load (count / cap) stays in
 * about [0.45, 0.75], so the table holds at most 24 / 0.45 = 53.3 bytes per
 * task at any size. A put that would pass 3/4 grows the capacity by half
 * (to a load of 1/2); an expiry that would leave it under 0.45 rebuilds at
 * a load of 0.6, from where a quarter more tasks fit before the next
 * growth, so that neither rebuild follows the other at once. The capacity
 * is any number of slots (not a power of two), so the steps stay small. */
#ifndef DCDN_TASKTABLE_H
#define DCDN_TASKTABLE_H

#include "core/task.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct {
  uint64_t id; /* TaskId: the API's ids are digits; 0 marks a free slot */
  int64_t created;
  uint32_t domain;  /* domtab number, or DOMTAB_NONE */
  uint8_t type;     /* task_type_t */
  uint8_t status;   /* task_status_t */
  uint8_t progress; /* percent */
  uint8_t flags;
} tracked_task_t;

typedef struct {
  tracked_task_t *slots; /* open addressing, linear probing */
  size_t cap;
  size_t count;
} tasktable_t;

#define TASKTABLE_INIT                                                         \
  { NULL, 0, 0 }

/* The fewest slots a table that holds anything has. */
#define TASKTABLE_MIN_CAP 64

/* The capacity a table of cap slots should have to hold count tasks (by
 * the invariant above): more slots when the load would pass 3/4, fewer
 * when it would be under 0.45 and the table is larger than
 * TASKTABLE_MIN_CAP, else cap itself. Pure. */
size_t tasktable_cap_for(size_t cap, size_t count);

/* "704225667" -> 704225667. Returns 0, or -1 unless 1..19 digits, not 0. */
int tasktable_parse_id(const char *task_id, uint64_t *out);

/* Inserts or updates. *is_new tells whether the id was unknown. Returns 0,
 * or -1 when out of memory. */
int tasktable_put(tasktable_t *tr, const tracked_task_t *task, bool *is_new);
const tracked_task_t *tasktable_get(const tasktable_t *tr, uint64_t id);
/* Iterates: start with *pos = 0; returns NULL at the end. */
const tracked_task_t *tasktable_next(const tasktable_t *tr, size_t *pos);
/* Drops finished tasks created before oldest, and tasks in flight created
 * before in_flight_oldest (an outcome still to come is kept longer), in a
 * rebuilt table (smaller when the load would fall under 0.45); returns how
 * many. */
size_t tasktable_expire(tasktable_t *tr, time_t oldest,
                        time_t in_flight_oldest);
/* Bytes held, for the memory-per-task figure. */
size_t tasktable_bytes(const tasktable_t *tr);
void tasktable_free(tasktable_t *tr);

static inline bool tasktable_in_flight(const tracked_task_t *t) {
  return t->status == TASK_STATUS_PENDING ||
         t->status == TASK_STATUS_REFRESHING;
}

#endif
