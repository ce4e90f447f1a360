/* The API's clock, as the Date header of its answers tells it: windows are
 * planned in the API's time, so that a host clock ahead, behind or stepped
 * neither asks for time the API has not reached nor skips time it has. */
#ifndef DCDN_APICLOCK_H
#define DCDN_APICLOCK_H

#include <stdbool.h>
#include <time.h>

/* An offset larger than this is worth one warning (check NTP). */
#define APICLOCK_WARN_SECONDS 5

typedef struct {
  long offset; /* the API's clock less this host's, in seconds */
  bool warned; /* the current offset was told */
} apiclock_t;

/* An answer's Date (0: it had none) that arrived when this host's clock
 * said local. Returns true when the offset has just grown worth a warning
 * (once, until it is back within the limit). */
bool apiclock_observe(apiclock_t *c, time_t date, double local);
/* This host's time local on the API's clock. */
time_t apiclock_now(const apiclock_t *c, time_t local);

#endif
