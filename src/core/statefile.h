/* What an account has seen, as text that survives a restart: tasks (with
 * what was notified), counters, how far each cursor is covered and the
 * account's health. Pure: the shell reads and writes the file. */
#ifndef DCDN_STATEFILE_H
#define DCDN_STATEFILE_H

#include "core/domtab.h"
#include "core/ledger.h"
#include "core/plan.h"
#include "core/strbuf.h"
#include "core/tracker.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define STATEFILE_MAGIC "collectd-dcdn-state"
#define STATEFILE_VERSION 1

/* The parts of an account's runtime that the file holds. */
typedef struct {
  tracker_t tracker;
  ledger_t ledger;
  time_t account_covered;
  bool domain_mode;
  plan_cursor_t *domain_cursors; /* [domain * TASK_TYPE_COUNT + type] */
  size_t domain_cursor_count;
  bool health_failed;
} statefile_state_t;

/* Writes the state; domains names the tracker's domain numbers. */
void statefile_format(strbuf_t *out, const char *account,
                      const domtab_t *domains, const statefile_state_t *st);

/* Reads a whole file's text into a fresh state (zeroed first; free it with
 * statefile_state_free whatever the result). Domain names are mapped to
 * the live table (domtab_resolve). Returns 0, or -1 with the reason in why:
 * a truncated, corrupted or foreign file is refused whole. */
int statefile_parse(const char *text, const char *account, domtab_t *domains,
                    statefile_state_t *st, char *why, size_t why_size);

void statefile_state_free(statefile_state_t *st);

#endif
