/* The tasks an account knows, keyed by TaskId: pages overlap and the same
 * task may be seen many times, but it counts once. */
#ifndef DCDN_TASKSTORE_H
#define DCDN_TASKSTORE_H

#include "core/task.h"

#include <stddef.h>

typedef struct {
  task_t *slots; /* open addressing; task_id == NULL marks a free slot */
  size_t cap;    /* a power of two */
  size_t count;
} taskstore_t;

#define TASKSTORE_INIT                                                         \
  { NULL, 0, 0 }

/* Takes ownership of *task's strings (and zeroes *task). A task already
 * stored under the same TaskId is replaced. Returns 0, or -1 when out of
 * memory (then *task is left to the caller). */
int taskstore_put(taskstore_t *store, task_t *task);
const task_t *taskstore_get(const taskstore_t *store, const char *task_id);

/* Iterates: start with *pos = 0; returns NULL at the end. */
const task_t *taskstore_next(const taskstore_t *store, size_t *pos);

void taskstore_free(taskstore_t *store);

#endif
