#include "core/selfstats.h"

#include "core/ascii.h"

#include <stdio.h>
#include <string.h>

void selfstats_call(selfstats_t *s, double latency) {
  s->calls++;
  s->interval_calls++;
  s->latency_sum += latency;
  s->latency_count++;
  if (latency > s->latency_max)
    s->latency_max = latency;
}

void selfstats_throttled(selfstats_t *s) { s->throttled++; }

/* A Code becomes a type_instance: keep it to characters that survive every
 * writer's naming rules (ASCII ones: no locale widens them). */
static void selfstats_clean_code(char *out, const char *code) {
  size_t i = 0;
  for (; code[i] != '\0' && i < SELFSTATS_CODE_LEN - 1; i++)
    out[i] = ascii_is_alnum((unsigned char)code[i]) || code[i] == '.' ||
                     code[i] == '_'
                 ? code[i]
                 : '_';
  out[i] = '\0';
}

static selfstats_code_t *selfstats_find(selfstats_t *s, const char *code) {
  for (size_t i = 0; i < s->code_count; i++)
    if (strcmp(s->codes[i].code, code) == 0)
      return &s->codes[i];
  return NULL;
}

static selfstats_code_t *selfstats_find_or_add(selfstats_t *s,
                                               const char *code) {
  selfstats_code_t *slot = selfstats_find(s, code);
  if (slot == NULL) {
    slot = &s->codes[s->code_count++];
    snprintf(slot->code, sizeof(slot->code), "%s", code);
    slot->count = 0;
  }
  return slot;
}

void selfstats_error(selfstats_t *s, const char *code) {
  char clean[SELFSTATS_CODE_LEN];
  selfstats_clean_code(clean, code);
  selfstats_code_t *slot = selfstats_find(s, clean);
  /* Past the cap a peer inventing codes would grow the series without
   * bound: the last slot collects the rest. */
  if (slot == NULL)
    slot = selfstats_find_or_add(s, s->code_count < SELFSTATS_MAX_CODES - 1
                                        ? clean
                                        : SELFSTATS_OTHER_CODE);
  slot->count++;
}

void selfstats_interval_reset(selfstats_t *s) {
  s->latency_sum = 0;
  s->latency_max = 0;
  s->latency_count = 0;
  s->interval_calls = 0;
}
