#include "core/lifecycle.h"

#include <string.h>

static bool lifecycle_done(const tracked_task_t *t) {
  return t->status == TASK_STATUS_COMPLETE || t->status == TASK_STATUS_FAILED;
}

static void lifecycle_count(const tracked_task_t *old, tracked_task_t *task,
                            time_t now, bool first_load,
                            lifecycle_events_t *out) {
  if (!lifecycle_done(task) || (task->flags & LIFECYCLE_COUNTED))
    return;
  task->flags |= LIFECYCLE_COUNTED;
  if (task->status == TASK_STATUS_FAILED) {
    out->failed = true;
    return;
  }
  out->completed = true;
  /* Seen in flight before, or new since the last poll: the first poll that
   * sees it Complete bounds when it completed. */
  if ((old != NULL && tasktable_in_flight(old)) ||
      (old == NULL && !first_load)) {
    out->has_completion = true;
    out->completion_seconds =
        now > task->created ? (double)(now - task->created) : 0.0;
  }
}

static void lifecycle_failure(const tracked_task_t *old, tracked_task_t *task,
                              bool first_load, lifecycle_events_t *out) {
  if (task->status != TASK_STATUS_FAILED ||
      (task->flags & LIFECYCLE_FAILURE_HANDLED))
    return;
  task->flags |= LIFECYCLE_FAILURE_HANDLED;
  /* A failure found while reading history for the first time happened
   * before anyone was watching: it is counted, not announced. */
  out->notify_failed = old != NULL || !first_load;
}

/* The mark records a WARNING that went out, never one held back: the OKAY
 * follows only a WARNING that was sent. */
static void lifecycle_stuck(tracked_task_t *task, time_t now, int stuck_after,
                            bool warns_stuck, lifecycle_events_t *out) {
  if (tasktable_in_flight(task)) {
    if (warns_stuck && !(task->flags & LIFECYCLE_STUCK) &&
        now - task->created > stuck_after) {
      task->flags |= LIFECYCLE_STUCK;
      out->notify_stuck = true;
    }
  } else if ((task->flags & LIFECYCLE_STUCK) &&
             task->status == TASK_STATUS_COMPLETE) {
    task->flags &= (uint8_t)~LIFECYCLE_STUCK;
    out->notify_recovered = true;
  }
}

void lifecycle_observe(const tracked_task_t *old, tracked_task_t *task,
                       time_t now, int stuck_after, bool first_load,
                       bool warns_stuck, lifecycle_events_t *out) {
  memset(out, 0, sizeof(*out));
  task->flags = old != NULL ? old->flags : 0;
  lifecycle_count(old, task, now, first_load, out);
  lifecycle_failure(old, task, first_load, out);
  lifecycle_stuck(task, now, stuck_after, warns_stuck, out);
}
