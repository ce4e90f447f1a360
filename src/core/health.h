/* An account's health as an operator sees it: failing for a reason that
 * needs a human (credentials, permissions, the clock, an endpoint that
 * stays unreachable), or fine. Changes are what get notified. */
#ifndef DCDN_HEALTH_H
#define DCDN_HEALTH_H

#include <stdbool.h>

/* Polls in a row without any answer before the endpoint counts as down. */
#define HEALTH_UNREACHABLE_POLLS 3
/* HTTP statuses of credentials a human must fix (a proxy's, mostly). */
#define HEALTH_UNAUTHORIZED 401
#define HEALTH_PROXY_AUTH 407

typedef struct {
  bool failed;
  int unreachable_polls;
} health_t;

typedef enum {
  HEALTH_UNCHANGED,
  HEALTH_FAILED_NOW, /* send FAILURE */
  HEALTH_RECOVERED   /* send OKAY */
} health_change_t;

/* One poll's outcome: ok, or the last failure's HTTP status (0: no answer)
 * and Code (NULL or "" when it had none); the Codes that need a human are
 * core/apicode.c's APICODE_NEEDS_HUMAN rows. */
health_change_t health_observe(health_t *h, bool ok, long http_status,
                               const char *code);

/* Domain mode: what a poll's (domain, type) queries came to. */
typedef struct {
  long read;    /* windows read (or their pages, as far as the budget went) */
  long failed;  /* queries that failed for the pair's own reason */
  long untried; /* not queried (not due, or no budget left) and not known
                   to fail */
} health_pairs_t;

/* Whether a poll whose calls all returned failed all the same: every pair
 * it queried failed, none was read, and none left untried might have been
 * granted (a key refused every list). Then the poll counts as failed with
 * the pairs' failure (Forbidden.RAM: a FAILURE, collectd -T exits
 * non-zero); one pair read keeps the account healthy. */
bool health_pairs_failed(const health_pairs_t *pairs);

#endif
