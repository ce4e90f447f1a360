/* ESA's quota calls, one per site and purge type: what each last
 * answered, and which of them a poll makes when they do not all fit its
 * share of the budget (in turn, poll after poll). Pure. */
#ifndef DCDN_SITE_QUOTA_H
#define DCDN_SITE_QUOTA_H

#include "core/resp.h"
#include "core/site.h"

#include <stdbool.h>
#include <stddef.h>

/* What is known of one quota call: its last answer, kept from poll to
 * poll (the calls that do not fit one poll's share are made in turn). */
typedef struct {
  site_quota_call_t call;
  bool have;    /* answered at least once */
  bool refused; /* the key may not read this site's quota: not asked again */
  resp_quota_t answer;
} site_quota_slot_t;

typedef struct {
  site_quota_slot_t *items;
  size_t count;
  size_t next; /* the slot the next poll's turn starts at */
} site_quota_slots_t;

#define SITE_QUOTA_SLOTS_INIT                                                  \
  { NULL, 0, 0 }

/* Makes the slots the calls, in their order, keeping what was known of a
 * call already there. Returns 0, or -1 when out of memory (the slots are
 * then as they were). */
int site_quota_sync(site_quota_slots_t *s, const site_quota_call_t *calls,
                    size_t n);
/* The slots this poll asks, at most share of them, starting at s->next
 * and skipping refused ones: their indices into *turn (room for s->count);
 * s->next moves past them. Returns how many. */
size_t site_quota_turn(site_quota_slots_t *s, long share, size_t *turn);
void site_quota_free(site_quota_slots_t *s);

#endif
