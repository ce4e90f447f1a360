#include "core/health.h"

#include "core/apicode.h"

health_change_t health_observe(health_t *h, bool ok, long http_status,
                               const char *code) {
  if (ok) {
    h->unreachable_polls = 0;
    if (!h->failed)
      return HEALTH_UNCHANGED;
    h->failed = false;
    return HEALTH_RECOVERED;
  }
  /* A proxy that wants other credentials (407, or a bare 401 with no API
   * Code: tinyproxy's answer to a wrong password) is reached, yet the
   * endpoint never is: someone has to fix ProxyCredentialsFile. */
  bool bare = code == NULL || code[0] == '\0';
  bool human = apicode_is(code, APICODE_NEEDS_HUMAN) ||
               http_status == HEALTH_PROXY_AUTH ||
               (http_status == HEALTH_UNAUTHORIZED && bare);
  /* Any answer, even an error, shows the endpoint is reachable. */
  if (http_status != 0)
    h->unreachable_polls = 0;
  else if (++h->unreachable_polls >= HEALTH_UNREACHABLE_POLLS)
    human = true;
  if (!human || h->failed)
    return HEALTH_UNCHANGED;
  h->failed = true;
  return HEALTH_FAILED_NOW;
}

bool health_pairs_failed(const health_pairs_t *pairs) {
  /* A pair not queried that is not known to fail may be granted (read
   * up to now already, or left for the budget in an account's first
   * polls): the poll proves nothing of the key. */
  return pairs->failed > 0 && pairs->read == 0 && pairs->untried == 0;
}
