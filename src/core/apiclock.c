#include "core/apiclock.h"

#include <math.h>
#include <stdlib.h>

bool apiclock_observe(apiclock_t *c, time_t date, double local) {
  if (date <= 0)
    return false;
  /* Date is cut to the second: the API's time was in [date, date + 1). */
  c->offset = lround((double)date + 0.5 - local);
  bool large = labs(c->offset) > APICLOCK_WARN_SECONDS;
  bool tell = large && !c->warned;
  c->warned = large;
  return tell;
}

time_t apiclock_now(const apiclock_t *c, time_t local) {
  return local + c->offset;
}
