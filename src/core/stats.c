#include "core/stats.h"

#include "core/ascii.h"

#include <stdio.h>
#include <string.h>

void stats_call(stats_t *s, double latency) {
  s->calls++;
  s->interval_calls++;
  s->latency_sum += latency;
  s->latency_count++;
  if (latency > s->latency_max)
    s->latency_max = latency;
}

void stats_throttled(stats_t *s) { s->throttled++; }

/* A Code becomes a type_instance: keep it to characters that survive every
 * writer's naming rules (ASCII ones: no locale widens them). */
static void stats_clean_code(char *out, const char *code) {
  size_t i = 0;
  for (; code[i] != '\0' && i < STATS_CODE_LEN - 1; i++)
    out[i] = ascii_is_alnum((unsigned char)code[i]) || code[i] == '.' ||
                     code[i] == '_'
                 ? code[i]
                 : '_';
  out[i] = '\0';
}

static stats_code_t *stats_find(stats_t *s, const char *code) {
  for (size_t i = 0; i < s->code_count; i++)
    if (strcmp(s->codes[i].code, code) == 0)
      return &s->codes[i];
  return NULL;
}

static stats_code_t *stats_find_or_add(stats_t *s, const char *code) {
  stats_code_t *slot = stats_find(s, code);
  if (slot == NULL) {
    slot = &s->codes[s->code_count++];
    snprintf(slot->code, sizeof(slot->code), "%s", code);
    slot->count = 0;
  }
  return slot;
}

void stats_error(stats_t *s, const char *code) {
  char clean[STATS_CODE_LEN];
  stats_clean_code(clean, code);
  stats_code_t *slot = stats_find(s, clean);
  /* Past the cap a peer inventing codes would grow the series without
   * bound: the last slot collects the rest. */
  if (slot == NULL)
    slot = stats_find_or_add(
        s, s->code_count < STATS_MAX_CODES - 1 ? clean : STATS_OTHER_CODE);
  slot->count++;
}

void stats_interval_reset(stats_t *s) {
  s->latency_sum = 0;
  s->latency_max = 0;
  s->latency_count = 0;
  s->interval_calls = 0;
}
