#include "core/ratelimit.h"

#include <math.h>
#include <stdlib.h>

int ratelimit_init(ratelimit_t *rl, double rate) {
  /* The promise is "at most rate calls in any one-second window": 5/s is 5
   * calls a second, 2.5/s is 2 calls a second, 0.5/s is 1 call every 2 s. */
  rl->burst = rate >= 1.0 ? (size_t)floor(rate) : 1;
  rl->window = (rate >= 1.0 ? 1.0 : 1.0 / rate) + RATELIMIT_MARGIN;
  rl->sent = calloc(rl->burst, sizeof(*rl->sent));
  rl->oldest = 0;
  rl->used = 0;
  rl->last = 0;
  return rl->sent ? 0 : -1;
}

double ratelimit_reserve(ratelimit_t *rl, double now) {
  double at = now;
  if (rl->used == rl->burst) {
    double free_at = rl->sent[rl->oldest] + rl->window;
    if (free_at > at)
      at = free_at;
    rl->last = rl->oldest;
    rl->oldest = (rl->oldest + 1) % rl->burst;
  } else {
    rl->last = (rl->oldest + rl->used) % rl->burst;
    rl->used++;
  }
  rl->sent[rl->last] = at;
  return at;
}

void ratelimit_settle(ratelimit_t *rl, double end) {
  if (rl->used > 0 && end > rl->sent[rl->last])
    rl->sent[rl->last] = end;
}

void ratelimit_free(ratelimit_t *rl) {
  free(rl->sent);
  rl->sent = NULL;
}
