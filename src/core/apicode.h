/* What each Code of the API's error answers means to the plugin: one row a
 * code, in one table (apicode.c), which retry.c, health.c, watch.c and the
 * shell's api.c all ask.
 *
 * A row names a Code exactly, or a prefix of Codes (APICODE_PREFIX:
 * "Throttling" is also "Throttling.User"). The first row that matches says
 * all there is to say of a Code, so a row goes above any prefix row it
 * starts with (test_apicode checks that no row hides another). A Code no
 * row matches, "" and NULL mean: not retried, nothing else.
 *
 * What the HTTP status alone says (429, 5xx, no answer) is retry.c's. */
#ifndef DCDN_APICODE_H
#define DCDN_APICODE_H

#include "core/retry.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum {
  APICODE_EXACT, /* the Code itself */
  APICODE_PREFIX /* every Code that starts with it */
} apicode_match_t;

/* What else a Code means, besides how it is retried. */
typedef enum {
  APICODE_THROTTLED = 1u << 0,   /* counted as throttled */
  APICODE_NEEDS_HUMAN = 1u << 1, /* the account's health fails (notified) */
  /* The key's, the signature's or the clock's trouble: every call of the
   * account fails alike (not one domain and type's own, as a RAM policy
   * that leaves out a domain is). */
  APICODE_ACCOUNT = 1u << 2,
  APICODE_CLOCK = 1u << 3,   /* this host's clock is off: advise NTP */
  APICODE_REFUSED = 1u << 4, /* the key's RAM policy refuses the action */
  /* The window asked for time the API no longer keeps or has not reached
   * (planned on this host's clock): plan it again on the API's. */
  APICODE_TIME_RANGE = 1u << 5,
  /* ESA: the site asked for is gone (deleted, or made anew with another
   * SiteId): a site found with ListSites is looked up again. */
  APICODE_SITE_GONE = 1u << 6,
} apicode_flag_t;

typedef struct {
  const char *code;
  apicode_match_t match;
  retry_kind_t retry;
  unsigned flags; /* apicode_flag_t, or'ed */
} apicode_t;

/* The row that says what code means; for a code no row matches (or NULL,
 * or ""), a row with RETRY_NO and no flags. Never NULL. */
const apicode_t *apicode_lookup(const char *code);
/* Whether code's row has flag (one apicode_flag_t). */
bool apicode_is(const char *code, apicode_flag_t flag);
/* The whole table, in the order rows are tried. */
const apicode_t *apicode_rows(size_t *count);

#endif
