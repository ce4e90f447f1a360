/* An account's own thread, as collectd's ping plugin owns its: it polls on
 * the account's schedule (most of a poll is spent asleep in the rate
 * limiter), so that collectd's read threads, which also serve the host's
 * cpu, memory and load, only send what the last complete poll found.
 *
 * Ownership: the worker lives inside its account_t; the thread reads and
 * writes the account freely (nothing else does while it runs), except
 * latest, which is handed over under lock. No lock is held across a call. */
#ifndef DCDN_WORKER_H
#define DCDN_WORKER_H

#include "collectd.h"

#include "core/report.h"

#include <pthread.h>
#include <stdbool.h>

/* Polls kept for the read callback: past this many, the oldest is dropped
 * (collectd has not read the account for that many intervals). */
#define WORKER_PENDING 4

typedef struct {
  pthread_t thread;
  bool ready; /* the lock and condition exist */
  bool started;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  /* Under lock: */
  bool stop;
  /* The complete polls not sent yet, oldest first, each with the time it
   * ended (its values' time): a read thread held up by other plugins may
   * miss a poll, and a poll's completion times are sent only once. */
  report_t pending[WORKER_PENDING];
  cdtime_t pending_time[WORKER_PENDING];
  size_t pending_count;
  unsigned long dropped; /* polls never sent: more than WORKER_PENDING */
  double read_seconds;   /* the last read callback's; negative: none yet */
  /* The read callback's own, outside the lock: */
  unsigned dropped_said; /* the dropped polls were warned about */
} worker_t;

struct account_s;

/* Sets up the lock (before anything else touches the worker). */
int worker_init(worker_t *w);
/* Starts the account's thread; its first poll begins at once. Returns 0 or
 * an errno. */
int worker_start(struct account_s *account);
/* Ends the thread (a request in progress is given up, the state saved)
 * and frees what it left. Safe on a worker never started or set up. */
void worker_stop(worker_t *w);
/* The read callback's half: moves the polls not sent yet into out and
 * times (room for WORKER_PENDING each), oldest first; returns how many,
 * and in *dropped how many were dropped since the last call. */
size_t worker_take(worker_t *w, report_t *out, cdtime_t *times,
                   unsigned long *dropped);
/* How long the read callback took, for the next poll's values; and what it
 * took last (negative: none yet). */
void worker_read_took(worker_t *w, double seconds);
double worker_read_seconds(worker_t *w);

#endif
