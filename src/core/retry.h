/* Which failed calls are worth another try, and how long to wait first.
 * Pure: the caller supplies the random jitter. Codes that need a human
 * are the table's (core/apicode.h: APICODE_NEEDS_HUMAN). */
#ifndef DCDN_RETRY_H
#define DCDN_RETRY_H

#include <stdbool.h>

#define RETRY_MAX_ATTEMPTS 4
#define RETRY_BASE_DELAY 0.25 /* seconds before the first retry */
#define RETRY_MAX_DELAY 4.0

typedef enum {
  RETRY_NO,        /* auth, validation: a human's turn */
  RETRY_BACKOFF,   /* throttling, 5xx, timeouts, connection errors, garbling */
  RETRY_NEW_NONCE, /* SignatureNonceUsed: sign again, no need to wait */
  /* InvalidSecurityToken.Expired: new credentials first (STS, the metadata
   * service), then sign again at once; once a call (retry_again). */
  RETRY_NEW_CREDS
} retry_kind_t;

/* http_status 0 means no answer arrived (a transport error); code may be
 * NULL (no API error body). What a Code says is core/apicode.c's table;
 * the status adds backoff for 429, 5xx and no answer (a new nonce or new
 * credentials win over it). */
retry_kind_t retry_classify(long http_status, const char *code);
/* Whether a call whose attempt-th try (1 for the first) failed as kind is
 * tried again: not RETRY_NO, never past RETRY_MAX_ATTEMPTS, and with new
 * credentials once a call at most (renewed: they were renewed for an
 * earlier try of it): fresh ones that expire too are a human's turn. */
bool retry_again(retry_kind_t kind, int attempt, bool renewed);
/* Whether an answer says we were throttled: HTTP 429, or a Code the table
 * marks APICODE_THROTTLED. */
bool retry_is_throttled(long http_status, const char *code);
/* Exponential backoff with jitter in [0, 1): attempt 1 waits about
 * RETRY_BASE_DELAY, each further one twice as long, capped. */
double retry_delay(int attempt, double jitter);

#endif
