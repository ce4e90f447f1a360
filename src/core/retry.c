#include "core/retry.h"

#include <math.h>
#include <string.h>

static bool retry_starts_with(const char *s, const char *prefix) {
  return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool retry_is_throttled(long http_status, const char *code) {
  return http_status == 429 || retry_starts_with(code, "Throttling") ||
         (code != NULL && strcmp(code, "TooManyRequests") == 0);
}

retry_kind_t retry_classify(long http_status, const char *code) {
  if (code != NULL && strcmp(code, "SignatureNonceUsed") == 0)
    return RETRY_NEW_NONCE;
  /* HTTP 200 without a Code is an answer cut short or garbled on its way
   * (the service's own errors carry a Code): worth another try. */
  if (http_status == 0 || retry_is_throttled(http_status, code) ||
      http_status >= 500 || (http_status == 200 && code == NULL))
    return RETRY_BACKOFF;
  if (code != NULL && (strcmp(code, "ServiceUnavailable") == 0 ||
                       strcmp(code, "InternalError") == 0))
    return RETRY_BACKOFF;
  return RETRY_NO;
}

double retry_delay(int attempt, double jitter) {
  double delay = RETRY_BASE_DELAY * pow(2.0, attempt > 1 ? attempt - 1 : 0);
  if (delay > RETRY_MAX_DELAY)
    delay = RETRY_MAX_DELAY;
  /* Full jitter on half the delay: spread retries of many hosts apart. */
  return delay * (0.5 + 0.5 * jitter);
}

bool retry_needs_human(const char *code) {
  static const char *const prefixes[] = {
      "SignatureDoesNotMatch", "InvalidAccessKeyId",  "Forbidden",
      "InvalidTimeStamp",      "IncompleteSignature", "InvalidSecurityToken",
      "MissingAccessKeyId"};
  for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
    if (retry_starts_with(code, prefixes[i]))
      return true;
  return false;
}
