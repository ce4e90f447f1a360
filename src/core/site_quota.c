#include "core/site_quota.h"

#include <stdlib.h>

static const site_quota_slot_t *site_quota_find(const site_quota_slots_t *s,
                                                site_quota_call_t c) {
  for (size_t i = 0; i < s->count; i++)
    if (s->items[i].call.site_id == c.site_id && s->items[i].call.type == c.type)
      return &s->items[i];
  return NULL;
}

int site_quota_sync(site_quota_slots_t *s, const site_quota_call_t *calls,
                    size_t n) {
  site_quota_slot_t *items = calloc(n ? n : 1, sizeof(*items));
  if (items == NULL)
    return -1;
  for (size_t i = 0; i < n; i++) {
    const site_quota_slot_t *old = site_quota_find(s, calls[i]);
    items[i] = old ? *old : (site_quota_slot_t){.call = calls[i]};
  }
  free(s->items);
  s->items = items;
  s->next = s->count == n ? s->next : 0;
  s->count = n;
  return 0;
}

size_t site_quota_turn(site_quota_slots_t *s, long share, size_t *turn) {
  size_t n = 0;
  for (size_t seen = 0; seen < s->count && (long)n < share; seen++) {
    size_t i = (s->next + seen) % s->count;
    if (!s->items[i].refused)
      turn[n++] = i;
  }
  if (n > 0)
    s->next = (turn[n - 1] + 1) % s->count;
  return n;
}

void site_quota_free(site_quota_slots_t *s) {
  free(s->items);
  *s = (site_quota_slots_t)SITE_QUOTA_SLOTS_INIT;
}
