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
  w->pending_count = 0;
  w->read_seconds = -1;
  w->ready = true;
  return 0;
}

/* Hands a complete poll's values over, after those not sent yet. */
static void worker_publish(worker_t *w, report_t *r) {
  pthread_mutex_lock(&w->lock);
  if (w->pending_count == WORKER_PENDING) {
    report_free(&w->pending[0]);
    memmove(&w->pending[0], &w->pending[1],
            (WORKER_PENDING - 1) * sizeof(w->pending[0]));
    memmove(&w->pending_time[0], &w->pending_time[1],
            (WORKER_PENDING - 1) * sizeof(w->pending_time[0]));
    w->pending_count--;
    w->dropped++;
  }
  w->pending[w->pending_count] = *r;
  w->pending_time[w->pending_count++] = cdtime();
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
    for (size_t i = 0; i < w->pending_count; i++)
      report_free(&w->pending[i]);
    w->pending_count = 0;
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    w->ready = false;
  }
}

size_t worker_take(worker_t *w, report_t *out, cdtime_t *times,
                   unsigned long *dropped) {
  pthread_mutex_lock(&w->lock);
  size_t n = w->pending_count;
  memcpy(out, w->pending, n * sizeof(*out));
  memcpy(times, w->pending_time, n * sizeof(*times));
  w->pending_count = 0;
  *dropped = w->dropped;
  w->dropped = 0;
  pthread_mutex_unlock(&w->lock);
  return n;
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
