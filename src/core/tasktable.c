#include "core/tasktable.h"

#include <stdlib.h>
#include <string.h>

int tasktable_parse_id(const char *task_id, uint64_t *out) {
  size_t len = strlen(task_id);
  if (len == 0 || len > 19 || strspn(task_id, "0123456789") != len)
    return -1;
  uint64_t v = strtoull(task_id, NULL, 10);
  if (v == 0)
    return -1;
  *out = v;
  return 0;
}

/* Fibonacci hashing, then the product's top bits scaled to [0, cap) by a
 * multiply-high (cap need not be a power of two): every bit of the id
 * counts, so neither sequential ids nor ids sharing low bits collide. */
static size_t tasktable_slot_of(uint64_t id, size_t cap) {
  uint64_t h = id * 0x9E3779B97F4A7C15ULL;
  return (size_t)(((unsigned __int128)h * cap) >> 64);
}

static tracked_task_t *tasktable_find_slot(tracked_task_t *slots, size_t cap,
                                           uint64_t id) {
  for (size_t i = tasktable_slot_of(id, cap);; i = i + 1 == cap ? 0 : i + 1)
    if (slots[i].id == 0 || slots[i].id == id)
      return &slots[i];
}

static bool tasktable_overloaded(size_t count, size_t cap) {
  return count * 4 > cap * 3;
}

size_t tasktable_cap_for(size_t cap, size_t count) {
  if (tasktable_overloaded(count, cap)) {
    /* By half, not double: the load falls to 1/2, not 3/8. */
    for (cap = cap < TASKTABLE_MIN_CAP ? TASKTABLE_MIN_CAP : cap;
         tasktable_overloaded(count, cap);)
      cap += cap / 2;
    return cap;
  }
  /* Under 0.45 (count / cap < 9 / 20): rebuilt at 0.6, ceil(count * 5 / 3),
   * far enough from both bounds that no rebuild follows at once. */
  if (cap > TASKTABLE_MIN_CAP && count * 20 < cap * 9) {
    size_t want = count + (2 * count + 2) / 3;
    return want > TASKTABLE_MIN_CAP ? want : TASKTABLE_MIN_CAP;
  }
  return cap;
}

/* Whether a task outlives an expiry: a finished one while it is inside
 * oldest, one in flight while it is inside in_flight_oldest. */
static bool tasktable_keeps(const tracked_task_t *t, time_t oldest,
                            time_t in_flight_oldest) {
  return t->id != 0 &&
         (t->created >= oldest ||
          (tasktable_in_flight(t) && t->created >= in_flight_oldest));
}

static int tasktable_rehash(tasktable_t *tr, size_t cap, time_t oldest,
                            time_t in_flight_oldest) {
  tracked_task_t *slots = calloc(cap, sizeof(*slots));
  if (slots == NULL)
    return -1;
  size_t count = 0;
  for (size_t i = 0; i < tr->cap; i++) {
    if (tasktable_keeps(&tr->slots[i], oldest, in_flight_oldest)) {
      *tasktable_find_slot(slots, cap, tr->slots[i].id) = tr->slots[i];
      count++;
    }
  }
  free(tr->slots);
  tr->slots = slots;
  tr->cap = cap;
  tr->count = count;
  return 0;
}

int tasktable_put(tasktable_t *tr, const tracked_task_t *task, bool *is_new) {
  if (task->id == 0) /* the mark of a free slot, never a TaskId */
    return -1;
  /* A load factor under 3/4 keeps probes short. */
  size_t cap = tasktable_cap_for(tr->cap, tr->count + 1);
  if (cap > tr->cap && tasktable_rehash(tr, cap, INT64_MIN, INT64_MIN) != 0)
    return -1;
  tracked_task_t *slot = tasktable_find_slot(tr->slots, tr->cap, task->id);
  *is_new = slot->id == 0;
  if (*is_new)
    tr->count++;
  *slot = *task;
  return 0;
}

const tracked_task_t *tasktable_get(const tasktable_t *tr, uint64_t id) {
  if (tr->cap == 0 || id == 0)
    return NULL;
  const tracked_task_t *slot = tasktable_find_slot(tr->slots, tr->cap, id);
  return slot->id != 0 ? slot : NULL;
}

const tracked_task_t *tasktable_next(const tasktable_t *tr, size_t *pos) {
  for (; *pos < tr->cap; (*pos)++)
    if (tr->slots[*pos].id != 0)
      return &tr->slots[(*pos)++];
  return NULL;
}

size_t tasktable_expire(tasktable_t *tr, time_t oldest,
                        time_t in_flight_oldest) {
  size_t before = tr->count;
  if (before == 0)
    return 0;
  /* Open addressing has no cheap delete: rebuild, smaller if the load
   * would fall under the invariant's. */
  size_t keep = 0;
  for (size_t i = 0; i < tr->cap; i++)
    keep += tasktable_keeps(&tr->slots[i], oldest, in_flight_oldest);
  if (keep == before)
    return 0;
  if (tasktable_rehash(tr, tasktable_cap_for(tr->cap, keep), oldest,
                       in_flight_oldest) != 0)
    return 0;
  return before - tr->count;
}

size_t tasktable_bytes(const tasktable_t *tr) {
  return sizeof(*tr) + tr->cap * sizeof(*tr->slots);
}

void tasktable_free(tasktable_t *tr) {
  free(tr->slots);
  *tr = (tasktable_t)TASKTABLE_INIT;
}
