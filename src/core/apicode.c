#include "core/apicode.h"

#include <assert.h>
#include <string.h>

/* Above a prefix row, the rows of the codes it would otherwise take. */
static const apicode_t apicode_table[] = {
    /* Passing trouble: tried again. */
    {"SignatureNonceUsed", APICODE_EXACT, RETRY_NEW_NONCE, 0},
    {"Throttling", APICODE_PREFIX, RETRY_BACKOFF,
     APICODE_THROTTLED | APICODE_ACCOUNT},
    {"TooManyRequests", APICODE_EXACT, RETRY_BACKOFF,
     APICODE_THROTTLED | APICODE_ACCOUNT},
    {"ServiceUnavailable", APICODE_EXACT, RETRY_BACKOFF, 0},
    {"InternalError", APICODE_EXACT, RETRY_BACKOFF, 0},
    /* STS credentials expired: new ones, and the call again at once
     * (retry_again: once). Only when the new ones fail too does the
     * account's health hear of it, and then a human is needed. */
    {"InvalidSecurityToken.Expired", APICODE_EXACT, RETRY_NEW_CREDS,
     APICODE_NEEDS_HUMAN | APICODE_ACCOUNT},
    /* The key, the signature, the clock: a human's turn. */
    {"InvalidSecurityToken", APICODE_PREFIX, RETRY_NO,
     APICODE_NEEDS_HUMAN | APICODE_ACCOUNT},
    {"InvalidTimeStamp", APICODE_PREFIX, RETRY_NO,
     APICODE_NEEDS_HUMAN | APICODE_ACCOUNT | APICODE_CLOCK},
    {"SignatureDoesNotMatch", APICODE_PREFIX, RETRY_NO,
     APICODE_NEEDS_HUMAN | APICODE_ACCOUNT},
    {"IncompleteSignature", APICODE_PREFIX, RETRY_NO,
     APICODE_NEEDS_HUMAN | APICODE_ACCOUNT},
    {"InvalidAccessKeyId", APICODE_PREFIX, RETRY_NO,
     APICODE_NEEDS_HUMAN | APICODE_ACCOUNT},
    {"MissingAccessKeyId", APICODE_PREFIX, RETRY_NO,
     APICODE_NEEDS_HUMAN | APICODE_ACCOUNT},
    /* Permissions: may be one domain's (a RAM policy by resource). */
    {"Forbidden.RAM", APICODE_EXACT, RETRY_NO,
     APICODE_NEEDS_HUMAN | APICODE_REFUSED},
    {"Forbidden", APICODE_PREFIX, RETRY_NO, APICODE_NEEDS_HUMAN},
    /* CDN: the product not activated, or the service suspended. */
    {"OperationDenied", APICODE_PREFIX, RETRY_NO,
     APICODE_NEEDS_HUMAN | APICODE_ACCOUNT},
    /* A window outside the API's time: planned on a clock that is off. */
    {"InvalidTime", APICODE_EXACT, RETRY_NO, APICODE_TIME_RANGE},
    {"InvalidStartTime.ValueNotSupported", APICODE_EXACT, RETRY_NO,
     APICODE_TIME_RANGE},
    {"SiteNotFound", APICODE_EXACT, RETRY_NO, APICODE_SITE_GONE},
};

static const apicode_t apicode_unknown = {"", APICODE_EXACT, RETRY_NO, 0};

static bool apicode_matches(const apicode_t *row, const char *code) {
  if (row->match == APICODE_PREFIX)
    return strncmp(code, row->code, strlen(row->code)) == 0;
  return strcmp(code, row->code) == 0;
}

const apicode_t *apicode_lookup(const char *code) {
  if (code == NULL || code[0] == '\0')
    return &apicode_unknown;
  for (size_t i = 0; i < sizeof(apicode_table) / sizeof(apicode_table[0]); i++)
    if (apicode_matches(&apicode_table[i], code))
      return &apicode_table[i];
  return &apicode_unknown;
}

bool apicode_is(const char *code, apicode_flag_t flag) {
  assert(flag != 0 && (flag & (flag - 1)) == 0); /* one flag */
  return (apicode_lookup(code)->flags & flag) != 0;
}

const apicode_t *apicode_rows(size_t *count) {
  *count = sizeof(apicode_table) / sizeof(apicode_table[0]);
  return apicode_table;
}
