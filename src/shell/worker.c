#include "dcdn_config.h"

#include "collectd.h"

#include "shell/worker.h"

#include "core/plan.h"
#include "shell/account.h"
#include "shell/log.h"
#include "shell/poll.h"
#include "shell/state.h"
#include "shell/stop.h"

#include <errno.h>
#include <string.h>
#include <time.h>

/* The schedule keeps to a monotonic clock: a stepped wall clock moves no
 * poll. */
static double worker_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timespec worker_deadline(double at) {
  struct timespec ts = {(time_t)at, (long)((at - (double)(time_t)at) * 1e9)};
  return ts;
}

int worker_init(worker_t *w) {
  pthread_condattr_t attr;
  if (pthread_condattr_init(&attr) != 0)
    return -1;
  int status = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  status = status ? status : pthread_cond_init(&w->wake, &attr);
  pthread_condattr_destroy(&attr);
  if (status != 0)
    return -1;
  if (pthread_mutex_init(&w->lock, NULL) != 0) {
    pthread_cond_destroy(&w->wake);
    return -1;
  }
  w->unsent = false;
  w->overdue_said = false;
  w->read_seconds = -1;
  w->ready = true;
  return 0;
}

/* Hands a complete poll's values over. */
static void worker_publish(worker_t *w, report_t *r) {
  pthread_mutex_lock(&w->lock);
  if (w->unsent) /* never: the poll waited for the last to be sent */
    report_free(&w->pending);
  w->pending = *r;
  w->pending_time = cdtime();
  w->unsent = true;
  pthread_mutex_unlock(&w->lock);
}

/* Waits under lock until the next poll is due (plan_poll_due) or the
 * thread is stopped; returns whether stopped. */
static bool worker_wait(account_t *account, double next) {
  worker_t *w = &account->worker;
  plan_wait_t wait;
  while (!w->stop &&
         !plan_poll_due(worker_now(), next, account->interval, w->unsent,
                        &wait)) {
    if (wait.overdue && !w->overdue_said) {
      w->overdue_said = true;
      DCDN_WARNING("account \"%s\": collectd has not read the account's "
                   "last values %.0f s after they were due; its polls wait "
                   "for the reads (collectd's read threads are busy: more "
                   "ReadThreads, or fewer slow plugins); said once",
                   account->conf.name, worker_now() - next);
    }
    struct timespec deadline = worker_deadline(wait.until);
    pthread_cond_timedwait(&w->wake, &w->lock, &deadline);
  }
  return w->stop;
}

static void *worker_main(void *arg) {
  account_t *account = arg;
  worker_t *w = &account->worker;
  double next = worker_now();
  for (;;) {
    pthread_mutex_lock(&w->lock);
    bool stopped = worker_wait(account, next);
    pthread_mutex_unlock(&w->lock);
    /* collectd is stopping (SIGTERM) though it has not joined us yet: no
     * new poll, whose calls would only be given up. */
    if (stopped || stop_requested())
      break;
    double started = worker_now();
    report_t r;
    if (poll_once(account, &r) == 0)
      worker_publish(w, &r);
    state_save(account);
    next = plan_next_poll(started, account->interval, worker_now());
  }
  return NULL;
}

int worker_start(account_t *account) {
  char name[16];
  snprintf(name, sizeof(name), "dcdn-%.10s", account->conf.name);
  int status =
      plugin_thread_create(&account->worker.thread, worker_main, account, name);
  account->worker.started = status == 0;
  return status;
}

void worker_stop(worker_t *w) {
  if (w->started) {
    stop_request(); /* a request in progress ends now */
    pthread_mutex_lock(&w->lock);
    w->stop = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->started = false;
  }
  if (w->ready) {
    if (w->unsent)
      report_free(&w->pending);
    w->unsent = false;
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    w->ready = false;
  }
}

bool worker_take(worker_t *w, report_t *out, cdtime_t *time) {
  pthread_mutex_lock(&w->lock);
  bool any = w->unsent;
  if (any) {
    *out = w->pending;
    *time = w->pending_time;
    w->unsent = false;
    pthread_cond_signal(&w->wake);
  }
  pthread_mutex_unlock(&w->lock);
  return any;
}

void worker_read_took(worker_t *w, double seconds) {
  pthread_mutex_lock(&w->lock);
  w->read_seconds = seconds;
  pthread_mutex_unlock(&w->lock);
}

double worker_read_seconds(worker_t *w) {
  pthread_mutex_lock(&w->lock);
  double seconds = w->read_seconds;
  pthread_mutex_unlock(&w->lock);
  return seconds;
}
