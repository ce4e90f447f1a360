/* An account's self-monitoring: calls, throttled answers, errors by code
 * (cumulative, for DERIVE values) and request latency (per interval). */
#ifndef DCDN_SELFSTATS_H
#define DCDN_SELFSTATS_H

#include <stddef.h>
#include <stdint.h>

#define SELFSTATS_MAX_CODES 32
#define SELFSTATS_CODE_LEN 64
#define SELFSTATS_OTHER_CODE "other" /* where codes past the cap are counted   \
                                      */

typedef struct {
  char code[SELFSTATS_CODE_LEN];
  uint64_t count;
} selfstats_code_t;

typedef struct {
  uint64_t calls;
  uint64_t throttled;
  selfstats_code_t codes[SELFSTATS_MAX_CODES];
  size_t code_count;
  /* Reset every interval. */
  double latency_sum;
  double latency_max;
  uint64_t latency_count;
  uint64_t interval_calls;
} selfstats_t;

void selfstats_call(selfstats_t *s, double latency);
void selfstats_throttled(selfstats_t *s);
/* Counts an error under its Code, or a word such as "transport". */
void selfstats_error(selfstats_t *s, const char *code);
void selfstats_interval_reset(selfstats_t *s);

#endif
