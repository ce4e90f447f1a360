/* What a task's new sighting means: counted completions and failures,
 * completion times, and which notifications are due. Pure: the caller
 * passes the old record, the new one and "now". */
#ifndef DCDN_LIFECYCLE_H
#define DCDN_LIFECYCLE_H

#include "core/tasktable.h"

#include <stdbool.h>
#include <time.h>

/* tracked_task_t.flags */
#define LIFECYCLE_COUNTED 0x01         /* in the completed/failed counters */
#define LIFECYCLE_FAILURE_HANDLED 0x02 /* notified, or known from the start */
#define LIFECYCLE_STUCK 0x04           /* the stuck WARNING went out */

typedef struct {
  bool completed;      /* count one more completed task */
  bool failed;         /* count one more failed task */
  bool has_completion; /* completion_seconds is a sample */
  double completion_seconds;
  bool notify_failed;    /* FAILURE: the task failed */
  bool notify_stuck;     /* WARNING: in flight longer than StuckAfter */
  bool notify_recovered; /* OKAY: a task warned about as stuck completed */
} lifecycle_events_t;

/* old: the task as last seen (NULL when new). task: as seen now; its flags
 * are set from old's and updated. first_load: the account is reading its
 * history for the first time, so a task already Failed is history, not
 * news, and a task already Complete has no known completion time.
 * warns_stuck: a stuck WARNING due now would be sent (Notify has "stuck"
 * and this process notifies); when not, none is due and the task is not
 * marked, so that a later configuration that warns warns it then. */
void lifecycle_observe(const tracked_task_t *old, tracked_task_t *task,
                       time_t now, int stuck_after, bool first_load,
                       bool warns_stuck, lifecycle_events_t *out);

#endif
