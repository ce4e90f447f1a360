/* Calls per second for one account, as a sliding-window log: the API counts
 * calls in any one-second window, so a token bucket (which lets a full
 * bucket and the refill land in the same second) would overshoot.
 * Pure: the caller passes the time (monotonic seconds) in. */
#ifndef DCDN_RATELIMIT_H
#define DCDN_RATELIMIT_H

#include <stddef.h>

/* Added to every window: arrival times at the server jitter. */
#define RATELIMIT_MARGIN 0.05

typedef struct {
  double window; /* seconds in which at most `burst` calls may start */
  size_t burst;
  double *sent; /* ring of the last `burst` calls: start, then end times */
  size_t oldest;
  size_t used;
  size_t last; /* the slot booked last */
} ratelimit_t;

/* rate: calls per second (> 0). Returns 0, or -1 when out of memory. */
int ratelimit_init(ratelimit_t *rl, double rate);
/* Books the next call: returns the earliest time >= now it may start. */
double ratelimit_reserve(ratelimit_t *rl, double now);
/* The call booked last ended at `end`. The server saw it arrive at some
 * moment up to then, so its window counts from then: however long the
 * network took, no window at the server holds more than the rate. */
void ratelimit_settle(ratelimit_t *rl, double end);
void ratelimit_free(ratelimit_t *rl);

#endif
