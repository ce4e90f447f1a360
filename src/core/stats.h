/* An account's self-monitoring: calls, throttled answers, errors by code
 * (cumulative, for DERIVE values) and request latency (per interval). */
#ifndef DCDN_STATS_H
#define DCDN_STATS_H

#include <stddef.h>
#include <stdint.h>

#define STATS_MAX_CODES 32
#define STATS_CODE_LEN 64
#define STATS_OTHER_CODE "other" /* where codes past the cap are counted */

typedef struct {
  char code[STATS_CODE_LEN];
  uint64_t count;
} stats_code_t;

typedef struct {
  uint64_t calls;
  uint64_t throttled;
  stats_code_t codes[STATS_MAX_CODES];
  size_t code_count;
  /* Reset every interval. */
  double latency_sum;
  double latency_max;
  uint64_t latency_count;
  uint64_t interval_calls;
} stats_t;

void stats_call(stats_t *s, double latency);
void stats_throttled(stats_t *s);
/* Counts an error under its Code, or a word such as "transport". */
void stats_error(stats_t *s, const char *code);
void stats_interval_reset(stats_t *s);

#endif
