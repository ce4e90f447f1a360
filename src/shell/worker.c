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
  w->latest = (report_t)REPORT_INIT;
  w->read_seconds = -1;
  w->ready = true;
  return 0;
}

/* Hands a complete poll's values over; an older set not sent yet is
 * replaced (its counters are in the newer one). */
static void worker_publish(worker_t *w, report_t *r) {
  pthread_mutex_lock(&w->lock);
  report_free(&w->latest);
  w->latest = *r;
  w->latest_time = cdtime();
  w->fresh = true;
  pthread_mutex_unlock(&w->lock);
}

/* Waits under lock until at or until stopped; returns whether stopped. */
static bool worker_wait(worker_t *w, double at) {
  struct timespec deadline = worker_deadline(at);
  while (!w->stop && worker_now() < at)
    if (pthread_cond_timedwait(&w->wake, &w->lock, &deadline) == ETIMEDOUT)
      break;
  return w->stop;
}

static void *worker_main(void *arg) {
  account_t *account = arg;
  worker_t *w = &account->worker;
  double next = worker_now();
  for (;;) {
    pthread_mutex_lock(&w->lock);
    bool stopped = worker_wait(w, next);
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
    report_free(&w->latest);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    w->ready = false;
  }
}

bool worker_take(worker_t *w, report_t *out, cdtime_t *time) {
  pthread_mutex_lock(&w->lock);
  bool fresh = w->fresh;
  if (fresh) {
    *out = w->latest;
    *time = w->latest_time;
    w->latest = (report_t)REPORT_INIT;
    w->fresh = false;
  }
  pthread_mutex_unlock(&w->lock);
  return fresh;
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
