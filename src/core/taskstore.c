#include "core/taskstore.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a: short ids, no adversary that can choose them, and cheap. */
static uint64_t taskstore_hash(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

static task_t *taskstore_slot(task_t *slots, size_t cap, const char *id) {
  size_t mask = cap - 1;
  for (size_t i = taskstore_hash(id) & mask;; i = (i + 1) & mask)
    if (slots[i].task_id == NULL || strcmp(slots[i].task_id, id) == 0)
      return &slots[i];
}

static int taskstore_grow(taskstore_t *store) {
  size_t cap = store->cap ? store->cap * 2 : 64;
  task_t *slots = calloc(cap, sizeof(*slots));
  if (slots == NULL)
    return -1;
  for (size_t i = 0; i < store->cap; i++)
    if (store->slots[i].task_id != NULL)
      *taskstore_slot(slots, cap, store->slots[i].task_id) = store->slots[i];
  free(store->slots);
  store->slots = slots;
  store->cap = cap;
  return 0;
}

int taskstore_put(taskstore_t *store, task_t *task) {
  /* Keep the load factor under 3/4 so probes stay short. */
  if ((store->count + 1) * 4 > store->cap * 3 && taskstore_grow(store) != 0)
    return -1;
  task_t *slot = taskstore_slot(store->slots, store->cap, task->task_id);
  if (slot->task_id != NULL)
    task_free(slot);
  else
    store->count++;
  *slot = *task;
  memset(task, 0, sizeof(*task));
  return 0;
}

const task_t *taskstore_get(const taskstore_t *store, const char *task_id) {
  if (store->cap == 0)
    return NULL;
  const task_t *slot = taskstore_slot(store->slots, store->cap, task_id);
  return slot->task_id != NULL ? slot : NULL;
}

const task_t *taskstore_next(const taskstore_t *store, size_t *pos) {
  for (; *pos < store->cap; (*pos)++)
    if (store->slots[*pos].task_id != NULL)
      return &store->slots[(*pos)++];
  return NULL;
}

void taskstore_free(taskstore_t *store) {
  for (size_t i = 0; i < store->cap; i++)
    if (store->slots[i].task_id != NULL)
      task_free(&store->slots[i]);
  free(store->slots);
  *store = (taskstore_t)TASKSTORE_INIT;
}
