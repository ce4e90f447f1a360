#include "core/retry.h"

#include "core/apicode.h"

#include <math.h>

bool retry_is_throttled(long http_status, const char *code) {
  return http_status == 429 || apicode_is(code, APICODE_THROTTLED);
}

retry_kind_t retry_classify(long http_status, const char *code) {
  retry_kind_t by_code = apicode_lookup(code)->retry;
  /* A used nonce, or an expired token, is signed again, whatever the
   * status. */
  if (by_code == RETRY_NEW_NONCE || by_code == RETRY_NEW_CREDS)
    return by_code;
  /* HTTP 200 without a Code is an answer cut short or garbled on its way
   * (the service's own errors carry a Code): worth another try. */
  if (http_status == 0 || http_status == 429 || http_status >= 500 ||
      (http_status == 200 && code == NULL))
    return RETRY_BACKOFF;
  return by_code;
}

bool retry_again(retry_kind_t kind, int attempt, bool renewed) {
  return kind != RETRY_NO && attempt < RETRY_MAX_ATTEMPTS &&
         !(kind == RETRY_NEW_CREDS && renewed);
}

double retry_delay(int attempt, double jitter) {
  double delay = RETRY_BASE_DELAY * pow(2.0, attempt > 1 ? attempt - 1 : 0);
  if (delay > RETRY_MAX_DELAY)
    delay = RETRY_MAX_DELAY;
  /* Full jitter on half the delay: spread retries of many hosts apart. */
  return delay * (0.5 + 0.5 * jitter);
}
